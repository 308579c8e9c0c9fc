"""report.html: one self-contained page a newcomer reads at a glance.

Top to bottom: who was tested against what; the certification and its scope;
the matrix of operations by microversion; the findings by operation (each with
its api-ref words, the exchange and the curl); waived findings and the waivers
in use; inconclusive tests (with the last exchange); tests that could not run;
skipped tests; coverage; every test. Everything from the run is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from conformance.report._assets import CSS, JS
from conformance.report._exchange import finding_html
from conformance.report.views import (
    NO_VERSION,
    FindingGroup,
    certify,
    finished,
    group_findings,
    matrix,
    outcome_counts,
    overall,
    scope_statement,
    skipped_by_reason,
)
from conformance.results import Outcome, RunResult

__all__ = ["render_html"]

_GLYPH = {"passed": "\u2713", "failed": "\u2717", "waived": "W", "skipped": "\u2013", "inconclusive": "?",
          "error": "!"}
_LABEL = {"passed": "passed", "failed": "failed", "waived": "passed with waived findings",
          "skipped": "skipped (not exercised)", "inconclusive": "inconclusive (not exercised)",
          "error": "could not run"}


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _path(operation: str) -> str:
    """An operation, escaped, that may wrap after each slash."""
    return _e(operation).replace("/", "/<wbr>")


def _slug(text: str) -> str:
    return "op-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _when(stamp: str) -> str:
    return stamp.replace("T", " ").replace("Z", " UTC")


def _spec(spec: Mapping[str, Any]) -> tuple[str, str]:
    """(package and version, sha256) of the api-ref source, from what the run recorded."""
    origin = str(spec.get("origin", ""))
    package, version = spec.get("package"), spec.get("version")
    if not package and "==" in origin:
        package, _, version = origin.partition("==")
    name = f"{package} {version}".strip() if package else origin or "unknown"
    return name, str(spec.get("sha256", "") or "not recorded")


def _header(run: RunResult) -> str:
    versions = (f"{run.target_versions[0]} \u2013 {run.target_versions[1]}" if run.target_versions
                else "not discovered")
    spec_name, sha = _spec(run.spec)
    options = ", ".join(f"{key}={value}" for key, value in run.options.items() if value not in (None, "", False))
    items = [("Microversions advertised", _e(versions)), ("Suite", f"conformance {_e(run.suite_version)}"),
             ("Spec (api-ref)", _e(spec_name)), ("Spec sha256", f"<code>{_e(sha)}</code>"),
             ("Started", _e(_when(run.started))), ("Finished", _e(_when(finished(run)))),
             ("Duration", _e(_duration(run.duration)))]
    if options:
        items.append(("Options", f"<code>{_e(options)}</code>"))
    meta = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in items)
    banner = ("" if run.complete else '<div class="banner">This run did not run every test it collected '
              f"(interrupted, stopped early or a subset selected): the report shows the {len(run.tests)} tests "
              "that ran, and the certificate is incomplete.</div>")
    return (f'<header class="top"><div class="inner"><h1>OpenStack API conformance report</h1>'
            f'<div class="target">{_e(run.target or "(no target)")}</div>'
            f'<dl class="meta">{meta}</dl>{banner}</div></header>')


def _nav(entries: list[tuple[str, str, int | None]]) -> str:
    links = "".join(f'<a href="#{anchor}">{_e(name)}'
                    + (f' <span class="n">({count})</span>' if count is not None else "") + "</a>"
                    for anchor, name, count in entries)
    return f'<nav class="toc"><div class="inner">{links}</div></nav>'


def _certification(run: RunResult, digest: str) -> str:
    verdicts = certify(run)
    verdict = overall(verdicts, run.complete)
    conformant = sum(1 for v in verdicts if v.status == "conformant")
    cards = "".join(
        f'<div class="api st-{_e(v.status.replace(" ", "-"))}"><div class="status">{_e(v.status)}</div>'
        f'<div class="name">{_e(v.api)}</div><div class="why">{_e(v.why)}</div>'
        + (f'<ul class="ops">{"".join(f"<li>{_path(op)}</li>" for op in v.operations)}</ul>' if v.operations else "")
        + "</div>" for v in verdicts)
    counts = outcome_counts(run.tests)
    total = max(len(run.tests), 1)
    bar = "".join(f'<span class="sw-{name}" style="width:{100 * count / total:.3f}%" title="{count} {name}"></span>'
                  for name, count in counts.items() if count)
    legend = "".join(f'<span><span class="pill o-{name}">{_GLYPH[name]} {count}</span> {_e(_LABEL[name])}</span>'
                     for name, count in counts.items())
    return (f'<section id="certification"><h2>Certification</h2>'
            f'<div class="verdict"><span class="big st-{_e(verdict.replace(" ", "-"))}">{_e(verdict.capitalize())}'
            f'</span><span>{conformant} of {len(verdicts)} API groups in scope conformant; {len(run.tests)} tests, '
            f"{sum(t.requests for t in run.tests)} requests</span></div>"
            f'<p class="scope"><strong>Scope:</strong> {_e(scope_statement(run))}. What was not exercised is listed '
            'under <a href="#coverage">Coverage</a>, with the reason.</p>'
            f'<div class="apis">{cards}</div><div class="bar">{bar}</div><div class="counts">{legend}</div>'
            f'<div class="digest">Results digest (sha256 of results.json in canonical form, named by '
            f"certification.json): <code>{_e(digest)}</code>. Check a published summary with "
            "<code>conformance report results.json --verify certification.json</code>.</div></section>")


def _legend() -> str:
    return '<div class="legend">' + "".join(
        f'<span><span class="pill o-{name}">{glyph}</span> {_e(_LABEL[name])}</span>'
        for name, glyph in _GLYPH.items()) + "<span>A cell shows the worst outcome of its tests.</span></div>"


def _matrix(run: RunResult, findings: Mapping[str, list[FindingGroup]]) -> str:
    grid = matrix(run)
    if not grid.rows:
        return ('<section id="matrix"><h2>Operations by microversion</h2>'
                '<p class="empty">No test named an operation.</p></section>')
    head = "".join(f'<th class="v" scope="col">{_e("no header" if c == NO_VERSION else c)}</th>' for c in grid.columns)
    body = []
    for row in grid.rows:
        cells = []
        for column in grid.columns:
            cell = grid.cells.get((row, column))
            if cell is None:
                cells.append('<td class="c"></td>')
                continue
            name = cell.outcome.value
            shown = sum(cell.counts.values())
            detail = ", ".join(f"{count} {outcome}" for outcome, count in cell.counts.items() if count)
            title = _e(f"{row} at {column}: {detail}")
            same = cell.counts[name]
            text = _GLYPH[name] + ("" if shown == 1 else f" {same}" if same == shown else f" {same}/{shown}")
            if cell.outcome in (Outcome.FAILED, Outcome.WAIVED) and row in findings:
                inner = f'<a class="o-{name}" href="#{_slug(row)}" title="{title}">{text}</a>'
            else:
                inner = f'<span class="o-{name}" title="{title}">{text}</span>'
            cells.append(f'<td class="c" data-op="{_e(row)}" data-v="{_e(column)}" data-outcome="{name}">{inner}</td>')
        body.append(f'<tr><td class="op">{_path(row)}</td>{"".join(cells)}</tr>')
    return (f'<section id="matrix"><h2>Operations by microversion</h2>{_legend()}'
            f'<div class="scroll"><table class="matrix"><thead><tr><th class="op" scope="col">Operation</th>{head}'
            f'</tr></thead><tbody>{"".join(body)}</tbody></table></div></section>')


def _findings(section: str, title: str, groups: Mapping[str, list[FindingGroup]], empty: str, intro: str) -> str:
    if not groups:
        return f'<section id="{section}"><h2>{_e(title)}</h2><p class="empty">{_e(empty)}</p></section>'
    parts = [f'<section id="{section}"><h2>{_e(title)}</h2><p class="muted">{_e(intro)}</p>']
    for operation, found in groups.items():
        anchor = f' id="{_slug(operation)}"' if section == "findings" else ""
        parts.append(f'<div class="op-group"{anchor}><h3><code>{_e(operation)}</code> '
                     f'<span class="muted small">{len(found)} finding{"s" if len(found) != 1 else ""}</span></h3>')
        parts.extend(finding_html(group) for group in found)
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def _by_reason(run: RunResult, outcome: Outcome, section: str, title: str, intro: str) -> str:
    groups = skipped_by_reason(run, outcome)
    if not groups:
        return ""
    rows = "".join(
        f'<tr><td>{_e(reason)}</td><td><details><summary>{len(tests)} test{"s" if len(tests) != 1 else ""}</summary>'
        '<ul class="tests-list">' + "".join(f"<li>{_e(test.nodeid)}</li>" for test in tests)
        + "</ul></details></td></tr>" for reason, tests in groups)
    return (f'<section id="{section}"><h2>{_e(title)}</h2><p class="muted">{_e(intro)}</p><div class="scroll">'
            f'<table class="reasons"><thead><tr><th>Reason</th><th>Tests</th></tr></thead><tbody>{rows}</tbody>'
            "</table></div></section>")


def _waivers(run: RunResult) -> str:
    if not run.waivers:
        files = ", ".join(run.waiver_files) or "none"
        return (f'<section id="waivers"><h2>Waivers in use</h2><p class="empty">No waivers (from {_e(files)}).</p>'
                "</section>")
    rows = "".join(
        f"<tr><td><code>{_e(w.id)}</code></td><td><code>{_e(w.check)}</code></td><td class=\"mono\">"
        f"{_e(w.operation)}</td><td>{_e(w.reason)}</td><td class=\"mono\">{_e(w.file)}</td><td>"
        + ('<span class="stale">stale: covered nothing</span>' if w.stale else str(w.covered)) + "</td></tr>"
        for w in run.waivers)
    return (f'<section id="waivers"><h2>Waivers in use</h2><p class="muted">From {_e(", ".join(run.waiver_files))}. '
            "A waiver covers findings of a known deviation; one that covered nothing is stale.</p>"
            '<div class="scroll"><table><thead><tr><th>Id</th><th>Check</th><th>Operation</th><th>Reason</th>'
            f"<th>File</th><th>Findings covered</th></tr></thead><tbody>{rows}</tbody></table></div></section>")


def _inconclusive(run: RunResult) -> str:
    tests = [test for test in run.tests if test.outcome is Outcome.INCONCLUSIVE]
    if not tests:
        return ""
    items = []
    for test in tests:
        last = ""
        if test.exchange is not None:
            request, response = test.exchange.request, test.exchange.response
            last = (f"<div class=\"mono small\">last exchange: {_e(request.method)} {_e(request.url)} \u2192 "
                    f"{response.status} {_e(response.text()[:300])}</div>")
        items.append(f"<li><code>{_e(test.nodeid)}</code>: {_e(test.reason or '')}{last}</li>")
    return ('<section id="inconclusive"><h2>Inconclusive tests</h2><p class="muted">The target could not be brought '
            "into the state these tests need, so they were not exercised: the certificate is incomplete until they "
            f'run.</p><ul class="tests-list">{"".join(items)}</ul></section>')


def _coverage(run: RunResult) -> str:
    if not run.coverage:
        return ('<section id="coverage"><h2>Coverage</h2><p class="empty">This run recorded no coverage.</p>'
                "</section>")
    rows = []
    for kind, data in run.coverage.items():
        if not isinstance(data, Mapping):
            continue
        exercised, total = int(data.get("exercised", 0)), int(data.get("total", 0))
        share = 100 * exercised / total if total else 0.0
        missing = list(data.get("missing", ()))
        reasons = data.get("reasons") or {}
        listed = ("" if not missing else f"<details><summary>{len(missing)} not exercised</summary>"
                  '<ul class="tests-list">' + "".join(
                      f"<li>{_e(item)}" + (f' <span class="muted">\u2014 {_e(reasons[item])}</span>'
                                           if item in reasons else "") + "</li>" for item in missing)
                  + "</ul></details>")
        partly = data.get("partly") or {}
        if partly:
            listed += (f"<details><summary>{len(partly)} exercised with tests left out</summary>"
                       '<ul class="tests-list">' + "".join(
                           f'<li>{_e(item)} <span class="muted">\u2014 {_e(why)}</span></li>'
                           for item, why in partly.items()) + "</ul></details>")
        rows.append(f"<tr><td>{_e(kind.replace('_', ' '))}</td><td>{exercised} of {total}</td>"
                    f'<td><span class="meter"><span style="width:{share:.1f}%"></span></span> {share:.0f}%</td>'
                    f"<td>{listed}</td></tr>")
    return ('<section id="coverage"><h2>Coverage</h2><p class="muted">What the whole api-ref documents, and how much '
            'of it this run exercised (skipped and inconclusive tests exercise nothing).</p>'
            '<div class="scroll"><table><thead><tr><th>Documented</th><th>Exercised</th>'
            f'<th></th><th>Not exercised</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></section>')


def _tests(run: RunResult) -> str:
    rows = "".join(
        f'<tr><td class="id">{_e(t.nodeid)}</td><td><span class="pill o-{t.outcome.value}">{t.outcome.value}</span>'
        f'</td><td class="mono">{_e(t.operation or "")}</td><td class="mono">{_e(t.microversion or "")}</td>'
        f"<td>{t.duration:.2f} s</td><td>{t.requests}</td><td>{_e(t.reason or '')}</td></tr>" for t in run.tests)
    return (f'<section id="tests"><h2>All tests</h2><details><summary>Show all {len(run.tests)} tests</summary>'
            '<input class="filter" id="test-filter" type="search" placeholder="Filter: words from the id, outcome, '
            'operation\u2026" aria-label="Filter tests"><div class="scroll"><table class="tests"><thead><tr>'
            "<th>Test</th><th>Outcome</th><th>Operation</th><th>Version</th><th>Time</th><th>Requests</th>"
            f"<th>Reason</th></tr></thead><tbody>{rows}</tbody></table></div></details></section>")


def render_html(run: RunResult, digest: str | None = None) -> str:
    """The whole report page (``digest`` is ``run.digest()``, passed in when already known)."""
    digest = digest or run.digest()
    failing = group_findings(run, waived=False)
    waived = group_findings(run, waived=True)
    counts = outcome_counts(run.tests)
    nav = [("certification", "Certification", None), ("matrix", "Matrix", None),
           ("findings", "Findings", sum(len(found) for found in failing.values())),
           ("waived", "Waived", sum(len(found) for found in waived.values()))]
    nav.append(("waivers", "Waivers", len(run.waivers)))
    if counts["inconclusive"]:
        nav.append(("inconclusive", "Inconclusive", counts["inconclusive"]))
    if counts["error"]:
        nav.append(("errors", "Could not run", counts["error"]))
    if counts["skipped"]:
        nav.append(("skipped", "Skipped", counts["skipped"]))
    nav += [("coverage", "Coverage", None), ("tests", "All tests", len(run.tests))]
    body = "".join([
        _header(run), _nav(nav), "<main>", _certification(run, digest), _matrix(run, failing),
        _findings("findings", "Findings", failing, "No findings: every exercised check passed.",
                  "Each finding: what the api-ref requires (quoted, with its file:line), what came back, the "
                  "request and response, and a curl that sends the request again."),
        _findings("waived", "Waived findings", waived, "No waived findings.",
                  "Disagreements with the api-ref that a reviewed waiver explains. They do not fail the "
                  "certification; each waiver is listed below with what it covered."),
        _waivers(run), _inconclusive(run),
        _by_reason(run, Outcome.ERROR, "errors", "Tests that could not run",
                   "The test itself stopped (setup failed, target unreachable): nothing was certified."),
        _by_reason(run, Outcome.SKIPPED, "skipped", "Skipped tests",
                   "Not exercised on this target, with the reason; never counted as passed."),
        _coverage(run), _tests(run),
        f'<footer>conformance {_e(run.suite_version)} \u00b7 results schema in results.json \u00b7 '
        f"digest <code>{_e(digest)}</code></footer></main>",
    ])
    title = f"Conformance: {run.target or 'report'}"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            f"style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}<script>{JS}</script></body></html>\n")
