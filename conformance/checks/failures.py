"""How a test ends other than by passing: the target did not conform, or could not be brought to the test.

    raise ConformanceFailure([finding])              # FAILED: the findings say how the answer was wrong
    raise Inconclusive("no migration ran in 120 s", exchange)   # INCONCLUSIVE: not exercised, with the reason

The recorder turns these into outcomes (``conformance.plugin.outcome``): a test that
recorded an unwaived finding is FAILED whatever else happened; one that raised
:class:`Inconclusive` without such a finding is not exercised, and keeps the run's
certificate from saying conformant without making it say not conformant.
"""

from __future__ import annotations

from conformance.results import Finding
from conformance.target.exchange import Exchange

__all__ = ["ConformanceFailure", "Inconclusive"]


class ConformanceFailure(AssertionError):
    """A test's exchange did not conform: carries the (unwaived) findings."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n\n".join(finding.render() for finding in findings))


class Inconclusive(Exception):
    """The target could not be brought into the state a test needs (a migration that never started in time,
    no quota left, no second host): the test is not exercised, with the reason and the last exchange."""

    def __init__(self, reason: str, exchange: Exchange | None = None) -> None:
        self.reason = reason
        self.exchange = exchange
        super().__init__(reason)
