"""What a check needs to know besides the exchange: the operation, the version, what was expected."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from conformance.apiref.services import profile
from conformance.model import FaultConvention, Microversion, MicroversionProtocol, Operation, Source

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
    """The service type (``compute``, ``placement``): its protocol and error bodies are services.toml's unless
    given below."""
    requested_version: str | None = None
    """The version header value as sent, when it is not a plain microversion (``latest``, ``bogus``)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Check-specific facts (``{"server_id": ...}`` for the semantics checks)."""
    version_protocol: MicroversionProtocol | None = None
    """The contract's microversion protocol (``ApiRef.protocol``); None: the service's in services.toml."""
    fault_convention: FaultConvention | None = None
    """The contract's error body convention (``SourceInfo.fault``); None: the service's in services.toml."""

    @property
    def protocol(self) -> MicroversionProtocol | None:
        """The header a response echoes its microversion in, and its legacy headers; None when versionless."""
        if self.version_protocol is not None:
            return self.version_protocol
        described = profile(self.service)
        if described is None:  # a service services.toml does not describe: the standard header, naming it
            return MicroversionProtocol(header="OpenStack-API-Version", service=self.service)
        data = described.protocol
        if data is None:
            return None
        return MicroversionProtocol(header=data.header, service=data.service, legacy_headers=data.legacy_headers)

    @property
    def fault(self) -> FaultConvention:
        """How the service shapes its error bodies (``named``: nova's, ``api-sig-errors``: placement's)."""
        if self.fault_convention is not None:
            return self.fault_convention
        described = profile(self.service)
        return described.fault if described is not None else FaultConvention("Fault", "undocumented")

    @classmethod
    def success(cls, operation: Operation, microversion: Microversion | None, service: str = "compute",
                protocol: MicroversionProtocol | None = None, fault: FaultConvention | None = None,
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
        return cls(operation, microversion, expectation, service, extra=dict(extra), version_protocol=protocol,
                   fault_convention=fault)

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
