"""The full, microversion-aware document."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from conformance.model import MicroversionRange, ResponseCode, Source
from conformance.openapi import dump_json, dump_yaml, emit, microversion_boundaries, project, response_schema

from .fixtures import (
    ACTION_PATH,
    COMPUTE_PROTOCOL,
    FORCE_PATH,
    MIGRATION_PATH,
    MIGRATIONS_PATH,
    build_apiref,
    force_complete,
    list_migrations,
    mv,
    param,
)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return emit(build_apiref())


def test_validates_as_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_info_records_the_origin(document: dict[str, Any]) -> None:
    info = document["info"]
    assert info["title"] == "OpenStack compute API"
    assert info["version"] == "2.1"
    assert "conformance" in info["description"] and "nova==34.0.0" in info["description"]
    assert info["x-openstack-source"] == {"origin": "nova==34.0.0", "sha256": "0" * 64}


def test_lists_every_microversion_boundary(document: dict[str, Any]) -> None:
    expected = ["2.22", "2.23", "2.24", "2.44", "2.45", "2.59", "2.64", "2.65", "2.66", "2.80", "2.90"]
    assert document["x-openstack-microversions"] == expected
    assert [str(v) for v in microversion_boundaries(build_apiref())] == expected


def test_paths_sorted_and_methods_in_fixed_order(document: dict[str, Any]) -> None:
    assert list(document["paths"]) == sorted(document["paths"])
    assert list(document["paths"][MIGRATION_PATH]) == ["get", "delete"]


def test_operations_carry_their_provenance_and_range(document: dict[str, Any]) -> None:
    force = document["paths"][FORCE_PATH]["post"]
    assert force["operationId"] == "post_servers_server_id_migrations_migration_id_action__force_complete"
    assert force["x-openstack-source"] == "server-migrations.inc:122"
    assert force["x-openstack-microversions"] == {"min": "2.22"}
    assert force["x-openstack-admin-only"] is True
    assert force["x-openstack-action"] == "force_complete"
    assert document["paths"][MIGRATION_PATH]["delete"]["x-openstack-microversions"] == {"min": "2.24"}
    assert "x-openstack-microversions" not in document["paths"]["/os-migrations"]["get"]


def test_preconditions_and_postconditions(document: dict[str, Any]) -> None:
    abort = document["paths"][MIGRATION_PATH]["delete"]
    rules = abort["x-openstack-preconditions"]
    assert rules[1] == {
        "subject": "migration", "attribute": "status", "allowed": ["running"],
        "microversions": {"min": "2.24", "max": "2.64"}, "source": "server-migrations.inc:221",
        "text": "The migration status value must be running.",
    }
    assert rules[2]["allowed"] == ["running", "queued", "preparing"]
    assert abort["x-openstack-notes"][0]["source"] == "server-migrations.inc:204"
    force = document["paths"][FORCE_PATH]["post"]
    assert force["x-openstack-postconditions"] == [
        {"text": "After you make this request, poll the server status.", "source": "server-migrations.inc:150"}
    ]


def test_parameters_record_source_definition_and_range(document: dict[str, Any]) -> None:
    parameters = document["paths"]["/os-migrations"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters if "name" in p}
    assert by_name["limit"]["x-openstack-microversions"] == {"min": "2.59"}
    assert by_name["limit"]["x-openstack-source"] == "os-migrations.inc:38"
    assert by_name["limit"]["x-openstack-definition"] == "parameters.yaml:1045"
    assert by_name["user_id"]["x-openstack-microversions"] == {"min": "2.80"}
    assert "x-openstack-microversions" not in by_name["host"]
    assert parameters[-1] == {"$ref": "#/components/parameters/OpenStackAPIVersion"}
    header = document["components"]["parameters"]["OpenStackAPIVersion"]
    assert header["name"] == "OpenStack-API-Version" and header["required"] is False


def test_full_document_does_not_prune_or_close_objects(document: dict[str, Any]) -> None:
    schema = document["paths"]["/os-migrations"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    items = schema["properties"]["migrations"]["items"]
    assert {"uuid", "user_id", "links", "migration_type"} <= set(items["properties"])
    assert items["properties"]["links"]["x-openstack-microversions"] == {"min": "2.23"}
    assert items["x-openstack-complete"] is True
    assert "additionalProperties" not in items
    assert schema["properties"]["migrations_links"]["x-openstack-microversions"] == {"min": "2.59"}
    assert items["properties"]["user_id"]["type"] == ["string", "null"]


def test_responses_have_names_sources_and_fault_bodies(document: dict[str, Any]) -> None:
    responses = document["paths"][MIGRATIONS_PATH]["get"]["responses"]
    assert list(responses) == ["200", "401", "403", "404"]
    assert responses["200"]["description"] == "OK"
    assert responses["404"]["description"] == "itemNotFound"
    assert responses["404"]["x-openstack-source"] == "server-migrations.inc:25"
    fault = responses["404"]["content"]["application/json"]["schema"]
    assert fault == {"$ref": "#/components/schemas/ComputeFault"}
    component = document["components"]["schemas"]["ComputeFault"]
    assert component["maxProperties"] == 1 and "x-openstack-note" in component
    assert "content" not in document["paths"][FORCE_PATH]["post"]["responses"]["202"]


def test_variants_share_one_operation(document: dict[str, Any]) -> None:
    action = document["paths"][ACTION_PATH]["post"]
    assert action["operationId"] == "post_servers_server_id_action"
    variants = action["x-openstack-variants"]
    assert [v["action"] for v in variants] == ["createBackup", "pause", "reboot"]
    assert variants[1]["x-openstack-microversions"] == {"max": "2.90"}
    assert variants[1]["x-openstack-source"] == "servers-actions.inc:442"
    bodies = action["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [b["x-openstack-action"] for b in bodies] == ["createBackup", "pause", "reboot"]
    assert bodies[1]["x-openstack-microversions"] == {"max": "2.90"}
    assert list(action["responses"]) == ["202", "400", "401", "403", "404", "409", "501"]
    assert action["responses"]["501"]["x-openstack-microversions"] == {"max": "2.90"}
    assert "x-openstack-microversions" not in action["responses"]["404"]
    assert [p.get("name") for p in action["parameters"]] == ["server_id", None]


def test_response_headers_come_from_header_parameters(document: dict[str, Any]) -> None:
    accepted = document["paths"][ACTION_PATH]["post"]["responses"]["202"]
    location = accepted["headers"]["Location"]
    assert location["x-openstack-microversions"] == {"max": "2.44"}
    assert location["required"] is False and location["x-openstack-required"] is True
    assert location["schema"] == {"type": "string"}


def test_undocumented_path_variable_is_declared() -> None:
    operation = replace(list_migrations(), path="/os-migrations/{migration_id}")
    document = emit(replace(build_apiref(), operations=(operation,)))
    validate(document)
    declared = document["paths"]["/os-migrations/{migration_id}"]["get"]["parameters"]
    assert {"name": "migration_id", "in": "path", "required": True, "schema": {"type": "string"},
            "x-openstack-undocumented": True} in declared


def test_repeated_query_name_merges_into_alternatives() -> None:
    operation = list_migrations()
    uuid_marker = param("marker", "marker_uuid", "query", "string", Source("os-migrations.inc", 44), 1060,
                        required=False, low="2.90")
    old_marker = replace(operation.parameters_in("query")[7], versions=MicroversionRange(mv("2.59"), mv("2.89")))
    parameters = (*(p for p in operation.parameters if p.name != "marker"), old_marker, uuid_marker)
    document = emit(replace(build_apiref(), operations=(replace(operation, parameters=parameters),)))
    validate(document)
    markers = [p for p in document["paths"]["/os-migrations"]["get"]["parameters"] if p.get("name") == "marker"]
    assert len(markers) == 1
    assert markers[0]["x-openstack-microversions"] == {"min": "2.59"}
    assert [alt["x-openstack-source"] for alt in markers[0]["schema"]["anyOf"]] == [
        "os-migrations.inc:39", "os-migrations.inc:44"]


def test_deprecated_operation_is_marked() -> None:
    document = emit(replace(build_apiref(), operations=(replace(list_migrations(), deprecated=True),)))
    assert document["paths"]["/os-migrations"]["get"]["deprecated"] is True


def test_output_is_deterministic_and_round_trips(document: dict[str, Any]) -> None:
    text = dump_yaml(document)
    assert text == dump_yaml(emit(build_apiref()))
    assert "&id" not in text and "*id" not in text
    assert yaml.safe_load(text) == document
    assert json.loads(dump_json(document)) == document
    assert dump_json(document).endswith("}\n")


def test_removed_operation_stays_in_full_but_leaves_projections() -> None:
    apiref = replace(build_apiref(), operations=(replace(list_migrations(), removed=True),))
    operation = emit(apiref)["paths"]["/os-migrations"]["get"]
    assert operation["deprecated"] is True and operation["x-openstack-removed"] is True
    assert project(apiref, mv("2.1"))["paths"] == {}
    assert response_schema(apiref.operations[0], 200, mv("2.1")) is None


def test_version_qualified_response_codes() -> None:
    operation = list_migrations()
    ok = replace(operation.normal_codes[0], versions=MicroversionRange(None, mv("2.99")))
    gone = ResponseCode(204, None, Source("os-migrations.inc", 23), MicroversionRange(mv("2.100"), None))
    apiref = replace(build_apiref(), operations=(replace(operation, normal_codes=(ok, gone)),))
    responses = emit(apiref)["paths"]["/os-migrations"]["get"]["responses"]
    assert responses["200"]["x-openstack-microversions"] == {"max": "2.99"}
    assert responses["204"]["x-openstack-microversions"] == {"min": "2.100"}
    assert "2.100" in emit(apiref)["x-openstack-microversions"]
    assert list(project(apiref, mv("2.99"))["paths"]["/os-migrations"]["get"]["responses"]) == [
        "200", "400", "401", "403"]
    assert "200" not in project(apiref, mv("2.100"))["paths"]["/os-migrations"]["get"]["responses"]
    assert response_schema(apiref.operations[0], 200, mv("2.100")) is None
    assert response_schema(apiref.operations[0], 200, mv("2.99")) is not None


def test_precondition_condition_and_supported_range() -> None:
    force = force_complete()
    rule = replace(force.preconditions[0], condition="HARD reboot", negated=True)
    apiref = replace(build_apiref(), operations=(replace(force, preconditions=(rule,)),),
                     protocol=replace(COMPUTE_PROTOCOL, versions=MicroversionRange(mv("2.1"), mv("2.100")),
                                      source=Source("versions.inc", 3)))
    document = emit(apiref)
    entry = document["paths"][FORCE_PATH]["post"]["x-openstack-preconditions"][0]
    assert entry["condition"] == "HARD reboot" and entry["negated"] is True
    assert document["info"]["x-openstack-supported-microversions"] == {
        "min": "2.1", "max": "2.100", "source": "versions.inc:3"}
    assert "x-openstack-supported-microversions" not in emit(build_apiref())["info"]


def test_path_parameter_missing_from_the_template_is_set_aside() -> None:
    operation = list_migrations()
    stray = param("tenant_id", "tenant_id", "path", "string", Source("os-cells.inc", 35), 332)
    apiref = replace(build_apiref(), operations=(replace(operation, parameters=(stray, *operation.parameters)),))
    document = emit(apiref)
    validate(document)
    validate(project(apiref, mv("2.1")))
    get = document["paths"]["/os-migrations"]["get"]
    assert "tenant_id" not in {p.get("name") for p in get["parameters"]}
    assert get["x-openstack-stray-parameters"] == [
        {"name": "tenant_id", "in": "path", "source": "os-cells.inc:35", "definition": "parameters.yaml:332"}]
