"""Shared fixtures of the checks' tests: the project's api-ref fixture compiled once, and its operations."""

from __future__ import annotations

import pytest
from checks_fixture import LIST_PATH, SHOW_PATH, SOURCE

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.model import ApiRef, Operation


@pytest.fixture(scope="session")
def fixture_apiref() -> ApiRef:
    """tests/fixtures/apiref, compiled once."""
    return compile_apiref(sources.local(SOURCE), jobs=1)


@pytest.fixture(scope="session")
def list_snapshots(fixture_apiref: ApiRef) -> Operation:
    """GET /servers/{server_id}/snapshots (2.23+), its items listed completely."""
    return fixture_apiref.find("GET", LIST_PATH)


@pytest.fixture(scope="session")
def show_snapshot(fixture_apiref: ApiRef) -> Operation:
    """GET /servers/{server_id}/snapshots/{snapshot_id} (2.23+)."""
    return fixture_apiref.find("GET", SHOW_PATH)
