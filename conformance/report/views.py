"""What the reports show, computed once from a :class:`RunResult`: plain data, no markup.

The HTML, the JUnit file, the certification and the console summary all read
these views, so they agree on what a cell, a verdict or a finding group is.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from conformance.results import Finding, Outcome, RunResult, TestResult
from conformance.target.exchange import Exchange, Request, Response, redact_headers

__all__ = [
    "CONFORMANT",
    "INCOMPLETE",
    "NOT_CONFORMANT",
    "NOT_EXERCISED",
    "NO_API",
    "NO_VERSION",
    "ApiVerdict",
    "Cell",
    "FindingGroup",
    "Matrix",
    "certificate_verdict",
    "certify",
    "finished",
    "group_findings",
    "matrix",
    "outcome_counts",
    "overall",
    "redacted",
    "scope_statement",
    "skipped_by_reason",
]

CONFORMANT = "conformant"
NOT_CONFORMANT = "not conformant"
INCOMPLETE = "incomplete"
NOT_EXERCISED = "not exercised"

NO_API = "General"
"""Where tests that name no api-ref group (discovery, version negotiation) are counted."""
NO_VERSION = "none"
"""The matrix column of requests sent without a version header."""

# Which outcome a cell holding several tests shows: the worst one.
_PRECEDENCE = (Outcome.FAILED, Outcome.ERROR, Outcome.INCONCLUSIVE, Outcome.WAIVED, Outcome.PASSED,
               Outcome.SKIPPED)


def outcome_counts(tests: Iterable[TestResult]) -> dict[str, int]:
    """``{"passed": n, "failed": n, ...}`` with every outcome present, in a fixed order."""
    counts = Counter(test.outcome for test in tests)
    return {outcome.value: counts.get(outcome, 0) for outcome in Outcome}


def finished(run: RunResult) -> str:
    """The end time, ISO 8601 UTC, from ``started`` and ``duration`` (``started`` itself if it is unreadable)."""
    try:
        start = datetime.strptime(run.started, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return run.started
    return (start + timedelta(seconds=run.duration)).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- certification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiVerdict:
    """One api-ref group's certification."""

    api: str
    status: str
    """``conformant``, ``not conformant``, ``incomplete`` or ``not exercised``."""
    counts: dict[str, int]
    operations: tuple[str, ...]
    why: str
    """One sentence a reader can check: what made the status."""


def certify(run: RunResult) -> list[ApiVerdict]:
    """Per api-ref group the run's suites target:

    * **not conformant** when a test failed (an unwaived finding, or a test that broke);
    * **incomplete** when none failed but some were inconclusive or could not run (error);
    * **conformant** when every test that ran passed (waived findings allowed: each waiver is
      reviewed and listed);
    * **not exercised** when no test ran (all skipped).

    A skipped or inconclusive test never counts as passed.
    """
    by_api: dict[str, list[TestResult]] = {api: [] for api in run.apis}
    for test in run.tests:
        by_api.setdefault(test.api or NO_API, []).append(test)
    verdicts = []
    for api, tests in by_api.items():
        counts = outcome_counts(tests)
        operations = tuple(sorted({test.operation for test in tests if test.operation}))
        unexercised = _unexercised(counts)
        if counts["failed"]:
            status = NOT_CONFORMANT
            why = f"{counts['failed']} of {len(tests)} tests failed"
            if counts["inconclusive"] or counts["error"]:
                why += "; " + unexercised
        elif counts["inconclusive"] or counts["error"]:
            status = INCOMPLETE
            why = unexercised
        elif counts["passed"] or counts["waived"]:
            status = CONFORMANT
            why = f"{counts['passed'] + counts['waived']} of {len(tests)} tests passed"
            if counts["waived"]:
                why += f", {counts['waived']} of them with waived findings"
            if counts["skipped"]:
                why += f"; {counts['skipped']} not exercised (skipped)"
        else:
            status = NOT_EXERCISED
            why = f"no test ran ({counts['skipped']} skipped)" if tests else "no test reached it"
        verdicts.append(ApiVerdict(api, status, counts, operations, why))
    return verdicts


def _unexercised(counts: dict[str, int]) -> str:
    parts = []
    if counts["inconclusive"]:
        parts.append(f"{counts['inconclusive']} inconclusive (the target could not be brought to the test)")
    if counts["error"]:
        parts.append(f"{counts['error']} could not run (error)")
    return ", ".join(parts)


def overall(verdicts: list[ApiVerdict], complete: bool) -> str:
    """The run's verdict: conformant only when no group failed or is incomplete, the run ran everything it
    collected, and something ran. The certificate states the scope beside it (:func:`scope_statement`)."""
    statuses = {verdict.status for verdict in verdicts}
    if NOT_CONFORMANT in statuses:
        return NOT_CONFORMANT
    if not complete or INCOMPLETE in statuses:
        return INCOMPLETE
    if CONFORMANT in statuses:
        return CONFORMANT
    return NOT_EXERCISED


def certificate_verdict(run: RunResult) -> str:
    """The verdict certification.json, the console and the exit code give for ``run``."""
    return overall(certify(run), run.complete)


def scope_statement(run: RunResult) -> str:
    """What the verdict covers, counted against the whole api-ref: ``7 of 203 operations (3 of 65 API groups)
    of the compute api-ref nova==34.0.0``."""
    operations = run.coverage.get("operations") if run.coverage else None
    origin = run.spec.get("origin") or "the api-ref"
    service = run.spec.get("service") or ""
    of = f"of the {service} api-ref {origin}".replace("  ", " ") if service else f"of {origin}"
    if not operations:
        return f"unknown: the run did not measure coverage {of}"
    text = f"{operations['exercised']} of {operations['total']} operations"
    groups = run.coverage.get("api_groups")
    if groups:
        text += f" ({groups['exercised']} of {groups['total']} API groups)"
    text = f"{text} {of}"
    partly = operations.get("partly")
    if partly:
        text += f"; {len(partly)} of them with tests left out, not yet settled with the real service (listed)"
    return text


# -- the matrix ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """The tests of one operation at one microversion."""

    outcome: Outcome
    """The worst outcome among them."""
    counts: dict[str, int]
    nodeids: tuple[str, ...]


@dataclass(frozen=True)
class Matrix:
    """Operations (rows) by microversion (columns)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]


def _version_key(text: str) -> tuple[int, int, int, str]:
    match = re.fullmatch(r"(\d+)\.(\d+)", text)
    if match:
        return (0, int(match.group(1)), int(match.group(2)), "")
    return (1 if text == NO_VERSION else 2, 0, 0, text)


def matrix(run: RunResult) -> Matrix:
    """Every test that names an operation, placed by operation and microversion."""
    grouped: dict[tuple[str, str], list[TestResult]] = defaultdict(list)
    for test in run.tests:
        if test.operation:
            grouped[(test.operation, test.microversion or NO_VERSION)].append(test)
    cells = {}
    for key, tests in grouped.items():
        present = {test.outcome for test in tests}
        worst = next(outcome for outcome in _PRECEDENCE if outcome in present)
        cells[key] = Cell(worst, outcome_counts(tests), tuple(test.nodeid for test in tests))
    rows = tuple(sorted({operation for operation, _ in grouped}, key=_operation_key))
    columns = tuple(sorted({version for _, version in grouped}, key=_version_key))
    return Matrix(rows, columns, cells)


def _operation_key(operation: str) -> tuple[str, int, str]:
    method, _, rest = operation.partition(" ")
    order = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4}
    return (rest, order.get(method, 9), method)


_SEVERITY = {"critical": 0, "high": 1, "medium": 2, "low": 3}


# -- findings and skips -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingGroup:
    """One finding (by its dedup key) and every test that found it."""

    finding: Finding
    nodeids: tuple[str, ...]
    microversions: tuple[str, ...]


def group_findings(run: RunResult, waived: bool) -> dict[str, list[FindingGroup]]:
    """Findings by operation, de-duplicated by check and title; waived ones or the others."""
    seen: dict[tuple[str, str], tuple[Finding, list[str], list[str]]] = {}
    for test in run.tests:
        for finding in test.findings:
            if bool(finding.waiver) != waived:
                continue
            key = (finding.operation, f"{finding.check}\0{finding.title}")
            _, nodeids, versions = seen.setdefault(key, (finding, [], []))
            if test.nodeid not in nodeids:
                nodeids.append(test.nodeid)
            version = finding.microversion or NO_VERSION
            if version not in versions:
                versions.append(version)
    groups: dict[str, list[FindingGroup]] = defaultdict(list)
    for (operation, _), (finding, nodeids, versions) in seen.items():
        groups[operation].append(FindingGroup(finding, tuple(nodeids), tuple(sorted(versions, key=_version_key))))
    def rank(group: FindingGroup) -> tuple[int, str]:
        return (_SEVERITY.get(group.finding.severity.value, 9), group.finding.check)

    ordered = {operation: sorted(found, key=rank) for operation, found in groups.items()}
    # The operation with the worst finding first, so a 5xx or a security hole is what the reader sees first.
    return dict(sorted(ordered.items(), key=lambda item: (rank(item[1][0])[0], _operation_key(item[0]))))


def skipped_by_reason(run: RunResult, outcome: Outcome = Outcome.SKIPPED) -> list[tuple[str, list[TestResult]]]:
    """Tests of one outcome (skipped, or error) grouped by their reason, the largest group first."""
    groups: dict[str, list[TestResult]] = defaultdict(list)
    for test in run.tests:
        if test.outcome is outcome:
            groups[test.reason or "(no reason given)"].append(test)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


# -- secrets ------------------------------------------------------------------------------------------------------


def _redact_exchange(exchange: Exchange) -> Exchange:
    request_headers = redact_headers(exchange.request.headers)
    response_headers = redact_headers(exchange.response.headers)
    if request_headers == exchange.request.headers and response_headers == exchange.response.headers:
        return exchange
    return Exchange(Request(exchange.request.method, exchange.request.url, request_headers, exchange.request.body,
                            exchange.request.role),
                    Response(exchange.response.status, response_headers, exchange.response.body,
                             exchange.response.elapsed))


def redacted(run: RunResult) -> RunResult:
    """The run with every exchange's secret headers masked again (the exchanges should have been already).

    Returns ``run`` itself when nothing needed masking, so its digest is unchanged.
    """
    def finding(item: Finding) -> Finding:
        exchange = _redact_exchange(item.exchange) if item.exchange is not None else None
        return item if exchange is item.exchange else replace(item, exchange=exchange)

    tests = []
    for test in run.tests:
        findings = tuple(finding(item) for item in test.findings)
        same = all(new is old for new, old in zip(findings, test.findings, strict=True))
        tests.append(test if same else replace(test, findings=findings))
    if all(new is old for new, old in zip(tests, run.tests, strict=True)):
        return run
    return replace(run, tests=tuple(tests))
