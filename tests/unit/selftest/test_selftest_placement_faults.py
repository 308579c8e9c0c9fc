"""Every Placement fault changes what it claims to, on canned answers of the shape Placement gives.

A canned upstream answers each (method, path) with a fixed status and an API-SIG errors body where it fails,
echoes ``placement X.Y`` and refuses a stale generation (409 placement.concurrent_update); through a
transparent proxy a scenario's claim does not hold, through the faulty one it does, the fault fired.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from conformance.selftest import FaultProxy, fault
from conformance.selftest.exchange import parse_version
from conformance.selftest.faults_placement import PLACEMENT_FAULTS

RP = "a7c02dd7-2645-4bed-b3ce-4a1ddcf62f37"
SEEN: list[tuple[str, str]] = []


def errors(status: int, title: str, code: str | None = "placement.undefined_code") -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "title": title, "detail": "d", "request_id": "req-1"}
    if code is not None:
        error["code"] = code
    return {"errors": [error]}


def _canned(method: str, path: str, version: tuple[int, int], token: str | None, body: Any) -> tuple[int, Any]:
    coded = version >= (1, 23)
    if token is None:
        return 401, {"error": {"code": 401, "title": "Unauthorized", "message": "no token"}}
    if method == "GET" and path == f"/resource_providers/{RP}":
        provider: dict[str, Any] = {"uuid": RP, "name": "rp", "generation": 3}
        if version >= (1, 14):
            provider.update(parent_provider_uuid=None, root_provider_uuid=RP)
        return 200, provider
    if method == "GET" and path == "/resource_providers":
        return 200, {"resource_providers": [{"uuid": RP, "name": "rp", "generation": 3}]}
    if method == "GET" and path == f"/resource_providers/{RP}/inventories/VCPU":
        return 200, {"resource_provider_generation": 3, "total": 8, "reserved": 0}
    if method == "GET" and path == f"/resource_providers/{RP}/traits":
        return (404, errors(404, "Not Found", None)) if version < (1, 6) else (
            200, {"traits": [], "resource_provider_generation": 3})
    if method == "GET" and path == f"/resource_providers/{RP}/usages":
        return 200, {"usages": {}, "resource_provider_generation": 3}
    if method == "GET" and path == "/resource_classes":
        return 200, {"resource_classes": [{"name": "VCPU"}]}
    if method == "GET" and path.startswith(("/resource_classes/", "/traits/", "/resource_providers/")):
        return 404, errors(404, "Not Found", "placement.undefined_code" if coded else None)
    if method == "PUT" and path.startswith(f"/resource_providers/{RP}/"):
        if isinstance(body, dict) and body.get("resource_provider_generation") != 3:
            return 409, errors(409, "Conflict", "placement.concurrent_update" if coded else None)
        return 200, {**(body or {}), "resource_provider_generation": 4}
    return 404, errors(404, "Not Found", "placement.undefined_code" if coded else None)


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        SEEN.append((self.command, self.path))
        asked = parse_version(self.headers.get("OpenStack-API-Version")) or (1, 0)
        status, body = _canned(self.command, self.path.split("?")[0], asked, self.headers.get("X-Auth-Token"),
                               json.loads(raw) if raw else None)
        content = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        headers = [("Content-Type", "application/json"), ("X-Openstack-Request-Id", "req-1")]
        if status != 401:
            headers.append(("OpenStack-API-Version", f"placement {asked[0]}.{asked[1]}"))
        if status < 300:
            headers.append(("Vary", "openstack-api-version"))
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    version: str = "1.30"
    body: Any = None
    token: str | None = "admin"


@dataclass(frozen=True)
class Got:
    status: int
    headers: Any
    json: Any


Claim = Callable[[Got], bool]
_STALE_TRAITS = {"traits": ["CUSTOM_X"], "resource_provider_generation": 9}

SCENARIOS: dict[str, tuple[Call, Claim]] = {
    "rp-drop-generation": (Call("GET", f"resource_providers/{RP}"), lambda r: "generation" not in r.json),
    "rp-list-name-as-integer": (Call("GET", "resource_providers"),
                                lambda r: r.json["resource_providers"][0]["name"] == 7),
    "rp-root-below-1.14": (Call("GET", f"resource_providers/{RP}", "1.13"), lambda r: "root_provider_uuid" in r.json),
    "rp-drop-parent-from-1.14": (Call("GET", f"resource_providers/{RP}", "1.14"),
                                 lambda r: "parent_provider_uuid" not in r.json),
    "inventory-total-as-string": (Call("GET", f"resource_providers/{RP}/inventories/VCPU"),
                                  lambda r: r.json["total"] == "8"),
    "version-header-ignored": (Call("GET", f"resource_providers/{RP}", "1.0"),
                               lambda r: "root_provider_uuid" in r.json
                               and r.headers["OpenStack-API-Version"] == "placement 1.0"),
    "traits-served-below-1.6": (Call("GET", f"resource_providers/{RP}/traits", "1.5"),
                                lambda r: r.status == 200 and r.headers["OpenStack-API-Version"] == "placement 1.5"),
    "classes-no-version-echo": (Call("GET", "resource_classes"), lambda r: "OpenStack-API-Version" not in r.headers),
    "traits-generation-not-checked": (Call("PUT", f"resource_providers/{RP}/traits", body=_STALE_TRAITS),
                                      lambda r: r.status == 200),
    "inventories-generation-not-checked": (Call("PUT", f"resource_providers/{RP}/inventories", body={
        "inventories": {}, "resource_provider_generation": 9}), lambda r: r.status == 200),
    "errors-in-nova-format": (Call("GET", "resource_providers/nope"), lambda r: "itemNotFound" in r.json),
    "error-status-as-string": (Call("GET", "resource_classes/CUSTOM_NOPE"),
                               lambda r: r.json["errors"][0]["status"] == "404"),
    "error-code-dropped": (Call("GET", "traits/CUSTOM_NOPE"), lambda r: "code" not in r.json["errors"][0]),
    "concurrent-update-undefined-code": (Call("PUT", f"resource_providers/{RP}/traits", body=_STALE_TRAITS),
                                         lambda r: r.json["errors"][0]["code"] == "placement.undefined_code"),
    "aggregates-write-does-nothing": (Call("PUT", f"resource_providers/{RP}/aggregates", body={
        "aggregates": ["x"], "resource_provider_generation": 3}), lambda r: r.json["resource_provider_generation"]
        == 3),
    "traits-write-does-nothing": (Call("PUT", f"resource_providers/{RP}/traits", body={
        "traits": ["CUSTOM_X"], "resource_provider_generation": 3}), lambda r: r.json["resource_provider_generation"]
        == 3),
    "usages-401-as-403": (Call("GET", f"resource_providers/{RP}/usages", token=None), lambda r: r.status == 403),
}
_UPSTREAM_SEES: dict[str, Callable[[list[tuple[str, str]]], bool]] = {
    "aggregates-write-does-nothing": lambda seen: seen[-1] == ("GET", f"/resource_providers/{RP}/aggregates"),
    "traits-write-does-nothing": lambda seen: seen[-1] == ("GET", f"/resource_providers/{RP}/traits"),
}
"""Writes answered as if done: the proof is that only a read reached the upstream."""


def send(proxy: FaultProxy, call: Call) -> Got:
    headers = {"Accept": "application/json", "OpenStack-API-Version": f"placement {call.version}"}
    if call.token is not None:
        headers["X-Auth-Token"] = call.token
    with requests.Session() as session:
        answer = session.request(call.method, proxy.url + call.path, headers=headers, json=call.body, timeout=10)
    return Got(answer.status_code, answer.headers, answer.json() if answer.content else None)


@pytest.mark.parametrize("fault_id", [f.id for f in PLACEMENT_FAULTS])
def test_placement_fault_changes_what_it_claims(upstream: str, fault_id: str) -> None:
    call, claim = SCENARIOS[fault_id]
    with FaultProxy(upstream, None) as clean:
        honest = send(clean, call)
    assert not claim(honest), f"the claim of {fault_id} already holds without the fault"
    with FaultProxy(upstream, fault(fault_id)) as faulty_proxy:
        faulty = send(faulty_proxy, call)
    assert faulty_proxy.errors == []
    assert faulty_proxy.hits >= 1, f"{fault_id} never fired"
    assert claim(faulty), f"{fault_id}: {faulty.status} {dict(faulty.headers)} {faulty.json!r}"
    if fault_id in _UPSTREAM_SEES:
        assert _UPSTREAM_SEES[fault_id](SEEN), f"{fault_id}: the upstream got {SEEN[-1]}"


def test_the_placement_catalogue_has_at_least_12_faults_each_run_against_placement() -> None:
    assert len(PLACEMENT_FAULTS) >= 12
    assert {each.family for each in PLACEMENT_FAULTS} >= {"body", "gating", "headers", "preconditions", "errors",
                                                           "writes", "auth"}
    for each in PLACEMENT_FAULTS:
        assert each.service == "placement"
        assert re.compile(each.operations).search("GET /") is None, each.id
        assert "servers" not in each.operations, each.id


def test_versions_of_any_service_are_read_and_rewritten_with_its_token() -> None:
    from requests.structures import CaseInsensitiveDict

    from conformance.selftest.exchange import Request, Response

    assert parse_version("placement 1.30") == (1, 30) and parse_version("compute 2.59") == (2, 59)
    assert parse_version("placement latest") is None
    request = Request("GET", "/traits", [], CaseInsensitiveDict({"OpenStack-API-Version": "placement 1.5"}), b"")
    assert request.version == (1, 5) and request.version_text == "1.5"
    request.set_version("1.6")
    assert request.headers["OpenStack-API-Version"] == "placement 1.6"
    response = Response(200, CaseInsensitiveDict({"OpenStack-API-Version": "placement 1.6"}), b"")
    response.set_version_echo("1.5")
    assert response.headers["OpenStack-API-Version"] == "placement 1.5" and response.version == (1, 5)
