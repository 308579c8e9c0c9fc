"""Faults in the shape of answers, and failures a lenient verdict would have waived.

Each is a hole a certificate could once lie through: an answer the suites read without
checking it (a body that is not JSON, a list where an object belongs, a body nested too
deeply to parse, an empty list where the running migration must be, an empty page after
a full one), or a failure that came with waived findings and was counted as waived. The
selftest kills one only when the certificate says not conformant.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.selftest.exchange import Exchange, Version
from conformance.selftest.fault import Fault, Hook, route

__all__ = ["ANSWER_FAULTS"]

_NEWER: Version = (2, 80)
"""The faults on a server's list fire from here up: below it the suites' own bookkeeping reads the list (at
2.23) to find running migrations, and a fault there would leave every test inconclusive instead of failing."""


def _success(name: str, *, at_least: Version | None = None,
             when: Callable[[Exchange], bool] | None = None) -> Callable[[Exchange], bool]:
    def match(ex: Exchange) -> bool:
        where = route(ex.original)
        if where is None or where.name != name or ex.original.method != "GET" or ex.response.status != 200:
            return False
        if at_least is not None and ex.version < at_least:
            return False
        return when is None or when(ex)

    return match


def _answer(matches: Callable[[Exchange], bool], content: bytes, content_type: str = "application/json") -> Hook:
    def hook(ex: Exchange) -> bool:
        if not matches(ex):
            return False
        ex.response.content = content
        ex.response.headers["Content-Type"] = content_type
        return True

    return hook


def _wrap_in_list(ex: Exchange) -> bool:
    if not _success("migration")(ex):
        return False
    body = ex.response.json()
    if not isinstance(body, dict) or not isinstance(body.get("migration"), dict):
        return False
    ex.response.set_json({"migration": [body["migration"]]})
    return True


def _without_query(ex: Exchange) -> bool:
    return not ex.original.query


def _with_marker(ex: Exchange) -> bool:
    return any(name == "marker" for name, _ in ex.original.query)


def _hide_running(ex: Exchange) -> bool:
    if not _success("os-migrations", when=_without_query)(ex):
        return False
    body = ex.response.json()
    listed = body.get("migrations") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        return False
    kept = [item for item in listed if not (isinstance(item, dict) and item.get("status") == "running")]
    if len(kept) == len(listed):
        return False
    ex.response.set_json({**body, "migrations": kept})
    return True


def _empty_page(ex: Exchange) -> bool:
    if not _success("os-migrations", when=_with_marker)(ex):
        return False
    body = ex.response.json()
    if not isinstance(body, dict) or not body.get("migrations"):
        return False
    ex.response.set_json({key: ([] if key == "migrations" else value) for key, value in body.items()
                          if key != "migrations_links"})
    return True


_DEEP = b'{"migrations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

ANSWER_FAULTS: tuple[Fault, ...] = (
    Fault("list-not-json", "GET /servers/{id}/migrations answers 200 with an HTML page (from 2.80)", "body",
          _answer(_success("list", at_least=_NEWER), b"<html><body>Service maintenance</body></html>",
                  "text/html")),
    Fault("list-deeply-nested", "GET /servers/{id}/migrations answers 200 with JSON nested 100000 deep (from 2.80)",
          "body", _answer(_success("list", at_least=_NEWER), _DEEP)),
    Fault("show-list-for-object", "GET /servers/{id}/migrations/{mid} holds the migration in a list", "body",
          _wrap_in_list),
    Fault("list-empty-while-migrating", "the server's migrations list is empty while it migrates (from 2.80)",
          "semantics", _answer(_success("list", at_least=_NEWER), b'{"migrations": []}')),
    Fault("os-migrations-empty-next-page", "GET /os-migrations with a marker answers an empty page",
          "os-migrations", _empty_page),
    Fault("os-migrations-hides-running", "GET /os-migrations without filters leaves out running migrations (the "
          "other items' waived findings must not hide the failure)", "os-migrations", _hide_running),
)
