"""Faults in behaviour: preconditions not enforced, postconditions never reached, and os-migrations
pagination and filtering broken."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from conformance.selftest.exchange import Exchange
from conformance.selftest.fault import Fault, Hook, items, route
from conformance.selftest.faults_protocol import ABORT, FORCE_COMPLETE, Match

__all__ = ["BEHAVIOUR_FAULTS"]

# Fields of a server migration by the microversion that added them (api-ref server-migrations.inc).
_FIELDS_2_23 = frozenset({
    "created_at", "dest_compute", "dest_host", "dest_node", "disk_processed_bytes", "disk_remaining_bytes",
    "disk_total_bytes", "id", "memory_processed_bytes", "memory_remaining_bytes", "memory_total_bytes",
    "server_uuid", "source_compute", "source_node", "status", "updated_at",
})
_FIELDS_BY_VERSION = (((2, 80), {"user_id", "project_id"}), ((2, 59), {"uuid"}))

# Query parameters GET /os-migrations knows (api-ref os-migrations.inc, up to 2.80).
_OS_MIGRATIONS_QUERY = frozenset({
    "hidden", "host", "instance_uuid", "status", "cell_name", "migration_type", "source_compute", "limit",
    "marker", "changes-since", "changes-before", "user_id", "project_id",
})


# ---------------------------------------------------------------- preconditions
def _accept_refusal(matches: Match) -> Hook:
    """``matches``' refusal (400 or 409) answered 202, as if the precondition held."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status not in {400, 409} or not matches(ex):
            return False
        ex.response.status = 202
        ex.response.content = b""
        ex.response.headers.pop("Content-Type", None)
        return True

    return hook


def _valid_force_complete(ex: Exchange) -> bool:
    # Only the documented body: an invalid body's 400 is another check's business.
    return FORCE_COMPLETE(ex) and ex.original.json() == {"force_complete": None}


# ---------------------------------------------------------------- postconditions
def _visible_fields(version: tuple[int, int]) -> set[str]:
    fields = set(_FIELDS_2_23)
    for since, added in _FIELDS_BY_VERSION:
        if version >= since:
            fields |= added
    return fields


def _stuck(action: str) -> tuple[Hook, Hook]:
    """After a 202 ``action`` through the proxy, the migration keeps showing ``running``.

    The state remembers the migration as last seen (fetched before the action
    is forwarded); later lists, shows and os-migrations are rewritten so it
    stays running and stays in the server's in-progress list.
    """
    matches = FORCE_COMPLETE if action == "force_complete" else ABORT

    def snapshot(ex: Exchange) -> bool:
        if not matches(ex):
            return False
        where = route(ex.original)
        assert where is not None
        show = ex.request.copy()
        show.method, show.body, show.query = "GET", b"", []
        show.path = show.path.removesuffix("/").removesuffix("/action")
        show.set_version("latest")
        show.headers.pop("Content-Type", None)
        answer = ex.forward(show)
        item = next(items(answer.json()), None) if answer.status == 200 else None
        with ex.lock:
            ex.state.setdefault("pending", {})[where.migration] = (where.server, item)
        return False

    def rewrite(ex: Exchange) -> bool:
        where = route(ex.original)
        if where is None:
            return False
        with ex.lock:
            if matches(ex):
                server, item = ex.state.setdefault("pending", {}).pop(where.migration, (where.server, None))
                if ex.response.status == 202:
                    ex.state.setdefault("stuck", {})[str(where.migration)] = (server, item)
                return False
            stuck: dict[str, tuple[str, dict[str, Any] | None]] = dict(ex.state.get("stuck", {}))
        if not stuck or ex.original.method != "GET":
            return False
        if where.name == "os-migrations" and ex.response.status == 200:
            return _keep_running(ex, stuck, insert_for=None)
        if where.name == "list" and ex.response.status == 200:
            return _keep_running(ex, stuck, insert_for=where.server)
        if where.name == "migration" and str(where.migration) in stuck and ex.version >= (2, 23):
            if ex.response.status == 200:
                return _keep_running(ex, stuck, insert_for=None)
            server, item = stuck[str(where.migration)]
            if ex.response.status == 404 and item is not None and server == where.server:
                fields = _visible_fields(ex.version)
                ex.response.status = 200
                ex.response.set_json({"migration": {k: v for k, v in item.items() if k in fields} | {
                    "status": "running"}})
                return True
        return False

    return snapshot, rewrite


def _keep_running(ex: Exchange, stuck: dict[str, tuple[str, dict[str, Any] | None]], insert_for: str | None) -> bool:
    body = ex.response.json()
    changed = False
    present = set()
    for item in items(body):
        present.add(str(item.get("id")))
        if str(item.get("id")) in stuck and item.get("status") != "running":
            item["status"] = "running"
            changed = True
    if insert_for is not None and isinstance(body, dict) and isinstance(body.get("migrations"), list):
        fields = _visible_fields(ex.version)
        for migration, (server, last) in stuck.items():
            if server == insert_for and migration not in present and last is not None:
                body["migrations"].append({k: v for k, v in copy.deepcopy(last).items() if k in fields} | {
                    "status": "running"})
                changed = True
    if changed:
        ex.response.set_json(body)
    return changed


# ---------------------------------------------------------------- os-migrations
def _drop_query(*names: str, since: tuple[int, int] = (2, 1)) -> Hook:
    def hook(ex: Exchange) -> bool:
        where = route(ex.original)
        asked = ex.original.version
        if where is None or where.name != "os-migrations" or asked is None or asked < since:
            return False
        kept = [(k, v) for k, v in ex.request.query if k not in names]
        changed = len(kept) != len(ex.request.query)
        ex.request.query = kept
        return changed

    return hook


def _os_migrations(ex: Exchange) -> dict[str, Any] | None:
    where = route(ex.original)
    if where is None or where.name != "os-migrations" or ex.original.method != "GET" or ex.response.status != 200:
        return None
    body = ex.response.json()
    return body if isinstance(body, dict) and isinstance(body.get("migrations"), list) else None


def _drop_links(ex: Exchange) -> bool:
    body = _os_migrations(ex)
    if body is None or "migrations_links" not in body:
        return False
    del body["migrations_links"]
    ex.response.set_json(body)
    return True


def _ascending(ex: Exchange) -> bool:
    body = _os_migrations(ex)
    if body is None or len(body["migrations"]) < 2:
        return False
    body["migrations"].reverse()
    ex.response.set_json(body)
    return True


def _links_below_2_59(ex: Exchange) -> bool:
    body = _os_migrations(ex)
    if body is None or "migrations_links" in body or not ex.version < (2, 59) or not body["migrations"]:
        return False
    host = ex.request.headers.get("Host", "localhost")
    last = body["migrations"][-1].get("id")
    body["migrations_links"] = [{"rel": "next", "href": f"http://{host}{ex.request.path}?marker={last}"}]
    ex.response.set_json(body)
    return True


def _retry_without(select: Callable[[Exchange], list[tuple[str, str]] | None]) -> Hook:
    """A 400 from GET /os-migrations answered by re-asking with the query ``select`` keeps."""

    def hook(ex: Exchange) -> bool:
        where = route(ex.original)
        if where is None or where.name != "os-migrations" or ex.response.status != 400:
            return False
        kept = select(ex)
        if kept is None or kept == ex.request.query:
            return False
        retry = ex.request.copy()
        retry.query = kept
        answer = ex.forward(retry)
        if answer.status != 200:
            return False
        ex.response = answer
        return True

    return hook


def _known_only(ex: Exchange) -> list[tuple[str, str]] | None:
    asked = ex.original.version
    if asked is None or asked < (2, 80):
        return None
    return [(k, v) for k, v in ex.request.query if k in _OS_MIGRATIONS_QUERY]


def _no_marker(ex: Exchange) -> list[tuple[str, str]] | None:
    return [(k, v) for k, v in ex.request.query if k != "marker"]


_FORCE_STUCK = _stuck("force_complete")
_ABORT_STUCK = _stuck("abort")

BEHAVIOUR_FAULTS: tuple[Fault, ...] = (
    Fault("force-complete-precondition-ignored",
          "force_complete of a migration that is not running (400/409) accepted with 202", "preconditions",
          _accept_refusal(_valid_force_complete)),
    Fault("abort-precondition-ignored", "abort of a migration that is not running (400/409) accepted with 202",
          "preconditions", _accept_refusal(ABORT)),
    Fault("force-complete-never-completes",
          "after a 202 force_complete the migration stays 'running' in show, list and os-migrations",
          "postconditions", on_request=_FORCE_STUCK[0], on_response=_FORCE_STUCK[1]),
    Fault("abort-never-cancels",
          "after a 202 abort the migration stays 'running' in show, list and os-migrations",
          "postconditions", on_request=_ABORT_STUCK[0], on_response=_ABORT_STUCK[1]),
    Fault("os-migrations-limit-ignored", "GET /os-migrations ignores 'limit' (from 2.59)", "os-migrations",
          on_request=_drop_query("limit", since=(2, 59))),
    Fault("os-migrations-next-link-missing", "GET /os-migrations omits 'migrations_links' (from 2.59)",
          "os-migrations", _drop_links),
    Fault("os-migrations-ascending", "GET /os-migrations is ordered oldest first (documented: newest first)",
          "os-migrations", _ascending),
    Fault("os-migrations-links-below-2.59", "GET /os-migrations carries 'migrations_links' below 2.59",
          "os-migrations", _links_below_2_59),
    Fault("os-migrations-changes-since-ignored", "GET /os-migrations ignores 'changes-since'", "os-migrations",
          on_request=_drop_query("changes-since")),
    Fault("os-migrations-owner-filters-ignored", "GET /os-migrations ignores 'user_id'/'project_id' (from 2.80)",
          "os-migrations", on_request=_drop_query("user_id", "project_id", since=(2, 80))),
    Fault("os-migrations-unknown-query-accepted",
          "GET /os-migrations with an unknown query parameter answered 200 at 2.80 (400 expected)",
          "os-migrations", _retry_without(_known_only)),
    Fault("os-migrations-bad-marker-accepted", "GET /os-migrations with an unknown marker answered 200 (400 expected)",
          "os-migrations", _retry_without(_no_marker)),
)
