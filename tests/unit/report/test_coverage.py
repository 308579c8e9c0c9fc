"""Coverage from the api-ref and a run: operations, boundaries crossed, error codes and fields seen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openapi.fixtures import build_apiref  # the hand-made ApiRef of the openapi tests (tests/unit on sys.path)

from conformance.model import ApiRef
from conformance.report import render_html
from conformance.report.coverage import measure_coverage as coverage
from conformance.results import Outcome
from conformance.results import TestResult as Result  # not collected as a test class

from .runs import LIST, OS_LIST, OS_MIGRATIONS, SERVER_MIGRATIONS, small_run


@pytest.fixture(scope="module")
def apiref() -> ApiRef:
    return build_apiref()


def _test(operation: str, version: str | None, outcome: Outcome = Outcome.PASSED) -> Result:
    return Result(f"t::{operation}[{version}]", outcome, operation, SERVER_MIGRATIONS, version)


def test_operations_of_the_apis_in_scope(apiref: ApiRef) -> None:
    found = coverage(apiref, small_run(), {SERVER_MIGRATIONS, OS_MIGRATIONS})["operations"]
    # list and show ran (list failed: it still ran); force_complete and abort were skipped: not exercised
    assert found["total"] == 5 and found["exercised"] == 3
    assert found["missing"] == ["POST /servers/{server_id}/migrations/{migration_id}/action (force_complete)",
                                "DELETE /servers/{server_id}/migrations/{migration_id}"]


def test_scope_defaults_to_the_runs_apis(apiref: ApiRef) -> None:
    assert coverage(apiref, small_run())["operations"]["total"] == 8  # run.apis names the server actions too
    assert coverage(apiref, replace(small_run(), apis=()))["operations"]["total"] == 5


def test_a_boundary_counts_when_both_sides_ran(apiref: ApiRef) -> None:
    run = replace(small_run(), tests=(_test(LIST, "2.58"), _test(LIST, "2.59"), _test(LIST, "2.79"),
                                      _test(LIST, "2.80", Outcome.SKIPPED), _test(OS_LIST, "latest")))
    found = coverage(apiref, run, {SERVER_MIGRATIONS})["microversion_boundaries"]
    assert f"{LIST} 2.58/2.59" not in found["missing"]
    assert f"{LIST} 2.79/2.80" in found["missing"]  # 2.80 was skipped
    assert f"{LIST} 2.22/2.23" in found["missing"]
    assert found["exercised"] == 1


def test_boundaries_outside_the_target_range_are_left_out(apiref: ApiRef) -> None:
    run = replace(small_run(), target_versions=("2.1", "2.60"))
    names = coverage(apiref, run, {SERVER_MIGRATIONS})["microversion_boundaries"]["missing"]
    assert f"{LIST} 2.58/2.59" in names and f"{LIST} 2.79/2.80" not in names


def test_error_codes_and_fields_when_the_suites_report_them(apiref: ApiRef) -> None:
    found = coverage(apiref, small_run(), {OS_MIGRATIONS}, error_codes={(OS_LIST, 401), (OS_LIST, 999)},
                     fields={(OS_LIST, "uuid")})
    assert found["error_codes"]["exercised"] == 1 and f"{OS_LIST} 403" in found["error_codes"]["missing"]
    assert found["fields"]["exercised"] == 1 and f"{OS_LIST} uuid" not in found["fields"]["missing"]
    assert "error_codes" not in coverage(apiref, small_run(), {OS_MIGRATIONS})


def test_the_report_shows_it(apiref: ApiRef) -> None:
    run = small_run()
    html = render_html(replace(run, coverage=coverage(apiref, run, {SERVER_MIGRATIONS, OS_MIGRATIONS})))
    assert "3 of 5" in html and "DELETE /servers/{server_id}/migrations/{migration_id}" in html
