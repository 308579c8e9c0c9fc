"""Walk a parsed .inc doctree into raw operation sections.

A *section* here is everything the api-ref says about one ``rest_method``:
the prose after it, its notes, the response code paragraphs and
``rest_status_code`` lists, the Preconditions and Asynchronous
Postconditions blocks, and the ``rest_parameters`` lists and
``literalinclude`` samples of its Request and Response subsections (and of
their own subsections: keystone's "Parameters" and "Example" under each). A
heading that states a range, placement's "Response (microversions 1.1 -
1.18)", limits the lists and samples under it to that range. Nothing is
resolved yet (parameter keys, status files, samples): that is
:mod:`conformance.apiref.compiler`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from docutils import nodes

from conformance.apiref.directives import (
    ParameterLine,
    StatusLine,
    literalinclude,
    rest_method,
    rest_parameters,
    rest_status_code,
)
from conformance.model import Microversion, MicroversionRange, ResponseCode, Sentence, Source

__all__ = ["RawIncludes", "RawSection", "RawStatus", "admin_only", "heading_versions", "read_common", "read_sections",
           "rst_text"]

_CODES = re.compile(r"^\s*(normal|error)\s+response\s+codes?\s*:\s*(.*)$", re.I | re.S)
# "itemNotFound(404)", "404", "404 (itemNotFound)", "200 (microversions 2.0 - 2.100)"
_CODE_ITEM = re.compile(r"^\s*(?:([A-Za-z][\w ]*?)\s*\(\s*(\d{3})\s*\)|(\d{3})(?:\s*\(\s*([A-Za-z][\w ]*?)\s*\))?"
                        r"(?:\s*\(\s*microversions?\s+(\d+\.\d+\s*-\s*(?:\d+\.\d+)?)\s*\))?)\s*$")
_CODE_PAIR = re.compile(r"([A-Za-z]\w*)\s*\(\s*(\d{3})\s*\)")
_CODE_SEPARATOR = re.compile(r",(?![^(]*\))")
_ADMIN_ONLY = re.compile(r"(?:enable|allow)s?\s+only\s+(?:users\s+with\s+the\s+)?(?:the\s+)?"
                         r"(?>administrat\w*(?:\s+role)?)(?!\s+or\b)"
                         r"|only\s+(?:cloud\s+)?administrators\s+can|admin(?:istrator)?[- ]only", re.I)
"""Admin-only by default policy; not "the administrative role or the owner of the server" (owners may too)."""
# "Response (microversions 1.1 - 1.18)", "Request example (microversion 1.19 - )"
_HEADING_RANGE = re.compile(r"\(\s*microversions?\s+(\d+\.\d+)\s*-\s*(\d+\.\d+)?\s*\)", re.I)
_BLOCK_TITLES = {"preconditions": "preconditions", "asynchronous postconditions": "postconditions",
                 "postconditions": "postconditions", "troubleshooting": "troubleshooting"}


@dataclass
class RawIncludes:
    """A literalinclude as found: its path, its line and which side it documents."""

    path: str
    line: int
    is_request: bool
    versions: MicroversionRange = field(default_factory=MicroversionRange)
    """The range its heading states (``Response Example (microversions 1.19 - )``); unbounded otherwise."""


@dataclass
class RawStatus:
    """One code of a rest_status_code list, before its status file is read."""

    normal: bool
    """True for a ``success`` list, False for an ``error`` one."""
    file: str
    """The status file the list names, relative to the including file: ``status.yaml``, ``../status.yaml``."""
    item: StatusLine
    """The code, the reason key and the line."""
    directive: int
    """The rest_status_code line (where a missing status file is reported)."""


@dataclass
class RawSection:
    """What one rest_method section says, before keys and samples are resolved."""

    method: str
    path: str
    title: str
    group: str
    file: str
    line: int
    description: list[Sentence] = field(default_factory=list)
    notes: list[Sentence] = field(default_factory=list)
    group_notes: list[Sentence] = field(default_factory=list)
    version_options: dict[str, tuple[str, int]] = field(default_factory=dict)
    normal_codes: list[ResponseCode] = field(default_factory=list)
    error_codes: list[ResponseCode] = field(default_factory=list)
    request: list[ParameterLine] = field(default_factory=list)
    response: list[ParameterLine] = field(default_factory=list)
    includes: list[RawIncludes] = field(default_factory=list)
    preconditions: list[Sentence] = field(default_factory=list)
    postconditions: list[Sentence] = field(default_factory=list)
    response_notes: list[Sentence] = field(default_factory=list)
    """The prose of the Response subsection ("this field will be reported as ``None``")."""
    lead: list[Sentence] = field(default_factory=list)
    """The prose between the section's title and its rest_method (placement's "**Available as of microversion
    1.13.**", ".. note:: Method is available starting from version 1.5.")."""
    admin_only: bool = False
    problems: list[tuple[str, str, int]] = field(default_factory=list)
    statuses: list[RawStatus] = field(default_factory=list)
    title_versions: MicroversionRange = field(default_factory=MicroversionRange)

    def relocate(self, original: Callable[[int], int]) -> None:
        """Map every line to the user's file (after :func:`~conformance.apiref.indentation.restore`)."""

        def source(where: Source) -> Source:
            return Source(where.path, original(where.line))

        def sentences(items: list[Sentence]) -> list[Sentence]:
            return [Sentence(s.text, source(s.source)) for s in items]

        self.line = original(self.line)
        self.description, self.notes = sentences(self.description), sentences(self.notes)
        self.lead = sentences(self.lead)
        self.group_notes = sentences(self.group_notes)
        self.preconditions, self.postconditions = sentences(self.preconditions), sentences(self.postconditions)
        self.response_notes = sentences(self.response_notes)
        self.version_options = {k: (v, original(n)) for k, (v, n) in self.version_options.items()}
        self.normal_codes = [replace(c, source=source(c.source)) for c in self.normal_codes]
        self.error_codes = [replace(c, source=source(c.source)) for c in self.error_codes]
        self.request = [replace(p, line=original(p.line)) for p in self.request]
        self.response = [replace(p, line=original(p.line)) for p in self.response]
        self.includes = [replace(i, line=original(i.line)) for i in self.includes]
        self.statuses = [replace(s, item=replace(s.item, line=original(s.item.line)), directive=original(s.directive))
                         for s in self.statuses]
        self.problems = [(code, message, original(line)) for code, message, line in self.problems]


def rst_text(node: nodes.Node) -> str:
    """A node's text with inline literals kept as ````value```` (the precondition grammar relies on them)."""
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.literal):
        return f"``{node.astext()}``"
    if isinstance(node, nodes.system_message):
        return ""
    if isinstance(node, nodes.Element):
        return "".join(rst_text(child) for child in node.children)
    return node.astext()


def read_sections(document: nodes.document, file: str) -> list[RawSection]:
    """Every rest_method section of a parsed .inc file, in document order."""
    group = _group_title(document)
    group_notes = _group_notes(document, file)
    sections: list[RawSection] = []
    for marker in document.findall(rest_method):
        section = marker.parent
        title = _title(section) if isinstance(section, nodes.section) else ""
        raw = RawSection(method=marker["method"], path=marker["path"], title=title, group=group, file=file,
                         line=marker.line or 0, group_notes=group_notes, title_versions=heading_versions(title))
        raw.version_options = {name: marker[name] for name in ("min_version", "max_version") if name in marker}
        problems: list[tuple[str, str]] = marker.get("problems", [])
        raw.problems.extend((code, message, raw.line) for code, message in problems)
        _read_body(raw, section, marker)
        sections.append(raw)
    return sections


def read_common(document: nodes.document, file: str) -> RawSection | None:
    """The rest_parameters that stand outside every rest_method section (request-ids.inc's headers).

    They apply to every operation; a "**Request**" or "**Response**" paragraph
    (or subsection) before each list says which side it documents.
    """
    operations = {id(marker.parent) for marker in document.findall(rest_method)}
    if all(_in_operation(node, operations) for node in document.findall(rest_parameters)):
        return None  # the usual case: every list belongs to an operation
    common = RawSection(method="", path="", title="", group=_group_title(document), file=file, line=0)
    zone = "request"
    for node in document.findall(lambda n: isinstance(n, (rest_parameters, nodes.paragraph, nodes.title))):
        if _in_operation(node, operations):
            continue
        text = node.astext().strip().lower()
        if isinstance(node, (nodes.paragraph, nodes.title)):
            if text.strip("*: ") in ("request", "response"):
                zone = text.strip("*: ")
            continue
        assert isinstance(node, rest_parameters)
        (common.response if zone == "response" else common.request).extend(node["items"])
        common.line = common.line or (node.line or 0)
    return common if common.request or common.response else None


def _in_operation(node: nodes.Node, operations: set[int]) -> bool:
    """Whether a node lies in a rest_method section (``operations``: the ids of the sections holding one)."""
    ancestor = node.parent
    while ancestor is not None:
        if id(ancestor) in operations:
            return True
        ancestor = ancestor.parent
    return False


def _title(section: nodes.Element) -> str:
    title = section.next_node(nodes.title)
    return " ".join(title.astext().split()) if title is not None else ""


def _group_title(document: nodes.document) -> str:
    top = document.next_node(nodes.section)
    return _title(top) if top is not None else ""


def _group_notes(document: nodes.document, file: str) -> list[Sentence]:
    """The prose of the file's top section before its first subsection (applies to every operation)."""
    top = document.next_node(nodes.section)
    if top is None:
        return []
    notes: list[Sentence] = []
    for child in top.children:
        if isinstance(child, nodes.section):
            break
        if isinstance(child, nodes.title):
            continue
        notes.extend(_sentences(child, file))
    return notes


def _sentences(node: nodes.Node, file: str) -> list[Sentence]:
    """Paragraphs and list items under a node, each as one Sentence with its first line."""
    found: list[Sentence] = []
    if isinstance(node, (nodes.paragraph, nodes.literal_block)):
        found.append(Sentence(" ".join(rst_text(node).split()) if isinstance(node, nodes.paragraph)
                              else node.astext(), Source(file, _line(node))))
        return found
    if isinstance(node, nodes.Element):
        for child in node.children:
            found.extend(_sentences(child, file))
    return found


def _line(node: nodes.Node) -> int:
    """The first line of a node; containers without one take their first child's."""
    line = getattr(node, "line", None)
    if line is None and isinstance(node, nodes.Element):
        for child in node.children:
            found = _line(child)
            if found:
                return found
        return 0
    return line or 0


def heading_versions(title: str) -> MicroversionRange:
    """The range a heading states: "Response (microversions 1.1 - 1.18)" -> 1.1-1.18; unbounded when none."""
    match = _HEADING_RANGE.search(title)
    if match is None:
        return MicroversionRange()
    return MicroversionRange(Microversion.parse(match.group(1)),
                             Microversion.parse(match.group(2)) if match.group(2) else None)


def _read_body(raw: RawSection, section: nodes.Element, marker: rest_method) -> None:
    zone = "description"
    # The depth of the heading that set a Request or Response zone, and the range of each open heading.
    zone_depth = 0
    ranges: dict[int, MicroversionRange] = {}
    seen_marker = False
    for child, depth in _flatten(section):
        if child is marker:
            seen_marker = True
            continue
        if not seen_marker:
            if isinstance(child, rest_method) or depth > 0:
                raw.lead.clear()  # what precedes another operation, or a subsection, is not this one's
            elif isinstance(child, (nodes.paragraph, nodes.note, nodes.warning, nodes.important)):
                raw.lead.extend(_sentences(child, raw.file))
            continue
        if isinstance(child, rest_method):
            break  # a second rest_method in the same section starts its own operation
        if isinstance(child, nodes.title):
            heading = child.astext().strip().lower()
            ranges = {d: r for d, r in ranges.items() if d < depth}
            ranges[depth] = heading_versions(heading)
            if "request" in heading:
                zone, zone_depth = "request", depth
            elif "response" in heading:
                zone, zone_depth = "response", depth
            elif zone not in ("request", "response") or depth <= zone_depth:
                zone = "other"
            # else: a subsection of Request or Response (keystone's "Parameters", "Example") keeps its side
            continue
        versions = _innermost(ranges)
        if isinstance(child, rest_parameters):
            target = raw.response if zone == "response" else raw.request
            if zone not in ("request", "response"):
                side = "request" if target is raw.request else "response"
                raw.problems.append(("parameters-outside-request-response",
                                     f"rest_parameters outside a Request or Response subsection; read as {side}",
                                     child.line or 0))
            target.extend(replace(item, versions=versions) if not versions.unbounded else item
                          for item in child["items"])
            continue
        if isinstance(child, literalinclude):
            raw.includes.append(RawIncludes(child["path"], child.line or 0, zone != "response", versions))
            continue
        if isinstance(child, rest_status_code):
            raw.statuses.extend(RawStatus(child["kind"] == "success", child["file"], item, child.line or 0)
                                for item in child["items"])
            continue
        if isinstance(child, (nodes.note, nodes.warning, nodes.important, nodes.attention, nodes.caution,
                              nodes.admonition, nodes.container)):
            raw.notes.extend(_sentences(child, raw.file))
            continue
        if isinstance(child, nodes.paragraph):
            zone = _read_paragraph(raw, child, zone)
            continue
        if zone in ("preconditions", "postconditions") and isinstance(child, (nodes.bullet_list,
                                                                               nodes.enumerated_list,
                                                                               nodes.literal_block,
                                                                               nodes.definition_list)):
            getattr(raw, zone).extend(_sentences(child, raw.file))


def _innermost(ranges: dict[int, MicroversionRange]) -> MicroversionRange:
    """The range of the deepest open heading that states one."""
    stated = [versions for _, versions in sorted(ranges.items()) if not versions.unbounded]
    return stated[-1] if stated else MicroversionRange()


def _flatten(section: nodes.Element, depth: int = 0) -> list[tuple[nodes.Node, int]]:
    """The section's body in order, subsections opened in place with their titles kept as zone markers.

    Each node comes with its depth: 0 for the section's own body, 1 for a subsection's title and body...
    """
    out: list[tuple[nodes.Node, int]] = []
    for child in section.children:
        if isinstance(child, nodes.title):
            continue
        if isinstance(child, nodes.section):
            if child.children and isinstance(child.children[0], nodes.title):
                out.append((child.children[0], depth + 1))
            out.extend(_flatten(child, depth + 1))
        elif isinstance(child, (nodes.block_quote, nodes.compound)) and child.next_node(rest_parameters):
            out.extend(_flatten(child, depth))
        else:
            out.append((child, depth))
    return out


def admin_only(text: str) -> bool:
    """Whether a sentence says the default policy lets administrators only perform the operation."""
    return _ADMIN_ONLY.search(" ".join(text.split())) is not None


def _read_paragraph(raw: RawSection, paragraph: nodes.paragraph, zone: str) -> str:
    text = " ".join(rst_text(paragraph).split())
    plain = paragraph.astext().strip()
    if len(paragraph.children) == 1 and isinstance(paragraph.children[0], nodes.strong):
        block = _BLOCK_TITLES.get(plain.rstrip(":").lower())
        if block:
            return block
        if zone in ("preconditions", "postconditions", "troubleshooting"):
            return "description" if zone != "troubleshooting" else "other"
        return zone
    sentence = Sentence(text, Source(raw.file, _line(paragraph)))
    codes = _CODES.match(plain)
    if codes:
        _read_codes(raw, codes.group(1).lower(), codes.group(2), sentence.source)
        return zone if zone in ("request", "response") else "other"
    if _ADMIN_ONLY.search(text):
        raw.admin_only = True
    if zone in ("preconditions", "postconditions"):
        getattr(raw, zone).append(sentence)
    elif zone == "response":
        raw.response_notes.append(sentence)
    elif zone == "description":
        raw.description.append(sentence)
    return zone


def _read_codes(raw: RawSection, kind: str, items: str, source: Source) -> None:
    target = raw.normal_codes if kind == "normal" else raw.error_codes
    for item in _CODE_SEPARATOR.split(" ".join(items.split())):
        item = item.strip().rstrip(".")
        if not item:
            continue
        match = _CODE_ITEM.match(item)
        if match is not None:
            name = match.group(1) or match.group(4)
            versions = _code_versions(match.group(5))
            target.append(ResponseCode(int(match.group(2) or match.group(3)), name.strip() if name else None,
                                       source, versions))
            continue
        pairs = _CODE_PAIR.findall(item)
        if pairs and _CODE_PAIR.sub("", item).strip() == "":
            # "forbidden(403) itemNotFound(404)": a comma is missing; read both, report it.
            raw.problems.append(("malformed-response-codes", f"response codes {item!r} lack a separating comma",
                                 source.line))
            target.extend(ResponseCode(int(status), name, source) for name, status in pairs)
            continue
        raw.problems.append(("malformed-response-codes", f"cannot read response code {item!r}", source.line))


def _code_versions(qualifier: str | None) -> MicroversionRange:
    if not qualifier:
        return MicroversionRange()
    low, _, high = qualifier.partition("-")
    return MicroversionRange(Microversion.parse(low) if low.strip() else None,
                             Microversion.parse(high) if high.strip() else None)
