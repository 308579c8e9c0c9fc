"""results.json, junit.xml and certification.json: schema, round trip, digest, atomic writes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.errors import InputError
from conformance.report import (
    junit_xml,
    load_results,
    main_report,
    schema,
    validate_results,
    verify_certification,
    write_reports,
)
from conformance.report._atomic import write_atomic
from conformance.report.views import redacted
from conformance.results import SCHEMA_VERSION, Outcome, RunResult, results_digest

from .runs import HOSTILE, OS_MIGRATIONS, SERVER_MIGRATIONS, TOKEN, large_run, small_run

FILES = ("results.json", "junit.xml", "certification.json", "report.html")


@pytest.fixture
def written(tmp_path: Path) -> Path:
    write_reports(small_run(), tmp_path)
    return tmp_path


def test_writes_the_four_files(tmp_path: Path) -> None:
    paths = write_reports(small_run(), tmp_path / "new" / "dir")
    assert [p.name for p in (paths.results, paths.junit, paths.certification, paths.html)] == list(FILES)
    assert all(p.stat().st_size > 0 for p in (paths.results, paths.junit, paths.certification, paths.html))
    assert not list((tmp_path / "new" / "dir").glob("*.tmp")), "temporary files left behind"


def test_results_json_is_valid_against_the_documented_schema(written: Path) -> None:
    data = json.loads((written / "results.json").read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA_VERSION
    assert validate_results(data) == []
    assert schema()["$schema"].endswith("2020-12/schema")


def test_schema_rejects_what_is_not_results(written: Path) -> None:
    data = json.loads((written / "results.json").read_text(encoding="utf-8"))
    data["tests"][0]["outcome"] = "sort-of-passed"
    del data["target"]
    problems = validate_results(data)
    assert any(p.startswith("tests/0/outcome") for p in problems), problems
    assert any("'target' is a required property" in p for p in problems), problems


def test_results_round_trip(written: Path) -> None:
    run, data = load_results(written / "results.json")
    assert run == redacted(small_run())  # the leaked token masked, nothing else changed
    assert run != small_run()
    assert results_digest(data) == run.digest()
    assert run.apis == small_run().apis


def test_a_run_with_nothing_to_mask_keeps_its_digest(tmp_path: Path) -> None:
    run = large_run()
    assert redacted(run) is run
    assert write_reports(run, tmp_path).digest == run.digest()


def test_no_token_in_any_file(written: Path) -> None:
    for name in FILES:
        text = (written / name).read_text(encoding="utf-8")
        assert TOKEN not in text, f"{name} leaks the token"
        assert "X-Auth-Token" in text or name == "certification.json"


def test_junit_parses_with_one_testcase_per_test(written: Path) -> None:
    root = ET.parse(written / "junit.xml").getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    run = small_run()
    assert len(cases) == len(run.tests)
    assert suite.get("tests") == "10" and suite.get("failures") == "3" and suite.get("errors") == "1"
    assert suite.get("skipped") == "3"
    by_name = {(case.get("classname"), case.get("name")): case for case in cases}
    failing = by_name[("conformance.suites.test_server_migrations", "test_list[2.59]")]
    failure = failing.find("failure")
    assert failure is not None and failure.get("type") == "CV-0204"
    assert "[CV-0204] `migrations[0].uuid` is missing" in (failure.text or "")
    assert "parameters.yaml:4871" in (failure.text or "")
    assert "curl -i -X GET" in (failure.text or "")
    skipped = by_name[("conformance.suites.test_server_migrations", "test_abort[2.65]")].find("skipped")
    assert skipped is not None and skipped.get("message") == "needs --allow-destructive"
    waived = by_name[("conformance.suites.test_os_migrations", "test_list[2.23]")]
    assert waived.find("failure") is None and "W-0001" in (waived.findtext("system-out") or "")
    assert by_name[("conformance.suites.test_discovery", "test_latest")].find("error") is not None
    about = failing.findtext("system-out") or ""
    assert "operation: GET /servers/{server_id}/migrations\n" in about and "microversion: 2.59\n" in about
    for case in cases:  # junit-10.xsd (xunit2): only these children, skipped/error/failure before system-out
        children = [child.tag for child in case]
        assert set(children) <= {"skipped", "error", "failure", "system-out", "system-err"}
        assert children[-1] == "system-out"
        assert set(case.attrib) == {"classname", "name", "time"}
        assert re.fullmatch(r"[0-9]+\.[0-9]{3}", case.get("time", ""))  # junit-10.xsd's SUREFIRE_TIME


def test_junit_survives_control_characters_and_hostile_text() -> None:
    run = small_run()
    test = replace(run.tests[1], reason="bad \x00\x1b byte", outcome=Outcome.ERROR)
    text = junit_xml(replace(run, tests=(test, *run.tests[2:])))
    root = ET.fromstring(text.encode("utf-8"))
    assert HOSTILE in "".join(root.itertext())  # escaped in the file, the same text once parsed


def test_certification_per_api(written: Path) -> None:
    summary = json.loads((written / "certification.json").read_text(encoding="utf-8"))
    statuses = {api["api"]: api["status"] for api in summary["apis"]}
    assert statuses[SERVER_MIGRATIONS] == "not conformant"
    assert statuses[OS_MIGRATIONS] == "not conformant"
    assert statuses["Servers - run an action (servers, action)"] == "not exercised"
    assert summary["verdict"] == "not conformant"
    assert summary["results"]["digest"] == redacted(small_run()).digest()


def test_certification_of_a_clean_run_is_conformant(tmp_path: Path) -> None:
    run = small_run()
    clean = tuple(replace(t, outcome=Outcome.PASSED, findings=()) if t.outcome is not Outcome.SKIPPED else t
                  for t in run.tests)
    write_reports(replace(run, tests=clean, apis=()), tmp_path)
    summary = json.loads((tmp_path / "certification.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "conformant"
    assert {api["status"] for api in summary["apis"]} == {"conformant"}


def test_digest_check_passes_then_fails_when_a_result_is_altered(written: Path) -> None:
    summary = json.loads((written / "certification.json").read_text(encoding="utf-8"))
    results = json.loads((written / "results.json").read_text(encoding="utf-8"))
    assert verify_certification(summary, results) == []
    results["tests"][1]["outcome"] = "passed"
    results["tests"][1]["findings"] = []
    problems = verify_certification(summary, results)
    assert problems and problems[0].startswith("digest:")


def test_a_forged_summary_is_caught_even_with_the_right_digest(written: Path) -> None:
    summary = json.loads((written / "certification.json").read_text(encoding="utf-8"))
    results = json.loads((written / "results.json").read_text(encoding="utf-8"))
    summary["verdict"] = "conformant"
    assert any(problem.startswith("verdict:") for problem in verify_certification(summary, results))


def test_atomic_write_keeps_the_old_report_when_rendering_raises(written: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before = {name: (written / name).read_bytes() for name in FILES}

    def broken(run: RunResult, digest: str | None = None) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr("conformance.report.render_html", broken)
    with pytest.raises(RuntimeError, match="renderer broke"):
        write_reports(large_run(), written)
    assert {name: (written / name).read_bytes() for name in FILES} == before
    assert not list(written.glob(".*.tmp")), "temporary files left behind"


def test_atomic_write_cleans_up_when_the_replace_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")

    def failing(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", failing)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_repeated_writes_during_a_run_leave_a_valid_report(tmp_path: Path) -> None:
    run = replace(small_run(complete=False), tests=())
    for test in small_run().tests:
        run = replace(run, tests=(*run.tests, test))
        write_reports(run, tmp_path)
        loaded, _ = load_results(tmp_path / "results.json")
        assert loaded.tests == redacted(run).tests and not loaded.complete
        assert "did not run every test it collected" in (tmp_path / "report.html").read_text(encoding="utf-8")
    summary = json.loads((tmp_path / "certification.json").read_text(encoding="utf-8"))
    assert summary["complete"] is False


def test_main_report_renders_again_from_json(written: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    original = (written / "report.html").read_text(encoding="utf-8")
    output = tmp_path / "again.html"
    assert main_report(written / "results.json", output) == 0
    assert output.read_text(encoding="utf-8") == original
    out = capsys.readouterr().out
    assert f"report: {output}" in out and "certification: NOT CONFORMANT" in out


def test_main_report_rejects_what_is_not_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "results.json"
    bad.write_text('{"schema": "1.0", "tests": "no"}', encoding="utf-8")
    assert main_report(bad, None) == 2
    assert f"{bad}: not conformance results" in capsys.readouterr().err
    assert main_report(tmp_path / "missing.json", None) == 2
    (tmp_path / "x.json").write_text("{", encoding="utf-8")
    assert main_report(tmp_path / "x.json", None) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "not JSON" in err
    assert not (tmp_path / "report.html").exists()


def test_conformance_report_command(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.cli import main

    (written / "report.html").unlink()
    assert main(["report", str(written / "results.json")]) == 0
    assert (written / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert f"report: {written / 'report.html'}" in capsys.readouterr().out


def test_a_forged_api_status_is_caught(written: Path) -> None:
    summary = json.loads((written / "certification.json").read_text(encoding="utf-8"))
    results = json.loads((written / "results.json").read_text(encoding="utf-8"))
    summary["apis"][0]["status"] = "conformant"
    summary["apis"][0]["why"] = "reworded prose is not a forgery"
    problems = verify_certification(summary, results)
    assert problems == [f"api {SERVER_MIGRATIONS!r}: the results give not conformant with "
                        "{'passed': 1, 'failed': 2, 'waived': 0, 'skipped': 2, 'inconclusive': 0, 'error': 0}"]


def test_conformance_report_verify(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.cli import main

    results, summary = written / "results.json", written / "certification.json"
    assert main(["report", str(results), "--verify", str(summary)]) == 0
    assert "certification.json matches" in capsys.readouterr().out
    data = json.loads(results.read_text(encoding="utf-8"))
    data["tests"][1]["outcome"] = "passed"
    results.write_text(json.dumps(data), encoding="utf-8")
    assert main(["report", str(results), "--verify", str(summary)]) == 1
    assert "digest: the summary names" in capsys.readouterr().err
    assert main(["report", str(results), "--verify", str(written / "junit.xml")]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_results_nested_too_deeply_to_read_are_bad_input(tmp_path: Path) -> None:
    deep = tmp_path / "results.json"
    deep.write_text('{"tests": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="not JSON"):
        load_results(deep)
