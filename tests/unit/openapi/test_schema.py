"""JSON Schema of fields, parameters and single responses."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from conformance.model import Field, Source
from conformance.openapi import request_schema, response_schema
from conformance.openapi.schema import View, field_schema, json_type, parameter_schema

from .fixtures import (
    BASE_MIGRATION_FIELDS,
    SERVER_ACTIONS,
    create_backup,
    force_complete,
    list_migrations,
    mv,
    param,
    pause,
    reboot,
    show_server_migration,
)


def migration(version: str) -> dict[str, Any]:
    """A migration as nova returns it at ``version``."""
    body: dict[str, Any] = {name: "x" for name in BASE_MIGRATION_FIELDS}
    body.update({n: 1 for n in BASE_MIGRATION_FIELDS if n.endswith("_bytes") or n == "id"})
    body["dest_node"] = None
    if mv(version) >= mv("2.59"):
        body["uuid"] = "9b9e8f4c-0000-4000-8000-000000000000"
    if mv(version) >= mv("2.80"):
        body.update(user_id=None, project_id="p")
    return body


# Every type parameters.yaml of nova 34.0.0 uses (grep "^  type:" | sort | uniq -c).
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("string", "string"), ("integer", "integer"), ("float", "number"), ("boolean", "boolean"),
        ("array", "array"), ("list", "array"), ("object", "object"), ("dict", "object"), ("none", "null"),
        ("String ", "string"),
    ],
)
def test_json_type_maps_every_nova_type(raw: str, expected: str) -> None:
    assert json_type(raw) == expected


def test_unknown_type_has_no_type_keyword_but_says_what_it_was() -> None:
    field = Field(param("blob", "blob", "body", "uuid-ish", Source("x.inc", 1), 9))
    full = field_schema(field, View())
    assert "type" not in full
    assert full["x-openstack-type"] == "uuid-ish"
    assert "x-openstack-type" not in field_schema(field, View(mv("2.1")))


def test_nullable_adds_null_to_the_type() -> None:
    field = Field(param("user_id", "u", "body", "string", Source("x.inc", 1), 9, nullable=True))
    assert field_schema(field, View())["type"] == ["string", "null"]
    none_field = Field(param("pause", "pause", "body", "none", Source("x.inc", 1), 9, nullable=True))
    assert field_schema(none_field, View())["type"] == "null"


def test_full_view_records_sources_ranges_and_completeness() -> None:
    schema = field_schema(show_server_migration().response_body[0], View())
    assert schema["x-openstack-source"] == "server-migrations.inc:93"
    assert schema["x-openstack-definition"] == "parameters.yaml:4884"
    assert schema["x-openstack-complete"] is True
    assert "additionalProperties" not in schema
    uuid = schema["properties"]["uuid"]
    assert uuid["x-openstack-microversions"] == {"min": "2.59"}
    assert uuid["x-openstack-definition"] == "parameters.yaml:4949"
    # Version-gated required fields are not unconditionally required, but say so.
    assert "uuid" not in schema["required"]
    assert uuid["x-openstack-required"] is True
    assert set(schema["required"]) == set(BASE_MIGRATION_FIELDS)
    assert list(schema["properties"])[:3] == ["created_at", "dest_compute", "dest_host"]


def test_array_with_children_becomes_array_of_objects() -> None:
    schema = field_schema(list_migrations().response_body[0], View(mv("2.23")))
    assert schema["type"] == "array"
    items = schema["items"]
    assert items["type"] == "object"
    assert items["additionalProperties"] is False
    assert "migration_type" in items["properties"] and "uuid" not in items["properties"]
    assert "links" not in items["required"]


def test_childless_complete_object_stays_open() -> None:
    metadata = Field(param("metadata", "metadata", "body", "object", Source("x.inc", 1), 9), complete=True)
    assert "additionalProperties" not in field_schema(metadata, View(mv("2.1")))


def test_same_name_defined_twice_becomes_alternatives() -> None:
    old = param("id", "hypervisor_id_body", "body", "integer", Source("h.inc", 1), 1, high="2.52")
    new = param("id", "hypervisor_id_body_uuid", "body", "string", Source("h.inc", 2), 2, low="2.53")
    holder = param("hypervisor", "hypervisor", "body", "object", Source("h.inc", 3), 3)
    field = Field(holder, (Field(old), Field(new)))
    full = field_schema(field, View())
    assert [alt["type"] for alt in full["properties"]["id"]["anyOf"]] == ["integer", "string"]
    assert field_schema(field, View(mv("2.53")))["properties"]["id"]["type"] == "string"


@pytest.mark.parametrize(
    ("version", "present", "absent"),
    [
        ("2.23", [], ["uuid", "user_id", "project_id"]),
        ("2.58", [], ["uuid", "user_id"]),
        ("2.59", ["uuid"], ["user_id", "project_id"]),
        ("2.79", ["uuid"], ["user_id"]),
        ("2.80", ["uuid", "user_id", "project_id"], []),
    ],
)
def test_response_schema_prunes_fields_by_version(version: str, present: list[str], absent: list[str]) -> None:
    schema = response_schema(show_server_migration(), 200, mv(version))
    assert schema is not None
    item = schema["properties"]["migration"]
    assert set(item["properties"]) == set(BASE_MIGRATION_FIELDS) | set(present)
    assert set(item["required"]) == set(BASE_MIGRATION_FIELDS) | set(present)
    assert not set(absent) & set(item["properties"])
    jsonschema.validate({"migration": migration(version)}, schema)


def test_response_schema_rejects_what_the_version_does_not_document() -> None:
    schema = response_schema(show_server_migration(), 200, mv("2.58"))
    assert schema is not None
    with pytest.raises(jsonschema.ValidationError, match="uuid"):
        jsonschema.validate({"migration": migration("2.59")}, schema)
    incomplete = migration("2.58")
    del incomplete["status"]
    with pytest.raises(jsonschema.ValidationError, match="status"):
        jsonschema.validate({"migration": incomplete}, schema)
    nulled = migration("2.80") | {"uuid": None}
    later = response_schema(show_server_migration(), 200, mv("2.80"))
    assert later is not None
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"migration": nulled}, later)


def test_response_schema_is_self_contained() -> None:
    schema = response_schema(show_server_migration(), 404, mv("2.59"))
    assert schema is not None
    assert "$ref" not in repr(schema)
    jsonschema.validate({"itemNotFound": {"code": 404, "message": "Migration 3 could not be found."}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"a": {"code": 404, "message": "m"}, "b": {}}, schema)


def test_response_schema_is_none_when_nothing_is_documented() -> None:
    assert response_schema(show_server_migration(), 200, mv("2.22")) is None  # not served yet
    assert response_schema(show_server_migration(), 500, mv("2.59")) is None  # undocumented code
    assert response_schema(force_complete(), 202, mv("2.22")) is None  # no response body
    assert response_schema(create_backup(), 202, mv("2.44")) is None  # body starts at 2.45
    backup = response_schema(create_backup(), 202, mv("2.45"))
    assert backup is not None and backup["required"] == ["image_id"]


def test_request_schema_requires_the_action_key() -> None:
    schema = request_schema(reboot(), mv("2.1"))
    assert schema is not None
    jsonschema.validate({"reboot": {"type": "HARD"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"reboot": {"type": "HARD", "force": True}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"pause": None}, schema)
    paused = request_schema(pause(), mv("2.90"))
    assert paused is not None and paused["properties"]["pause"]["type"] == "null"
    assert request_schema(pause(), mv("2.91")) is None
    assert request_schema(show_server_migration(), mv("2.59")) is None


def test_parameter_schema_ignores_nullability_and_gives_array_items() -> None:
    nullable = param("marker", "m", "query", "string", Source(SERVER_ACTIONS, 1), 1, nullable=True)
    assert parameter_schema(nullable) == {"type": "string"}
    listed = param("tags", "t", "query", "list", Source(SERVER_ACTIONS, 1), 1)
    assert parameter_schema(listed) == {"type": "array", "items": {"type": "string"}}
    odd = param("odd", "o", "query", "weird", Source(SERVER_ACTIONS, 1), 1)
    assert parameter_schema(odd) == {}
    assert parameter_schema(param("n", "n", "path", "integer", Source(SERVER_ACTIONS, 1), 1)) == {"type": "integer"}
