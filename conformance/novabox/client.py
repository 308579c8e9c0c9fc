"""Get fresh resources from a running nova-box through its public API.

Everything goes through the same REST calls a real cloud takes (POST /servers,
os-migrateLive, GET .../migrations), using the image, flavor and network the
box's ready JSON names, which are also discoverable via GET /images, /flavors
and /os-networks. Stdlib only, so it works with just a state file.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from conformance.errors import TargetError

__all__ = ["Response", "call", "fresh_migration", "fresh_server", "load_state", "wait_for"]

T = TypeVar("T")


class Response:
    """Status, headers and decoded JSON body (None when empty or not JSON)."""

    def __init__(self, status: int, headers: Any, raw: bytes) -> None:
        self.status = status
        self.headers: dict[str, str] = dict(headers.items())
        self.raw = raw
        try:
            self.body: Any = json.loads(raw) if raw else None
        except ValueError:
            self.body = None

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.raw[:200]!r}>"


def call(
    url: str,
    token: str | None,
    method: str = "GET",
    body: Any = None,
    version: str | None = None,
    timeout: float = 60.0,
) -> Response:
    """One HTTP request; never raises for HTTP error statuses."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if token is not None:
        req.add_header("X-Auth-Token", token)
    if version is not None:
        req.add_header("OpenStack-API-Version", f"compute {version}")
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as exc:
        with exc:  # closes the socket it holds
            return Response(exc.code, exc.headers, exc.read())
    except (urllib.error.URLError, OSError) as exc:
        raise TargetError(f"nova-box at {url} cannot be reached: {exc}") from None


def load_state(path: str | Path) -> dict[str, Any]:
    """The ready JSON a box wrote with ``--state-file``."""
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TargetError(f"cannot read nova-box state file {path}: {exc}") from None
    return data


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60.0, interval: float = 0.1) -> T:
    """Poll ``check`` until it returns something truthy; TargetError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TargetError(f"nova-box: timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def _join(state: Mapping[str, Any], path: str) -> str:
    return str(state["url"]).rstrip("/") + path


def fresh_server(state: Mapping[str, Any], name: str = "conformance", timeout: float = 60.0) -> str:
    """Create an idle ACTIVE server owned by the member's project; its id."""
    token = state["tokens"]["member"]
    resp = call(
        _join(state, "/servers"),
        token,
        "POST",
        {
            "server": {
                "name": name,
                "imageRef": state["image"],
                "flavorRef": state["flavor"],
                "networks": [{"uuid": state["network"]}],
            }
        },
    )
    if resp.status != 202:
        raise TargetError(f"nova-box: POST /servers answered {resp.status}: {resp.raw[:300]!r}")
    server_id = str(resp.body["server"]["id"])

    def active() -> bool:
        got = call(_join(state, f"/servers/{server_id}"), token)
        status = got.body["server"]["status"] if got.status == 200 else None
        if status == "ERROR":
            raise TargetError(f"nova-box: server {server_id} went to ERROR")
        return status == "ACTIVE"

    wait_for(f"server {server_id} to become ACTIVE", active, timeout)
    return server_id


def fresh_migration(state: Mapping[str, Any], timeout: float = 60.0) -> tuple[str, int]:
    """A new server with a running live migration: ``(server_id, migration_id)``."""
    server_id = fresh_server(state, "conformance-migrating", timeout)
    admin = state["tokens"]["admin"]
    resp = call(
        _join(state, f"/servers/{server_id}/action"),
        admin,
        "POST",
        {"os-migrateLive": {"host": None, "block_migration": "auto"}},
        version="2.30",
    )
    if resp.status != 202:
        raise TargetError(f"nova-box: os-migrateLive answered {resp.status}: {resp.raw[:300]!r}")

    def running() -> int | None:
        got = call(_join(state, f"/servers/{server_id}/migrations"), admin, version="2.23")
        if got.status != 200:
            return None
        ids = [m["id"] for m in got.body["migrations"] if m["status"] == "running"]
        return int(ids[0]) if ids else None

    return server_id, wait_for(f"a running live migration of {server_id}", running, timeout)
