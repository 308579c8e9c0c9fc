"""from_schema and violating: valid values always validate, invalid ones never do."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from conformance.model import ApiRef, Microversion
from conformance.openapi import request_schema, response_schema
from conformance.strategies import from_schema, validator, violating

# find() stops at the first hit, so a generous budget costs only when a kind is rare: with 500 examples,
# "below minimum" (a bound broken on one property of an object) was missed in 2 runs of 40; with 2000, in 0.
REACH = settings(max_examples=2000, deadline=None, database=None)
# hypothesis-jsonschema filters internally when it builds arrays of strict objects (the migrations list):
# the health check would fail on its filtering, not ours.
SLOW_TO_BUILD = [HealthCheck.too_slow, HealthCheck.filter_too_much]
FAST = settings(max_examples=25, deadline=None, suppress_health_check=SLOW_TO_BUILD)

MIGRATION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "uuid": {"type": "string", "format": "uuid"},
        "dest_node": {"type": ["string", "null"], "x-openstack-source": "os-migrations.inc:54"},
        "status": {"type": "string", "enum": ["queued", "preparing", "running", "completed"]},
        "migration_type": {"type": "string", "pattern": "^(live-migration|migration|resize|evacuation)$"},
        "memory_total_bytes": {"type": ["integer", "null"], "maximum": 2**40},
        "created_at": {"type": "string", "format": "date-time"},
        "links": {"type": "array", "items": {"type": "object", "properties": {"href": {"type": "string"}}}},
    },
    "required": ["id", "uuid", "dest_node", "status", "migration_type"],
    "additionalProperties": False,
}

# Hand-written schemas covering the subset the projections use, and a little more.
SCHEMAS: dict[str, dict[str, Any]] = {
    "force_complete": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"force_complete": {"type": "null", "description": "The action."}},
        "required": ["force_complete"],
    },
    "strict_action": {
        "type": "object",
        "properties": {"force_complete": {"type": "null"}},
        "required": ["force_complete"],
        "additionalProperties": False,
    },
    "migration": MIGRATION,
    "list": {
        "type": "object",
        "properties": {"migrations": {"type": "array", "items": MIGRATION}, "migrations_links": {"type": "array"}},
        "required": ["migrations"],
    },
    "nullable_string": {"type": ["string", "null"]},
    "number": {"type": "number", "minimum": 0, "exclusiveMaximum": 10.5},
    "integer": {"type": "integer"},
    "enum": {"enum": ["compute", 1, None]},
    "regexp_format": {"type": "string", "format": "regexp", "x-openstack-type": "string"},
    "any_of": {"anyOf": [{"type": "integer"}, {"type": "object", "required": ["id"]}]},
    "free_form": {"type": "object"},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@FAST
@given(data=st.data())
def test_from_schema_values_validate(name: str, data: st.DataObject) -> None:
    schema = SCHEMAS[name]
    value = data.draw(from_schema(schema))
    assert validator(schema).is_valid(value), value


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@FAST
@given(data=st.data())
def test_violating_values_never_validate(name: str, data: st.DataObject) -> None:
    schema = SCHEMAS[name]
    value = data.draw(violating(schema))
    assert not validator(schema).is_valid(value), value


def test_violating_shrinks_to_null_where_null_is_wrong() -> None:
    assert find(violating(SCHEMAS["force_complete"]), lambda _: True, settings=REACH) is None


SMALL = {
    "type": "object",
    "properties": {"id": {"type": "integer", "minimum": 1}, "status": {"enum": ["running"]}},
    "required": ["id"],
    "additionalProperties": False,
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("schema", "kind", "found"),
    [
        (SCHEMAS["strict_action"], "missing required key", lambda v: v == {}),
        (SCHEMAS["strict_action"], "extra key", lambda v: isinstance(v, dict) and len(v) == 2),
        (
            SCHEMAS["force_complete"],
            "property of a wrong type",
            lambda v: isinstance(v, dict) and v.get("force_complete"),
        ),
        (SMALL, "null where not nullable", lambda v: isinstance(v, dict) and "id" in v and v["id"] is None),
        (SMALL, "below minimum", lambda v: isinstance(v, dict) and type(v.get("id")) is int and v["id"] < 1),
        (SMALL, "outside enum", lambda v: isinstance(v, dict) and v.get("status", "running") != "running"),
        ({"type": "array", "items": SMALL}, "invalid array item", lambda v: v == [None]),
        ({"type": "string", "pattern": "^a"}, "not matching pattern", lambda v: v == ""),
        (SCHEMAS["number"], "above maximum", lambda v: isinstance(v, int) and v >= 11),
        (SCHEMAS["integer"], "a non-integral number", lambda v: isinstance(v, float)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_violating_reaches_each_kind_of_fault(schema: dict[str, Any], kind: str, found: Any) -> None:
    value = find(violating(schema), found, settings=REACH)
    assert not validator(schema).is_valid(value), kind


@settings(max_examples=10, deadline=None)
@given(value=from_schema(SCHEMAS["migration"]))
def test_from_schema_fills_formats(value: dict[str, Any]) -> None:
    assert validator({"format": "uuid"}).is_valid(value["uuid"])
    assert value["status"] in ("queued", "preparing", "running", "completed")


@pytest.mark.parametrize("schema", [{}, True, {"description": "anything", "x-openstack-source": "a.inc:1"}])
def test_violating_refuses_a_schema_that_accepts_everything(schema: Any) -> None:
    with pytest.raises(InvalidArgument, match="accepts every JSON value"):
        violating(schema)


@pytest.mark.parametrize("schema", ["object", {"type": "nope"}, {"required": "id"}])
def test_a_bad_schema_is_refused(schema: Any) -> None:
    with pytest.raises(InvalidArgument):
        from_schema(schema)
    with pytest.raises(InvalidArgument):
        violating(schema)


# The real projections of nova 34.0.0's api-ref.

FORCE_COMPLETE = ("POST", "/servers/{server_id}/migrations/{migration_id}/action")
LIST_MIGRATIONS = ("GET", "/os-migrations")
VERSIONS = [Microversion(2, 23), Microversion(2, 59), Microversion(2, 80)]
REAL = settings(max_examples=15, deadline=None, suppress_health_check=SLOW_TO_BUILD)


@pytest.mark.network
@pytest.mark.parametrize("version", [Microversion(2, 22), Microversion(2, 80)], ids=str)
@REAL
@given(data=st.data())
def test_force_complete_request_bodies(nova: ApiRef, version: Microversion, data: st.DataObject) -> None:
    schema = request_schema(nova.find(*FORCE_COMPLETE), version)
    assert schema is not None
    check = validator(schema)
    valid = data.draw(from_schema(schema), label="valid")
    invalid = data.draw(violating(schema), label="invalid")
    assert valid["force_complete"] is None
    assert check.is_valid(valid)
    assert not check.is_valid(invalid)


@pytest.mark.network
@pytest.mark.parametrize("version", VERSIONS, ids=str)
@REAL
@given(data=st.data())
def test_migrations_list_responses(nova: ApiRef, version: Microversion, data: st.DataObject) -> None:
    schema = response_schema(nova.find(*LIST_MIGRATIONS), 200, version)
    assert schema is not None
    check = validator(schema)
    assert check.is_valid(data.draw(from_schema(schema), label="valid"))
    assert not check.is_valid(data.draw(violating(schema), label="invalid"))
