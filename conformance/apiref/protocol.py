"""A service's microversion protocol: its header from services.toml, its range from the api-ref.

The range is what the api-ref's version document says: nova's versions.inc
sample (``"min_version": "2.1", "version": "2.104"``), placement's root
document (``"min_version"``, ``"max_version"``), cinder's versions sample.
Which keys hold the bounds is the service's data, not code. When the api-ref
documents microversions beyond the advertised maximum (placement 16.0.0's
sample still says 1.28 while its parameters reach 1.39), that is a
``version-document-behind`` defect of the api-ref.
"""

from __future__ import annotations

from collections.abc import Sequence

from conformance.apiref.services import ProtocolData
from conformance.errors import ConformanceError
from conformance.model import Defect, Microversion, MicroversionProtocol, MicroversionRange, Operation, Source

__all__ = ["advertised", "behind", "protocol"]


def advertised(operations: Sequence[Operation], minimum: str = "min_version", maximum: str = "version",
               ) -> tuple[MicroversionRange, Source | None]:
    """The CURRENT version's range in the version document samples, and the sample it came from.

    A version document is a response sample holding a ``versions`` list or a
    ``version`` object; its CURRENT entry gives ``minimum`` and ``maximum``.
    Of several, the highest maximum wins. Unbounded, with no source, when none says.
    """
    best: tuple[MicroversionRange, Source | None] = (MicroversionRange(), None)
    for operation in operations:
        for sample in operation.samples:
            body = sample.body
            if sample.is_request or not isinstance(body, dict):
                continue
            listed = body.get("versions")
            documents: list[object] = listed if isinstance(listed, list) else [body.get("version")]
            for document in documents:
                if not isinstance(document, dict) or document.get("status") != "CURRENT":
                    continue
                try:
                    low = Microversion.parse(document[minimum])
                    high = Microversion.parse(document[maximum])
                except (KeyError, TypeError, ConformanceError):
                    continue
                if best[0].max is None or high > best[0].max:
                    best = (MicroversionRange(low, high), sample.source)
    return best


def protocol(data: ProtocolData | None, operations: Sequence[Operation]) -> MicroversionProtocol | None:
    """The protocol of a service described by ``data`` (None: a service without microversions)."""
    if data is None:
        return None
    versions, source = advertised(operations, data.minimum_key, data.maximum_key)
    return MicroversionProtocol(header=data.header, service=data.service, legacy_headers=data.legacy_headers,
                                versions=versions, source=source)


def behind(found: MicroversionProtocol | None, named: Sequence[Microversion]) -> Defect | None:
    """A defect when the api-ref names a microversion above the maximum its version document advertises."""
    if found is None or found.source is None or found.versions.max is None or not named:
        return None
    highest = max(named)
    if highest <= found.versions.max:
        return None
    return Defect("version-document-behind", f"the version document advertises microversions {found.versions}, "
                  f"but the api-ref documents microversions up to {highest}", found.source)
