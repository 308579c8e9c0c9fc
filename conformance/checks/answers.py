"""Reading a target's answer safely: what the test needs from a body, or a finding on the exchange.

A suite reads values out of answers (the migrations a list holds, the id of the first
one, the ``next`` link). A target may answer anything: no JSON, a list where an object
belongs, an item without its id, a body nested a thousand deep. Every such read goes
through :class:`Answer`, which raises :class:`ConformanceFailure` with a finding on the
exchange that carried the bad answer, never a ``KeyError`` or ``AttributeError``::

    answer = Answer(exchange, ctx)
    for migration in answer.objects("migrations"):      # a list of objects, or a finding
        migration_id = answer.value(migration, "id", int, where="migrations[]")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.failures import ConformanceFailure
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["Answer"]

_KINDS: dict[type, str] = {dict: "an object", list: "an array", str: "a string", int: "an integer",
                           bool: "a boolean", float: "a number"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    for kind, words in _KINDS.items():
        if type(value) is kind:
            return words
    return type(value).__name__


class Answer:
    """The body of one exchange, read with every expectation checked.

    ``ctx`` names the operation and version in the finding (and its api-ref line); without
    it the finding names the request. A missing or mistyped value is a CV-0200 finding, a
    body that is not JSON a CV-0206 one.
    """

    def __init__(self, exchange: Exchange, ctx: CheckContext | None = None) -> None:
        self.exchange = exchange
        self.ctx = ctx

    def fail(self, check: str, title: str, received: str, documented: str) -> ConformanceFailure:
        """The failure to raise for this answer (a finding on its exchange)."""
        request = self.exchange.request
        ctx = self.ctx
        operation = ctx.label if ctx is not None else f"{request.method} {_path(request.url)}"
        finding = Finding(check=check, title=title, severity=Severity.HIGH, operation=operation,
                          microversion=ctx.version_text if ctx is not None else None, received=received[:300],
                          documented=documented,
                          source=str(ctx.operation.source) if ctx is not None else None, exchange=self.exchange)
        return ConformanceFailure([finding])

    def body(self) -> Any:
        """The body parsed as JSON."""
        try:
            return self.exchange.response.json()
        except (ValueError, UnicodeDecodeError) as error:
            size = len(self.exchange.response.body)
            raise self.fail("CV-0206", "the body is not JSON", f"{size} bytes: {self.exchange.response.text()[:200]!r}"
                            f" ({error})", "a JSON body") from None

    def get(self, *path: str | int, kind: type | tuple[type, ...] = object) -> Any:
        """The value at ``path`` in the body (``"migrations", 0, "id"``), which must exist and be of ``kind``."""
        return self.value(self.body(), *path, kind=kind)

    def mapping(self, *path: str | int) -> dict[str, Any]:
        """The object at ``path`` (the body itself when no path)."""
        found: dict[str, Any] = self.get(*path, kind=dict)
        return found

    def array(self, *path: str | int) -> list[Any]:
        """The array at ``path``."""
        found: list[Any] = self.get(*path, kind=list)
        return found

    def objects(self, *path: str | int) -> list[dict[str, Any]]:
        """The array at ``path``, each item an object."""
        items = self.array(*path)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail("CV-0200", f"`{_where([*path, index])}` is {_kind(item)}, not an object",
                                repr(item)[:200], f"each item of `{_where(path)}` an object")
        return items

    def value(self, start: Any, *path: str | int, kind: type | tuple[type, ...] = object,
              where: Sequence[str | int] = ()) -> Any:
        """The value at ``path`` inside ``start`` (a part of this answer's body), of ``kind``.

        ``where`` names ``start``'s place in the body, for the finding.
        """
        current = start
        walked: list[str | int] = list(where)
        for part in path:
            container = current
            walked.append(part)
            if isinstance(part, int):
                if not isinstance(container, list) or not -len(container) <= part < len(container):
                    raise self.fail("CV-0200", f"`{_where(walked)}` is missing", _received(container),
                                    f"an array with an item #{part}")
                current = container[part]
            else:
                if not isinstance(container, dict) or part not in container:
                    raise self.fail("CV-0200", f"`{_where(walked)}` is missing", _received(container),
                                    f"an object with `{part}`")
                current = container[part]
        wanted = kind if isinstance(kind, tuple) else (kind,)
        if kind is not object and (not isinstance(current, wanted) or (bool not in wanted and
                                                                         isinstance(current, bool))):
            names = " or ".join(_KINDS.get(k, k.__name__) for k in wanted)
            raise self.fail("CV-0200", f"{_named(walked)} is {_kind(current)}, not {names}", _received(current),
                            f"{names} at {_named(walked)}")
        return current


def _received(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _named(path: Sequence[str | int]) -> str:
    return f"`{_where(path)}`" if path else "the body"


def _where(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the body"


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path or "/"
