"""Every operation of the api-ref, checked against the contract: one test function per kind of check.

Each function is parametrised over the operations and planned microversions
by ``pytest_generate_tests`` (conftest.py, from :mod:`conformance.suites.cases`);
the resources an operation's path names come from the registry
(``resources/<service>.yaml``). Adding an operation to the api-ref adds its tests.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import assert_conforms
from conformance.openapi import request_schema
from conformance.strategies import path_segment, unknown_ids
from conformance.suites import engine
from conformance.suites.api import Api, need
from conformance.suites.calls import Prepared, Preparer, keyed_by_path, label, path_names
from conformance.suites.cases import Case
from conformance.suites.workload import NotAvailable

_REMOVED_WORDS = "This API was removed: it answers 410 Gone at every microversion"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_NO_STATE = ""
"""Leave the resources in the state they were created in (a refused request needs no particular state)."""


@pytest.mark.cases("served")
def test_served(api: Api, preparer: Preparer, case: Case) -> None:
    """At each planned version that serves it, the operation answers a normal code with that version's body and
    headers; a write reads back as sent, a deletion leaves nothing, an action reaches the status it promises."""
    operation, version = case.operation, case.version
    prepared = preparer.prepare(operation, version, fresh=engine.is_write(operation))
    exchange = engine.send(api, prepared)
    created = preparer.after(prepared, exchange)
    engine.unimplemented(operation, exchange, preparer, version)
    assert_conforms(api.context(operation, version), exchange)
    if operation.method == "DELETE":
        engine.confirm_gone(api, preparer, prepared, preparer.provisioner.timeout)
    elif engine.is_write(operation):
        engine.read_back(api, preparer, prepared, created)
        engine.await_promise(api, preparer, prepared, preparer.provisioner.timeout)


@pytest.mark.cases("unserved")
def test_unserved_version_is_not_found(api: Api, preparer: Preparer, case: Case) -> None:
    """Below (or above) its microversions the operation is not routed: 404, in the fault format."""
    operation, version = case.operation, case.version
    assert version is not None
    # A write gets resources of its own: a target that serves it anyway must not damage what others share.
    prepared = preparer.prepare(operation, version, fresh=engine.is_write(operation), state=_NO_STATE)
    exchange = engine.send(api, prepared)
    preparer.after(prepared, exchange)
    assert_conforms(api.unserved(operation, version), exchange)


@pytest.mark.cases("removed")
def test_removed_api_is_gone(api: Api, preparer: Preparer, case: Case) -> None:
    """An API the api-ref documents as removed answers 410 Gone at every microversion."""
    operation, version = case.operation, case.version
    prepared = preparer.prepare(operation, version, fresh=False)
    exchange = engine.send(api, prepared)
    assert_conforms(api.error(operation, version, 410, "the API was removed", requirement=_REMOVED_WORDS), exchange)


@pytest.mark.cases("unknown")
@given(data=st.data())
def test_unknown_resource_is_not_found(api: Api, preparer: Preparer, case: Case, data: st.DataObject) -> None:
    """A path naming no such resource (UUIDs, huge integers, odd strings) gets 404 with a fault body, never a 5xx."""
    operation, version = case.operation, case.version
    prepared = _shared(preparer, case)
    creates = prepared.creates.param if prepared.creates is not None else None
    entries = {name: preparer.registry.naming(name, label(operation)) for name in path_names(operation)
               if name != creates}
    names = [name for name, entry in entries.items() if entry is not None and entry.value is None]
    deferred = preparer.registry.lookup_deferred(label(operation))
    if names and names[-1] == path_names(operation)[-1] and deferred:
        names = names[:-1]  # the service does not look the last id up before it answers: an unknown parent
        if not names:
            pytest.skip(f"the service does not look up the id before it answers: {deferred}")
    if not names or not any(code.status == 404 for code in operation.error_codes):
        pytest.skip("the api-ref documents no 404 for an unknown resource of this operation")
    name = names[-1]
    resource = entries[name]
    assert resource is not None
    unknown = data.draw(unknown_ids("integer" if resource.unknown == "integer" else "uuid"), label=name)
    path = {**engine.quoted(prepared.path), name: path_segment(unknown)}
    # A body keyed by what the path names (an extra spec's key) names the unknown one too.
    body = keyed_by_path(prepared.body, request_schema(operation, version) if version else None,
                         path_names(operation), {**prepared.path, name: unknown})
    exchange = engine.send(api, replace(prepared, body=body), path=path)
    expect = api.error(operation, version, 404, f"no such {resource.about}")
    malformed = _malformed(unknown, resource.unknown, operation, name, version)
    if not malformed and exchange.response.status == 400 and _refusable_as_bad_request(operation, name):
        malformed = (f"an action naming an unknown {resource.about} of an existing parent (nova's force_complete: "
                     "\"Migration ... not found for instance\", 400)")
    if malformed and exchange.response.status == 400:
        # A value that is not of the documented form (not an integer, not a UUID) may be refused as such.
        expect = api.error(operation, version, 400, f"{malformed}: refused as malformed, or 404")
        expect = replace(expect, expected=replace(expect.expected, statuses=frozenset({400, 404})))
    assert_conforms(expect, exchange)


def _refusable_as_bad_request(operation: Any, name: str) -> bool:
    """Whether an unknown ``name`` may be refused with 400: the operation is an action on a child resource of
    its path (not its first, the resource acted upon), and documents 400 among its errors: the body names
    an action the request cannot apply to it."""
    names = path_names(operation)
    action = operation.action is not None or operation.path.endswith("/action")
    return (action and len(names) > 1 and name != names[0]
            and any(code.status == 400 for code in operation.error_codes))


def _malformed(value: str, kind: str, operation: Any, name: str, version: Any = None) -> str | None:
    """Why a drawn path value is not of the form the api-ref documents at ``version`` (None when it is): an
    integer id before 2.53 and a UUID from it (``hypervisor_id``, ``service_id``) are two documented forms."""
    documented = [p for p in operation.parameters_in("path") if p.name == name]
    current = next((p for p in documented if version is None or version in p.versions), None)
    typed = current.type.lower() if current is not None else None
    integer = typed in ("integer", "int") or (kind == "integer" and typed is None)
    if integer and not re.fullmatch(r"[1-9]\d{0,9}", value):
        return f"{value!r} is not a (32-bit) integer, the documented type of {name}"
    if not integer and kind == "uuid" and not _UUID.fullmatch(value):
        documents_400 = any(code.status == 400 for code in operation.error_codes)
        return f"{value!r} is not a UUID" if documents_400 else None
    return None


@pytest.mark.cases("unauthenticated")
@pytest.mark.parametrize("token", ["none", "invalid"])
def test_unauthenticated_is_refused(api: Api, preparer: Preparer, case: Case, token: str) -> None:
    """No token, or one the identity service does not know: 401, before anything else is looked at."""
    operation, version = case.operation, case.version
    # Nothing is looked at before the token: reads name shared resources, writes only placeholders.
    prepared = (preparer.placeholders(operation, version) if engine.is_write(operation)
                else preparer.prepare(operation, version, fresh=False))
    credentials: dict[str, Any] = ({"authenticated": False} if token == "none"
                                   else {"token": "conformance-invalid-token"})
    exchange = engine.send(api, prepared, **credentials)
    assert_conforms(api.error(operation, version, 401, f"request with {token} token"), exchange)


@pytest.mark.cases("forbidden")
def test_member_is_forbidden_where_admin_only(api: Api, preparer: Preparer, case: Case) -> None:
    """Where the api-ref says the default policy is admin-only, a member of the owning project gets 403."""
    need("member", api.target)
    operation, version = case.operation, case.version
    prepared = preparer.prepare(operation, version, fresh=engine.is_write(operation), state=_NO_STATE)
    exchange = engine.send(api, prepared, role="member")
    preparer.after(prepared, exchange)
    expect = api.error(operation, version, 403, "admin-only by default policy",
                       requirement="Policy defaults enable only users with the administrative role")
    if any(code.status == 404 for code in operation.error_codes):
        # A resource the member may not even see (a private flavor) is not found for it: refused all the same.
        expect = replace(expect, expected=replace(expect.expected, statuses=frozenset({403, 404})))
    assert_conforms(expect, exchange)


def _shared(preparer: Preparer, case: Case) -> Prepared:
    """The valid request with shared resources (a write names resources of its own when shared ones are
    lacking)."""
    try:
        return preparer.prepare(case.operation, case.version, fresh=False)
    except NotAvailable:
        if case.operation.method in ("GET", "HEAD"):
            raise
        return preparer.prepare(case.operation, case.version, fresh=True, state=_NO_STATE)
