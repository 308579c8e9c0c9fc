"""Lists of any API: the page holds at most ``limit`` items, a filter keeps only matching items.

Facts the test passes in ``CheckContext.extra`` (a check whose facts are absent does not apply):

===============  ============================================================================
``page``         ``(items_path, limit)``: the list at ``items_path`` holds at most ``limit`` items
``matching``     ``(items_path, {field: value})``: every listed item has these values
===============  ============================================================================

``items_path`` is the dotted path of the list in the body (``servers``), which the test
takes from the operation's documented response (:func:`listed_field`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.model import Field, Operation
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["list_filter_respected", "list_within_limit", "listed_field"]


def listed_field(operation: Operation) -> Field | None:
    """The top-level array of objects an operation's response documents (``servers``, ``flavors``), or None."""
    arrays = [field for field in operation.response_body
              if field.parameter.type.lower() in ("array", "list") and field.children
              and not field.name.endswith("_links")]
    return arrays[0] if len(arrays) == 1 else None


def _listed(exchange: Exchange, path: str) -> list[Any] | None:
    if not 200 <= exchange.response.status < 300:
        return None
    try:
        value = exchange.response.json()
    except (ValueError, RecursionError):
        return None
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, list) else None


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, received: str,
             documented: str, source: str | None) -> Finding:
    return Finding(check=check_id, title=title, severity=Severity.HIGH, operation=ctx.label,
                   microversion=ctx.version_text, received=received[:300], documented=documented[:300],
                   source=source or str(ctx.operation.source), requirement=None, exchange=exchange)


def _source(ctx: CheckContext, name: str) -> str | None:
    parameter = next((p for p in ctx.operation.parameters_in("query") if p.name == name), None)
    return str(parameter.source) if parameter is not None else None


@check(id="CV-0510", family="semantics", severity=Severity.HIGH)
def list_within_limit(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A list requested with ``limit`` holds at most that many items."""
    facts = ctx.extra.get("page")
    if facts is None:
        return
    path, limit = facts
    listed = _listed(exchange, path)
    if listed is not None and len(listed) > limit:
        yield _finding(ctx, exchange, "CV-0510", f"{len(listed)} items for limit={limit}", f"{len(listed)} items",
                       f"at most {limit} (the limit query parameter)", _source(ctx, "limit"))


@check(id="CV-0511", family="semantics", severity=Severity.HIGH)
def list_filter_respected(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A list filtered by a documented query parameter holds only items with that value."""
    facts = ctx.extra.get("matching")
    if facts is None:
        return
    path, wanted = facts
    for index, item in enumerate(_listed(exchange, path) or []):
        if not isinstance(item, dict):
            continue
        for name, value in wanted.items():
            if name in item and str(item[name]).lower() != str(value).lower():
                yield _finding(ctx, exchange, "CV-0511", f"filter {name}={value} not applied",
                               f"{path}[{index}].{name} = {item[name]!r}", f"only items with {name}={value!r}",
                               _source(ctx, name))
                return
