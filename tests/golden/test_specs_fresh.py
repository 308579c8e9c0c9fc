"""specs/ is generated: it must be exactly what the compiler makes of the pinned api-ref today."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.openapi import dump_yaml, emit

SPECS = Path(__file__).resolve().parents[2] / "specs"

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def generated() -> str:
    return dump_yaml(emit(compile_apiref(sources.release("nova", "34.0.0"))))


def test_committed_compute_spec_is_fresh(generated: str) -> None:
    committed = SPECS / "compute" / "openapi.yaml"
    assert committed.exists(), "specs/compute/openapi.yaml is missing: run 'conformance generate'"
    # Compare whole texts (a diff of a 1 MB file is useless); point at the first differing line.
    if committed.read_text(encoding="utf-8") != generated:
        old, new = committed.read_text(encoding="utf-8").splitlines(), generated.splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new, strict=False), 1) if a != b), min(len(old), len(new)))
        pytest.fail(f"specs/compute/openapi.yaml is stale from line {line}: run 'conformance generate' and commit")


def test_generation_is_deterministic(generated: str) -> None:
    again = dump_yaml(emit(compile_apiref(sources.release("nova", "34.0.0"), jobs=1)))
    assert again == generated


def test_committed_spec_is_valid_openapi_31() -> None:
    import yaml

    document = yaml.safe_load((SPECS / "compute" / "openapi.yaml").read_text(encoding="utf-8"))
    assert document["openapi"].startswith("3.1")
    validate(document)
