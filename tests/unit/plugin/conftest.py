"""A target for the plugin's tests: a fake compute endpoint serving the fixture api-ref's snapshots list.

The plugin is run with ``pytester`` (in process) against it, with the project's own api-ref fixture
(tests/fixtures/apiref) as the contract, so every outcome path of the recorder can be produced on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakenova import TOKENS, FakeNova, _Server, serving

API_REF = Path(__file__).resolve().parents[2] / "fixtures" / "apiref" / "api-ref" / "source"
SNAPSHOT = {"created_at": "2026-01-29T13:42:02.000000", "id": 7, "name": "nightly", "size": 1.5,
            "status": "available", "updated_at": None, "uuid": "b7f1c9a2-3e0d-4c55-9a43-2f6f4f3b6a10"}
"""One snapshot as the fixture api-ref documents it at 2.25 and later."""
HEADERS = (("OpenStack-API-Version", "compute 2.25"), ("X-OpenStack-Nova-API-Version", "2.25"),
           ("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version"),
           ("X-Openstack-Request-Id", "req-3f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"),
           ("X-Compute-Request-Id", "req-3f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"))


@pytest.fixture(scope="module")
def _server() -> Iterator[_Server]:
    with serving() as server:
        yield server


@pytest.fixture
def target(_server: _Server, monkeypatch: pytest.MonkeyPatch) -> FakeNova:
    """A fresh fake compute endpoint, its tokens in the environment (never on a command line)."""
    fake = _server.fake = FakeNova(f"http://127.0.0.1:{_server.server_address[1]}")
    fake.routes[("GET", "/v2.1/servers/s1/snapshots")] = FakeNova.json(200, {"snapshots": [SNAPSHOT]}, *HEADERS)
    fake.routes[("GET", "/v2.1/servers/s2/snapshots")] = FakeNova.json(
        200, {"snapshots": [{**SNAPSHOT, "id": "seven"}]}, *HEADERS)  # an id of the wrong type: a finding
    for role, token in TOKENS.items():
        monkeypatch.setenv(f"CONFORMANCE_{role.upper()}_TOKEN", token)
    for name in ("CONFORMANCE_TARGET", "CONFORMANCE_WAIVERS", "CONFORMANCE_API_REF"):
        monkeypatch.delenv(name, raising=False)
    return fake


def run_args(fake: FakeNova, report: Path, *more: Any) -> list[str]:
    """The command line of a certification run against ``fake`` (the test file is given, so only it is collected).

    ``--rootdir`` keeps node ids short: pytest counts every existing path on the command line, ``--api-ref``'s
    included, when it looks for the rootdir.
    """
    return ["test_cert.py", "--rootdir", str(report.parent), "--target", f"{fake.base}/v2.1", "--api-ref", str(API_REF),
            "--conformance-report", str(report), "-p", "no:cacheprovider", *map(str, more)]
