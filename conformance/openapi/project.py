"""A plain OpenAPI 3.1 document for exactly one microversion."""

from __future__ import annotations

from typing import Any

from conformance.model import ApiRef, Microversion
from conformance.openapi.document import build, protocol_info, source_info
from conformance.openapi.schema import view_of

__all__ = ["project"]


def project(apiref: ApiRef, version: Microversion | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``apiref`` as served at ``version``.

    Keeps only the operations, variants, parameters and fields whose
    microversions contain ``version``; objects the api-ref lists completely
    forbid other properties; the microversion header is required and pinned
    to ``"<service> <version>"``. Any OpenAPI tool can consume it. ``version``
    None gives the plain document of a service without microversions (every
    element, the same rules otherwise). Example: ``project(apiref, Microversion(2, 21))``
    has no server-migrations path. Raises nothing: a version outside every range gives empty paths.
    """
    service = apiref.info.service
    shown = str(version) if version is not None else (apiref.info.api_version or "1.0")
    at = f"at microversion {version}" if version is not None else "(it has no microversions)"
    info: dict[str, Any] = {
        "title": f"OpenStack {service} API",
        "version": shown,
        "description": (
            f"The {service} API {at}, projected by conformance from the api-ref of {apiref.info.origin}."
        ),
        "x-openstack-source": source_info(apiref),
    }
    info.update(protocol_info(apiref))
    return build(apiref, view_of(version), info)
