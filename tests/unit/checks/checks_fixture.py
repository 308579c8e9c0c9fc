"""Exchanges and contexts for the checks' tests, on the project's own api-ref fixture (tests/fixtures/apiref).

The fixture's ``GET /servers/{server_id}/snapshots`` (2.23+) lists its items completely: ``legacy_host`` up to
2.24, ``uuid`` from 2.25, ``created_at``/``updated_at`` date-times (``updated_at`` nullable), ``size`` a float.
Line numbers are looked up in the .inc file, never hard-coded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.model import Microversion
from conformance.target.exchange import Exchange, Request, Response

SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "apiref" / "api-ref" / "source"
"""The fixture's api-ref source directory."""
SNAPSHOTS_INC = SOURCE / "server-snapshots.inc"
LIST_PATH = "/servers/{server_id}/snapshots"
SHOW_PATH = "/servers/{server_id}/snapshots/{snapshot_id}"
ACTION_PATH = "/servers/{server_id}/snapshots/{snapshot_id}/action"
URL = "http://127.0.0.1:8774/v2.1/servers/9f3c/snapshots"
SNAPSHOT_UUID = "b7f1c9a2-3e0d-4c55-9a43-2f6f4f3b6a10"


def mv(text: str) -> Microversion:
    """Shorthand for Microversion.parse."""
    return Microversion.parse(text)


def line_of(text: str, occurrence: int = 1, path: Path = SNAPSHOTS_INC) -> int:
    """The 1-based line of the fixture file holding ``text`` (its ``occurrence``-th match)."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(hits) >= occurrence, f"{text!r} occurs {len(hits)} times in {path.name}"
    return hits[occurrence - 1]


def where(text: str, occurrence: int = 1) -> str:
    """``server-snapshots.inc:N``: a finding's source for the line holding ``text``."""
    return f"server-snapshots.inc:{line_of(text, occurrence)}"


def echo(version: str, service: str = "compute") -> tuple[tuple[str, str], ...]:
    """The version headers a conforming response carries at ``version``."""
    headers = [("OpenStack-API-Version", f"{service} {version}")]
    if service == "compute":
        headers.append(("X-OpenStack-Nova-API-Version", version))
    headers.append(("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version"))
    return tuple(headers)


def exchange(status: int, body: Any = None, headers: tuple[tuple[str, str], ...] = (), *, method: str = "GET",
             url: str = URL, raw: bytes | None = None, version: str | None = None) -> Exchange:
    """An exchange answering ``status`` with ``body`` as JSON (or ``raw`` bytes as they are)."""
    sent: tuple[tuple[str, str], ...] = (("X-Auth-Token", "***"),)
    if version:
        sent += (("OpenStack-API-Version", f"compute {version}"),)
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return Exchange(Request(method, url, sent, role="admin"),
                    Response(status, (("Content-Type", "application/json"), *headers), payload))


def snapshot(version: str = "2.25", **changes: Any) -> dict[str, Any]:
    """One listed snapshot as a conforming server returns it at ``version`` (``changes`` applied; None deletes)."""
    item: dict[str, Any] = {"created_at": "2026-01-29T13:42:02.000000", "id": 7, "name": "nightly", "size": 1.5,
                            "status": "available", "updated_at": None}
    if mv(version) <= mv("2.24"):
        item["legacy_host"] = "compute-1"
    if mv(version) >= mv("2.25"):
        item["uuid"] = SNAPSHOT_UUID
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item
