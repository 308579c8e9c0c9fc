"""specs/ is generated: each spec must be exactly what the compiler makes of its pinned api-ref today."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from conformance.apiref import services, sources
from conformance.apiref.compiler import compile_apiref
from conformance.openapi import dump_yaml, emit

SPECS = Path(__file__).resolve().parents[2] / "specs"
SERVICES = services.service_types()

pytestmark = pytest.mark.network


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return {service: dump_yaml(emit(compile_apiref(sources.for_service(service)))) for service in SERVICES}


def test_there_is_one_spec_per_pinned_service() -> None:
    assert SERVICES == ["compute", "placement", "block-storage", "image", "identity", "network"]
    assert sorted(path.parent.name for path in SPECS.glob("*/openapi.yaml")) == sorted(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_committed_spec_is_fresh(generated: dict[str, str], service: str) -> None:
    committed = SPECS / service / "openapi.yaml"
    assert committed.exists(), f"specs/{service}/openapi.yaml is missing: run 'conformance generate'"
    # Compare whole texts (a diff of a 1 MB file is useless); point at the first differing line.
    if committed.read_text(encoding="utf-8") != generated[service]:
        old, new = committed.read_text(encoding="utf-8").splitlines(), generated[service].splitlines()
        line = next((i for i, (a, b) in enumerate(zip(old, new, strict=False), 1) if a != b), min(len(old), len(new)))
        pytest.fail(f"specs/{service}/openapi.yaml is stale from line {line}: run 'conformance generate' and commit")


@pytest.mark.parametrize("service", ["compute", "network"])
def test_generation_is_deterministic(generated: dict[str, str], service: str) -> None:
    again = dump_yaml(emit(compile_apiref(sources.for_service(service), jobs=1)))
    assert again == generated[service]


@pytest.mark.parametrize("service", SERVICES)
def test_committed_spec_is_valid_openapi_31(service: str) -> None:
    document = yaml.load((SPECS / service / "openapi.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert document["openapi"].startswith("3.1")
    validate(document)
