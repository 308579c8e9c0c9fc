"""The suites' Workload on a scripted target: what it asks, and that a broken target costs one timeout."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import ConformanceFailure, Inconclusive
from conformance.suites.workload import NotAvailable, Workload
from conformance.target.exchange import Exchange, Request, Response

SERVER = "5f0c3a9e-0d6b-4b5e-9a7e-1f2c3d4e5f60"
Route = Callable[[str, str, dict[str, Any]], tuple[int, Any]]


class ScriptedTarget:
    """Answers requests from ``route(method, path, kwargs)``; records every request it got."""

    roles = frozenset({"admin", "member"})

    def __init__(self, route: Route) -> None:
        self.route = route
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def request(self, method: str, path: str, **kwargs: Any) -> Exchange:
        self.sent.append((method, path, kwargs))
        status, body = self.route(method, path, kwargs)
        payload = b"" if body is None else json.dumps(body).encode()
        return Exchange(Request(method, "http://compute/v2.1" + path, (), role=kwargs.get("role")),
                        Response(status, (("Content-Type", "application/json"),), payload))

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.sent if (m, p) == (method, path))


def test_running_ids_reads_the_status_of_the_servers_list() -> None:
    target = ScriptedTarget(lambda m, p, kw: (200, {"migrations": [{"id": 1, "status": "running"},
                                                                    {"id": 2, "status": "preparing"}]}))
    assert Workload(target, destructive=False).running_ids(SERVER) == [1]
    assert target.sent == [("GET", f"/servers/{SERVER}/migrations", {"role": "admin", "microversion": "2.23"})]


def test_running_ids_falls_back_to_os_migrations_when_the_list_lacks_status() -> None:
    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if path == "/os-migrations":
            assert kwargs["params"] == {"instance_uuid": SERVER, "status": "running"}
            return 200, {"migrations": [{"id": 3, "status": "running"}]}
        return 200, {"migrations": [{"id": 3}]}

    assert Workload(ScriptedTarget(route), destructive=False).running_ids(SERVER) == [3]


@pytest.mark.parametrize("answer", [(404, {"itemNotFound": {"code": 404, "message": "no"}}), (200, {"x": 1}),
                                    (200, None)])
def test_running_ids_of_an_unusable_answer_is_empty(answer: tuple[int, Any]) -> None:
    assert Workload(ScriptedTarget(lambda m, p, kw: answer), destructive=False).running_ids(SERVER) == []


def test_a_migration_that_never_runs_costs_one_timeout() -> None:
    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if method == "POST":
            return 202, None
        return 200, {"migrations": []}

    target = ScriptedTarget(route)
    workload = Workload(target, destructive=True, timeout=0.3)
    waiting = re.escape(f"timed out after 0 s waiting for a running live migration of server {SERVER}")
    with pytest.raises(Inconclusive, match=waiting):
        workload.migrate_again(SERVER)
    with pytest.raises(Inconclusive, match="not tried again: timed out"):
        workload.migrate_again("another-server")
    assert target.count("POST", f"/servers/{SERVER}/action") == 1
    assert target.count("POST", "/servers/another-server/action") == 0


def test_a_refused_live_migration_names_the_answer_and_is_not_retried() -> None:
    target = ScriptedTarget(lambda m, p, kw: (409, {"conflictingRequest": {"code": 409, "message": "busy"}})
                            if m == "POST" else (200, {"migrations": []}))
    workload = Workload(target, destructive=True)
    refusal = r"POST /servers/\{server_id\}/action \(os-migrateLive\) answered 409: .*busy"
    with pytest.raises(Inconclusive, match=refusal) as refused:
        workload.migrate_again(SERVER)
    assert refused.value.exchange is not None and refused.value.exchange.response.status == 409
    with pytest.raises(Inconclusive, match="not tried again: POST /servers/"):
        workload.migrate_again(SERVER)
    assert target.count("POST", f"/servers/{SERVER}/action") == 1


def test_a_server_error_on_the_way_is_a_finding_not_inconclusive() -> None:
    """A 5xx contradicts every api-ref: the test fails with CV-0101 even though it never reached its subject."""
    target = ScriptedTarget(lambda m, p, kw: (500, {"computeFault": {"code": 500, "message": "boom"}})
                            if m == "POST" else (200, {"migrations": []}))
    workload = Workload(target, destructive=True)
    with pytest.raises(ConformanceFailure) as failed:
        workload.migrate_again(SERVER)
    [finding] = failed.value.findings
    assert finding.check == "CV-0101" and finding.exchange is not None and "boom" in finding.received
    with pytest.raises(Inconclusive, match="not tried again: an earlier test found server error 500"):
        workload.migrate_again(SERVER)


@pytest.mark.parametrize("body", [{"server": {}}, {"server": "x"}, ["server"], None])
def test_a_boot_answer_without_the_server_id_is_a_finding(body: Any) -> None:
    target = ScriptedTarget(_boot_route(lambda attempt: (202, body)))
    with pytest.raises(ConformanceFailure) as failed:
        Workload(target, destructive=True).create_server("idle")
    [finding] = failed.value.findings
    assert finding.check in ("CV-0200", "CV-0206") and finding.operation == "POST /v2.1/servers"


@pytest.mark.parametrize("body", [{"migrations": "no"}, {"migrations": [1, 2]}, [], None])
def test_a_malformed_migration_list_is_a_finding(body: Any) -> None:
    target = ScriptedTarget(lambda m, p, kw: (200, body))
    with pytest.raises(ConformanceFailure):
        Workload(target, destructive=False).migration(1)


def test_a_server_in_error_is_reported_once_and_not_created_again() -> None:
    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if path == "/flavors/detail":
            return 200, {"flavors": [{"id": "2", "ram": 2048}, {"id": "1", "ram": 512}]}
        if path == "/images/detail":
            return 200, {"images": [{"id": "img", "status": "ACTIVE"}]}
        if path == "/os-networks":
            return 200, {"networks": []}
        if (method, path) == ("POST", "/servers"):
            return 202, {"server": {"id": SERVER}}
        return 200, {"server": {"status": "ERROR", "fault": {"message": "No valid host was found."}}}

    target = ScriptedTarget(route)
    workload = Workload(target, destructive=True)
    with pytest.raises(Inconclusive, match=f"server {SERVER} went to ERROR: .*No valid host"):
        workload.create_server("idle")
    with pytest.raises(Inconclusive, match=r"not tried again: server .* went to ERROR"):
        workload.create_server("migrating")
    ((_, _, sent),) = [entry for entry in target.sent if entry[:2] == ("POST", "/servers")]
    assert sent["json"]["server"]["flavorRef"] == "1"  # the smallest flavor
    assert sent["json"]["server"]["networks"] == "none"
    assert sent["json"]["server"]["name"].startswith("conformance-idle-")
    assert workload.created == [SERVER]  # deleted at cleanup although it failed


def _boot_route(create: Callable[[int], tuple[int, Any]]) -> Route:
    """A target with one flavor and image; POST /servers answers ``create(attempt)``."""
    attempts = iter(range(1000))

    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if path == "/flavors/detail":
            return 200, {"flavors": [{"id": "1", "ram": 512}]}
        if path == "/images/detail":
            return 200, {"images": [{"id": "img", "status": "ACTIVE"}]}
        if path == "/os-networks":
            return 200, {"networks": []}
        if (method, path) == ("POST", "/servers"):
            return create(next(attempts))
        return 200, {"server": {"status": "ACTIVE"}}

    return route


QUOTA_FULL = (403, {"forbidden": {"code": 403, "message": "Quota exceeded for instances: Requested 1, but already "
                                                          "used 10 of 10 instances"}})


def test_a_full_quota_is_waited_out_while_others_free_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conformance.suites.workload._QUOTA_POLL_SECONDS", 0.01)
    booted = (202, {"server": {"id": SERVER}})
    target = ScriptedTarget(_boot_route(lambda attempt: QUOTA_FULL if attempt < 2 else booted))
    assert Workload(target, destructive=True).create_server("idle") == SERVER
    assert target.count("POST", "/servers") == 3


def test_a_quota_that_stays_full_makes_tests_not_exercised_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("conformance.suites.workload._QUOTA_POLL_SECONDS", 0.01)
    target = ScriptedTarget(_boot_route(lambda attempt: QUOTA_FULL))
    workload = Workload(target, destructive=True, timeout=0.1)
    with pytest.raises(Inconclusive, match=r"member's project has no quota left .*403: .*Quota exceeded for instances"):
        workload.create_server("idle")
    posted = target.count("POST", "/servers")
    with pytest.raises(Inconclusive, match="not tried again: the member's project has no quota left"):
        workload.create_server("migrating")
    assert target.count("POST", "/servers") == posted
    assert workload.created == []


def test_a_forbidden_boot_that_is_not_quota_fails_at_once() -> None:
    target = ScriptedTarget(_boot_route(lambda attempt: (403, {"forbidden": {"code": 403, "message": "Policy"}})))
    with pytest.raises(Inconclusive, match="POST /servers answered 403"):
        Workload(target, destructive=True).create_server("idle")
    assert target.count("POST", "/servers") == 1


def test_a_server_whose_creation_was_interrupted_is_found_by_name_and_deleted() -> None:
    booted: dict[str, str] = {}

    def create(attempt: int) -> tuple[int, Any]:
        raise KeyboardInterrupt  # Ctrl-C while the answer to POST /servers is on its way

    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if (method, path) == ("POST", "/servers"):
            booted[kwargs["json"]["server"]["name"]] = SERVER  # Nova made it nonetheless
        if (method, path) == ("GET", "/servers"):
            wanted = re.compile(kwargs["params"]["name"])
            return 200, {"servers": [{"id": sid, "name": name} for name, sid in booted.items() if wanted.search(name)]
                         + [{"id": "another", "name": "conformance-idle-000000"}]}
        if method == "DELETE":
            return 204, None
        return _boot_route(create)(method, path, kwargs)

    target = ScriptedTarget(route)
    workload = Workload(target, destructive=True)
    with pytest.raises(KeyboardInterrupt):
        workload.create_server("migrating")
    assert workload.created == []
    assert workload.cleanup() == []
    assert [p for m, p, _ in target.sent if m == "DELETE"] == [f"/servers/{SERVER}"]
    assert workload.cleanup() == [] and target.count("GET", "/servers") == 1, "looked up once"


def test_read_only_runs_create_nothing() -> None:
    target = ScriptedTarget(lambda m, p, kw: (200, {"migrations": []}))
    workload = Workload(target, destructive=False)
    with pytest.raises(NotAvailable, match="--allow-destructive"):
        workload.fresh_migration()
    assert all(method == "GET" for method, _, _ in target.sent)


def test_the_servers_of_fresh_migrations_are_deleted_when_released() -> None:
    state = {"migrations": []}

    def route(method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        if path == "/flavors/detail":
            return 200, {"flavors": [{"id": "1"}]}
        if path == "/images/detail":
            return 200, {"images": [{"id": "img", "status": "ACTIVE"}]}
        if path == "/os-networks":
            return 200, {"networks": [{"id": "net"}]}
        if (method, path) == ("POST", "/servers"):
            return 202, {"server": {"id": SERVER}}
        if (method, path) == ("POST", f"/servers/{SERVER}/action"):
            state["migrations"] = [{"id": 9, "status": "running"}]
            return 202, None
        if path == f"/servers/{SERVER}/migrations":
            return 200, {"migrations": state["migrations"]}
        if method == "DELETE":
            return 204, None
        return 200, {"server": {"status": "ACTIVE", "OS-EXT-STS:task_state": None}}

    target = ScriptedTarget(route)
    workload = Workload(target, destructive=True)
    migration = workload.fresh_migration()
    assert (migration.server_id, migration.id) == (SERVER, 9)
    assert target.count("DELETE", f"/servers/{SERVER}") == 0
    workload.release_fresh()
    assert target.count("DELETE", f"/servers/{SERVER}") == 1
    assert workload.created == []  # nothing left for the final cleanup
    workload.release_fresh()
    assert target.count("DELETE", f"/servers/{SERVER}") == 1


def test_the_answers_the_workload_acts_upon_are_verified() -> None:
    """A migrations list that contradicts the api-ref fails the test it was read for, not a timeout later."""
    checked: list[tuple[str, str, dict[str, Any]]] = []

    def verify(method: str, path: str, version: str, exchange: Exchange, **facts: Any) -> None:
        checked.append((path, version, facts))
        if any(m.get("status") == "completed" for m in exchange.response.json()["migrations"]):
            raise ConformanceFailure([])

    target = ScriptedTarget(lambda m, p, kw: (200, {"migrations": [{"id": 1, "status": "completed"}]}))
    with pytest.raises(ConformanceFailure):
        Workload(target, destructive=False, verify=verify).running_ids(SERVER)
    assert checked == [("/servers/{server_id}/migrations", "2.23", {"server_id": SERVER, "in_progress": True})]
    fine = ScriptedTarget(lambda m, p, kw: (200, {"migrations": [{"id": 1, "status": "running"}]}))
    assert Workload(fine, destructive=False, verify=verify).running_ids(SERVER) == [1]
    gone = ScriptedTarget(lambda m, p, kw: (404, {"itemNotFound": {"code": 404, "message": "gone"}}))
    assert Workload(gone, destructive=False, verify=verify).running_ids(SERVER) == []
    assert len(checked) == 2, "only answers the workload acts upon are verified"
