"""report.html: what a reader sees, parsed back with html.parser; and the console summary."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conformance.report import render_html, summary_lines
from conformance.report.views import certify, matrix
from conformance.results import Outcome

from .runs import FORCE, HOSTILE, LIST, OS_LIST, SHOW, TOKEN, large_run, small_run


class Page(HTMLParser):
    """The tags, the matrix cells (by their data attributes) and the visible text of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: dict[tuple[str, str], str] = {}
        self.text: list[str] = []
        self._script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        self._script = tag in ("script", "style")
        if tag == "td" and found.get("data-outcome"):
            self.cells[(str(found["data-op"]), str(found["data-v"]))] = str(found["data-outcome"])

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if not self._script:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(small_run())


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


def test_header_names_target_versions_suite_spec_and_times(page: Page) -> None:
    text = page.visible
    for expected in ("http://127.0.0.1:8774/v2.1", "2.1 \u2013 2.96", "conformance 0.1.0", "nova 34.0.0", "ab" * 32,
                     "2026-11-25 09:30:00 UTC", "2026-11-25 09:31:15 UTC", "1 min 16 s"):
        assert expected in text, expected


def test_certification_comes_first(page: Page, html: str) -> None:
    text = page.visible
    sections = [html.index(f'<section id="{name}">') for name in ("certification", "matrix", "findings", "waived")]
    assert sections == sorted(sections)
    assert "Not conformant 0 of 4 API groups in scope conformant" in text
    assert "Scope: 5 of 6 operations of nova==34.0.0" in text
    assert "Servers - run an action (servers, action)" in text and "not exercised" in text


def test_matrix_cells(page: Page) -> None:
    assert page.cells[(LIST, "2.23")] == "passed"
    assert page.cells[(LIST, "2.59")] == "failed"
    assert page.cells[(SHOW, "2.24")] == "failed"
    assert page.cells[(FORCE, "2.65")] == "skipped"
    assert page.cells[(OS_LIST, "2.23")] == "waived"
    assert page.cells[(OS_LIST, "none")] == "skipped"
    assert page.cells[("GET /", "latest")] == "error"
    assert (LIST, "2.80") not in page.cells
    legend = page.visible
    assert all(word in legend for word in ("passed", "failed", "waived", "skipped"))


def test_a_failed_cell_links_to_its_findings(html: str) -> None:
    anchors = set(re.findall(r'id="(op-[^"]+)"', html))
    links = set(re.findall(r'href="#(op-[^"]+)"', html))
    assert links and links <= anchors


def test_finding_shows_check_source_quote_exchange_and_curl(page: Page, html: str) -> None:
    text = page.visible
    assert "CV-0204" in text and "`migrations[0].uuid` is missing" in text
    assert "api-ref parameters.yaml:4871" in text
    assert "\u201cThe UUID of the migration. New in version 2.59\u201d" in text
    assert "GET http://127.0.0.1:8774/v2.1/servers/7a8c1e3f-2b47-4b8e-9f0d-3c5e6a1b2d4f/migrations" in text
    assert "HTTP 200" in text and "X-OpenStack-Request-Id: req-5d1c2f0e" in text
    assert ("curl -i -X GET -H \"X-Auth-Token: $OS_TOKEN\" -H 'Accept: application/json' "
            "-H 'OpenStack-API-Version: compute 2.59'") in unescape(html)


def test_findings_are_grouped_by_operation_worst_first(page: Page) -> None:
    text = page.visible
    findings = text[text.index("Each finding:"):text.index("Waived findings")]
    assert findings.index("500 Internal Server Error") < findings.index("is missing") < findings.index("undocumented")


def test_hostile_text_is_escaped(html: str, page: Page) -> None:
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in html
    assert HOSTILE in page.visible  # shown as text
    assert [tag for tag, _ in page.tags].count("script") == 1  # only the report's own


def test_no_token_value_anywhere(html: str) -> None:
    assert TOKEN not in html
    assert "X-Auth-Token: ***" in html


def test_large_bodies_are_folded(html: str) -> None:
    folded = re.search(r'<details class="body"><summary>Body: ([^<]+)</summary>', html)
    assert folded is not None and "KiB" in folded.group(1)
    assert "x" * 5000 in html[folded.end():]


def test_waived_findings_stand_apart_with_their_reason(page: Page) -> None:
    text = page.visible
    waived = text[text.index("Waived findings"):]
    assert "W-0001: the api-ref documents a string" in waived
    assert "`migrations[0].dest_host` is null" in waived
    assert "`migrations[0].dest_host` is null" not in text[:text.index("Waived findings")].split("Matrix")[-1]


def test_skipped_and_errored_tests_with_reasons(page: Page) -> None:
    text = page.visible
    skipped = text[text.index("Skipped tests"):]
    assert "needs --allow-destructive 2 tests" in skipped and "no --member-token given 1 test" in skipped
    assert "TargetError: connection refused" in text[text.index("Tests that could not run"):]


def test_coverage(page: Page) -> None:
    text = page.visible
    coverage = text[text.index("What the whole api-ref documents"):]
    assert "operations 5 of 6" in coverage and "microversion boundaries 8 of 14" in coverage
    assert "2.79/2.80" in coverage


def test_self_contained(page: Page, html: str) -> None:
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert not value or value.startswith("#"), f"<{tag} {name}={value!r}> loads something"
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html


def test_interrupted_run_says_so() -> None:
    assert "did not run every test it collected" in render_html(small_run(complete=False))
    assert "did not run every test it collected" not in render_html(small_run())


def test_empty_run_renders() -> None:
    text = Page(render_html(replace(small_run(), tests=(), coverage={}, apis=()))).visible
    assert "No test named an operation." in text and "This run recorded no coverage." in text


def test_matrix_puts_the_worst_outcome_in_a_cell() -> None:
    run = small_run()
    extra = replace(run.tests[0], nodeid=run.tests[0].nodeid + "-again", outcome=Outcome.FAILED)
    grid = matrix(replace(run, tests=(*run.tests, extra)))
    cell = grid.cells[(LIST, "2.23")]
    assert cell.outcome is Outcome.FAILED and cell.counts["passed"] == 1 and cell.counts["failed"] == 1
    assert grid.columns == ("2.23", "2.24", "2.59", "2.65", "2.80", "none", "latest")


def test_a_skipped_api_is_not_exercised_never_conformant() -> None:
    run = small_run()
    tests = tuple(replace(t, outcome=Outcome.SKIPPED, findings=(), reason="no") for t in run.tests)
    assert {v.status for v in certify(replace(run, tests=tests))} == {"not exercised"}


def test_summary_lines() -> None:
    lines = summary_lines(small_run(), Path("reports/report.html"))
    assert lines[0] == "conformance: 10 tests in 75.5 s against http://127.0.0.1:8774/v2.1"
    assert lines[1] == "  2 passed, 3 failed, 1 waived, 3 skipped, 1 error; 3 findings"
    assert any("Migrations (os-migrations)" in line and "NOT CONFORMANT" in line for line in lines)
    assert lines[-3:] == ["  certification: NOT CONFORMANT", "  scope: 5 of 6 operations of nova==34.0.0",
                          "  report: reports/report.html"]
    assert len(lines) <= 11


def test_large_run_stays_small() -> None:
    run = large_run()
    text = render_html(run)
    assert len(run.tests) == 300 and sum(len(t.findings) for t in run.tests) == 20
    assert len(text.encode()) < 1_000_000


def test_summary_of_a_run_where_nothing_ran() -> None:
    lines = summary_lines(replace(small_run(), tests=(), apis=()))
    assert lines[1] == "  no tests ran" and lines[-2:] == ["  certification: NOT EXERCISED",
                                                          "  scope: 5 of 6 operations of nova==34.0.0"]


def test_every_string_of_the_run_is_escaped() -> None:
    run = small_run()
    evil = replace(
        run.tests[1], nodeid=f"t.py::x[{HOSTILE}]", operation=f"GET /{HOSTILE}", api=HOSTILE, microversion=HOSTILE,
        reason=HOSTILE, findings=tuple(replace(f, operation=HOSTILE, source=HOSTILE, check=HOSTILE, waiver=HOSTILE)
                                       for f in run.tests[1].findings))
    skipped = replace(run.tests[3], reason=HOSTILE)
    run = replace(run, target=HOSTILE, spec={"origin": HOSTILE, "sha256": HOSTILE}, options={"x": HOSTILE},
                  coverage={HOSTILE: {"exercised": 1, "total": 2, "missing": [HOSTILE]}},
                  tests=(evil, skipped), target_versions=(HOSTILE, HOSTILE), apis=(HOSTILE,))
    html = render_html(run)
    assert "<script>alert" not in html
    assert html.count("<script>") == 1
    assert Page(html).visible.count(HOSTILE) > 10


def test_a_body_nested_too_deeply_to_parse_is_shown_as_it_came() -> None:
    """A hostile target's answer never breaks the report (seen: the selftest fault list-deeply-nested)."""
    run = small_run()
    deep = "[" * 100_000 + "]" * 100_000
    finding = replace(run.tests[1].findings[0], exchange=replace(
        run.tests[1].findings[0].exchange, response=replace(run.tests[1].findings[0].exchange.response,
                                                            body=deep.encode())))
    text = render_html(replace(run, tests=(replace(run.tests[1], findings=(finding,)),)))
    assert "[[[[" in text
