"""Recording a run: what each test did, its outcome, and the reports at the end.

In the process that runs a test, a :class:`TestRecord` collects what the checks
found, which checks ran, the requests sent and how each phase ended; at teardown
it travels in ``report.user_properties`` (so pytest-xdist carries it to the
controller), where :func:`~conformance.plugin.outcome.decide` gives the outcome.
The controller also knows which tests were collected, so a run that stopped early
(``-x``, ``--maxfail``, Ctrl-C) or ran a deselected subset is never complete, and
it sets the exit code from the certificate: 0 conformant, 1 not conformant,
:data:`EXIT_INCOMPLETE` when the certificate is neither.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.checks import (
    CheckContext,
    ConformanceFailure,
    Inconclusive,
    Waiver,
    add_observer,
    add_sink,
    remove_observer,
    remove_sink,
)
from conformance.plugin import option
from conformance.plugin.outcome import TestEnd, decide
from conformance.results import Finding, RunResult, TestResult, WaiverUse
from conformance.target.exchange import Exchange

__all__ = ["EXIT_INCOMPLETE", "Recorder", "TestRecord"]

EXIT_INCOMPLETE = 6
"""The exit code of a run whose certificate is incomplete or exercised nothing (pytest's own codes end at 5)."""

_PROPERTY = "conformance"
_DESELECTED = "conformance_deselected"


class TestRecord:
    """What one test did, over its phases."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.operation: str | None = None
        self.api: str | None = None
        self.microversion: str | None = None
        self.checks: set[str] = set()
        self.findings: dict[tuple[Any, ...], Finding] = {}
        self.requests = 0
        self.duration = 0.0
        self.statuses: set[tuple[str, int]] = set()
        self.fields: set[tuple[str, str]] = set()
        self.last: Exchange | None = None
        self.phases: dict[str, str] = {}
        """``inconclusive``, ``skipped``, ``setup``, ``call``, ``teardown`` -> the reason or the error."""
        self.inconclusive_exchange: Exchange | None = None

    def observe(self, ctx: CheckContext, exchange: Exchange) -> None:
        """Note the status and the body's field names the operation answered with (for coverage)."""
        label = ctx.label
        self.statuses.add((label, exchange.response.status))
        if 200 <= exchange.response.status < 300:
            self.fields.update((label, name) for name in _field_names(exchange.response.json_or_none()))

    def add(self, ctx: CheckContext, findings: list[Finding], checks: tuple[str, ...] = ()) -> None:
        self.operation = self.operation or ctx.label
        self.api = self.api or ctx.operation.group
        self.microversion = self.microversion or ctx.version_text
        self.checks.update(checks)
        for finding in findings:
            self.findings.setdefault(finding.key, finding)

    def saw(self, exchange: Exchange) -> None:
        """A request the test sent (whether or not a check looked at it)."""
        self.requests += 1
        self.last = exchange

    def end(self) -> TestEnd:
        phases = self.phases
        return TestEnd(tuple(self.findings.values()), phases.get("inconclusive"), phases.get("call"),
                       phases.get("setup"), phases.get("teardown"), phases.get("skipped"))

    def to_json(self) -> str:
        exchange = self.inconclusive_exchange
        return json.dumps({"operation": self.operation, "api": self.api, "microversion": self.microversion,
                           "checks": sorted(self.checks), "requests": self.requests, "duration": self.duration,
                           "statuses": sorted(self.statuses), "fields": sorted(self.fields), "phases": self.phases,
                           "exchange": exchange.to_dict() if exchange is not None else None,
                           "findings": [f.to_dict() for f in self.findings.values()]})

    @classmethod
    def from_json(cls, text: str) -> TestRecord:
        data = json.loads(text)
        record = cls()
        record.operation, record.api, record.microversion = data["operation"], data["api"], data["microversion"]
        record.checks = set(data["checks"])
        record.requests, record.duration = data["requests"], data["duration"]
        record.statuses = {(label, status) for label, status in data["statuses"]}
        record.fields = {(label, name) for label, name in data["fields"]}
        record.phases = dict(data["phases"])
        record.inconclusive_exchange = Exchange.from_dict(data["exchange"]) if data["exchange"] else None
        for item in data["findings"]:
            finding = Finding.from_dict(item)
            record.findings.setdefault(finding.key, finding)
        return record


class Recorder:
    """Records each test's findings and outcome, and writes the results at the end."""

    def __init__(self, config: pytest.Config, waivers: tuple[Waiver, ...] = (),
                 waiver_files: tuple[str, ...] = ()) -> None:
        self.config = config
        self.waivers = waivers
        self.waiver_files = waiver_files
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.results: dict[str, TestResult] = {}
        self.current: TestRecord | None = None
        self.target_versions: tuple[str, str] | None = None
        self.spec: dict[str, Any] = {}
        self.result: RunResult | None = None
        self.statuses: set[tuple[str, int]] = set()
        self.fields: set[tuple[str, str]] = set()
        self.collected: set[str] = set()
        self.deselected = 0
        self.written_at = 0

    # -- per test, in the process that runs it -------------------------------

    def _sink(self, ctx: CheckContext, findings: list[Finding], checks: tuple[str, ...]) -> None:
        if self.current is not None:
            self.current.add(ctx, findings, checks)

    def _observe(self, ctx: CheckContext, exchange: Exchange) -> None:
        if self.current is not None:
            self.current.observe(ctx, exchange)

    def saw(self, exchange: Exchange) -> None:
        """Called with every exchange the target makes (a listener on the Target)."""
        if self.current is not None:
            self.current.saw(exchange)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.current = TestRecord()
        add_sink(self._sink)
        add_observer(self._observe)
        try:
            yield
        finally:
            remove_sink(self._sink)
            remove_observer(self._observe)
            self.current = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        record = self.current
        if record is None:
            return
        record.duration += report.duration
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, ConformanceFailure):
            for finding in error.findings:
                record.findings.setdefault(finding.key, finding)
        if isinstance(error, Inconclusive):
            record.phases["inconclusive"] = error.reason
            record.inconclusive_exchange = error.exchange or record.last
            # pytest counts it as skipped (not a failure); the recorder knows it was not the run's choice.
            path, line, _ = item.location
            report.outcome = "skipped"
            report.longrepr = (str(path), (line or 0) + 1, f"Inconclusive: {error.reason}")
        elif report.skipped:
            record.phases.setdefault("skipped", _reason(report))
        elif report.failed:
            record.phases[report.when] = _reason(report)
        if report.when == "teardown":
            marker = item.get_closest_marker("conformance")
            if marker is not None:
                # The operation the test names wins over the first one it happened to call.
                record.operation = marker.kwargs.get("operation") or record.operation
                record.api = marker.kwargs.get("api") or record.api
                record.microversion = marker.kwargs.get("microversion") or record.microversion
            report.user_properties.append((_PROPERTY, record.to_json()))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)
        if _is_worker(self.config):
            output: dict[str, Any] = self.config.workeroutput  # type: ignore[attr-defined]
            output[_DESELECTED] = output.get(_DESELECTED, 0) + len(items)

    # -- on the controller ---------------------------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.collected.update(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.collected.update(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None) or {}
        self.deselected = max(self.deselected, int(output.get(_DESELECTED, 0)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        texts = [str(value) for name, value in report.user_properties if name == _PROPERTY]
        if not texts:
            return
        record = TestRecord.from_json(texts[-1])
        self.statuses.update(record.statuses)
        self.fields.update(record.fields)
        outcome, reason = decide(record.end())
        self.results[report.nodeid] = TestResult(
            nodeid=report.nodeid, outcome=outcome, operation=record.operation, api=record.api,
            microversion=record.microversion, checks=tuple(sorted(record.checks)),
            findings=tuple(record.findings.values()), reason=reason, duration=record.duration,
            requests=record.requests, exchange=record.inconclusive_exchange)
        self._write_now_and_then()

    def _write_now_and_then(self, every: int = 25) -> None:
        """Keep the reports of what ran so far on disk: a run killed hard still leaves a valid report."""
        directory = option(self.config, "conformance_report")
        if not directory or _is_worker(self.config) or len(self.results) - self.written_at < every:
            return
        self.written_at = len(self.results)
        self.result = None
        self.write(Path(directory))

    def complete(self, session: pytest.Session, exitstatus: int) -> bool:
        """Whether every collected test ran to an outcome and nothing was deselected or cut short."""
        if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
            return False
        return not self.deselected and self.collected <= set(self.results)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if _is_worker(self.config):
            return
        self.result = self.build(self.complete(session, exitstatus))
        directory = option(self.config, "conformance_report")
        if directory:
            self.write(Path(directory))
        session.exitstatus = exit_status(self.result, exitstatus)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if _is_worker(self.config) or self.result is None:
            return
        directory = option(self.config, "conformance_report")
        from conformance.report import summary_lines

        terminalreporter.section("conformance")
        html = Path(directory) / "report.html" if directory else None
        for line in summary_lines(self.result, html):
            terminalreporter.write_line(line)

    def _contract(self) -> Any:
        """The compiled contract and the target's advertised range, for coverage (None when unavailable)."""
        from conformance.errors import ConformanceError
        from conformance.suites.contract import connect_target, load_contract, spec_of

        try:
            apiref = load_contract(self.config)
            if self.target_versions is None:
                discovery = connect_target(self.config).discovery
                self.target_versions = (str(discovery.min_version), str(discovery.max_version))
        except ConformanceError:
            return None
        if not self.spec:
            self.spec = spec_of(apiref)
        return apiref

    def build(self, complete: bool = True) -> RunResult:
        apiref = self._contract()
        run = RunResult(
            target=option(self.config, "conformance_target") or os.environ.get("CONFORMANCE_TARGET", ""),
            target_versions=self.target_versions, suite_version=__version__, spec=self.spec,
            started=self.started.strftime("%Y-%m-%dT%H:%M:%SZ"), duration=time.monotonic() - self.clock,
            tests=tuple(self.results.values()),
            options={"microversions": option(self.config, "conformance_microversions"),
                     "destructive": bool(option(self.config, "conformance_destructive")),
                     "hypothesis_seed": self.config.getoption("hypothesis_seed", None),
                     "waivers": option(self.config, "conformance_waivers"),
                     "extend_waivers": bool(option(self.config, "conformance_extend_waivers"))},
            complete=complete, apis=tuple(sorted({test.api for test in self.results.values() if test.api})),
            waivers=self._waiver_uses(), waiver_files=self.waiver_files)
        if apiref is not None:
            from dataclasses import replace

            from conformance.report.coverage import measure_coverage

            coverage = measure_coverage(apiref, run, error_codes=self.statuses, fields=self.fields)
            run = replace(run, coverage=coverage)
        return run

    def _waiver_uses(self) -> tuple[WaiverUse, ...]:
        covered = Counter(waiver_id for test in self.results.values()
                          for waiver_id in {f.waiver_id for f in test.findings if f.waiver_id})
        return tuple(WaiverUse(w.id, w.source, w.check, w.operation, w.reason, covered.get(w.id, 0))
                     for w in self.waivers)

    def write(self, directory: Path) -> Path:
        """Write results.json, certification.json, junit.xml and report.html; the HTML report's path."""
        from conformance.report import write_reports

        result = self.result or self.build(complete=False)
        directory.mkdir(parents=True, exist_ok=True)
        return write_reports(result, directory).html


def exit_status(run: RunResult, exitstatus: int) -> int:
    """The run's exit code, agreeing with its certificate: 0 only when it says conformant."""
    from conformance.report.views import CONFORMANT, NOT_CONFORMANT, certificate_verdict

    if exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR,
                      pytest.ExitCode.NO_TESTS_COLLECTED):
        return int(exitstatus)
    verdict = certificate_verdict(run)
    if verdict == CONFORMANT:
        return int(pytest.ExitCode.OK)
    if verdict == NOT_CONFORMANT:
        return int(pytest.ExitCode.TESTS_FAILED)
    return EXIT_INCOMPLETE


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message).strip().splitlines()[0][:500]
    text = str(report.longrepr) if report.longrepr else ""
    return text.strip().splitlines()[-1][:500] if text.strip() else report.outcome


def _field_names(body: Any, depth: int = 0) -> set[str]:
    """Every key of a JSON body, at any depth (``migrations``, ``id``, ``uuid``...)."""
    names: set[str] = set()
    if depth > 8:
        return names
    if isinstance(body, dict):
        for key, value in body.items():
            names.add(str(key))
            names |= _field_names(value, depth + 1)
    elif isinstance(body, list):
        for value in body[:50]:
            names |= _field_names(value, depth + 1)
    return names
