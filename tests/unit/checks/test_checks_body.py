"""CV-0201..0205: response bodies against the api-ref's schema for the requested microversion."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from checks_fixture import exchange, mv, snapshot, where

from conformance.checks import CheckContext, verify
from conformance.checks.body import body_errors
from conformance.model import MicroversionRange, Operation
from conformance.results import Finding, Severity

BODY_CHECKS = ("CV-0200", "CV-0201", "CV-0202", "CV-0203", "CV-0204", "CV-0205", "CV-0206")


def _findings(operation: Operation, version: str | None, body: Any, status: int = 200) -> list[Finding]:
    ctx = CheckContext.success(operation, mv(version) if version else None)
    return verify(ctx, exchange(status, body), BODY_CHECKS, waivers=())


def _listing(version: str, **changes: Any) -> dict[str, Any]:
    return {"snapshots": [snapshot(version), snapshot(version, **{"id": 8, **changes})]}


@pytest.mark.parametrize("version", ["2.23", "2.24", "2.25", "2.30"])
def test_a_conforming_listing_passes_at_every_version(list_snapshots: Operation, version: str) -> None:
    assert _findings(list_snapshots, version, _listing(version)) == []
    assert _findings(list_snapshots, version, {"snapshots": []}) == []


@pytest.mark.parametrize("value", [
    "2026-01-29T13:42:02", "2026-01-29T13:42:02Z", "2026-01-29T13:42:02.123456+02:00", "2026-01-29T13:42:02-0500",
])
def test_date_time_forms_the_api_ref_allows(list_snapshots: Operation, value: str) -> None:
    assert _findings(list_snapshots, "2.25", _listing("2.25", created_at=value, updated_at=value)) == []


def test_an_integer_is_a_valid_float(list_snapshots: Operation) -> None:
    assert _findings(list_snapshots, "2.25", _listing("2.25", size=2)) == []


def test_a_missing_required_field(list_snapshots: Operation) -> None:
    findings = _findings(list_snapshots, "2.25", _listing("2.25", uuid=None))
    assert [(f.check, f.title) for f in findings] == [("CV-0201", "required field `snapshots[1].uuid` is missing")]
    finding = findings[0]
    assert finding.severity is Severity.HIGH
    assert finding.received == "no `uuid` in snapshots[1]"
    assert finding.documented == "`uuid` required at microversion 2.25"
    assert finding.source == where("- uuid: snapshot_uuid")
    assert finding.requirement == "- uuid: snapshot_uuid (string, required, microversions 2.25-)"
    assert finding.microversion == "2.25" and finding.exchange is not None


def test_a_missing_top_level_field(list_snapshots: Operation) -> None:
    findings = _findings(list_snapshots, "2.23", {"servers": []})
    titles = [(f.check, f.title) for f in findings]
    assert ("CV-0201", "required field `snapshots` is missing") in titles
    assert next(f for f in findings if f.check == "CV-0201").received == "no `snapshots` in the body"
    assert next(f for f in findings if f.check == "CV-0201").source == where("- snapshots: snapshots")


def test_a_field_required_only_later_is_not_required_earlier(list_snapshots: Operation) -> None:
    body = {"snapshots": [snapshot("2.24")]}
    assert "uuid" not in body["snapshots"][0]
    assert _findings(list_snapshots, "2.24", body) == []
    findings = _findings(list_snapshots, "2.25", {"snapshots": [snapshot("2.25", uuid=None)]})
    assert [f.check for f in findings] == ["CV-0201"]


@pytest.mark.parametrize(("version", "name", "value", "when", "inc"), [
    ("2.23", "uuid", "b7f1c9a2", "from microversion 2.25", "- uuid: snapshot_uuid"),
    ("2.24", "uuid", "b7f1c9a2", "from microversion 2.25", "- uuid: snapshot_uuid"),
    ("2.25", "legacy_host", "compute-1", "up to microversion 2.24", "- legacy_host: legacy_host"),
    ("2.30", "legacy_host", "compute-1", "up to microversion 2.24", "- legacy_host: legacy_host"),
])
def test_a_field_outside_its_microversions(list_snapshots: Operation, version: str, name: str, value: str,
                                           when: str, inc: str) -> None:
    findings = _findings(list_snapshots, version, _listing(version, **{name: value}))
    assert [f.check for f in findings] == ["CV-0202"]
    finding = findings[0]
    assert finding.title == f"field `snapshots[1].{name}` appears at {version}, but exists only {when}"
    assert finding.received == f"`{name}` = {value!r}"
    assert finding.source == where(inc)
    assert "microversions" in finding.documented


def test_a_top_level_field_outside_its_microversions(list_snapshots: Operation) -> None:
    """The body's root is never strict, yet a versioned top-level field is a leak below its minimum."""
    (snapshots,) = list_snapshots.response_body  # the fixture's snapshots_links is guessed into the items
    (links_field,) = [f for f in snapshots.children if f.name == "snapshots_links"]
    items = replace(snapshots, children=tuple(f for f in snapshots.children if f is not links_field))
    links_field = replace(links_field, parameter=replace(links_field.parameter, versions=MicroversionRange(mv("2.25"))))
    operation = replace(list_snapshots, response_body=(items, links_field))
    links = [{"rel": "next", "href": "http://compute/v2.1/servers/s/snapshots?marker=8"}]
    findings = _findings(operation, "2.24", {**_listing("2.24"), "snapshots_links": links})
    assert [(f.check, f.title) for f in findings] == [
        ("CV-0202", "field `snapshots_links` appears at 2.24, but exists only from microversion 2.25")]
    assert findings[0].source == where("- snapshots_links: snapshots_links")
    assert _findings(operation, "2.25", {**_listing("2.25"), "snapshots_links": links}) == []


def test_an_undocumented_field(list_snapshots: Operation) -> None:
    findings = _findings(list_snapshots, "2.25", _listing("2.25", host_id="abc"))
    assert [(f.check, f.title) for f in findings] == [("CV-0203", "undocumented field `snapshots[1].host_id`")]
    finding = findings[0]
    assert finding.severity is Severity.MEDIUM
    assert finding.received == "`host_id` = 'abc'"
    assert finding.documented == "the fields the api-ref lists for snapshots[1]"
    assert finding.source == str(list_snapshots.source) == where(".. rest_method:: GET /servers/{server_id}/snapshots")
    assert finding.requirement is None


def test_an_object_not_listed_completely_allows_extras(show_snapshot: Operation) -> None:
    body = {"snapshot": {**snapshot("2.25"), "host_id": "abc"}, "extra": 1}
    assert _findings(show_snapshot, "2.25", body) == []


@pytest.mark.parametrize(("name", "value", "got", "documented", "inc"), [
    ("id", "7", "string", "integer", "- id: snapshot_id_body"),
    ("id", 7.5, "number", "integer", "- id: snapshot_id_body"),
    ("size", "1.5", "string", "number", "- size: snapshot_size"),
    ("name", 42, "integer", "string", "- name: snapshot_name"),
    ("name", False, "boolean", "string", "- name: snapshot_name"),
    ("status", ["available"], "array", "string", "- status: snapshot_status"),
    ("created_at", {"t": 1}, "object", "string", "- created_at: created"),
])
def test_a_field_of_the_wrong_type(list_snapshots: Operation, name: str, value: Any, got: str, documented: str,
                                   inc: str) -> None:
    findings = _findings(list_snapshots, "2.25", _listing("2.25", **{name: value}))
    assert [f.check for f in findings] == ["CV-0204"]
    finding = findings[0]
    assert finding.title == f"`snapshots[1].{name}` is {got}, documented as {documented}"
    assert finding.received == repr(value)
    assert finding.documented == f"type {documented}"
    assert finding.source == where(inc)


@pytest.mark.parametrize(("body", "title"), [
    ({"snapshots": {}}, "`snapshots` is object, documented as array"),
    ({"snapshots": None}, "`snapshots` is null, documented as array"),
    ({"snapshots": ["nightly"]}, "`snapshots[0]` is string, documented as object"),
])
def test_a_container_of_the_wrong_type(list_snapshots: Operation, body: dict[str, Any], title: str) -> None:
    findings = _findings(list_snapshots, "2.25", body)
    assert [(f.check, f.title) for f in findings] == [("CV-0204", title)]
    assert findings[0].source == where("- snapshots: snapshots")


def test_null_only_where_the_api_ref_allows_it(list_snapshots: Operation) -> None:
    body = {"snapshots": [{**snapshot("2.25"), "updated_at": None, "created_at": None}]}
    findings = _findings(list_snapshots, "2.25", body)
    assert [(f.check, f.title) for f in findings] == [
        ("CV-0204", "`snapshots[0].created_at` is null, documented as string")]
    assert findings[0].requirement == "- created_at: created (string, required)"


@pytest.mark.parametrize("value", [
    "2026-01-29 13:42:02", "29/01/2026", "2026-01-29", "yesterday", "2026-01-29T13:42", "2026-01-29T13:42:02+2",
])
@pytest.mark.parametrize(("name", "inc"), [("created_at", "- created_at: created"),
                                           ("updated_at", "- updated_at: updated")])
def test_a_date_time_not_in_iso_8601(list_snapshots: Operation, value: str, name: str, inc: str) -> None:
    findings = _findings(list_snapshots, "2.25", _listing("2.25", **{name: value}))
    assert [(f.check, f.title) for f in findings] == [
        ("CV-0205", f"`snapshots[1].{name}` is not an ISO 8601 date-time")]
    assert findings[0].received == repr(value)
    assert findings[0].source == where(inc)
    assert findings[0].severity is Severity.MEDIUM


def test_each_disagreement_is_its_own_finding(list_snapshots: Operation) -> None:
    item = {**snapshot("2.23"), "id": "7", "uuid": "u", "extra": 1, "created_at": "now"}
    del item["name"]
    findings = _findings(list_snapshots, "2.23", {"snapshots": [item]})
    assert sorted(f.check for f in findings) == ["CV-0201", "CV-0202", "CV-0203", "CV-0204", "CV-0205"]


@pytest.mark.parametrize(("version", "status", "expecting"), [
    ("2.25", 404, None),  # an error: CV-0401 looks at it
    ("2.25", 200, 404),  # not the expected status: CV-0102 reports it
])
def test_bodies_are_validated_only_for_an_expected_success(list_snapshots: Operation, version: str | None,
                                                           status: int, expecting: int | None) -> None:
    ctx = CheckContext.success(list_snapshots, mv(version) if version else None)
    if expecting:
        ctx = ctx.expecting(expecting, reason="error case")
    broken = exchange(status, {"snapshots": [{"id": "x"}]})
    assert body_errors(ctx, broken) == []
    assert verify(ctx, broken, BODY_CHECKS, waivers=()) == []


def test_a_body_without_a_version_is_checked_against_every_documented_element(list_snapshots: Operation) -> None:
    """A request sent without a version (a versionless document such as GET /) is still schema-checked."""
    ctx = CheckContext.success(list_snapshots, None)
    findings = verify(ctx, exchange(200, {"snapshots": [{"id": snapshot("2.25")["id"]}]}), BODY_CHECKS, waivers=())
    assert {f.check for f in findings} == {"CV-0201"} and all(f.microversion is None for f in findings)
    every = {**snapshot("2.25"), "legacy_host": "h1"}  # fields of every version: none is out of range
    assert verify(ctx, exchange(200, {"snapshots": [every]}), BODY_CHECKS, waivers=()) == []


@pytest.mark.parametrize("raw", [b"<html>", b"", b"[" * 100_000])
def test_a_body_that_is_not_json_is_a_finding(list_snapshots: Operation, raw: bytes) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    [finding] = verify(ctx, exchange(200, raw=raw), BODY_CHECKS, waivers=())
    assert finding.check == "CV-0206" and finding.title in ("the body is not JSON", "the body is empty")


def test_every_schema_error_is_reported_by_some_check(list_snapshots: Operation) -> None:
    """CV-0200 reports what no specific check names (here: an array where the schema wants an object item)."""
    body = {"snapshots": [snapshot("2.25"), 5]}
    findings = _findings(list_snapshots, "2.25", body)
    errors = body_errors(CheckContext.success(list_snapshots, mv("2.25")), exchange(200, body))
    assert errors, "the body departs from the schema"
    assert findings, "so some check reports it"
    reported = {f.title for f in findings}
    assert any("snapshots[1]" in title for title in reported), reported


def test_errors_are_computed_once_per_exchange(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    bad, good = exchange(200, _listing("2.25", id="7")), exchange(200, _listing("2.25"))
    assert [e.validator for e in body_errors(ctx, bad)] == ["type"]
    assert body_errors(ctx, good) == [], "the cache is keyed on the exchange"
    assert [e.validator for e in body_errors(ctx, bad)] == ["type"]


def test_the_cache_does_not_outlive_a_change_of_expectation(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    bad = exchange(200, _listing("2.25", id="7"))
    assert [e.validator for e in body_errors(ctx, bad)] == ["type"]
    error_case = ctx.expecting(404, reason="error case")
    assert body_errors(error_case, bad) == [], "a 200 where 404 is expected is CV-0102's, not the body checks'"
    assert error_case.extra is not ctx.extra
    assert [e.validator for e in body_errors(replace(ctx, microversion=mv("2.25")), bad)] == ["type"]
