"""The plugin with pytester: every outcome path, and results.json, certification.json, junit.xml and the exit code
agreeing on it.

Each run collects a test file written here (so only its tests run), against the fake compute endpoint of
conftest.py and the project's api-ref fixture. The file's tests reach each outcome on purpose.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fakenova import FakeNova

from conformance.plugin.recorder import EXIT_INCOMPLETE
from conformance.report import load_results, verify_certification
from conformance.results import Outcome

from .conftest import run_args

pytest_plugins = ["pytester"]

HELPERS = '''
import pytest
from conformance.checks import Answer, CheckContext, Inconclusive, assert_conforms, verify
from conformance.model import Microversion
from conformance.suites.contract import connect_target, load_contract


def _check(config, server, version="2.25"):
    """(context, exchange) of listing server's snapshots at version: s1 conforms at 2.25, s2 has a string id."""
    operation = load_contract(config).find("GET", "/servers/{server_id}/snapshots")
    exchange = connect_target(config).request("GET", f"/servers/{server}/snapshots", microversion=version)
    return CheckContext.success(operation, Microversion.parse(version)), exchange
'''

EVERY_OUTCOME = HELPERS + '''

def test_passes(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s1"))


def test_waived(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s2"))


def test_waived_then_broken(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s2"))
    assert False, "the test's own assertion after waived findings"


def test_finding_swallowed(pytestconfig):
    verify(*_check(pytestconfig, "s1", "2.24"))  # uuid leaks below 2.25: an unwaived finding the test ignores


def test_bad_answer_read(pytestconfig):
    ctx, exchange = _check(pytestconfig, "s1")
    Answer(exchange, ctx).array("servers")


def test_crash():
    {}["missing"]


def test_inconclusive(pytestconfig):
    ctx, exchange = _check(pytestconfig, "s1")
    raise Inconclusive("the server never became ACTIVE", exchange)


def test_inconclusive_after_a_contradiction(pytestconfig):
    verify(*_check(pytestconfig, "s1", "2.24"))
    raise Inconclusive("the server never became ACTIVE")


def test_skipped():
    pytest.skip("no member token: give --member-token")


@pytest.fixture
def broken():
    raise RuntimeError("the fixture broke")


def test_setup_error(broken):
    pass


@pytest.fixture
def bad_teardown():
    yield
    raise RuntimeError("the teardown broke")


def test_teardown_error(bad_teardown):
    pass
'''

EXPECTED = {
    "test_passes": Outcome.PASSED, "test_waived": Outcome.WAIVED, "test_waived_then_broken": Outcome.FAILED,
    "test_finding_swallowed": Outcome.FAILED, "test_bad_answer_read": Outcome.FAILED, "test_crash": Outcome.FAILED,
    "test_inconclusive": Outcome.INCONCLUSIVE, "test_inconclusive_after_a_contradiction": Outcome.FAILED,
    "test_skipped": Outcome.SKIPPED, "test_setup_error": Outcome.ERROR, "test_teardown_error": Outcome.ERROR,
}

WAIVERS = r'''waivers:
  - id: V-0001
    check: CV-0204
    operation: GET /servers/{server_id}/snapshots
    title: "^`snapshots\\[\\d+\\]\\.id` is string"
    reason: our deployment returns snapshot ids as strings
    reviewed: 2026-12-02
  - id: V-0002
    check: CV-0203
    operation: "*"
    title: "never seen"
    reason: a deviation fixed long ago
    reviewed: 2026-12-02
'''


def _run(pytester: pytest.Pytester, target: FakeNova, source: str, *args: Any) -> tuple[int, Path]:
    pytester.makepyfile(test_cert=source)
    (pytester.path / "waivers.yaml").write_text(WAIVERS, encoding="utf-8")
    report = pytester.path / "report"
    result = pytester.runpytest(*run_args(target, report, "--waivers", pytester.path / "waivers.yaml", *args))
    return int(result.ret), report


def _outcomes(report: Path) -> dict[str, Outcome]:
    run, _ = load_results(report / "results.json")
    return {test.nodeid.rpartition("::")[2]: test.outcome for test in run.tests}


def _agree(report: Path, code: int) -> dict[str, Any]:
    """results.json, certification.json, junit.xml and the exit code tell one story; the certificate."""
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    certificate = json.loads((report / "certification.json").read_text(encoding="utf-8"))
    assert verify_certification(certificate, results) == []
    run, _ = load_results(report / "results.json")
    counts = certificate["tests"]
    assert counts == {o.value: sum(1 for t in run.tests if t.outcome is o) for o in Outcome}
    suite = ET.parse(report / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert suite.get("failures") == str(counts["failed"]) and suite.get("errors") == str(counts["error"])
    for test in run.tests:
        case = cases[test.nodeid.rpartition("::")[2]]
        tags = {child.tag for child in case} - {"system-out"}
        wanted = {Outcome.FAILED: {"failure"}, Outcome.ERROR: {"error"}, Outcome.SKIPPED: {"skipped"},
                  Outcome.INCONCLUSIVE: {"skipped"}}.get(test.outcome, set())
        assert tags == wanted, (test.nodeid, test.outcome, tags)
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["verdict"] == certificate["verdict"]
    expected_code = {"conformant": 0, "not conformant": 1}.get(certificate["verdict"], EXIT_INCOMPLETE)
    assert code == expected_code, (code, certificate["verdict"])
    return dict(certificate)


def test_every_outcome_and_every_file_agrees(pytester: pytest.Pytester, target: FakeNova) -> None:
    code, report = _run(pytester, target, EVERY_OUTCOME)
    assert _outcomes(report) == EXPECTED
    certificate = _agree(report, code)
    assert certificate["verdict"] == "not conformant" and code == 1
    run, _ = load_results(report / "results.json")
    by_name = {test.nodeid.rpartition("::")[2]: test for test in run.tests}
    # the waived test's finding is marked, the broken one keeps its own error beside it
    assert [f.waiver_id for f in by_name["test_waived"].findings] == ["V-0001"]
    assert "the test's own assertion" in (by_name["test_waived_then_broken"].reason or "")
    assert [f.check for f in by_name["test_bad_answer_read"].findings] == ["CV-0200"]
    assert by_name["test_inconclusive"].reason == "the server never became ACTIVE"
    inconclusive = by_name["test_inconclusive"].exchange
    assert inconclusive is not None and inconclusive.request.url.endswith("/servers/s1/snapshots")
    assert "CV-0102" in by_name["test_passes"].checks and "CV-0200" in by_name["test_passes"].checks
    junit = (report / "junit.xml").read_text(encoding="utf-8")
    assert 'type="inconclusive"' in junit and "the server never became ACTIVE" in junit


def test_the_waivers_in_use_are_reported_with_what_they_covered(pytester: pytest.Pytester,
                                                                   target: FakeNova) -> None:
    _, report = _run(pytester, target, EVERY_OUTCOME)
    run, _ = load_results(report / "results.json")
    assert run.waiver_files == (str(pytester.path / "waivers.yaml"),)
    assert {w.id: (w.covered, w.stale) for w in run.waivers} == {"V-0001": (2, False), "V-0002": (0, True)}
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "stale: covered nothing" in html and "our deployment returns snapshot ids as strings" in html


def test_without_the_waiver_file_its_findings_fail(pytester: pytest.Pytester, target: FakeNova) -> None:
    pytester.makepyfile(test_cert=HELPERS + "\n\ndef test_waived(pytestconfig):\n"
                                            "    assert_conforms(*_check(pytestconfig, 's2'))\n")
    report = pytester.path / "report"
    code = int(pytester.runpytest(*run_args(target, report)).ret)
    assert _outcomes(report) == {"test_waived": Outcome.FAILED}
    assert _agree(report, code)["verdict"] == "not conformant"


def test_passed_and_waived_only_is_conformant_and_states_its_scope(pytester: pytest.Pytester,
                                                                   target: FakeNova) -> None:
    source = HELPERS + '''

def test_passes(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s1"))


def test_waived(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s2"))
'''
    code, report = _run(pytester, target, source)
    certificate = _agree(report, code)
    assert certificate["verdict"] == "conformant" and code == 0
    scope = certificate["scope"]
    assert scope["operations"]["total"] > scope["operations"]["certified"] == 1
    assert scope["statement"].startswith(f"1 of {scope['operations']['total']} operations")
    assert "no suite exercises it" in set(scope["not_exercised"].values())


def test_an_inconclusive_test_makes_the_certificate_incomplete_never_not_conformant(pytester: pytest.Pytester,
                                                                                    target: FakeNova) -> None:
    source = HELPERS + '''

def test_passes(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s1"))


def test_inconclusive(pytestconfig):
    raise Inconclusive("timed out after 120 s waiting for a running live migration")
'''
    code, report = _run(pytester, target, source)
    certificate = _agree(report, code)
    assert certificate["verdict"] == "incomplete" and code == EXIT_INCOMPLETE


@pytest.mark.parametrize("how", [("-k", "not test_crash"), ("-x",), ("--maxfail", "1")])
def test_a_run_cut_short_or_deselected_is_never_complete(pytester: pytest.Pytester, target: FakeNova,
                                                         how: tuple[str, ...]) -> None:
    source = HELPERS + '''

def test_crash():
    {}["missing"]


def test_passes(pytestconfig):
    assert_conforms(*_check(pytestconfig, "s1"))
'''
    code, report = _run(pytester, target, source, *how)
    run, _ = load_results(report / "results.json")
    assert run.complete is False
    certificate = _agree(report, code)
    assert certificate["complete"] is False
    if how[0] == "-k":
        assert _outcomes(report) == {"test_passes": Outcome.PASSED}
        assert certificate["verdict"] == "incomplete" and code == EXIT_INCOMPLETE
    else:
        assert _outcomes(report) == {"test_crash": Outcome.FAILED}
        assert certificate["verdict"] == "not conformant" and code == 1


def test_the_same_outcomes_with_xdist(pytester: pytest.Pytester, target: FakeNova) -> None:
    code, report = _run(pytester, target, EVERY_OUTCOME, "-n", "2")
    assert _outcomes(report) == EXPECTED
    assert _agree(report, code)["verdict"] == "not conformant"
    run, _ = load_results(report / "results.json")
    assert run.complete is True
    assert {w.id: w.covered for w in run.waivers} == {"V-0001": 2, "V-0002": 0}


def test_a_bad_waiver_file_is_one_line_naming_it(pytester: pytest.Pytester, target: FakeNova) -> None:
    pytester.makepyfile(test_cert=HELPERS)
    bad = pytester.path / "bad.yaml"
    bad.write_text("waivers:\n  - id: V-1\n    check: CV-0101\n    operation: '*'\n    title: x\n"
                   "    reason: r\n    reviewed: d\n", encoding="utf-8")
    result = pytester.runpytest(*run_args(target, pytester.path / "report", "--waivers", bad))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {bad}:2: waiver V-1 tries to waive CV-0101: a 5xx is never waived"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
