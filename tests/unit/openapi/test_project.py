"""The plain document of one microversion, checked with the tools that consume it."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from conformance.openapi import dump_yaml, project, response_schema

from .fixtures import (
    ACTION_PATH,
    FORCE_PATH,
    MIGRATION_PATH,
    MIGRATIONS_PATH,
    build_apiref,
    mv,
    pause,
    show_server_migration,
)
from .test_schema import migration

SERVER_MIGRATION_OPERATIONS = {
    ("get", MIGRATIONS_PATH): "list",
    ("get", MIGRATION_PATH): "show",
    ("post", FORCE_PATH): "force",
    ("delete", MIGRATION_PATH): "delete",
}


def served(document: dict[str, Any]) -> set[str]:
    return {
        name for (method, path), name in SERVER_MIGRATION_OPERATIONS.items()
        if method in document["paths"].get(path, {})
    }


def migration_fields(document: dict[str, Any]) -> set[str]:
    show = document["paths"][MIGRATION_PATH]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return set(show["properties"]["migration"]["properties"])


@pytest.mark.parametrize(
    ("version", "operations", "extra_fields"),
    [
        ("2.21", set(), None),
        ("2.22", {"force"}, None),
        ("2.23", {"list", "show", "force"}, set()),
        ("2.58", {"list", "show", "force", "delete"}, set()),
        ("2.59", {"list", "show", "force", "delete"}, {"uuid"}),
        ("2.79", {"list", "show", "force", "delete"}, {"uuid"}),
        ("2.80", {"list", "show", "force", "delete"}, {"uuid", "user_id", "project_id"}),
        ("2.104", {"list", "show", "force", "delete"}, {"uuid", "user_id", "project_id"}),
    ],
)
def test_golden_server_migrations(version: str, operations: set[str], extra_fields: set[str] | None) -> None:
    document = project(build_apiref(), mv(version))
    validate(document)
    assert document["info"]["version"] == version
    assert served(document) == operations
    if extra_fields is not None:
        base = migration_fields(project(build_apiref(), mv("2.23")))
        assert len(base) == 16
        assert migration_fields(document) == base | extra_fields


@pytest.mark.parametrize(
    ("version", "queries", "fields"),
    [
        ("2.1", set(), set()),
        ("2.23", set(), {"migration_type", "links"}),
        ("2.59", {"limit", "marker", "changes-since"}, {"migration_type", "links", "uuid"}),
        ("2.80", {"limit", "marker", "changes-since", "changes-before", "user_id", "project_id"},
         {"migration_type", "links", "uuid", "user_id", "project_id"}),
    ],
)
def test_os_migrations_parameters_and_fields(version: str, queries: set[str], fields: set[str]) -> None:
    operation = project(build_apiref(), mv(version))["paths"]["/os-migrations"]["get"]
    names = {p["name"] for p in operation["parameters"] if "name" in p}
    always = {"hidden", "host", "instance_uuid", "migration_type", "source_compute", "status"}
    assert names == always | queries
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    items = body["properties"]["migrations"]["items"]
    assert set(items["properties"]) - set(migration("2.1")) - {"instance_uuid", "new_instance_type_id",
                                                               "old_instance_type_id"} == fields
    assert ("migrations_links" in body["properties"]) == (mv(version) >= mv("2.59"))
    assert "links" not in items.get("required", [])


def test_version_header_is_required_and_pinned() -> None:
    document = project(build_apiref(), mv("2.59"))
    header = document["components"]["parameters"]["OpenStackAPIVersion"]
    assert header["required"] is True
    assert header["schema"] == {"type": "string", "enum": ["compute 2.59"]}
    for item in document["paths"].values():
        for operation in item.values():
            assert {"$ref": "#/components/parameters/OpenStackAPIVersion"} in operation["parameters"]


def test_variants_are_filtered_by_version() -> None:
    early = project(build_apiref(), mv("2.90"))["paths"][ACTION_PATH]["post"]
    bodies = early["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [b["title"] for b in bodies][1] == "Pause Server (pause Action)"
    late = project(build_apiref(), mv("2.91"))["paths"][ACTION_PATH]["post"]
    titles = [b["title"] for b in late["requestBody"]["content"]["application/json"]["schema"]["oneOf"]]
    assert len(titles) == 2 and "Pause Server (pause Action)" not in titles
    assert "501" not in late["responses"]
    assert late["operationId"] == early["operationId"] == "post_servers_server_id_action"
    only_pause = replace(build_apiref(), operations=(pause(), replace(pause(), action="unpause", title="Unpause")))
    assert project(only_pause, mv("2.91"))["paths"] == {}


def test_projected_response_is_what_response_schema_gives() -> None:
    document = project(build_apiref(), mv("2.59"))
    content = document["paths"][MIGRATION_PATH]["get"]["responses"]["200"]["content"]["application/json"]
    expected = response_schema(show_server_migration(), 200, mv("2.59"))
    assert expected is not None
    expected.pop("$schema")
    assert content["schema"] == expected


def test_only_sources_remain_of_the_annotations() -> None:
    text = dump_yaml(project(build_apiref(), mv("2.80")))
    assert "x-openstack-source" in text
    for key in ("x-openstack-microversions", "x-openstack-definition", "x-openstack-variants",
                "x-openstack-complete", "x-openstack-preconditions", "x-openstack-required"):
        assert key not in text


def _validate_show(document: dict[str, Any], body: dict[str, Any]) -> None:
    openapi = OpenAPI.from_dict(document)
    request = MockRequest("http://nova.test", "get", "/servers/abc/migrations/3",
                          headers={"OpenStack-API-Version": f"compute {document['info']['version']}"})
    openapi.validate_request(request)
    response = MockResponse(json.dumps(body).encode(), status_code=200, content_type="application/json")
    openapi.validate_response(request, response)


def test_openapi_core_accepts_a_2_59_response_with_uuid() -> None:
    _validate_show(project(build_apiref(), mv("2.59")), {"migration": migration("2.59")})


def test_openapi_core_rejects_uuid_at_2_58() -> None:
    with pytest.raises(InvalidData):
        _validate_show(project(build_apiref(), mv("2.58")), {"migration": migration("2.59")})


def test_openapi_core_rejects_a_missing_required_field() -> None:
    body = migration("2.80")
    del body["user_id"]
    with pytest.raises(InvalidData):
        _validate_show(project(build_apiref(), mv("2.80")), {"migration": body})


def test_openapi_core_accepts_documented_nulls_only() -> None:
    document = project(build_apiref(), mv("2.80"))
    _validate_show(document, {"migration": migration("2.80") | {"source_node": None, "project_id": None}})
    with pytest.raises(InvalidData):
        _validate_show(document, {"migration": migration("2.80") | {"status": None}})


def test_openapi_core_validates_error_bodies() -> None:
    openapi = OpenAPI.from_dict(project(build_apiref(), mv("2.59")))
    request = MockRequest("http://nova.test", "get", "/servers/abc/migrations/3")
    fault = {"itemNotFound": {"code": 404, "message": "Migration 3 could not be found."}}
    openapi.validate_response(request, MockResponse(json.dumps(fault).encode(), status_code=404))
    with pytest.raises(InvalidData):
        openapi.validate_response(request, MockResponse(b'{"itemNotFound": {"code": 404}}', status_code=404))


def test_schemathesis_lists_the_operations() -> None:
    schema = schemathesis.openapi.from_dict(project(build_apiref(), mv("2.24")))
    labels = sorted(result.ok().label for result in schema.get_all_operations())  # type: ignore[union-attr]
    assert labels == [
        "DELETE /servers/{server_id}/migrations/{migration_id}",
        "GET /os-migrations",
        "GET /servers/{server_id}/migrations",
        "GET /servers/{server_id}/migrations/{migration_id}",
        "POST /servers/{server_id}/action",
        "POST /servers/{server_id}/migrations/{migration_id}/action",
    ]


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_schemathesis_generates_valid_action_requests(data: st.DataObject) -> None:
    schema = schemathesis.openapi.from_dict(project(build_apiref(), mv("2.59")))
    operation = schema["/servers/{server_id}/action"]["POST"]
    case = data.draw(operation.as_strategy())
    assert case.headers is not None and case.headers["OpenStack-API-Version"] == "compute 2.59"
    assert isinstance(case.body, dict) and len(case.body) >= 1
    assert set(case.body) & {"createBackup", "pause", "reboot"}
