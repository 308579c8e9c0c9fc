"""clouds.yaml and OS_* variables through keystoneauth1, against a fake keystone on the fake Nova."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROJECT, TOKENS, FakeNova, Seen, as_json

from conformance.errors import TargetError
from conformance.target import Target
from conformance.target.clouds import Cloud, compute_endpoint, config_files, connect_cloud, load_cloud

OS_VARS = ("OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_USER_DOMAIN_NAME",
           "OS_PROJECT_DOMAIN_NAME", "OS_REGION_NAME", "OS_INTERFACE", "OS_CLIENT_CONFIG_FILE",
           "OS_CLIENT_SECURE_FILE", "OS_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in OS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def keystone(nova: FakeNova, users: dict[str, str], interface: str = "public") -> None:
    """Answer POST /identity/v3/auth/tokens for each user (name -> token) with a catalog naming the fake Nova."""

    def tokens(seen: Seen) -> tuple[int, list[tuple[str, str]], bytes]:
        user = json.loads(seen.body)["auth"]["identity"]["password"]["user"]["name"]
        if user not in users:
            return as_json(401, {"error": {"code": 401, "title": "Unauthorized", "message": "bad password"}})
        catalog = [{"type": "compute", "name": "nova", "id": "c1", "endpoints": [
            {"id": "e1", "interface": interface, "region": "RegionOne", "region_id": "RegionOne",
             "url": f"{nova.base}/v2.1/{PROJECT}"}]}]
        body = {"token": {"methods": ["password"], "expires_at": "2099-01-01T00:00:00.000000Z",
                          "issued_at": "2026-01-01T00:00:00.000000Z", "catalog": catalog,
                          "user": {"id": user, "name": user, "domain": {"id": "default", "name": "Default"}},
                          "project": {"id": PROJECT, "name": "demo", "domain": {"id": "default", "name": "Default"}},
                          "roles": [{"id": "r1", "name": "admin"}]}}
        return as_json(201, body, ("X-Subject-Token", users[user]))

    nova.routes["POST", "/identity/v3/auth/tokens"] = tokens
    # keystoneauth1 discovers the identity version first (unauthenticated; a 401 here deadlocks keystoneauth1 5.18)
    v3 = {"version": {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                      "links": [{"rel": "self", "href": f"{nova.base}/identity/v3/"}],
                      "media-types": [{"base": "application/json",
                                       "type": "application/vnd.openstack.identity-v3+json"}]}}
    nova.routes["GET", "/identity/v3"] = nova.routes["GET", "/identity/v3/"] = nova.json(200, v3)


def write_clouds(path: Path, nova: FakeNova, **extra: Any) -> Path:
    def cloud(user: str) -> dict[str, Any]:
        return {"auth": {"auth_url": f"{nova.base}/identity/v3", "username": user, "password": "pw",
                         "project_name": "demo", "user_domain_name": "Default", "project_domain_name": "Default"},
                "region_name": "RegionOne", **extra}

    path.parent.mkdir(parents=True, exist_ok=True)
    clouds = {"clouds": {"admin-cloud": cloud("admin"), "member-cloud": cloud("member"),
                         "other-cloud": cloud("other"), "stranger": cloud("stranger")}}
    path.write_text(yaml.safe_dump(clouds))
    return path


def test_connect_with_clouds(nova: FakeNova, tmp_path: Path) -> None:
    keystone(nova, {name: TOKENS[name] for name in TOKENS})
    write_clouds(tmp_path / "config" / "openstack" / "clouds.yaml", nova)
    with Target.connect(os_cloud="admin-cloud", member_cloud="member-cloud", other_cloud="other-cloud") as target:
        assert target.roles == frozenset({"admin", "member", "other"})
        assert target.endpoint == f"{nova.base}/v2.1/{PROJECT}"
        assert target.discovery.project_id == PROJECT
        target.get("/servers", role="other")
        assert nova.last().header("X-Auth-Token") == TOKENS["other"]
        assert target.credentials.session("member") is not None
        assert "pw" not in repr(target) and TOKENS["admin"] not in repr(target)
    # keystone was only asked once per cloud: the tokens are cached by keystoneauth1
    assert [seen.path for seen in nova.seen].count("/identity/v3/auth/tokens") == 3


def test_os_cloud_from_the_environment_with_tokens_for_other_roles(nova: FakeNova, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    keystone(nova, {"admin": TOKENS["admin"]})
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(write_clouds(tmp_path / "elsewhere.yaml", nova)))
    monkeypatch.setenv("OS_CLOUD", "admin-cloud")
    with Target.connect(tokens={"member": TOKENS["member"]}) as target:
        assert target.roles == frozenset({"admin", "member"})
        target.get("/servers", role="member")
        assert nova.last().header("X-Auth-Token") == TOKENS["member"]


def test_envvars_cloud(nova: FakeNova, monkeypatch: pytest.MonkeyPatch) -> None:
    keystone(nova, {"admin": TOKENS["admin"]})
    for name, value in {"OS_AUTH_URL": f"{nova.base}/identity/v3", "OS_USERNAME": "admin", "OS_PASSWORD": "pw",
                        "OS_PROJECT_NAME": "demo", "OS_USER_DOMAIN_NAME": "Default",
                        "OS_PROJECT_DOMAIN_NAME": "Default"}.items():
        monkeypatch.setenv(name, value)
    with Target.connect() as target:
        assert target.roles == frozenset({"admin"})
        assert target.endpoint == f"{nova.base}/v2.1/{PROJECT}"


def test_an_explicit_url_wins_over_the_catalog(nova: FakeNova, tmp_path: Path) -> None:
    keystone(nova, {"admin": TOKENS["admin"]})
    write_clouds(tmp_path / "clouds.yaml", nova)
    with Target.connect(f"{nova.base}/", os_cloud="admin-cloud", check_tokens=False) as target:
        assert target.endpoint == f"{nova.base}/v2.1"


def test_a_user_keystone_refuses(nova: FakeNova, tmp_path: Path) -> None:
    keystone(nova, {"admin": TOKENS["admin"]})
    write_clouds(tmp_path / "clouds.yaml", nova)
    with pytest.raises(TargetError, match=r"^cloud 'stranger': cannot get a token: Unauthorized: bad password"):
        Target.connect(os_cloud="stranger")
    with pytest.raises(TargetError, match=r"^cloud 'stranger': cannot get a token: Unauthorized"):
        Target.connect(os_cloud="admin-cloud", member_cloud="stranger")


def test_an_auth_url_answering_401_to_discovery_does_not_hang(nova: FakeNova, tmp_path: Path) -> None:
    keystone(nova, {"admin": TOKENS["admin"]})
    del nova.routes["GET", "/identity/v3"]  # the fake then answers 401, as Nova would to a wrong auth_url
    write_clouds(tmp_path / "clouds.yaml", nova)
    with pytest.raises(TargetError, match=r"^cloud 'admin-cloud': no token from keystone within 1.4 s"):
        Target.connect(os_cloud="admin-cloud", timeout=0.2)


def test_no_compute_in_the_catalog(nova: FakeNova, tmp_path: Path) -> None:
    keystone(nova, {"admin": TOKENS["admin"]}, interface="internal")
    write_clouds(tmp_path / "clouds.yaml", nova)
    with pytest.raises(TargetError, match=r"^cloud 'admin-cloud': the service catalog has no public compute endpoint "
                                          r"in region 'RegionOne'$"):
        Target.connect(os_cloud="admin-cloud")
    with Target.connect(os_cloud="admin-cloud", interface="internal") as target:
        assert target.endpoint == f"{nova.base}/v2.1/{PROJECT}"


def test_endpoint_override_skips_the_catalog(tmp_path: Path) -> None:
    cloud = Cloud("c", session=None, endpoint_override="http://h/v2.1")
    assert compute_endpoint(cloud) == "http://h/v2.1"
    assert repr(cloud) == "Cloud('c')"


def test_config_file_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", "/x/clouds.yaml")
    assert config_files("clouds.yaml") == [Path("/x/clouds.yaml"), tmp_path / "clouds.yaml",
                                           tmp_path / "config" / "openstack" / "clouds.yaml",
                                           Path("/etc/openstack/clouds.yaml")]


def test_load_cloud_merges_secure_yaml(tmp_path: Path) -> None:
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump(
        {"clouds": {"c": {"auth": {"auth_url": "http://k/v3", "username": "u"}, "interface": "internal"}}}))
    (tmp_path / "secure.yaml").write_text(yaml.safe_dump({"clouds": {"c": {"auth": {"password": "pw"}}}}))
    assert load_cloud("c") == {"auth": {"auth_url": "http://k/v3", "username": "u", "password": "pw"},
                               "interface": "internal"}


def test_cloud_errors(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match=r"^cloud 'c': no clouds.yaml found \(looked in .*/clouds.yaml"):
        load_cloud("c")
    with pytest.raises(TargetError, match="needs OS_AUTH_URL"):
        load_cloud("envvars")
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump({"clouds": {"a": {}, "b": {}}}))
    with pytest.raises(TargetError, match=r"^cloud 'c' is not in .*clouds.yaml \(it has: a, b\)$"):
        load_cloud("c")
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump(
        {"clouds": {"c": {"auth": {"auth_url": "http://k/v3", "colour": "blue"}}}}))
    with pytest.raises(TargetError, match=r"^cloud 'c': auth_type 'password' takes no colour$"):
        connect_cloud("c")
    (tmp_path / "clouds.yaml").write_text("clouds: [unclosed")
    with pytest.raises(TargetError, match="cannot read it as YAML"):
        load_cloud("c")


def test_insecure_and_cacert(tmp_path: Path) -> None:
    auth = {"auth_url": "http://k/v3", "username": "u", "password": "p", "project_name": "x"}
    (tmp_path / "clouds.yaml").write_text(yaml.safe_dump({"clouds": {
        "insecure": {"auth": auth, "verify": False}, "ca": {"auth": auth, "cacert": "/ca.pem"},
        "plain": {"auth": auth}}}))
    assert connect_cloud("insecure").verify is False
    assert connect_cloud("ca").verify == "/ca.pem"
    assert connect_cloud("plain").verify is True


def test_no_target_at_all() -> None:
    with pytest.raises(TargetError, match=r"^no target: give its URL \(--target\) or a cloud"):
        Target.connect(tokens={"admin": "t"})
