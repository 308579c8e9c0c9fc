"""Shared fixtures of the strategies' tests: the real nova 34.0.0 api-ref, compiled once."""

from __future__ import annotations

import pytest

from conformance.model import ApiRef


@pytest.fixture(scope="session")
def nova() -> ApiRef:
    """The nova 34.0.0 api-ref (tests using it are marked ``network``: the sdist is cached after once)."""
    from conformance.apiref import sources
    from conformance.apiref.compiler import compile_apiref

    return compile_apiref(sources.release("nova", "34.0.0"))
