"""Microversion negotiation: the version document, gating, ``latest``, unsupported and malformed versions.

The api-ref's version document sample (versions.inc) and the microversion
rules every compute API follows: the advertised maximum is served and the
next version is not (406), ``latest`` is the maximum, a malformed version is
refused (400), the legacy ``X-OpenStack-Nova-API-Version`` header works on
its own, and responses echo the version that served them.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import assert_conforms
from conformance.model import Microversion, Operation, Source
from conformance.suites.api import Api
from conformance.suites.workload import Migration

LIST = ("GET", "/servers/{server_id}/migrations")
OS_MIGRATIONS = ("GET", "/os-migrations")

_WELL_FORMED = re.compile(r"[1-9]\d*\.(0|[1-9]\d*)")

malformed_versions = st.one_of(
    st.sampled_from(["bogus", "2", "2.", ".1", "2.1.1", "v2.1", "2,1", "2.a", "02.1", "2.01", "-2.1", "0.1"]),
    st.text(alphabet="0123456789.-_abvx", min_size=1, max_size=8),
).filter(lambda text: not _WELL_FORMED.fullmatch(text) and text.lower() != "latest")


def _requirement(api: Api) -> tuple[Source | None, str]:
    apiref = api.plan.apiref
    return apiref.versions_source, (f"the version document advertises microversions {apiref.versions}"
                                    if apiref.versions_source else "the version document's min_version and version")


@pytest.mark.operation("GET", "/")
def test_major_versions(api: Api, operation: Operation) -> None:
    """GET / lists the major versions, the contract's own (compute's v2.1) among them, without a token."""
    api.exercise(operation, None, url=api.target.discovery.root, authenticated=False,
                 expect=api.context(operation, None, contains=api.target.api.version_id))


@pytest.mark.operation("GET", "/{api_version}/")
def test_version_document(api: Api, operation: Operation) -> None:
    """GET /v2.1/ without a token: v2.1's range, holding the api-ref's minimum."""
    discovery = api.target.discovery
    documented = api.plan.apiref.versions
    wanted = {"id": "v2.1", **({"min_version": str(documented.min)} if documented.min is not None else {})}
    api.exercise(operation, None, url=discovery.endpoint.rstrip("/") + "/", authenticated=False,
                 expect=api.context(operation, None, version_doc=wanted,
                                    version_source=api.plan.apiref.versions_source))
    assert discovery.min_version <= discovery.max_version


@pytest.mark.operation(*OS_MIGRATIONS)
def test_advertised_maximum_is_served_and_the_next_is_not(api: Api, operation: Operation) -> None:
    """The advertised maximum answers 200; the version right above it answers 406 (the range is honest)."""
    maximum = api.target.discovery.max_version
    api.exercise(operation, maximum)
    source, words = _requirement(api)
    for unsupported in (maximum.next(), Microversion(maximum.major + 1, 0)):
        api.exercise(operation, unsupported,
                     expect=api.context(operation, unsupported).expecting(
                         406, reason=f"{unsupported} is above the advertised maximum {maximum}", source=source,
                         requirement=words))


@pytest.mark.operation(*OS_MIGRATIONS)
def test_below_advertised_minimum_is_not_acceptable(api: Api, operation: Operation) -> None:
    minimum = api.target.discovery.min_version
    if minimum.minor == 0:
        pytest.skip(f"the advertised minimum {minimum} has no lower minor version to try")
    below = minimum.previous()
    source, words = _requirement(api)
    api.exercise(operation, below, expect=api.context(operation, below).expecting(
        406, reason=f"{below} is below the advertised minimum {minimum}", source=source, requirement=words))


@pytest.mark.operation(*LIST)
def test_latest_is_the_advertised_maximum(api: Api, operation: Operation, running: Migration) -> None:
    """``latest`` is served as the advertised maximum: its fields, and the maximum echoed."""
    maximum = api.target.discovery.max_version
    ctx = replace(api.context(operation, maximum, server_id=running.server_id), requested_version="latest")
    api.exercise(operation, maximum, requested="latest", path={"server_id": running.server_id}, expect=ctx)


@pytest.mark.operation(*OS_MIGRATIONS)
@given(text=malformed_versions)
def test_malformed_version_is_refused(api: Api, operation: Operation, text: str) -> None:
    """A version header that is not MAJOR.MINOR (or ``latest``) gets 400, never a 5xx."""
    ctx = replace(api.context(operation, None).expecting(400, reason=f"malformed version {text!r}",
                                                         source=operation.source,
                                                         requirement="OpenStack-API-Version: compute MAJOR.MINOR"),
                  requested_version=text)
    api.exercise(operation, None, requested=text, expect=ctx)


@pytest.mark.operation(*LIST)
def test_legacy_header_alone(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """X-OpenStack-Nova-API-Version on its own selects the version just as OpenStack-API-Version does."""
    api.exercise(operation, version, legacy=True, path={"server_id": running.server_id},
                 expect=api.context(operation, version, server_id=running.server_id))


@pytest.mark.operation(*LIST)
def test_legacy_header_alone_is_gated(api: Api, operation: Operation, running: Migration,
                                      unserved_version: Microversion) -> None:
    api.exercise(operation, unserved_version, legacy=True, path={"server_id": running.server_id},
                 expect=api.unserved(operation, unserved_version))


@pytest.mark.operation(*LIST)
def test_no_version_header_means_the_minimum(api: Api, operation: Operation, running: Migration) -> None:
    """Without a version header the minimum version serves the request (below 2.23: not found)."""
    minimum = api.target.discovery.min_version
    expect = (api.context(operation, minimum) if minimum in operation.versions
              else api.unserved(operation, minimum))
    exchange = api.send(operation, None, path={"server_id": running.server_id})
    assert_conforms(expect, exchange)
