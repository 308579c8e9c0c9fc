"""Findings cite the errata their checks relied on; a header an erratum says an operation lacks is not required."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checks_fixture import echo, exchange, mv, snapshot

from conformance.apiref import corrections, errata
from conformance.checks import CheckContext, verify
from conformance.model import ApiRef, MicroversionRange, Operation, Parameter, Source
from conformance.openapi import response_schema

REQUEST_ID = Parameter(name="X-Openstack-Request-Id", key="request_id_response", location="header", required=True,
                       type="string", description="", versions=MicroversionRange(), nullable=False,
                       source=Source("request-ids.inc", 9), definition=Source("parameters.yaml", 12))


def _corrected(apiref: ApiRef, key: str, line: str, correct: str, kind: str = "type") -> ApiRef:
    text = (f"release: x==1\nerrata:\n  - {{id: E-0042, kind: {kind}, key: {key}, api-ref: '{line}', says: s, "
            f"truth: t, correct: {correct}, evidence: live GET /x answered so, reviewed: 2026-12-02}}\n")
    return corrections.apply(apiref, errata.parse(text, "errata.yaml"))


def test_a_body_finding_on_a_corrected_field_cites_the_erratum(fixture_apiref: ApiRef,
                                                               list_snapshots: Operation) -> None:
    status = next(f for f in list_snapshots.response_body[0].children if f.name == "status")
    corrected = _corrected(fixture_apiref, status.parameter.key, str(status.parameter.definition), "{type: integer}")
    operation = corrected.find("GET", list_snapshots.path)
    ctx = CheckContext.success(operation, mv("2.25"))
    findings = verify(ctx, exchange(200, {"snapshots": [snapshot("2.25")]}), ("CV-0204",), waivers=())
    assert [f.title for f in findings] == ["`snapshots[0].status` is string, documented as integer"]
    assert findings[0].requirement is not None and findings[0].requirement.endswith("as corrected by erratum E-0042")
    # The same finding on the api-ref as written cites none.
    plain = verify(CheckContext.success(list_snapshots, mv("2.25")),
                   exchange(200, {"snapshots": [snapshot("2.25", status=3)]}), ("CV-0204",), waivers=())
    assert plain and "erratum" not in (plain[0].requirement or "")


def test_a_header_an_erratum_says_the_operation_lacks_is_not_required(list_snapshots: Operation) -> None:
    omitted = replace(REQUEST_ID, omitted_by=((list_snapshots.method, list_snapshots.path),), errata=("E-0042",))
    ctx = CheckContext.success(list_snapshots, mv("2.25"), common_response_parameters=(omitted,))
    assert verify(ctx, exchange(200, {"snapshots": []}, echo("2.25")), ("CV-0303",), waivers=()) == []
    elsewhere = replace(omitted, omitted_by=(("GET", "/"),))
    ctx = CheckContext.success(list_snapshots, mv("2.25"), common_response_parameters=(elsewhere,))
    finding, = verify(ctx, exchange(200, {"snapshots": []}, echo("2.25")), ("CV-0303",), waivers=())
    assert finding.requirement == f"- {REQUEST_ID.name}: {REQUEST_ID.key} as corrected by erratum E-0042"


def test_a_status_finding_on_a_corrected_operation_cites_the_erratum(list_snapshots: Operation) -> None:
    corrected = replace(list_snapshots, errata=("E-0042",))
    ctx = CheckContext.success(corrected, mv("2.25")).expecting(404, reason="below the minimum",
                                                                 requirement="Microversion 2.23 or greater")
    finding, = verify(ctx, exchange(200, {"snapshots": []}, echo("2.25")), ("CV-0102",), waivers=())
    assert finding.requirement == "Microversion 2.23 or greater (as corrected by erratum E-0042)"


def test_an_object_an_erratum_opens_takes_fields_it_does_not_list(fixture_apiref: ApiRef,
                                                                  list_snapshots: Operation) -> None:
    """`open: true` (nova's security group proxies take undeclared fields): the object is no longer closed to the
    fields its list lacks; as written, the api-ref's complete list closes it."""
    snapshots = list_snapshots.response_body[0]
    items = _items(list_snapshots)
    assert items["additionalProperties"] is False
    corrected = _corrected(fixture_apiref, snapshots.parameter.key, str(snapshots.parameter.definition),
                           "{open: true}")
    opened = corrected.find("GET", list_snapshots.path)
    assert opened.response_body[0].parameter.errata == ("E-0042",)
    items = _items(opened)
    assert "additionalProperties" not in items and set(items["properties"]) >= {"id", "status"}


def _items(operation: Operation) -> dict[str, Any]:
    schema = response_schema(operation, 200, mv("2.25"))
    assert schema is not None
    items: dict[str, Any] = schema["properties"]["snapshots"]["items"]
    return items
