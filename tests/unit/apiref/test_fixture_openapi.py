"""The fixture api-ref all the way to OpenAPI: projections, strictness, nulls and time stamps."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from conformance.model import ApiRef, Microversion
from conformance.openapi import emit, project

LIST = "/servers/{server_id}/snapshots"
ONE = "/servers/{server_id}/snapshots/{snapshot_id}"
ACTION = "/servers/{server_id}/snapshots/{snapshot_id}/action"


def item_schema(document: dict[str, Any]) -> dict[str, Any]:
    response = document["paths"][LIST]["get"]["responses"]["200"]
    return response["content"]["application/json"]["schema"]["properties"]["snapshots"]["items"]  # type: ignore[no-any-return]


def validate_list(document: dict[str, Any], body: object) -> None:
    openapi = OpenAPI.from_dict(document)
    request = MockRequest("http://nova.test", "get", "/servers/abc/snapshots",
                          headers={"OpenStack-API-Version": f"compute {document['info']['version']}"})
    openapi.validate_response(request, MockResponse(json.dumps(body).encode(), status_code=200))


def snapshot(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"created_at": "2016-01-29T13:42:02.000000", "id": 4, "name": "n", "size": 1.5,
                               "status": "available", "updated_at": None, "uuid": "u"}
    return {k: v for k, v in (base | changes).items() if v is not ...}


@pytest.mark.parametrize(("version", "fields"), [
    ("2.23", ["created_at", "id", "legacy_host", "name", "size", "status", "updated_at", "snapshots_links"]),
    ("2.25", ["created_at", "id", "name", "size", "status", "updated_at", "uuid", "snapshots_links"]),
])
def test_each_version_has_exactly_its_fields(fixture_apiref: ApiRef, version: str, fields: list[str]) -> None:
    document = project(fixture_apiref, Microversion.parse(version))
    validate(document)
    items = item_schema(document)
    assert list(items["properties"]) == fields
    # Every sample field is documented, so the object is closed; snapshots_links is optional.
    assert items["additionalProperties"] is False
    assert items["required"] == [f for f in fields if f != "snapshots_links"]


def test_an_object_with_an_undocumented_sample_field_stays_open(fixture_apiref: ApiRef) -> None:
    document = project(fixture_apiref, Microversion(2, 25))
    response = document["paths"][ONE]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "additionalProperties" not in response["properties"]["snapshot"]


def test_documented_samples_validate_against_their_projection(fixture_apiref: ApiRef) -> None:
    operation = fixture_apiref.find("GET", LIST)
    for sample in operation.samples:
        assert sample.microversion is not None
        validate_list(project(fixture_apiref, sample.microversion), sample.body)


def test_time_stamps_need_the_iso_8601_shape_but_not_a_zone(fixture_apiref: ApiRef) -> None:
    document = project(fixture_apiref, Microversion(2, 25))
    assert item_schema(document)["properties"]["created_at"]["pattern"].startswith("^")
    for stamp in ("2016-01-29T13:42:02.000000", "2016-01-29T13:42:02Z", "2016-01-29T13:42:02+01:00",
                  "2016-01-29T13:42:02-0500"):
        validate_list(document, {"snapshots": [snapshot(created_at=stamp, updated_at=stamp)]})
    for stamp in ("yesterday", "2016-01-29 13:42:02", "2016-01-29", "13:42:02"):
        with pytest.raises(InvalidData):
            validate_list(document, {"snapshots": [snapshot(created_at=stamp)]})


def test_nulls_only_where_documented(fixture_apiref: ApiRef) -> None:
    document = project(fixture_apiref, Microversion(2, 25))
    validate_list(document, {"snapshots": [snapshot(updated_at=None)]})
    with pytest.raises(InvalidData):
        validate_list(document, {"snapshots": [snapshot(name=None)]})


def test_removed_and_added_fields_are_enforced(fixture_apiref: ApiRef) -> None:
    with pytest.raises(InvalidData):  # uuid is 2.25 and later
        validate_list(project(fixture_apiref, Microversion(2, 24)), {"snapshots": [snapshot(legacy_host="h")]})
    with pytest.raises(InvalidData):  # legacy_host is gone at 2.25
        validate_list(project(fixture_apiref, Microversion(2, 25)), {"snapshots": [snapshot(legacy_host="h")]})
    validate_list(project(fixture_apiref, Microversion(2, 24)), {"snapshots": [snapshot(uuid=..., legacy_host="h")]})


def test_operations_come_and_go_with_their_versions(fixture_apiref: ApiRef) -> None:
    def operations(version: str) -> set[tuple[str, str]]:
        paths = project(fixture_apiref, Microversion.parse(version))["paths"]
        return {(method.upper(), path) for path, item in paths.items() for method in item if method != "parameters"}

    base = {("GET", "/"), ("GET", "/v2.1")}
    assert operations("2.21") == base
    assert operations("2.22") == base | {("POST", ACTION)}
    assert operations("2.23") == base | {("POST", ACTION), ("GET", LIST), ("GET", ONE)}
    assert operations("2.24") == operations("2.23") | {("DELETE", ONE)}


def test_the_full_document_annotates_sources_and_versions(fixture_apiref: ApiRef) -> None:
    document = emit(fixture_apiref)
    validate(document)
    items = item_schema(document)
    assert items["properties"]["uuid"]["x-openstack-microversions"] == {"min": "2.25"}
    assert items["properties"]["legacy_host"]["x-openstack-microversions"] == {"max": "2.24"}
    assert items["properties"]["created_at"]["x-openstack-source"] == str(
        fixture_apiref.find("GET", LIST).response_body[0].children[0].parameter.source)
    assert document["paths"][LIST]["get"]["x-openstack-microversions"] == {"min": "2.23"}
