"""Shared fixtures of the reader's tests: the fixture api-ref compiled once, and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apiref_fixture import FIXTURE, SOURCE

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.model import ApiRef


@pytest.fixture(scope="session")
def fixture_apiref() -> ApiRef:
    """The fixture api-ref, compiled once (strict: it has no unknown key)."""
    return compile_apiref(sources.local(SOURCE), jobs=1)


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture's repository; returns its api-ref source directory."""
    shutil.copytree(FIXTURE, tmp_path / "repo")
    return tmp_path / "repo" / "api-ref" / "source"
