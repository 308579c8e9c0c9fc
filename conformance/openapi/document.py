"""Assemble an OpenAPI 3.1 document from the api-ref's operations.

Shared by the full document (:func:`conformance.openapi.emit`) and the
projection for one microversion (:func:`conformance.openapi.project`): they
differ only in their :class:`~conformance.openapi.schema.View` and ``info``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conformance.model import ApiRef, FaultConvention, MicroversionProtocol, Operation
from conformance.openapi.operations import Conventions, operation_object
from conformance.openapi.schema import View, fault_schema, header_pattern

__all__ = ["METHOD_ORDER", "build", "operation_ids", "protocol_info", "sections_by_key"]

Schema = dict[str, Any]

METHOD_ORDER = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
"""The order of the methods within a path item: fixed, so the output is stable."""

UNDOCUMENTED_FAULT = FaultConvention("Fault", "undocumented")
"""The error body of a service whose convention is unknown."""


def sections_by_key(apiref: ApiRef) -> dict[tuple[str, str], list[Operation]]:
    """The api-ref's sections grouped by (method, path), in document order within a group."""
    groups: dict[tuple[str, str], list[Operation]] = {}
    for operation in apiref.operations:
        groups.setdefault(operation.key, []).append(operation)
    return groups


def _ordered_keys(groups: dict[tuple[str, str], list[Operation]]) -> list[tuple[str, str]]:
    def rank(key: tuple[str, str]) -> tuple[str, int, str]:
        method, path = key
        position = METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)
        return (path, position, method)

    return sorted(groups, key=rank)


def operation_ids(apiref: ApiRef) -> dict[tuple[str, str], str]:
    """The operationId of each (method, path): the section's, or the path's for variants.

    Example: ``("POST", "/servers/{server_id}/action") -> "post_servers_server_id_action"``.
    Identical slugs of different paths get a numeric suffix, in path order.
    """
    groups = sections_by_key(apiref)
    ids: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for key in _ordered_keys(groups):
        sections = groups[key]
        base = sections[0].operation_id if len(sections) == 1 else replace(sections[0], action=None).operation_id
        candidate, counter = base, 1
        while candidate in taken:
            counter += 1
            candidate = f"{base}_{counter}"
        taken.add(candidate)
        ids[key] = candidate
    return ids


def version_header(protocol: MicroversionProtocol, view: View) -> Schema:
    """The microversion request header (``OpenStack-API-Version``), optional in full, pinned in a projection."""
    header: Schema = {"name": protocol.header, "in": "header"}
    if view.version is None:
        example = protocol.value(protocol.versions.min or "1.0")
        header["description"] = f"The microversion requested, e.g. '{example}'; without it the server uses its minimum."
        header["required"] = False
        header["schema"] = {"type": "string", "pattern": header_pattern(protocol.service)}
    else:
        header["description"] = f"The microversion this document describes: {view.version}."
        header["required"] = True
        header["schema"] = {"type": "string", "enum": [protocol.value(view.version)]}
    return header


def protocol_info(apiref: ApiRef) -> Schema:
    """The ``info`` extensions that tell a client how to speak to the service, with no table of its own.

    ``x-openstack-microversion-header`` names the header, the token before the version and the legacy
    headers (absent for a service without microversions); ``x-openstack-paths`` what the paths are
    relative to.
    """
    found: Schema = {}
    protocol = apiref.protocol
    if protocol is not None:
        header: Schema = {"name": protocol.header, "service": protocol.service}
        if protocol.legacy_headers:
            header["legacy-headers"] = list(protocol.legacy_headers)
        found["x-openstack-microversion-header"] = header
    if apiref.info.paths:
        found["x-openstack-paths"] = apiref.info.paths
    return found


def build(apiref: ApiRef, view: View, info: Schema, extensions: Schema | None = None) -> Schema:
    """The OpenAPI 3.1 document of ``apiref`` in ``view``, with ``info`` and top-level ``extensions``.

    Paths are sorted, methods ordered by :data:`METHOD_ORDER`, everything else
    keeps the api-ref's order, so equal input gives an equal document. Every
    operation refers to the microversion header when the service has one, and
    every error response to the service's fault schema.
    """
    groups = sections_by_key(apiref)
    ids = operation_ids(apiref)
    fault = apiref.info.fault or UNDOCUMENTED_FAULT
    conventions = Conventions(header=apiref.protocol is not None, fault=fault.name)
    paths: Schema = {}
    tags: list[str] = []
    for key in _ordered_keys(groups):
        method, path = key
        operation = operation_object(groups[key], ids[key], view, conventions)
        if operation is None:
            continue
        paths.setdefault(path, {})[method.lower()] = operation
    for section in apiref.operations:
        if section.group not in tags and view.serves(section):
            tags.append(section.group)
    document: Schema = {"openapi": "3.1.0", "info": info}
    document.update(extensions or {})
    document["tags"] = [{"name": tag} for tag in tags]
    document["paths"] = paths
    components: Schema = {}
    if apiref.protocol is not None:
        components["parameters"] = {"OpenStackAPIVersion": version_header(apiref.protocol, view)}
    components["schemas"] = {fault.name: fault_schema(fault.shape)}
    document["components"] = components
    return document


def source_info(apiref: ApiRef) -> Schema:
    """The ``x-openstack-source`` of ``info``: the api-ref's origin and archive digest."""
    source: Schema = {"origin": apiref.info.origin}
    if apiref.info.sha256 is not None:
        source["sha256"] = apiref.info.sha256
    return source
