"""Hypothesis strategies drawn from the compiled api-ref, for the conformance suites.

- :func:`from_schema` / :func:`violating`: JSON values valid / invalid against a projected schema
  (``conformance.openapi.request_schema`` and ``response_schema``), e.g. the force_complete bodies;
- :func:`unknown_ids` and :func:`path_segment`: ids no deployment has, and how they go in a path;
- :func:`microversions`: versions of a closed range, shrinking towards its low end;
- :func:`query_parameters` / :func:`unknown_query_parameters`: an operation's query strings at a
  microversion, and names it does not document; :func:`query_value` one parameter's value, and
  :func:`seen_or` a value seen on the target, drawn so that hypothesis replays it while the target changes.

Reproducibility: every choice is hypothesis' (nothing here calls :mod:`random`, :func:`uuid.uuid4`
or the clock), so a run is replayed by hypothesis' own means: the seed the suites print, given back
with ``pytest --hypothesis-seed=N``, hypothesis' example database, or ``@reproduce_failure``; the
suites set ``max_examples`` and the other limits through hypothesis' ``settings`` profiles.

Health checks: hypothesis-jsonschema filters internally when it builds arrays of strict objects (a
migrations list), and building such values is slow; tests drawing whole response bodies suppress
``HealthCheck.filter_too_much`` and ``HealthCheck.too_slow`` (request bodies and ids need neither).
"""

from __future__ import annotations

from conformance.strategies._ids import EMPTYISH, ID_KINDS, path_segment, unknown_ids
from conformance.strategies._queries import (
    REFERENCES,
    iso8601,
    query_parameters,
    query_value,
    seen_or,
    unknown_query_parameters,
)
from conformance.strategies._schemas import from_schema, validator, violating
from conformance.strategies._versions import microversions

__all__ = [
    "EMPTYISH",
    "ID_KINDS",
    "REFERENCES",
    "from_schema",
    "iso8601",
    "microversions",
    "path_segment",
    "query_parameters",
    "query_value",
    "seen_or",
    "unknown_ids",
    "unknown_query_parameters",
    "validator",
    "violating",
]
