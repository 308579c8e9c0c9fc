"""``Fault``: one way a deployment can break the contract, injected by the proxy.

A fault has a stable id, a one-line description, the check family that should
catch it, and up to two hooks. ``on_request`` may change the request before it
is forwarded; ``on_response`` may change or replace the response. Each hook
returns True when it changed something, so the proxy can count how often a
fault fired: a fault that never fired during a run was not exercised by it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from conformance.selftest.exchange import Exchange, Request, Response

__all__ = ["FAMILIES", "MIGRATIONS", "Fault", "Hook", "Route", "error_body", "is_fault_body", "items", "route"]

MIGRATIONS = r"migrations|^GET /$|^GET /\{api_version\}/$"
"""The operations of the first catalogue: server migrations, os-migrations and the version documents."""

Hook = Callable[[Exchange], bool]

FAMILIES = frozenset(
    {"body", "gating", "headers", "auth", "status", "errors", "semantics", "preconditions", "postconditions",
     "os-migrations", "queries", "writes"}
)
"""The check families of the suite (the issue's "Checks" list) a fault can be aimed at."""


@dataclass(frozen=True)
class Fault:
    """A contract violation the proxy can inject.

    Example::

        Fault("no-vary", "responses lack the Vary header", "headers", on_response=drop_vary)
    """

    id: str
    """Stable id, kebab-case; reports and tests refer to it."""
    description: str
    """One line: what the faulty deployment does."""
    family: str
    """The check family that should detect it (one of :data:`FAMILIES`)."""
    on_response: Hook | None = None
    on_request: Hook | None = None
    operations: str = MIGRATIONS
    """The operations whose tests the run is limited to (``--operations``): those the fault touches."""
    service: str = "compute"
    """The service whose suites the run is (``--service``), behind the proxy in front of that service of nova-box."""

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"fault {self.id}: unknown family {self.family!r} (expected one of {sorted(FAMILIES)})")
        if self.on_request is None and self.on_response is None:
            raise ValueError(f"fault {self.id}: needs on_request or on_response")


@dataclass(frozen=True)
class Route:
    """Which operation of the compute API a path is, with its ids."""

    name: str
    """``version``, ``list`` (server migrations), ``migration`` (show or abort), ``migration-action``
    (force_complete), ``server-action`` or ``os-migrations``."""
    server: str | None = None
    migration: str | None = None


_ROUTES = (
    ("migration-action", re.compile(r"/servers/(?P<server>[^/]+)/migrations/(?P<migration>[^/]+)/action/?$")),
    ("migration", re.compile(r"/servers/(?P<server>[^/]+)/migrations/(?P<migration>[^/]+)/?$")),
    ("list", re.compile(r"/servers/(?P<server>[^/]+)/migrations/?$")),
    ("server-action", re.compile(r"/servers/(?P<server>[^/]+)/action/?$")),
    ("os-migrations", re.compile(r"/os-migrations/?$")),
    ("version", re.compile(r"^(/v2(\.1)?)?/?$")),
)


def route(request: Request) -> Route | None:
    """The operation ``request`` addresses, or None for anything else."""
    for name, pattern in _ROUTES:
        match = pattern.search(request.path)
        if match:
            ids = match.groupdict()
            return Route(name, ids.get("server"), ids.get("migration"))
    return None


def items(body: Any) -> Iterator[dict[str, Any]]:
    """The migration objects in a list or show body (``migrations`` or ``migration``)."""
    if not isinstance(body, dict):
        return
    if isinstance(body.get("migrations"), list):
        yield from (item for item in body["migrations"] if isinstance(item, dict))
    elif isinstance(body.get("migration"), dict):
        yield body["migration"]


def is_fault_body(response: Response) -> bool:
    """Whether the body is Nova's fault format: ``{"itemNotFound": {"code": 404, "message": ...}}``."""
    body = response.json()
    return (isinstance(body, dict) and len(body) == 1 and isinstance(next(iter(body.values())), dict)
            and "code" in next(iter(body.values())))


def error_body(key: str, code: int, message: str) -> dict[str, Any]:
    return {key: {"code": code, "message": message}}
