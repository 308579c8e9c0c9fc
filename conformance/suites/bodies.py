"""Request bodies: the smallest valid one an operation takes, and hypothesis' bodies made usable.

The api-ref says which fields a request must carry and their types; it cannot
say which flavor a ``flavorRef`` names or what the suite calls what it creates.
:func:`minimal` builds the smallest body the request schema of a version allows:
every required field, its value taken from the registry's field hints (a
resource, a fresh ``conformance-...`` name), else from the api-ref's own request
sample for that version (``"type": "HARD"``), else the plainest value of its
type. :func:`with_hints` puts the hinted values into a body hypothesis drew.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from conformance.model import Microversion, Operation
from conformance.suites.registry import FieldHint, Registry

__all__ = ["minimal", "plausible", "request_sample", "with_hints"]

Path = tuple[str, ...]
Hinted = Callable[[FieldHint], Any]
"""Resolves a hint to its value (a resource's id, a fresh name)."""

_NO_VALUE = object()


def request_sample(operation: Operation, version: Microversion | None) -> Any:
    """The api-ref's request sample nearest ``version``: the latest not above it, else the earliest above it
    (its values are checked against the version's schema before use); None when the api-ref has none."""
    samples = [sample for sample in operation.samples if sample.is_request and isinstance(sample.body, dict)]
    below = [s for s in samples if s.microversion is None or version is None or s.microversion <= version]
    above = [s for s in samples if s not in below]
    if below:
        return max(below, key=lambda s: (s.microversion is not None, s.microversion or Microversion(0, 0))).body
    if above:
        return min(above, key=lambda s: s.microversion or Microversion(0, 0)).body
    return None


def _sampled(sample: Any, path: Path) -> Any:
    value = sample
    for name in path:
        while isinstance(value, list):
            value = value[0] if value else _NO_VALUE
        if not isinstance(value, dict) or name not in value:
            return _NO_VALUE
        value = value[name]
    return value


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    if declared is None:
        return []
    types = [declared] if isinstance(declared, str) else list(declared)
    return [kind for kind in types if kind != "null"] or types


def _plain(schema: dict[str, Any]) -> Any:
    """The plainest value of a schema's type."""
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kinds = _types(schema)
    kind = kinds[0] if kinds else "string"
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(max(1, schema.get("minimum", 1)))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if kind == "null":
        return None
    return "conformance"


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a sample's value has a type the schema allows (samples are sometimes out of date)."""
    kinds = schema.get("type")
    if kinds is None:
        return True
    allowed = {kinds} if isinstance(kinds, str) else set(kinds)
    checks = {"string": isinstance(value, str), "boolean": isinstance(value, bool),
              "integer": isinstance(value, int) and not isinstance(value, bool),
              "number": isinstance(value, int | float) and not isinstance(value, bool),
              "array": isinstance(value, list), "object": isinstance(value, dict), "null": value is None}
    return any(checks.get(kind, False) for kind in allowed)


_ENTRY = "@entry"
"""The one entry of a map whose key the registry names, in a drawn body before its key is filled in."""


def _keyed(schema: dict[str, Any], registry: Registry, path: Path, operation: str,
           version: Any) -> tuple[str, FieldHint] | None:
    """(the key's name, the hint giving its value) of a map (``x-openstack-key``) whose key the registry names; its
    values are read at the path ``<key>`` (so the key's own hint does not give them their value)."""
    key = schema.get("x-openstack-key")
    if not isinstance(key, str) or not isinstance(schema.get("additionalProperties"), dict):
        return None
    hint = registry.hint((*path, key), operation, version)
    return (key, hint) if hint is not None and (hint.resource is not None or hint.has_value) else None


def _whole(schema: dict[str, Any]) -> Path:
    """The name of the field a body that is one array stands for (``x-openstack-field``), as a hint's path."""
    name = schema.get("x-openstack-field")
    return (str(name),) if isinstance(name, str) else ()


def minimal(schema: dict[str, Any] | None, registry: Registry, hinted: Hinted, sample: Any = None,
            path: Path = (), operation: str = "", version: Any = None) -> Any:
    """The smallest body ``schema`` allows: its required fields (and those hints say to send), valued from
    hints, the sample, their type. ``operation`` (``METHOD /path [action]``) selects the hints limited to it."""
    if schema is None:
        return None
    path = path or _whole(schema)
    hint = registry.hint(path, operation, version) if path else None
    if hint is not None and (hint.resource is not None or hint.has_value):
        return hinted(hint)
    kinds = _types(schema)
    if "object" in kinds or (not kinds and "properties" in schema):
        properties: dict[str, Any] = schema.get("properties", {})
        value: dict[str, Any] = {}
        wanted = list(schema.get("required", []))
        wanted += [name for name in properties if name not in wanted and (hint := registry.hint(
            (*path, name), operation, version)) is not None and hint.send]
        for name in wanted:
            if name in properties:
                value[name] = minimal(properties[name], registry, hinted, sample, (*path, name), operation, version)
        keyed = _keyed(schema, registry, path, operation, version)
        if keyed is not None:  # a map whose key the registry names (placement's consumer of POST /allocations)
            key, hint = keyed
            value[str(hinted(hint))] = minimal(schema["additionalProperties"], registry, hinted, sample,
                                               (*path, f"<{key}>"), operation, version)
            return value
        if not properties and "object" in kinds:
            sampled = _sampled(sample, path)
            if isinstance(sampled, dict) and path:
                return sampled
        return value
    if "array" in kinds and isinstance(schema.get("items"), dict) and schema.get("minItems", 0) > 0:
        return [minimal(schema["items"], registry, hinted, sample, path, operation, version)]
    sampled = _sampled(sample, path)
    if sampled is not _NO_VALUE and _fits(sampled, schema):
        return sampled
    return _plain(schema)


def with_hints(body: Any, schema: dict[str, Any] | None, registry: Registry, hinted: Hinted,
               path: Path = (), operation: str = "", version: Any = None) -> Any:
    """A drawn body with every hinted field that is present given the hint's value."""
    if schema is None:
        return body
    path = path or _whole(schema)
    hint = registry.hint(path, operation, version) if path else None
    if hint is not None and (hint.resource is not None or hint.has_value):
        return hinted(hint)
    alternative = _alternative(body, schema) if "properties" not in schema and "items" not in schema else None
    if alternative is not None:
        return with_hints(body, alternative, registry, hinted, path, operation, version)
    if isinstance(body, dict):
        properties: dict[str, Any] = schema.get("properties", {})
        keyed = _keyed(schema, registry, path, operation, version)
        filled = {}
        for name, value in body.items():
            if name == _ENTRY and keyed is not None:
                key, key_hint = keyed
                filled[str(hinted(key_hint))] = with_hints(value, schema["additionalProperties"], registry, hinted,
                                                           (*path, f"<{key}>"), operation, version)
            elif name in properties:
                filled[name] = with_hints(value, properties[name], registry, hinted, (*path, name), operation,
                                          version)
            else:
                filled[name] = value
        return filled
    if isinstance(body, list) and isinstance(schema.get("items"), dict):
        return [with_hints(item, schema["items"], registry, hinted, path, operation, version) for item in body]
    return body


_KEYWORDS = {"array": ("items", "minItems", "maxItems", "uniqueItems"),
             "object": ("properties", "required", "additionalProperties", "propertyNames", "minProperties",
                        "maxProperties")}


def _split(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema of several types as an ``anyOf`` of one schema per type, each with its own keywords."""
    rest = {key: value for key, value in schema.items()
            if key != "type" and not any(key in keywords for keywords in _KEYWORDS.values())}
    return {**rest, "anyOf": [{"type": kind, **{key: schema[key] for key in _KEYWORDS.get(kind, ()) if key in schema}}
                              for kind in _types(schema)]}


def _chosen(schema: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A hint's schema as alternatives by type: ``{type: string, enum: [auto]}`` is one, an ``anyOf`` of typed
    schemas several; empty when the hint names no type."""
    alternatives = schema.get("anyOf")
    items = alternatives if isinstance(alternatives, list) else [schema]
    chosen = {}
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("type"), str):
            chosen[item["type"]] = dict(item)
    return chosen


def _alternative(body: Any, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The alternative of an ``anyOf``/``oneOf`` of the drawn value's JSON type, with fields or items to hint."""
    kind = ("object" if isinstance(body, dict) else "array" if isinstance(body, list) else None)
    for key in ("anyOf", "oneOf"):
        for item in schema.get(key) or ():
            if kind is not None and isinstance(item, dict) and kind in _types(item):
                return item
    return None


_NAME_PATTERN = "^[a-z][a-z0-9-]{0,15}$"


def plausible(schema: Any, registry: Registry, operation: str = "", path: Path = (), version: Any = None, *,
              branch: bool = False) -> Any:
    """The request schema narrowed to values any deployment takes where the api-ref gives only a type.

    The api-ref documents types, not limits: hypothesis draws only the documented fields, strings of
    letters, digits and dashes, integers from 0 to 1024, numbers from 0.1 to 100, one array item
    (strings when the api-ref does not say), string values in free-form objects (metadata), and no null;
    the registry's field hints narrow further (``{"minimum": 1}``; typed, they select and narrow the
    alternatives of an ``anyOf``: ``networks`` a list before 2.37, a list or the strings auto or none from it)
    or give the value.
    Fields whose values a hint gives are left as they are (the hint replaces the drawn value).
    """
    if not isinstance(schema, dict):
        return schema
    path = path or _whole(schema)
    narrowed = {key: value for key, value in schema.items() if not key.startswith("x-") and key != "description"}
    hint = registry.hint(path, operation, version) if path and not branch else None
    alternatives = next((key for key in ("anyOf", "oneOf") if isinstance(narrowed.get(key), list)), None)
    chosen = _chosen(hint.schema) if hint is not None and hint.schema else {}
    if alternatives is None and chosen and len(_types(narrowed)) > 1:  # ["array", "string"]: one per type
        narrowed = _split(narrowed)
        alternatives = "anyOf"
    if hint is not None and hint.schema:
        if alternatives is not None and chosen:  # the hint's alternatives select and narrow the field's
            narrowed[alternatives] = [{**item, **chosen[kind]} for item in narrowed[alternatives]
                                      if isinstance(item, dict) and (kind := "/".join(_types(item))) in chosen]
        elif not chosen:
            narrowed.update(hint.schema)
        elif (kind := "/".join(_types(narrowed))) in chosen:  # a typed hint holds for a value of its type only
            narrowed.update(chosen[kind])
    if alternatives is not None:  # each alternative narrowed as the field itself (its hints apply inside)
        narrowed[alternatives] = [plausible(item, registry, operation, path, version, branch=True)
                                  for item in narrowed[alternatives]]
    keyed = _keyed(schema, registry, path, operation, version)
    if keyed is not None:  # one entry, drawn under a stand-in name the hint's key replaces (with_hints)
        key = keyed[0]
        return {"type": "object", "properties": {_ENTRY: plausible(schema["additionalProperties"], registry,
                                                                    operation, (*path, f"<{key}>"), version)},
                "required": [_ENTRY], "additionalProperties": False}
    kinds = _types(narrowed)
    if isinstance(narrowed.get("type"), list) and len(kinds) == 1:
        narrowed["type"] = kinds[0]  # a value, not null: null is for reading what is unset
    if "properties" in narrowed:
        narrowed["properties"] = {name: plausible(sub, registry, operation, (*path, name), version)
                                  for name, sub in narrowed["properties"].items()
                                  if not ((each := registry.hint((*path, name), operation, version)) is not None
                                          and each.omit
                                          and name not in narrowed.get("required", []))}
        narrowed.setdefault("additionalProperties", False)  # only the fields the api-ref documents
        sent = [name for name in narrowed["properties"] if (each := registry.hint((*path, name), operation, version))
                is not None and each.send]
        if sent:
            narrowed["required"] = sorted({*narrowed.get("required", []), *sent})
    elif "object" in kinds and "additionalProperties" not in narrowed:
        narrowed.update(additionalProperties={"type": "string", "pattern": _NAME_PATTERN},
                        propertyNames={"pattern": _NAME_PATTERN}, maxProperties=3)
    if "array" in kinds:
        narrowed.setdefault("items", {"type": "string"})
        narrowed.setdefault("minItems", 1)
        narrowed.setdefault("maxItems", 1)
    if "items" in narrowed:
        narrowed["items"] = plausible(narrowed["items"], registry, operation, path, version)
    if kinds == ["string"] and not {"enum", "const", "pattern", "format"} & set(narrowed):
        narrowed["pattern"] = _NAME_PATTERN
    if kinds == ["integer"]:
        narrowed.setdefault("minimum", 0)
        narrowed.setdefault("maximum", 1024)
    if kinds == ["number"]:
        narrowed.setdefault("minimum", 0.1)
        narrowed.setdefault("maximum", 100)
    return narrowed
