"""CV-0401: error bodies are Nova faults, {"<fault>": {"code": <status>, "message": ...}}, keystone's for 401."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from checks_fixture import ACTION_PATH, exchange, mv, where

from conformance.checks import CheckContext, verify
from conformance.checks.faults import FAULT_NAMES
from conformance.model import ApiRef, FaultConvention, Microversion, Operation
from conformance.results import Finding, Severity


def _findings(operation: Operation, status: int, body: Any = None, *, raw: bytes | None = None,
              method: str = "GET") -> list[Finding]:
    ctx = CheckContext.success(operation, mv("2.25")).expecting(status, reason="error case")
    return verify(ctx, exchange(status, body, raw=raw, method=method), ["CV-0401"], waivers=())


def _fault(name: str, status: int, message: str = "Snapshot 7 could not be found.") -> dict[str, Any]:
    return {name: {"code": status, "message": message}}


@pytest.mark.parametrize(("status", "name"), sorted((s, n) for s, names in FAULT_NAMES.items() for n in names
                                                    if s < 500))
def test_nova_faults_pass(show_snapshot: Operation, status: int, name: str) -> None:
    assert _findings(show_snapshot, status, _fault(name, status)) == []


def test_keystone_401_passes(show_snapshot: Operation) -> None:
    body = {"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires auth."}}
    assert _findings(show_snapshot, 401, body) == []


def test_the_fault_names_nova_34_uses() -> None:
    assert FAULT_NAMES[404] == {"itemNotFound"}
    assert FAULT_NAMES[409] == {"conflictingRequest"}, "real Nova, not the api-ref's conflict(409) label"
    assert FAULT_NAMES[400] == {"badRequest"} and FAULT_NAMES[403] == {"forbidden"}
    assert all(400 <= status < 600 for status in FAULT_NAMES)


@pytest.mark.parametrize("status", [200, 202, 204, 302, 500, 503])
def test_only_4xx_bodies_are_checked(show_snapshot: Operation, status: int) -> None:
    assert _findings(show_snapshot, status, raw=b"<html>oops</html>") == []


def test_a_head_operation_has_no_body_to_check(show_snapshot: Operation) -> None:
    head = replace(show_snapshot, method="HEAD")
    assert _findings(head, 404, raw=b"", method="HEAD") == []
    assert [f.title for f in _findings(show_snapshot, 404, raw=b"")] == ["404 body is not JSON"]


@pytest.mark.parametrize(("body", "raw", "problem"), [
    (None, b"<html>Not Found</html>", "not JSON"),
    (None, b"", "not JSON"),
    ([{"itemNotFound": {"code": 404, "message": "m"}}], None, "not an object with exactly one key naming the fault"),
    ({}, None, "not an object with exactly one key naming the fault"),
    ({"itemNotFound": {"code": 404, "message": "m"}, "request_id": "req-1"}, None,
     "not an object with exactly one key naming the fault"),
    ({"itemNotFound": "Snapshot 7 could not be found."}, None, "`itemNotFound` is not an object"),
    ({"itemNotFound": {"code": 400, "message": "m"}}, None, "`itemNotFound.code` is 400, not the status 404"),
    ({"itemNotFound": {"code": "404", "message": "m"}}, None, "`itemNotFound.code` is '404', not the status 404"),
    ({"itemNotFound": {"message": "m"}}, None, "`itemNotFound.code` is None, not the status 404"),
    ({"itemNotFound": {"code": 404, "message": ""}}, None, "`itemNotFound.message` is not a non-empty string"),
    ({"itemNotFound": {"code": 404, "message": ["m"]}}, None, "`itemNotFound.message` is not a non-empty string"),
    ({"notFound": {"code": 404, "message": "m"}}, None,
     "fault key `notFound` is not the one Nova uses for 404 (itemNotFound)"),
])
def test_a_404_that_is_not_a_fault(show_snapshot: Operation, body: Any, raw: bytes | None, problem: str) -> None:
    findings = _findings(show_snapshot, 404, body, raw=raw)
    assert [(f.check, f.title) for f in findings] == [("CV-0401", f"404 body is {problem}")]
    finding = findings[0]
    assert finding.severity is Severity.MEDIUM
    assert finding.documented == 'a ComputeFault for itemNotFound(404): {"<fault>": {"code": 404, "message": ...}}'
    assert finding.source == where("Error response codes", 2)
    assert finding.requirement == "Error response codes: ... itemNotFound(404)"


def test_the_api_ref_label_is_not_the_body_key(fixture_apiref: ApiRef) -> None:
    pin = fixture_apiref.find("POST", ACTION_PATH, "pin")
    assert 409 in {code.status for code in pin.error_codes}
    assert _findings(pin, 409, _fault("conflictingRequest", 409)) == []
    findings = _findings(pin, 409, _fault("conflict", 409))
    assert [f.title for f in findings] == [
        "409 body is fault key `conflict` is not the one Nova uses for 409 (conflictingRequest)"]


@pytest.mark.parametrize("body", [
    _fault("itemNotFound", 401),
    {"error": {"code": 403, "title": "Unauthorized", "message": "m"}},
    {"error": {"code": 401, "title": "Unauthorized"}},
    {"error": "Unauthorized"},
])
def test_a_401_must_be_keystones(show_snapshot: Operation, body: Any) -> None:
    findings = _findings(show_snapshot, 401, body)
    assert [f.title for f in findings] == [
        '401 body is not keystone\'s {"error": {"code": 401, "title": ..., "message": ...}}']
    assert "unauthorized(401)" in findings[0].documented


def test_an_undocumented_error_status_points_at_the_operation(show_snapshot: Operation) -> None:
    assert 400 not in {code.status for code in show_snapshot.error_codes}
    findings = _findings(show_snapshot, 400, _fault("itemNotFound", 400))
    assert [f.title for f in findings] == [
        "400 body is fault key `itemNotFound` is not the one Nova uses for 400 (badRequest)"]
    assert findings[0].source == str(show_snapshot.source)
    assert findings[0].requirement is None
    assert "a ComputeFault for 400:" in findings[0].documented


def test_a_status_nova_has_no_name_for_accepts_any_key(show_snapshot: Operation) -> None:
    assert 418 not in FAULT_NAMES
    assert _findings(show_snapshot, 418, _fault("teapot", 418)) == []
    assert [f.check for f in _findings(show_snapshot, 418, _fault("teapot", 400))] == ["CV-0401"]


def test_received_is_cut_to_300_characters(show_snapshot: Operation) -> None:
    findings = _findings(show_snapshot, 404, raw=b"y" * 1000)
    assert findings[0].received == "y" * 300


PLACEMENT = FaultConvention("PlacementErrors", "api-sig-errors", Microversion(1, 23),
                            ("placement.undefined_code", "placement.concurrent_update"))


def _placement(operation: Operation, status: int, body: Any, version: str = "1.30") -> list[Finding]:
    ctx = replace(CheckContext.success(operation, mv(version), "placement", fault=PLACEMENT).expecting(
        status, reason="error case"))
    return verify(ctx, exchange(status, body), ["CV-0401"], waivers=())


def _errors(status: int, **changes: Any) -> dict[str, Any]:
    error = {"status": status, "title": "Conflict", "detail": "generation mismatch", "request_id": "req-1",
             "code": "placement.concurrent_update"}
    error.update(changes)
    return {"errors": [{k: v for k, v in error.items() if v is not None}]}


def test_placement_errors_pass(show_snapshot: Operation) -> None:
    assert _placement(show_snapshot, 409, _errors(409)) == []
    assert _placement(show_snapshot, 404, _errors(404, code=None), version="1.22") == [], "no code before 1.23"
    keystone = {"error": {"code": 401, "title": "Unauthorized", "message": "The request requires auth."}}
    assert _placement(show_snapshot, 401, keystone) == []


@pytest.mark.parametrize(("body", "problem"), [
    (_fault("itemNotFound", 409), "not an object with a non-empty `errors` list"),
    ({"errors": []}, "not an object with a non-empty `errors` list"),
    (_errors(404), "`errors[0].status` is 404, not the status 409"),
    (_errors(409, title=None), "`errors[0].title` is not a string"),
    (_errors(409, detail=3), "`errors[0].detail` is not a string"),
    (_errors(409, code=None), "`errors[0]` has no `code` (errors carry one from microversion 1.23)"),
    (_errors(409, code="placement.made_up"), "`errors[0].code` 'placement.made_up' is none of the codes the "
                                             "api-ref defines"),
])
def test_placement_errors_departures(show_snapshot: Operation, body: Any, problem: str) -> None:
    findings = _placement(show_snapshot, 409, body)
    assert [f.title for f in findings] == [f"409 body is {problem}"]
    assert findings[0].documented.startswith('the API-SIG errors body for 409: {"errors": [{"status": 409')


def test_the_convention_comes_from_services_toml_when_the_contract_gives_none(show_snapshot: Operation) -> None:
    ctx = CheckContext.success(show_snapshot, mv("1.30"), "placement").expecting(409, reason="error case")
    assert ctx.fault.shape == "api-sig-errors" and ctx.fault.codes_since == Microversion(1, 23)
    assert ctx.protocol is not None and ctx.protocol.headers("1.30") == {"OpenStack-API-Version": "placement 1.30"}
    assert [f.title for f in verify(ctx, exchange(409, _fault("conflictingRequest", 409)), ["CV-0401"],
                                    waivers=())] == ["409 body is not an object with a non-empty `errors` list"]


def _coded(operation: Operation, version: str, body: Any, status: int = 409) -> list[Finding]:
    ctx = CheckContext.success(operation, mv(version), "placement", fault=PLACEMENT).expecting(
        status, reason="stale generation")
    ctx = replace(ctx, extra={**ctx.extra, "error_code": "placement.concurrent_update",
                              "error_code_source": "generations.inc:13"})
    return verify(ctx, exchange(status, body), ["CV-0402"], waivers=())


def test_cv0402_the_error_code_of_the_condition(show_snapshot: Operation) -> None:
    assert _coded(show_snapshot, "1.30", _errors(409)) == []
    assert _coded(show_snapshot, "1.22", _errors(409, code=None)) == [], "codes appear at 1.23"
    findings = _coded(show_snapshot, "1.30", _errors(409, code="placement.undefined_code"))
    assert [(f.check, f.title, f.source) for f in findings] == [
        ("CV-0402", "409 does not carry the error code placement.concurrent_update", "generations.inc:13")]
    assert findings[0].received == "codes ['placement.undefined_code']"
    plain = CheckContext.success(show_snapshot, mv("1.30"), "placement", fault=PLACEMENT).expecting(409, reason="x")
    assert verify(plain, exchange(409, _errors(409, code="other")), ["CV-0402"], waivers=()) == [], \
        "only where a test names the condition's code"
