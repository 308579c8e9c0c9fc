"""FaultProxy against the fake Nova: transparency, URL rewriting, forwarding, headers, Content-Length."""

from __future__ import annotations

import http.client
import socket
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from selftest_fakenova import ADMIN, MEMBER, SERVER_A, UNKNOWN_SERVER, FakeNova

from conformance.selftest import Exchange, Fault, FaultProxy, fault

ADMIN_2_80 = {"X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.80"}
# Headers that differ between any two responses (or are recomputed), so are not compared.
_VOLATILE = {"date", "server", "x-openstack-request-id", "x-compute-request-id"}


def _headers(answer: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in answer.headers.items() if k.lower() not in _VOLATILE}


def test_url_keeps_the_upstream_path(nova: FakeNova) -> None:
    with FaultProxy(nova.url) as proxy:
        assert proxy.url.startswith("http://127.0.0.1:")
        assert proxy.url.endswith("/v2.1/")
        assert proxy.url != nova.url
    with FaultProxy(nova.origin) as proxy:
        assert proxy.url == proxy.origin + "/"


def test_not_started_and_bad_upstream_say_so() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = FaultProxy("http://127.0.0.1:1/v2.1/").url
    with pytest.raises(ValueError, match="http"):
        FaultProxy("127.0.0.1:8774/v2.1")


@pytest.mark.parametrize(("method", "path", "headers"), [
    ("GET", f"servers/{SERVER_A}/migrations", ADMIN_2_80),
    ("GET", f"servers/{SERVER_A}/migrations/1", {"X-Auth-Token": ADMIN, "X-OpenStack-Nova-API-Version": "2.23"}),
    ("GET", "os-migrations", {"X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.1"}),
    ("GET", f"servers/{UNKNOWN_SERVER}/migrations", ADMIN_2_80),
    ("GET", f"servers/{SERVER_A}/migrations", {"X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.105"}),
    ("GET", "os-migrations", {"X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.x"}),
    ("GET", f"servers/{SERVER_A}/migrations", {"X-Auth-Token": MEMBER, "OpenStack-API-Version": "compute 2.80"}),
    ("DELETE", f"servers/{SERVER_A}/migrations/3", ADMIN_2_80),
])
def test_no_fault_is_transparent(nova: FakeNova, method: str, path: str, headers: dict[str, str]) -> None:
    direct = requests.request(method, nova.url + path, headers=headers, timeout=10)
    with FaultProxy(nova.url) as proxy:
        proxied = requests.request(method, proxy.url + path, headers=headers, timeout=10)
        assert (proxy.requests, proxy.hits, proxy.errors) == (1, 0, [])
    assert proxied.status_code == direct.status_code
    assert proxied.content == direct.content  # byte for byte
    assert _headers(proxied) == _headers(direct)


def test_version_documents_and_links_point_at_the_proxy(nova: FakeNova) -> None:
    with FaultProxy(nova.url) as proxy:
        root = requests.get(proxy.origin + "/", timeout=10).json()
        assert root["versions"][0]["links"] == [{"rel": "self", "href": proxy.url}]
        assert requests.get(proxy.url, timeout=10).json()["version"]["links"][0]["href"] == proxy.url
        page = requests.get(proxy.url + "os-migrations?limit=1", headers={
            "X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.59"}, timeout=10).json()
        (link,) = page["migrations_links"]
        assert link["href"].startswith(proxy.url + "os-migrations?limit=1&marker=")
        following = requests.get(link["href"], headers={
            "X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.59"}, timeout=10)
        assert [m["id"] for m in following.json()["migrations"]] == [2]
        assert proxy.requests == 4


def test_headers_pointing_at_the_upstream_are_rewritten(nova: FakeNova) -> None:
    with FaultProxy(nova.url) as proxy:
        moved = requests.get(proxy.url + "moved", allow_redirects=False, timeout=10)
        assert (moved.status_code, moved.headers["Location"]) == (302, proxy.url)
        unauthorized = requests.get(proxy.url + "os-migrations", timeout=10)
        assert unauthorized.status_code == 401
        assert unauthorized.headers["WWW-Authenticate"] == f'Keystone uri="{proxy.origin}/identity"'
        assert nova.origin not in unauthorized.text


def test_method_path_query_headers_and_body_are_forwarded(nova: FakeNova) -> None:
    query = "changes-since=2016-01-29T13:42:02Z&x=1&x=2&empty="
    with FaultProxy(nova.url) as proxy:
        answer = requests.post(f"{proxy.url}echo?{query}", data=b'{"a": [1, 2]}',
                               headers={"X-Custom": "yes", "Content-Type": "application/json"}, timeout=10)
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/v2.1/echo"
    assert seen["query"] == query  # as sent, not re-encoded
    assert seen["body"] == '{"a": [1, 2]}'
    assert seen["headers"]["X-Custom"] == "yes"
    assert seen["headers"]["Host"] == nova.origin.removeprefix("http://")


def test_chunked_request_bodies_are_forwarded_whole(nova: FakeNova) -> None:
    with FaultProxy(nova.url) as proxy:
        answer = requests.post(f"{proxy.url}echo", data=iter([b'{"force_', b'complete": null}']), timeout=10)
    assert answer.json()["body"] == '{"force_complete": null}'
    assert "Transfer-Encoding" not in nova.received[-1]["headers"]


def test_content_length_follows_the_rewritten_body_and_keep_alive_works(nova: FakeNova) -> None:
    with FaultProxy(nova.url, fault("drop-status")) as proxy:
        connection = http.client.HTTPConnection("127.0.0.1", int(proxy.origin.rsplit(":", 1)[1]), timeout=10)
        try:
            for path in (f"/v2.1/servers/{SERVER_A}/migrations", f"/v2.1/servers/{SERVER_A}/migrations/1/action"):
                body = b'{"force_complete": null}' if path.endswith("action") else None
                connection.request("POST" if body else "GET", path, body=body, headers=ADMIN_2_80)
                answer = connection.getresponse()
                content = answer.read()
                assert answer.version == 11
                assert int(answer.headers["Content-Length"]) == len(content)
                assert answer.headers.get_all("Content-Length") == [str(len(content))]
                assert answer.headers.get("Transfer-Encoding") is None
            assert answer.status == 202 and content == b""
        finally:
            connection.close()
        assert proxy.requests == 2 and proxy.hits == 1


def test_head_has_no_body(nova: FakeNova) -> None:
    with FaultProxy(nova.url) as proxy:
        answer = requests.head(proxy.url, timeout=10)
    assert answer.status_code == 200 and answer.content == b""


def test_request_faults_change_what_the_upstream_receives(nova: FakeNova) -> None:
    with FaultProxy(nova.url, fault("legacy-header-ignored")) as proxy:
        answer = requests.get(f"{proxy.url}servers/{SERVER_A}/migrations",
                              headers={"X-Auth-Token": ADMIN, "X-OpenStack-Nova-API-Version": "2.80"}, timeout=10)
    assert answer.status_code == 404
    assert "X-OpenStack-Nova-API-Version" not in nova.received[-1]["headers"]


def test_a_broken_fault_answers_502_and_is_recorded(nova: FakeNova) -> None:
    def explode(ex: Exchange) -> bool:
        raise KeyError("boom")

    with FaultProxy(nova.url, Fault("broken", "raises", "body", explode)) as proxy:
        answer = requests.get(proxy.url, timeout=10)
        assert answer.status_code == 502
        assert "boom" in answer.json()["proxyError"]["message"]
        assert len(proxy.errors) == 1 and "broken" in proxy.errors[0]


def test_unreachable_upstream_answers_502() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with FaultProxy(f"http://127.0.0.1:{port}/v2.1/", timeout=2) as proxy:
        answer = requests.get(proxy.url, timeout=10)
    assert answer.status_code == 502 and "proxyError" in answer.json()


def test_concurrent_requests_each_get_their_answer(nova: FakeNova) -> None:
    with FaultProxy(nova.url, fault("id-as-string")) as proxy:
        def one(i: int) -> Any:
            version = "2.80" if i % 2 else "2.59"
            answer = requests.get(f"{proxy.url}servers/{SERVER_A}/migrations/1",
                                  headers={"X-Auth-Token": ADMIN, "OpenStack-API-Version": f"compute {version}"},
                                  timeout=10)
            return version, answer.headers["OpenStack-API-Version"], answer.json()["migration"]

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, range(40)))
        assert proxy.requests == 40 and proxy.hits == 40
    for version, echoed, migration in results:
        assert echoed == f"compute {version}"
        assert migration["id"] == "1"
        assert ("user_id" in migration) == (version == "2.80")


def test_postcondition_fault_keeps_the_migration_everywhere(nova: FakeNova) -> None:
    headers = ADMIN_2_80
    with FaultProxy(nova.url, fault("force-complete-never-completes")) as proxy:
        done = requests.post(f"{proxy.url}servers/{SERVER_A}/migrations/1/action", json={"force_complete": None},
                             headers=headers, timeout=10)
        assert done.status_code == 202
        listed = requests.get(f"{proxy.url}servers/{SERVER_A}/migrations", headers=headers, timeout=10).json()
        every = requests.get(f"{proxy.url}os-migrations", headers=headers, timeout=10).json()
        old = requests.get(f"{proxy.url}servers/{SERVER_A}/migrations", timeout=10, headers={
            "X-Auth-Token": ADMIN, "OpenStack-API-Version": "compute 2.23"}).json()
    assert nova.migrations[0]["status"] == "completed"  # it really completed upstream
    (item,) = listed["migrations"]
    assert (item["id"], item["status"], item["user_id"]) == (1, "running", "admin-user")
    assert next(m for m in every["migrations"] if m["id"] == 1)["status"] == "running"
    (item,) = old["migrations"]
    assert "uuid" not in item and "user_id" not in item  # trimmed to the version asked
