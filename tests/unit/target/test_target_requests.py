"""Requests as sent: version headers, tokens by role, bodies, recording, redaction, timeouts, lifetime."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from conftest import TOKENS, FakeNova

from conformance.errors import TargetError, TargetTimeout
from conformance.model import Microversion
from conformance.target import Credentials, Exchange, Target, version_headers

NEW, LEGACY = "OpenStack-API-Version", "X-OpenStack-Nova-API-Version"


@pytest.fixture
def target(nova: FakeNova) -> Iterator[Target]:
    with Target.connect(f"{nova.base}/v2.1", TOKENS, check_tokens=False, timeout=5.0) as target:
        yield target


@pytest.mark.parametrize(("microversion", "legacy", "new_sent", "legacy_sent"), [
    ("2.80", False, "compute 2.80", None),
    (Microversion(2, 59), False, "compute 2.59", None),
    ("latest", False, "compute latest", None),
    ("2.80", True, None, "2.80"),
    ("latest", True, None, "latest"),
    ("2.x", False, "compute 2.x", None),
    (None, False, None, None),
    (None, True, None, None),
])
def test_version_headers_sent(target: Target, nova: FakeNova, microversion: Microversion | str | None,
                              legacy: bool, new_sent: str | None, legacy_sent: str | None) -> None:
    exchange = target.request("GET", "/servers/s1/migrations", microversion=microversion, legacy_header=legacy)
    assert (nova.last().header(NEW), nova.last().header(LEGACY)) == (new_sent, legacy_sent)
    assert (exchange.request.header(NEW), exchange.request.header(LEGACY)) == (new_sent, legacy_sent)


def test_version_headers_helper() -> None:
    assert version_headers(Microversion(2, 100)) == {NEW: "compute 2.100"}
    assert version_headers("2.1", legacy=True) == {LEGACY: "2.1"}
    assert version_headers(None, legacy=True) == {}


@pytest.mark.parametrize("role", sorted(TOKENS))
def test_each_role_sends_its_token(target: Target, nova: FakeNova, role: str) -> None:
    exchange = target.request("GET", "/os-migrations", role=role)
    assert nova.last().header("X-Auth-Token") == TOKENS[role]
    assert exchange.request.role == role
    assert exchange.request.header("X-Auth-Token") == "***"


def test_the_default_role_is_admin(target: Target, nova: FakeNova) -> None:
    assert target.request("GET", "/os-migrations").request.role == "admin"
    assert nova.last().header("X-Auth-Token") == TOKENS["admin"]


@pytest.mark.parametrize("kwargs", [{"authenticated": False}, {"role": None}])
def test_no_token(target: Target, nova: FakeNova, kwargs: dict[str, object]) -> None:
    exchange = target.request("GET", "/os-migrations", **kwargs)  # type: ignore[arg-type]
    assert nova.last().header("X-Auth-Token") is None
    assert exchange.request.role is None
    assert exchange.request.header("X-Auth-Token") is None
    assert exchange.response.status == 401


def test_an_explicit_token_overrides_the_role(target: Target, nova: FakeNova) -> None:
    exchange = target.request("GET", "/os-migrations", role="member", token="not-a-token")
    assert nova.last().header("X-Auth-Token") == "not-a-token"
    assert exchange.response.status == 401


def test_a_role_without_credentials(target: Target) -> None:
    with pytest.raises(TargetError, match=r"^no credentials for role 'reader' \(have: admin, member, other\)$"):
        target.request("GET", "/os-migrations", role="reader")


def test_roles_given_as_empty_tokens_are_absent(nova: FakeNova) -> None:
    with Target.connect(f"{nova.base}/v2.1", {"admin": TOKENS["admin"], "member": "", "other": None}) as target:
        assert target.roles == frozenset({"admin"})


def test_json_and_raw_bodies(target: Target, nova: FakeNova) -> None:
    exchange = target.request("POST", "/servers/s1/migrations/1/action", json={"force_complete": None})
    assert nova.last().body == b'{"force_complete": null}'
    assert nova.last().header("Content-Type") == "application/json"
    assert exchange.request.body == b'{"force_complete": null}'
    assert exchange.response.json()["method"] == "POST"
    target.request("POST", "/servers/s1/action", body=b'{"broken', headers={"Content-Type": "application/json"})
    assert nova.last().body == b'{"broken'
    with pytest.raises(ValueError, match="json or body"):
        target.request("POST", "/x", json={}, body=b"{}")


def test_params_and_absolute_urls(target: Target, nova: FakeNova) -> None:
    exchange = target.request("GET", "/os-migrations", params=[("limit", 1), ("marker", "a b")])
    assert nova.last().path == "/v2.1/os-migrations?limit=1&marker=a+b"
    assert exchange.request.url == f"{nova.base}/v2.1/os-migrations?limit=1&marker=a+b"
    target.request("GET", f"{nova.base}/v2.1/os-migrations?limit=1&marker=m2")  # a `next` link
    assert nova.last().path == "/v2.1/os-migrations?limit=1&marker=m2"
    target.get("servers")
    assert nova.last().path == "/v2.1/servers"


def test_custom_headers_come_last(target: Target, nova: FakeNova) -> None:
    target.request("GET", "/servers", microversion="2.80", headers={NEW: "compute 2.1", "Accept": "text/plain"})
    assert (nova.last().header(NEW), nova.last().header("Accept")) == ("compute 2.1", "text/plain")


def test_response_recorded_with_repeated_headers(target: Target) -> None:
    exchange = target.request("DELETE", "/servers/s1", microversion="2.80")
    response = exchange.response
    assert response.status == 200 and response.elapsed > 0
    assert response.header_values("vary") == ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version")
    assert response.header("Vary") == "OpenStack-API-Version, X-OpenStack-Nova-API-Version"
    assert response.header("Set-Cookie") == "***"
    assert json.loads(response.body) == {"method": "DELETE", "path": "/v2.1/servers/s1", "body": ""}


def test_tokens_never_leave_unmasked(target: Target) -> None:
    exchanges = [target.request("GET", "/servers", role=role, microversion="2.80") for role in sorted(TOKENS)]
    exchanges.append(target.request("GET", "/servers", token="explicit-5ecret"))
    shown = [repr(target), repr(target.credentials), repr(target.discovery), str(target.discovery)]
    for exchange in exchanges:
        shown += [repr(exchange), exchange.curl(), json.dumps(exchange.to_dict())]
    assert "5ecret" not in "\n".join(shown)
    assert 'X-Auth-Token: $OS_TOKEN' in exchanges[0].curl()


def test_requests_are_counted_and_listened_to(target: Target) -> None:
    heard: list[Exchange] = []
    target.add_listener(heard.append)
    before = target.requests_sent
    first = target.request("GET", "/servers")
    target.request("GET", "/servers", authenticated=False)
    assert target.requests_sent == before + 2
    assert heard[0] is first and len(heard) == 2


def test_requests_from_threads_are_all_counted(target: Target) -> None:
    before = target.requests_sent
    threads = [threading.Thread(target=lambda: [target.get("/servers") for _ in range(5)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert target.requests_sent == before + 40


def test_timeout_names_the_request(target: Target, nova: FakeNova) -> None:
    nova.routes["GET", "/v2.1/servers/slow/migrations"] = nova.json(200, {}, delay=1.0)
    with pytest.raises(TargetTimeout) as caught:
        target.request("GET", "/servers/slow/migrations", role="member", microversion="2.80", timeout=0.2)
    assert str(caught.value) == (f"GET {nova.base}/v2.1/servers/slow/migrations (as member) got no answer "
                                 "within 0.2 s (--request-timeout)")
    assert isinstance(caught.value, TargetError)


def test_the_target_timeout_is_the_default(nova: FakeNova) -> None:
    nova.routes["GET", "/v2.1/servers"] = nova.json(200, {}, delay=1.0)
    with Target.connect(f"{nova.base}/v2.1", TOKENS, check_tokens=False, timeout=0.2) as target, \
            pytest.raises(TargetTimeout, match=r"within 0.2 s"):
        target.get("/servers")


def test_the_target_going_away(nova: FakeNova, closed_port: int) -> None:
    with Target.connect(f"{nova.base}/v2.1", TOKENS, check_tokens=False) as target:
        with pytest.raises(TargetError, match=rf"^GET http://127.0.0.1:{closed_port}/x: the target cannot be reached"):
            target.get(f"http://127.0.0.1:{closed_port}/x")
        assert target.requests_sent == 2


def test_close_and_context_manager(nova: FakeNova) -> None:
    with Target.connect(f"{nova.base}/v2.1", TOKENS, check_tokens=False) as target:
        assert not target.closed
    assert target.closed
    assert "closed" in repr(target)
    with pytest.raises(TargetError, match="closed"):
        target.get("/servers")
    target.close()  # twice is fine


def test_credentials_from_a_session_like_object(nova: FakeNova) -> None:
    class Session:
        def __init__(self) -> None:
            self.calls = 0
            self.auth = self

        def get_token(self) -> str:
            self.calls += 1
            return TOKENS["other"]

        def invalidate(self) -> bool:
            return True

    session = Session()
    credentials = Credentials.combine({"admin": TOKENS["admin"], "other": "ignored"}, {"other": session})
    assert credentials.roles == frozenset({"admin", "other"})
    assert credentials.session("other") is session and credentials.session("admin") is None
    with Target.connect(f"{nova.base}/v2.1", credentials=credentials) as target:
        target.get("/servers", role="other")
    assert nova.last().header("X-Auth-Token") == TOKENS["other"]
    assert session.calls == 2  # check_tokens, then the request
    assert credentials.invalidate("other") and not credentials.invalidate("admin")


def test_a_failing_token_source_is_a_target_error() -> None:
    def broken() -> str:
        raise RuntimeError("keystone says no")

    with pytest.raises(TargetError, match=r"^cannot get a token for role 'admin': RuntimeError: keystone says no$"):
        Credentials({"admin": broken}).token("admin")
    with pytest.raises(TargetError, match="empty token"):
        Credentials({"admin": lambda: ""}).token("admin")
