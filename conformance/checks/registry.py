"""The registry of checks: each has a stable id, a family, a severity and a docstring.

    @check(id="CV-0201", family="body", severity=Severity.HIGH)
    def body_matches_schema(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
        \"\"\"The body validates against the api-ref's schema for the requested microversion.\"\"\"

Ids never change once published (a report or a waiver names them); the
decorator refuses a duplicate id or name, and a check without a docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance.results import Finding, Severity

if TYPE_CHECKING:
    from conformance.checks.context import CheckContext
    from conformance.target.exchange import Exchange

__all__ = ["CHECKS", "Check", "CheckFunction", "check"]

CheckFunction = Callable[["CheckContext", "Exchange"], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    """A registered check."""

    id: str
    """Stable id, ``CV-NNNN``."""
    name: str
    """The function's name, e.g. ``body_matches_schema``."""
    family: str
    """``status``, ``body``, ``headers``, ``errors``, ``gating``, ``semantics``, ``preconditions``..."""
    severity: Severity
    """The default severity of its findings."""
    doc: str
    """What it checks, in one sentence (its docstring's first line)."""
    function: CheckFunction
    """The check itself."""

    def __call__(self, ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
        return self.function(ctx, exchange)


CHECKS: dict[str, Check] = {}
"""Every registered check, by id, in registration order."""


def check(*, id: str, family: str, severity: Severity) -> Callable[[CheckFunction], Check]:
    """Register a check function under a stable id.

    Raises ValueError for a duplicate id or name, a malformed id, or a missing docstring.
    """

    def register(function: CheckFunction) -> Check:
        if not id.startswith("CV-") or not id[3:].isdigit():
            raise ValueError(f"check id {id!r} must look like CV-0107")
        if id in CHECKS:
            raise ValueError(f"check id {id} is taken by {CHECKS[id].name}")
        if any(existing.name == function.__name__ for existing in CHECKS.values()):
            raise ValueError(f"a check named {function.__name__} is already registered")
        doc = (function.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"check {function.__name__} needs a docstring saying what it checks")
        registered = Check(id, function.__name__, family, severity, doc.splitlines()[0], function)
        CHECKS[id] = registered
        return registered

    return register
