"""CV-0509..0511, CV-0602, CV-0701: writes read back, lists bounded and filtered, promised statuses, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from checks_fixture import exchange, mv

from conformance.checks import CheckContext, verify
from conformance.checks.writes import leaves
from conformance.model import Operation, Sentence, Source
from conformance.results import Finding

CHECKS = ("CV-0509", "CV-0510", "CV-0511", "CV-0602", "CV-0701")


def findings(operation: Operation, body: Any, status: int = 200, **extra: Any) -> list[Finding]:
    return verify(CheckContext.success(operation, mv("2.80"), **extra), exchange(status, body), CHECKS, waivers=())


def test_no_facts_no_findings(list_snapshots: Operation) -> None:
    assert findings(list_snapshots, {"snapshots": [{"id": 1}]}) == []


def test_leaves_walk_objects_and_keep_lists_of_scalars_whole() -> None:
    assert sorted(leaves({"a": {"b": 1, "c": ["y", "x"]}, "d": {}, "e": [{"f": 2}]})) == [
        (("a", "b"), 1), (("a", "c"), ["x", "y"]), (("e", "0", "f"), 2)]


def test_values_read_back_as_sent(list_snapshots: Operation) -> None:
    sent = ({"flavor": {"name": "conformance-a", "ram": 64, "public": True, "tags": ["b", "a"]}}, "POST /flavors")
    shown = {"flavor": {"name": "conformance-a", "ram": 64.0, "public": True, "tags": ["a", "b"], "id": "9"}}
    assert findings(list_snapshots, shown, sent=sent) == []
    [finding] = findings(list_snapshots, {"flavor": {**shown["flavor"], "ram": 128}}, sent=sent)
    assert finding.check == "CV-0509" and "`flavor.ram` reads back as 128" in finding.title


@pytest.mark.parametrize(("written", "shown", "same"), [
    (False, "", True), (True, "True", True), (False, "False", True),  # nova's config_drive: "" stands for False
    (True, "", False), (False, "True", False), (False, 0, False)])
def test_a_boolean_reads_back_as_its_text(list_snapshots: Operation, written: bool, shown: Any, same: bool) -> None:
    sent = ({"server": {"config_drive": written}}, "POST /servers")
    assert (findings(list_snapshots, {"server": {"config_drive": shown}}, sent=sent) == []) is same


def test_a_field_the_read_does_not_show_is_not_compared(list_snapshots: Operation) -> None:
    assert findings(list_snapshots, {"server": {"name": "x"}}, sent=({"server": {"adminPass": "p"}}, "PUT")) == []


def test_a_page_holds_at_most_limit_items(list_snapshots: Operation) -> None:
    body = {"snapshots": [{"id": n} for n in range(3)]}
    assert findings(list_snapshots, body, page=("snapshots", 3)) == []
    [finding] = findings(list_snapshots, body, page=("snapshots", 2))
    assert finding.check == "CV-0510" and finding.title == "3 items for limit=2"


def test_a_filter_keeps_only_matching_items(list_snapshots: Operation) -> None:
    body = {"snapshots": [{"id": 1, "status": "ACTIVE"}, {"id": 2, "status": "error"}]}
    only_active = {"snapshots": body["snapshots"][:1]}
    assert findings(list_snapshots, only_active, matching=("snapshots", {"status": "active"})) == []
    [finding] = findings(list_snapshots, body, matching=("snapshots", {"status": "ACTIVE"}))
    assert finding.check == "CV-0511" and "status=ACTIVE" in finding.title and "snapshots[1].status" in finding.received


@pytest.mark.parametrize(("shown", "expected"), [({"server": {"status": "SHUTOFF"}}, 0),
                                                 ({"server": {"status": "ACTIVE"}}, 1), ({"other": 1}, 1)])
def test_the_promised_status_is_reached(list_snapshots: Operation, shown: Any, expected: int) -> None:
    sentence = Sentence("its status changes to ``SHUTOFF``.", Source("servers-actions.inc", 9))
    found = findings(list_snapshots, shown, promise=("server.status", ("SHUTOFF",), sentence))
    assert len(found) == expected
    assert all(f.check == "CV-0602" and f.source == "servers-actions.inc:9" for f in found)


def test_a_refusal_changes_nothing(list_snapshots: Operation) -> None:
    before = {"quota_set": {"instances": 10, "cores": 20}}
    fields = [("quota_set", "instances")]
    assert findings(list_snapshots, before, unchanged=(before, fields, "PUT /os-quota-sets")) == []
    [finding] = findings(list_snapshots, {"quota_set": {"instances": -1, "cores": 20}},
                         unchanged=(before, fields, "PUT /os-quota-sets"))
    assert finding.check == "CV-0701" and "changed although PUT /os-quota-sets was refused" in finding.title
