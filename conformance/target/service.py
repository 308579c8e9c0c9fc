"""What a client needs to find and speak to one service, read from the service's data and its contract.

Nothing here names a service: compute's ``v2.1`` endpoint under its root, placement's root that is its
own endpoint, the microversion header each expects, the keys of their version documents and the request
that checks a token all come from ``conformance/apiref/services.toml`` and the compiled api-ref::

    >>> ServiceApi.named("placement").version_id
    'v1.0'
    >>> ServiceApi.named("placement").headers("1.30")
    {'OpenStack-API-Version': 'placement 1.30'}
    >>> ServiceApi.named("compute").headers("2.80", legacy=True)
    {'X-OpenStack-Nova-API-Version': '2.80'}
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.apiref.services import profile
from conformance.errors import TargetError
from conformance.model import ApiRef, Microversion, MicroversionProtocol

__all__ = ["ServiceApi"]


@dataclass(frozen=True)
class ServiceApi:
    """A service's version document and microversion protocol, as a client speaks them."""

    service: str
    """The service type: ``compute``, ``placement``."""
    version_id: str
    """The id of the API version the contract's paths belong to, in the service's version documents (``v2.1``,
    ``v1.0``); a target URL ending in it is that version's endpoint."""
    protocol: MicroversionProtocol | None
    """The microversion header and its token; None for a service without microversions."""
    minimum_key: str = "min_version"
    """The version document's key holding the lowest microversion served."""
    maximum_key: str = "version"
    """The version document's key holding the highest (``version`` for nova, ``max_version`` for placement)."""
    probe: str | None = None
    """A GET (relative to the endpoint) any valid token may send, to check each role's token at connect; None:
    tokens are not checked before the run."""

    @classmethod
    def named(cls, service: str, protocol: MicroversionProtocol | None = None) -> ServiceApi:
        """The service type's description in services.toml (``protocol``: the compiled one, else built from it)."""
        described = profile(service)
        if described is None:
            raise TargetError(f"unknown service type {service!r}: conformance/apiref/services.toml does not "
                              "describe it")
        data = described.protocol
        if protocol is None and data is not None:
            protocol = MicroversionProtocol(header=data.header, service=data.service,
                                            legacy_headers=data.legacy_headers)
        return cls(service=service, version_id=f"v{described.api_version}", protocol=protocol,
                   minimum_key=data.minimum_key if data else "min_version",
                   maximum_key=data.maximum_key if data else "version", probe=described.probe)

    @classmethod
    def of(cls, apiref: ApiRef) -> ServiceApi:
        """The service of a compiled contract, speaking the protocol the contract carries."""
        return cls.named(apiref.info.service, apiref.protocol)

    def headers(self, microversion: Microversion | str | None, legacy: bool = False) -> dict[str, str]:
        """The microversion header(s) to send: the standard one, or only the legacy ones; none for None or a
        versionless service. Strings are sent as they are (``latest``, or a malformed version on purpose)."""
        if microversion is None or self.protocol is None:
            return {}
        return self.protocol.headers(str(microversion), legacy)
