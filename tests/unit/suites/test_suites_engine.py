"""The engine's planning and requests on our own api-ref fixture: cases per kind, the registry file and its
errors, the smallest valid bodies, and prepared requests on a scripted cloud."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from suites_fakecloud import REGISTRY, FakeCloud, registry

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.errors import InputError
from conformance.model import ApiRef, Microversion, MicroversionRange
from conformance.strategies import from_schema, validator
from conformance.suites import bodies
from conformance.suites.calls import Preparer
from conformance.suites.cases import KINDS, plan_cases
from conformance.suites.plan import Plan
from conformance.suites.provision import Provisioner
from conformance.suites.registry import load_registry

SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "apiref" / "api-ref" / "source"
LIST, SHOW = "/servers/{server_id}/snapshots", "/servers/{server_id}/snapshots/{snapshot_id}"


def mv(text: str) -> Microversion:
    return Microversion.parse(text)


@pytest.fixture(scope="module")
def apiref() -> ApiRef:
    return compile_apiref(sources.local(SOURCE), jobs=1)


@pytest.fixture(scope="module")
def plan(apiref: ApiRef) -> Plan:
    return Plan.make(apiref, MicroversionRange(mv("2.1"), mv("2.90")), MicroversionRange())


# -- cases ------------------------------------------------------------------------------------------


def ids(plan: Plan, registry_path: Path, kind: str) -> list[str]:
    return [case.id for case in plan_cases(plan, registry(registry_path), kind)]


def test_every_operation_is_served_at_each_planned_version(plan: Plan, tmp_path: Path) -> None:
    served = ids(plan, tmp_path, "served")
    assert f"GET {LIST} 2.23" in served and f"GET {LIST} 2.90" in served
    assert f"GET {LIST} 2.22" not in served
    expected = sum(len(plan.served(op)) for op in plan.apiref.operations if op.normal_codes)
    assert len(served) == expected


def test_below_the_minimum_is_an_unserved_case(plan: Plan, tmp_path: Path) -> None:
    assert f"GET {LIST} 2.22" in ids(plan, tmp_path, "unserved")


def test_one_unauthenticated_case_per_operation_at_its_highest_version(plan: Plan, tmp_path: Path) -> None:
    cases = ids(plan, tmp_path, "unauthenticated")
    assert f"GET {LIST} 2.90" in cases and len(cases) == len([op for op in plan.apiref.operations
                                                             if op.normal_codes and plan.served(op)])


def test_admin_only_operations_are_forbidden_cases(plan: Plan, tmp_path: Path) -> None:
    assert f"GET {LIST} 2.90" in ids(plan, tmp_path, "forbidden")


def test_unknown_cases_need_a_registry_entry_for_the_path(plan: Plan, tmp_path: Path) -> None:
    assert f"GET {SHOW} 2.90" in ids(plan, tmp_path, "unknown")
    empty = tmp_path / "empty.yaml"
    empty.write_text("resources: {}\n")
    assert plan_cases(plan, load_registry(path=empty), "unknown") == []


def test_queries_and_bodies_let_hypothesis_draw_the_version(plan: Plan, tmp_path: Path) -> None:
    queries = plan_cases(plan, registry(tmp_path), "queries")
    assert [case.id for case in queries] == [f"GET {LIST}"]
    assert queries[0].version is None and mv("2.23") in queries[0].versions


def test_pages_cases_are_the_lists_documenting_limit_at_its_highest_version(plan: Plan, tmp_path: Path) -> None:
    assert ids(plan, tmp_path, "pages") == [f"GET {LIST} 2.90"]


def test_a_list_is_asked_by_whoever_owns_the_items_it_shows(plan: Plan, tmp_path: Path) -> None:
    """The items of a list are the resource its show operation names; a list of what only its owner sees (a
    keypair) goes with the owner's token, any other list with the admin's."""
    listing = plan.apiref.find("GET", LIST)
    box = Provisioner(FakeCloud(), registry(tmp_path), destructive=True, timeout=1.0)
    preparer = Preparer(plan, box.registry, box, allow_unsafe=False)
    shown = preparer.listed_resource(listing)
    assert shown is not None and shown.param == "snapshot_id"
    assert preparer.listed_resource(plan.apiref.find("GET", SHOW)) is None
    assert preparer.role(listing) == "admin"
    about = "    about: a snapshot of the server\n"
    owned = REGISTRY.replace(about, about + "    role: owner\n")
    assert owned != REGISTRY
    box = Provisioner(FakeCloud(), registry(tmp_path, owned), destructive=True, timeout=1.0)
    preparer = Preparer(plan, box.registry, box, allow_unsafe=False)
    assert preparer.role(listing) == box.role("owner") != "admin"


def test_an_unknown_kind_is_refused(plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown kind of case 'everything'"):
        plan_cases(plan, registry(tmp_path), "everything")
    assert "served" in KINDS


# -- the registry file --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("resources: [1]\n", "expected a mapping with a 'resources' mapping"),
    ("resources:\n  x: {colour: red}\n", "compute.yaml:2: resource x: unknown keys colour"),
    ("resources:\n  x: {under: y}\n", "compute.yaml:2: resource x is under y, which has no entry"),
    ("resources:\n  x: {find: [{call: LIST servers}]}\n", "is not METHOD /path"),
    ("resources:\n  x: {unknown: guid}\n", "unknown: guid is not one of"),
    ("resources:\n  x: {}\nfields:\n  a: {resource: z}\n", "compute.yaml:4: field hint a names resource z"),
    ("resources:\n  x: {states: {A: {do: []}}, needs: {GET /x: B}}\n", "needs state B, which `states` lacks"),
    ("resources:\n  x: {\n", "invalid YAML"),
])
def test_a_bad_registry_names_its_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        registry(tmp_path, text)


def test_the_shipped_compute_registry_loads() -> None:
    shipped = load_registry("compute")
    assert {"server_id", "flavor_id", "keypair_name", "migration_id"} <= set(shipped.resources)
    assert shipped.naming("key", "PUT /images/{image_id}/metadata/{key}").name == "image_key"
    assert shipped.naming("key", "PUT /servers/{server_id}/metadata/{key}").name == "key"


def test_hints_prefer_the_most_specific_and_the_scoped(tmp_path: Path) -> None:
    loaded = registry(tmp_path)
    assert loaded.hint(("resize", "flavorRef")).value == "2"  # type: ignore[union-attr]
    assert loaded.hint(("server", "flavorRef")).resource == "flavor_id"  # type: ignore[union-attr]
    assert loaded.hint(("status",), "PUT /services/x") is not None
    assert loaded.hint(("status",), "PUT /servers/x") is None


# -- bodies -------------------------------------------------------------------------------------------


SCHEMA: dict[str, Any] = {"type": "object", "required": ["thing"], "properties": {"thing": {
    "type": "object", "required": ["name", "size", "flavorRef", "kind"],
    "properties": {"name": {"type": "string"}, "size": {"type": "integer", "minimum": 3},
                   "flavorRef": {"type": "string"}, "kind": {"type": "string"}, "note": {"type": "string"},
                   "status": {"type": "string"}}}}}


def test_the_smallest_body_takes_hints_then_the_sample_then_the_plainest_value(tmp_path: Path) -> None:
    loaded = registry(tmp_path)
    sample = {"thing": {"kind": "HARD", "size": "big", "note": "from the sample"}}
    body = bodies.minimal(SCHEMA, loaded, lambda hint: f"<{hint.path}>", sample)
    assert body == {"thing": {"name": "<name>", "size": 3, "flavorRef": "<flavorRef>", "kind": "HARD"}}


def test_a_send_hint_adds_an_optional_field(tmp_path: Path) -> None:
    body = bodies.minimal(SCHEMA, registry(tmp_path), lambda hint: "enabled", None, operation="PUT /services/1")
    assert body["thing"]["status"] == "enabled"


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_plausible_bodies_are_valid_and_hints_fill_them(data: st.DataObject) -> None:
    loaded = load_registry("compute")
    narrowed = bodies.plausible(SCHEMA, loaded)
    drawn = data.draw(from_schema(narrowed))
    assert validator(SCHEMA).is_valid(drawn)
    assert set(drawn["thing"]) <= set(SCHEMA["properties"]["thing"]["properties"]), "only documented fields"
    filled = bodies.with_hints(drawn, SCHEMA, loaded, lambda hint: f"<{hint.path}>")
    assert filled["thing"]["name"] == "<name>" and filled["thing"]["flavorRef"] == "<flavorRef>"


# -- prepared requests ------------------------------------------------------------------------------------


def test_a_read_shares_and_a_write_gets_its_own(plan: Plan, tmp_path: Path) -> None:
    cloud = FakeCloud()
    box = Provisioner(cloud, registry(tmp_path), destructive=True, timeout=1.0)
    preparer = Preparer(plan, box.registry, box, allow_unsafe=False)
    show = plan.apiref.find("GET", SHOW)
    first = preparer.prepare(show, mv("2.90"), fresh=False)
    assert preparer.prepare(show, mv("2.90"), fresh=False).path == first.path
    delete = plan.apiref.find("DELETE", SHOW)
    own = preparer.prepare(delete, mv("2.90"), fresh=True)
    assert own.path["server_id"] != first.path["server_id"]
    assert box.release() == [] and own.path["server_id"] not in cloud.servers
    assert first.path["server_id"] in cloud.servers


def test_unverified_and_unchecked_operations_are_read_with_their_reasons(tmp_path: Path) -> None:
    loaded = registry(tmp_path, REGISTRY + textwrap.dedent("""\
        unverified:
          "^test_served GET /services$": the api-ref omits a field nova returns (no erratum can add it yet)
        unchecked:
          "^DELETE /servers/\\\\{server_id\\\\}/snapshots/": the snapshot is looked up later, on the host
        """))
    assert loaded.unverified_reason("test_served GET /services") == (
        "the api-ref omits a field nova returns (no erratum can add it yet)")
    assert loaded.unverified_reason("test_unserved_version_is_not_found GET /services") is None
    assert loaded.lookup_deferred("DELETE /servers/{server_id}/snapshots/{snapshot_id}") == (
        "the snapshot is looked up later, on the host")
    assert loaded.lookup_deferred("GET /servers/{server_id}/snapshots/{snapshot_id}") is None
