"""One certificate for several services certified in one run (``conformance run`` on nova-box: compute and
placement), from each service's own reports.

    reports/<timestamp>/compute/    results.json, certification.json, junit.xml, report.html (compute's run)
    reports/<timestamp>/placement/  the same, for placement's run
    reports/<timestamp>/certification.json   a verdict per service and overall, each service's summary as written
    reports/<timestamp>/report.html          a card and a matrix per service, linking to each full report

The overall verdict follows the rule of one service's groups: not conformant when a service is, else incomplete
when one is incomplete (or not exercised, or has no certificate: its run did not finish), else conformant. Each
service's summary is kept whole, with the digest of its own results.json, so ``conformance report
<service>/results.json --verify <service>/certification.json`` still checks every claim.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from conformance.report._atomic import write_atomic
from conformance.report.views import CONFORMANT, INCOMPLETE, NOT_CONFORMANT, NOT_EXERCISED

__all__ = ["COMBINED_VERSION", "combined_certification", "combined_verdict", "write_combined"]

COMBINED_VERSION = "1.0"
"""The format of the combined certification.json (``services``, ``verdict``)."""


def combined_verdict(verdicts: Sequence[str]) -> str:
    """The overall verdict of the services' verdicts (a missing certificate counts as incomplete)."""
    if not verdicts:
        return NOT_EXERCISED
    if NOT_CONFORMANT in verdicts:
        return NOT_CONFORMANT
    if all(verdict == CONFORMANT for verdict in verdicts):
        return CONFORMANT
    return INCOMPLETE


def _summary(directory: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((directory / "certification.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "verdict" in data else None


def combined_certification(directory: Path, services: Sequence[str]) -> dict[str, Any]:
    """The combined summary of the services whose reports are in ``directory/<service>/``."""
    entries: dict[str, Any] = {}
    for service in services:
        summary = _summary(directory / service)
        if summary is None:
            entries[service] = {"verdict": INCOMPLETE, "why": f"{service}/certification.json is missing: the run of "
                                "this service did not finish", "report": None}
            continue
        entries[service] = {"verdict": summary["verdict"], "report": f"{service}/report.html",
                            "certification": f"{service}/certification.json", "summary": summary}
    return {"certification": COMBINED_VERSION, "verdict": combined_verdict([e["verdict"] for e in entries.values()]),
            "services": entries}


def write_combined(directory: Path, services: Sequence[str]) -> tuple[Path, Path, dict[str, Any]]:
    """Write the combined certification.json and report.html into ``directory``; their paths and the summary."""
    summary = combined_certification(directory, services)
    certification = write_atomic(directory / "certification.json", json.dumps(summary, indent=1) + "\n")
    page = write_atomic(directory / "report.html", render_combined(summary))
    return certification, page, summary


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
.card{border:1px solid #ccc;border-radius:6px;padding:1em 1.5em;margin:1em 0}
.verdict{font-weight:bold;text-transform:uppercase}
.conformant{color:#17692e}.not-conformant{color:#b00020}.incomplete,.not-exercised{color:#8a5a00}
table{border-collapse:collapse;margin-top:.5em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}
"""


def render_combined(summary: dict[str, Any]) -> str:
    """The page: the overall verdict, then a card per service (verdict, scope, tests) with its matrix of API
    groups and a link to the service's full report."""
    verdict = str(summary["verdict"])
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>conformance: "
             f"{escape(verdict)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>Certification: <span class='verdict {_css(verdict)}'>{escape(verdict)}</span></h1>",
             f"<p>{len(summary['services'])} services certified in one run; each card links to the service's full "
             "report (every test, finding and exchange).</p>"]
    for service, entry in summary["services"].items():
        parts.append(_card(service, entry))
    parts.append("</body></html>\n")
    return "".join(parts)


def _card(service: str, entry: dict[str, Any]) -> str:
    verdict = str(entry["verdict"])
    head = (f"<div class='card' id='{escape(service)}'><h2>{escape(service)}: <span class='verdict "
            f"{_css(verdict)}'>{escape(verdict)}</span></h2>")
    summary = entry.get("summary")
    if summary is None:
        return head + f"<p>{escape(str(entry.get('why', '')))}</p></div>"
    tests = summary.get("tests") or {}
    counts = ", ".join(f"{escape(str(n))} {escape(str(k))}" for k, n in tests.items() if n)
    rows = "".join(
        f"<tr><td>{escape(str(api.get('api')))}</td><td class='{_css(str(api.get('status')))}'>"
        f"{escape(str(api.get('status')))}</td><td>{escape(_counts(api.get('tests')))}</td></tr>"
        for api in summary.get("apis", ()))
    scope = (summary.get("scope") or {}).get("statement", "")
    return (head + f"<p>scope: {escape(str(scope))}</p><p>tests: {counts or 'none'}</p>"
            f"<p>target: {escape(str(summary.get('target')))} &middot; contract: "
            f"{escape(str((summary.get('spec') or {}).get('origin')))}</p>"
            f"<table><tr><th>API group</th><th>verdict</th><th>tests</th></tr>{rows}</table>"
            f"<p><a href='{escape(str(entry['report']))}'>full {escape(service)} report</a> &middot; "
            f"<a href='{escape(str(entry['certification']))}'>certification.json</a></p></div>")


def _counts(tests: Any) -> str:
    if not isinstance(tests, dict):
        return ""
    return ", ".join(f"{n} {k}" for k, n in tests.items() if n)


def _css(verdict: str) -> str:
    return verdict.replace(" ", "-")
