"""The one rule that turns what happened in a test into its outcome.

A test is seen through every phase (setup, call, teardown) as a :class:`TestEnd`;
:func:`decide` maps it to an :class:`~conformance.results.Outcome`, first match wins:

1. an unwaived finding, recorded by a check or carried by an exception, in any phase: **FAILED**
   (whatever else happened: a target that contradicted the api-ref on the way to an
   inconclusive test still failed it);
2. :class:`~conformance.checks.Inconclusive` raised: **INCONCLUSIVE** (the target could not be
   brought into the state the test needs: not exercised);
3. any other exception in the call (an assertion, a crash on a bad answer, a timeout): **FAILED**;
4. an exception in setup or teardown: **ERROR**;
5. skipped (by the run's choice: no member token, not --allow-destructive): **SKIPPED**;
6. it passed, and waivers covered some of its findings: **WAIVED** (it would have failed without
   them and passed in every other respect);
7. it passed with no finding: **PASSED**.

So a test is never WAIVED unless it passed once its waived findings are set aside, and
nothing that failed, crashed or did not run is ever counted as conforming.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.results import Finding, Outcome

__all__ = ["TestEnd", "decide"]


@dataclass(frozen=True)
class TestEnd:
    """What the recorder saw of one test, over its phases."""

    findings: tuple[Finding, ...] = ()
    """Every finding it recorded (waived ones marked), from checks and from the exception that ended it."""
    inconclusive: str | None = None
    """The reason, when it raised Inconclusive."""
    call_failed: str | None = None
    """The error that ended its call, other than a skip or Inconclusive."""
    setup_failed: str | None = None
    """The error of its setup, likewise."""
    teardown_failed: str | None = None
    """The error of its teardown, likewise."""
    skipped: str | None = None
    """The skip reason, when it was skipped."""


def decide(end: TestEnd) -> tuple[Outcome, str | None]:
    """The outcome, and the reason a reader sees with it (None for a plain pass or a failure by findings)."""
    if any(finding.waiver is None for finding in end.findings):
        return Outcome.FAILED, end.call_failed or end.setup_failed or end.teardown_failed
    if end.inconclusive is not None:
        return Outcome.INCONCLUSIVE, end.inconclusive
    if end.call_failed is not None:
        return Outcome.FAILED, end.call_failed
    if end.setup_failed is not None or end.teardown_failed is not None:
        return Outcome.ERROR, end.setup_failed or end.teardown_failed
    if end.skipped is not None:
        return Outcome.SKIPPED, end.skipped
    if end.findings:
        return Outcome.WAIVED, None
    return Outcome.PASSED, None
