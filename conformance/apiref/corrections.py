"""Errata applied: the compiled elements an erratum names, corrected and marked with its id.

A name is corrected as the parameters are read (:func:`rename`, called by the resolver before the body is
nested, so that the samples place the parameter under its true name), and so is a line the list omits
(:func:`listed`); everything else on the compiled model (:func:`apply`). An erratum that names no element,
whose elements are no longer at the line it names, or that changes nothing is applied nowhere: an
``erratum-stale`` defect. Each applied one is an ``erratum`` defect at the line it corrects, so
``conformance lint`` lists both. The format is :mod:`conformance.apiref.errata`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from conformance.apiref.bodytree import JSON_KINDS
from conformance.apiref.directives import ParameterLine
from conformance.apiref.errata import Correction
from conformance.apiref.samples import sample_in_range
from conformance.model import (
    ApiRef,
    Defect,
    Erratum,
    Field,
    Microversion,
    MicroversionRange,
    Operation,
    Parameter,
    Sample,
    Source,
)

__all__ = ["apply", "listed", "rename"]


@dataclass
class _Tally:
    """What applying one correction met: elements named, those at the erratum's line, those it changed."""

    named: int = 0
    at_line: int = 0
    changed: int = 0


def listed(lines: Sequence[ParameterLine], file: str, method: str, path: str, side: str,
           corrections: list[Correction]) -> list[ParameterLine]:
    """The ``- name: key`` lines of one side of an operation, with the lines a ``listed`` erratum says it omits.

    The omitted line goes right after the line of the erratum's ``after`` key, which must be at the erratum's
    api-ref line (else the erratum no longer fits: stale); a key the list already has is not added twice.
    """
    amended = list(lines)
    for correction in corrections:
        after = correction.changes.get("after")
        if after is None or correction.side != side or correction.key is None:
            continue
        if not any(m == method and p == path for m, p, _ in correction.operations):
            continue
        if correction.erratum.source.path != file or any(line.key == correction.key for line in amended):
            continue
        for index, line in enumerate(amended):
            if line.key == after and line.line == correction.erratum.source.line:
                name = correction.field_path[-1] if correction.field_path else correction.key
                amended.insert(index + 1, replace(line, name=name, key=correction.key))
                break
    return amended


def rename(parameters: list[Parameter], method: str, path: str, corrections: list[Correction]) -> list[Parameter]:
    """The listed parameters of the operation (``method``, ``path``), those an erratum renames renamed.

    Renaming comes before nesting, so that the samples place the parameter under its true name
    (``hypervisor_links`` listed where the body has ``hypervisors_links``, at its root).
    """
    renamed = list(parameters)
    for correction in corrections:
        if "name" not in correction.changes:
            continue
        if correction.operations and not any(m == method and p == path for m, p, _ in correction.operations):
            continue
        for index, parameter in enumerate(renamed):
            if parameter.key == correction.key and correction.erratum.source in (parameter.source,
                                                                                 parameter.definition):
                renamed[index] = replace(parameter, name=correction.changes["name"],
                                         errata=(*parameter.errata, correction.erratum.id))
    for correction in corrections:  # the lines listed() added: marked with their erratum
        if "after" not in correction.changes:
            continue
        if not any(m == method and p == path for m, p, _ in correction.operations):
            continue
        for index, parameter in enumerate(renamed):
            if (parameter.key == correction.key and parameter.source == correction.erratum.source
                    and correction.erratum.id not in parameter.errata):
                renamed[index] = replace(parameter, errata=(*parameter.errata, correction.erratum.id))
    return renamed


def apply(apiref: ApiRef, corrections: list[Correction], repository: Path | None = None) -> ApiRef:
    """``apiref`` with every correction applied; the errata recorded, applied ones and stale ones as defects.

    A correction that names no element, whose elements are no longer at the line it names, or that
    changes nothing is applied nowhere: an ``erratum-stale`` defect says which. With ``repository`` (the
    api-ref's repository root), a sample named as evidence must be there (``erratum-evidence-missing``).
    """
    operations = list(apiref.operations)
    common = list(apiref.common_response_parameters)
    defects = list(apiref.defects)
    applied: list[Erratum] = []
    for correction in corrections:
        erratum = correction.erratum
        tally = _Tally()
        if "name" in correction.changes or "after" in correction.changes:  # applied as the parameters were read
            tally.named = tally.at_line = tally.changed = sum(
                erratum.id in p.errata for op in operations
                for p in (*(p for p in (*op.parameters, *op.response_parameters) if p.location != "body"),
                          *_walk(op.request_body), *_walk(op.response_body)))
            corrected, headers = operations, common
        else:
            corrected = [_operation(op, correction, tally) if _selects(op, correction) else op for op in operations]
            headers = [_parameter(p, correction, tally) for p in common] if erratum.kind == "header" else common
        stale = _staleness(tally)
        if stale is not None:
            defects.append(Defect("erratum-stale", f"erratum {erratum.id} ({erratum.entry}) {stale}; it is "
                                  "applied nowhere: review it against this api-ref", erratum.source))
            continue
        operations, common = corrected, headers
        applied.append(replace(erratum, elements=tally.changed))
        kind, _, what = erratum.evidence.partition(" ")
        named = what.split()[0] if what else ""
        if kind == "sample" and repository is not None and not (repository / named).is_file():
            defects.append(Defect("erratum-evidence-missing", f"erratum {erratum.id} ({erratum.entry}) names the "
                                  f"sample {named}, which the release does not have", erratum.source))
        defects.append(Defect("erratum", f"{erratum.id} ({erratum.kind}) corrects {tally.changed} element(s): "
                              f"{erratum.truth} [{erratum.evidence}]", erratum.source))
    # What the nesting found wrong with a sample before the errata, and an erratum now corrects, is settled.
    if applied:
        by_line: dict[Source, list[tuple[Operation, Sample]]] = {}
        for operation in operations:
            for sample in operation.samples:
                by_line.setdefault(sample.source, []).append((operation, sample))
        defects = [d for d in defects if not (d.code in _MOOT and _settled(d, by_line.get(d.source, [])))]
    return replace(apiref, operations=tuple(operations), common_response_parameters=tuple(common),
                   defects=tuple(defects), errata=tuple(applied))


_MOOT = frozenset({"sample-null-not-nullable", "sample-type-mismatch", "parameter-not-in-sample"})
_KIND = re.compile(r"is a JSON (\w+)")


def _settled(defect: Defect, shown: list[tuple[Operation, Sample]]) -> bool:
    """Whether an erratum corrected the field a sample defect is about, so that the sample agrees now.

    ``shown`` are the samples at the defect's line, with their operations.
    """
    named = re.search(r"`([^`]+)`", defect.message)
    if named is None:
        return False
    path = tuple(named.group(1).split("."))
    for operation, sample in shown:
        found = [f for f in _at(operation.request_body if sample.is_request else operation.response_body, path)
                 if sample_in_range(sample, f.parameter.versions)]
        if not found or not all(f.parameter.errata for f in found):
            continue
        if defect.code == "sample-null-not-nullable":
            return all(f.parameter.nullable for f in found)
        if defect.code == "sample-type-mismatch":
            kind = _KIND.search(defect.message)
            return kind is not None and all(
                kind.group(1) in {k for part in f.parameter.type.split("|") for k in JSON_KINDS.get(part, ())}
                for f in found)
        return all(not f.parameter.required or f.parameter.empty for f in found)
    return False


def _at(fields: tuple[Field, ...], path: tuple[str, ...]) -> list[Field]:
    """The fields (alternatives included) at a dotted path of a body tree."""
    level, found = list(fields), []
    for depth, name in enumerate(path):
        here = [f for f in level if f.name == name]
        if depth == len(path) - 1:
            found = here
        level = [child for f in here for child in f.children]
    return found


def _staleness(tally: _Tally) -> str | None:
    if tally.named == 0:
        return "names no element of the api-ref (was it moved or removed?)"
    if tally.at_line == 0:
        return "names elements none of which is at the line it gives (the api-ref moved)"
    if tally.changed == 0:
        return "changes nothing: the api-ref already says what is true"
    return None


def _selects(operation: Operation, correction: Correction) -> bool:
    if not correction.operations:
        return True
    return any(operation.method == method and operation.path == path and (action is None or operation.action == action)
               for method, path, action in correction.operations)


def _operation(operation: Operation, correction: Correction, tally: _Tally) -> Operation:
    if correction.erratum.kind == "header":
        return operation
    if correction.on_operation and correction.erratum.kind == "precondition":
        tally.named += 1
        kept = tuple(rule for rule in operation.preconditions if rule.sentence.source != correction.erratum.source)
        if len(kept) == len(operation.preconditions):
            return operation  # no precondition's sentence at the erratum's line
        tally.at_line += 1
        tally.changed += 1
        return replace(operation, preconditions=kept, errata=(*operation.errata, correction.erratum.id))
    if correction.on_operation and correction.erratum.kind == "nullable":
        tally.named += 1
        if operation.source != correction.erratum.source:
            return operation  # a body nullable as a whole is named by its operation's rest_method line
        tally.at_line += 1
        if operation.body_nullable:
            return operation
        tally.changed += 1
        return replace(operation, body_nullable=True, errata=(*operation.errata, correction.erratum.id))
    if correction.on_operation:
        tally.named += 1
        if operation.source.path != correction.erratum.source.path:
            return operation  # the erratum's line is in another file: not this operation's
        tally.at_line += 1
        changes = correction.changes
        versions = _versions(operation.versions, changes)
        removed = changes.get("removed", operation.removed)
        if versions == operation.versions and removed == operation.removed:
            return operation
        tally.changed += 1
        return replace(operation, versions=versions, removed=removed,
                       errata=(*operation.errata, correction.erratum.id))
    if correction.key is not None and not any(p.key == correction.key
                                              for p in (*operation.parameters, *operation.response_parameters)):
        return operation  # the flat lists hold every key the operation lists, body ones included
    request = correction.side == "request"
    parameters = tuple(q for p in operation.parameters
                       for q in (_split(p, _parameter(p, correction, tally), correction)
                                 if request and p.location != "body" else (p,)))
    responses = tuple(q for p in operation.response_parameters
                      for q in (_split(p, _parameter(p, correction, tally), correction)
                                if not request and p.location != "body" else (p,)))
    request_body = _fields(operation.request_body, (), correction, tally) if request else operation.request_body
    response_body = operation.response_body if request else _fields(operation.response_body, (), correction, tally)
    # The flat lists carry the body parameters too (as listed, dotted names kept): keep them in step.
    tree = {p.source: p for p in _walk(request_body if request else response_body) if p.errata}

    def flat(p: Parameter) -> Parameter:
        found = tree.get(p.source) if p.location == "body" else None
        return replace(found, name=p.name) if found is not None else p

    if request:
        parameters = tuple(flat(p) for p in parameters)
    else:
        responses = tuple(flat(p) for p in responses)
    if (parameters, responses, request_body, response_body) == (operation.parameters, operation.response_parameters,
                                                                 operation.request_body, operation.response_body):
        return operation
    return replace(operation, parameters=parameters, response_parameters=responses, request_body=request_body,
                   response_body=response_body)


def _walk(fields: tuple[Field, ...]) -> list[Parameter]:
    found: list[Parameter] = []
    for item in fields:
        found.append(item.parameter)
        found.extend(_walk(item.children))
    return found


def _split(written: Parameter, corrected: Parameter, correction: Correction) -> tuple[Parameter, ...]:
    """A path, query or header parameter corrected up to `until` (or from `since`) only: two parameters, the
    corrected one over those versions and the one the api-ref writes over the others."""
    until, since = correction.changes.get("until"), correction.changes.get("since")
    if corrected is written or (until is None and since is None):
        return (corrected,)
    split = until.next() if until is not None else since
    assert isinstance(split, Microversion)
    older = written.versions.intersect(MicroversionRange(None, split.previous()))
    newer = written.versions.intersect(MicroversionRange(split, None))
    corrected_part, written_part = (older, newer) if until is not None else (newer, older)
    return tuple(replace(base, versions=versions) for versions, base in sorted(
        ((corrected_part, corrected), (written_part, written)), key=lambda pair: (pair[0].min is not None,
                                                                                  pair[0].min or split))
        if not versions.empty)


def _fields(fields: tuple[Field, ...], path: tuple[str, ...], correction: Correction,
            tally: _Tally) -> tuple[Field, ...]:
    result = []
    changed = False
    for item in fields:
        here = (*path, item.name)
        children = _fields(item.children, here, correction, tally)
        parameter = _parameter(item.parameter, correction, tally, path=here)
        if children is item.children and parameter is item.parameter:
            result.append(item)
            continue
        changed = True
        # The correction holds up to `until` (or from `since`); elsewhere the field is as the api-ref writes it.
        result.extend(replace(item, parameter=part, children=children)
                      for part in _split(item.parameter, parameter, correction))
    return tuple(result) if changed else fields


def _parameter(parameter: Parameter, correction: Correction, tally: _Tally,
               path: tuple[str, ...] | None = None) -> Parameter:
    """The parameter corrected, when the correction names it (by key, body path, or name and location)."""
    if correction.key is not None and parameter.key != correction.key:
        return parameter
    if correction.field_path is not None and path != correction.field_path:
        return parameter
    if correction.parameter is not None and (parameter.location == "body" or parameter.name != correction.parameter):
        return parameter
    tally.named += 1
    where = correction.erratum.source
    if where not in (parameter.source, parameter.definition):
        return parameter
    tally.at_line += 1
    changes = correction.changes
    updated = replace(
        parameter,
        nullable=changes.get("nullable", parameter.nullable),
        type=changes.get("type", parameter.type),
        required=changes.get("required", parameter.required),
        empty=changes.get("empty", parameter.empty),
        open=changes.get("open", parameter.open),
        name=changes.get("name", parameter.name),
        versions=_versions(parameter.versions, changes),
        omitted_by=tuple(dict.fromkeys((*parameter.omitted_by, *changes.get("omitted_by", ())))),
    )
    if updated == parameter:
        return parameter
    tally.changed += 1
    return replace(updated, errata=(*parameter.errata, correction.erratum.id))


def _versions(versions: MicroversionRange, changes: dict[str, Any]) -> MicroversionRange:
    return MicroversionRange(changes.get("min_version", versions.min) if "min_version" in changes else versions.min,
                             changes.get("max_version") if "max_version" in changes else versions.max)
