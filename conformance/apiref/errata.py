"""Errata: reviewed corrections of api-ref defects, applied to the compiled elements they name.

A service's errata live in ``conformance/errata/<service>.yaml`` and hold for the release the file names
(``release: nova==34.0.0``); another release, or a local api-ref, is compiled as written. An entry::

    - id: E-0002
      kind: nullable
      key: migrate_dest_host                    # which elements: a parameters file key ...
      operation: GET /os-migrations             # ... in these operations (one, a list, or every one)
      field: migrations.dest_host               # ... a body field's dotted path (the response's unless
      side: response                            #     side is request) ...
      parameter: marker                         # ... or a path, query or header parameter's name
      api-ref: parameters.yaml:4816             # the line that is wrong
      says: a string; the description never says null
      truth: null until the destination compute reports its address
      correct: {nullable: true}                 # nullable, type, required, empty, open (an object that takes
                                                # fields it does not list), name, min_version, max_version,
                                                # removed (of an operation), omitted_by (a common header),
                                                # until / since (the correction holds up to / from that
                                                # version only; the field is split there), after (kind
                                                # listed: the list omits the key; it goes after this key's
                                                # line, the api-ref line, and the samples nest it;
                                                # field: its wire name when not the key)
      evidence: source nova/objects/migration.py:48   # or: sample doc/api_samples/...json, live GET ... -> ...
      reviewed: 2026-12-02

Without ``key``, ``field`` and ``parameter`` the entry corrects the operations themselves (their range,
whether they were removed; kind ``precondition`` with ``correct: {removed: true}`` drops the precondition
whose sentence is at the api-ref line, one the service does not hold; kind ``nullable`` with ``side:
request``, at the operation's ``rest_method`` line, lets the whole request body be null). Each corrected
element records the erratum's id (``Parameter.errata``, ``Operation.errata``). An erratum that no longer fits
the api-ref (it names no element, the element is no longer at the line it names, or the element already says
what is true) is applied nowhere and reported as an ``erratum-stale`` defect; every applied one is listed as
an ``erratum`` defect at the api-ref line it corrects, so ``conformance lint`` shows both (see
:mod:`conformance.apiref.corrections`, which applies them)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

try:  # libyaml is ten times faster; fall back when PyYAML was built without it
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

from conformance.errors import InputError, VersionError
from conformance.model import (
    Erratum,
    Microversion,
    Source,
)

__all__ = ["Correction", "load", "parse"]

KINDS = ("nullable", "type", "required", "name", "versions", "served", "header", "listed", "precondition")
"""What an erratum may correct."""
CHANGES = ("nullable", "type", "required", "empty", "open", "name", "min_version", "max_version", "removed",
           "omitted_by", "until", "since", "after")
"""The keys of ``correct``."""
EVIDENCE = ("sample", "source", "live")
"""The kinds of evidence, the first word of ``evidence``."""
_REQUIRED = ("id", "kind", "api-ref", "says", "truth", "correct", "evidence", "reviewed")
_KNOWN = frozenset(_REQUIRED) | {"key", "operation", "field", "side", "parameter"}
_OPERATION = re.compile(r"^([A-Z]+) (/\S*)(?: \(([^)]+)\))?$")
_WHERE = re.compile(r"^(\S+):(\d+)$")


@dataclass(frozen=True)
class Correction:
    """One erratum as the compiler applies it: which elements, and what to change in them."""

    erratum: Erratum
    """The erratum (its id, line, words and evidence)."""
    operations: tuple[tuple[str, str, str | None], ...] = ()
    """The (method, path, action) it is limited to; empty for every operation."""
    key: str | None = None
    """A parameters file key: every element listing it."""
    field_path: tuple[str, ...] | None = None
    """A body field's names from the body down (``("migrations", "dest_host")``)."""
    side: str = "response"
    """Which body ``field_path`` and ``key`` are looked for in: ``response`` or ``request``."""
    parameter: str | None = None
    """A path, query or header parameter's name."""
    changes: dict[str, Any] = field(default_factory=dict)
    """What to set: ``{"nullable": True}``, ``{"max_version": Microversion(2, 35), "removed": False}``."""

    @property
    def on_operation(self) -> bool:
        """Whether it corrects operations rather than their elements."""
        return self.key is None and self.field_path is None and self.parameter is None and self.erratum.kind != "header"


def load(service: str, origin: str) -> list[Correction]:
    """The errata shipped for ``service`` that hold for ``origin`` (``nova==34.0.0``); none for other releases.

    Raises :class:`InputError` naming the file and line of a malformed entry.
    """
    shipped = resources.files("conformance.errata").joinpath(f"{service}.yaml")
    if not shipped.is_file():
        return []
    return parse(shipped.read_text(encoding="utf-8"), f"conformance/errata/{service}.yaml", origin)


def parse(text: str, name: str, origin: str | None = None) -> list[Correction]:
    """The corrections of an errata file's text (``name`` in messages); none when its release is not ``origin``.

    ``origin`` None reads the file whatever release it names.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a safe loader: libyaml's when there
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(f"invalid YAML: {exc.problem}", name, mark.line + 1 if mark else None) from None
    if root is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("errata", []), list) or "release" not in data:
        raise InputError("expected a mapping with 'release' and an 'errata' list", name, 1)
    if origin is not None and str(data["release"]) != origin:
        return []
    nodes: list[Any] = next((value.value for key, value in root.value if key.value == "errata"), [])
    corrections: list[Correction] = []
    seen: set[str] = set()
    for entry, node in zip(data.get("errata") or [], nodes, strict=True):
        line = node.start_mark.line + 1
        correction = _entry(entry, Source(name, line))
        if correction.erratum.id in seen:
            raise InputError(f"duplicate erratum id {correction.erratum.id}", name, line)
        seen.add(correction.erratum.id)
        corrections.append(correction)
    return corrections


def _entry(entry: Any, where: Source) -> Correction:
    def fail(message: str) -> InputError:
        named = f"erratum {entry['id']}" if isinstance(entry, dict) and entry.get("id") else "erratum"
        return InputError(f"{named}: {message}", where.path, where.line)

    if not isinstance(entry, dict):
        raise fail("must be a mapping")
    missing = [key for key in _REQUIRED if entry.get(key) in (None, "", {})]
    if missing:
        raise fail(f"lacks {', '.join(missing)}")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r}")
    if entry["kind"] not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)}, not {entry['kind']!r}")
    located = _WHERE.match(str(entry["api-ref"]))
    if located is None:
        raise fail(f"api-ref must be FILE:LINE, not {entry['api-ref']!r}")
    evidence = " ".join(str(entry["evidence"]).split())
    if evidence.split(" ", 1)[0] not in EVIDENCE or " " not in evidence:
        raise fail(f"evidence must start with one of {', '.join(EVIDENCE)} and say what, not {evidence!r}")
    if entry.get("side", "response") not in ("response", "request"):
        raise fail("side must be response or request")
    operations = entry.get("operation")
    listed = operations if isinstance(operations, list) else [operations] if operations else []
    parsed_operations = []
    for text in listed:
        match = _OPERATION.match(str(text))
        if match is None:
            raise fail(f"operation must be 'METHOD /path' or 'METHOD /path (action)', not {text!r}")
        parsed_operations.append((match.group(1), match.group(2), match.group(3)))
    changes = _changes(entry["correct"], fail)
    erratum = Erratum(id=str(entry["id"]), kind=str(entry["kind"]), source=Source(located.group(1),
                      int(located.group(2))), says=" ".join(str(entry["says"]).split()),
                      truth=" ".join(str(entry["truth"]).split()), evidence=evidence, entry=where)
    correction = Correction(erratum, tuple(parsed_operations), entry.get("key"),
                            tuple(str(entry["field"]).split(".")) if entry.get("field") else None,
                            str(entry.get("side", "response")), entry.get("parameter"), changes)
    if correction.on_operation and not parsed_operations:
        raise fail("an erratum of operations names them (operation:) or an element (key:, field:, parameter:)")
    if "name" in changes and (set(changes) != {"name"} or correction.key is None or correction.field_path):
        raise fail("a name is corrected alone, by key (and operation): the compiler renames the parameter "
                   "before it nests the body, so the samples place it")
    if (correction.erratum.kind == "listed") != ("after" in changes):
        raise fail("a parameter the list omits is a `listed` erratum: correct: {after: KEY}, the listed key it "
                   "follows")
    if "after" in changes and (set(changes) != {"after"} or correction.key is None or not parsed_operations
                               or (correction.field_path is not None and len(correction.field_path) != 1)
                               or correction.parameter):
        raise fail("a listed erratum names the operation and the parameters file key it omits (key:; field: its "
                   "name on the wire when it is not the key), and correct: {after: KEY}, the key of the listed "
                   "line it follows (at the api-ref line)")
    if correction.erratum.kind == "precondition" and (not correction.on_operation or changes != {"removed": True}):
        raise fail("a precondition the service does not hold is corrected on its operations (operation:, no key, "
                   "field or parameter) with correct: {removed: true}; api-ref: the line of its sentence")
    if correction.on_operation and correction.erratum.kind == "nullable" and (
            correction.side != "request" or changes != {"nullable": True}):
        raise fail("an erratum of operations corrects nullability only of their request body as a whole: side: "
                   "request, correct: {nullable: true}")
    return correction


def _changes(raw: Any, fail: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or not raw:
        raise fail("correct must be a mapping such as {nullable: true}")
    changes: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in CHANGES:
            raise fail(f"cannot correct {name!r}; one of {', '.join(CHANGES)}")
        if name in ("nullable", "required", "removed", "empty", "open"):
            if not isinstance(value, bool):
                raise fail(f"{name} must be true or false")
            changes[name] = value
        elif name in ("min_version", "max_version", "until", "since"):
            if isinstance(value, float):
                raise fail(f"write {name} in quotes ('{value}'): YAML reads 2.10 as 2.1")
            try:
                changes[name] = None if value is None else Microversion.parse(str(value))
            except VersionError as exc:
                raise fail(str(exc)) from None
        elif name == "omitted_by":
            items = value if isinstance(value, list) else [value]
            pairs = [_OPERATION.match(str(item)) for item in items]
            if not all(pairs):
                raise fail("omitted_by lists operations as 'METHOD /path'")
            changes[name] = tuple((m.group(1), m.group(2)) for m in pairs if m is not None)
        else:
            changes[name] = str(value)
    return changes
