"""Every fault of the catalogue changes what it claims to, on a canned Nova-shaped exchange.

Each fault has a scenario: requests sent in order through the proxy to a fresh
fake Nova, and a claim about the last response. The same scenario through a
transparent proxy must not satisfy the claim, and through the faulty one it
must, with the fault counted as fired and no fault error.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from selftest_fakenova import ADMIN, MEMBER, OTHER, SERVER_A, UNKNOWN_SERVER, FakeNova

from conformance.selftest import FAMILIES, FAULTS, FaultProxy, fault


@dataclass(frozen=True)
class Call:
    path: str
    version: str | None = "2.80"
    method: str = "GET"
    token: str | None = ADMIN
    body: Any = None
    legacy: bool = False


@dataclass(frozen=True)
class Got:
    status: int
    headers: requests.structures.CaseInsensitiveDict[str]
    content: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.content) if self.content else None

    def items(self) -> list[dict[str, Any]]:
        body = self.json
        return body["migrations"] if "migrations" in body else [body["migration"]]


LIST = f"servers/{SERVER_A}/migrations"
SHOW = f"servers/{SERVER_A}/migrations/1"
ACTION = f"servers/{SERVER_A}/migrations/1/action"
DONE = f"servers/{SERVER_A}/migrations/3"
FORCE = {"force_complete": None}
NOT_FOUND = f"servers/{UNKNOWN_SERVER}/migrations"
DMY = re.compile(r"^\d\d/\d\d/\d{4}$")
NEWEST = str(uuid.uuid5(uuid.NAMESPACE_OID, "m1"))  # the fake's newest migration (selftest_fakenova._migration)

Claim = Callable[[Got], bool]

SCENARIOS: dict[str, tuple[list[Call], Claim]] = {
    "drop-status": ([Call(LIST)], lambda r: "status" not in r.items()[0]),
    "drop-server-uuid-show": ([Call(SHOW)], lambda r: "server_uuid" not in r.items()[0]),
    "uuid-below-2.59": ([Call(LIST, "2.58")], lambda r: "uuid" in r.items()[0]),
    "user-project-below-2.80": ([Call(SHOW, "2.79")], lambda r: {"user_id", "project_id"} <= set(r.items()[0])),
    "os-migrations-uuid-below-2.59": ([Call("os-migrations", "2.58")], lambda r: "uuid" in r.items()[0]),
    "os-migrations-user-project-below-2.80": ([Call("os-migrations", "2.79")],
                                              lambda r: {"user_id", "project_id"} <= set(r.items()[0])),
    "id-as-string": ([Call(LIST)], lambda r: r.items()[0]["id"] == "1"),
    "created-at-integer": ([Call(SHOW)], lambda r: type(r.items()[0]["created_at"]) is int),
    "memory-total-string": ([Call(LIST)], lambda r: isinstance(r.items()[0]["memory_total_bytes"], str)),
    "created-at-day-month-year": ([Call(LIST)], lambda r: r.items()[0]["created_at"] == "29/01/2016"),
    "os-migrations-updated-at-day-month-year": ([Call("os-migrations", "2.59")],
                                                lambda r: bool(DMY.match(r.items()[0]["updated_at"]))),
    "undocumented-field": ([Call(LIST)], lambda r: r.items()[0].get("instance_uuid") == SERVER_A),
    "show-source-compute-differs": ([Call(LIST), Call(SHOW)], lambda r: r.items()[0]["source_compute"] != "host1"),
    "list-foreign-migration": ([Call(LIST)], lambda r: r.items()[0]["server_uuid"] != SERVER_A),
    "list-holds-finished": ([Call(LIST)], lambda r: r.items()[0]["status"] == "completed"),
    "list-served-below-2.23": ([Call(LIST, "2.22")],
                               lambda r: r.status == 200 and r.headers["OpenStack-API-Version"] == "compute 2.22"),
    "force-complete-below-2.22": ([Call(ACTION, "2.21", "POST", body=FORCE)], lambda r: r.status == 202),
    "abort-below-2.24": ([Call(SHOW, "2.23", "DELETE")], lambda r: r.status == 202),
    "version-above-max-accepted": ([Call(LIST, "2.105")],
                                   lambda r: r.status == 200 and r.headers["OpenStack-API-Version"] == "compute 2.105"),
    "malformed-version-accepted": ([Call("os-migrations", "2.x")], lambda r: r.status == 200),
    "406-as-404": ([Call(LIST, "2.105")], lambda r: r.status == 404 and "itemNotFound" in r.json),
    "latest-as-2.1": ([Call(LIST, "latest")], lambda r: r.headers["OpenStack-API-Version"] == "compute 2.1"),
    "legacy-header-ignored": ([Call(LIST, "2.80", legacy=True)], lambda r: r.status == 404),
    "no-version-echo": ([Call(LIST)], lambda r: not {"OpenStack-API-Version", "X-OpenStack-Nova-API-Version"}
                        & set(r.headers)),
    "no-vary": ([Call(LIST)], lambda r: "Vary" not in r.headers),
    "no-request-id": ([Call(NOT_FOUND)], lambda r: "x-openstack-request-id" not in r.headers),
    "no-token-accepted": ([Call(LIST, token=None)], lambda r: r.status == 200 and r.json == {"migrations": []}),
    "member-policy-ignored": ([Call(LIST, token=MEMBER)], lambda r: r.status == 200),
    "other-project-visible": ([Call(LIST), Call(LIST, token=OTHER)],
                              lambda r: r.status == 200 and r.items()[0]["server_uuid"] == SERVER_A),
    "force-complete-200": ([Call(ACTION, "2.22", "POST", body=FORCE)], lambda r: r.status == 200),
    "404-as-400": ([Call(NOT_FOUND)], lambda r: r.status == 400),
    "404-as-500": ([Call(NOT_FOUND)], lambda r: r.status == 500),
    "fault-key-renamed": ([Call(NOT_FOUND)], lambda r: r.json == {"NotFound": {
        "code": 404, "message": f"Instance {UNKNOWN_SERVER} could not be found."}}),
    "fault-code-mismatch": ([Call(NOT_FOUND)], lambda r: r.status == 404 and r.json["itemNotFound"]["code"] == 400),
    "plain-text-error": ([Call(DONE, "2.80", "DELETE")], lambda r: r.headers["Content-Type"].startswith("text/plain")),
    "force-complete-precondition-ignored": ([Call(f"{DONE}/action", "2.80", "POST", body=FORCE)],
                                            lambda r: r.status == 202),
    "abort-precondition-ignored": ([Call(DONE, "2.80", "DELETE")], lambda r: r.status == 202),
    "force-complete-never-completes": ([Call(ACTION, "2.80", "POST", body=FORCE), Call(SHOW, "2.59")],
                                       lambda r: r.status == 200 and r.items()[0]["status"] == "running"),
    "abort-never-cancels": ([Call(SHOW, "2.80", "DELETE"), Call(LIST, "2.80")],
                            lambda r: [m["id"] for m in r.items() if m["status"] == "running"] == [1]),
    "os-migrations-limit-ignored": ([Call("os-migrations?limit=1", "2.59")], lambda r: len(r.items()) == 3),
    "os-migrations-next-link-missing": ([Call("os-migrations?limit=1", "2.59")],
                                        lambda r: "migrations_links" not in r.json),
    "os-migrations-ascending": ([Call("os-migrations", "2.59")], lambda r: [m["id"] for m in r.items()] == [3, 2, 1]),
    "os-migrations-links-below-2.59": ([Call("os-migrations", "2.58")], lambda r: "migrations_links" in r.json),
    "os-migrations-changes-since-ignored": ([Call("os-migrations?changes-since=2016-01-29T00:00:00", "2.59")],
                                            lambda r: 3 in [m["id"] for m in r.items()]),
    "os-migrations-owner-filters-ignored": ([Call("os-migrations?user_id=somebody-else", "2.80")],
                                            lambda r: len(r.items()) == 3),
    "os-migrations-unknown-query-accepted": ([Call("os-migrations?sort_key=id", "2.80")], lambda r: r.status == 200),
    "os-migrations-bad-marker-accepted": ([Call(f"os-migrations?marker={UNKNOWN_SERVER}", "2.59")],
                                          lambda r: r.status == 200),
    "list-not-json": ([Call(LIST)], lambda r: r.headers["Content-Type"] == "text/html"
                      and r.content.startswith(b"<html>")),
    "list-deeply-nested": ([Call(LIST)], lambda r: r.content.startswith(b'{"migrations": [[[[')),
    "show-list-for-object": ([Call(SHOW)], lambda r: isinstance(r.json["migration"], list)),
    "list-empty-while-migrating": ([Call(LIST)], lambda r: r.json == {"migrations": []}),
    "os-migrations-empty-next-page": ([Call(f"os-migrations?limit=1&marker={NEWEST}", "2.59")],
                                      lambda r: r.json == {"migrations": []}),
    "os-migrations-hides-running": ([Call("os-migrations", "2.59")],
                                    lambda r: "running" not in {m["status"] for m in r.items()}),
}


def send(proxy: FaultProxy, call: Call) -> Got:
    headers = {"Accept": "application/json"}
    if call.token is not None:
        headers["X-Auth-Token"] = call.token
    if call.version is not None:
        if call.legacy:
            headers["X-OpenStack-Nova-API-Version"] = call.version
        else:
            headers["OpenStack-API-Version"] = f"compute {call.version}"
    answer = requests.request(call.method, proxy.url + call.path, headers=headers, json=call.body, timeout=10)
    return Got(answer.status_code, answer.headers, answer.content)


def test_catalogue_has_at_least_30_faults_with_stable_unique_ids() -> None:
    assert len(FAULTS) >= 30
    ids = [f.id for f in FAULTS]
    assert len(set(ids)) == len(ids)
    for each in FAULTS:
        assert re.fullmatch(r"[0-9a-z][0-9a-z.-]*", each.id), each.id
        assert each.description and "\n" not in each.description
        assert each.family in FAMILIES


def test_catalogue_covers_every_family() -> None:
    assert {f.family for f in FAULTS} == FAMILIES


def test_every_fault_has_a_scenario() -> None:
    from test_selftest_compute_faults import COMPUTE_SCENARIOS
    from test_selftest_placement_faults import SCENARIOS as PLACEMENT_SCENARIOS

    from conformance.selftest.faults_compute import COMPUTE_FAULTS
    from conformance.selftest.faults_placement import PLACEMENT_FAULTS

    assert set(SCENARIOS) == {f.id for f in FAULTS if f not in COMPUTE_FAULTS and f not in PLACEMENT_FAULTS}
    assert set(COMPUTE_SCENARIOS) == {f.id for f in COMPUTE_FAULTS}
    assert set(PLACEMENT_SCENARIOS) == {f.id for f in PLACEMENT_FAULTS}


def test_unknown_fault_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="drop-status"):
        fault("no-such-fault")


@pytest.mark.parametrize("fault_id", [f.id for f in FAULTS if f.id in SCENARIOS])
def test_fault_changes_what_it_claims(fault_id: str) -> None:
    _, claim = SCENARIOS[fault_id]
    with FakeNova() as clean:
        honest, _ = play_calls(clean, fault_id, None)
    assert not claim(honest), f"the claim of {fault_id} already holds without the fault"
    with FakeNova() as faulty_nova:
        faulty, proxy = play_calls(faulty_nova, fault_id, fault_id)
    assert proxy.errors == []
    assert proxy.hits >= 1
    assert claim(faulty), f"{fault_id}: {faulty.status} {dict(faulty.headers)} {faulty.content[:300]!r}"
    assert (faulty.status, faulty.content) != (honest.status, honest.content) or dict(faulty.headers) != dict(
        honest.headers)


def play_calls(nova: FakeNova, scenario: str, fault_id: str | None) -> tuple[Got, FaultProxy]:
    calls, _ = SCENARIOS[scenario]
    with FaultProxy(nova.url, fault(fault_id) if fault_id else None) as proxy:
        got = [send(proxy, call) for call in calls]
    return got[-1], proxy
