"""The few lines the console prints at the end of a run."""

from __future__ import annotations

from pathlib import Path

from conformance.report.views import certify, outcome_counts, overall, scope_statement
from conformance.results import RunResult

__all__ = ["summary_lines"]


def summary_lines(run: RunResult, report: Path | None = None) -> list[str]:
    """Counts by outcome, the certification per API, and where the report is.

    >>> summary_lines(RunResult("http://nova:8774/v2.1", None, "0.1.0", {}, "2026-11-25T09:00:00Z", 1.0))[0]
    'conformance: 0 tests in 1.0 s against http://nova:8774/v2.1'
    """
    counts = outcome_counts(run.tests)
    verdicts = certify(run)
    lines = [f"conformance: {len(run.tests)} tests in {run.duration:.1f} s against {run.target}"
             + ("" if run.complete else " (not every collected test ran)"),
             "  " + (", ".join(f"{count} {name}" for name, count in counts.items() if count or name == "failed")
                     if run.tests else "no tests ran")]
    findings = sum(1 for test in run.tests for finding in test.findings if not finding.waiver)
    if findings:
        lines[-1] += f"; {findings} findings"
    width = max((len(verdict.api) for verdict in verdicts), default=0)
    lines.extend(f"  {verdict.api:<{width}}  {verdict.status.upper()}  ({verdict.why})" for verdict in verdicts)
    lines.append(f"  certification: {overall(verdicts, run.complete).upper()}")
    lines.append(f"  scope: {scope_statement(run)}")
    stale = [waiver.id for waiver in run.waivers if waiver.stale]
    if run.waivers:
        lines.append(f"  waivers: {len(run.waivers)} from {', '.join(run.waiver_files)}"
                     + (f"; stale (covered nothing): {', '.join(stale)}" if stale else ""))
    if report is not None:
        lines.append(f"  report: {report}")
    return lines
