"""A plain OpenAPI 3.1 document for exactly one microversion."""

from __future__ import annotations

from typing import Any

from conformance.model import ApiRef, Microversion
from conformance.openapi.document import build, source_info
from conformance.openapi.schema import View

__all__ = ["project"]


def project(apiref: ApiRef, version: Microversion) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``apiref`` as served at ``version``.

    Keeps only the operations, variants, parameters and fields whose
    microversions contain ``version``; objects the api-ref lists completely
    forbid other properties; the ``OpenStack-API-Version`` header is required
    and pinned to ``"<service> <version>"``. Any OpenAPI tool can consume it.
    Example: ``project(apiref, Microversion(2, 21))`` has no server-migrations
    path. Raises nothing: a version outside every range gives empty paths.
    """
    service = apiref.info.service
    info: dict[str, Any] = {
        "title": f"OpenStack {service} API",
        "version": str(version),
        "description": (
            f"The {service} API at microversion {version}, projected by conformance from the api-ref of "
            f"{apiref.info.origin}."
        ),
        "x-openstack-source": source_info(apiref),
    }
    return build(apiref, View(version), info)
