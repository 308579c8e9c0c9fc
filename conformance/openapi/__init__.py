"""OpenAPI 3.1 from a compiled api-ref: the full document and per-microversion projections.

:func:`emit` writes the full document, every element annotated with its
api-ref source and microversions; :func:`project` the plain document of one
microversion; :func:`response_schema` and :func:`request_schema` the
projected JSON Schema of one operation, for the suites' checks.
"""

from __future__ import annotations

from conformance.openapi.emit import emit, microversion_boundaries
from conformance.openapi.project import project
from conformance.openapi.schema import request_schema, response_schema
from conformance.openapi.serialize import dump_json, dump_yaml

__all__ = [
    "dump_json",
    "dump_yaml",
    "emit",
    "microversion_boundaries",
    "project",
    "request_schema",
    "response_schema",
]
