"""The plugin's run: the target (booting nova-box when asked), collection, and recording results.

Loaded only when a target is set. On pytest-xdist, the controller boots
nova-box and records results; workers inherit the target through the
environment and send their per-test results in ``report.user_properties``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Generator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.checks import CheckContext, ConformanceFailure, add_observer, add_sink, remove_observer, remove_sink
from conformance.plugin import SUITES, option
from conformance.results import Finding, Outcome, RunResult, TestResult
from conformance.target.exchange import Exchange

__all__ = ["RECORDER", "Recorder", "configure", "unconfigure"]

RECORDER = pytest.StashKey["Recorder"]()
_BOX = pytest.StashKey[Any]()
_PROPERTY = "conformance"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _explicit_paths(config: pytest.Config) -> bool:
    """Whether test paths were given on the command line (else the shipped suites are collected)."""
    return config.args_source is pytest.Config.ArgsSource.ARGS


def configure(config: pytest.Config) -> None:
    """Boot nova-box if asked, point collection at the suites, and start recording."""
    _interrupt_on_sigterm()
    if not _is_worker(config) and config.getoption("conformance_novabox", False) and not option(
            config, "conformance_target"):
        _boot_novabox(config)
    if not _explicit_paths(config):
        config.args[:] = [str(SUITES)]
    _fix_hypothesis_seed(config)
    recorder = Recorder(config)
    config.stash[RECORDER] = recorder
    config.pluginmanager.register(recorder, "conformance-recorder")


def _fix_hypothesis_seed(config: pytest.Config) -> None:
    """One seed for the whole run (and every xdist worker), printed so that the run can be replayed."""
    seed: Any = config.getoption("hypothesis_seed", None) or os.environ.get("CONFORMANCE_HYPOTHESIS_SEED")
    if seed is None:
        seed = str(int.from_bytes(os.urandom(4), "big"))
    os.environ["CONFORMANCE_HYPOTHESIS_SEED"] = str(seed)
    config.option.hypothesis_seed = str(seed)
    from hypothesis import core

    core.global_force_seed = int(seed) if str(seed).isdigit() else seed  # type: ignore[assignment]  # what hypothesis' own plugin does
    if not _is_worker(config):
        print(f"conformance: hypothesis seed {seed} (replay with --hypothesis-seed={seed})", file=sys.stderr,
              flush=True)


def _interrupt_on_sigterm() -> None:
    """SIGTERM (a CI timeout, ``kill``) ends the run as Ctrl-C does: fixtures tear down, so the servers
    the suite created are deleted, nova-box stops and the reports of what ran are written."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def unconfigure(config: pytest.Config) -> None:
    box = config.stash.get(_BOX, None)
    if box is not None:
        box.stop()


def _boot_novabox(config: pytest.Config) -> None:
    from conformance.novabox import NovaBox

    print("conformance: booting nova-box (real Nova 34.0.0, fake virt driver)...", file=sys.stderr, flush=True)
    started = time.monotonic()
    box = NovaBox().start()
    config.stash[_BOX] = box
    print(f"conformance: nova-box ready at {box.url} in {time.monotonic() - started:.1f} s", file=sys.stderr,
          flush=True)
    # Workers (and the suites) read the target from the environment; tokens never reach a log.
    os.environ["CONFORMANCE_TARGET"] = box.url
    os.environ["CONFORMANCE_ADMIN_TOKEN"] = box.tokens["admin"]
    os.environ["CONFORMANCE_MEMBER_TOKEN"] = box.tokens["member"]
    os.environ["CONFORMANCE_OTHER_TOKEN"] = box.tokens["other"]
    state = Path(box.workdir or ".") / "conformance-state.json" if box.workdir else None
    if state is not None:
        state.write_text(json.dumps(box.state), encoding="utf-8")
        state.chmod(0o600)
        os.environ["CONFORMANCE_NOVABOX_STATE"] = str(state)


class _TestRecord:
    def __init__(self) -> None:
        self.operation: str | None = None
        self.api: str | None = None
        self.microversion: str | None = None
        self.checks: set[str] = set()
        self.findings: dict[tuple[Any, ...], Finding] = {}
        self.requests = 0
        self.statuses: set[tuple[str, int]] = set()
        self.fields: set[tuple[str, str]] = set()

    def observe(self, ctx: CheckContext, exchange: Exchange) -> None:
        """Note the status and the body's field names the operation answered with (for coverage)."""
        label = ctx.label
        self.statuses.add((label, exchange.response.status))
        if 200 <= exchange.response.status < 300:
            self.fields.update((label, name) for name in _field_names(exchange.response.json_or_none()))

    def add(self, ctx: CheckContext, findings: list[Finding]) -> None:
        self.operation = self.operation or ctx.label
        self.api = self.api or ctx.operation.group
        self.microversion = self.microversion or ctx.version_text
        for finding in findings:
            self.findings.setdefault(finding.key, finding)

    def to_json(self) -> str:
        return json.dumps({"operation": self.operation, "api": self.api, "microversion": self.microversion,
                           "checks": sorted(self.checks), "requests": self.requests,
                           "statuses": sorted(self.statuses), "fields": sorted(self.fields),
                           "findings": [f.to_dict() for f in self.findings.values()]})


class Recorder:
    """Records each test's findings and outcome, and writes the results at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = datetime.now(UTC)
        self.clock = time.monotonic()
        self.results: dict[str, TestResult] = {}
        self.current: _TestRecord | None = None
        self.target_versions: tuple[str, str] | None = None
        self.spec: dict[str, Any] = {}
        self.coverage: dict[str, Any] = {}
        self.result: RunResult | None = None
        self.statuses: set[tuple[str, int]] = set()
        self.fields: set[tuple[str, str]] = set()
        self.written_at = 0

    # -- per test, in the process that runs it -------------------------------

    def _sink(self, ctx: CheckContext, findings: list[Finding]) -> None:
        if self.current is not None:
            self.current.add(ctx, findings)

    def _observe(self, ctx: CheckContext, exchange: Exchange) -> None:
        if self.current is not None:
            self.current.observe(ctx, exchange)

    def count_request(self) -> None:
        if self.current is not None:
            self.current.requests += 1

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.current = _TestRecord()
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
        if (self.current is not None and report.when == "call") or (report.when == "setup" and report.skipped):
            record = self.current or _TestRecord()
            marker = item.get_closest_marker("conformance")
            if marker is not None:
                # The operation the test names wins over the first one it happened to call.
                record.operation = marker.kwargs.get("operation") or record.operation
                record.api = marker.kwargs.get("api") or record.api
                record.microversion = marker.kwargs.get("microversion") or record.microversion
            if call.excinfo is not None and isinstance(call.excinfo.value, ConformanceFailure):
                for finding in call.excinfo.value.findings:
                    record.findings.setdefault(finding.key, finding)
            report.user_properties.append((_PROPERTY, record.to_json()))

    # -- on the controller ---------------------------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data: dict[str, Any] = {}
        for name, value in report.user_properties:
            if name == _PROPERTY:
                data = json.loads(str(value))
        findings = tuple(Finding.from_dict(f) for f in data.get("findings", ()))
        self.statuses.update((label, status) for label, status in data.get("statuses", ()))
        self.fields.update((label, name) for label, name in data.get("fields", ()))
        previous = self.results.get(report.nodeid)
        if report.when == "call" or (report.skipped and report.when == "setup"):
            outcome = _outcome(report, findings)
            reason = _reason(report) if outcome in (Outcome.SKIPPED, Outcome.ERROR) else None
            self.results[report.nodeid] = TestResult(
                nodeid=report.nodeid, outcome=outcome, operation=data.get("operation"), api=data.get("api"),
                microversion=data.get("microversion"), checks=tuple(data.get("checks", ())), findings=findings,
                reason=reason, duration=report.duration, requests=data.get("requests", 0))
            self._write_now_and_then()
        elif report.failed and (previous is None or previous.outcome is not Outcome.ERROR):
            # setup or teardown errors: the test could not run (or clean up)
            base = previous or TestResult(nodeid=report.nodeid, outcome=Outcome.ERROR)
            self.results[report.nodeid] = TestResult(
                nodeid=base.nodeid, outcome=Outcome.ERROR, operation=base.operation, api=base.api,
                microversion=base.microversion, checks=base.checks, findings=base.findings,
                reason=_reason(report), duration=base.duration + report.duration, requests=base.requests)

    def _write_now_and_then(self, every: int = 25) -> None:
        """Keep the reports of what ran so far on disk: a run killed hard still leaves a valid report."""
        directory = option(self.config, "conformance_report")
        if not directory or _is_worker(self.config) or len(self.results) - self.written_at < every:
            return
        self.written_at = len(self.results)
        self.result = None
        self.write(Path(directory))

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if _is_worker(self.config):
            return
        complete = exitstatus not in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
        self.result = self.build(complete)
        directory = option(self.config, "conformance_report")
        if directory:
            self.write(Path(directory))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if _is_worker(self.config) or self.result is None:
            return
        directory = option(self.config, "conformance_report")
        from conformance.report import summary_lines

        terminalreporter.section("conformance")
        html = Path(directory) / "report.html" if directory else None
        for line in summary_lines(self.result, html):
            terminalreporter.write_line(line)

    def _contract(self) -> tuple[Any, tuple[str, str] | None]:
        """The compiled contract and the target's advertised range, for coverage (None when unavailable)."""
        from conformance.errors import ConformanceError
        from conformance.suites.contract import connect_target, load_contract

        try:
            apiref = load_contract(self.config)
            if self.target_versions is None:
                discovery = connect_target(self.config).discovery
                self.target_versions = (str(discovery.min_version), str(discovery.max_version))
        except ConformanceError:
            return None, self.target_versions
        if not self.spec:
            self.spec = {"service": apiref.info.service, "origin": apiref.info.origin, "sha256": apiref.info.sha256}
        return apiref, self.target_versions

    def build(self, complete: bool = True) -> RunResult:
        apiref, _ = self._contract()
        groups = sorted({test.api for test in self.results.values() if test.api})
        run = self._build(complete, groups)
        if apiref is not None:
            from dataclasses import replace

            from conformance.report.coverage import measure_coverage

            coverage = measure_coverage(apiref, run, groups, error_codes=self.statuses, fields=self.fields)
            run = replace(run, coverage=coverage)
        return run

    def _build(self, complete: bool, groups: list[str]) -> RunResult:
        return RunResult(
            target=option(self.config, "conformance_target") or os.environ.get("CONFORMANCE_TARGET", ""),
            target_versions=self.target_versions, suite_version=__version__, spec=self.spec,
            started=self.started.strftime("%Y-%m-%dT%H:%M:%SZ"), duration=time.monotonic() - self.clock,
            tests=tuple(self.results.values()), coverage=self.coverage,
            options={"microversions": option(self.config, "conformance_microversions"),
                     "destructive": bool(option(self.config, "conformance_destructive")),
                     "hypothesis_seed": self.config.getoption("hypothesis_seed", None)},
            complete=complete, apis=tuple(groups))

    def write(self, directory: Path) -> Path:
        """Write results.json, certification.json, junit.xml and report.html; the HTML report's path."""
        from conformance.report import write_reports

        result = self.result or self.build(complete=False)
        directory.mkdir(parents=True, exist_ok=True)
        return write_reports(result, directory).html


def _outcome(report: pytest.TestReport, findings: tuple[Finding, ...]) -> Outcome:
    if report.skipped:
        return Outcome.SKIPPED
    if report.failed:
        if findings and all(f.waiver for f in findings):
            return Outcome.WAIVED
        return Outcome.FAILED if findings or report.when == "call" else Outcome.ERROR
    if any(f.waiver for f in findings):
        return Outcome.WAIVED
    return Outcome.PASSED


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
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
