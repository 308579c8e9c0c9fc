"""Reports of a conformance run: results.json, junit.xml, certification.json and report.html.

    >>> paths = write_reports(run, Path("reports"))      # doctest: +SKIP
    >>> print("\\n".join(summary_lines(run, paths.html)))  # doctest: +SKIP

:func:`write_reports` can be called again and again during a run: each file is
replaced atomically, so an interrupted run leaves a valid report of what ran.
``conformance report RESULTS.json`` (:func:`main_report`) renders the HTML again
from the JSON.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError, InputError
from conformance.report._atomic import write_atomic
from conformance.report.certification import certification, dumps_certification, verify_certification
from conformance.report.coverage import measure_coverage
from conformance.report.html import render_html
from conformance.report.junit import junit_xml
from conformance.report.results_file import dumps_results, load_results, schema, validate_results
from conformance.report.summary import summary_lines
from conformance.report.views import redacted
from conformance.results import RunResult, results_digest

__all__ = [
    "ReportPaths",
    "certification",
    "junit_xml",
    "load_results",
    "main_report",
    "measure_coverage",
    "render_html",
    "schema",
    "summary_lines",
    "validate_results",
    "verify_certification",
    "write_reports",
]


def _load_certification(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"not JSON: {error}", path) from None
    if not isinstance(data, dict) or "certification" not in data:
        raise InputError("not a certification summary (no 'certification' key)", path)
    return data


@dataclass(frozen=True)
class ReportPaths:
    """Where :func:`write_reports` wrote each file."""

    results: Path
    junit: Path
    certification: Path
    html: Path
    digest: str
    """The results digest the certification and the page name."""


def write_reports(run: RunResult, directory: Path) -> ReportPaths:
    """Write results.json, junit.xml, certification.json and report.html into ``directory``.

    Secret headers are masked again on the way (they should have been already).
    Every file is rendered before any is written, and each replaces the old one
    atomically: if rendering raises, the previous reports stay as they were.
    Raises OSError when the directory cannot be written.
    """
    directory = Path(directory)
    run = redacted(run)
    digest = run.digest()
    texts = {"results.json": dumps_results(run), "junit.xml": junit_xml(run, digest),
             "certification.json": dumps_certification(run, digest), "report.html": render_html(run, digest)}
    paths = {name: write_atomic(directory / name, text) for name, text in texts.items()}
    return ReportPaths(results=paths["results.json"], junit=paths["junit.xml"],
                       certification=paths["certification.json"], html=paths["report.html"], digest=digest)


def main_report(results_json: Path, output: Path | None = None, verify: Path | None = None) -> int:
    """``conformance report RESULTS.json [-o report.html] [--verify certification.json]``.

    Renders report.html again from results.json (next to the JSON unless
    ``output`` is given) and prints the summary. With ``verify``, renders
    nothing: checks that the certification summary matches the results (its
    digest, verdicts and counts). Returns 0; 1 when the summary does not match;
    2 (with the reason on stderr) when a file is missing or not what it should be.
    """
    results_json = Path(results_json)
    try:
        run, data = load_results(results_json)
        summary = _load_certification(Path(verify)) if verify is not None else None
    except ConformanceError as error:
        print(f"conformance: error: {error}", file=sys.stderr)
        return 2
    if summary is not None:
        problems = verify_certification(summary, data)
        for problem in problems:
            print(f"{verify}: {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"{verify} matches {results_json} (sha256 {results_digest(data)})")
        return 0
    target = Path(output) if output is not None else results_json.with_name("report.html")
    try:
        write_atomic(target, render_html(redacted(run), results_digest(data)))
    except OSError as error:
        print(f"conformance: error: {target}: {error.strerror or error}", file=sys.stderr)
        return 2
    for line in summary_lines(run, target):
        print(line)
    return 0
