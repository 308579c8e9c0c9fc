"""Token filter that stands in for keystonemiddleware's ``authtoken`` in nova-box.

It runs inside the nova venv (stdlib only, so it can be unit-tested anywhere).
keystonemiddleware validates ``X-Auth-Token`` against Keystone and, on success,
sets the ``X-User-Id``/``X-Project-Id``/``X-Roles``... headers that nova's
``NovaKeystoneContext`` turns into a ``RequestContext``. This filter does the
same from a fixed token -> identity table, so nova's own context and default
policy decide what each identity may do. Like keystonemiddleware it first
strips any identity headers the client sent (so they cannot be spoofed), and it
answers a missing or unknown token with Keystone's 401 body and a
``WWW-Authenticate`` header.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Identity", "TokenAuthFilter", "default_identities", "make_tokens", "placement_filter", "unauthorized_body"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Project that owns the seeded servers: the project id nova's own fixtures use,
#: so the fake neutron's networks and ports belong to it as they do in nova's tests.
MEMBER_PROJECT_ID = "6f70656e737461636b20342065766572"
OTHER_PROJECT_ID = "0e7e3b1f9c5a4d8e8f2b6a1c3d5e7f90"
ADMIN_PROJECT_ID = "a0d1b2c3e4f5061728394a5b6c7d8e9f"

#: Headers keystonemiddleware removes from every incoming request (WSGI names).
_STRIPPED_PREFIXES = (
    "HTTP_X_USER",
    "HTTP_X_PROJECT",
    "HTTP_X_TENANT",
    "HTTP_X_ROLE",
    "HTTP_X_SERVICE_",
    "HTTP_X_DOMAIN",
    "HTTP_X_TRUST",
    "HTTP_X_APPLICATION_CREDENTIAL",
    "HTTP_X_IDENTITY_STATUS",
    "HTTP_X_IS_ADMIN_PROJECT",
    "HTTP_X_SYSTEM_SCOPE",
    "HTTP_OPENSTACK_SYSTEM_SCOPE",
)

UNAUTHORIZED_MESSAGE = "The request you have made requires authentication."


@dataclass(frozen=True)
class Identity:
    """What a valid token stands for: a user scoped to a project, with roles."""

    name: str
    user_id: str
    project_id: str
    project_name: str
    roles: tuple[str, ...]
    is_admin_project: bool = False
    extra: Mapping[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        """The WSGI environ keys keystonemiddleware sets for a confirmed token."""
        return {
            "HTTP_X_IDENTITY_STATUS": "Confirmed",
            "HTTP_X_USER_ID": self.user_id,
            "HTTP_X_USER_NAME": self.name,
            "HTTP_X_USER_DOMAIN_ID": "default",
            "HTTP_X_USER_DOMAIN_NAME": "Default",
            "HTTP_X_PROJECT_ID": self.project_id,
            "HTTP_X_PROJECT_NAME": self.project_name,
            "HTTP_X_PROJECT_DOMAIN_ID": "default",
            "HTTP_X_PROJECT_DOMAIN_NAME": "Default",
            "HTTP_X_ROLES": ",".join(self.roles),
            "HTTP_X_IS_ADMIN_PROJECT": str(self.is_admin_project),
            # Deprecated aliases keystonemiddleware still sets.
            "HTTP_X_TENANT_ID": self.project_id,
            "HTTP_X_TENANT_NAME": self.project_name,
            "HTTP_X_USER": self.name,
            "HTTP_X_ROLE": ",".join(self.roles),
        }


def default_identities() -> dict[str, Identity]:
    """The identities nova-box offers, by name (the keys of the ready line's tokens)."""
    return {
        "admin": Identity(
            "admin", "admin-user", ADMIN_PROJECT_ID, "admin", ("admin", "manager", "member", "reader"), True
        ),
        "member": Identity("member", "member-user", MEMBER_PROJECT_ID, "project-one", ("member", "reader")),
        "reader": Identity("reader", "reader-user", MEMBER_PROJECT_ID, "project-one", ("reader",)),
        "manager": Identity(
            "manager", "manager-user", MEMBER_PROJECT_ID, "project-one", ("manager", "member", "reader")
        ),
        "other": Identity("other", "other-user", OTHER_PROJECT_ID, "project-two", ("member", "reader")),
    }


def make_tokens(names: Iterable[str]) -> dict[str, str]:
    """A fresh random token for each identity name (new on every boot)."""
    return {name: secrets.token_hex(16) for name in names}


def unauthorized_body() -> bytes:
    """Keystone's 401 body, byte for byte what keystonemiddleware sends."""
    return json.dumps({"error": {"code": 401, "title": "Unauthorized", "message": UNAUTHORIZED_MESSAGE}}).encode()


class TokenAuthFilter:
    """WSGI middleware: ``X-Auth-Token`` -> identity headers, or Keystone's 401."""

    def __init__(self, app: WSGIApp, by_token: Mapping[str, Identity], www_authenticate_uri: str, *,
                 public_paths: tuple[str, ...] = (), forward_token: Callable[[Identity], str] | None = None) -> None:
        self.app = app
        self._by_token = dict(by_token)
        self._www_authenticate = f'Keystone uri="{www_authenticate_uri}"'
        self._public = public_paths
        self._forward = forward_token

    def identify(self, token: str | None) -> Identity | None:
        """The identity of ``token``; compares in constant time, None if unknown."""
        if not token:
            return None
        found = None
        for known, identity in self._by_token.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                found = identity
        return found

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        for key in [k for k in environ if k.startswith(_STRIPPED_PREFIXES)]:
            del environ[key]
        if environ.get("PATH_INFO", "") in self._public:
            environ.pop("HTTP_X_AUTH_TOKEN", None)
            return self.app(environ, start_response)
        identity = self.identify(environ.get("HTTP_X_AUTH_TOKEN"))
        if identity is None:
            body = unauthorized_body()
            start_response(
                "401 Unauthorized",
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body))),
                    ("WWW-Authenticate", self._www_authenticate),
                ],
            )
            return [body]
        environ.update(identity.headers())
        if self._forward is not None:
            environ["HTTP_X_AUTH_TOKEN"] = self._forward(identity)
        return self.app(environ, start_response)


def placement_filter(app: WSGIApp, by_token: Mapping[str, Identity], www_authenticate_uri: str) -> TokenAuthFilter:
    """The token filter in front of Placement's own pipeline, as placement's keystone auth stands there.

    Placement's version document (``/``) needs no token (``PlacementAuthProtocol`` lets it through); every
    other path needs a known token. The pipeline nova's PlacementFixture builds ends in placement's
    ``NoAuthMiddleware``, which takes the user and project from the token itself (``user:project``) and
    keeps the ``X-Roles`` set here: the token is forwarded in that form, so placement's own context and
    default policy decide what each identity may do.
    """
    return TokenAuthFilter(app, by_token, www_authenticate_uri, public_paths=("/", ""),
                           forward_token=lambda identity: f"{identity.user_id}:{identity.project_id}")


def filter_factory(by_token: Mapping[str, Identity], www_authenticate_uri: str) -> Callable[..., Any]:
    """A replacement for ``keystonemiddleware.auth_token.filter_factory``.

    paste calls it with ``(global_conf, **local_conf)`` and expects a callable
    that wraps the next application.
    """

    def _factory(global_conf: Any = None, **local_conf: Any) -> Callable[[WSGIApp], WSGIApp]:
        def _filter(app: WSGIApp) -> WSGIApp:
            return TokenAuthFilter(app, by_token, www_authenticate_uri)

        return _filter

    return _factory
