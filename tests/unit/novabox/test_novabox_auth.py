"""The token filter that replaces keystonemiddleware (runs in nova's venv, stdlib only)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "conformance" / "novabox" / "_inside"))
import novabox_auth


def call(environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(env)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    identities = novabox_auth.default_identities()
    tokens = {"admin": "t-admin", "member": "t-member", "other": "t-other"}
    flt = novabox_auth.filter_factory({tokens[n]: identities[n] for n in tokens}, "http://127.0.0.1:1/identity")({})(
        app
    )
    status: list[Any] = []
    body = b"".join(flt(environ, lambda s, h: status.extend([s, dict(h)])))
    return status[0], status[1], body, seen


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_missing_or_unknown_token_is_keystones_401(token: str | None) -> None:
    environ = {} if token is None else {"HTTP_X_AUTH_TOKEN": token}
    status, headers, body, seen = call(environ)
    assert status == "401 Unauthorized"
    assert json.loads(body) == {
        "error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}
    }
    assert headers["WWW-Authenticate"] == 'Keystone uri="http://127.0.0.1:1/identity"'
    assert headers["Content-Type"] == "application/json"
    assert not seen


def test_member_token_sets_keystone_headers() -> None:
    status, _, _, seen = call({"HTTP_X_AUTH_TOKEN": "t-member"})
    assert status == "200 OK"
    assert seen["HTTP_X_PROJECT_ID"] == novabox_auth.MEMBER_PROJECT_ID
    assert seen["HTTP_X_USER_ID"] == "member-user"
    assert seen["HTTP_X_ROLES"] == "member,reader"
    assert seen["HTTP_X_IDENTITY_STATUS"] == "Confirmed"


def test_admin_and_other_are_distinct_projects() -> None:
    admin = call({"HTTP_X_AUTH_TOKEN": "t-admin"})[3]
    other = call({"HTTP_X_AUTH_TOKEN": "t-other"})[3]
    assert "admin" in admin["HTTP_X_ROLES"].split(",")
    assert "admin" not in other["HTTP_X_ROLES"].split(",")
    assert len({admin["HTTP_X_PROJECT_ID"], other["HTTP_X_PROJECT_ID"], novabox_auth.MEMBER_PROJECT_ID}) == 3


def test_client_identity_headers_are_stripped() -> None:
    _, _, _, seen = call(
        {
            "HTTP_X_AUTH_TOKEN": "t-member",
            "HTTP_X_ROLES": "admin",
            "HTTP_X_PROJECT_ID": "evil",
            "HTTP_X_SERVICE_ROLES": "x",
        }
    )
    assert seen["HTTP_X_ROLES"] == "member,reader"
    assert seen["HTTP_X_PROJECT_ID"] == novabox_auth.MEMBER_PROJECT_ID
    assert "HTTP_X_SERVICE_ROLES" not in seen
    status, _, _, seen = call({"HTTP_X_ROLES": "admin", "HTTP_X_USER_ID": "admin"})
    assert status.startswith("401")


def test_tokens_are_random_per_boot() -> None:
    a = novabox_auth.make_tokens(["admin", "member"])
    b = novabox_auth.make_tokens(["admin", "member"])
    assert a != b and all(len(t) == 32 for t in a.values())


def placement_call(environ: dict[str, Any]) -> tuple[str, bytes, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(env)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    identities = novabox_auth.default_identities()
    flt = novabox_auth.placement_filter(app, {"t-admin": identities["admin"], "t-member": identities["member"]},
                                        "http://127.0.0.1:1/identity")
    status: list[Any] = []
    body = b"".join(flt(environ, lambda s, h: status.extend([s, dict(h)])))
    return status[0], body, seen


def test_placement_root_needs_no_token_and_gets_none() -> None:
    status, _, seen = placement_call({"PATH_INFO": "/", "HTTP_X_AUTH_TOKEN": "wrong", "HTTP_X_ROLES": "admin"})
    assert status == "200 OK"
    assert "HTTP_X_AUTH_TOKEN" not in seen and "HTTP_X_ROLES" not in seen


def test_placement_refuses_an_unknown_token_elsewhere() -> None:
    status, body, seen = placement_call({"PATH_INFO": "/resource_providers", "HTTP_X_AUTH_TOKEN": "wrong"})
    assert status == "401 Unauthorized" and json.loads(body)["error"]["code"] == 401
    assert not seen


def test_placement_token_is_forwarded_as_user_and_project_with_the_roles() -> None:
    status, _, seen = placement_call({"PATH_INFO": "/resource_providers", "HTTP_X_AUTH_TOKEN": "t-member"})
    assert status == "200 OK"
    # placement's NoAuthMiddleware reads user:project from the token and keeps X-Roles
    assert seen["HTTP_X_AUTH_TOKEN"] == f"member-user:{novabox_auth.MEMBER_PROJECT_ID}"
    assert seen["HTTP_X_ROLES"] == "member,reader"
