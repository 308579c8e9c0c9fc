"""OpenAPI operation objects built from the api-ref sections sharing a method and path.

Most keys have one section. The server actions share ``POST
/servers/{server_id}/action``: each section is a variant told apart by its
action (the request body's single key), and the variants become one OpenAPI
operation whose request body is a ``oneOf`` of theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from conformance.model import MicroversionRange, Operation, Parameter, ResponseCode, Sentence
from conformance.openapi.schema import (
    UNDOCUMENTED_BODY,
    View,
    body_schema,
    has_body,
    microversions,
    parameter_schema,
    undocumented_body,
)

__all__ = ["VERSION_HEADER_REF", "Conventions", "hull", "operation_object"]

Schema = dict[str, Any]

VERSION_HEADER_REF = "#/components/parameters/OpenStackAPIVersion"
"""Where both documents define the microversion request header (``OpenStack-API-Version``)."""


@dataclass(frozen=True)
class Conventions:
    """What every operation of a service's document shares: its microversion header and its error body."""

    header: bool = True
    """Whether the service has a microversion header (every operation then refers to it)."""
    fault: str = "ComputeFault"
    """The components/schemas name of the error body every error response refers to."""

_TEMPLATE = re.compile(r"{([^}/]+)}")


def hull(ranges: list[MicroversionRange]) -> MicroversionRange:
    """The smallest range holding all ``ranges`` (unbounded on a side if any is)."""
    lows = [r.min for r in ranges]
    highs = [r.max for r in ranges]
    low = None if not lows or None in lows else min(v for v in lows if v is not None)
    high = None if not highs or None in highs else max(v for v in highs if v is not None)
    return MicroversionRange(low, high)


def _covers(versions: MicroversionRange, context: MicroversionRange) -> bool:
    return versions.intersect(context) == context


def _described(parameter: Parameter) -> Schema:
    text = parameter.description.strip()
    return {"description": text} if text else {}


@dataclass
class _Listed:
    """A parameter as listed by some of the sections of one operation."""

    parameter: Parameter
    sections: list[Operation]
    context: MicroversionRange
    """The versions of the whole operation (every section in view)."""
    everywhere: bool = False
    """True when every section in view lists it."""

    @property
    def versions(self) -> MicroversionRange:
        """Where it exists: its own range, within the sections listing it.

        A parameter only one variant lists is gone when that variant is.
        """
        return hull([self.parameter.versions.intersect(s.versions) for s in self.sections])

    def required(self, view: View) -> bool:
        """Whether it must be sent (or, for a header, returned) whenever the operation is used."""
        # Not where it may be absent: in variants that do not list it, or (in
        # the full view) in the versions that lack it.
        if self.parameter.location == "path":
            return True
        if not (self.parameter.required and self.everywhere):
            return False
        return not view.full or _covers(self.versions, self.context)


def _provenance(target: Schema, view: View, listed: _Listed) -> Schema:
    """Record where a parameter comes from and, when narrower than its operation, when it exists."""
    target["x-openstack-source"] = str(listed.parameter.source)
    if listed.parameter.errata:
        target["x-openstack-erratum"] = list(listed.parameter.errata)
    if view.full:
        target["x-openstack-definition"] = str(listed.parameter.definition)
        ranges = microversions(listed.versions)
        if ranges is not None and listed.versions != listed.context:
            target["x-openstack-microversions"] = ranges
    return target


def _listings(sections: list[Operation], view: View, header: bool) -> dict[tuple[str, str], list[_Listed]]:
    """The path/query/header request parameters (or the response headers) by (name, location)."""
    context = hull([s.versions for s in sections])
    grouped: dict[tuple[str, str], list[_Listed]] = {}
    for section in sections:
        for parameter in section.response_parameters if header else section.parameters:
            wanted = parameter.location == "header" if header else parameter.location != "body"
            if not wanted or not view.shows(parameter.versions):
                continue
            options = grouped.setdefault((parameter.name, parameter.location), [])
            # Variants repeat the shared ones (server_id): one entry per key.
            same = [o for o in options if o.parameter.key == parameter.key]
            if same:
                same[0].sections.append(section)
            else:
                options.append(_Listed(parameter, [section], context))
    for options in grouped.values():
        for option in options:
            option.everywhere = len(option.sections) == len(sections)
    return grouped


def _parameter_object(options: list[_Listed], view: View) -> Schema:
    first = options[0]
    result: Schema = {"name": first.parameter.name, "in": first.parameter.location, **_described(first.parameter)}
    result["required"] = all(o.required(view) for o in options)
    if len(options) == 1:
        result["schema"] = parameter_schema(first.parameter)
        if view.full and first.parameter.required and not result["required"]:
            result["x-openstack-required"] = True
        return _provenance(result, view, first)
    # One name defined by several keys (a marker that became a UUID at 2.53):
    # the value may follow any of them; each alternative says when it applies.
    # No single line defines the parameter: each alternative names its own.
    result["schema"] = {"anyOf": [_provenance(parameter_schema(o.parameter), view, o) for o in options]}
    if view.full:
        versions = hull([o.versions for o in options])
        ranges = microversions(versions)
        if ranges is not None and versions != first.context:
            result["x-openstack-microversions"] = ranges
    return result


def _stray(sections: list[Operation]) -> list[Parameter]:
    """Path parameters the api-ref lists that the path template lacks (``tenant_id`` of GET /os-cells)."""
    template = set(_TEMPLATE.findall(sections[0].path))
    return [p for s in sections for p in s.parameters if p.location == "path" and p.name not in template]


def _parameters(sections: list[Operation], view: View, header: bool) -> list[Schema]:
    template = _TEMPLATE.findall(sections[0].path)
    grouped = _listings(sections, view, header=False)
    # OpenAPI forbids declaring a path parameter the template lacks; the full
    # view keeps such api-ref lines under x-openstack-stray-parameters.
    grouped = {key: options for key, options in grouped.items() if key[1] != "path" or key[0] in template}
    result = [_parameter_object(options, view) for options in grouped.values()]
    documented = {name for name, location in grouped if location == "path"}
    for name in template:
        if name not in documented:
            # OpenAPI requires every template variable to be declared; the
            # api-ref forgot this one, so declare it as an unconstrained string.
            missing: Schema = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            if view.full:
                missing["x-openstack-undocumented"] = True
            result.append(missing)
    if header:
        result.append({"$ref": VERSION_HEADER_REF})
    return result


def _variant_body(section: Operation, schema: Schema, view: View) -> Schema:
    schema = {"title": section.title, **schema}
    if view.full:
        if section.action is not None:
            schema["x-openstack-action"] = section.action
        ranges = microversions(section.versions)
        if ranges is not None:
            schema["x-openstack-microversions"] = ranges
    schema["x-openstack-source"] = str(section.source)
    return schema


def _alternatives(sections: list[Operation], schemas: list[Schema], view: View, grouped: bool) -> Schema:
    if not grouped:
        return schemas[0]
    labelled = [_variant_body(s, b, view) for s, b in zip(sections, schemas, strict=True)]
    if len(labelled) == 1:
        return labelled[0]
    actions = [s.action for s in sections]
    # oneOf needs exclusive alternatives: distinct actions, each required.
    exclusive = None not in actions and len(set(actions)) == len(actions)
    return {"oneOf" if exclusive else "anyOf": labelled}


def _request_body(sections: list[Operation], view: View, grouped: bool) -> Schema | None:
    with_body = [s for s in sections if has_body(s.request_body, view)]
    if not with_body:
        return None
    schemas = [body_schema(s, s.request_body, view, nullable=s.body_nullable) for s in with_body]
    required = len(with_body) == len(sections) and all("required" in schema or schema.get("type") == "array"
                                                       for schema in schemas)
    schema = _alternatives(with_body, schemas, view, grouped)
    return {"required": required, "content": {"application/json": {"schema": schema}}}


@dataclass
class _Outcome:
    """A status code as documented by one or more variants."""

    code: ResponseCode
    normal: bool
    sections: list[Operation] = field(default_factory=list)
    ranges: list[MicroversionRange] = field(default_factory=list)


def _outcomes(sections: list[Operation], view: View) -> list[_Outcome]:
    outcomes: dict[int, _Outcome] = {}
    for section in sections:
        for normal, codes in ((True, section.normal_codes), (False, section.error_codes)):
            for code in codes:
                if not view.shows(code.versions):
                    continue
                outcome = outcomes.setdefault(code.status, _Outcome(code, normal))
                outcome.normal = outcome.normal or normal
                outcome.sections.append(section)
                outcome.ranges.append(code.versions.intersect(section.versions))
    return [outcomes[status] for status in sorted(outcomes)]


def _reason(code: ResponseCode) -> str:
    if code.description:
        return code.description
    if code.name:
        return code.name
    try:
        return HTTPStatus(code.status).phrase
    except ValueError:
        return f"Status {code.status}"


def _headers(sections: list[Operation], view: View) -> Schema:
    headers: Schema = {}
    for (name, _), options in _listings(sections, view, header=True).items():
        # A response header has one schema: the first definition stands.
        listed = options[0]
        required = listed.required(view)
        header: Schema = {**_described(listed.parameter), "required": required}
        header["schema"] = parameter_schema(listed.parameter)
        if view.full and listed.parameter.required and not required:
            header["x-openstack-required"] = True
        headers[name] = _provenance(header, view, listed)
    return headers


def _responses(sections: list[Operation], view: View, grouped: bool, fault_name: str) -> Schema:
    responses: Schema = {}
    context = hull([s.versions for s in sections])
    for outcome in _outcomes(sections, view):
        response: Schema = {"description": _reason(outcome.code)}
        if outcome.normal:
            headers = _headers(outcome.sections, view)
            if headers:
                response["headers"] = headers
            with_body = [s for s in outcome.sections if has_body(s.response_body, view)]
            shown = [s for s in outcome.sections if undocumented_body(s, view)]
            if shown and not with_body and outcome.code.status != 204:
                response["content"] = {"application/json": {"schema": dict(UNDOCUMENTED_BODY)}}
            if with_body and outcome.code.status != 204:
                schemas = [body_schema(s, s.response_body, view) for s in with_body]
                schema = _alternatives(with_body, schemas, view, grouped)
                if "oneOf" in schema:
                    # Responses carry no action key: variants' bodies may overlap.
                    schema = {"anyOf": schema["oneOf"]}
                response["content"] = {"application/json": {"schema": schema}}
        else:
            fault = {"$ref": f"#/components/schemas/{fault_name}"}
            response["content"] = {"application/json": {"schema": fault}}
        response["x-openstack-source"] = str(outcome.code.source)
        ranges = microversions(hull(outcome.ranges))
        if view.full and ranges is not None and ranges != microversions(context):
            # A code only some variants (or versions) document exists only when they do.
            response["x-openstack-microversions"] = ranges
        responses[str(outcome.code.status)] = response
    return responses


def _undocumented_responses(view: View) -> Schema:
    """What an operation whose section lists no response code gets: OpenAPI needs at least one response."""
    response: Schema = {"description": "The api-ref documents no response code for this operation."}
    if view.full:
        response["x-openstack-undocumented"] = True
    return {"default": response}


def _sentences(sentences: tuple[Sentence, ...]) -> list[Schema]:
    return [{"text": s.text, "source": str(s.source)} for s in sentences]


def _conditions(section: Operation) -> Schema:
    """The full view's record of a section's preconditions, postconditions and notes."""
    result: Schema = {}
    rules = []
    for rule in section.preconditions:
        entry: Schema = {"subject": rule.subject, "attribute": rule.attribute, "allowed": list(rule.allowed)}
        if rule.negated:
            entry["negated"] = True
        if rule.condition is not None:
            entry["condition"] = rule.condition
        ranges = microversions(rule.versions)
        if ranges is not None:
            entry["microversions"] = ranges
        entry["source"] = str(rule.sentence.source)
        entry["text"] = rule.sentence.text
        rules.append(entry)
    for key, value in (
        ("x-openstack-preconditions", rules),
        ("x-openstack-precondition-text", _sentences(section.precondition_text)),
        ("x-openstack-postconditions", _sentences(section.postconditions)),
        ("x-openstack-notes", _sentences(section.notes)),
    ):
        if value:
            result[key] = value
    return result


def _variant_entry(section: Operation) -> Schema:
    entry: Schema = {"action": section.action, "summary": section.title}
    ranges = microversions(section.versions)
    if ranges is not None:
        entry["x-openstack-microversions"] = ranges
    entry["x-openstack-source"] = str(section.source)
    if section.errata:
        entry["x-openstack-erratum"] = list(section.errata)
    entry["responses"] = [str(c.status) for c in (*section.normal_codes, *section.error_codes)]
    if section.admin_only:
        entry["x-openstack-admin-only"] = True
    if section.deprecated or section.removed:
        entry["deprecated"] = True
    if section.removed:
        entry["x-openstack-removed"] = True
    entry.update(_conditions(section))
    return entry


def operation_object(sections: list[Operation], operation_id: str, view: View,
                     conventions: Conventions = Conventions()) -> Schema | None:
    """The OpenAPI operation for the sections sharing one (method, path), or None.

    ``sections`` are in document order; when there are several they are
    variants. In a projected view only the sections serving the version are
    kept, and None means that none does. Example: the list-migrations section
    gives ``{"tags": [...], "summary": "List Migrations", "operationId": ...,
    "parameters": [...], "responses": {"200": ...}, ...}``. Raises nothing.
    """
    grouped = len(sections) > 1
    shown = [s for s in sections if view.serves(s)]
    if not shown:
        return None
    first = shown[0]
    context = hull([s.versions for s in shown])
    result: Schema = {"tags": [first.group], "summary": first.group if grouped else first.title}
    if grouped:
        listing = "; ".join(f"{s.action}: {s.title}" if s.action else s.title for s in shown)
        result["description"] = f"One operation per action named by the request body's single key ({listing})."
    elif first.description:
        result["description"] = first.description
    result["operationId"] = operation_id
    if all(s.deprecated or s.removed for s in shown):
        result["deprecated"] = True
    result["parameters"] = _parameters(shown, view, conventions.header)
    request = _request_body(shown, view, grouped)
    if request is not None:
        result["requestBody"] = request
    result["responses"] = _responses(shown, view, grouped, conventions.fault) or _undocumented_responses(view)
    result["x-openstack-source"] = str(first.source)
    corrected = [e for s in shown for e in s.errata]
    if corrected:
        result["x-openstack-erratum"] = list(dict.fromkeys(corrected))
    if not view.full:
        return result
    ranges = microversions(context)
    if ranges is not None:
        result["x-openstack-microversions"] = ranges
    if all(s.admin_only for s in shown):
        result["x-openstack-admin-only"] = True
    if all(s.removed for s in shown):
        result["x-openstack-removed"] = True
    stray = _stray(shown)
    if stray:
        result["x-openstack-stray-parameters"] = [
            {"name": p.name, "in": p.location, "source": str(p.source), "definition": str(p.definition)}
            for p in stray
        ]
    if grouped:
        result["x-openstack-variants"] = [_variant_entry(s) for s in shown]
    else:
        if first.action is not None:
            result["x-openstack-action"] = first.action
        result.update(_conditions(first))
    return result
