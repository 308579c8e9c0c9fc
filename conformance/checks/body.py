"""Response bodies: the fields, types and formats the api-ref documents for the requested microversion.

The schema is the projection of the operation's response at the requested
microversion (:func:`conformance.openapi.response_schema`): exactly the fields
of that version, required as documented, ``additionalProperties: false`` where
the api-ref lists an object completely. Each kind of disagreement is its own
check, so a report can say "a field from a later microversion leaked" rather
than "schema invalid".
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import jsonschema

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.model import Field
from conformance.openapi import response_schema
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["body_errors", "body_is_json", "body_matches_schema", "date_times_are_iso8601", "documented_schema",
           "field_types_match", "no_later_microversion_fields", "no_undocumented_fields", "required_fields_present"]

_CACHE_KEY = "_body_errors"

_SPECIFIC = frozenset({"required", "type", "const", "enum", "pattern", "additionalProperties"})
"""The jsonschema validators whose errors a specific check reports: required (CV-0201), additionalProperties
(CV-0202 for a documented field of another version, CV-0203 for an undocumented one), type/const/enum
(CV-0204), pattern (CV-0205). Every other error is CV-0200's."""


def documented_schema(ctx: CheckContext, exchange: Exchange) -> dict[str, Any] | None:
    """The schema the body must match: the projection at the requested version of a success the test expects.

    None when the answer is not such a success or the api-ref documents no body for it. A request
    sent without a version (``GET /``) is checked against every documented element.
    """
    status = exchange.response.status
    if not (200 <= status < 300 and status in ctx.expected.statuses):
        return None
    return response_schema(ctx.operation, status, ctx.microversion)


def body_errors(ctx: CheckContext, exchange: Exchange) -> list[jsonschema.ValidationError]:
    """Every way the body departs from the projected schema (computed once per exchange and expectation)."""
    asked = (ctx.microversion, ctx.expected.statuses)
    cached = ctx.extra.get(_CACHE_KEY)
    if cached is not None and cached[0] is exchange and cached[1] == asked:
        return list(cached[2])
    errors: list[jsonschema.ValidationError] = []
    schema = documented_schema(ctx, exchange)
    body = exchange.response.json_or_none()
    if schema is not None and body is not None:
        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
    ctx.extra[_CACHE_KEY] = (exchange, asked, errors)
    return errors


def _where(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the body"


def _field(fields: tuple[Field, ...], path: Sequence[Any]) -> Field | None:
    """The Field at a JSON path (array indexes skipped), searched in the full, all-versions tree."""
    names = [part for part in path if not isinstance(part, int)]
    current: Field | None = None
    level = fields
    for name in names:
        current = next((f for f in level if f.name == name), None)
        if current is None:
            return None
        level = current.children
    return current


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, severity: Severity,
             received: str, documented: str, field: Field | None) -> Finding:
    source = str(field.parameter.source) if field else str(ctx.operation.source)
    requirement = None
    if field is not None:
        p = field.parameter
        requirement = (f"- {p.name}: {p.key} ({p.type}{', may be null' if p.nullable else ''}, "
                       f"{'required' if p.required else 'optional'}"
                       + (f", microversions {p.versions}" if not p.versions.unbounded else "") + ")"
                       + (f" as corrected by erratum {', '.join(p.errata)}" if p.errata else ""))
    return Finding(check=check_id, title=title, severity=severity, operation=ctx.label,
                   microversion=ctx.version_text, received=received, documented=documented, source=source,
                   requirement=requirement, exchange=exchange)


@check(id="CV-0201", family="body", severity=Severity.HIGH)
def required_fields_present(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Every field the api-ref marks required at the requested microversion is present."""
    for error in body_errors(ctx, exchange):
        if error.validator != "required":
            continue
        missing = [name for name in error.validator_value if isinstance(error.instance, dict)
                   and name not in error.instance]
        for name in missing:
            path = [*error.absolute_path, name]
            field = _field(ctx.operation.response_body, path)
            yield _finding(ctx, exchange, "CV-0201", f"required field `{_where(path)}` is missing", Severity.HIGH,
                           f"no `{name}` in {_where(error.absolute_path)}",
                           f"`{name}` required at microversion {ctx.version_text}", field)


def _extras(ctx: CheckContext, exchange: Exchange) -> Iterator[tuple[list[Any], str, Field | None]]:
    for error in body_errors(ctx, exchange):
        if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
            continue
        allowed = set(error.schema.get("properties", {}))
        for name in sorted(set(error.instance) - allowed):
            path = [*error.absolute_path, name]
            yield path, name, _field(ctx.operation.response_body, path)


def _out_of_version(ctx: CheckContext, exchange: Exchange) -> Iterator[tuple[list[Any], str, Field]]:
    """Fields the api-ref documents, but only for other microversions than the requested one.

    Walks the body along the documented tree, objects listed completely or not (the body's root is
    never strict, yet ``migrations_links`` below 2.59 is a leak all the same).
    """
    version, status = ctx.microversion, exchange.response.status
    if version is None or not (200 <= status < 300 and status in ctx.expected.statuses):
        return
    body = exchange.response.json_or_none()

    def walk(value: Any, level: tuple[Field, ...], path: list[Any]) -> Iterator[tuple[list[Any], str, Field]]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, level, [*path, index])
        elif isinstance(value, dict):
            for name, child in value.items():
                documented = [f for f in level if f.name == name]
                here = [f for f in documented if version in f.parameter.versions]
                if documented and not here:
                    yield [*path, name], name, documented[0]
                elif here:
                    yield from walk(child, tuple(c for f in here for c in f.children), [*path, name])

    yield from walk(body, ctx.operation.response_body, [])


@check(id="CV-0202", family="body", severity=Severity.HIGH)
def no_later_microversion_fields(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """No field appears outside the microversions that have it (uuid only from 2.59, user_id from 2.80)."""
    if ctx.microversion is None:
        return
    for path, name, field in _out_of_version(ctx, exchange):
        versions = field.parameter.versions
        when = f"from microversion {versions.min}" if versions.min and ctx.microversion < versions.min \
            else f"up to microversion {versions.max}"
        yield _finding(ctx, exchange, "CV-0202", f"field `{_where(path)}` appears at {ctx.microversion}, "
                       f"but exists only {when}", Severity.HIGH,
                       f"`{name}` = {_value(exchange, path)!r}",
                       f"`{name}` only in microversions {versions}", field)


@check(id="CV-0203", family="body", severity=Severity.MEDIUM)
def no_undocumented_fields(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """No field the api-ref does not document appears in an object it lists completely."""
    for path, name, field in _extras(ctx, exchange):
        if field is not None:
            continue
        yield _finding(ctx, exchange, "CV-0203", f"undocumented field `{_where(path)}`", Severity.MEDIUM,
                       f"`{name}` = {_value(exchange, path)!r}",
                       f"the fields the api-ref lists for {_where(path[:-1])}", None)


@check(id="CV-0204", family="body", severity=Severity.HIGH)
def field_types_match(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Every field has the documented type (null only where the api-ref says it may be null)."""
    for error in body_errors(ctx, exchange):
        if error.validator not in ("type", "const", "enum"):
            continue
        path = list(error.absolute_path)
        field = _field(ctx.operation.response_body, path)
        expected = error.validator_value
        yield _finding(ctx, exchange, "CV-0204", f"`{_where(path)}` is {_json_type(error.instance)}, "
                       f"documented as {expected}", Severity.HIGH, f"{error.instance!r}",
                       f"type {expected}", field)


@check(id="CV-0205", family="body", severity=Severity.MEDIUM)
def date_times_are_iso8601(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Date-time fields use the documented ISO 8601 form (CCYY-MM-DDThh:mm:ss, fraction and offset optional)."""
    for error in body_errors(ctx, exchange):
        if error.validator != "pattern":
            continue
        path = list(error.absolute_path)
        field = _field(ctx.operation.response_body, path)
        yield _finding(ctx, exchange, "CV-0205", f"`{_where(path)}` is not an ISO 8601 date-time",
                       Severity.MEDIUM, repr(error.instance), "CCYY-MM-DDThh:mm:ss±hh:mm (offset optional)", field)


@check(id="CV-0206", family="body", severity=Severity.HIGH)
def body_is_json(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A success the api-ref documents with a body answers with a JSON document."""
    if documented_schema(ctx, exchange) is None or exchange.response.json_or_none() is not None:
        return
    received = exchange.response.text()[:200]
    yield _finding(ctx, exchange, "CV-0206", "the body is not JSON" if exchange.response.body else "the body is empty",
                   Severity.HIGH, repr(received) if received else "no body", "a JSON body (the api-ref documents its "
                   "fields)", None)


@check(id="CV-0200", family="body", severity=Severity.HIGH)
def body_matches_schema(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The body validates against the projected schema: every departure no specific check (CV-0201..0205) names."""
    for error in body_errors(ctx, exchange):
        path = list(error.absolute_path)
        if error.validator in _SPECIFIC:
            continue
        field = _field(ctx.operation.response_body, path)
        yield _finding(ctx, exchange, "CV-0200", f"`{_where(path)}` does not match the documented schema: "
                       f"{error.validator} {error.validator_value!r}"[:300], Severity.HIGH,
                       _short(error.instance), error.message[:300], field)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _value(exchange: Exchange, path: Sequence[Any]) -> Any:
    value = exchange.response.json_or_none()
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
