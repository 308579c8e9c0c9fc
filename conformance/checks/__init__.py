"""Checks: each looks at one exchange in its context and yields findings.

    findings = verify(ctx, exchange)              # every check that applies
    assert_conforms(ctx, exchange)                # the same, failing the test with the findings

Checks are registered with stable ids (``CV-NNNN``) in :data:`CHECKS`, one
module per family: status, body, headers, faults (error bodies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from conformance.checks import body, collections, faults, headers, semantics, status, writes
from conformance.checks.context import CheckContext, Expectation
from conformance.checks.registry import CHECKS, Check, check
from conformance.checks.waivers import Waiver, apply_waivers, load_waivers
from conformance.results import Finding
from conformance.target.exchange import Exchange

__all__ = [
    "CHECKS",
    "Check",
    "CheckContext",
    "ConformanceFailure",
    "Expectation",
    "Finding",
    "Waiver",
    "add_observer",
    "add_sink",
    "apply_waivers",
    "assert_conforms",
    "check",
    "load_waivers",
    "remove_observer",
    "remove_sink",
    "verify",
]

del body, collections, faults, headers, semantics, status, writes  # imported to register their checks

FindingSink = Callable[[CheckContext, list[Finding]], None]
ExchangeObserver = Callable[[CheckContext, Exchange], None]
_sinks: list[FindingSink] = []
_observers: list[ExchangeObserver] = []


def add_observer(observer: ExchangeObserver) -> None:
    """See every exchange verify() checks, in its context (the recorder measures coverage with it)."""
    _observers.append(observer)


def remove_observer(observer: ExchangeObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


class ConformanceFailure(AssertionError):
    """A test's exchange did not conform: carries the (unwaived) findings."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n\n".join(finding.render() for finding in findings))


def add_sink(sink: FindingSink) -> None:
    """Receive every list of findings verify() produces (the pytest plugin records them per test)."""
    _sinks.append(sink)


def remove_sink(sink: FindingSink) -> None:
    if sink in _sinks:
        _sinks.remove(sink)


_WAIVERS: dict[str, tuple[Waiver, ...]] = {}


def verify(ctx: CheckContext, exchange: Exchange, checks: Iterable[str] | None = None,
           waivers: tuple[Waiver, ...] | None = None) -> list[Finding]:
    """Run the checks (all registered ones, or the ids given) and return their findings, waivers applied."""
    selected = [CHECKS[check_id] for check_id in checks] if checks is not None else list(CHECKS.values())
    found: list[Finding] = []
    for registered in selected:
        found.extend(registered(ctx, exchange))
    if waivers is None:
        if ctx.service not in _WAIVERS:
            _WAIVERS[ctx.service] = load_waivers(service=ctx.service)
        waivers = _WAIVERS[ctx.service]
    marked = apply_waivers(found, waivers)
    for observer in _observers:
        observer(ctx, exchange)
    for sink in _sinks:
        sink(ctx, marked)
    return marked


def assert_conforms(ctx: CheckContext, exchange: Exchange, checks: Iterable[str] | None = None) -> list[Finding]:
    """Verify, and fail (ConformanceFailure) when any finding is not waived; returns the waived ones."""
    findings = verify(ctx, exchange, checks)
    failing = [finding for finding in findings if finding.waiver is None]
    if failing:
        raise ConformanceFailure(failing)
    return findings
