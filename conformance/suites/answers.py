"""Reading a target's answers without trusting them.

Every value the engine takes from a response (a new resource's id, the items
of a list, a server's status) goes through these helpers: a body that is not
JSON, a list where an object was expected, a missing key or a hostile nesting
raises :class:`Unreadable` naming the request and what came back, never a
``KeyError`` or ``AttributeError``. The fixtures turn it into a skip with that
reason (the test could not be set up); the checks see the same exchange and
report the departure from the contract as a finding.

    body(exchange)                         # the parsed body, or Unreadable
    dig(value, "server.id")                # one value down a dotted path, or Unreadable
    pick(value, "server.status", None)     # the same, or a default
    items(value, "servers")                # the objects of a list (non-objects left out)
"""

from __future__ import annotations

from typing import Any

from conformance.target.exchange import Exchange

__all__ = ["MAX_DEPTH", "Unreadable", "body", "describe", "dig", "items", "pick", "split_path"]

MAX_DEPTH = 64
"""Bodies nested deeper than this are not read (a hostile answer must not exhaust the stack)."""

_MISSING = object()


class Unreadable(Exception):
    """An answer lacks what the suite needs from it; the message names the request and the answer."""


def describe(exchange: Exchange, limit: int = 200) -> str:
    """``GET http://.../servers/x answered 404: {"itemNotFound": ...}``, cut at ``limit`` characters."""
    text = " ".join(exchange.response.text().split())
    excerpt = text[:limit] + ("..." if len(text) > limit else "")
    return f"{exchange.request.method} {exchange.request.url} answered {exchange.response.status}: " + (
        excerpt or "(empty body)")


def _depth(value: Any, limit: int) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > limit:
            return depth
        following: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                following.extend(item.values())
            elif isinstance(item, list):
                following.extend(item)
        level = following
    return depth


def body(exchange: Exchange) -> Any:
    """The parsed JSON body; Unreadable when it is empty, not JSON, or nested beyond :data:`MAX_DEPTH`."""
    try:
        value = exchange.response.json()
    except (ValueError, RecursionError):
        raise Unreadable(f"{describe(exchange)} (not JSON)") from None
    if value is None:
        raise Unreadable(f"{describe(exchange)} (no body)")
    if _depth(value, MAX_DEPTH) > MAX_DEPTH:
        raise Unreadable(f"{describe(exchange, 80)} (nested deeper than {MAX_DEPTH} levels)")
    return value


def split_path(path: str) -> list[str | int]:
    """``"servers.0.id"`` -> ``["servers", 0, "id"]``; an empty path is the value itself."""
    parts: list[str | int] = []
    for part in path.split(".") if path else []:
        parts.append(int(part) if part.lstrip("-").isdigit() else part)
    return parts


def _walk(value: Any, path: str) -> Any:
    for part in split_path(path):
        listed = isinstance(part, int) and isinstance(value, list) and -len(value) <= part < len(value)
        keyed = isinstance(part, str) and isinstance(value, dict) and part in value
        if listed or keyed:
            value = value[part]
        else:
            return _MISSING
    return value


def dig(value: Any, path: str, what: str | None = None) -> Any:
    """The value at ``path`` (dotted keys, integer indexes); Unreadable saying what was there instead."""
    found = _walk(value, path)
    if found is _MISSING:
        shown = repr(value)
        shown = shown[:160] + ("..." if len(shown) > 160 else "")
        raise Unreadable(f"no `{path}` in {what or 'the answer'}: {shown}")
    return found


def pick(value: Any, path: str, default: Any = None) -> Any:
    """The value at ``path``, or ``default`` when it is not there."""
    found = _walk(value, path)
    return default if found is _MISSING else found


def items(value: Any, path: str) -> list[dict[str, Any]]:
    """The objects of the list at ``path`` (an empty list when there is none; non-objects left out)."""
    found = _walk(value, path)
    if not isinstance(found, list):
        return []
    return [item for item in found if isinstance(item, dict)]
