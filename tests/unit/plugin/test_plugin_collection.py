"""What the shipped suites collect for a contract: a kind of check the contract gives no operation is no test."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakenova import FakeNova

from .conftest import API_REF

pytest_plugins = ["pytester"]


def test_a_kind_of_check_with_no_case_collects_no_test(pytester: pytest.Pytester, target: FakeNova,
                                                       tmp_path: Path) -> None:
    """The fixture api-ref documents no removed API and no status precondition: pytest would make one skipped
    placeholder of each such test, counted as a test left unexercised in an API group of its own."""
    result = pytester.runpytest_inprocess("--pyargs", "conformance.suites", "--target", f"{target.base}/v2.1",
                                          "--api-ref", str(API_REF), "--collect-only", "-q", "-p",
                                          "no:cacheprovider", "--conformance-report", str(tmp_path / "report"))
    collected = [line for line in result.outlines if "::" in line]
    assert collected, result.outlines[-20:]
    kinds = {line.split("::")[1].split("[")[0] for line in collected}
    assert "test_served" in kinds and "test_removed_api_is_gone" not in kinds
    assert not [line for line in collected if "[case0]" in line or "NOTSET" in line or "[None]" in line]
