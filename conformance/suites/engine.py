"""What the engine's tests do after sending a request: read back, await, confirm a deletion.

The tests (``test_contract*.py``) are one function per kind of check; the
steps they share live here, each checking the exchanges it makes with
:func:`~conformance.checks.assert_conforms` so that every departure from the
contract is a finding on the exchange that showed it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from conformance.checks import CheckContext, assert_conforms
from conformance.model import Microversion, Operation
from conformance.strategies import path_segment
from conformance.suites.api import Api
from conformance.suites.calls import Prepared, Preparer, label, path_names
from conformance.suites.conditions import awaited
from conformance.suites.polling import pauses
from conformance.suites.workload import NotAvailable
from conformance.target.exchange import Exchange

__all__ = ["AFTERWARDS", "await_promise", "confirm_gone", "is_write", "quoted", "read_back", "reader", "send",
           "unimplemented"]


AFTERWARDS = ("CV-0101", "CV-0102")
"""The checks run on the requests that look at a resource after a write (no 5xx, the expected status); the
reading operation's own body and headers are checked by its own tests, once, not by every write's."""


def is_write(operation: Operation) -> bool:
    """Whether the operation changes something (its tests get resources of their own)."""
    return operation.method not in ("GET", "HEAD")


def quoted(path: dict[str, Any]) -> dict[str, str]:
    """Path values percent-encoded as path segments."""
    return {name: path_segment(value) for name, value in path.items()}


def send(api: Api, prepared: Prepared, **kwargs: Any) -> Exchange:
    """Send a prepared request (``kwargs`` override: ``json``, ``role``, ``authenticated``...)."""
    arguments: dict[str, Any] = {"path": quoted(prepared.path), "role": prepared.role}
    if prepared.body is not None:
        arguments["json"] = prepared.body
    if prepared.query:
        arguments["params"] = prepared.query
    arguments.update(kwargs)
    return api.send(prepared.operation, prepared.version, **arguments)


def unimplemented(operation: Operation, exchange: Exchange, preparer: Preparer,
                  version: Microversion | None = None) -> None:
    """The target says it lacks an optional feature, as the api-ref allows: a documented 501, or an answer the
    registry lists as such (``Unavailable console type``). The test is not exercised (NotAvailable)."""
    response = exchange.response
    name = label(operation)
    if response.status == 501 and any(code.status == 501 for code in operation.error_codes):
        raise NotAvailable(f"the target does not implement {name}: it answered the documented 501: "
                           f"{response.text()[:200]}")
    for known in preparer.registry.unavailable:
        if known.covers(name, response.status, response.text(), version):
            raise NotAvailable(f"{known.reason}: {name} answered {response.status} {response.text()[:200]}")


def _show(api: Api, operation: Operation, path: str) -> Operation | None:
    try:
        return api.plan.apiref.find("GET", path)
    except KeyError:
        return None


def reader(api: Api, preparer: Preparer, prepared: Prepared, created: Any = None) -> tuple[Operation, dict[str,
                                                                                                       Any]] | None:
    """The GET that reads back what a write wrote: the same path, or the new resource's own path."""
    operation = prepared.operation
    if prepared.creates is not None and created is not None:
        own = operation.path.rstrip("/") + "/{" + prepared.creates.param + "}"
        for candidate in api.plan.apiref.operations:
            if candidate.method == "GET" and candidate.path == own:
                return candidate, {**prepared.path, prepared.creates.param: created}
    show = _show(api, operation, operation.path)
    if show is not None and operation.action is None:
        return show, dict(prepared.path)
    return None


def _version(api: Api, operation: Operation, wanted: Microversion | None) -> Microversion | None:
    if wanted is not None and wanted in operation.versions:
        return wanted
    served = api.plan.served(operation)
    return served[-1] if served else None


def read_back(api: Api, preparer: Preparer, prepared: Prepared, created: Any = None) -> None:
    """Read the resource back after an accepted write: each value sent shows as sent (CV-0509)."""
    found = reader(api, preparer, prepared, created)
    if found is None or prepared.body is None:
        return
    show, path = found
    version = _version(api, show, prepared.version)
    if version is None:
        return
    exchange = api.send(show, version, path=quoted(path), role=preparer.role(show))
    written_by = f"{prepared.operation.method} {prepared.operation.path}"
    written = _written(prepared.body, preparer, label(prepared.operation), prepared.version)
    whole = [f for f in prepared.operation.request_body if f.whole and (prepared.version is None or prepared.version
                                                                          in f.parameter.versions)]
    if isinstance(written, list) and whole:  # a body that is one array is that field, as its GET names it
        written = {whole[0].name: written}
    # The GET's own answer is checked by its own tests: here only what the write promised.
    assert_conforms(api.context(show, version, sent=(written, written_by)), exchange, AFTERWARDS + ("CV-0509",))


def _written(body: Any, preparer: Preparer, operation: str, version: Any, path: tuple[str, ...] = ()) -> Any:
    """What a write stores: the body without the values it only presents (a generation the write must send as it
    is now, which the write itself moves on)."""
    if not isinstance(body, dict):
        return body
    kept = {}
    for name, value in body.items():
        hint = preparer.registry.hint((*path, str(name)), operation, version)
        entry = preparer.registry.resources.get(hint.resource) if hint is not None and hint.resource else None
        if entry is not None and entry.current:
            continue
        kept[name] = _written(value, preparer, operation, version, (*path, str(name)))
    return kept


def confirm_gone(api: Api, preparer: Preparer, prepared: Prepared, timeout: float) -> None:
    """After an accepted DELETE of a resource its path names, its own GET answers 404 (within the run's timeout)."""
    operation = prepared.operation
    show = _show(api, operation, operation.path)
    if (show is None or not operation.path.rstrip("/").endswith("}")
            or not any(code.status == 404 for code in show.error_codes)):
        return
    version = _version(api, show, prepared.version)
    deadline = time.monotonic() + timeout
    for pause in pauses():
        exchange = api.send(show, version, path=quoted(prepared.path), role=preparer.role(show))
        if exchange.response.status == 404 or time.monotonic() > deadline:
            break
        time.sleep(pause)
    expect = api.context(show, version).expecting(
        404, reason=f"deleted by {operation.method} {operation.path}", source=operation.source,
        requirement=f"{operation.title}: the resource no longer exists")
    assert_conforms(expect, exchange, AFTERWARDS + ("CV-0401",))


def await_promise(api: Api, preparer: Preparer, prepared: Prepared, timeout: float) -> None:
    """After an accepted action, wait for the status its postconditions promise and check it (CV-0602)."""
    promise = awaited(prepared.operation)
    if promise is None:  # nothing promised: nothing to wait for (a live migration may run for an hour)
        return
    holder = next((name for name in path_names(prepared.operation)
                   if name in preparer.registry.resources and preparer.registry.resources[name].state), None)
    if holder is None:
        return
    resource = preparer.registry.resources[holder]
    state = resource.state
    assert state is not None
    try:
        show = api.plan.apiref.find(state.call.method, state.call.path)
    except KeyError:
        return
    version = _version(api, show, Microversion.parse(state.call.version) if state.call.version not in (
        None, "same") else prepared.version)
    path = {holder: prepared.path[holder]}
    deadline = time.monotonic() + timeout
    from conformance.suites import answers

    for pause in pauses():
        exchange = api.send(show, version, path=quoted(path))
        try:
            shown = answers.body(exchange)
        except answers.Unreadable:
            shown = None
        value = answers.pick(shown, state.field)
        idle = state.idle is None or answers.pick(shown, state.idle) is None
        done = idle and (str(value) in promise.statuses or str(value) in state.fail)
        if done or time.monotonic() > deadline:
            break
        time.sleep(pause)
    assert_conforms(api.context(show, version), exchange, AFTERWARDS)
    ctx: CheckContext = api.context(show, version, promise=(state.field, promise.statuses, promise.sentence))
    assert_conforms(replace(ctx, operation=prepared.operation, microversion=prepared.version), exchange,
                    ["CV-0602"])
