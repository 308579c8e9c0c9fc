"""CV-0501..0507 and CV-0601: what a migration list or show means, given the facts the test knows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from checks_fixture import exchange, mv

from conformance.checks import CheckContext, verify
from conformance.checks.semantics import FINISHED_STATUSES, collection, items
from conformance.model import Operation, Sentence, Source
from conformance.results import Finding, Severity

SERVER = "4c1f6f4e-0000-4000-8000-000000000001"
OTHER = "4c1f6f4e-0000-4000-8000-000000000002"
SEMANTIC_CHECKS = ("CV-0501", "CV-0502", "CV-0503", "CV-0504", "CV-0505", "CV-0506", "CV-0507", "CV-0508",
                   "CV-0512", "CV-0513", "CV-0601")


@pytest.fixture(scope="module")
def migrations(list_snapshots: Operation) -> Operation:
    """A list-migrations operation (the checks read only its label, source and description)."""
    return replace(list_snapshots, path="/servers/{server_id}/migrations", title="List Migrations",
                   description="Lists in-progress live migrations for a given server. Policy defaults apply.")


def migration(id_: int, **values: Any) -> dict[str, Any]:
    item = {"id": id_, "server_uuid": SERVER, "status": "running", "created_at": f"2026-01-29T13:{id_:02d}:00",
            "updated_at": f"2026-01-29T14:{id_:02d}:00", "source_compute": "compute-1"}
    item.update(values)
    return item


def _findings(operation: Operation, body: Any, status: int = 200, **extra: Any) -> list[Finding]:
    ctx = CheckContext.success(operation, mv("2.80"), **extra)
    return verify(ctx, exchange(status, body), SEMANTIC_CHECKS, waivers=())


def test_items_of_a_list_or_a_show() -> None:
    assert items({"migrations": [migration(1), migration(2)], "migrations_links": []}) == [migration(1), migration(2)]
    assert items({"migration": migration(3)}) == [migration(3)]
    assert items({"servers": [{"id": "s"}]}) == [{"id": "s"}], "any resource's collection, not only migrations'"
    assert collection({"migrations": []}) == []
    for junk in ({"migrations": [migration(1), "junk"]}, {"migrations": 1}, [migration(1)], None,
                 {"migrations": [], "other": []}):
        assert collection(junk) is None and items(junk) == []
    assert {"completed", "error", "cancelled"} <= FINISHED_STATUSES and "running" not in FINISHED_STATUSES


@pytest.mark.parametrize("facts", [{"server_id": SERVER}, {"in_progress": True}, {"listed": migration(1)},
                                   {"filters": {"status": "running"}}, {"limit": 1}, {"ordered": True},
                                   {"changes_since": "2026-01-29T00:00:00"}, {"contains": 1},
                                   {"continues": ([1], 0)}, {"newer": (2, 1)}])
@pytest.mark.parametrize("body", [{"migrations": [migration(1), 7]}, ["not", "an object"], {"a": [], "b": []}])
def test_a_body_without_a_collection_is_never_passed_unchecked(migrations: Operation, facts: dict[str, Any],
                                                               body: Any) -> None:
    findings = _findings(migrations, body, **facts)
    assert findings and all(f.check.startswith("CV-05") for f in findings)
    assert "no list of items to check" in findings[0].title


def test_no_facts_no_findings(migrations: Operation) -> None:
    body = {"migrations": [migration(1, server_uuid=OTHER, status="completed"), migration(9)]}
    assert _findings(migrations, body) == []


def test_migrations_of_the_server_pass(migrations: Operation) -> None:
    assert _findings(migrations, {"migrations": [migration(2), migration(1)]}, server_id=SERVER) == []
    assert _findings(migrations, {"migration": migration(1)}, server_id=SERVER) == []


@pytest.mark.parametrize("body", [
    {"migrations": [migration(2), migration(1, server_uuid=OTHER)]},
    {"migration": migration(1, server_uuid=OTHER)},
])
def test_a_migration_of_another_server(migrations: Operation, body: dict[str, Any]) -> None:
    findings = _findings(migrations, body, server_id=SERVER)
    assert [f.check for f in findings] == ["CV-0501"]
    assert findings[0].title.endswith("belongs to another server")
    assert findings[0].received == f"server_uuid {OTHER!r} (id 1)"
    assert findings[0].documented == f"the server in the path, {SERVER}"
    assert findings[0].source == str(migrations.source)
    assert findings[0].requirement == "Lists in-progress live migrations for a given server"


def test_an_error_response_has_no_semantics(migrations: Operation) -> None:
    body = {"migrations": [migration(1, server_uuid=OTHER)]}
    assert _findings(migrations, body, status=404, server_id=SERVER) == []


@pytest.mark.parametrize("status", ["completed", "Error", "cancelled", "done", "confirmed"])
def test_a_finished_migration_in_the_in_progress_list(migrations: Operation, status: str) -> None:
    body = {"migrations": [migration(2), migration(1, status=status)]}
    findings = _findings(migrations, body, in_progress=True)
    assert [(f.check, f.title) for f in findings] == [("CV-0502", "finished migration 1 is listed")]
    assert findings[0].received == f"status {status!r}"


@pytest.mark.parametrize("status", ["running", "queued", "preparing", "post-migrating"])
def test_in_progress_migrations_pass(migrations: Operation, status: str) -> None:
    assert _findings(migrations, {"migrations": [migration(1, status=status)]}, in_progress=True) == []


def test_show_matches_the_list_except_updated_at(migrations: Operation) -> None:
    listed = migration(1)
    shown = {"migration": {**listed, "updated_at": "2026-01-29T15:00:00"}}
    assert _findings(migrations, shown, listed=listed) == []


def test_show_that_differs_from_the_list(migrations: Operation) -> None:
    listed = migration(1)
    shown = {"migration": {**migration(1, status="completed"), "extra": 1}}
    findings = _findings(migrations, shown, listed=listed)
    assert [(f.check, f.title) for f in findings] == [("CV-0503", "show differs from the list in extra, status")]
    assert findings[0].received == "extra=1, status='completed'"
    assert findings[0].documented == "extra=None, status='running' (as listed)"


@pytest.mark.parametrize(("filters", "bad"), [
    ({"status": "running"}, {"status": "completed"}),
    ({"source_compute": "compute-1"}, {"source_compute": "compute-2"}),
])
def test_a_filter_not_applied(migrations: Operation, filters: dict[str, str], bad: dict[str, str]) -> None:
    body = {"migrations": [migration(2), migration(1, **bad)]}
    findings = _findings(migrations, body, filters=filters)
    (name, value), = filters.items()
    assert [(f.check, f.title) for f in findings] == [("CV-0504", f"filter {name}={value} not applied")]
    assert findings[0].received == f"item 1 has {name}={bad[name]!r}"
    assert _findings(migrations, {"migrations": [migration(2), migration(1)]}, filters=filters) == []


def test_one_finding_per_item_however_many_filters_it_breaks(migrations: Operation) -> None:
    body = {"migrations": [migration(1, status="error", source_compute="compute-9")]}
    findings = _findings(migrations, body, filters={"status": "running", "source_compute": "compute-1"})
    assert len(findings) == 1


def test_a_filter_on_a_field_the_items_lack_is_a_finding(migrations: Operation) -> None:
    """The filter cannot be shown to work when the items lack the field: never a silent pass."""
    findings = _findings(migrations, {"migrations": [migration(1)]}, filters={"user_id": "u"})
    assert [(f.check, f.title) for f in findings] == [
        ("CV-0504", "item 1 has no `user_id`: the filter user_id=u cannot be shown")]


@pytest.mark.parametrize(("facts", "field"), [({"server_id": SERVER}, "server_uuid"), ({"in_progress": True}, "status"),
                                              ({"ordered": True}, "created_at")])
def test_an_item_without_the_field_a_fact_is_about(migrations: Operation, facts: dict[str, Any], field: str) -> None:
    item = migration(1)
    del item[field]
    findings = _findings(migrations, {"migrations": [item]}, **facts)
    assert len(findings) == 1 and f"has no `{field}`" in findings[0].title


def _links(*rels: str) -> list[dict[str, str]]:
    return [{"rel": rel, "href": f"http://nova/os-migrations?marker={rel}"} for rel in rels]


@pytest.mark.parametrize(("count", "links"), [(1, []), (0, []), (2, _links("next")), (2, _links("self", "next"))])
def test_a_page_within_its_limit(migrations: Operation, count: int, links: list[dict[str, str]]) -> None:
    body = {"migrations": [migration(i) for i in range(count)], "migrations_links": links}
    assert _findings(migrations, body, limit=2) == []


def test_a_page_over_its_limit(migrations: Operation) -> None:
    body = {"migrations": [migration(i) for i in range(3)], "migrations_links": _links("next")}
    findings = _findings(migrations, body, limit=2)
    assert [(f.check, f.title) for f in findings] == [("CV-0505", "3 items for limit=2")]
    assert findings[0].documented == "at most 2"


@pytest.mark.parametrize("links", [None, [], _links("self")])
def test_a_full_page_without_a_next_link(migrations: Operation, links: Any) -> None:
    body: dict[str, Any] = {"migrations": [migration(1), migration(2)]}
    if links is not None:
        body["migrations_links"] = links
    findings = _findings(migrations, body, limit=2)
    assert [(f.check, f.title) for f in findings] == [("CV-0505", "a full page has no next link")]
    assert findings[0].received == f"links: {links!r}"


def test_newest_first_passes(migrations: Operation) -> None:
    body = {"migrations": [migration(3), migration(2), migration(1, created_at=migration(2)["created_at"])]}
    assert _findings(migrations, body, ordered=True) == []


@pytest.mark.parametrize(("listed", "position"), [
    ([migration(1), migration(2)], 0),
    ([migration(5), migration(3), migration(4)], 1),
    ([migration(5), migration(3, created_at="2026-01-29T13:00:00"), migration(4, created_at="2026-01-29T13:00:00")],
     1),
])
def test_not_newest_first(migrations: Operation, listed: list[dict[str, Any]], position: int) -> None:
    findings = _findings(migrations, {"migrations": listed}, ordered=True)
    assert [(f.check, f.title) for f in findings] == [
        ("CV-0506", f"items #{position} and #{position + 1} are not newest first")]
    assert findings[0].severity is Severity.MEDIUM


POSTCONDITION = Sentence("After the request, the migration status becomes completed.",
                         Source("server-migrations.inc", 150))


def test_a_postcondition_reached(migrations: Operation) -> None:
    body = {"migrations": [migration(7, status="completed")]}
    assert _findings(migrations, body, postcondition=(7, "completed", POSTCONDITION)) == []


@pytest.mark.parametrize(("body", "received"), [
    ({"migrations": [migration(7, status="running")]}, "status 'running' when the wait ended"),
    ({"migrations": [migration(8, status="completed")]}, "migration 7 not listed"),
])
def test_a_postcondition_not_reached(migrations: Operation, body: dict[str, Any], received: str) -> None:
    findings = _findings(migrations, body, postcondition=(7, "completed", POSTCONDITION))
    assert [(f.check, f.title, f.received) for f in findings] == [
        ("CV-0601", "migration 7 never reached completed", received)]
    assert findings[0].source == "server-migrations.inc:150"
    assert findings[0].requirement == POSTCONDITION.text


@pytest.mark.parametrize(("window", "updated", "outside"), [
    ({"changes_since": "2026-01-29T14:00:00Z"}, "2026-01-29T13:59:59", True),
    ({"changes_since": "2026-01-29T14:00:00Z"}, "2026-01-29T14:00:00.000000", False),
    ({"changes_since": "2026-01-29T14:00:00+02:00"}, "2026-01-29T12:30:00", False),
    ({"changes_before": "2026-01-29T14:00:00"}, "2026-01-29T14:00:01Z", True),
    ({"changes_before": "2026-01-29T14:00:00"}, "2026-01-29T13:00:00", False),
    ({"changes_since": "2026-01-29T13:00:00", "changes_before": "2026-01-29T14:00:00"}, "2026-01-29T13:30:00",
     False),
    ({"changes_since": "2026-01-29T13:00:00", "changes_before": "2026-01-29T14:00:00"}, "2026-01-29T15:00:00",
     True),
])
def test_the_changes_window(migrations: Operation, window: dict[str, str], updated: str, outside: bool) -> None:
    findings = _findings(migrations, {"migrations": [migration(4, updated_at=updated)]}, **window)
    assert [f.check for f in findings] == (["CV-0507"] if outside else [])
    if outside:
        assert findings[0].title == "migration 4 is outside the changes window"
        assert findings[0].received == f"updated_at {updated!r}"


def test_the_changes_window_falls_back_to_created_at(migrations: Operation) -> None:
    item = migration(4, updated_at=None, created_at="2026-01-28T00:00:00")
    findings = _findings(migrations, {"migrations": [item]}, changes_since="2026-01-29T00:00:00")
    assert [f.check for f in findings] == ["CV-0507"]
    [unreadable] = _findings(migrations, {"migrations": [migration(4, updated_at="not a time")]},
                             changes_since="2026-01-29T00:00:00")
    assert unreadable.title == "item 4 has no readable updated_at or created_at"


def test_the_list_holds_the_item_the_test_knows_is_there(migrations: Operation) -> None:
    assert _findings(migrations, {"migrations": [migration(2), migration(1)]}, contains=1) == []
    [finding] = _findings(migrations, {"migrations": [migration(2)]}, contains=1)
    assert (finding.check, finding.title) == ("CV-0508", "item 1 is missing from the list")
    assert finding.received == "the ids [2]"
    assert _findings(migrations, {"migrations": []}, status=404, contains=1) == []


@pytest.mark.parametrize(("page", "offset", "limit", "whole", "fine"), [
    ([3, 2], 0, 2, [3, 2, 1], True),
    ([1], 2, 2, [3, 2, 1], True),
    ([], 3, 2, [3, 2, 1], True),       # after the last item: an empty page is right
    ([], 1, 2, [3, 2, 1], False),      # an empty page where the list goes on
    ([3], 1, 2, [3, 2, 1], False),     # the first page again
    ([2, 9], 1, 2, [3, 2, 1], False),  # an item the whole list lacks
    ([2], 1, None, [3, 2, 1], False),  # no limit: the rest of the list
])
def test_a_page_continues_the_whole_list(migrations: Operation, page: list[int], offset: int, limit: int | None,
                                         whole: list[int], fine: bool) -> None:
    facts: dict[str, Any] = {"continues": (whole, offset)}
    if limit is not None:
        facts["limit"] = limit
    body = {"migrations": [migration(i) for i in page], "migrations_links": _links("next")}
    findings = [f for f in _findings(migrations, body, **facts) if f.check == "CV-0512"]
    assert (findings == []) is fine, findings


def test_a_newer_migration_precedes_an_older_one(migrations: Operation) -> None:
    assert _findings(migrations, {"migrations": [migration(5), migration(3)]}, newer=(5, 3)) == []
    older_first = {"migrations": [migration(3), migration(5, created_at=migration(2)["created_at"])]}
    [finding] = _findings(migrations, older_first, newer=(5, 3))
    assert (finding.check, finding.title) == ("CV-0506", "migration 5 (started later) does not come before 3")
    [missing] = _findings(migrations, {"migrations": [migration(3)]}, newer=(5, 3))
    assert missing.check == "CV-0506"


def test_another_list_agrees_on_the_fields_compared(migrations: Operation) -> None:
    listed = migration(1, dest_compute="host2")
    other = {"migrations": [migration(2), migration(1, dest_compute="host2", extra="x")]}
    assert _findings(migrations, other, listed=listed, compared=("status", "dest_compute")) == []
    other["migrations"][1]["dest_compute"] = "host3"
    [finding] = _findings(migrations, other, listed=listed, compared=("status", "dest_compute"))
    assert (finding.check, finding.title) == ("CV-0503", "show differs from the list in dest_compute")
    [gone] = _findings(migrations, {"migrations": [migration(2), migration(3)]}, listed=listed, compared=("status",))
    assert gone.title == "item 1 is not there"


@pytest.mark.parametrize(("document", "titles"), [
    ({"id": "v2.1", "status": "CURRENT", "min_version": "2.1"}, []),
    ({"id": "v2.1", "status": "SUPPORTED", "min_version": "2.1"}, []),
    ({"id": "v2.0", "status": "CURRENT", "min_version": "2.1"}, ["the version document's id is 'v2.0'"]),
    ({"id": "v2.1", "status": "DEPRECATED", "min_version": "2.2"},
     ["the version is 'DEPRECATED'", "the version document's min_version is '2.2'"]),
])
def test_the_version_document(migrations: Operation, document: dict[str, str], titles: list[str]) -> None:
    facts = {"version_doc": {"id": "v2.1", "min_version": "2.1"}, "version_source": "versions.inc:40"}
    findings = _findings(migrations, {"version": document}, **facts)
    assert [f.title for f in findings] == titles
    assert all(f.check == "CV-0513" for f in findings)
    assert [f.title for f in _findings(migrations, {"versions": []}, **facts)] == ["no version document"]
