"""What a list must hold, given what the test knows is there: an item, the right page, the version document.

Facts in ``CheckContext.extra``, as for the semantics checks (a check whose facts are absent does not apply):

=================  ==========================================================
``contains``       an id: the list holds the item with it (the running migration, ``v2.1``)
``continues``      ``(ids, offset)``: the page holds the items of the whole list ``ids`` from ``offset``
                   on (as many as ``limit``, when given): pages neither skip, repeat nor invent items
``version_doc``    ``{"id": "v2.1", "min_version": "2.1"}``: the version document is that version's,
                   CURRENT or SUPPORTED, with the api-ref's minimum
=================  ==========================================================

These turn what a test would otherwise assert in plain Python into findings on the
exchange that shows them, with the api-ref line and the curl.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.checks.semantics import checked_collection as _collection
from conformance.checks.semantics import semantic_finding as _finding
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["list_continues_the_whole", "listed_item_present", "version_document_matches"]


@check(id="CV-0508", family="semantics", severity=Severity.HIGH)
def listed_item_present(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The list holds the item the test knows is there (the running migration, the current version)."""
    if "contains" not in ctx.extra:
        return
    wanted = ctx.extra["contains"]
    found: list[Finding] = []
    listed = _collection(ctx, exchange, "CV-0508", f"item {wanted!r}", found)
    yield from found
    if found or not 200 <= exchange.response.status < 300:
        return
    ids = [item.get("id") for item in listed]
    if wanted not in ids:
        yield _finding(ctx, exchange, "CV-0508", f"item {wanted!r} is missing from the list", f"the ids {ids[:10]}",
                       f"the list holds {wanted!r}")


@check(id="CV-0512", family="semantics", severity=Severity.HIGH)
def list_continues_the_whole(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A page holds the items the whole list has at its place: none skipped, repeated or invented."""
    if "continues" not in ctx.extra:
        return
    whole, offset = ctx.extra["continues"]
    limit = ctx.extra.get("limit")
    found: list[Finding] = []
    page = [item.get("id") for item in _collection(ctx, exchange, "CV-0512", "the whole list", found)]
    yield from found
    if found or not 200 <= exchange.response.status < 300:
        return
    expected: list[Any] = list(whole[offset:offset + limit] if limit is not None else whole[offset:])
    if page != expected:
        where = f"items #{offset} to #{offset + len(expected) - 1}" if expected else f"nothing (the list ends at " \
            f"#{len(whole) - 1})"
        yield _finding(ctx, exchange, "CV-0512", f"the page does not continue the list: {page[:5]} where the "
                       f"whole list has {expected[:5]}", f"the ids {page[:10]}", f"{where} of the whole list "
                       f"{list(whole)[:10]}")


@check(id="CV-0513", family="semantics", severity=Severity.HIGH)
def version_document_matches(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The version document is the requested version's, CURRENT or SUPPORTED, with the api-ref's minimum."""
    wanted: dict[str, Any] | None = ctx.extra.get("version_doc")
    if wanted is None or not 200 <= exchange.response.status < 300:
        return
    body = exchange.response.json_or_none()
    document = body.get("version") if isinstance(body, dict) else None
    if not isinstance(document, dict):
        yield _finding(ctx, exchange, "CV-0513", "no version document", exchange.response.text()[:200],
                       "{\"version\": {...}}")
        return
    if document.get("status") not in ("CURRENT", "SUPPORTED"):
        yield _finding(ctx, exchange, "CV-0513", f"the version is {document.get('status')!r}",
                       f"status {document.get('status')!r}", "CURRENT or SUPPORTED")
    for name, value in wanted.items():
        if document.get(name) != value:
            yield _finding(ctx, exchange, "CV-0513", f"the version document's {name} is {document.get(name)!r}",
                           f"{name} {document.get(name)!r}", f"{name} {value!r} (the api-ref's version document)",
                           source=str(ctx.extra["version_source"]) if ctx.extra.get("version_source") else None)
