"""Run the suites through the proxy once with no fault (the baseline) and once per fault.

    result = run_selftest(box.url, box.tokens, ["-x"], workers=4)
    killed, total = kill_rate(result.detected)

A run is ``python -m pytest --target <proxy url> --allow-destructive -q -p
no:cacheprovider <pytest_args>`` in a subprocess; tokens reach it through
CONFORMANCE_*_TOKEN environment variables, never argv (so ``ps`` does not show
them). pytest's exit code decides: 0 passed, 1 failures found (the fault is
detected), anything else an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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

    @property
    def passed(self) -> bool:
        return self.exit_code == 0

    attempts: int = 1
    """Runs made: a spurious failure is run again once, alone."""
    first_output: str = ""
    """The last lines of the spurious first run, when there were two: what failed without the fault."""

    @property
    def detected(self) -> bool:
        """The fault fired, the suite found failures (exit code 1), and the fault itself worked.

        A failure while the fault never fired is not the fault's doing (see ``spurious``).
        """
        return self.fault_id is not None and self.exit_code == 1 and self.hits > 0 and not self.fault_errors

    @property
    def outcome(self) -> str:
        """One of ``passed``/``failed`` (baseline), ``detected``, ``survived`` (fired, not detected),
        ``not exercised`` (never fired, suite passed), ``spurious`` (failed without the fault firing) or
        ``error`` (pytest could not run, timed out, or the fault raised)."""
        if self.fault_errors or self.exit_code not in {0, 1}:
            return "error"
        if self.fault_id is None:
            return "passed" if self.passed else "failed"
        if self.detected:
            return "detected"
        if self.exit_code == 1:
            return "spurious"
        return "not exercised" if self.hits == 0 else "survived"


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
        """The suite ran with no fault (its failures set aside) and detects every fault."""
        return self.baseline.exit_code in {0, 1} and not self.baseline.fault_errors and all(self.detected.values())

    def summary(self) -> str:
        killed, total = kill_rate(self.detected)
        lines = [f"baseline (no fault): {self.baseline.outcome} in {self.baseline.duration:.1f} s, "
                 f"{self.baseline.requests} requests"]
        if self.baseline.failing:
            lines.append(f"  {len(self.baseline.failing)} tests fail without any fault (api-ref defects not yet "
                         "corrected by an erratum, or the target's own): left out of the fault runs")
            lines.extend(f"    {nodeid}" for nodeid in self.baseline.failing)
        for fault_id, run in self.runs.items():
            again = ", run twice" if run.attempts > 1 else ""
            lines.append(f"  {run.outcome:<14} {fault_id} (exit {run.exit_code}, fired {run.hits}x "
                         f"of {run.requests}, {run.duration:.1f} s{again})")
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
) -> SelftestResult:
    """Run the suites through a :class:`FaultProxy` with no fault, then once per fault.

    ``tokens`` maps admin, member and other (nova-box's names) to tokens;
    missing ones are left out. Fault runs go ``workers`` at a time, each with
    its own proxy; they share the target, so a run that fails without its
    fault firing (``spurious``) is run again, alone, afterwards. Raises
    ``ValueError`` for an upstream that is not a URL or ``workers`` below 1.
    """
    if workers < 1:
        raise ValueError(f"workers must be 1 or more, got {workers}")
    if "admin" not in tokens:
        raise ValueError("tokens needs at least 'admin'")
    scopes = sorted({f.operations for f in faults})
    baseline = _run(upstream, tokens, [*pytest_args, "--operations", "|".join(f"(?:{s})" for s in scopes)],
                    None, timeout, cwd)
    # A test that fails on the target without any fault (an api-ref defect not yet corrected by an
    # erratum) cannot tell a fault apart: the fault runs leave those tests out, and the summary names them.
    known = tuple(f"--deselect={nodeid}" for nodeid in baseline.failing)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="selftest") as pool:
        futures = {f.id: pool.submit(_run, upstream, tokens, [*pytest_args, "--operations", f.operations, *known],
                                     f, timeout, cwd) for f in faults}
        runs = {fault_id: future.result() for fault_id, future in futures.items()}
    # Parallel runs share the target: one run's fresh migration can fail another's checks. A failure
    # without the fault firing is not a detection; run it once more, alone.
    for each in faults:
        if runs[each.id].outcome == "spurious":
            again = _run(upstream, tokens, [*pytest_args, "--operations", each.operations, *known], each, timeout,
                         cwd)
            runs[each.id] = replace(again, attempts=2, first_output=runs[each.id].output)
    return SelftestResult(baseline, runs)


def pytest_command(url: str, pytest_args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "--target", url, "--allow-destructive", "-q", "-p", "no:cacheprovider",
            *pytest_args]


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
    with FaultProxy(upstream, fault) as proxy, tempfile.TemporaryDirectory(prefix="selftest-") as scratch:
        junit = Path(scratch) / "junit.xml"
        try:
            done = subprocess.run(pytest_command(proxy.url, [*pytest_args, f"--junitxml={junit}"]), env=env,
                                  cwd=Path(cwd) if cwd else None, capture_output=True, text=True, timeout=timeout,
                                  check=False)
            code, output = done.returncode, done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            code = -1
            output = _text(exc.stdout) + _text(exc.stderr) + f"\ntimed out after {timeout:.0f} s"
        requests, hits, errors = proxy.requests, proxy.hits, tuple(proxy.errors)
        failing = _failing(junit)
    return FaultRun(fault.id if fault else None, code, time.monotonic() - started, requests, hits,
                    _redact(_tail(output), tokens), errors, failing=failing)


def _failing(junit: Path) -> tuple[str, ...]:
    """The node ids of the failed and erred tests a JUnit XML file reports (none when it cannot be read)."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.parse(junit).getroot()  # our own pytest's file
    except (OSError, ElementTree.ParseError):
        return ()
    failed = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            # node ids relative to the suites' rootdir (the run's -c run.ini): test_contract.py::test_served[...]
            module = str(case.get("classname", "")).replace(".", "/")
            failed.append(f"{module}.py::{case.get('name')}")
    return tuple(failed)


def _text(value: str | bytes | None) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else (value or "")


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-_TAIL_LINES:])


def _redact(text: str, tokens: Mapping[str, str]) -> str:
    for name, token in tokens.items():
        if len(token) >= 8:  # real tokens are long; a short one would mangle ordinary words
            text = text.replace(token, f"<token:{name}>")
    return text
