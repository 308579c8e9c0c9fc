"""CV-0101 and CV-0102: the documented status codes, and never a 5xx."""

from __future__ import annotations

import pytest
from checks_fixture import exchange, mv, where

from conformance.checks import CheckContext, verify
from conformance.model import Operation
from conformance.results import Severity

STATUS_CHECKS = ("CV-0101", "CV-0102")


def _findings(ctx: CheckContext, status: int, body: object = None) -> list:
    return verify(ctx, exchange(status, body), STATUS_CHECKS, waivers=())


def test_a_documented_normal_code_passes(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    assert ctx.expected.statuses == {200}
    assert _findings(ctx, 200, {"snapshots": []}) == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_is_always_a_critical_finding(list_snapshots: Operation, status: int) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    findings = _findings(ctx, status, {"computeFault": {"code": status, "message": "boom"}})
    assert [f.check for f in findings] == ["CV-0101"], "a 5xx is CV-0101 only, never also CV-0102"
    finding = findings[0]
    assert finding.title == f"server error {status}"
    assert finding.severity is Severity.CRITICAL
    assert finding.received.startswith(f"{status} ") and "boom" in finding.received
    assert finding.documented == "one of 200 (normal response codes); never a 5xx"
    assert finding.source == where("Normal response codes: 200")
    assert finding.operation == "GET /servers/{server_id}/snapshots"
    assert finding.microversion == "2.25"


def test_a_5xx_fails_even_where_an_error_was_expected(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25")).expecting(404, reason="unknown server")
    findings = _findings(ctx, 500)
    assert [f.check for f in findings] == ["CV-0101"]
    assert findings[0].documented == "one of 404 (unknown server); never a 5xx"


@pytest.mark.parametrize(("status", "title"), [
    (404, "documented error 404 where the request should succeed"),
    (403, "documented error 403 where the request should succeed"),
    (418, "undocumented status 418"),
    (201, "undocumented status 201"),
    (302, "undocumented status 302"),
])
def test_an_unexpected_status_on_success(list_snapshots: Operation, status: int, title: str) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.23"))
    findings = _findings(ctx, status)
    assert [(f.check, f.title) for f in findings] == [("CV-0102", title)]
    finding = findings[0]
    assert finding.severity is Severity.HIGH
    assert finding.documented == "200 (normal response codes)"
    assert finding.source == where("Normal response codes: 200")
    assert finding.requirement == "Normal response codes: 200"


def test_the_error_case_expects_its_error_code(list_snapshots: Operation) -> None:
    source = list_snapshots.error_codes[0].source
    ctx = CheckContext.success(list_snapshots, mv("2.23")).expecting(
        404, reason="a server that does not exist", source=source, requirement="itemNotFound(404)")
    assert _findings(ctx, 404, {"itemNotFound": {"code": 404, "message": "no"}}) == []
    findings = _findings(ctx, 200, {"snapshots": []})
    assert [(f.check, f.title) for f in findings] == [("CV-0102", "status 200 where 404 is documented")]
    assert findings[0].documented == "404 (a server that does not exist)"
    assert findings[0].source == where("Error response codes") == str(source)
    assert findings[0].requirement == "itemNotFound(404)"


def test_several_acceptable_statuses(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.23")).expecting(400, 404, reason="bad marker")
    assert _findings(ctx, 400) == [] and _findings(ctx, 404) == []
    findings = _findings(ctx, 409)
    assert findings[0].title == "status 409 where 400 or 404 is documented"
    assert findings[0].documented == "400 or 404 (bad marker)"
    assert findings[0].source == str(list_snapshots.source), "no source given: the operation's"


def test_received_is_cut_to_200_characters(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.23"))
    finding = verify(ctx, exchange(418, raw=b"x" * 1000), STATUS_CHECKS, waivers=())[0]
    assert finding.received == "418 " + "x" * 200
