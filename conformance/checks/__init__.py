"""Checks: each looks at one exchange in its context and yields findings.

    findings = verify(ctx, exchange)              # every check that applies
    assert_conforms(ctx, exchange)                # the same, failing the test with the findings
    Answer(exchange, ctx).objects("migrations")   # read an answer: a finding, never a KeyError

Checks are registered with stable ids (``CV-NNNN``) in :data:`CHECKS`, one
module per family: status, body, headers, faults (error bodies), semantics.
Waivers come from :func:`use_waivers` (the run's ``--waivers``), else the file
shipped for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from conformance.checks import body, collections, faults, headers, lists, semantics, status, writes
from conformance.checks.answers import Answer
from conformance.checks.context import CheckContext, Expectation
from conformance.checks.failures import ConformanceFailure, Inconclusive
from conformance.checks.registry import CHECKS, Check, check
from conformance.checks.waivers import Waiver, apply_waivers, load_waivers
from conformance.results import Finding
from conformance.target.exchange import Exchange

__all__ = [
    "CHECKS",
    "Answer",
    "Check",
    "CheckContext",
    "ConformanceFailure",
    "Expectation",
    "Finding",
    "Inconclusive",
    "Waiver",
    "active_waivers",
    "add_observer",
    "add_sink",
    "apply_waivers",
    "assert_conforms",
    "check",
    "load_waivers",
    "remove_observer",
    "remove_sink",
    "use_waivers",
    "verify",
]

del body, collections, faults, headers, lists, semantics, status, writes  # imported to register their checks

FindingSink = Callable[[CheckContext, list[Finding], tuple[str, ...]], None]
"""Receives the findings of one verify() call and the ids of the checks that ran."""
ExchangeObserver = Callable[[CheckContext, Exchange], None]
_sinks: list[FindingSink] = []
_observers: list[ExchangeObserver] = []


def add_observer(observer: ExchangeObserver) -> None:
    """See every exchange verify() checks, in its context (the recorder measures coverage with it)."""
    _observers.append(observer)


def remove_observer(observer: ExchangeObserver) -> None:
    if observer in _observers:
        _observers.remove(observer)


def add_sink(sink: FindingSink) -> None:
    """Receive every list of findings verify() produces (the pytest plugin records them per test)."""
    _sinks.append(sink)


def remove_sink(sink: FindingSink) -> None:
    if sink in _sinks:
        _sinks.remove(sink)


_WAIVERS: dict[str, tuple[Waiver, ...]] = {}
"""The waivers in force, by service: what use_waivers() set, else the shipped file (loaded once)."""


def use_waivers(service: str, waivers: tuple[Waiver, ...] | None) -> None:
    """Make ``waivers`` the ones verify() applies for ``service`` (None: back to the shipped file)."""
    if waivers is None:
        _WAIVERS.pop(service, None)
    else:
        _WAIVERS[service] = waivers


def active_waivers(service: str) -> tuple[Waiver, ...]:
    """The waivers verify() applies for ``service``."""
    if service not in _WAIVERS:
        _WAIVERS[service] = load_waivers(service=service)
    return _WAIVERS[service]


def verify(ctx: CheckContext, exchange: Exchange, checks: Iterable[str] | None = None,
           waivers: tuple[Waiver, ...] | None = None) -> list[Finding]:
    """Run the checks (all registered ones, or the ids given) and return their findings, waivers applied."""
    selected = [CHECKS[check_id] for check_id in checks] if checks is not None else list(CHECKS.values())
    found: list[Finding] = []
    for registered in selected:
        found.extend(registered(ctx, exchange))
    marked = apply_waivers(found, active_waivers(ctx.service) if waivers is None else waivers)
    for observer in _observers:
        observer(ctx, exchange)
    ran = tuple(registered.id for registered in selected)
    for sink in _sinks:
        sink(ctx, marked, ran)
    return marked


def assert_conforms(ctx: CheckContext, exchange: Exchange, checks: Iterable[str] | None = None) -> list[Finding]:
    """Verify, and fail (ConformanceFailure) when any finding is not waived; returns the waived ones."""
    findings = verify(ctx, exchange, checks)
    failing = [finding for finding in findings if finding.waiver is None]
    if failing:
        raise ConformanceFailure(failing)
    return findings
