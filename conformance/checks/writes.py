"""Writes and their consequences: values read back as sent, promised statuses reached, refusals that change nothing.

These checks look at the request that reads a resource back after a write;
the test passes what it wrote in ``CheckContext.extra`` (a check whose facts
are absent does not apply):

=============  =====================================================================================
``sent``       ``(body, written_by)``: every value the write sent reads back the same where shown
``promise``    ``(field, statuses, sentence)``: the resource's field reached one of the statuses
``unchanged``  ``(before, fields, refused_by)``: the named fields read the same as before the refusal
=============  =====================================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["leaves", "promised_status_reached", "refusal_changed_nothing", "written_values_read_back"]

_MISSING = object()


def leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, value) of every scalar (or empty container) in a JSON value; list items by index."""
    if isinstance(value, dict):
        for key, item in value.items():  # an empty object asks for nothing
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list) and value and all(not isinstance(item, dict | list) for item in value):
        yield path, sorted(map(str, value))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, (*path, str(index)))
    else:
        yield path, value


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        return sorted(map(str, value))
    return value


def _same(sent: Any, shown: Any) -> bool:
    """Whether a value read back is the one written: a boolean may read back as its text ("True"), and false
    as an empty string, where the api-ref says so ("An empty string stands for False": nova's config_drive;
    the type the read's schema gives is checked by the body checks)."""
    if isinstance(sent, bool) or isinstance(shown, bool):
        return sent is shown or (isinstance(shown, str) and (str(sent).lower() == shown.lower()
                                                             or (sent is False and shown == "")))
    if isinstance(sent, int | float) and isinstance(shown, int | float | str):
        try:
            return float(sent) == float(shown)
        except ValueError:
            return False
    return bool(sent == shown)


def _body(exchange: Exchange) -> Any:
    if not 200 <= exchange.response.status < 300:
        return _MISSING
    try:
        return exchange.response.json()
    except (ValueError, RecursionError):
        return _MISSING


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, received: str, documented: str,
             source: str | None = None, requirement: str | None = None) -> Finding:
    return Finding(check=check_id, title=title, severity=Severity.HIGH, operation=ctx.label,
                   microversion=ctx.version_text, received=received[:300], documented=documented[:300],
                   source=source or str(ctx.operation.source), requirement=requirement, exchange=exchange)


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) or "the body"


@check(id="CV-0509", family="semantics", severity=Severity.HIGH)
def written_values_read_back(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """After an accepted write, reading the resource back shows every value the write sent, as sent."""
    facts = ctx.extra.get("sent")
    shown = _body(exchange)
    if facts is None or shown is _MISSING:
        return
    body, written_by = facts
    for path, value in leaves(body):
        found = _at(shown, path)
        if found is _MISSING or _same(value, found):
            continue
        yield _finding(ctx, exchange, "CV-0509", f"`{_where(path)}` reads back as {found!r}, not as written",
                       f"{_where(path)} = {found!r}", f"{value!r}, as {written_by} wrote it")


@check(id="CV-0602", family="postconditions", severity=Severity.HIGH)
def promised_status_reached(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """After an asynchronous action is accepted, the resource reaches the status its postconditions promise."""
    facts = ctx.extra.get("promise")
    if facts is None:
        return
    field, statuses, sentence = facts
    shown = _body(exchange)
    value = _MISSING if shown is _MISSING else _at(shown, tuple(field.split(".")))
    if value is _MISSING or str(value) not in statuses:
        got = "nothing readable" if value is _MISSING else repr(value)
        yield _finding(ctx, exchange, "CV-0602", f"`{field}` never reached {' or '.join(statuses)}",
                       f"{field} = {got} when the wait ended", f"{' or '.join(statuses)}",
                       str(sentence.source) if sentence else None, sentence.text if sentence else None)


@check(id="CV-0701", family="preconditions", severity=Severity.HIGH)
def refusal_changed_nothing(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """A refused request changes nothing: the fields it tried to write read the same as before it."""
    facts = ctx.extra.get("unchanged")
    shown = _body(exchange)
    if facts is None or shown is _MISSING:
        return
    before, fields, refused_by = facts
    for path in fields:
        old, new = _at(before, path), _at(shown, path)
        if old is _MISSING and new is _MISSING:
            continue
        if old is _MISSING or new is _MISSING or not _same(old, new):
            yield _finding(ctx, exchange, "CV-0701", f"`{_where(path)}` changed although {refused_by} was refused",
                           f"{_where(path)} = {'(absent)' if new is _MISSING else repr(new)}",
                           f"{'(absent)' if old is _MISSING else repr(old)}, as before the refused request")
