"""conformance.target against real Nova: discovery in each URL form, and a migration list at 2.80 as admin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.errors import TargetError
from conformance.model import Microversion
from conformance.novabox import NovaBox
from conformance.target import Target

pytestmark = [pytest.mark.novabox, pytest.mark.slow]


@pytest.fixture(scope="module")
def box() -> Iterator[NovaBox]:
    with NovaBox() as box:
        yield box


@pytest.fixture
def target(box: NovaBox) -> Iterator[Target]:
    with Target.connect(box.url, box.tokens, timeout=30.0) as target:
        yield target


def test_discovery(box: NovaBox, target: Target) -> None:
    d = target.discovery
    root = box.url.split("v2.1")[0]
    assert (d.root, d.endpoint) == (root, root + "v2.1")
    assert d.min_version == Microversion(2, 1)
    # Nova 34 (2025.2) advertises 2.100 or later; nova-box reports what it serves.
    assert d.max_version >= Microversion(2, 100)
    assert d.max_version == Microversion.parse(box.state["max_version"])
    assert target.roles >= {"admin", "member", "other"}
    assert target.requests_sent == 1 + len(target.roles)  # version document, then GET /limits per role


def test_discovery_from_the_root_and_the_project_endpoint(box: NovaBox, target: Target) -> None:
    root = target.discovery.root
    with Target.connect(root, box.tokens, check_tokens=False) as from_root:
        assert from_root.endpoint == target.endpoint
        assert from_root.discovery.max_version == target.discovery.max_version
    project = box.state["projects"]["admin"]
    with Target.connect(f"{target.endpoint}/{project}/", box.tokens, check_tokens=False) as legacy:
        assert legacy.discovery.project_id == project
        exchange = legacy.request("GET", "/limits", microversion="2.1")
        assert exchange.response.status == 200


def test_server_migrations_at_2_80_as_admin(box: NovaBox, target: Target) -> None:
    server = box.state["seeded"][0]["server"]
    exchange = target.request("GET", f"/servers/{server}/migrations", microversion="2.80")
    assert exchange.response.status == 200, exchange.response.text()
    assert exchange.response.header("OpenStack-API-Version") == "compute 2.80"
    assert "OpenStack-API-Version" in (exchange.response.header("Vary") or "")
    migrations = exchange.response.json()["migrations"]
    assert [m["server_uuid"] for m in migrations] == [server]
    assert {"uuid", "user_id", "project_id"} <= set(migrations[0])
    assert exchange.request.header("X-Auth-Token") == "***"
    assert box.tokens["admin"] not in exchange.curl()


def test_roles_versions_and_headers_as_nova_sees_them(box: NovaBox, target: Target) -> None:
    server = box.state["seeded"][0]["server"]
    path = f"/servers/{server}/migrations"
    assert target.request("GET", path, role="member", microversion="2.80").response.status == 403
    assert target.request("GET", path, authenticated=False, microversion="2.80").response.status == 401
    legacy = target.request("GET", path, microversion="2.59", legacy_header=True)
    assert legacy.response.status == 200
    assert legacy.response.header("X-OpenStack-Nova-API-Version") == "2.59"
    assert "user_id" not in legacy.response.json()["migrations"][0]
    latest = target.request("GET", path, microversion="latest")
    assert latest.response.header("OpenStack-API-Version") == f"compute {target.discovery.max_version}"
    above = target.discovery.max_version.next()
    assert target.request("GET", path, microversion=str(above)).response.status == 406
    assert target.request("GET", path, microversion=None).response.status == 404  # 2.1: not served below 2.23


def test_a_bad_token_fails_at_connect(box: NovaBox) -> None:
    with pytest.raises(TargetError, match="401 Unauthorized to the admin token"):
        Target.connect(box.url, {**box.tokens, "admin": "not-a-token"})
