"""Shared fixtures of the reader's tests: the fixture api-ref compiled once, and copies to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from apiref_fixture import FIXTURE, SOURCE, WIDGETS, WIDGETS_SOURCE

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


@pytest.fixture(scope="session")
def widgets_apiref() -> ApiRef:
    """The widgets fixture read as block-storage's api-ref (protocol ``volume``), leniently: it has defects."""
    return compile_apiref(sources.local(WIDGETS_SOURCE, service="block-storage"), strict=False, jobs=1)


@pytest.fixture
def widgets_copy(tmp_path: Path) -> Path:
    """A writable copy of the widgets fixture's repository; returns its api-ref source directory (``v3``)."""
    shutil.copytree(WIDGETS, tmp_path / "widgets")
    return tmp_path / "widgets" / WIDGETS_SOURCE.relative_to(WIDGETS)
