"""Every compute fault changes what it claims to, on canned answers of the shape Nova gives.

A canned upstream answers each (method, path) with a fixed status and body and echoes the version it was
asked for; a scenario is one request and a claim about the answer. Through a transparent proxy the claim
does not hold; through the faulty one it does, the fault counted as fired and raising nothing.
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
from conformance.selftest.faults_compute import COMPUTE_FAULTS

S = "a7c02dd7-2645-4bed-b3ce-4a1ddcf62f37"
FAULT_404 = {"itemNotFound": {"code": 404, "message": "not found"}}
FAULT_401 = {"error": {"code": 401, "title": "Unauthorized", "message": "no token"}}

CANNED: dict[tuple[str, str], tuple[int, Any]] = {
    ("GET", "/limits"): (200, {"limits": {"absolute": {"maxTotalInstances": 10}, "rate": []}}),
    ("GET", "/os-keypairs"): (200, {"keypairs": [{"keypair": {"name": "k", "fingerprint": "f", "public_key": "p"}}]}),
    ("GET", "/os-keypairs/k"): (200, {"keypair": {"name": "k", "user_id": "u", "fingerprint": "f"}}),
    ("GET", "/os-keypairs/nope"): (404, FAULT_404),
    ("GET", "/os-quota-sets/p"): (200, {"quota_set": {"id": "p", "instances": 10}}),
    ("GET", "/os-quota-sets/p/detail"): (200, {"quota_set": {"id": "p", "cores": {"in_use": 0, "limit": 20}}}),
    ("PUT", "/os-quota-sets/p"): (200, {"quota_set": {"instances": 7}}),
    ("GET", f"/servers/{S}/metadata"): (200, {"metadata": {"a": "b"}}),
    ("GET", f"/servers/{S}/metadata/nope"): (404, FAULT_404),
    ("PUT", f"/servers/{S}/metadata/a"): (200, {"meta": {"a": "c"}}),
    ("POST", f"/servers/{S}/metadata"): (400, {"badRequest": {"code": 400, "message": "invalid"}}),
    ("GET", f"/servers/{S}/tags"): (200, {"tags": ["t1", "t2"]}),
    ("DELETE", f"/servers/{S}/tags/t1"): (204, None),
    ("GET", "/os-availability-zone"): (200, {"availabilityZoneInfo": [{"zoneName": "nova",
                                                                      "zoneState": {"available": True}}]}),
    ("GET", "/os-simple-tenant-usage"): (200, {"tenant_usages": [{"tenant_id": "p", "total_hours": 1.0}]}),
    ("GET", "/extensions"): (200, {"extensions": [{"alias": "NMN", "name": "Multinic"}]}),
    ("GET", f"/servers/{S}/os-volume_attachments"): (200, {"volumeAttachments": [{"id": "v", "serverId": S}]}),
    ("GET", f"/servers/{S}/os-server-password"): (200, {"password": ""}),
    ("GET", f"/servers/{S}/os-interface"): (200, {"interfaceAttachments": [{"port_id": "p", "port_state": "ACTIVE"}]}),
    ("GET", "/flavors"): (200, {"flavors": [{"id": "1", "name": "m1.tiny"}, {"id": "2", "name": "m1.small"}]}),
    ("GET", "/flavors/nope"): (404, FAULT_404),
    ("GET", "/os-hypervisors"): (200, {"hypervisors": [{"id": 1, "hypervisor_hostname": "host1"}]}),
    ("GET", "/os-hypervisors/statistics"): (200, {"hypervisor_statistics": {"count": 2}}),
    ("POST", f"/servers/{S}/remote-consoles"): (200, {"remote_console": {"protocol": "vnc", "url": "u"}}),
    ("GET", "/os-aggregates/99"): (404, FAULT_404),
    ("DELETE", "/os-keypairs/k"): (202, None),
    ("POST", "/os-keypairs"): (400, {"badRequest": {"code": 400, "message": "invalid"}}),
    ("GET", f"/servers/{S}"): (200, {"server": {"id": S, "status": "ACTIVE"}}),
    ("POST", f"/servers/{S}/action"): (409, {"conflictingRequest": {"code": 409, "message": "state"}}),
}
"""(method, path after /v2.1) -> (status, body); anything else is 404. A request with no token gets 401, one by
the member token to /os-hypervisors gets 403; GET /servers/{S}/tags below 2.26 and the statistics from 2.88
get 404; POST /os-keypairs with a body naming a keypair gets 200; an os-stop or rescue 202/200."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    version: str = "2.80"
    body: Any = None
    token: str | None = "admin"
    query: str = ""


def _canned(method: str, path: str, version: tuple[int, int], token: str | None, body: Any) -> tuple[int, Any]:
    if token is None:
        return 401, FAULT_401
    if token == "member" and path == "/os-hypervisors":
        return 403, {"forbidden": {"code": 403, "message": "policy"}}
    if (path.endswith("/tags") and version < (2, 26)) or (path == "/os-hypervisors/statistics" and version >= (2, 88)):
        return 404, FAULT_404
    if path.endswith("/remote-consoles") and version < (2, 6):
        return 404, FAULT_404
    if method == "POST" and path == f"/servers/{S}/action" and isinstance(body, dict):
        if "os-stop" in body:
            return 202, None
        if "rescue" in body:
            return 200, {"adminPass": "x"}
    if method == "POST" and path == "/os-keypairs" and isinstance(body, dict) and "keypair" in body:
        return 200, {"keypair": {**body["keypair"], "fingerprint": "f", "user_id": "u"}}
    return CANNED.get((method, path), (404, FAULT_404))


SEEN: list[tuple[str, str]] = []
"""What reached the upstream: (method, path with query)."""


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        SEEN.append((self.command, self.path))
        path = re.sub(r"^/v2\.1", "", self.path.split("?")[0])
        asked = (self.headers.get("OpenStack-API-Version") or "compute 2.1").split()[-1]
        major, minor = (int(part) for part in asked.split("."))
        status, body = _canned(self.command, path, (major, minor), self.headers.get("X-Auth-Token"),
                               json.loads(raw) if raw else None)
        content = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (("Content-Type", "application/json"), ("OpenStack-API-Version", f"compute {asked}"),
                            ("Vary", "OpenStack-API-Version"), ("X-Openstack-Request-Id", "req-1")):
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2.1/"
    server.shutdown()
    server.server_close()


@dataclass(frozen=True)
class Got:
    status: int
    headers: Any
    json: Any


Claim = Callable[[Got], bool]

COMPUTE_SCENARIOS: dict[str, tuple[Call, Claim]] = {
    "limits-drop-max-instances": (Call("GET", "limits"), lambda r: "maxTotalInstances" not in r.json["limits"][
        "absolute"]),
    "limits-instances-as-string": (Call("GET", "limits"), lambda r: r.json["limits"]["absolute"][
        "maxTotalInstances"] == "10"),
    "keypairs-drop-fingerprint": (Call("GET", "os-keypairs"), lambda r: "fingerprint" not in r.json["keypairs"][0][
        "keypair"]),
    "keypair-user-as-integer": (Call("GET", "os-keypairs/k"), lambda r: r.json["keypair"]["user_id"] == 1234),
    "quota-set-drop-instances": (Call("GET", "os-quota-sets/p"), lambda r: "instances" not in r.json["quota_set"]),
    "quota-detail-in-use-as-string": (Call("GET", "os-quota-sets/p/detail"),
                                      lambda r: r.json["quota_set"]["cores"]["in_use"] == "0"),
    "metadata-as-list": (Call("GET", f"servers/{S}/metadata"), lambda r: isinstance(r.json["metadata"], list)),
    "tags-as-string": (Call("GET", f"servers/{S}/tags"), lambda r: r.json["tags"] == "t1,t2"),
    "availability-zone-state-as-string": (Call("GET", "os-availability-zone"), lambda r: r.json[
        "availabilityZoneInfo"][0]["zoneState"]["available"] == "true"),
    "usage-drop-total-hours": (Call("GET", "os-simple-tenant-usage"), lambda r: "total_hours" not in r.json[
        "tenant_usages"][0]),
    "extensions-drop-alias": (Call("GET", "extensions"), lambda r: "alias" not in r.json["extensions"][0]),
    "attachments-drop-server-id": (Call("GET", f"servers/{S}/os-volume_attachments"),
                                   lambda r: "serverId" not in r.json["volumeAttachments"][0]),
    "password-as-null": (Call("GET", f"servers/{S}/os-server-password"), lambda r: r.json["password"] is None),
    "interfaces-drop-port-state": (Call("GET", f"servers/{S}/os-interface"),
                                   lambda r: "port_state" not in r.json["interfaceAttachments"][0]),
    "flavors-drop-name": (Call("GET", "flavors"), lambda r: "name" not in r.json["flavors"][0]),
    "hypervisors-undocumented-field": (Call("GET", "os-hypervisors"), lambda r: "secret" in r.json["hypervisors"][0]),
    "keypair-type-below-2.2": (Call("GET", "os-keypairs/k", "2.1"), lambda r: r.json["keypair"].get("type") == "ssh"),
    "quota-fixed-ips-from-2.36": (Call("GET", "os-quota-sets/p", "2.36"), lambda r: "fixed_ips" in r.json[
        "quota_set"]),
    "limits-floating-ips-from-2.36": (Call("GET", "limits", "2.36"), lambda r: "maxTotalFloatingIps" in r.json[
        "limits"]["absolute"]),
    "keypairs-links-below-2.35": (Call("GET", "os-keypairs", "2.34"), lambda r: "keypairs_links" in r.json),
    "tags-served-below-2.26": (Call("GET", f"servers/{S}/tags", "2.25"), lambda r: r.status == 200 and r.headers[
        "OpenStack-API-Version"] == "compute 2.25"),
    "statistics-served-from-2.88": (Call("GET", "os-hypervisors/statistics", "2.88"), lambda r: r.status == 200),
    "remote-consoles-below-2.6": (Call("POST", f"servers/{S}/remote-consoles", "2.5", {"remote_console": {}}),
                                  lambda r: r.status == 200),
    "keypair-404-as-410": (Call("GET", "os-keypairs/nope"), lambda r: r.status == 410),
    "limits-no-request-id": (Call("GET", "limits"), lambda r: "X-Openstack-Request-Id" not in r.headers),
    "keypairs-wrong-echo": (Call("GET", "os-keypairs"), lambda r: r.headers["OpenStack-API-Version"] ==
                            "compute 2.1"),
    "quota-sets-no-vary": (Call("GET", "os-quota-sets/p"), lambda r: "Vary" not in r.headers),
    "keypairs-401-as-403": (Call("GET", "os-keypairs", token=None), lambda r: r.status == 403),
    "hypervisors-member-allowed": (Call("GET", "os-hypervisors", token="member"), lambda r: r.status == 200),
    "metadata-401-as-404": (Call("GET", f"servers/{S}/metadata", token=None), lambda r: r.status == 404),
    "unknown-flavor-500": (Call("GET", "flavors/nope"), lambda r: r.status == 500),
    "unknown-keypair-fault-without-code": (Call("GET", "os-keypairs/nope"),
                                           lambda r: "code" not in r.json["itemNotFound"]),
    "unknown-aggregate-wrong-fault-key": (Call("GET", "os-aggregates/99"), lambda r: "notFound" in r.json),
    "unknown-metadata-key-400": (Call("GET", f"servers/{S}/metadata/nope"), lambda r: r.status == 400),
    "flavors-limit-ignored": (Call("GET", "flavors", query="limit=1"), lambda r: r.status == 200),
    "keypairs-limit-ignored": (Call("GET", "os-keypairs", query="limit=1"), lambda r: r.status == 200),
    "metadata-key-write-ignored": (Call("PUT", f"servers/{S}/metadata/a", body={"meta": {"a": "d"}}),
                                   lambda r: r.json == {"meta": {"a": "d"}}),
    "quota-set-update-ignored": (Call("PUT", "os-quota-sets/p", body={"quota_set": {"instances": 3}}),
                                 lambda r: r.json == {"quota_set": {"instances": 3}}),
    "keypair-delete-ignored": (Call("DELETE", "os-keypairs/k"), lambda r: r.status == 202 and r.json is None),
    "tag-delete-ignored": (Call("DELETE", f"servers/{S}/tags/t1"), lambda r: r.status == 204),
    "keypair-create-ignored": (Call("POST", "os-keypairs", body={"keypair": {"name": "new"}}),
                               lambda r: r.json["keypair"]["user_id"] == "u" and r.json["keypair"]["fingerprint"]
                               == "00"),
    "keypair-invalid-body-accepted": (Call("POST", "os-keypairs", body={"nothing": 1}), lambda r: r.status == 200),
    "metadata-invalid-body-accepted": (Call("POST", f"servers/{S}/metadata", body={"metadata": 1}),
                                       lambda r: r.status == 200),
    "stop-does-not-stop": (Call("POST", f"servers/{S}/action", body={"os-stop": None}), lambda r: r.status == 202),
    "rescue-does-not-rescue": (Call("POST", f"servers/{S}/action", body={"rescue": None}),
                               lambda r: r.json == {"adminPass": "conformance"}),
    "start-of-active-accepted": (Call("POST", f"servers/{S}/action", body={"os-start": None}),
                                 lambda r: r.status == 202),
    "confirm-without-resize-accepted": (Call("POST", f"servers/{S}/action", body={"confirmResize": None}),
                                        lambda r: r.status == 204),
}
_UPSTREAM_SEES: dict[str, Callable[[list[tuple[str, str]]], bool]] = {
    "flavors-limit-ignored": lambda seen: seen[-1] == ("GET", "/v2.1/flavors"),
    "keypairs-limit-ignored": lambda seen: seen[-1] == ("GET", "/v2.1/os-keypairs"),
    "keypair-delete-ignored": lambda seen: seen[-1] == ("GET", "/v2.1/os-keypairs/k"),
    "tag-delete-ignored": lambda seen: seen[-1] == ("GET", f"/v2.1/servers/{S}/tags/t1"),
    "stop-does-not-stop": lambda seen: seen[-1] == ("GET", f"/v2.1/servers/{S}"),
}
"""Faults whose answer looks like the honest one: the proof is what reached the upstream instead."""


def send(proxy: FaultProxy, call: Call) -> Got:
    headers = {"Accept": "application/json", "OpenStack-API-Version": f"compute {call.version}"}
    if call.token is not None:
        headers["X-Auth-Token"] = call.token
    url = proxy.url + call.path + (f"?{call.query}" if call.query else "")
    with requests.Session() as session:
        answer = session.request(call.method, url, headers=headers, json=call.body, timeout=10)
    return Got(answer.status_code, answer.headers, answer.json() if answer.content else None)


@pytest.mark.parametrize("fault_id", [f.id for f in COMPUTE_FAULTS])
def test_compute_fault_changes_what_it_claims(upstream: str, fault_id: str) -> None:
    call, claim = COMPUTE_SCENARIOS[fault_id]
    with FaultProxy(upstream, None) as clean:
        honest = send(clean, call)
    with FaultProxy(upstream, fault(fault_id)) as faulty_proxy:
        faulty = send(faulty_proxy, call)
    assert faulty_proxy.errors == []
    assert faulty_proxy.hits >= 1, f"{fault_id} never fired"
    if fault_id in _UPSTREAM_SEES:
        assert _UPSTREAM_SEES[fault_id](SEEN), f"{fault_id}: the upstream got {SEEN[-1]}"
        assert claim(faulty)
        return
    assert not claim(honest), f"the claim of {fault_id} already holds without the fault"
    assert claim(faulty), f"{fault_id}: {faulty.status} {dict(faulty.headers)} {faulty.json!r}"


def test_the_compute_catalogue_has_at_least_40_faults_each_with_its_operations() -> None:
    assert len(COMPUTE_FAULTS) >= 40
    for each in COMPUTE_FAULTS:
        re.compile(each.operations)
        assert "migrations" not in each.operations, each.id
