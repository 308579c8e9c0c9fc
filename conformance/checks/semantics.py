"""Semantics: what a body means, beyond its shape.

These checks need facts only the test knows (which server the path named,
what the list showed, which filter was sent); the test passes them in
``CheckContext.extra`` and a check whose facts are absent does not apply.
A check whose facts are given never passes without checking: a success that
holds no collection, or an item without the field a fact is about, is a finding.

=================  ==========================================================
``server_id``      every migration listed or shown belongs to this server
``in_progress``    True: the list holds in-progress migrations only
``listed``         the migration as the list showed it: show (or another list) must match
``compared``       with ``listed``: the field names to compare (default: all but updated_at)
``filters``        ``{field: value}``: every listed item has these values
``limit``          the page holds at most this many items
``ordered``        True: newest first, by ``created_at`` then ``id``
``newer``          ``(later_id, earlier_id)``: the migration started later is listed before the other
``postcondition``  ``(migration_id, status, sentence)``: the migration reached it
=================  ==========================================================
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["FINISHED_STATUSES", "checked_collection", "collection", "items", "semantic_finding"]

FINISHED_STATUSES = frozenset({"accepted", "completed", "confirmed", "reverted", "error", "failed", "cancelled",
                               "done"})
"""Statuses of migrations that are no longer in progress (Nova's own list, ``migration.py``)."""


def collection(body: Any) -> list[dict[str, Any]] | None:
    """The items a list or show body holds, or None when the body holds no recognisable collection.

    A list body is an object with one array of objects beside its ``*_links`` (``{"migrations": [...],
    "migrations_links": [...]}``); a show body an object with one object (``{"migration": {...}}``).
    """
    if not isinstance(body, dict):
        return None
    members = {key: value for key, value in body.items() if not str(key).endswith("_links")}
    if len(members) != 1:
        return None
    (value,) = members.values()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)] if all(isinstance(i, dict) for i in value) \
            else None
    return [value] if isinstance(value, dict) else None


def items(body: Any) -> list[dict[str, Any]]:
    """The items a list or show body holds (empty when it holds none, or is not a collection)."""
    return collection(body) or []


def _body(exchange: Exchange) -> Any:
    if not 200 <= exchange.response.status < 300:
        return None
    try:
        return exchange.response.json()
    except ValueError:
        return None


def _collection(ctx: CheckContext, exchange: Exchange, check_id: str, fact: str,
                found: list[Finding]) -> list[dict[str, Any]]:
    """The items a semantic check looks at; a success that holds none is a finding (the fact is unverifiable)."""
    if not 200 <= exchange.response.status < 300:
        return []
    listed = collection(_body(exchange))
    if listed is None:
        found.append(_finding(ctx, exchange, check_id, f"no list of items to check {fact} against",
                              exchange.response.text()[:200], "a list (or show) body of the documented resource"))
        return []
    return listed


def _missing(ctx: CheckContext, exchange: Exchange, check_id: str, item: dict[str, Any], name: str,
             fact: str) -> Finding:
    return _finding(ctx, exchange, check_id, f"item {item.get('id')!r} has no `{name}`: {fact} cannot be shown",
                    f"the keys {sorted(item)[:20]}", f"`{name}` on every item, to show {fact}")


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, received: str, documented: str,
             severity: Severity = Severity.HIGH, source: str | None = None, requirement: str | None = None) -> Finding:
    return Finding(check=check_id, title=title, severity=severity, operation=ctx.label,
                   microversion=ctx.version_text, received=received, documented=documented,
                   source=source or str(ctx.operation.source),
                   requirement=requirement or ctx.operation.description.split(". ")[0][:200] or None,
                   exchange=exchange)


@check(id="CV-0501", family="semantics", severity=Severity.HIGH)
def migrations_belong_to_server(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Every migration listed or shown under /servers/{server_id} belongs to that server."""
    server_id = ctx.extra.get("server_id")
    if server_id is None:
        return
    found: list[Finding] = []
    for index, migration in enumerate(_collection(ctx, exchange, "CV-0501", "the server", found)):
        if "server_uuid" not in migration:
            found.append(_missing(ctx, exchange, "CV-0501", migration, "server_uuid", "that it belongs to the server"))
        elif migration["server_uuid"] != server_id:
            found.append(_finding(ctx, exchange, "CV-0501", f"migration #{index} belongs to another server",
                                  f"server_uuid {migration['server_uuid']!r} (id {migration.get('id')!r})",
                                  f"the server in the path, {server_id}"))
    yield from found


@check(id="CV-0502", family="semantics", severity=Severity.HIGH)
def in_progress_only(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The server's migration list holds in-progress migrations only."""
    if not ctx.extra.get("in_progress"):
        return
    found: list[Finding] = []
    for migration in _collection(ctx, exchange, "CV-0502", "the status", found):
        if "status" not in migration:
            found.append(_missing(ctx, exchange, "CV-0502", migration, "status", "that it is in progress"))
        elif str(migration["status"]).lower() in FINISHED_STATUSES:
            found.append(_finding(ctx, exchange, "CV-0502", f"finished migration {migration.get('id')!r} is listed",
                                  f"status {migration.get('status')!r}", "in-progress migrations only"))
    yield from found


@check(id="CV-0503", family="semantics", severity=Severity.HIGH)
def show_matches_list(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Showing a migration (or listing it elsewhere) returns the object the list holds for it, field for field."""
    listed = ctx.extra.get("listed")
    if listed is None:
        return
    found: list[Finding] = []
    shown = _collection(ctx, exchange, "CV-0503", "the listed item", found)
    if found or not 200 <= exchange.response.status < 300:
        yield from found
        return
    same = shown[0] if len(shown) == 1 else next((item for item in shown if item.get("id") == listed.get("id")), None)
    if same is None:
        yield _finding(ctx, exchange, "CV-0503", f"item {listed.get('id')!r} is not there",
                       exchange.response.text()[:200], "the item as listed")
        return
    # updated_at moves while a migration progresses; every other field must agree (or the ones compared).
    compared = ctx.extra.get("compared") or (set(listed) | set(same)) - {"updated_at"}
    differing = sorted(key for key in compared if listed.get(key) != same.get(key))
    if differing:
        yield _finding(ctx, exchange, "CV-0503", "show differs from the list in " + ", ".join(differing),
                       ", ".join(f"{k}={same.get(k)!r}" for k in differing),
                       ", ".join(f"{k}={listed.get(k)!r}" for k in differing) + " (as listed)")


@check(id="CV-0504", family="semantics", severity=Severity.HIGH)
def filters_respected(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A filtered list holds only items that match the filter."""
    filters: dict[str, Any] = ctx.extra.get("filters") or {}
    if not filters:
        return
    found: list[Finding] = []
    for migration in _collection(ctx, exchange, "CV-0504", "the filter", found):
        for name, value in filters.items():
            if name not in migration:
                found.append(_missing(ctx, exchange, "CV-0504", migration, name, f"the filter {name}={value}"))
                break
            if migration[name] != value:
                found.append(_finding(ctx, exchange, "CV-0504", f"filter {name}={value} not applied",
                                      f"item {migration.get('id')!r} has {name}={migration[name]!r}",
                                      f"only items with {name}={value!r}"))
                break
    yield from found


@check(id="CV-0505", family="semantics", severity=Severity.HIGH)
def page_within_limit(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A page holds at most ``limit`` items, and names the next page when it is full."""
    limit = ctx.extra.get("limit")
    if limit is None:
        return
    found: list[Finding] = []
    listed = _collection(ctx, exchange, "CV-0505", "the limit", found)
    yield from found
    body = _body(exchange)
    if found or not isinstance(body, dict):
        return
    if len(listed) > limit:
        yield _finding(ctx, exchange, "CV-0505", f"{len(listed)} items for limit={limit}",
                       f"{len(listed)} items", f"at most {limit}")
    links = next((value for key, value in body.items() if str(key).endswith("_links")), None)
    has_next = isinstance(links, list) and any(isinstance(link, dict) and link.get("rel") == "next"
                                               for link in links)
    if len(listed) == limit and not has_next:
        yield _finding(ctx, exchange, "CV-0505", "a full page has no next link",
                       f"links: {links!r}", "a `next` link in the *_links list when the page is full")


@check(id="CV-0506", family="semantics", severity=Severity.MEDIUM)
def newest_first(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Paginated migrations come newest first: by created_at, then id, descending (``newer``: one started later
    precedes one started earlier)."""
    newer = ctx.extra.get("newer")
    if not ctx.extra.get("ordered") and newer is None:
        return
    found: list[Finding] = []
    listed = _collection(ctx, exchange, "CV-0506", "the order", found)
    lacking = next((m for m in listed if "created_at" not in m or not isinstance(m.get("id"), int)), None)
    if lacking is not None:
        name = "created_at" if "created_at" not in lacking else "id"
        found.append(_missing(ctx, exchange, "CV-0506", lacking, f"{name} (an integer id)" if name == "id" else name,
                              "the order"))
    yield from found
    if found:
        return
    ids = [m["id"] for m in listed]
    if newer is not None:
        later, earlier = newer
        if later not in ids or (earlier in ids and ids.index(later) > ids.index(earlier)):
            yield _finding(ctx, exchange, "CV-0506", f"migration {later} (started later) does not come before "
                           f"{earlier}", f"the ids in order: {ids[:10]}", f"{later} listed before {earlier}",
                           Severity.MEDIUM)
            return
    keys = [(str(m["created_at"]), m["id"]) for m in listed]
    for position, (before, after) in enumerate(itertools.pairwise(keys)):
        if before < after:
            yield _finding(ctx, exchange, "CV-0506", f"items #{position} and #{position + 1} are not newest first",
                           f"{before} then {after}", "sorted by created_at then id, descending", Severity.MEDIUM)
            return


@check(id="CV-0601", family="postconditions", severity=Severity.HIGH)
def postcondition_reached(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """After an asynchronous action is accepted, the migration reaches the state the api-ref promises."""
    wanted = ctx.extra.get("postcondition")
    if wanted is None:
        return
    migration_id, status, sentence = wanted
    found = [m for m in items(_body(exchange)) if m.get("id") == migration_id]
    got = found[0].get("status") if found else None
    if got != status:
        yield _finding(ctx, exchange, "CV-0601", f"migration {migration_id} never reached {status}",
                       f"status {got!r} when the wait ended" if found else f"migration {migration_id} not listed",
                       f"status {status!r}", source=str(sentence.source) if sentence else None,
                       requirement=sentence.text if sentence else None)


def _instant(text: Any) -> Any:
    """A timestamp as Nova writes it (``2016-01-29T13:42:02.000000``, zone optional: UTC) as an aware datetime."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@check(id="CV-0507", family="semantics", severity=Severity.HIGH)
def changes_window_respected(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """changes-since and changes-before return only migrations updated inside the window."""
    since, before = _instant(ctx.extra.get("changes_since")), _instant(ctx.extra.get("changes_before"))
    if since is None and before is None:
        return
    window = f"{ctx.extra.get('changes_since') or '...'} to {ctx.extra.get('changes_before') or '...'}"
    found: list[Finding] = []
    for migration in _collection(ctx, exchange, "CV-0507", "the changes window", found):
        stamp = migration.get("updated_at") or migration.get("created_at")
        updated = _instant(stamp)
        if updated is None:
            found.append(_finding(ctx, exchange, "CV-0507", f"item {migration.get('id')!r} has no readable "
                                  "updated_at or created_at", f"updated_at {migration.get('updated_at')!r}, "
                                  f"created_at {migration.get('created_at')!r}",
                                  f"a time stamp to show it was updated within {window}"))
        elif (since is not None and updated < since) or (before is not None and updated > before):
            found.append(_finding(ctx, exchange, "CV-0507", f"migration {migration.get('id')!r} is outside the "
                                  "changes window", f"updated_at {migration.get('updated_at')!r}",
                                  f"updated within {window}"))
    yield from found


checked_collection = _collection
"""The items a semantic check looks at, a missing collection appended to ``found`` (for the other fact checks)."""
semantic_finding = _finding
"""A finding of a semantic check, in the context's words."""
