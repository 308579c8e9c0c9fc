"""JSON Schema for the parameters and bodies of the compiled api-ref.

One set of builders serves both documents: a :class:`View` says whether we
build the full, microversion-annotated document (``version`` is None: every
element is kept and carries ``x-openstack-*`` annotations) or the plain
document of one microversion (elements outside it are pruned, objects the
api-ref lists completely get ``additionalProperties: false``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from conformance.model import Field, Microversion, MicroversionRange, Operation, Parameter

__all__ = [
    "FAULT_SCHEMA_NAME",
    "FAULT_SHAPES",
    "View",
    "body_schema",
    "fault_schema",
    "json_type",
    "parameter_schema",
    "request_schema",
    "response_schema",
]

Schema = dict[str, Any]

FAULT_SCHEMA_NAME = "ComputeFault"
"""The components/schemas name of nova's error body; each service's is its ``fault`` in services.toml."""

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

LINK_SCHEMA: Schema = {
    "type": "object",
    "properties": {"href": {"type": "string", "format": "uri"}, "rel": {"type": "string"},
                   "type": {"type": "string"}},
    "required": ["href", "rel"],
}
"""A link, as the compute API guide's Links and References defines it (an api-ref ``links`` array's items)."""

_EVERY_VERSION = MicroversionRange()

DATE_TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
"""What a body field documented as an ISO 8601 time stamp must match.

Not ``format: date-time``: nova writes many time stamps without a zone
(``"created_at": "2016-01-29T13:42:02.000000"``), which RFC 3339 forbids, so the
zone is optional here (tempest's ``jsonschema_validator`` relaxes the same check).
"""

# parameters.yaml writes types loosely: nova 34.0.0 uses string, integer,
# float, boolean, array, list, object, dict and none (a body key whose value
# is always null, e.g. ``{"pause": null}``).
_TYPES = {
    "string": "string",
    "integer": "integer",
    "int": "integer",
    "float": "number",
    "number": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "object": "object",
    "dict": "object",
    "none": "null",
    "null": "null",
}


@dataclass(frozen=True)
class View:
    """What a document shows: everything, annotated (version None), or one microversion.

    ``View(None, annotated=False)`` is the projection of a request sent without a
    version: every element, as plain as a one-version projection (strict objects,
    no annotations); it is what versionless documents (``GET /``) are checked against,
    and the one plain document of a service without microversions.
    """

    version: Microversion | None = None
    """The microversion projected, or None for the full document."""
    annotated: bool = True
    """With no version: the full, annotated document (True) or the plain versionless projection (False)."""

    @property
    def full(self) -> bool:
        """True for the full, microversion-annotated document."""
        return self.version is None and self.annotated

    def shows(self, versions: MicroversionRange) -> bool:
        """Whether an element available in ``versions`` belongs in this view."""
        return self.version is None or self.version in versions

    def serves(self, operation: Operation) -> bool:
        """Whether the view has the operation: a projection drops removed APIs."""
        if self.version is None:
            return self.annotated or not operation.removed
        return self.version in operation.versions and not operation.removed

    def has(self, versions: MicroversionRange) -> bool:
        """Whether a response code (or rule) qualified by ``versions`` applies in this view."""
        return self.version is None or self.version in versions


def view_of(version: Microversion | None) -> View:
    """The plain projection of one version, or of a request sent without one."""
    return View(version, annotated=False)


def json_type(raw: str) -> str | None:
    """The JSON Schema type of a parameters.yaml type, or None when unknown.

    Example: ``json_type("float") == "number"``, ``json_type("dict") == "object"``.
    """
    return _TYPES.get(raw.strip().lower())


def microversions(versions: MicroversionRange) -> dict[str, str] | None:
    """The ``x-openstack-microversions`` value of a range; None when unbounded.

    Example: ``{"min": "2.24", "max": "2.64"}``.
    """
    value = {}
    if versions.min is not None:
        value["min"] = str(versions.min)
    if versions.max is not None:
        value["max"] = str(versions.max)
    return value or None


def _typed(raw: str, nullable: bool, view: View) -> Schema:
    if "|" in raw:
        # An erratum's union ("integer|string": nova's flavor swap, '' for 0 before 2.75).
        kinds = [json_type(part) for part in raw.split("|")]
        if all(kinds):
            listed = list(dict.fromkeys(k for k in kinds if k))
            return {"type": listed + (["null"] if nullable and "null" not in listed else [])}
    mapped = json_type(raw)
    if mapped is None:
        # An unknown type constrains nothing; the full document says what it was.
        return {"x-openstack-type": raw} if view.full else {}
    if nullable and mapped != "null":
        return {"type": [mapped, "null"]}
    return {"type": mapped}


def _annotate(schema: Schema, parameter: Parameter, view: View) -> Schema:
    """Add where a parameter came from (and, in the full view, when it exists)."""
    schema["x-openstack-source"] = str(parameter.source)
    if parameter.errata:
        schema["x-openstack-erratum"] = list(parameter.errata)
    if view.full:
        schema["x-openstack-definition"] = str(parameter.definition)
        ranges = microversions(parameter.versions)
        if ranges is not None:
            schema["x-openstack-microversions"] = ranges
    return schema


def _description(parameter: Parameter) -> dict[str, str]:
    text = parameter.description.strip()
    return {"description": text} if text else {}


def _covers(versions: MicroversionRange, context: MicroversionRange) -> bool:
    """True when every version of ``context`` is in ``versions``."""
    return versions.intersect(context) == context


def _object(fields: tuple[Field, ...], view: View, context: MicroversionRange, strict: bool) -> Schema:
    """An object schema whose properties are ``fields`` (those in the view)."""
    alternatives: dict[str, list[tuple[Schema, bool]]] = {}
    placeholders: list[Field] = []
    for field in fields:
        parameter = field.parameter
        if not view.shows(parameter.versions):
            continue
        if field.placeholder:
            placeholders.append(field)  # a map's key or value: not a property
            continue
        # In the full view a field is unconditionally required only if it
        # exists whenever its parent does; otherwise a plain validator would
        # reject the older (or newer) versions that lack it.
        required = parameter.required and (not view.full or _covers(parameter.versions, context))
        schema = field_schema(field, view, context)
        if view.full and parameter.required and not required:
            schema["x-openstack-required"] = True
        alternatives.setdefault(parameter.name, []).append((schema, required))
    properties: Schema = {}
    required_names: list[str] = []
    for name, options in alternatives.items():
        # Two definitions of one name (hypervisor ``id`` before and after 2.53)
        # are alternatives; the name is required only if every one requires it.
        properties[name] = options[0][0] if len(options) == 1 else {"anyOf": [schema for schema, _ in options]}
        if all(required for _, required in options):
            required_names.append(name)
    result: Schema = {"type": "object", "properties": properties}
    if required_names:
        result["required"] = required_names
    if placeholders:
        # A map keyed by names: its values are what the `value` (or the one named placeholder) documents.
        value = next((f for f in placeholders if f.name == "value"), None) or next(
            (f for f in placeholders if f.name != "key"), None)
        result["additionalProperties"] = field_schema(value, view, context) if value is not None else True
        named = next((f for f in placeholders if f.name != "value"), None)
        if named is not None and not view.full:  # who fills a body in learns what names the map's keys
            result["x-openstack-key"] = named.name
        return result
    if strict:
        if view.full:
            result["x-openstack-complete"] = True
        else:
            result["additionalProperties"] = False
    return result


def field_schema(field: Field, view: View, context: MicroversionRange = _EVERY_VERSION) -> Schema:
    """The JSON Schema of one body field and (recursively) its children.

    ``context`` is the range in which the field's parent exists; it decides
    what "required" means in the full view. Example: a string field gives
    ``{"type": "string", "description": ..., "x-openstack-source": ...}``.
    """
    parameter = field.parameter
    schema = _typed(parameter.type, parameter.nullable, view)
    if field.placeholder and field.children and json_type(parameter.type) not in ("object", "array"):
        # A map's key (placement's consumer_uuid, typed as the key is) whose value holds the children: an object.
        schema = _typed("object", parameter.nullable, view)
    if parameter.format == "date-time" and json_type(parameter.type) == "string":
        schema.setdefault("pattern", DATE_TIME_PATTERN)
    schema.update(_description(parameter))
    inner = context.intersect(parameter.versions)
    # Strictness needs documented children: a childless object marked complete
    # is a free-form mapping (metadata), not an object that must stay empty; an erratum may open it.
    strict = field.complete and bool(field.children) and not parameter.open
    if field.keyed and field.children:
        # One entry per name (a host): each value is an object of the children.
        schema["additionalProperties"] = _object(field.children, view, inner, strict)
    elif field.children:
        structure = _object(field.children, view, inner, strict)
        if "array" in (json_type(part) for part in parameter.type.split("|")):
            # an array of objects (also one an erratum says may be a string instead: nova's networks "auto")
            schema["items"] = structure
        else:
            structure.pop("type")
            schema.update(structure)
    elif field.link and json_type(parameter.type) == "array":
        schema["items"] = dict(LINK_SCHEMA, properties=dict(LINK_SCHEMA["properties"]))
    if parameter.empty and "object" in (schema.get("type"), *(schema.get("type") or [])):
        # An erratum: the object may come empty instead of with its required fields.
        described = {"description": schema.pop("description")} if "description" in schema else {}
        schema = {"anyOf": [schema, {"type": "object", "maxProperties": 0}], **described}
    return _annotate(schema, parameter, view)


def body_schema(operation: Operation, fields: tuple[Field, ...], view: View, *, nullable: bool = False) -> Schema:
    """The schema of a request or response body: an object of the top-level fields, or the one array that is
    the body itself (``Field.whole``, in a projection; marked ``x-openstack-whole-body`` in the full document);
    ``nullable``: JSON null as well (a request body an erratum says may be null: ``Operation.body_nullable``).

    The root object is not strict: the model records completeness per field,
    not for the body itself. A server action's key (``reboot``) is required:
    it is what tells the variants of one operation apart.
    """
    shown = [field for field in fields if view.shows(field.parameter.versions)]
    if not view.full and len(shown) == 1 and shown[0].whole:
        # the body is the array itself; its name (which the wire never carries) kept for who fills it in
        return {**field_schema(shown[0], view, operation.versions), "x-openstack-field": shown[0].name}
    schema = _object(fields, view, operation.versions, strict=False)
    for field in shown:
        if field.whole:
            schema["properties"][field.name]["x-openstack-whole-body"] = True
    if operation.action is not None and operation.action in schema["properties"]:
        required = schema.setdefault("required", [])
        if operation.action not in required:
            required.insert(0, operation.action)
    if nullable:
        schema["type"] = ["object", "null"]
    return schema


def parameter_schema(parameter: Parameter) -> Schema:
    """The schema of a path, query or header parameter.

    Nullability is ignored: a query string or header cannot carry JSON null.
    Arrays get string items, what a query string can hold.
    Example: an integer path parameter gives ``{"type": "integer"}``.
    """
    schema = _typed(parameter.type, False, View())
    schema.pop("x-openstack-type", None)
    if schema.get("type") == "array":
        schema["items"] = {"type": "string"}
    return schema


FAULT_SHAPES = ("named", "api-sig-errors", "undocumented")
"""The error body conventions :func:`fault_schema` knows; services.toml gives each service's."""


def fault_schema(shape: str = "named") -> Schema:
    """The body a service returns with an error code, in one of :data:`FAULT_SHAPES`.

    ``named`` (nova, cinder): one key naming the fault, e.g.
    ``{"itemNotFound": {"code": 404, "message": "Instance x could not be found."}}``;
    ``api-sig-errors`` (placement): the API-SIG errors guideline, ``{"errors": [{"status": 404,
    "title": "Not Found", "detail": "...", "request_id": "..."}]}``; ``undocumented``: any JSON object,
    for a service whose api-ref does not document its error body.
    """
    if shape == "api-sig-errors":
        return _api_sig_errors()
    if shape == "undocumented":
        return {"type": "object", "description": "An error body; the api-ref does not document its shape.",
                "x-openstack-note": "Constrains nothing: no error body convention is documented for this service."}
    return {
        "type": "object",
        "description": "An error: a single key naming the fault, whose value carries the HTTP code and a message.",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": {
            "type": "object",
            "properties": {"code": {"type": "integer"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        },
        "x-openstack-note": (
            "The fault's key varies with the error (badRequest, itemNotFound, conflict, ...) and is not "
            "documented by the api-ref; this shape is nova's fault convention, not a documented contract."
        ),
    }


def _api_sig_errors() -> Schema:
    return {
        "type": "object",
        "description": "An error: a list of errors, each with the HTTP status, a title and a detail "
                       "(the OpenStack API-SIG errors guideline).",
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                                   "detail": {"type": "string"}, "request_id": {"type": "string"},
                                   "code": {"type": "string"}},
                    "required": ["status", "title", "detail"],
                },
            },
        },
        "required": ["errors"],
        "x-openstack-note": "The shape errors.inc describes; ``code`` appears from microversion 1.23.",
    }


def has_body(fields: tuple[Field, ...], view: View) -> bool:
    """Whether any top-level field of a body belongs in the view."""
    return any(view.shows(field.parameter.versions) for field in fields)


UNDOCUMENTED_BODY: Schema = {
    "type": "object",
    "description": "The api-ref shows a body here (a sample) but documents none of its fields: any object.",
}
"""The body of a response the api-ref shows but does not document at a version (diagnostics before 2.48)."""


def undocumented_body(operation: Operation, view: View) -> bool:
    """Whether at the view's version the api-ref documents no response field, yet shows a body there.

    The latest response sample at or below the version, itself showing no documented field, is the api-ref
    saying "a body, of no documented shape": nova's diagnostics before 2.48 ("Each hypervisor had its own
    format"). Not for the full document, nor where a later version took the body away (a sample of an older
    version with documented fields: volume attachments' POST from 2.101).
    """
    if view.version is None or has_body(operation.response_body, view):
        return False
    shown = [s for s in operation.samples if not s.is_request and isinstance(s.body, dict)
             and (s.microversion is None or s.microversion <= view.version)]
    if not shown:
        return False
    latest = max(shown, key=lambda s: (s.microversion is not None, s.microversion or view.version))
    return latest.microversion is None or not has_body(operation.response_body, view_of(latest.microversion))


def response_schema(operation: Operation, status: int, version: Microversion | None,
                    fault: str = "named") -> Schema | None:
    """The self-contained JSON Schema (no ``$ref``) of one response at one microversion.

    A normal code gives the projected response body (None when the operation
    documents no body at that version, or for 204); an error code gives the
    fault schema of shape ``fault`` (see :func:`fault_schema`; a compiled
    api-ref's is ``apiref.info.fault.shape``); an undocumented code, or a version
    the operation does not serve, gives None. ``version`` None is a request sent
    without a version (a versionless document such as ``GET /``, or any request to
    a service without microversions): every documented element.
    Example: ``response_schema(show, 200, Microversion(2, 59))`` has
    ``properties.migration.properties.uuid``. Raises nothing.
    """
    view = view_of(version)
    if not view.serves(operation):
        return None
    if any(code.status == status and view.has(code.versions) for code in operation.normal_codes):
        if status != 204 and undocumented_body(operation, view):
            return {"$schema": _SCHEMA_DIALECT, **UNDOCUMENTED_BODY}
        if status == 204 or not has_body(operation.response_body, view):
            return None
        return {"$schema": _SCHEMA_DIALECT, **body_schema(operation, operation.response_body, view)}
    if any(code.status == status and view.has(code.versions) for code in operation.error_codes):
        return {"$schema": _SCHEMA_DIALECT, **fault_schema(fault)}
    return None


def request_schema(operation: Operation, version: Microversion | None) -> Schema | None:
    """The self-contained JSON Schema of the request body at one microversion (None: a versionless service).

    None when the operation takes no body at that version or does not serve
    it. Example: ``request_schema(reboot, Microversion(2, 1))`` requires
    ``reboot`` with its ``type``. Raises nothing.
    """
    view = view_of(version)
    if not view.serves(operation) or not has_body(operation.request_body, view):
        return None
    return {"$schema": _SCHEMA_DIALECT, **body_schema(operation, operation.request_body, view,
                                                      nullable=operation.body_nullable)}


def header_pattern(service: str) -> str:
    """The pattern of an ``OpenStack-API-Version`` value for a service.

    Example: ``header_pattern("compute")`` matches ``compute 2.59`` and ``compute latest``.
    """
    return rf"^{re.escape(service)} (latest|[0-9]+\.[0-9]+)$"
