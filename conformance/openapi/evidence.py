"""Samples as evidence: every response sample validated against its operation's projection at its version.

The api-ref's samples are what its authors saw a real service answer. Each
JSON response sample is validated (JSON Schema 2020-12) against the schema
the contract gives that operation's success response at the sample's
microversion (its path's, else its heading's, else the operation's first);
where they disagree, the sample or the parameter list is wrong, and the
defect names both: the sample's ``literalinclude`` line is the defect's
source, the parameter's ``.inc`` line is in the message.

The compiler's own sample checks (:mod:`conformance.apiref.nesting`) already
report undocumented keys, type contradictions and missing required keys of
the sample that first shows them; what they report is not reported twice.
Nothing here raises: a schema that cannot be used is itself a defect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from conformance.apiref.samples import json_kind
from conformance.model import ApiRef, Defect, Microversion, Operation, Sample
from conformance.openapi.schema import DATE_TIME_PATTERN, request_schema, response_schema, view_of

__all__ = ["check_sample", "sample_defects"]

CODE = "sample-contradicts-schema"
"""The code of a disagreement between a response sample and its operation's projected schema."""

_REPORTED = frozenset({"undocumented-sample-field", "sample-type-mismatch", "sample-null-not-nullable",
                       "parameter-not-in-sample"})
_MOST = 5
"""The disagreements reported per sample; the rest are counted in one more defect."""
_UNEXPECTED = re.compile(r"\('([^']+)' (?:was|were) unexpected\)")


def sample_defects(apiref: ApiRef) -> list[Defect]:
    """The disagreements between every sample of ``apiref`` and its operation's projection.

    A response sample is validated against the operation's success response at its version, a request
    sample against the request body; a sample at a version the operation does not serve is a
    ``sample-outside-range`` defect.

    Example: a sample showing ``"created_at": "2017-09-12 19:35:38"`` for a field documented as an
    ISO 8601 time stamp gives ``agents.inc:77: sample-contradicts-schema: `agents.created_at`
    '2017-09-12 19:35:38' is not an ISO 8601 date and time (YYYY-MM-DDThh:mm:ss) (documented at
    agents.inc:65) in samples/agents/agents-list-response.json``: the sample's line first, the
    parameter's in the message.
    """
    reported = {(d.source, match) for d in apiref.defects if d.code in _REPORTED
                for match in re.findall(r"`([^`]+)`", d.message)[:1]}
    fault = apiref.info.fault.shape if apiref.info.fault else "undocumented"
    found: list[Defect] = []
    for operation in apiref.operations:
        for sample in operation.samples:
            if not isinstance(sample.body, (dict, list)):
                continue
            found.extend(d for d in check_sample(apiref, operation, sample, fault)
                         if (d.source, _field(d)) not in reported)
    return found


def _field(defect: Defect) -> str:
    match = re.search(r"`([^`]+)`", defect.message)
    return match.group(1) if match else ""


def _version(apiref: ApiRef, operation: Operation, sample: Sample) -> Microversion | None:
    if apiref.protocol is None:
        return None
    return sample.microversion or operation.versions.min or apiref.versions.min or Microversion(1, 0)


def check_sample(apiref: ApiRef, operation: Operation, sample: Sample, fault: str, note: str = "",
                 ) -> Iterator[Defect]:
    """The disagreements between one sample and the projection of ``operation`` at the sample's version.

    ``note`` ends each message (how a sample the api-ref does not include was matched to the operation).
    """
    version = _version(apiref, operation, sample)
    view = view_of(version)
    at = f" at {version}" if version is not None else ""
    if version is not None and version not in operation.versions:  # a removed operation keeps its documented body
        yield Defect("sample-outside-range", f"{sample.path} shows {operation.method} {operation.path}{at}, a "
                     f"version the operation is not documented for ({operation.versions}){note}", sample.source)
        return
    documented = replace(operation, removed=False)
    if sample.is_request:
        schema = request_schema(documented, version)
    else:
        statuses = [c.status for c in operation.normal_codes if c.status != 204 and view.shows(c.versions)]
        schema = next((s for s in (response_schema(documented, status, version, fault) for status in statuses) if s),
                      None)
    if schema is None:
        return
    if sample.partial:
        yield Defect("sample-partial", f"{sample.path}{at} shows records the api-ref says lack keys (a part of the "
                     f"deployment that does not respond): its required fields are not checked{note}", sample.source)
    try:
        messages = dict.fromkeys(_describe(error, schema) for error in Draft202012Validator(schema).iter_errors(
            sample.body) if not (sample.partial and error.validator == "required"))
        for message in sorted(messages)[:_MOST]:
            yield Defect(CODE, f"{message} in {sample.path}{at}{note}", sample.source)
        if len(messages) > _MOST:
            yield Defect(CODE, f"{len(messages) - _MOST} more disagreements in {sample.path}{at}{note}", sample.source)
    except (SchemaError, RecursionError) as exc:  # never a crash: the schema itself is then the defect
        yield Defect("sample-not-validated", f"{sample.path}{at} could not be validated: {exc}{note}", sample.source)


def _describe(error: ValidationError, root: dict[str, Any]) -> str:
    """`field` and what is wrong with it, with the line documenting it: "`servers.id` 'x' is not of type ..."."""
    names = [str(part) for part in error.absolute_path if not isinstance(part, int)]
    where = _documented(root, list(error.absolute_schema_path))
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = re.match(r"'([^']+)'", error.message)
        name = missing.group(1) if missing else "?"
        schema = error.schema if isinstance(error.schema, dict) else {}
        documented = schema.get("properties", {}).get(name, {}).get("x-openstack-source")
        field = ".".join([*names, name])
        return f"required `{field}` is missing" + (f" (documented at {documented})" if documented else "")
    if error.validator == "additionalProperties":
        unexpected = _UNEXPECTED.search(error.message)
        keys = unexpected.group(1) if unexpected else "?"
        field = ".".join([*names, keys.split("', '")[0]])
        return f"`{field}` is not among the fields documented for this version" + (
            f" (the object is documented at {where})" if where else "")
    field = ".".join(names) or "the body"
    return f"`{field}` {_what(error)}" + (f" (documented at {where})" if where else "")


def _what(error: ValidationError) -> str:
    """What is wrong with a value, briefly: its JSON kind against the documented type, or the rule it breaks."""
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(
            error.validator_value)
        return f"is a JSON {json_kind(error.instance)}, documented as {expected}"
    if error.validator == "pattern" and error.validator_value == DATE_TIME_PATTERN:
        return f"{_short(repr(error.instance))} is not an ISO 8601 date and time (YYYY-MM-DDThh:mm:ss)"
    return _short(error.message)


def _documented(root: dict[str, Any], path: list[Any]) -> str | None:
    """The ``x-openstack-source`` of the deepest schema on ``path`` (from the root) that has one."""
    node: Any = root
    found = root.get("x-openstack-source")
    for part in path:
        if isinstance(node, dict):
            inside = part in node
        else:
            inside = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not inside:
            break
        node = node[part]
        if isinstance(node, dict) and "x-openstack-source" in node:
            found = node["x-openstack-source"]
    return str(found) if found else None


def _short(message: str) -> str:
    return message if len(message) <= 120 else message[:117] + "..."
