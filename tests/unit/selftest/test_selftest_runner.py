"""run_selftest and the bookkeeping: exit codes to outcomes, the kill rate, tokens kept out of argv."""

from __future__ import annotations

from pathlib import Path

import pytest
from selftest_fakenova import ADMIN, MEMBER, SERVER_A, FakeNova

from conformance.selftest import FaultRun, SelftestResult, fault, kill_rate, run_selftest, runner
from conformance.selftest.runner import pytest_command

PROBE = f'''
import os, sys
import requests

def test_migrations_list_sends_vary(request):
    url = request.config.getoption("conformance_target")
    token = os.environ["CONFORMANCE_ADMIN_TOKEN"]
    assert token not in " ".join(sys.argv)
    assert os.environ["CONFORMANCE_MEMBER_TOKEN"] == "{MEMBER}"
    answer = requests.get(url + "servers/{SERVER_A}/migrations", timeout=10,
                          headers={{"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.80"}})
    assert answer.status_code == 200
    assert "Vary" in answer.headers
'''


def test_kill_rate() -> None:
    assert kill_rate({}) == (0, 0)
    assert kill_rate({"a": True, "b": False, "c": True}) == (2, 3)


OK, BAD, PART = "conformant", "not conformant", "incomplete"


@pytest.mark.parametrize(("fault_id", "code", "verdict", "hits", "errors", "outcome"), [
    (None, 0, OK, 0, (), "passed"),
    (None, 1, BAD, 0, (), "failed"),
    (None, 6, PART, 0, (), "passed"),  # a selection: incomplete by its certificate, no test failed
    ("x", 1, BAD, 3, (), "detected"),
    ("x", 0, OK, 3, (), "survived"),
    ("x", 6, PART, 3, (), "survived"),  # fired in a selection, and no test failed
    ("x", 0, OK, 0, (), "not exercised"),
    ("x", 6, PART, 0, (), "not exercised"),
    ("x", 1, BAD, 0, (), "spurious"),
    ("x", 2, "incomplete", 3, (), "error"),
    ("x", -1, None, 3, (), "error"),
    ("x", 1, BAD, 3, ("fault x failed",), "error"),
    ("x", 1, None, 3, (), "error"),  # no certificate: nothing to judge
    ("x", 1, OK, 3, (), "error"),  # the exit code and the certificate disagree
    ("x", 0, BAD, 3, (), "error"),
])
def test_outcome_from_the_certificate_exit_code_hits_and_errors(fault_id: str | None, code: int,
                                                                verdict: str | None, hits: int,
                                                                errors: tuple[str, ...], outcome: str) -> None:
    run = FaultRun(fault_id, code, 1.0, 5, hits, "", errors, verdict=verdict)
    assert run.outcome == outcome
    assert run.detected == (outcome == "detected")


def test_a_fault_that_leaves_tests_the_baseline_ran_unexercised_is_incomplete_not_survived() -> None:
    baseline = FaultRun(None, 6, 1.0, 5, 0, verdict=PART, skipped=("t.py::test_a",))
    fired = FaultRun("x", 6, 1.0, 5, 3, verdict=PART, skipped=("t.py::test_a", "t.py::test_b"))
    judged = runner._against(fired, baseline)
    assert judged.inconclusive == ("t.py::test_b",) and judged.outcome == "incomplete"
    # Only what the baseline skipped too: the selection is the only reason the certificate is incomplete.
    same = runner._against(FaultRun("x", 6, 1.0, 5, 3, verdict=PART, skipped=("t.py::test_a",)), baseline)
    assert same.inconclusive == () and same.outcome == "survived"


def test_result_is_ok_only_when_the_baseline_ran_and_every_fault_is_detected() -> None:
    green = FaultRun(None, 0, 1.0, 1, 0, verdict=OK)
    red = FaultRun(None, 1, 1.0, 1, 0, failing=("test_x.py::test_y",), verdict=BAD)
    broken = FaultRun(None, 2, 1.0, 1, 0)
    caught, missed = FaultRun("a", 1, 1.0, 1, 1, verdict=BAD), FaultRun("b", 0, 1.0, 1, 1, verdict=OK)
    assert SelftestResult(green, {"a": caught}).ok
    # Tests failing without any fault are set aside (named in the summary), not a reason to stop.
    assert SelftestResult(red, {"a": caught}).ok
    assert "test_x.py::test_y" in SelftestResult(red, {"a": caught}).summary()
    assert not SelftestResult(broken, {"a": caught}).ok
    # A baseline limited to the faults' operations is incomplete by its certificate (a selection): it ran.
    selection = FaultRun(None, 6, 1.0, 1, 0, verdict="incomplete")
    assert SelftestResult(selection, {"a": caught}).ok
    assert not SelftestResult(green, {"a": caught, "b": missed}).ok
    assert "kill rate: 1/2" in SelftestResult(green, {"a": caught, "b": missed}).summary()


def test_summary_explains_what_was_not_detected_and_what_failed_first() -> None:
    green = FaultRun(None, 0, 1.0, 1, 0, "1 passed", verdict=OK)
    retried = FaultRun("a", 1, 1.0, 9, 2, "1 failed", attempts=2, verdict=BAD,
                       first_output="...\nFAILED test_list.py::test_in_progress - CV-0502\n1 failed")
    missed = FaultRun("b", 0, 1.0, 9, 3, "12 passed in 3.0s", verdict=OK)
    text = SelftestResult(green, {"a": retried, "b": missed}).summary()
    assert "a (exit 1, not conformant, fired 2x of 9, 1.0 s, run twice)" in text
    assert "first run, the fault not fired: FAILED test_list.py::test_in_progress - CV-0502" in text
    assert "--- b: survived, pytest's last lines:\n    12 passed in 3.0s" in text
    assert "--- a" not in text and "--- baseline" not in text


def test_command_carries_no_token() -> None:
    command = pytest_command("http://127.0.0.1:1/v2.1/", ["-x"], "/tmp/report")
    assert command[1:] == ["-m", "pytest", "--target", "http://127.0.0.1:1/v2.1/", "--allow-destructive", "-q",
                           "-p", "no:cacheprovider", "--conformance-report", "/tmp/report", "-x"]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        run_selftest("http://127.0.0.1:1/", {"admin": "a"}, workers=0)
    with pytest.raises(ValueError, match="admin"):
        run_selftest("http://127.0.0.1:1/", {"member": "m"})


@pytest.mark.slow
def test_run_selftest_detects_kills_and_reports_unexercised(nova: FakeNova, tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE, encoding="utf-8")
    tokens = {"admin": ADMIN, "member": MEMBER}
    faults = [fault("no-vary"), fault("drop-status"), fault("404-as-500")]
    result = run_selftest(nova.url, tokens, ["test_probe.py"], faults, workers=3, cwd=tmp_path)
    assert result.baseline.outcome == "passed", result.baseline.output
    assert result.baseline.verdict == "conformant" and result.runs["no-vary"].verdict == "not conformant"
    assert result.baseline.requests >= 1
    assert {k: r.outcome for k, r in result.runs.items()} == {
        "no-vary": "detected", "drop-status": "survived", "404-as-500": "not exercised"}
    assert kill_rate(result.detected) == (1, 3)
    assert ADMIN not in result.runs["no-vary"].output
    assert not result.ok


@pytest.mark.slow
@pytest.mark.parametrize(("first_failure", "failing"), [(True, 1), (False, 2)])
def test_a_fault_run_stops_at_its_first_failure_and_the_baseline_never_does(
        nova: FakeNova, tmp_path: Path, first_failure: bool, failing: int) -> None:
    probe = PROBE + PROBE.replace("test_migrations_list_sends_vary", "test_migrations_list_sends_vary_again")
    (tmp_path / "test_probe.py").write_text(probe, encoding="utf-8")
    result = run_selftest(nova.url, {"admin": ADMIN, "member": MEMBER}, ["test_probe.py", "-p", "no:randomly"],
                          [fault("no-vary")], cwd=tmp_path, first_failure=first_failure)
    assert result.baseline.outcome == "passed" and "2 passed" in result.baseline.output
    run = result.runs["no-vary"]
    assert run.outcome == "detected" and len(run.failing) == failing, run.output


def test_an_interrupted_selftest_starts_no_more_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the fault runs go on: the runs not yet started never start (the pool used to run them all
    before the interrupt got through)."""
    import threading

    started: list[str | None] = []
    gate = threading.Event()

    def run(upstream: str, tokens: object, args: object, each: object, timeout: float, cwd: object) -> FaultRun:
        fault_id = getattr(each, "id", None)
        started.append(fault_id)
        if fault_id is not None:
            gate.wait(5)
            raise KeyboardInterrupt if fault_id == runner.FAULTS[0].id else RuntimeError("never reached")
        return FaultRun(None, 0, 1.0, 1, 0, verdict=OK)

    monkeypatch.setattr(runner, "_run", run)
    gate.set()
    with pytest.raises(KeyboardInterrupt):
        run_selftest("http://127.0.0.1:1/v2.1/", {"admin": "t"}, faults=runner.FAULTS[:6], workers=1)
    assert started[0] is None and len(started) <= 3, started


def test_each_run_is_reported_as_it_ends_and_a_spurious_one_again_after_its_second_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A selftest of fifty faults runs for most of an hour: ``progress`` hears of the baseline and of each fault's
    run when it ends, the spurious one twice (first run, then the run alone), and the result keeps catalogue
    order."""
    import threading

    faults = runner.FAULTS[:3]
    slow = threading.Event()

    def run(upstream: str, tokens: object, args: object, each: object, timeout: float, cwd: object) -> FaultRun:
        fault_id = getattr(each, "id", None)
        if fault_id == faults[0].id:
            slow.wait(5)  # the first fault ends after the second was heard of
        if fault_id == faults[1].id:
            return FaultRun(fault_id, 1, 1.0, 5, 0, verdict=BAD)  # failed without firing: spurious, run again
        return FaultRun(fault_id, 1 if fault_id else 0, 1.0, 5, 3 if fault_id else 0, verdict=BAD if fault_id else OK)

    heard: list[tuple[str | None, str, int]] = []

    def progress(ended: FaultRun) -> None:
        heard.append((ended.fault_id, ended.outcome, ended.attempts))
        if ended.fault_id == faults[1].id:
            slow.set()

    monkeypatch.setattr(runner, "_run", run)
    result = run_selftest("http://127.0.0.1:1/v2.1/", {"admin": "t"}, faults=faults, workers=3, progress=progress)
    assert heard[0] == (None, "passed", 1)
    assert heard.index((faults[1].id, "spurious", 1)) < heard.index((faults[0].id, "detected", 1))
    assert heard[-1] == (faults[1].id, "spurious", 2)
    assert sorted(heard[1:4]) == sorted([(faults[0].id, "detected", 1), (faults[1].id, "spurious", 1),
                                         (faults[2].id, "detected", 1)])
    assert list(result.runs) == [each.id for each in faults]


def test_a_fault_left_unexercised_by_tests_the_baseline_ran_is_run_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs share nova-box: under the other's load a live migration may not start in time, so the tests that
    would send the fault's request are inconclusive and the fault never fires. That says nothing of the fault:
    it is run once more, alone. A fault that never fires while every test the baseline ran ran is not exercised,
    and running it again would not change that."""
    faults = runner.FAULTS[:2]
    calls: list[str | None] = []

    def run(upstream: str, tokens: object, args: object, each: object, timeout: float, cwd: object) -> FaultRun:
        fault_id = getattr(each, "id", None)
        calls.append(fault_id)
        if fault_id is None:
            return FaultRun(None, 6, 1.0, 5, 0, verdict=PART)
        if fault_id == faults[0].id and calls.count(fault_id) == 1:
            return FaultRun(fault_id, 6, 1.0, 5, 0, verdict=PART, skipped=("t.py::test_force",))
        if fault_id == faults[0].id:
            return FaultRun(fault_id, 1, 1.0, 5, 1, verdict=BAD, failing=("t.py::test_force",))
        return FaultRun(fault_id, 6, 1.0, 5, 0, verdict=PART)  # never fired, nothing left out: not exercised

    monkeypatch.setattr(runner, "_run", run)
    result = run_selftest("http://127.0.0.1:1/v2.1/", {"admin": "t"}, faults=faults, workers=2)
    assert calls.count(faults[0].id) == 2 and calls.count(faults[1].id) == 1
    assert result.runs[faults[0].id].outcome == "detected" and result.runs[faults[0].id].attempts == 2
    assert result.runs[faults[1].id].outcome == "not exercised" and result.runs[faults[1].id].attempts == 1
