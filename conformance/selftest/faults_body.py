"""Faults in response bodies: fields dropped, leaked below their microversion, mistyped, misformatted,
undocumented; and list/show semantics (wrong server, finished migrations listed, show disagreeing)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from conformance.selftest.exchange import Exchange, Version
from conformance.selftest.fault import Fault, Hook, items, route

__all__ = ["BODY_FAULTS"]

Edit = Callable[[dict[str, Any]], bool]

_MISSING = object()
_NAMESPACE = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")  # uuid.NAMESPACE_URL


def _fake_uuid(*parts: object) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(map(str, parts))))


def edit_items(names: set[str], edit: Edit, *, below: Version | None = None, first_only: bool = False) -> Hook:
    """A response hook applying ``edit`` to the migrations of successful GETs of the routes ``names``."""

    def hook(ex: Exchange) -> bool:
        where = route(ex.original)
        if where is None or where.name not in names or ex.original.method != "GET" or ex.response.status != 200:
            return False
        if below is not None and not ex.version < below:
            return False
        body = ex.response.json()
        changed = False
        for item in items(body):
            changed = edit(item) or changed
            if changed and first_only:
                break
        if changed:
            ex.response.set_json(body)
        return changed

    return hook


def drop(name: str) -> Edit:
    def edit(item: dict[str, Any]) -> bool:
        return item.pop(name, _MISSING) is not _MISSING

    return edit


def every(*edits: Edit) -> Edit:
    def edit(item: dict[str, Any]) -> bool:
        return [e(item) for e in edits].count(True) > 0

    return edit


def add(name: str, value: Callable[[dict[str, Any]], Any]) -> Edit:
    def edit(item: dict[str, Any]) -> bool:
        if name in item:
            return False
        item[name] = value(item)
        return True

    return edit


def replace(name: str, value: Callable[[Any], Any]) -> Edit:
    def edit(item: dict[str, Any]) -> bool:
        if name not in item:
            return False
        new = value(item[name])
        changed = new != item[name] or type(new) is not type(item[name])
        item[name] = new
        return changed

    return edit


def _timestamp(text: Any) -> int:
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 1454025600


def _day_month_year(text: Any) -> str:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).strftime("%d/%m/%Y")
    except ValueError:
        return "29/01/2016"


def _swap_computes(item: dict[str, Any]) -> bool:
    source, dest = item.get("source_compute"), item.get("dest_compute")
    if "source_compute" not in item:
        return False
    item["source_compute"] = dest if dest and dest != source else f"{source}-shadow"
    return True


_ADD_OWNER = every(add("user_id", lambda _: "admin-user"),
                   add("project_id", lambda _: uuid.UUID(_fake_uuid("project")).hex))

SERVER = {"list", "migration"}
LIST = {"list"}
SHOW = {"migration"}
OS = {"os-migrations"}

BODY_FAULTS: tuple[Fault, ...] = (
    Fault("drop-status", "GET /servers/{id}/migrations items lack the required 'status'", "body",
          edit_items(LIST, drop("status"))),
    Fault("drop-server-uuid-show", "GET /servers/{id}/migrations/{mid} lacks the required 'server_uuid'", "body",
          edit_items(SHOW, drop("server_uuid"))),
    Fault("uuid-below-2.59", "server migrations carry 'uuid' below 2.59", "body",
          edit_items(SERVER, add("uuid", lambda item: _fake_uuid("migration", item.get("id"))), below=(2, 59))),
    Fault("user-project-below-2.80", "server migrations carry 'user_id' and 'project_id' below 2.80", "body",
          edit_items(SERVER, _ADD_OWNER, below=(2, 80))),
    Fault("os-migrations-uuid-below-2.59", "GET /os-migrations items carry 'uuid' below 2.59", "body",
          edit_items(OS, add("uuid", lambda item: _fake_uuid("migration", item.get("id"))), below=(2, 59))),
    Fault("os-migrations-user-project-below-2.80", "GET /os-migrations items carry 'user_id'/'project_id' below 2.80",
          "body", edit_items(OS, _ADD_OWNER, below=(2, 80))),
    Fault("id-as-string", "server migration 'id' is a string (\"1\") instead of an integer", "body",
          edit_items(SERVER, replace("id", str))),
    Fault("created-at-integer", "server migration 'created_at' is a Unix timestamp integer", "body",
          edit_items(SERVER, replace("created_at", _timestamp))),
    Fault("memory-total-string", "server migration 'memory_total_bytes' is a string", "body",
          edit_items(SERVER, replace("memory_total_bytes", lambda v: str(v if v is not None else 1073741824)))),
    Fault("created-at-day-month-year", "server migration 'created_at' is \"29/01/2016\", not ISO 8601", "body",
          edit_items(SERVER, replace("created_at", _day_month_year))),
    Fault("os-migrations-updated-at-day-month-year", "GET /os-migrations 'updated_at' is \"29/01/2016\"", "body",
          edit_items(OS, replace("updated_at", lambda v: _day_month_year(v) if v is not None else "29/01/2016"))),
    Fault("undocumented-field", "server migrations carry the undocumented 'instance_uuid'", "body",
          edit_items(SERVER, add("instance_uuid", lambda item: item.get("server_uuid")))),
    Fault("show-source-compute-differs", "show returns another 'source_compute' than the list holds", "semantics",
          edit_items(SHOW, _swap_computes)),
    Fault("list-foreign-migration", "the server's list holds a migration of another server", "semantics",
          edit_items(LIST, replace("server_uuid", lambda v: _fake_uuid("other-server", v)), first_only=True)),
    Fault("list-holds-finished", "the server's list holds a 'completed' migration (in-progress only)", "semantics",
          edit_items(LIST, replace("status", lambda v: "completed"), first_only=True)),
)
