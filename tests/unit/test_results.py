"""The result model: findings, test outcomes and runs, their rendering and their JSON round trip."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from conformance.report import validate_results
from conformance.results import (
    SCHEMA_VERSION,
    Finding,
    Outcome,
    RunResult,
    Severity,
    results_digest,
)
from conformance.results import (
    TestResult as OneTest,  # aliased: pytest would try to collect a Test* class
)
from conformance.target.exchange import Exchange, Request, Response

URL = "http://127.0.0.1:8774/v2.1/servers/9f3c/migrations"


def _exchange(body: bytes = b'{"migrations": [{"id": 7}]}', request_body: bytes | None = None) -> Exchange:
    return Exchange(
        Request("GET", URL, (("X-Auth-Token", "***"), ("OpenStack-API-Version", "compute 2.59")), request_body,
                "admin"),
        Response(200, (("Content-Type", "application/json"), ("Vary", "OpenStack-API-Version")), body, 0.25))


def _finding(**changes: object) -> Finding:
    finding = Finding(check="CV-0201", title="required field `migrations[0].uuid` is missing", severity=Severity.HIGH,
                      operation="GET /servers/{server_id}/migrations", microversion="2.59",
                      received="no `uuid` in migrations[0]", documented="`uuid` required at microversion 2.59",
                      source="server-migrations.inc:55", requirement="- uuid: migration_uuid (string, required)",
                      exchange=_exchange())
    return replace(finding, **changes)


def _test(**changes: object) -> OneTest:
    test = OneTest(nodeid="suites/test_server_migrations.py::test_list[2.59]", outcome=Outcome.FAILED,
                      operation="GET /servers/{server_id}/migrations", api="Server migrations (servers, migrations)",
                      microversion="2.59", checks=("CV-0101", "CV-0201"), findings=(_finding(),), duration=0.123456,
                      requests=3)
    return replace(test, **changes)


def _run(**changes: object) -> RunResult:
    run = RunResult(target="http://127.0.0.1:8774/v2.1/", target_versions=("2.1", "2.100"), suite_version="0.1.0",
                    spec={"origin": "nova==34.0.0", "sha256": "0" * 64}, started="2026-11-25T09:41:00Z",
                    duration=57.12345,
                    tests=(_test(), _test(nodeid="t::waived", outcome=Outcome.WAIVED,
                                          findings=(_finding(waiver="W-0001: api-ref silent"),)),
                           _test(nodeid="t::skipped", outcome=Outcome.SKIPPED, findings=(), reason="no migration"),
                           _test(nodeid="t::passed", outcome=Outcome.PASSED, findings=(), operation=None, api=None)),
                    coverage={"operations": {"exercised": 4, "total": 5}}, options={"seed": 1234},
                    apis=("Server migrations (servers, migrations)", "Migrations (os-migrations)"))
    return replace(run, **changes)


def test_a_finding_renders_what_a_reader_needs() -> None:
    text = _finding().render()
    lines = text.splitlines()
    assert lines[0] == "[CV-0201] required field `migrations[0].uuid` is missing"
    assert lines[1] == "  Operation:  GET /servers/{server_id}/migrations at microversion 2.59"
    assert lines[2] == "  Received:   no `uuid` in migrations[0]"
    assert lines[3] == "  Documented: `uuid` required at microversion 2.59"
    assert lines[4] == "  api-ref:    server-migrations.inc:55: '- uuid: migration_uuid (string, required)'"
    assert lines[5] == f"  Sent:       GET {URL} [compute 2.59]"
    assert lines[6] == '  Response:   200 {"migrations": [{"id": 7}]}'
    assert lines[7] == "  Reproduce with:"
    assert lines[8].startswith("    curl -i -X GET -H \"X-Auth-Token: $OS_TOKEN\"")
    assert "Waived" not in text


def test_a_finding_renders_its_waiver_and_without_optional_parts() -> None:
    text = _finding(waiver="W-0001: the api-ref is silent", microversion=None, requirement=None,
                    exchange=None).render()
    assert text.splitlines() == [
        "[CV-0201] required field `migrations[0].uuid` is missing",
        "  Operation:  GET /servers/{server_id}/migrations",
        "  Received:   no `uuid` in migrations[0]",
        "  Documented: `uuid` required at microversion 2.59",
        "  api-ref:    server-migrations.inc:55",
        "  Waived:     W-0001: the api-ref is silent",
    ]
    assert "api-ref:" not in _finding(source=None, exchange=None).render()


def test_a_finding_renders_a_request_body_and_cuts_long_bodies() -> None:
    exchange = _exchange(body=b"z" * 1000, request_body=b'{"force_complete": null}')
    text = _finding(exchange=exchange).render()
    assert f'  Sent:       GET {URL} [compute 2.59] {{"force_complete": null}}' in text.splitlines()
    assert "  Response:   200 " + "z" * 300 in text.splitlines()
    assert "z" * 301 not in text


def test_the_finding_key_ignores_what_varies_between_runs() -> None:
    assert _finding().key == ("CV-0201", "GET /servers/{server_id}/migrations", "2.59",
                              "required field `migrations[0].uuid` is missing")
    assert _finding(received="other", exchange=None, waiver="W").key == _finding().key
    assert _finding(microversion="2.60").key != _finding().key


@pytest.mark.parametrize("finding", [_finding(), _finding(exchange=None, requirement=None, source=None),
                                     _finding(waiver="W-0002: reason", severity=Severity.CRITICAL)])
def test_a_finding_round_trips(finding: Finding) -> None:
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["severity"] == finding.severity.value
    assert Finding.from_dict(data) == finding


def test_a_test_result_round_trips() -> None:
    test = _test()
    data = json.loads(json.dumps(test.to_dict()))
    assert data["outcome"] == "failed" and data["checks"] == ["CV-0101", "CV-0201"]
    assert data["duration"] == 0.1235, "durations are kept to 0.1 ms"
    back = OneTest.from_dict(data)
    assert back == replace(test, duration=0.1235)
    assert OneTest.from_dict({"nodeid": "t", "outcome": "skipped"}) == OneTest("t", Outcome.SKIPPED)


def test_a_run_round_trips_and_its_json_is_valid() -> None:
    run = _run()
    data = json.loads(json.dumps(run.to_dict()))
    assert data["schema"] == SCHEMA_VERSION
    assert data["target_versions"] == ["2.1", "2.100"]
    assert data["duration"] == 57.123
    assert validate_results(data) == []
    back = RunResult.from_dict(data)
    assert back == replace(run, duration=57.123, tests=tuple(replace(t, duration=0.1235) for t in run.tests))
    assert [t.outcome for t in back.tests] == [Outcome.FAILED, Outcome.WAIVED, Outcome.SKIPPED, Outcome.PASSED]
    assert back.tests[1].findings[0].waiver == "W-0001: api-ref silent"


def test_optional_parts_of_a_run() -> None:
    data = _run(apis=(), target_versions=None, complete=False).to_dict()
    assert "apis" not in data
    assert data["target_versions"] is None and data["complete"] is False
    back = RunResult.from_dict(data)
    assert back.apis == () and back.target_versions is None and not back.complete


@pytest.mark.parametrize("schema", ["2.0", "0.9", "", None])
def test_another_major_schema_is_refused(schema: str | None) -> None:
    data = _run().to_dict()
    if schema is None:
        del data["schema"]
    else:
        data["schema"] = schema
    with pytest.raises(ValueError, match="is not supported"):
        RunResult.from_dict(data)


def test_a_later_minor_schema_is_read() -> None:
    data = {**_run().to_dict(), "schema": SCHEMA_VERSION.split(".")[0] + ".9"}
    assert RunResult.from_dict(data).target == _run().target


def test_the_digest_is_canonical_and_changes_with_the_results() -> None:
    run = _run()
    data = run.to_dict()
    assert run.digest() == results_digest(data) == results_digest(json.loads(json.dumps(data, sort_keys=True)))
    assert len(run.digest()) == 64 and int(run.digest(), 16) >= 0
    reordered = dict(reversed(list(data.items())))
    assert results_digest(reordered) == run.digest(), "key order does not matter"
    assert _run(tests=run.tests[:3]).digest() != run.digest()
    flipped = (replace(run.tests[0], outcome=Outcome.PASSED), *run.tests[1:])
    assert _run(tests=flipped).digest() != run.digest()


def test_severities_and_outcomes_are_their_json_values() -> None:
    assert [s.value for s in Severity] == ["critical", "high", "medium", "low"]
    assert [o.value for o in Outcome] == ["passed", "failed", "waived", "skipped", "inconclusive", "error"]
    assert Severity("high") is Severity.HIGH and Outcome("waived") is Outcome.WAIVED
