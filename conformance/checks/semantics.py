"""Semantics: what a body means, beyond its shape.

These checks need facts only the test knows (which server the path named,
what the list showed, which filter was sent); the test passes them in
``CheckContext.extra`` and a check whose facts are absent does not apply:

=================  ==========================================================
``server_id``      every migration listed or shown belongs to this server
``in_progress``    True: the list holds in-progress migrations only
``listed``         the migration as the list showed it: show must match
``filters``        ``{field: value}``: every listed item has these values
``limit``          the page holds at most this many items
``ordered``        True: newest first, by ``created_at`` then ``id``
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

__all__ = ["FINISHED_STATUSES", "items"]

FINISHED_STATUSES = frozenset({"accepted", "completed", "confirmed", "reverted", "error", "failed", "cancelled",
                               "done"})
"""Statuses of migrations that are no longer in progress (Nova's own list, ``migration.py``)."""


def items(body: Any) -> list[dict[str, Any]]:
    """The migrations a list or show body holds."""
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("migrations"), list):
        return [item for item in body["migrations"] if isinstance(item, dict)]
    if isinstance(body.get("migration"), dict):
        return [body["migration"]]
    return []


def _body(exchange: Exchange) -> Any:
    if not 200 <= exchange.response.status < 300:
        return None
    try:
        return exchange.response.json()
    except ValueError:
        return None


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
    for index, migration in enumerate(items(_body(exchange))):
        if "server_uuid" in migration and migration["server_uuid"] != server_id:
            yield _finding(ctx, exchange, "CV-0501", f"migration #{index} belongs to another server",
                           f"server_uuid {migration['server_uuid']!r} (id {migration.get('id')!r})",
                           f"the server in the path, {server_id}")


@check(id="CV-0502", family="semantics", severity=Severity.HIGH)
def in_progress_only(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The server's migration list holds in-progress migrations only."""
    if not ctx.extra.get("in_progress"):
        return
    for migration in items(_body(exchange)):
        if str(migration.get("status", "")).lower() in FINISHED_STATUSES:
            yield _finding(ctx, exchange, "CV-0502", f"finished migration {migration.get('id')!r} is listed",
                           f"status {migration.get('status')!r}", "in-progress migrations only")


@check(id="CV-0503", family="semantics", severity=Severity.HIGH)
def show_matches_list(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Showing a migration returns the object the list holds for it, field for field."""
    listed = ctx.extra.get("listed")
    shown = items(_body(exchange))
    if listed is None or not shown:
        return
    # updated_at moves while a migration progresses; every other field must agree.
    differing = sorted(key for key in set(listed) | set(shown[0])
                       if key != "updated_at" and listed.get(key) != shown[0].get(key))
    if differing:
        yield _finding(ctx, exchange, "CV-0503", "show differs from the list in " + ", ".join(differing),
                       ", ".join(f"{k}={shown[0].get(k)!r}" for k in differing),
                       ", ".join(f"{k}={listed.get(k)!r}" for k in differing) + " (as listed)")


@check(id="CV-0504", family="semantics", severity=Severity.HIGH)
def filters_respected(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A filtered list holds only items that match the filter."""
    filters: dict[str, Any] = ctx.extra.get("filters") or {}
    for migration in items(_body(exchange)):
        for name, value in filters.items():
            if name in migration and migration[name] != value:
                yield _finding(ctx, exchange, "CV-0504", f"filter {name}={value} not applied",
                               f"migration {migration.get('id')!r} has {name}={migration[name]!r}",
                               f"only migrations with {name}={value!r}")
                break


@check(id="CV-0505", family="semantics", severity=Severity.HIGH)
def page_within_limit(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A page holds at most ``limit`` items, and names the next page when it is full."""
    limit = ctx.extra.get("limit")
    body = _body(exchange)
    if limit is None or body is None:
        return
    listed = items(body)
    if len(listed) > limit:
        yield _finding(ctx, exchange, "CV-0505", f"{len(listed)} items for limit={limit}",
                       f"{len(listed)} items", f"at most {limit}")
    links = body.get("migrations_links") if isinstance(body, dict) else None
    has_next = isinstance(links, list) and any(isinstance(link, dict) and link.get("rel") == "next"
                                               for link in links)
    if len(listed) == limit and not has_next:
        yield _finding(ctx, exchange, "CV-0505", "a full page has no next link",
                       f"migrations_links: {links!r}", "a `next` link in migrations_links when the page is full")


@check(id="CV-0506", family="semantics", severity=Severity.MEDIUM)
def newest_first(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Paginated migrations come newest first: by created_at, then id, descending."""
    if not ctx.extra.get("ordered"):
        return
    listed = items(_body(exchange))
    keys = [(str(m.get("created_at")), m.get("id") if isinstance(m.get("id"), int) else 0) for m in listed]
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
    for migration in items(_body(exchange)):
        updated = _instant(migration.get("updated_at") or migration.get("created_at"))
        if updated is None:
            continue
        if (since is not None and updated < since) or (before is not None and updated > before):
            window = f"{ctx.extra.get('changes_since') or '...'} to {ctx.extra.get('changes_before') or '...'}"
            yield _finding(ctx, exchange, "CV-0507", f"migration {migration.get('id')!r} is outside the changes "
                           "window", f"updated_at {migration.get('updated_at')!r}", f"updated within {window}")
