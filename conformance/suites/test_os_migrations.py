"""GET /os-migrations: fields per microversion, filters, pagination, time windows, strict query parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given

from conformance.checks import Answer, Inconclusive, assert_conforms
from conformance.model import Microversion, Operation
from conformance.strategies import unknown_ids
from conformance.suites.api import Api
from conformance.suites.workload import PREFIX, Migration, NotAvailable, Workload

OS_MIGRATIONS = ("GET", "/os-migrations")
SERVER_MIGRATIONS = ("GET", "/servers/{server_id}/migrations")

pytestmark = pytest.mark.operation(*OS_MIGRATIONS)

_STILL_ATTEMPTS = 3
"""Tries at reading pages while the whole list holds still (another client may be migrating)."""


def _ids(exchange: Any) -> list[Any]:
    """The ids of the migrations a list holds: each item an object with an id, or a finding."""
    answer = Answer(exchange)
    migrations: list[dict[str, Any]] = answer.objects("migrations")
    return [answer.value(item, "id", where=("migrations", index)) for index, item in enumerate(migrations)]


def _latest(api: Api, operation: Operation) -> Microversion:
    served = api.plan.served(operation)
    if not served:
        pytest.skip(f"no tested microversion serves {operation.method} {operation.path}")
    return served[-1]


def _with(operation: Operation, name: str, version: Microversion) -> None:
    """Skip unless the api-ref documents query parameter ``name`` at ``version``."""
    parameter = next((p for p in operation.parameters_in("query") if p.name == name), None)
    if parameter is None:
        pytest.skip(f"the api-ref documents no query parameter {name}")
    if version not in parameter.versions:
        pytest.skip(f"{name} is documented for {parameter.versions} only ({parameter.source})")


def test_fields_per_microversion(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """Every migration has exactly the fields of the requested version (uuid from 2.59, user/project from 2.80)."""
    api.exercise(operation, version, expect=api.context(operation, version, contains=running.id))


def test_filter_by_server(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """instance_uuid filters by server."""
    api.exercise(operation, version, params={"instance_uuid": running.server_id},
                 expect=api.context(operation, version, filters={"instance_uuid": running.server_id}))


def test_filter_by_status_and_type(api: Api, operation: Operation, running: Migration,
                                   version: Microversion) -> None:
    params = {"status": "running", "migration_type": "live-migration"}
    filters = {"status": "running"}
    if version >= Microversion(2, 23):
        filters["migration_type"] = "live-migration"
    api.exercise(operation, version, params=params, expect=api.context(operation, version, filters=filters))


@pytest.mark.served_with(*SERVER_MIGRATIONS)
def test_show_in_server_list_agrees(api: Api, operation: Operation, running: Migration,
                                    version: Microversion) -> None:
    """The migration GET /os-migrations lists is the one the server's migration list shows."""
    listing = api.exercise(operation, version, params={"instance_uuid": running.server_id},
                           expect=api.context(operation, version, contains=running.id,
                                              filters={"instance_uuid": running.server_id}))
    ours = next(m for m in Answer(listing).objects("migrations") if m.get("id") == running.id)
    server_list = api.operation(*SERVER_MIGRATIONS)
    api.exercise(server_list, version, path={"server_id": running.server_id},
                 expect=api.context(server_list, version, contains=running.id, listed=ours,
                                    compared=("status", "source_compute", "dest_compute", "created_at")))


def _whole(api: Api, operation: Operation, version: Microversion) -> list[Any]:
    return _ids(api.exercise(operation, version, expect=api.context(operation, version, ordered=True)))


def _while_still(api: Api, operation: Operation, version: Microversion,
                 pages: Callable[[], Callable[[list[Any]], None]]) -> None:
    """Read pages (``pages()`` returns the comparison to make) between two reads of the whole list, and compare
    only when the list held still: other clients start and finish migrations meanwhile."""
    for _ in range(_STILL_ATTEMPTS):
        before = _whole(api, operation, version)
        compare = pages()
        if _whole(api, operation, version) == before:
            compare(before)
            return
    raise Inconclusive(f"the migrations list changed during each of {_STILL_ATTEMPTS} attempts (other clients are "
                       "migrating): paging not compared")


def _two_at_least(api: Api, operation: Operation, version: Microversion, workload: Workload) -> None:
    """Paging is shown only with something on the second page: with one migration, start another one
    (--allow-destructive), else the comparison is the weaker one of a list that ends after one page."""
    if len(_whole(api, operation, version)) < 2 and workload.destructive:
        workload.fresh_migration()


@pytest.mark.parameter("limit")
def test_pagination(api: Api, operation: Operation, running: Migration, version: Microversion,
                    workload: Workload) -> None:
    """limit and marker page through the migrations newest first, with a next link while a page is full."""
    _with(operation, "limit", version)
    _two_at_least(api, operation, version, workload)

    def pages() -> Callable[[list[Any]], None]:
        first = api.exercise(operation, version, params={"limit": 1},
                             expect=api.context(operation, version, limit=1, ordered=True))
        marker = Answer(first).get("migrations", 0, "uuid", kind=str)  # limit=1 while one runs: a full page
        second = api.exercise(operation, version, params={"limit": 2, "marker": marker},
                              expect=api.context(operation, version, limit=2, ordered=True))

        def compare(whole: list[Any]) -> None:
            assert_conforms(api.context(operation, version, limit=1, continues=(whole, 0)), first, ["CV-0512"])
            assert_conforms(api.context(operation, version, limit=2, continues=(whole, 1)), second, ["CV-0512"])
        return compare

    _while_still(api, operation, version, pages)


@pytest.mark.parameter("limit")
def test_next_link_leads_to_the_next_page(api: Api, operation: Operation, running: Migration,
                                          version: Microversion, workload: Workload) -> None:
    """A full page's next link leads to the page that follows it in the whole list (empty only when the list ends)."""
    _with(operation, "limit", version)
    _two_at_least(api, operation, version, workload)

    def pages() -> Callable[[list[Any]], None]:
        first = api.exercise(operation, version, params={"limit": 1}, expect=api.context(operation, version, limit=1))
        answer = Answer(first)
        links = answer.get("migrations_links", kind=list)  # a full page names its next page (CV-0505)
        following = [link.get("href") for link in links if isinstance(link, dict) and link.get("rel") == "next"]
        assert following and isinstance(following[0], str), f"the full page has no next link with an href: {links}"
        second = api.exercise(operation, version, path=None, url=following[0],
                              expect=api.context(operation, version, ordered=True, limit=1))

        def compare(whole: list[Any]) -> None:
            assert_conforms(api.context(operation, version, limit=1, continues=(whole, 0)), first, ["CV-0512"])
            assert_conforms(api.context(operation, version, limit=1, continues=(whole, 1)), second, ["CV-0512"])
        return compare

    _while_still(api, operation, version, pages)


@pytest.mark.destructive
def test_newest_first(api: Api, operation: Operation, running: Migration, workload: Workload) -> None:
    """From 2.59 the list comes newest first: a migration started now precedes an older one, at every paginated
    version.

    Ordering needs two migrations; a target with one gets a fresh one (--allow-destructive) or the
    test is skipped as not exercised.
    """
    limit = next((p for p in operation.parameters_in("query") if p.name == "limit"), None)
    if limit is None:
        pytest.skip("the api-ref documents no pagination for GET /os-migrations")
    versions = [v for v in api.plan.served(operation) if v in limit.versions]
    if not versions:
        pytest.skip(f"no tested microversion is in {limit.versions}, where the list is paginated")
    listed = _ids(api.exercise(operation, versions[-1]))
    newest = None
    if len(listed) < 2 or workload.destructive:
        try:
            newest = workload.fresh_migration()
        except NotAvailable as exc:
            pytest.skip(f"one migration only, so no order to check; {exc}")
    for version in versions:
        listing = api.exercise(operation, version, expect=api.context(operation, version, ordered=True))
        if newest is not None and running.id in _ids(listing):  # other workers may start migrations meanwhile
            assert_conforms(api.context(operation, version, newer=(newest.id, running.id)), listing, ["CV-0506"])


@given(marker=unknown_ids("uuid"))
def test_unknown_marker_is_refused(api: Api, operation: Operation, marker: Any) -> None:
    """A marker that names no migration gets 400 (badRequest), never a 5xx."""
    version = _latest(api, operation)
    _with(operation, "marker", version)
    api.exercise(operation, version, params={"marker": str(marker)},
                 expect=api.error(operation, version, 400, "unknown marker"))


@pytest.mark.parameter("changes-since")
def test_changes_since_and_before(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """changes-since (2.59) and changes-before (2.66) bound the list by updated_at."""
    _with(operation, "changes-since", version)
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    past = "2000-01-01T00:00:00Z"
    empty = api.exercise(operation, version, params={"changes-since": future},
                         expect=api.context(operation, version, changes_since=future))
    assert _ids(empty) == [], "changes-since a future time returned migrations"
    api.exercise(operation, version, params={"changes-since": past},
                 expect=api.context(operation, version, changes_since=past))
    if version >= Microversion(2, 66):
        _with(operation, "changes-before", version)
        api.exercise(operation, version, params={"changes-before": past},
                     expect=api.context(operation, version, changes_before=past))
        api.exercise(operation, version, params={"changes-since": future, "changes-before": past},
                     expect=api.error(operation, version, 400, "changes-since after changes-before"))


@pytest.mark.parameter("user_id")
def test_user_and_project_filters(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """From 2.80 user_id and project_id filter the list: the owner's value keeps the migration, another drops it."""
    _with(operation, "user_id", version)
    listing = api.exercise(operation, version, params={"instance_uuid": running.server_id},
                           expect=api.context(operation, version, contains=running.id))
    ours = next(m for m in Answer(listing).objects("migrations") if m.get("id") == running.id)
    for name in ("user_id", "project_id"):
        value = Answer(listing).value(ours, name, kind=str, where=("migrations[]",))
        api.exercise(operation, version, params={name: value},
                     expect=api.context(operation, version, filters={name: value}, contains=running.id))
        nobody = f"{PREFIX}nobody"
        api.exercise(operation, version, params={name: nobody},
                     expect=api.context(operation, version, filters={name: nobody}))


def test_unknown_query_parameter(api: Api, operation: Operation, version: Microversion) -> None:
    """From 2.59 the documented query parameters are the only ones accepted (400); before, others are ignored."""
    if version >= Microversion(2, 59):
        _with(operation, "limit", version)
        limit = next(p for p in operation.parameters_in("query") if p.name == "limit")
        expect = api.error(operation, version, 400, "a query parameter the api-ref does not document",
                           source=limit.source, requirement="query parameters of 2.59 and later: "
                           + ", ".join(p.name for p in operation.parameters_in("query") if version in p.versions))
    else:
        expect = api.context(operation, version)
    api.exercise(operation, version, params={"conformance-unknown": "1"}, expect=expect)
