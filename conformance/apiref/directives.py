"""The os-api-ref directives as real docutils directives, and a parse function.

``rest_method``, ``rest_parameters``, ``rest_status_code``, ``rest_expand_all``
and ``literalinclude`` become nodes of their own in the doctree, carrying their
arguments and lines; the reader walks that tree. They accept what os-api-ref
accepts (a ``rest_method`` argument on the line after the directive, a path
without its leading ``/`` or with a query string, noted as problems for the
lint) and reject, at the offending line, what it would reject. The Sphinx roles and
directives that api-refs use for prose (``:ref:``, ``code-block``...) are tolerated: their text is
kept. ``versionadded``, ``versionchanged`` and ``deprecated`` are rendered as Sphinx renders them
("New in version 2.78.") so that the prose reader reads them like any sentence.

docutils keeps directives in a process-wide registry, so importing this module
registers them once for the whole process.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import docutils.frontend
import docutils.utils
from docutils import nodes
from docutils.parsers import rst
from docutils.parsers.rst import Directive, directives, roles

from conformance.errors import RSTError
from conformance.model import MicroversionRange

__all__ = [
    "ParameterLine",
    "StatusLine",
    "literalinclude",
    "parse_rst",
    "rest_method",
    "rest_parameters",
    "rest_status_code",
]

HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "COPY"})


class rest_method(nodes.General, nodes.Element):
    """``.. rest_method:: GET /path``: attributes ``method`` and ``path``."""


class rest_parameters(nodes.General, nodes.Element):
    """``.. rest_parameters:: parameters.yaml``: attributes ``file`` and ``items`` (ParameterLine list)."""


class rest_status_code(nodes.General, nodes.Element):
    """``.. rest_status_code:: success status.yaml``: attributes ``kind``, ``file`` and ``items`` (StatusLine list)."""


class literalinclude(nodes.General, nodes.Element):
    """``.. literalinclude:: path``: attributes ``path`` and ``language``."""


class rest_expand_all(nodes.General, nodes.Element):
    """``.. rest_expand_all::``: a rendering switch with no meaning here."""


@dataclass(frozen=True)
class ParameterLine:
    """One ``- name: key`` line of a rest_parameters list."""

    name: str
    """The name on the wire."""
    key: str
    """The parameters.yaml key."""
    line: int
    """Its line in the .inc file."""
    file: str = "parameters.yaml"
    """The parameters file the list names, relative to the including file: ``images-parameters.yaml``."""
    versions: MicroversionRange = field(default_factory=MicroversionRange)
    """The microversions its heading states: ``Response (microversions 1.1 - 1.18)``; unbounded otherwise."""


@dataclass(frozen=True)
class StatusLine:
    """One ``- 404`` (or ``- 401: auth_failed``) line of a rest_status_code list."""

    status: int
    """The HTTP status."""
    reason: str | None
    """The status file's key for its description (``auth_failed``); None for its ``default``."""
    line: int
    """Its line in the .inc file."""


_TEMPLATE = re.compile(r"\{([^}]*[^\w.}-][^}]*)\}")
_STATUS_ITEM = re.compile(r"^-\s+(\d{3})\s*(?::\s*([\w.-]+)\s*)?$")


class RestMethodDirective(Directive):
    required_arguments = 1
    final_argument_whitespace = True

    def run(self) -> list[nodes.Node]:
        # The argument is "METHOD /path", optionally followed by indented
        # "min_version: X" / "max_version: X" lines (os-hypervisors.inc uses them).
        first, *rest = self.arguments[0].splitlines()
        parts = first.split()
        if len(parts) != 2 or parts[0].upper() not in HTTP_METHODS:
            raise self.error(f"rest_method expects 'METHOD /path', got {first!r}")
        path, question, query = parts[1].partition("?")
        problems: list[tuple[str, str]] = []
        if not path.startswith("/"):
            # os-api-ref shows whatever follows the method; the request goes to the path below the root.
            problems.append(("path-without-leading-slash", f"the path {parts[1]!r} does not start with '/'; "
                             f"read as {'/' + path!r}"))
            path = "/" + path
        named = _TEMPLATE.sub(lambda m: "{" + re.sub(r"[^\w.-]+", "_", m.group(1)).strip("_") + "}", path)
        if named != path:
            # neutron's "{tap_service_id/name}" names no single path segment; OpenAPI needs one name.
            problems.append(("malformed-path-template", f"the path {path!r} has a template that is not a name; "
                             f"read as {named!r}"))
            path = named
        if question:
            problems.append(("query-string-in-path", f"the path {parts[1]!r} holds a query string; read as "
                             f"{path!r}, its query parameters belong in the Request's rest_parameters"))
        node = rest_method(method=parts[0].upper(), path=path, problems=problems, query=query or None)
        for offset, text in enumerate(rest, start=1):
            name, colon, value = text.strip().partition(":")
            if not colon or name.strip() not in ("min_version", "max_version") or not value.strip():
                raise self.error(f"line {self.lineno + offset}: rest_method accepts only 'min_version: X' and "
                                 f"'max_version: X' after the path, got {text.strip()!r}")
            node[name.strip()] = (value.strip(), self.lineno + offset)
        node.line = self.lineno
        return [node]


class RestParametersDirective(Directive):
    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        items: list[ParameterLine] = []
        for text, (_, offset) in zip(self.content, self.content.items, strict=True):
            stripped = text.strip()
            if not stripped or stripped.startswith("#"):
                continue
            line = offset + 1
            # As YAML reads it: the name ends at the first ": " (names such as
            # "OS-FLV-EXT-DATA:ephemeral" hold a colon of their own).
            name, colon, key = (stripped.removeprefix("-") + " ").partition(": ")
            if not stripped.startswith("- ") or not colon or not name.strip() or not key.strip():
                raise self.error(f"line {line}: expected '- name: key' in rest_parameters, got {stripped!r}")
            items.append(ParameterLine(name.strip().strip("'\""), key.strip().strip("'\""), line,
                                       file=self.arguments[0]))
        node = rest_parameters(file=self.arguments[0], items=items)
        node.line = self.lineno
        return [node]


class LiteralIncludeDirective(Directive):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {
        name: directives.unchanged
        for name in ("language", "linenos", "lineno-start", "lineno-match", "lines", "start-after", "end-before",
                     "start-at", "end-at", "emphasize-lines", "encoding", "dedent", "caption", "name", "class",
                     "prepend", "append", "pyobject", "tab-width", "force", "diff")
    }

    def run(self) -> list[nodes.Node]:
        node = literalinclude(path=self.arguments[0].strip(), language=self.options.get("language"))
        node.line = self.lineno
        return [node]


class RestStatusCodeDirective(Directive):
    """``.. rest_status_code:: success|error FILE`` and a list of ``- CODE`` or ``- CODE: reason`` lines."""

    required_arguments = 2
    has_content = True

    def run(self) -> list[nodes.Node]:
        kind, file = self.arguments
        if kind not in ("success", "error"):
            raise self.error(f"rest_status_code expects 'success' or 'error' before the file, got {kind!r}")
        items: list[StatusLine] = []
        for text, (_, offset) in zip(self.content, self.content.items, strict=True):
            stripped = text.strip()
            if not stripped or stripped.startswith("#"):
                continue
            line = offset + 1
            match = _STATUS_ITEM.match(stripped)
            if match is None:
                raise self.error(f"line {line}: expected '- CODE' or '- CODE: reason' in rest_status_code, "
                                 f"got {stripped!r}")
            items.append(StatusLine(int(match.group(1)), match.group(2), line))
        if not items:
            raise self.error("rest_status_code lists no status code")
        node = rest_status_code(kind=kind, file=file, items=items)
        node.line = self.lineno
        return [node]


class RestExpandAllDirective(Directive):
    def run(self) -> list[nodes.Node]:
        return [rest_expand_all()]


class ProseDirective(Directive):
    """A Sphinx directive whose content is prose or code: the content is kept as a container."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        name: directives.unchanged
        for name in ("language", "linenos", "caption", "name", "class", "maxdepth", "glob", "hidden",
                     "titlesonly", "emphasize-lines", "dedent", "force", "lineno-start", "sorted")
    }

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=[self.name])
        container.line = self.lineno
        if self.arguments and self.name in _VERSION_LABELS:
            # As Sphinx renders it: "New in version 2.78.", so the prose reader reads what a reader reads.
            version, _, said = self.arguments[0].partition(" ")
            container["version"] = version
            text = f"{_VERSION_LABELS[self.name]} {version}" + (f": {' '.join(said.split())}" if said.strip() else ".")
            paragraph = nodes.paragraph(text, text)
            paragraph.line = self.lineno
            container += paragraph
        if self.name in ("code-block", "sourcecode", "highlight", "toctree", "index"):
            container += nodes.literal_block("\n".join(self.content), "\n".join(self.content))
        elif self.content:
            self.state.nested_parse(self.content, self.content_offset, container)
        return [container]


_VERSION_LABELS = {"versionadded": "New in version", "versionchanged": "Changed in version",
                   "deprecated": "Deprecated since version"}
"""What Sphinx writes for the version directives, before their content."""


def _text_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
               options: dict[str, Any] | None = None, content: list[str] | None = None,
               ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """A Sphinx cross-reference role: keep the visible text (``title <target>`` -> ``title``)."""
    shown = text.split(" <", 1)[0] if text.endswith(">") and " <" in text else text
    return [nodes.inline(rawtext, shown.lstrip("~!"))], []


_SPHINX_DIRECTIVES = ("versionadded", "versionchanged", "deprecated", "code-block", "sourcecode", "highlight",
                      "toctree", "only", "seealso", "glossary", "index", "tabularcolumns", "centered", "hlist",
                      "productionlist", "todo")
_SPHINX_ROLES = ("ref", "doc", "term", "download", "numref", "keyword", "option", "envvar", "token", "abbr",
                 "command", "dfn", "file", "guilabel", "kbd", "mailheader", "makevar", "manpage", "menuselection",
                 "mimetype", "newsgroup", "program", "regexp", "samp", "pep", "rfc", "class", "func", "meth",
                 "mod", "attr", "obj", "exc", "data", "const", "py:class", "py:func", "py:meth", "py:mod",
                 "py:attr", "py:obj", "py:exc", "py:data", "py:const", "any", "nova-doc", "neutron-doc",
                 "cinder-doc", "glance-doc", "keystone-doc", "placement-doc", "api-guide", "oslo.config:option",
                 "oslo.config:group")


def _register() -> None:
    directives.register_directive("rest_method", RestMethodDirective)
    directives.register_directive("rest_parameters", RestParametersDirective)
    directives.register_directive("rest_status_code", RestStatusCodeDirective)
    directives.register_directive("rest_expand_all", RestExpandAllDirective)
    directives.register_directive("literalinclude", LiteralIncludeDirective)
    for name in _SPHINX_DIRECTIVES:
        directives.register_directive(name, ProseDirective)
    for name in _SPHINX_ROLES:
        roles.register_local_role(name, _text_role)  # type: ignore[arg-type]  # docutils' stubs want reference nodes


_register()

_SETTINGS: Any = None
_CONTENT_LINE = re.compile(r"^line (\d+): (.*)$", re.S)


def _settings() -> Any:
    global _SETTINGS
    if _SETTINGS is None:
        _SETTINGS = docutils.frontend.get_default_settings(rst.Parser)
        _SETTINGS.report_level = 5  # we collect messages ourselves; nothing goes to stderr
        _SETTINGS.halt_level = 5
        _SETTINGS.file_insertion_enabled = False
        _SETTINGS.raw_enabled = False
        _SETTINGS.character_level_inline_markup = False
    return _SETTINGS


def parse_rst(text: str, path: str, original_line: Callable[[int], int] | None = None) -> nodes.document:
    """Parse reStructuredText with the os-api-ref directives into a doctree.

    ``path`` names the file in error messages, and ``original_line`` maps a
    line of ``text`` to the user's file when ``text`` was restored. Raises :class:`RSTError` at
    the first docutils error (level ERROR or SEVERE), e.g. an unknown
    directive or a malformed rest_parameters line; warnings are tolerated.

    >>> doc = parse_rst(".. rest_method:: GET /servers\\n", "servers.inc")
    >>> doc.next_node(rest_method)["path"]
    '/servers'
    """
    document = docutils.utils.new_document(path, _settings())
    problems: list[nodes.system_message] = []

    def observe(message: nodes.system_message) -> None:
        if message["level"] >= docutils.utils.Reporter.ERROR_LEVEL:
            problems.append(message)

    document.reporter.attach_observer(observe)
    rst.Parser().parse(text, document)
    if problems:
        first = problems[0]
        detail = first.children[0].astext() if first.children else first.astext()
        line = first.get("line")
        # A directive names the line of its own content that is wrong ("line 32: expected '- name: key'");
        # docutils would point at the directive's first line.
        within = _CONTENT_LINE.match(detail)
        if within is not None:
            line, detail = int(within.group(1)), within.group(2)
        if line is not None and original_line is not None:
            line = original_line(line)
        raise RSTError(f"malformed reStructuredText: {detail}", path, line)
    return document
