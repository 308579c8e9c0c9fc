"""The services whose api-ref conformance reads, from ``services.toml``: data, never branches in the code.

Each entry says where a released sdist keeps the api-ref (``api-ref/source/v3`` for cinder), how its
samples name their microversion, and the service's microversion protocol: the header, the token the
header names the service by (``volume`` for block-storage), legacy headers, and which keys of the
api-ref's version document hold the range. A service without microversions has no protocol.

>>> profile("block-storage").protocol.service
'volume'
>>> profile("image").protocol is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from conformance.errors import ConformanceError, SourceError
from conformance.model import FaultConvention, Microversion

__all__ = ["SERVICES_FILE", "ProtocolData", "ServiceProfile", "by_package", "profile", "service_types"]

SERVICES_FILE = Path(__file__).with_name("services.toml")
"""The declarative description of every service (see the comments at its top)."""

DEFAULT_EXTRACT = ("api-ref", "doc/api_samples")
"""What is kept of an sdist whose package no service names: the api-ref tree and nova-style samples."""


@dataclass(frozen=True)
class ProtocolData:
    """A service's microversion protocol as services.toml states it (the range itself comes from the api-ref)."""

    header: str
    """The header naming the microversion: ``OpenStack-API-Version``."""
    service: str
    """The token before the version in that header: ``compute``, ``placement``, ``volume``."""
    legacy_headers: tuple[str, ...]
    """Older headers carrying the bare version: ``X-OpenStack-Nova-API-Version``."""
    minimum_key: str
    """The version document's key holding the minimum microversion: ``min_version``."""
    maximum_key: str
    """The version document's key holding the maximum: ``version`` (nova, cinder) or ``max_version`` (placement)."""


@dataclass(frozen=True)
class ServiceProfile:
    """One entry of services.toml."""

    service_type: str
    """The service type, as in the service catalog: ``block-storage``."""
    package: str
    """The PyPI package shipping the api-ref: ``cinder``."""
    release: str
    """The release pinned by default: ``29.0.0``."""
    api_ref: str
    """The api-ref source folder inside the sdist: ``api-ref/source/v3``."""
    extract: tuple[str, ...]
    """The sdist folders kept in the cache: ``("api-ref", "doc/api_samples")``."""
    api_version: str
    """The API version the paths belong to: ``3.0``."""
    paths: str
    """What the api-ref's paths are relative to, in one sentence."""
    sample_version: re.Pattern[str] | None
    """Group 1 is the microversion a sample's path names; None when paths name none."""
    protocol: ProtocolData | None
    """The microversion protocol; None for a service without microversions."""
    probe: str | None
    """A GET any valid token may send (relative to the endpoint), by which a client checks its tokens: compute's
    ``/limits``; None when services.toml names none."""
    fault: FaultConvention
    """How its error bodies are shaped: the schema's name, its shape (``Fault``, ``undocumented`` when
    services.toml says nothing), and the codes its errors carry from a version (placement's)."""


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value) == "":
        raise SourceError(f"{SERVICES_FILE}: {where}: '{key}' must be a non-empty string")
    return str(value)


def _protocol(data: object, where: str) -> ProtocolData | None:
    if data is None:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("range"), dict):
        raise SourceError(f"{SERVICES_FILE}: {where}: 'microversions' must be a mapping with a 'range' mapping")
    legacy = data.get("legacy-headers") or []
    if not isinstance(legacy, list) or not all(isinstance(h, str) for h in legacy):
        raise SourceError(f"{SERVICES_FILE}: {where}: 'legacy-headers' must be a list of header names")
    window = data["range"]
    return ProtocolData(header=_text(data, "header", where), service=_text(data, "service", where),
                        legacy_headers=tuple(legacy), minimum_key=_text(window, "minimum", where),
                        maximum_key=_text(window, "maximum", where))


_SHAPES = ("named", "api-sig-errors", "undocumented")


def _fault(data: object, where: str) -> FaultConvention:
    if data is None:
        return FaultConvention("Fault", "undocumented")
    if not isinstance(data, dict) or data.get("shape") not in _SHAPES:
        raise SourceError(f"{SERVICES_FILE}: {where}: 'fault' must be a mapping with a 'name' and a 'shape' "
                          f"(one of {', '.join(_SHAPES)})")
    codes = data.get("codes") or []
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        raise SourceError(f"{SERVICES_FILE}: {where}: 'fault.codes' must be a list of strings")
    since = data.get("codes-since")
    try:
        version = Microversion.parse(str(since)) if since is not None else None
    except ConformanceError:
        raise SourceError(f"{SERVICES_FILE}: {where}: 'fault.codes-since' {since!r} is not a microversion") from None
    return FaultConvention(_text(data, "name", where), str(data["shape"]), version, tuple(codes))


def _profile(service_type: str, entry: object) -> ServiceProfile:
    where = f"service {service_type!r}"
    if not isinstance(entry, dict):
        raise SourceError(f"{SERVICES_FILE}: {where} must be a mapping")
    extract = entry.get("extract") or list(DEFAULT_EXTRACT)
    if not isinstance(extract, list) or not all(isinstance(item, str) and item for item in extract):
        raise SourceError(f"{SERVICES_FILE}: {where}: 'extract' must be a list of folders")
    pattern = entry.get("sample-version")
    try:
        compiled = re.compile(pattern) if isinstance(pattern, str) else None
    except re.error as exc:
        raise SourceError(f"{SERVICES_FILE}: {where}: 'sample-version' is not a regular expression: {exc}") from None
    if compiled is not None and compiled.groups < 1:
        raise SourceError(f"{SERVICES_FILE}: {where}: 'sample-version' needs a group capturing the version")
    return ServiceProfile(service_type=service_type, package=_text(entry, "package", where),
                          release=_text(entry, "release", where), api_ref=_text(entry, "api-ref", where),
                          extract=tuple(item.strip("/") for item in extract),
                          api_version=_text(entry, "api-version", where), paths=" ".join(
                              _text(entry, "paths", where).split()),
                          sample_version=compiled, protocol=_protocol(entry.get("microversions"), where),
                          probe=str(entry["probe"]) if entry.get("probe") else None,
                          fault=_fault(entry.get("fault"), where))


@cache
def _profiles() -> dict[str, ServiceProfile]:
    import tomllib

    try:
        data = tomllib.loads(SERVICES_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"cannot read the service descriptions in {SERVICES_FILE}: {exc}") from None
    if not isinstance(data, dict):
        raise SourceError(f"{SERVICES_FILE} must map service types to their descriptions")
    return {str(name): _profile(str(name), entry) for name, entry in data.items()}


def service_types() -> list[str]:
    """Every service type services.toml describes, in its order: ``["compute", "placement", ...]``."""
    return list(_profiles())


def profile(service_type: str) -> ServiceProfile | None:
    """The description of a service type, or None for one services.toml does not know."""
    return _profiles().get(service_type)


def by_package(package: str) -> ServiceProfile | None:
    """The service whose api-ref a package ships (``cinder`` -> block-storage), or None."""
    return next((p for p in _profiles().values() if p.package == package), None)
