"""The registry of checks, the check context, verify() and assert_conforms()."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from checks_fixture import ACTION_PATH, echo, exchange, mv, snapshot, where

from conformance import checks
from conformance.checks import (
    CHECKS,
    CheckContext,
    ConformanceFailure,
    Expectation,
    add_observer,
    add_sink,
    assert_conforms,
    check,
    remove_observer,
    remove_sink,
    verify,
)
from conformance.checks.waivers import Waiver
from conformance.model import ApiRef, Operation, ResponseCode, Source
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

DOCUMENTED = {
    "CV-0101": "status", "CV-0102": "status",
    "CV-0200": "body", "CV-0201": "body", "CV-0202": "body", "CV-0203": "body", "CV-0204": "body",
    "CV-0205": "body", "CV-0206": "body",
    "CV-0301": "headers", "CV-0302": "headers", "CV-0303": "headers",
    "CV-0401": "errors", "CV-0402": "errors",
    "CV-0501": "semantics", "CV-0502": "semantics", "CV-0503": "semantics", "CV-0504": "semantics",
    "CV-0505": "semantics", "CV-0506": "semantics", "CV-0507": "semantics", "CV-0508": "semantics",
    "CV-0509": "semantics", "CV-0510": "semantics", "CV-0511": "semantics", "CV-0512": "semantics",
    "CV-0513": "semantics",
    "CV-0601": "postconditions", "CV-0602": "postconditions",
    "CV-0701": "preconditions",
}


@pytest.fixture
def registry() -> Iterator[None]:
    """Restore CHECKS after a test registers its own."""
    saved = dict(CHECKS)
    yield
    CHECKS.clear()
    CHECKS.update(saved)


def test_every_published_check_is_registered() -> None:
    assert {check_id: c.family for check_id, c in CHECKS.items()} == DOCUMENTED
    for check_id, registered in CHECKS.items():
        assert registered.id == check_id
        assert registered.doc and "\n" not in registered.doc
        assert isinstance(registered.severity, Severity)
    assert CHECKS["CV-0101"].severity is Severity.CRITICAL
    assert CHECKS["CV-0201"].name == "required_fields_present"


def test_registering_a_check(registry: None) -> None:
    @check(id="CV-9901", family="test", severity=Severity.LOW)
    def always_finds(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
        """Always finds something.

        More words."""
        yield Finding("CV-9901", "found", Severity.LOW, ctx.label, None, "r", "d", None)

    assert CHECKS["CV-9901"] is always_finds
    assert always_finds.doc == "Always finds something."
    assert always_finds.name == "always_finds" and always_finds.family == "test"


@pytest.mark.parametrize(("check_id", "name", "doc", "message"), [
    ("CV-01", "fresh_name", "Doc.", None),
    ("CV-9902", "fresh_name", "Doc.", None),
    ("XX-9902", "fresh_name", "Doc.", "must look like CV-0107"),
    ("CV-99a2", "fresh_name", "Doc.", "must look like CV-0107"),
    ("CV-0101", "fresh_name", "Doc.", "check id CV-0101 is taken by no_server_error"),
    ("CV-9902", "status_is_expected", "Doc.", "a check named status_is_expected is already registered"),
    ("CV-9902", "fresh_name", None, "needs a docstring"),
    ("CV-9902", "fresh_name", "   ", "needs a docstring"),
])
def test_the_decorator_refuses_bad_registrations(registry: None, check_id: str, name: str, doc: str | None,
                                                 message: str | None) -> None:
    def function(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
        yield from ()

    function.__name__ = name
    function.__doc__ = doc
    decorate = check(id=check_id, family="test", severity=Severity.LOW)
    if message is None:
        assert decorate(function).id == check_id
        return
    with pytest.raises(ValueError, match=message):
        decorate(function)
    assert CHECKS.get(check_id, None) is None or CHECKS[check_id].name != name


def test_a_success_context_expects_the_normal_codes(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"), server_id="s1")
    assert ctx.expected == Expectation(frozenset({200}), "normal response codes", ctx.expected.source,
                                       "Normal response codes: 200")
    assert str(ctx.expected.source) == where("Normal response codes: 200")
    assert ctx.expected.success
    assert ctx.extra == {"server_id": "s1"}
    assert ctx.label == "GET /servers/{server_id}/snapshots"
    assert ctx.version_text == "2.25"
    assert CheckContext.success(list_snapshots, None).version_text is None


def test_normal_codes_of_another_microversion_are_not_expected(list_snapshots: Operation) -> None:
    source = Source("server-snapshots.inc", 22)
    operation = replace(list_snapshots, normal_codes=(
        ResponseCode(200, None, source, replace(list_snapshots.versions, min=None, max=mv("2.24"))),
        ResponseCode(201, None, source, replace(list_snapshots.versions, min=mv("2.25"), max=None))))
    assert CheckContext.success(operation, mv("2.24")).expected.statuses == {200}
    assert CheckContext.success(operation, mv("2.25")).expected.statuses == {201}
    assert CheckContext.success(operation, mv("2.25")).expected.requirement == "Normal response codes: 201"
    assert CheckContext.success(operation, None).expected.statuses == {200, 201}


def test_without_normal_codes_any_success_is_expected_and_said(list_snapshots: Operation) -> None:
    """No silent 200: where the api-ref lists no normal code, any 2xx passes and the context says why."""
    ctx = CheckContext.success(replace(list_snapshots, normal_codes=()), mv("2.25"))
    assert ctx.expected.statuses == frozenset(range(200, 300)) and ctx.expected.success
    assert "lists no normal response code" in ctx.expected.reason
    assert ctx.expected.source == list_snapshots.source
    [finding] = verify(ctx, exchange(302), ["CV-0102"], waivers=())
    assert finding.documented == "any 2xx (a success: the api-ref lists no normal response code here)"
    assert verify(ctx, exchange(201), ["CV-0102"], waivers=()) == []


def test_expecting_an_error(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"), server_id="s1")
    error = ctx.expecting(404, 400, reason="unknown server")
    assert error.expected.statuses == {400, 404} and not error.expected.success
    assert error.expected.source == list_snapshots.source and error.expected.requirement is None
    assert error.extra == ctx.extra and error.microversion == ctx.microversion
    assert ctx.expected.statuses == {200}, "the original is unchanged"


def test_label_and_version_text(fixture_apiref: ApiRef, list_snapshots: Operation) -> None:
    pin = fixture_apiref.find("POST", ACTION_PATH, "pin")
    assert CheckContext.success(pin, mv("2.22")).label == f"POST {ACTION_PATH} (pin)"
    latest = replace(CheckContext.success(list_snapshots, mv("2.30")), requested_version="latest")
    assert latest.version_text == "latest"


def _good(list_snapshots: Operation) -> tuple[CheckContext, Exchange]:
    ctx = CheckContext.success(list_snapshots, mv("2.25"), service="test-no-waivers")
    return ctx, exchange(200, {"snapshots": [snapshot("2.25")]}, echo("2.25", "test-no-waivers"))


def test_verify_runs_every_check(list_snapshots: Operation) -> None:
    ctx, good = _good(list_snapshots)
    assert verify(ctx, good) == []
    bad = exchange(500, {"snapshots": [{"id": "x"}]})
    assert {f.check for f in verify(ctx, bad)} == {"CV-0101", "CV-0301"}  # no Vary is asked of an error


def test_verify_runs_only_the_checks_named(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    bad = exchange(418, {"x": 1})
    assert [f.check for f in verify(ctx, bad, ["CV-0102"], waivers=())] == ["CV-0102"]
    with pytest.raises(KeyError):
        verify(ctx, bad, ["CV-0000"], waivers=())


def test_verify_applies_waivers_and_tells_sinks_and_observers(list_snapshots: Operation) -> None:
    seen: list[tuple[str, int]] = []
    received: list[list[Finding]] = []
    ran: list[tuple[str, ...]] = []

    def observer(ctx: CheckContext, ex: Exchange) -> None:
        seen.append((ctx.label, ex.response.status))

    def sink(ctx: CheckContext, findings: list[Finding], checks: tuple[str, ...]) -> None:
        received.append(findings)
        ran.append(checks)

    add_observer(observer)
    add_sink(sink)
    try:
        ctx = CheckContext.success(list_snapshots, mv("2.25"))
        waiver = Waiver("W-0100", "CV-0102", "*", re.compile("undocumented"), "a", "n", "r", "d")
        findings = verify(ctx, exchange(418), ["CV-0102"], waivers=(waiver,))
    finally:
        remove_observer(observer)
        remove_sink(sink)
    remove_sink(sink)  # removing twice is harmless
    assert findings[0].waiver == waiver.describe() and findings[0].waiver_id == "W-0100"
    assert seen == [("GET /servers/{server_id}/snapshots", 418)]
    assert received == [findings]
    assert ran == [("CV-0102",)], "the sink hears which checks ran"
    verify(ctx, exchange(418), ["CV-0102"], waivers=())
    assert len(seen) == 1 and len(received) == 1, "removed observers and sinks hear nothing more"


def test_assert_conforms(list_snapshots: Operation) -> None:
    ctx, good = _good(list_snapshots)
    assert assert_conforms(ctx, good) == []
    with pytest.raises(ConformanceFailure) as failure:
        assert_conforms(ctx, exchange(200, {"snapshots": [snapshot("2.25", id="7")]}, echo("2.25", "test-no-waivers")))
    assert [f.check for f in failure.value.findings] == ["CV-0204"]
    assert "[CV-0204] `snapshots[0].id` is string, documented as integer" in str(failure.value)


def test_assert_conforms_passes_with_only_waived_findings(list_snapshots: Operation,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    waiver = Waiver("W-0100", "CV-0204", "GET /servers/{server_id}/snapshots", re.compile(r"\.id` is string"),
                    "a", "n", "r", "d")
    monkeypatch.setitem(checks._WAIVERS, "test-waived", (waiver,))
    ctx = CheckContext.success(list_snapshots, mv("2.25"), service="test-waived")
    headers = echo("2.25", "test-waived")
    waived = assert_conforms(ctx, exchange(200, {"snapshots": [snapshot("2.25", id="7")]}, headers))
    assert [(f.check, f.waiver) for f in waived] == [("CV-0204", waiver.describe())]
    with pytest.raises(ConformanceFailure) as failure:
        assert_conforms(ctx, exchange(200, {"snapshots": [snapshot("2.25", id="7", size="big")]}, headers))
    assert [f.title for f in failure.value.findings] == ["`snapshots[0].size` is string, documented as number"]
