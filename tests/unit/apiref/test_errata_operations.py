"""Errata of operations as a whole: a precondition the service does not hold, a request body that may be null."""

from __future__ import annotations

import jsonschema
from hypothesis import given, settings

from conformance.apiref import corrections, errata
from conformance.model import ApiRef, Microversion, Operation
from conformance.openapi import emit, request_schema
from conformance.strategies import violating

PIN = ("POST", "/servers/{server_id}/snapshots/{snapshot_id}/action")


def _apply(apiref: ApiRef, entry: str) -> ApiRef:
    return corrections.apply(apiref, errata.parse(f"release: x==1\nerrata:\n{entry}", "errata.yaml"))


def _pin(apiref: ApiRef) -> Operation:
    return next(o for o in apiref.operations if (o.method, o.path, o.action) == (*PIN, "pin"))


def _precondition(line: int) -> str:
    return (f"  - {{id: E-0070, kind: precondition, operation: 'POST {PIN[1]} (pin)', api-ref: "
            f"'server-snapshots.inc:{line}', says: only when available, truth: whatever the status, "
            f"correct: {{removed: true}}, evidence: live POST pin answered 202, reviewed: 2026-12-03}}\n")


def test_a_precondition_the_service_does_not_hold_is_dropped_at_its_line(fixture_apiref: ApiRef) -> None:
    pin = _pin(fixture_apiref)
    (rule,) = pin.preconditions
    corrected = _apply(fixture_apiref, _precondition(rule.sentence.source.line))
    fixed = _pin(corrected)
    assert fixed.preconditions == () and fixed.errata == ("E-0070",)
    # The sentence stays what the api-ref says; only the rule the suites would enforce is gone.
    assert fixed.precondition_text == pin.precondition_text
    (listed,) = [d for d in corrected.defects if d.code == "erratum" and "E-0070" in d.message]
    assert listed.source.line == rule.sentence.source.line
    # The other operations keep theirs.
    delete = corrected.find("DELETE", "/servers/{server_id}/snapshots/{snapshot_id}")
    assert delete.preconditions == fixture_apiref.find("DELETE", delete.path).preconditions != ()


def test_a_precondition_erratum_naming_no_precondition_line_is_stale(fixture_apiref: ApiRef) -> None:
    corrected = _apply(fixture_apiref, _precondition(_pin(fixture_apiref).source.line))
    assert _pin(corrected).preconditions == _pin(fixture_apiref).preconditions
    (stale,) = [d for d in corrected.defects if d.code == "erratum-stale"]
    assert "E-0070" in stale.message


def test_a_request_body_an_erratum_says_may_be_null_takes_null_and_only_invalid_values_are_drawn(
        fixture_apiref: ApiRef) -> None:
    pin = _pin(fixture_apiref)
    entry = (f"  - {{id: E-0071, kind: nullable, operation: 'POST {PIN[1]} (pin)', side: request, api-ref: "
             f"'{pin.source}', says: an object, truth: null too, correct: {{nullable: true}}, "
             f"evidence: live POST null answered 200, reviewed: 2026-12-03}}\n")
    version = Microversion(2, 25)
    before = request_schema(pin, version)
    assert before is not None and not jsonschema.Draft202012Validator(before).is_valid(None)
    corrected = _apply(fixture_apiref, entry)
    fixed = _pin(corrected)
    assert fixed.body_nullable and fixed.errata == ("E-0071",)
    schema = request_schema(fixed, version)
    assert schema is not None and schema["type"] == ["object", "null"]
    assert jsonschema.Draft202012Validator(schema).is_valid(None)

    @settings(max_examples=25, deadline=None, database=None)
    @given(violating(schema))
    def never_null(value: object) -> None:
        assert value is not None  # null is no longer a violation
        assert not jsonschema.Draft202012Validator(schema).is_valid(value)

    never_null()
    body = emit(corrected)["paths"][PIN[1]]["post"]["requestBody"]["content"]["application/json"]["schema"]
    pinned = next(alternative for alternative in body.get("oneOf", [body]) if "pin" in alternative["properties"])
    assert pinned["type"] == ["object", "null"]
