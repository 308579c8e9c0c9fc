"""Answer: reading a target's answer, where every surprise is a finding on the exchange, never a Python error."""

from __future__ import annotations

from typing import Any

import pytest
from checks_fixture import exchange, mv

from conformance.checks import Answer, CheckContext, ConformanceFailure
from conformance.model import Operation

BODY = {"migrations": [{"id": 1, "uuid": "u1"}, {"id": 2, "uuid": "u2"}], "migrations_links": []}


def test_reading_what_is_there() -> None:
    answer = Answer(exchange(200, BODY))
    assert answer.body() == BODY
    assert answer.mapping() == BODY and answer.array("migrations_links") == []
    assert answer.objects("migrations") == BODY["migrations"]
    assert answer.get("migrations", 1, "uuid", kind=str) == "u2"
    assert answer.get("migrations", -1, "id", kind=int) == 2
    assert answer.value(BODY["migrations"][0], "id", kind=int, where=("migrations", 0)) == 1


@pytest.mark.parametrize(("body", "read", "title"), [
    ({"migrations": "no"}, lambda a: a.objects("migrations"), "`migrations` is a string, not an array"),
    ({"migrations": [1]}, lambda a: a.objects("migrations"), "`migrations[0]` is an integer, not an object"),
    ({}, lambda a: a.array("migrations"), "`migrations` is missing"),
    (["migrations"], lambda a: a.mapping(), "the body is an array, not an object"),
    ({"migrations": []}, lambda a: a.get("migrations", 0, "id"), "`migrations[0]` is missing"),
    ({"migrations": [{"uuid": "u"}]}, lambda a: a.get("migrations", 0, "id"), "`migrations[0].id` is missing"),
    ({"migrations": [{"id": True}]}, lambda a: a.get("migrations", 0, "id", kind=int),
     "`migrations[0].id` is a boolean, not an integer"),
    ({"server": {"id": None}}, lambda a: a.get("server", "id", kind=str), "`server.id` is null, not a string"),
])
def test_a_surprise_is_a_finding_on_the_exchange(body: Any, read: Any, title: str) -> None:
    carried = exchange(200, body)
    with pytest.raises(ConformanceFailure) as failed:
        read(Answer(carried))
    [finding] = failed.value.findings
    assert (finding.check, finding.title) == ("CV-0200", title)
    assert finding.exchange is carried and finding.waiver is None
    assert finding.operation == "GET /v2.1/servers/9f3c/snapshots"  # no context: the request names it


@pytest.mark.parametrize("raw", [b"<html>maintenance</html>", b'{"a": ', b"[" * 50_000 + b"]" * 50_000, b"\xff\xfe"])
def test_a_body_that_cannot_be_read_is_a_finding_not_a_crash(raw: bytes) -> None:
    with pytest.raises(ConformanceFailure) as failed:
        Answer(exchange(200, raw=raw)).objects("migrations")
    [finding] = failed.value.findings
    assert finding.check == "CV-0206" and finding.title == "the body is not JSON"
    assert finding.received.startswith(f"{len(raw)} bytes")


def test_with_a_context_the_finding_names_the_operation_and_its_api_ref_line(list_snapshots: Operation) -> None:
    ctx = CheckContext.success(list_snapshots, mv("2.25"))
    with pytest.raises(ConformanceFailure) as failed:
        Answer(exchange(200, {"snapshots": {}}), ctx).objects("snapshots")
    [finding] = failed.value.findings
    assert finding.operation == "GET /servers/{server_id}/snapshots" and finding.microversion == "2.25"
    assert finding.source == str(list_snapshots.source)
