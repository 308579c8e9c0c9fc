"""Run the suites through the proxy once with no fault (the baseline) and once per fault.

    result = run_selftest(box.url, box.tokens, workers=4)
    killed, total = kill_rate(result.detected)

A run is ``python -m pytest --target <proxy url> --allow-destructive -q -p
no:cacheprovider --conformance-report DIR <pytest_args>`` in a subprocess;
tokens reach it through CONFORMANCE_*_TOKEN environment variables, never argv
(so ``ps`` does not show them). The certificate decides, and the exit code must
agree with it: the baseline passes only when certification.json says conformant
(exit 0); a fault is detected only when it fired and the certificate says not
conformant (exit 1). A fault that only left tests inconclusive (skipped where
the baseline ran them: "incomplete") is not detected: a certificate must say
what was wrong. A run limited to the faults' operations is incomplete by its
certificate (exit 6, a selection); a fault it fired without a test failing
survived.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from conformance.selftest.catalogue import FAULTS
from conformance.selftest.fault import Fault
from conformance.selftest.proxy import FaultProxy

__all__ = ["FaultRun", "SelftestResult", "kill_rate", "run_selftest"]

#: Token names (as nova-box's ``tokens``) -> the environment variables the plugin reads.
TOKEN_ENV = {
    "admin": "CONFORMANCE_ADMIN_TOKEN",
    "member": "CONFORMANCE_MEMBER_TOKEN",
    "other": "CONFORMANCE_OTHER_TOKEN",
}
_TAIL_LINES = 30
_EXIT_INCOMPLETE = 6  # conformance.plugin.recorder.EXIT_INCOMPLETE (not imported: that module needs pytest loaded)


def _agrees(verdict: str | None, expected: str) -> bool:
    """Whether the certificate's verdict is the one the exit code stands for (6 also covers "not exercised")."""
    return verdict == expected or (expected == "incomplete" and verdict == "not exercised")


@dataclass(frozen=True)
class FaultRun:
    """One pytest run through the proxy."""

    fault_id: str | None
    """The fault injected; None for the baseline."""
    exit_code: int
    """pytest's exit code (-1: timed out)."""
    duration: float
    """Seconds, proxy start to pytest exit."""
    requests: int
    """Exchanges the proxy relayed."""
    hits: int
    """Exchanges the fault changed: 0 means the suite never reached it."""
    output: str = ""
    """The last lines pytest printed, tokens redacted."""
    fault_errors: tuple[str, ...] = ()
    """Exceptions the fault raised (answered 502): a bug in the fault, not a detection."""
    failing: tuple[str, ...] = ()
    """The node ids of the tests that failed (or erred) in the run."""
    verdict: str | None = None
    """What the run's certification.json says (None when the run wrote none)."""
    skipped: tuple[str, ...] = ()
    """The node ids of the tests the run skipped."""
    inconclusive: tuple[str, ...] = ()
    """The tests this fault's run skipped that the baseline ran: what the fault left unexercised."""

    @property
    def passed(self) -> bool:
        """Certified conformant, and the exit code agrees."""
        return self.exit_code == 0 and self.verdict == "conformant"

    attempts: int = 1
    """Runs made: a spurious failure is run again once, alone."""
    first_output: str = ""
    """The last lines of the spurious first run, when there were two: what failed without the fault."""

    @property
    def disturbed(self) -> bool:
        """Whether the run may have been disturbed by the runs beside it: failed without its fault firing
        (``spurious``), or left tests the baseline ran unexercised, its fault having fired (``incomplete``) or
        not (a migration another run's load kept from starting: ``not exercised`` for want of a state, not of a
        request the fault matches)."""
        outcome = self.outcome
        return outcome in ("spurious", "incomplete") or (outcome == "not exercised" and bool(self.inconclusive))

    @property
    def detected(self) -> bool:
        """The fault fired, the certificate says not conformant (exit code 1), and the fault itself worked.

        A failure while the fault never fired is not the fault's doing (see ``spurious``).
        """
        return (self.fault_id is not None and self.exit_code == 1 and self.verdict == "not conformant"
                and self.hits > 0 and not self.fault_errors)

    @property
    def outcome(self) -> str:
        """One of ``passed``/``failed`` (baseline: no test failed, or some did), ``detected``, ``survived``
        (fired, and no test failed: certified conformant, or incomplete only as a selection is), ``incomplete``
        (fired, and tests the baseline ran were skipped: the certificate only says incomplete), ``not exercised``
        (never fired, no test failed), ``spurious`` (not conformant without the fault firing) or ``error``
        (pytest could not run, timed out, wrote no certificate or one the exit code contradicts, or the fault
        raised)."""
        expected = {0: "conformant", 1: "not conformant", _EXIT_INCOMPLETE: "incomplete"}.get(self.exit_code)
        if self.fault_errors or expected is None or not _agrees(self.verdict, expected):
            return "error"
        if self.fault_id is None:
            return "failed" if self.exit_code == 1 else "passed"
        if self.detected:
            return "detected"
        if self.hits == 0:
            return "spurious" if self.exit_code == 1 else "not exercised"
        if self.exit_code == _EXIT_INCOMPLETE and self.inconclusive:
            return "incomplete"
        return "survived"


@dataclass(frozen=True)
class SelftestResult:
    """The baseline run and one run per fault, in catalogue order."""

    baseline: FaultRun
    runs: dict[str, FaultRun] = field(default_factory=dict)

    @property
    def detected(self) -> dict[str, bool]:
        return {fault_id: run.detected for fault_id, run in self.runs.items()}

    @property
    def ok(self) -> bool:
        """The suite ran with no fault (its failures set aside; a run limited to some operations is incomplete by
        its certificate, exit 6) and detects every fault."""
        return (self.baseline.exit_code in {0, 1, _EXIT_INCOMPLETE} and not self.baseline.fault_errors
                and all(self.detected.values()))

    def summary(self) -> str:
        killed, total = kill_rate(self.detected)
        lines = [f"baseline (no fault): {self.baseline.outcome} ({self.baseline.verdict or 'no certificate'}) in "
                 f"{self.baseline.duration:.1f} s, {self.baseline.requests} requests"]
        if self.baseline.failing:
            lines.append(f"  {len(self.baseline.failing)} tests fail without any fault (api-ref defects not yet "
                         "corrected by an erratum, or the target's own): left out of the fault runs")
            lines.extend(f"    {nodeid}" for nodeid in self.baseline.failing)
        for fault_id, run in self.runs.items():
            again = ", run twice" if run.attempts > 1 else ""
            lines.append(f"  {run.outcome:<14} {fault_id} (exit {run.exit_code}, {run.verdict or 'no certificate'}, "
                         f"fired {run.hits}x of {run.requests}, {run.duration:.1f} s{again})")
            if run.first_output:
                failed = [line for line in run.first_output.splitlines() if line.startswith(("FAILED", "ERROR"))]
                lines.extend(f"      first run, the fault not fired: {line}" for line in failed or ["(no test named)"])
        for run in (self.baseline, *self.runs.values()):
            if run.outcome not in {"passed", "detected"} and not (run is self.baseline and run.exit_code == 1):
                lines.append(f"--- {run.fault_id or 'baseline'}: {run.outcome}, pytest's last lines:")
                lines.extend(f"    {line}" for line in (run.output or "(nothing printed)").splitlines())
                lines.extend(f"    fault raised: {error}" for error in run.fault_errors)
        lines.append(f"kill rate: {killed}/{total}")
        return "\n".join(lines)


def kill_rate(results: Mapping[str, bool]) -> tuple[int, int]:
    """(faults detected, faults run) from ``{fault_id: detected}``."""
    return sum(1 for detected in results.values() if detected), len(results)


def run_selftest(
    upstream: str,
    tokens: Mapping[str, str],
    pytest_args: Sequence[str] = (),
    faults: Sequence[Fault] = FAULTS,
    *,
    workers: int = 1,
    timeout: float = 1800.0,
    cwd: str | os.PathLike[str] | None = None,
    first_failure: bool = True,
    progress: Callable[[FaultRun], None] | None = None,
) -> SelftestResult:
    """Run the suites through a :class:`FaultProxy` with no fault, then once per fault.

    ``tokens`` maps admin, member and other (nova-box's names) to tokens;
    missing ones are left out. The baseline runs every test of the faults'
    operations (each failure it finds is set aside for the fault runs); with
    ``first_failure`` a fault run stops at its first failing test (``-x``):
    one failure kills the fault. Fault runs go ``workers`` at a time, each with
    its own proxy; they share the target, so a run that fails without its
    fault firing (``spurious``) is run again, alone, afterwards. Raises
    ``ValueError`` for an upstream that is not a URL or ``workers`` below 1.
    ``progress`` is called with the baseline and then with each fault's run as it ends (a long selftest
    shows its outcomes as they come, not only at the end).
    """
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if "admin" not in tokens:
        raise ValueError("tokens needs at least 'admin'")
    scopes = sorted({f.operations for f in faults})
    baseline = _run(upstream, tokens, [*pytest_args, "--operations", "|".join(f"(?:{s})" for s in scopes)],
                    None, timeout, cwd)
    if progress:
        progress(baseline)
    # A test that fails on the target without any fault (an api-ref defect not yet corrected by an
    # erratum) cannot tell a fault apart: the fault runs leave those tests out, and the summary names them.
    known = tuple(f"--deselect={nodeid}" for nodeid in baseline.failing) + (("-x",) if first_failure else ())
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="selftest") as pool:
        futures = {pool.submit(_run, upstream, tokens, [*pytest_args, "--operations", f.operations, *known],
                               f, timeout, cwd): f.id for f in faults}
        ended: dict[str, FaultRun] = {}
        try:
            for future in as_completed(futures):
                ended[futures[future]] = _against(future.result(), baseline)
                if progress:
                    progress(ended[futures[future]])
        except KeyboardInterrupt:
            # Interrupted: the runs not started never start (leaving the pool would otherwise wait for all).
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    runs = {f.id: ended[f.id] for f in faults}
    # Parallel runs share the target: one run's fresh migration can fail another's checks, or its load keep
    # another's migration from starting in time. Such a run says nothing of its fault; run it once more, alone.
    for each in faults:
        if runs[each.id].disturbed:
            again = _run(upstream, tokens, [*pytest_args, "--operations", each.operations, *known], each, timeout,
                         cwd)
            runs[each.id] = replace(_against(again, baseline), attempts=2, first_output=runs[each.id].output)
            if progress:
                progress(runs[each.id])
    return SelftestResult(baseline, runs)


def pytest_command(url: str, pytest_args: Sequence[str], report: str | os.PathLike[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "--target", url, "--allow-destructive", "-q", "-p", "no:cacheprovider",
            "--conformance-report", str(report), *pytest_args]


def _run(
    upstream: str,
    tokens: Mapping[str, str],
    pytest_args: Sequence[str],
    fault: Fault | None,
    timeout: float,
    cwd: str | os.PathLike[str] | None,
) -> FaultRun:
    env = {k: v for k, v in os.environ.items() if k not in TOKEN_ENV.values() and k != "CONFORMANCE_TARGET"}
    env.update({TOKEN_ENV[name]: token for name, token in tokens.items() if name in TOKEN_ENV and token})
    env["COLUMNS"] = "400"  # pytest's short summary keeps each failure's message only if the line fits
    started = time.monotonic()
    with FaultProxy(upstream, fault) as proxy, tempfile.TemporaryDirectory(prefix="conformance-selftest-") as report:
        try:
            done = subprocess.run(pytest_command(proxy.url, pytest_args, report), env=env,
                                  cwd=Path(cwd) if cwd else None, capture_output=True, text=True, timeout=timeout,
                                  check=False)
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            code = -1
            output = _text(exc.stdout) + _text(exc.stderr) + f"\ntimed out after {timeout:.0f} s"
        requests, hits, errors = proxy.requests, proxy.hits, tuple(proxy.errors)
        results = Path(report) / "results.json"
        failing, skipped = _with_outcome(results, "failed", "error"), _with_outcome(results, "skipped")
        verdict = _verdict(Path(report) / "certification.json")
    return FaultRun(fault.id if fault else None, code, time.monotonic() - started, requests, hits,
                    _redact(_tail(output), tokens), errors, failing=failing, verdict=verdict, skipped=skipped)


def _against(run: FaultRun, baseline: FaultRun) -> FaultRun:
    """The fault's run with the tests it skipped that the baseline ran (the baseline's selection covers it)."""
    return replace(run, inconclusive=tuple(nodeid for nodeid in run.skipped if nodeid not in set(baseline.skipped)))


def _with_outcome(results: Path, *outcomes: str) -> tuple[str, ...]:
    """The node ids of the tests a run's results.json reports with one of ``outcomes`` (none when it cannot be
    read)."""
    try:
        data = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    tests = data.get("tests") if isinstance(data, dict) else None
    return tuple(str(test["nodeid"]) for test in tests or ()
                 if isinstance(test, dict) and test.get("outcome") in outcomes and "nodeid" in test)


def _verdict(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    verdict = data.get("verdict") if isinstance(data, dict) else None
    return verdict if isinstance(verdict, str) else None


def _text(value: str | bytes | None) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-_TAIL_LINES:])


def _redact(text: str, tokens: Mapping[str, str]) -> str:
    for name, token in tokens.items():
        if len(token) >= 8:  # real tokens are long; a short one would mangle ordinary words
            text = text.replace(token, f"<token:{name}>")
    return text
