"""Coverage from the api-ref and a run: operations, boundaries crossed, error codes and fields seen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from openapi.fixtures import build_apiref  # the hand-made ApiRef of the openapi tests (tests/unit on sys.path)

from conformance.model import ApiRef
from conformance.report import render_html
from conformance.report.certification import certification
from conformance.report.coverage import measure_coverage as coverage
from conformance.results import UNSETTLED, Outcome
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
    assert found["missing"] == ["POST /servers/{server_id}/migrations/{migration_id}/action",
                                "DELETE /servers/{server_id}/migrations/{migration_id}"]
    assert found["reasons"] == {
        "POST /servers/{server_id}/migrations/{migration_id}/action": "skipped: needs --allow-destructive",
        "DELETE /servers/{server_id}/migrations/{migration_id}": "skipped: needs --allow-destructive"}


def test_totals_are_the_whole_api_ref_whatever_the_run_targets(apiref: ApiRef) -> None:
    """Coverage is counted against every operation of the api-ref, never against what the suites chose."""
    everything = {operation.key for operation in apiref.operations}
    for run in (small_run(), replace(small_run(), apis=()), replace(small_run(), tests=())):
        found = coverage(apiref, run)
        assert found["operations"]["total"] == len(everything) == 6
        assert found["api_groups"]["total"] == len({operation.group for operation in apiref.operations}) == 3
    found = coverage(apiref, replace(small_run(), tests=()))
    assert found["operations"]["exercised"] == 0
    assert set(found["operations"]["reasons"].values()) == {"no suite exercises it"}


def test_a_shared_operation_is_exercised_when_each_of_its_sections_is(apiref: ApiRef) -> None:
    """The server actions share POST /servers/{server_id}/action: one action tested is not the operation."""
    actions = [operation for operation in apiref.operations if operation.action and "/action" in operation.path
               and operation.path == "/servers/{server_id}/action"]
    assert len(actions) >= 2
    labels = [f"{a.method} {a.path} ({a.action})" for a in actions]
    one = replace(small_run(), tests=(Result("t::a", Outcome.PASSED, labels[0], actions[0].group, "2.1"),))
    found = coverage(apiref, one)
    assert "POST /servers/{server_id}/action" in found["operations"]["missing"]
    assert labels[0] not in found["sections"]["missing"] and labels[1] in found["sections"]["missing"]
    reason = found["operations"]["reasons"]["POST /servers/{server_id}/action"]
    assert f"{actions[1].action}: no suite exercises it" in reason
    every = replace(small_run(), tests=tuple(Result(f"t::{n}", Outcome.PASSED, label, actions[0].group, "2.1")
                                            for n, label in enumerate(labels)))
    assert "POST /servers/{server_id}/action" not in coverage(apiref, every)["operations"]["missing"]


def test_an_operation_with_tests_left_out_unsettled_is_certified_partly_and_says_why(apiref: ApiRef) -> None:
    left_out = f"{UNSETTLED}: nova answers 500 without Ironic (--operations runs it)"
    run = replace(small_run(), tests=(
        Result(f"t::test_served[{LIST} 2.1]", Outcome.PASSED, LIST, SERVER_MIGRATIONS, "2.1"),
        Result(f"t::test_unknown[{LIST} 2.1]", Outcome.SKIPPED, LIST, SERVER_MIGRATIONS, "2.1", reason=left_out),
        Result(f"t::test_other[{OS_LIST}]", Outcome.SKIPPED, OS_LIST, OS_MIGRATIONS, None, reason="no member token")))
    found = coverage(apiref, run)["operations"]
    assert LIST not in found["missing"]
    assert found["partly"] == {LIST: "test_unknown not run: nova answers 500 without Ironic"}
    assert OS_LIST in found["missing"] and OS_LIST not in found["partly"]  # an ordinary skip: not exercised
    summary = certification(replace(run, coverage=coverage(apiref, run)))
    assert summary["scope"]["partly"] == found["partly"]
    assert "1 of them with tests left out" in summary["scope"]["statement"]


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
    assert "needs --allow-destructive" in html
