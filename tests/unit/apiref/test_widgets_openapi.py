"""The widgets fixture all the way to OpenAPI: each service's header, faults and paths; samples as evidence."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from apiref_fixture import WIDGETS_SOURCE, line_of
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.model import ApiRef, Microversion, Source
from conformance.openapi import emit, project, response_schema
from conformance.openapi.evidence import sample_defects

LIST = "/v3/{project_id}/widgets"
WIDGETS_INC = WIDGETS_SOURCE / "widgets.inc"
V = Microversion.parse


@pytest.fixture(scope="module")
def versionless() -> ApiRef:
    """The widgets fixture read as a service without microversions (image)."""
    return compile_apiref(sources.local(WIDGETS_SOURCE, service="image"), strict=False, jobs=1)


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_the_full_document_says_how_to_speak_to_the_service(widgets_apiref: ApiRef) -> None:
    document = emit(widgets_apiref)
    validate(document)
    info = document["info"]
    assert info["version"] == "3.0"
    assert info["x-openstack-microversion-header"] == {"name": "OpenStack-API-Version", "service": "volume"}
    assert info["x-openstack-supported-microversions"] == {
        "min": "3.0", "max": "3.12", "source": f"versions.inc:{line_of(WIDGETS_SOURCE / 'versions.inc', 'versions-r')}"}
    assert "/v3/{project_id}" in info["x-openstack-paths"]
    header = document["components"]["parameters"]["OpenStackAPIVersion"]
    assert header["schema"]["pattern"] == r"^volume (latest|[0-9]+\.[0-9]+)$"
    assert header["description"].startswith("The microversion requested, e.g. 'volume 3.0'")
    # Paths stay as the api-ref writes them, version prefix included.
    assert ("GET", LIST) in operations(document) and ("DELETE", "/v3/{project_id}/widgets/{widget_id_name}") in \
        operations(document)


def test_a_projection_pins_the_service_token(widgets_apiref: ApiRef) -> None:
    document = project(widgets_apiref, V("3.5"))
    validate(document)
    header = document["components"]["parameters"]["OpenStackAPIVersion"]
    assert header["schema"] == {"type": "string", "enum": ["volume 3.5"]}
    assert document["info"]["x-openstack-microversion-header"]["service"] == "volume"
    # Show needs 3.2 (cinder's "Available starting in the 3.2 microversion"): at 3.1 only Show usage is left.
    described = {version: project(widgets_apiref, V(version))["paths"]["/v3/{project_id}/widgets/{widget_id}"][
        "get"]["description"] for version in ("3.1", "3.2")}
    assert "show-widget-details" not in described["3.1"] and "show-widget-usage" in described["3.1"]
    assert "show-widget-details" in described["3.2"]


@pytest.mark.parametrize(("version", "colour"), [("3.4", False), ("3.5", True)])
def test_the_heading_ranges_project_exactly(widgets_apiref: ApiRef, version: str, colour: bool) -> None:
    document = project(widgets_apiref, V(version))
    item = document["paths"][LIST]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
        "properties"]["widgets"]["items"]
    assert ("colour" in item["properties"]) is colour
    body = {"widgets": [{"id": "w", "name": "n", "size": 1, **({"colour": "teal"} if colour else {})}]}
    openapi = OpenAPI.from_dict(document)
    request = MockRequest("http://cinder.test", "get", "/v3/p1/widgets",
                          headers={"OpenStack-API-Version": f"volume {version}"})
    openapi.validate_response(request, MockResponse(json.dumps(body).encode(), status_code=200))
    if not colour:
        body["widgets"][0]["colour"] = "teal"
        with pytest.raises(InvalidData):
            openapi.validate_response(request, MockResponse(json.dumps(body).encode(), status_code=200))


def test_status_file_descriptions_describe_the_responses(widgets_apiref: ApiRef) -> None:
    responses = emit(widgets_apiref)["paths"]["/v3/gadgets"]["post"]["responses"]
    assert responses["201"]["description"] == "The gadget was created."
    assert responses["401"]["description"] == "The credentials were refused."
    fault = {"$ref": "#/components/schemas/BlockStorageFault"}
    assert responses["401"]["content"]["application/json"]["schema"] == fault


def test_a_service_without_microversions_has_no_header_and_one_plain_document(versionless: ApiRef) -> None:
    full = emit(versionless)
    validate(full)
    assert "x-openstack-microversion-header" not in full["info"] and "x-openstack-microversions" not in full
    assert "parameters" not in full["components"]
    assert full["components"]["schemas"]["Fault"]["x-openstack-note"].startswith("Constrains nothing")
    assert all({"$ref": "#/components/parameters/OpenStackAPIVersion"} not in operation.get("parameters", [])
               for item in full["paths"].values() for operation in item.values())
    plain = project(versionless)
    validate(plain)
    assert plain["info"]["version"] == "2" and "no microversions" in plain["info"]["description"]
    gadget = plain["paths"]["/v3/gadgets"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    # Plain, not annotated: the object the api-ref lists completely is closed.
    assert gadget["properties"]["gadget"]["additionalProperties"] is False
    assert "x-openstack-microversions" not in json.dumps(plain)


def test_response_schemas_of_a_versionless_service(versionless: ApiRef) -> None:
    create = versionless.find("POST", "/v3/gadgets")
    schema = response_schema(create, 201, None)
    assert schema is not None and "gadget" in schema["properties"]
    assert response_schema(create, 401, None, fault="api-sig-errors") is not None
    assert response_schema(create, 418, None) is None


def test_an_operation_without_codes_gets_a_default_response(widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    bare = replace(widgets_apiref, operations=(replace(listing, normal_codes=(), error_codes=()),))
    document = emit(bare)
    validate(document)
    assert document["paths"][LIST]["get"]["responses"] == {"default": {
        "description": "The api-ref documents no response code for this operation.", "x-openstack-undocumented": True}}


def test_each_response_sample_is_evidence_against_its_projection(widgets_apiref: ApiRef) -> None:
    found = sample_defects(widgets_apiref)
    show = line_of(WIDGETS_INC, "widget-show-response.json")
    documented = line_of(WIDGETS_INC, "- created_at: created_at")
    assert [(d.code, d.source) for d in found] == [("sample-contradicts-schema", Source("widgets.inc", show))]
    assert found[0].message == (
        f"`widget.created_at` '2024-05-01 10:00:00' is not an ISO 8601 date and time (YYYY-MM-DDThh:mm:ss) "
        f"(documented at widgets.inc:{documented}) in samples/widgets/widget-show-response.json at 3.2")


def test_evidence_is_checked_at_the_sample_version(widgets_apiref: ApiRef) -> None:
    # The 3.0 sample given a colour contradicts the 3.0 projection (colour arrives at 3.5), not the 3.5 one.
    listing = widgets_apiref.find("GET", LIST)
    old, new = listing.samples
    coloured = {"widgets": [{"colour": "teal", "id": "w", "name": "n", "size": 3}]}
    changed = replace(listing, samples=(replace(old, body=coloured), new))
    apiref = replace(widgets_apiref, operations=(changed,), defects=())
    (defect,) = sample_defects(apiref)
    assert defect.source == old.source
    assert defect.message.startswith("`widgets.colour` is not among the fields documented for this version")
    assert defect.message.endswith("in samples/widgets/widgets-list-response.json at 3.0")


def test_what_the_compiler_reported_is_not_reported_twice(widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    old, new = listing.samples
    untyped = {"widgets": [{"id": "w", "name": "n", "size": "three"}]}
    changed = replace(listing, samples=(replace(old, body=untyped), new))
    bare = replace(widgets_apiref, operations=(changed,), defects=())
    (defect,) = sample_defects(bare)
    assert defect.message.startswith("`widgets.size` is a JSON string, documented as integer")
    # Had the compiler's own sample check named that field at that sample, the evidence stays silent on it.
    from conformance.model import Defect

    reported = Defect("sample-type-mismatch", "`widgets.size` in samples/... is a JSON string", old.source)
    assert sample_defects(replace(bare, defects=(reported,))) == []
