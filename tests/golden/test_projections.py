"""nova 34.0.0's api-ref, compiled whole: the counts, and the server-migrations projections.

The expectations are the api-ref's own words, not the compiler's output:
server-migrations.inc says "Microversion 2.23 or greater is required" for
listing and showing, 2.22 for force_complete, 2.24 for abort; parameters.yaml
gives ``uuid`` ``min_version: 2.59`` and ``user_id``/``project_id``
``min_version: 2.80``, and says ``dest_node``, ``source_node``, ``user_id``
and ``project_id`` may be null; the errata E-0001..E-0008 (conformance/errata/compute.yaml), confirmed
against real Nova, make ``dest_compute``, ``dest_host`` and the six progress counters nullable too, and mark
them. GET /os-migrations has no minimum.

What changed at each version (as tempest's schemas put it):
    2.22: POST .../migrations/{migration_id}/action (force_complete)
    2.23: GET .../migrations and .../migrations/{migration_id}, 16 fields
    2.24: DELETE .../migrations/{migration_id} (abort)
    2.59: + uuid
    2.80: + user_id, project_id (19 fields)
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.model import ApiRef, Microversion
from conformance.openapi import project

pytestmark = pytest.mark.network

LIST = "/servers/{server_id}/migrations"
SHOW = "/servers/{server_id}/migrations/{migration_id}"
ACTION = "/servers/{server_id}/migrations/{migration_id}/action"
OS_MIGRATIONS = "/os-migrations"
SERVER_ACTION = "/servers/{server_id}/action"

VERSIONS = ["2.21", "2.22", "2.23", "2.58", "2.59", "2.79", "2.80", "2.104"]

BASE_FIELDS = {
    "created_at", "dest_compute", "dest_host", "dest_node", "disk_processed_bytes", "disk_remaining_bytes",
    "disk_total_bytes", "id", "memory_processed_bytes", "memory_remaining_bytes", "memory_total_bytes",
    "server_uuid", "source_compute", "source_node", "status", "updated_at",
}
CORRECTED = {  # the errata of conformance/errata/compute.yaml that make these nullable, as Nova returns them
    "memory_total_bytes": "E-0001", "memory_processed_bytes": "E-0002", "memory_remaining_bytes": "E-0003",
    "disk_total_bytes": "E-0004", "disk_processed_bytes": "E-0005", "disk_remaining_bytes": "E-0006",
    "dest_host": "E-0007", "dest_compute": "E-0008",
}
NULLABLE = {"dest_node", "source_node", "user_id", "project_id", *CORRECTED}
INTEGERS = {"id", "disk_processed_bytes", "disk_remaining_bytes", "disk_total_bytes", "memory_processed_bytes",
            "memory_remaining_bytes", "memory_total_bytes"}


def at_least(version: str, minimum: str) -> bool:
    return Microversion.parse(version) >= Microversion.parse(minimum)


def expected_operations(version: str) -> set[tuple[str, str]]:
    operations = {("GET", OS_MIGRATIONS)}
    if at_least(version, "2.22"):
        operations.add(("POST", ACTION))
    if at_least(version, "2.23"):
        operations |= {("GET", LIST), ("GET", SHOW)}
    if at_least(version, "2.24"):
        operations.add(("DELETE", SHOW))
    return operations


def expected_fields(version: str) -> set[str]:
    fields = set(BASE_FIELDS)
    if at_least(version, "2.59"):
        fields.add("uuid")
    if at_least(version, "2.80"):
        fields |= {"user_id", "project_id"}
    return fields


@pytest.fixture(scope="module")
def nova() -> ApiRef:
    return compile_apiref(sources.release("nova", "34.0.0"))


@pytest.fixture(scope="module")
def projections(nova: ApiRef) -> dict[str, dict[str, Any]]:
    return {version: project(nova, Microversion.parse(version)) for version in VERSIONS}


def migration_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        if path.startswith(("/servers/{server_id}/migrations", OS_MIGRATIONS))
        for method in item
        if method in ("get", "put", "post", "delete", "patch")
    }


def migration_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    if path == LIST:
        assert list(schema["properties"]) == ["migrations"]
        assert schema["properties"]["migrations"]["type"] == "array"
        return schema["properties"]["migrations"]["items"]  # type: ignore[no-any-return]
    assert list(schema["properties"]) == ["migration"]
    return schema["properties"]["migration"]  # type: ignore[no-any-return]


def sample(path: str, version: str) -> dict[str, Any]:
    """nova's own response sample (doc/api_samples/server-migrations) of the newest version not above ``version``.

    The api-ref includes only the 2.80 ones; the 2.23 and 2.59 ones sit beside them in the sdist.
    """
    chosen = max((v for v in ("2.23", "2.59", "2.80") if at_least(version, v)), key=Microversion.parse)
    name = "migrations-index.json" if path == LIST else "migrations-get.json"
    folder = sources.release("nova", "34.0.0").repo_root / "doc" / "api_samples" / "server-migrations"
    body = json.loads((folder / f"v{chosen}" / name).read_text(encoding="utf-8"))
    assert isinstance(body, dict)
    return body


def validate_response(document: dict[str, Any], url: str, body: object) -> None:
    # The spec is validated on its own below; openapi-core need not check it again for each request.
    openapi = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
    request = MockRequest("http://nova.test", "get", url,
                          headers={"OpenStack-API-Version": f"compute {document['info']['version']}"})
    openapi.validate_response(request, MockResponse(json.dumps(body).encode(), status_code=200))


# --- the whole api-ref ---------------------------------------------------------------------------


def test_every_section_is_compiled(nova: ApiRef) -> None:
    assert len(nova.operations) == 251
    assert len({operation.key for operation in nova.operations}) == 203


def test_server_actions_are_variants_keyed_by_action_name(nova: ApiRef) -> None:
    actions = [o for o in nova.operations if o.key == ("POST", SERVER_ACTION)]
    assert len(actions) == 41
    assert len({o.action for o in actions}) == 41
    for operation in actions:
        # The key is the request body's single top-level key, e.g. {"reboot": {"type": "HARD"}} (a field an
        # erratum corrects until a version is split there: lock, not read before 2.73, is two fields by range).
        assert list(dict.fromkeys(field.name for field in operation.request_body)) == [operation.action]
    assert {"reboot", "os-migrateLive", "createImage", "unshelve", "pause"} <= {o.action for o in actions}


def test_every_shared_operation_names_each_variant(nova: ApiRef) -> None:
    by_key: dict[tuple[str, str], list[str | None]] = {}
    for operation in nova.operations:
        by_key.setdefault(operation.key, []).append(operation.action)
    for key, actions in by_key.items():
        if len(actions) > 1:
            assert None not in actions and len(set(actions)) == len(actions), key
        else:
            assert actions == [None], key


# --- the server-migrations projections -------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_projection_has_exactly_the_documented_operations(projections: dict[str, dict[str, Any]],
                                                          version: str) -> None:
    assert migration_operations(projections[version]) == expected_operations(version)


@pytest.mark.parametrize("version", [v for v in VERSIONS if at_least(v, "2.23")])
@pytest.mark.parametrize("path", [LIST, SHOW])
def test_projection_has_exactly_the_documented_fields(projections: dict[str, dict[str, Any]], version: str,
                                                      path: str) -> None:
    schema = migration_schema(projections[version], path)
    fields = expected_fields(version)
    assert set(schema["properties"]) == fields
    assert len(fields) == {"2.23": 16, "2.58": 16, "2.59": 17, "2.79": 17, "2.80": 19, "2.104": 19}[version]
    assert set(schema["required"]) == fields
    assert schema["additionalProperties"] is False
    for name, field in schema["properties"].items():
        kind = "integer" if name in INTEGERS else "string"
        assert field["type"] == ([kind, "null"] if name in NULLABLE else kind), name
        assert field.get("x-openstack-erratum") == ([CORRECTED[name]] if name in CORRECTED else None), name
    assert "pattern" in schema["properties"]["created_at"] and "pattern" in schema["properties"]["updated_at"]


@pytest.mark.parametrize("version", [v for v in VERSIONS if at_least(v, "2.23")])
def test_the_api_ref_samples_validate_at_their_version(projections: dict[str, dict[str, Any]],
                                                       version: str) -> None:
    document = projections[version]
    validate_response(document, "/servers/abc/migrations", sample(LIST, version))
    validate_response(document, "/servers/abc/migrations/1", sample(SHOW, version))


@pytest.mark.parametrize(("newer", "older"), [("2.59", "2.58"), ("2.80", "2.79")])
def test_a_newer_sample_is_rejected_one_version_before(projections: dict[str, dict[str, Any]],
                                                       newer: str, older: str) -> None:
    with pytest.raises(InvalidData):
        validate_response(projections[older], "/servers/abc/migrations", sample(LIST, newer))


@pytest.mark.slow
@pytest.mark.parametrize("version", VERSIONS)
def test_each_projection_is_valid_openapi_for_every_tool(projections: dict[str, dict[str, Any]],
                                                         version: str) -> None:
    document = projections[version]
    assert document["openapi"].startswith("3.1")
    validate(document)
    # openapi-core would run the same validator again on loading: once is enough.
    openapi = OpenAPI.from_dict(document, config=Config(spec_validator_cls=None))
    assert openapi.spec["info"]["version"] == version
    schema = schemathesis.openapi.from_dict(document)
    labels = {result.ok().label for result in schema.get_all_operations()}  # type: ignore[union-attr]
    assert {f"{method} {path}" for method, path in expected_operations(version)} <= labels
    assert len(labels) == sum(1 for item in document["paths"].values()
                              for method in item if method in ("get", "put", "post", "delete", "patch"))
