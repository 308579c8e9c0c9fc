"""Writes, from the request schemas: hypothesis' bodies accepted and read back, invalid ones refused with
nothing changed, and the preconditions the api-ref states turned into rules (violated: 409).

Parametrised like ``test_contract.py``: one function per kind of check, over every operation with a
request body (or a status precondition); hypothesis draws the microversion among the planned ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conformance.checks import assert_conforms
from conformance.model import Operation
from conformance.openapi import request_schema
from conformance.strategies import from_schema, violating
from conformance.suites import answers, bodies, engine
from conformance.suites.api import Api
from conformance.suites.calls import Prepared, Preparer, keyed_by_path, label, path_names
from conformance.suites.cases import Case, stale_field
from conformance.suites.lifecycle import PLACEHOLDER
from conformance.suites.workload import NotAvailable

_EXAMPLES = int(os.environ.get("CONFORMANCE_BODY_EXAMPLES", "5"))
"""Bodies per operation (each may need resources of its own: a server per action)."""

_SLOW = settings(max_examples=_EXAMPLES, phases=(Phase.explicit, Phase.reuse, Phase.generate),
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.filter_too_much, HealthCheck.data_too_large])
"""No shrinking: each example may cost a server; a failing body is reported as drawn."""

_PREPARED: dict[tuple[str, str], Prepared] = {}
"""The request of each (case, version) within one test: examples share its resources (an action, which
changes its server's state, and a create, which names a new resource, get new ones per example)."""


@pytest.fixture(autouse=True)
def _forget_prepared() -> Iterator[None]:
    yield
    _PREPARED.clear()


def _prepared(preparer: Preparer, case: Case, version: Any, state: str | None = None, *,
              refused: bool = False) -> Prepared:
    """The request of an example. ``refused``: the examples' bodies must all be refused, so they share what each
    version needs (a refused body changes nothing; one that is not refused fails the test), released when the
    test ends."""
    key = (case.id, str(version))
    previous = _PREPARED.get(key)
    if refused:
        # One set for every version, unless a path resource's value takes another form at another version (a
        # hypervisor's id): the version only changes the header.
        shared = (case.id, "") if not _version_keyed(preparer, case.operation) else key
        if shared not in _PREPARED:
            _PREPARED[shared] = preparer.prepare(case.operation, version, fresh=True, state=state)
        return replace(_PREPARED[shared], version=version)
    # A create names a new resource (a keypair's name): each example names its own, the previous one's deleted.
    if case.operation.action is not None or previous is None or previous.creates is not None:
        if case.operation.action is not None or previous is not None:
            preparer.provisioner.release()
        _PREPARED[key] = preparer.prepare(case.operation, version, fresh=True, state=state)
    return _PREPARED[key]


def _version_keyed(preparer: Preparer, operation: Operation) -> bool:
    """Whether a resource the operation's path names is found afresh at each version (its value's form
    changes with the version)."""
    resources = [preparer.registry.naming(name, label(operation)) for name in path_names(operation)]
    return any(finder.call.version == "same" for resource in resources if resource is not None
               for finder in resource.find)


def _version(case: Case, data: st.DataObject) -> Any:
    return data.draw(st.sampled_from(case.versions), label="version")


@pytest.mark.cases("bodies")
@_SLOW
@given(data=st.data())
def test_valid_bodies_are_accepted(api: Api, preparer: Preparer, case: Case, data: st.DataObject) -> None:
    """Bodies drawn from the request schema of the version are accepted, and read back as sent."""
    operation = case.operation
    version = _version(case, data)
    schema = request_schema(operation, version)
    if schema is None:
        pytest.skip(f"{label(operation)} takes no body at {version}")
    prepared = _prepared(preparer, case, version)
    creates = prepared.creates
    maker = creates.create if creates is not None else None
    if creates is not None and maker is not None and prepared.body is not None and (
            (creates.param in prepared.path and creates.param in repr(maker.call.body))
            or set(PLACEHOLDER.findall(maker.value)) & set(PLACEHOLDER.findall(repr(maker.call.body)))):
        pytest.skip(f"the body of {label(operation)} is determined by the new {creates.about} it names "
                    "(its path or its key): exercised by test_served")
    drawn = data.draw(from_schema(bodies.plausible(schema, preparer.registry, label(operation), version=version)),
                      label="body")
    body = bodies.with_hints(drawn, schema, preparer.registry, preparer.hinted(dict(prepared.context)),
                             operation=label(operation), version=version)
    body = keyed_by_path(body, schema, path_names(operation), dict(prepared.path))
    if preparer.unsafe(operation, body) and not preparer.allow_unsafe:
        raise NotAvailable(f"{preparer.unsafe(operation, body)}; run with --allow-unsafe")
    prepared = replace(prepared, body=body)
    exchange = engine.send(api, prepared)
    created = preparer.after(prepared, exchange)
    engine.unimplemented(operation, exchange, preparer, version)
    assert_conforms(api.context(operation, version), exchange)
    engine.read_back(api, preparer, prepared, created)
    engine.await_promise(api, preparer, prepared, preparer.provisioner.timeout)


@pytest.mark.cases("bodies")
@_SLOW
@given(data=st.data())
def test_invalid_bodies_are_refused(api: Api, preparer: Preparer, case: Case, data: st.DataObject) -> None:
    """Bodies the request schema does not allow (wrong type, missing required field, undeclared field) get 400,
    and the resource reads the same afterwards."""
    operation = case.operation
    version = _version(case, data)
    schema = request_schema(operation, version)
    if schema is None:
        pytest.skip(f"{label(operation)} takes no body at {version}")
    try:
        body = data.draw(violating(_values_read(schema)), label="body")
    except Exception as error:  # hypothesis' InvalidArgument: the schema accepts every JSON value
        pytest.skip(f"nothing violates the request schema of {label(operation)}: {error}")
    prepared = _prepared(preparer, case, version, state="", refused=True)
    before = _read(api, preparer, prepared)
    # JSON null is a body too: sent as such, with its media type, not as no body at all.
    sent: dict[str, Any] = ({"json": body} if body is not None else
                            {"body": b"null", "headers": {"Content-Type": "application/json"}})
    exchange = engine.send(api, replace(prepared, body=None), **sent)
    preparer.after(prepared, exchange)
    expect = api.error(operation, version, 400, "the request body violates the documented schema")
    key = operation.action or (next(iter(schema.get("required", [])), None)
                               if operation.path.endswith("/action") else None)
    if key is not None and not (isinstance(body, dict) and key in body):
        # A body naming no action cannot be routed to one: refused as malformed, or as no such action.
        expect = replace(expect, expected=replace(expect.expected, statuses=frozenset({400, 404})))
    assert_conforms(expect, exchange)
    _unchanged(api, preparer, prepared, before, body)


def _values_read(schema: Any) -> Any:
    """The schema with each ``null``-typed value (the api-ref's type ``none``: "the action to pause a server")
    taking any value: ``none`` says the value is not read, not that another one is refused (nova's own schema for
    pause is ``{"pause": {}}``), so violating it is not drawn; a missing or undeclared key still is."""
    if isinstance(schema, dict):
        if schema.get("type") == "null":  # not read: no constraint at all (nor on an object's fields)
            return {key: value for key, value in schema.items() if key == "description" or key.startswith("x-")}
        return {key: _values_read(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_values_read(item) for item in schema]
    return schema


@pytest.mark.cases("preconditions")
def test_violated_precondition_is_a_conflict(api: Api, preparer: Preparer, case: Case) -> None:
    """Where the api-ref says which status the resource must have, another status gets 409, and the status stays."""
    operation, version = case.operation, case.version
    name, state, rule = _violation(preparer, case)
    prepared = preparer.prepare(operation, version, fresh=True, state=state)
    status = preparer.provisioner.status(name, prepared.path[name])
    exchange = engine.send(api, prepared)
    expect = api.error(operation, version, 409, f"precondition not met: the {rule.subject} is {status}",
                       source=rule.sentence.source, requirement=rule.sentence.text)
    assert_conforms(expect, exchange)
    after = preparer.provisioner.status(name, prepared.path[name])
    assert after == status, (f"{rule.sentence.source}: the refused {label(operation)} changed the {rule.subject}'s "
                             f"status from {status} to {after}")


@pytest.mark.cases("stale")
def test_stale_value_is_a_conflict(api: Api, preparer: Preparer, case: Case) -> None:
    """A write sending a value that must be current (a generation) but is not: refused with the status and error
    code the api-ref names (409 placement.concurrent_update), and nothing written."""
    operation, version = case.operation, case.version
    assert version is not None
    found = stale_field(preparer.registry, operation, version)
    assert found is not None, "planned as a stale case"
    name, resource = found
    prepared = preparer.prepare(operation, version, fresh=True)
    current = prepared.body.get(name, False) if isinstance(prepared.body, dict) else False
    if current is not None and (not isinstance(current, int) or isinstance(current, bool)):
        pytest.skip(f"the request carries no {resource.about} to make stale ({name}: {current!r})")
    assert isinstance(prepared.body, dict)
    before = _read(api, preparer, prepared)
    # Another than the current one: the next (a write that happened elsewhere), or 0 where none exists yet (null).
    stale = {**prepared.body, name: 0 if current is None else current + 1}
    exchange = engine.send(api, replace(prepared, body=stale))
    preparer.after(prepared, exchange)
    rule = resource.stale
    expect = api.error(operation, version, rule.status, f"{name} is not the current {resource.about}",
                       source=rule.source, requirement=rule.words or None)
    expect = replace(expect, extra={**expect.extra, "error_code": rule.code, "error_code_source": rule.source,
                                    "error_code_words": rule.words})
    assert_conforms(expect, exchange)
    _unchanged(api, preparer, prepared, before, {k: v for k, v in stale.items() if k != name})


def _violation(preparer: Preparer, case: Case) -> tuple[str, str, Any]:
    """(path parameter, a reachable state the rule forbids, the rule)."""
    for rule in case.operation.preconditions:
        name = f"{rule.subject}_id"
        resource = preparer.registry.naming(name, label(case.operation))
        if (resource is None or name not in path_names(case.operation) or rule.attribute != "status"
                or rule.negated or rule.condition is not None or case.version not in rule.versions):
            continue
        for state in resource.states.values():  # in the registry's order: the cheapest first
            if state.status not in rule.allowed:
                return name, state.name, rule
    pytest.skip("the registry can bring about no status the api-ref's precondition forbids")


def _read(api: Api, preparer: Preparer, prepared: Prepared) -> Any:
    """The resource as its GET shows it (None when there is no such GET or it cannot be read)."""
    found = engine.reader(api, preparer, prepared)
    if found is None:
        return None
    show, path = found
    served = api.plan.served(show)
    if not served:
        return None
    exchange = api.send(show, served[-1], path=engine.quoted(path), role=preparer.role(show))
    try:
        return answers.body(exchange)
    except answers.Unreadable:
        return None


def _unchanged(api: Api, preparer: Preparer, prepared: Prepared, before: Any, body: Any) -> None:
    """After a refusal, the fields the body tried to write read as before (CV-0701)."""
    found = engine.reader(api, preparer, prepared)
    if found is None or before is None or not isinstance(body, dict):
        return
    show, path = found
    from conformance.checks.writes import leaves

    fields = [tuple(leaf) for leaf, _ in leaves(body) if leaf]
    version = api.plan.served(show)[-1]
    exchange = api.send(show, version, path=engine.quoted(path), role=preparer.role(show))
    written_by = f"{prepared.operation.method} {prepared.operation.path}"
    assert_conforms(api.context(show, version, unchanged=(before, fields, written_by)), exchange,
                    engine.AFTERWARDS + ("CV-0701",))
