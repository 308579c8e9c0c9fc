"""What a check needs to know besides the exchange: the operation, the version, what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from conformance.model import Microversion, Operation, Source

__all__ = ["ANY_SUCCESS", "CheckContext", "Expectation"]

ANY_SUCCESS = frozenset(range(200, 300))
"""What a success must be when the api-ref lists no normal code for it: any 2xx, and the reason says so."""


@dataclass(frozen=True)
class Expectation:
    """The statuses a request must get, and the api-ref words that say so."""

    statuses: frozenset[int]
    """Acceptable statuses."""
    reason: str
    """Why, in words: ``normal response codes``, ``below the minimum microversion 2.23``."""
    source: Source | None = None
    """The api-ref line that says so."""
    requirement: str | None = None
    """The api-ref's words, quoted."""

    @property
    def success(self) -> bool:
        """True when every acceptable status is a 2xx."""
        return all(200 <= status < 300 for status in self.statuses)


@dataclass(frozen=True)
class CheckContext:
    """The operation a request exercised, at which microversion, and what its answer must be."""

    operation: Operation
    """The api-ref operation."""
    microversion: Microversion | None
    """The version requested (None: no version header, i.e. the minimum)."""
    expected: Expectation
    """The statuses that conform."""
    service: str = "compute"
    """The service type, as the OpenStack-API-Version header names it."""
    requested_version: str | None = None
    """The version header value as sent, when it is not a plain microversion (``latest``, ``bogus``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Check-specific facts (``{"server_id": ...}`` for the semantics checks)."""

    @classmethod
    def success(cls, operation: Operation, microversion: Microversion | None, service: str = "compute",
                **extra: Any) -> CheckContext:
        """A context expecting one of the operation's documented normal codes at ``microversion``."""
        codes = [code for code in operation.normal_codes if microversion is None or microversion in code.versions]
        if codes:
            listed = ", ".join(str(code.status) for code in codes)
            expectation = Expectation(frozenset(code.status for code in codes), "normal response codes",
                                      codes[0].source, f"Normal response codes: {listed}")
        else:
            # Not a silent 200: the finding says the api-ref names no code (lint: missing-response-codes).
            expectation = Expectation(ANY_SUCCESS, "a success: the api-ref lists no normal response code here",
                                      operation.source, "(no normal response codes listed)")
        return cls(operation, microversion, expectation, service, extra=dict(extra))

    def expecting(self, *statuses: int, reason: str, source: Source | None = None,
                  requirement: str | None = None) -> CheckContext:
        """The same context expecting other statuses (an error case), with the api-ref words that say so."""
        return replace(self, expected=Expectation(frozenset(statuses), reason, source or self.operation.source,
                                                  requirement), extra=dict(self.extra))

    @property
    def label(self) -> str:
        """``GET /servers/{server_id}/migrations`` (with the action of a variant)."""
        base = f"{self.operation.method} {self.operation.path}"
        return f"{base} ({self.operation.action})" if self.operation.action else base

    @property
    def version_text(self) -> str | None:
        """The version as findings show it."""
        return self.requested_version or (str(self.microversion) if self.microversion else None)
