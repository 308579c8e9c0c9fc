"""Waivers: loading a waiver file, what a waiver covers, and a bad file named at its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.checks import apply_waivers, load_waivers
from conformance.checks.waivers import Waiver
from conformance.errors import InputError
from conformance.results import Finding, Severity

ENTRY = """\
  - id: {id}
    check: {check}
    operation: "{operation}"
    title: "{title}"
    api-ref: parameters.yaml:4816
    nova: returns null while the destination has not reported an address
    reason: >-
      the api-ref documents a string,
      never null
    reviewed: 2026-11-25
"""


def _file(tmp_path: Path, *entries: str, header: str = "# reviewed waivers\nwaivers:\n") -> Path:
    path = tmp_path / "compute.yaml"
    path.write_text(header + "".join(entries), encoding="utf-8")
    return path


def _entry(id_: str = "W-0001", check: str = "CV-0204", operation: str = "*",
           title: str = "^`migrations\\\\[\\\\d+\\\\]\\\\.dest_host` is null") -> str:
    return ENTRY.format(id=id_, check=check, operation=operation, title=title)


def _finding(check: str = "CV-0204", title: str = "`migrations[0].dest_host` is null, documented as string",
             operation: str = "GET /os-migrations") -> Finding:
    return Finding(check=check, title=title, severity=Severity.HIGH, operation=operation, microversion="2.80",
                   received="None", documented="type string", source="os-migrations.inc:53")


def test_a_waiver_file_loads(tmp_path: Path) -> None:
    waivers = load_waivers(_file(tmp_path, _entry(), _entry("W-0002", "CV-0203", "GET /os-migrations", "links")))
    assert [w.id for w in waivers] == ["W-0001", "W-0002"]
    first = waivers[0]
    assert (first.check, first.operation, first.api_ref) == ("CV-0204", "*", "parameters.yaml:4816")
    assert first.title.pattern == "^`migrations\\[\\d+\\]\\.dest_host` is null"
    assert first.reason == "the api-ref documents a string, never null"
    assert first.reviewed == "2026-11-25"
    assert first.describe() == ("W-0001: the api-ref documents a string, never null (api-ref parameters.yaml:4816; "
                                "evidence: returns null while the destination has not reported an address; "
                                "reviewed 2026-11-25)")
    assert first.source == f"{tmp_path / 'compute.yaml'}:3" and waivers[1].source.endswith("compute.yaml:13")


def test_a_vendors_waiver_needs_no_api_ref_line(tmp_path: Path) -> None:
    """A vendor's waiver of its own deviation names the check and the reason; evidence is optional."""
    text = _entry().replace("    api-ref: parameters.yaml:4816\n", "").replace(
        "    nova: returns null while the destination has not reported an address\n", "")
    [waiver] = load_waivers(_file(tmp_path, text))
    assert waiver.api_ref == "" and waiver.nova == ""
    assert waiver.describe() == "W-0001: the api-ref documents a string, never null (reviewed 2026-11-25)"


@pytest.mark.parametrize("text", ["", "# nothing yet\n"])
def test_an_empty_file_has_no_waivers(tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_waivers(path) == ()


def test_the_shipped_compute_waiver_file_loads_and_waives_nothing() -> None:
    """Api-ref defects confirmed against Nova are errata of the contract (conformance/errata), not waivers:
    the file shipped for compute is the format's example, and a vendor brings its own with --waivers."""
    assert load_waivers() == ()
    assert load_waivers(service="no-such-service") == ()
    finding = _finding(title="`migrations[0].memory_total_bytes` is null, documented as integer")
    assert apply_waivers([finding], load_waivers())[0].waiver is None


@pytest.mark.parametrize(("finding", "covered"), [
    (_finding(), True),
    (_finding(operation="GET /servers/{server_id}/migrations"), True),  # operation "*"
    (_finding(title="`migrations[12].dest_host` is null, documented as string"), True),
    (_finding(check="CV-0201"), False),
    (_finding(title="`migrations[0].dest_host` is integer, documented as string"), False),
    (_finding(title="`migration.dest_host` is null"), False),
])
def test_what_a_waiver_covers(tmp_path: Path, finding: Finding, covered: bool) -> None:
    waiver, = load_waivers(_file(tmp_path, _entry()))
    assert waiver.covers(finding) is covered
    marked, = apply_waivers([finding], (waiver,))
    assert marked.waiver == (waiver.describe() if covered else None)
    assert marked.key == finding.key


def test_a_waiver_for_one_operation(tmp_path: Path) -> None:
    waiver, = load_waivers(_file(tmp_path, _entry(operation="GET /os-migrations")))
    assert waiver.covers(_finding())
    assert not waiver.covers(_finding(operation="GET /servers/{server_id}/migrations"))


def test_a_5xx_is_never_waived() -> None:
    waiver = Waiver("W-0009", "CV-0101", "*", re.compile(""), "x", "x", "x", "2026-11-25")
    assert not waiver.covers(_finding(check="CV-0101", title="server error 500"))


def test_apply_waivers_keeps_order_and_the_first_waiver(tmp_path: Path) -> None:
    waivers = load_waivers(_file(tmp_path, _entry("W-0001"), _entry("W-0002")))
    findings = [_finding(check="CV-0203", title="undocumented field `x`"), _finding()]
    marked = apply_waivers(findings, waivers)
    assert [f.title for f in marked] == [f.title for f in findings]
    assert marked[0].waiver is None
    assert marked[1].waiver is not None and marked[1].waiver.startswith("W-0001: ")
    assert findings[1].waiver is None, "the findings themselves are not changed"


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as raised:
        load_waivers(path)
    return raised.value


@pytest.mark.parametrize(("entries", "line", "reason"), [
    ((_entry(), _entry("W-0002", check="CV-0101")), 13,
     "waiver W-0002 tries to waive CV-0101: a 5xx is never waived"),
    ((_entry(), _entry()), 13, "duplicate waiver id W-0001"),
    ((_entry(title="(unclosed"),), 3, "waiver W-0001: bad title pattern: missing ), unterminated subpattern"),
    ((_entry(), _entry().replace("    reviewed: 2026-11-25\n", "")), 13, "waiver W-0001 lacks reviewed"),
    ((_entry().replace("    nova: returns null while the destination has not reported an address\n", "")
      .replace("    check: CV-0204\n", "")
      .replace("    reason: >-\n      the api-ref documents a string,\n      never null\n", ""),),
     3, "waiver W-0001 lacks check, reason"),
    ((_entry(), "  - just a string\n"), 13, "a waiver must be a mapping"),
])
def test_a_bad_entry_is_named_by_file_and_line(tmp_path: Path, entries: tuple[str, ...], line: int,
                                               reason: str) -> None:
    path = _file(tmp_path, *entries)
    assert path.read_text(encoding="utf-8").splitlines()[line - 1].startswith("  - ")
    error = _error(path)
    assert (error.path, error.line) == (str(path), line)
    assert error.reason.startswith(reason)
    assert str(error).startswith(f"{path}:{line}: {reason}")


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("waivers:\n  - id: W-1\n    check: [CV-0204\n", 4, "invalid YAML"),
    ("waivers:\n  - id: W-1\n\tcheck: CV-0204\n", 3, "invalid YAML"),
    ("- id: W-0001\n", 1, "expected a mapping with a 'waivers' list"),
    ("waivers: none\n", 1, "expected a mapping with a 'waivers' list"),
])
def test_a_malformed_file_is_named_by_file_and_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    error = _error(path)
    assert (error.path, error.line) == (str(path), line)
    assert error.reason.startswith(reason)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    error = _error(tmp_path / "nowhere.yaml")
    assert error.path == str(tmp_path / "nowhere.yaml") and error.line is None
    assert error.reason.startswith("cannot read waivers:")
