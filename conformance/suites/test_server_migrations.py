"""Server migrations (servers, migrations): list, show, force complete and abort, against the api-ref.

Each test names its api-ref operation; its checks (status, body schema of the
requested microversion, headers, fault bodies, semantics) come from the
compiled contract, and every failure quotes the api-ref line it violates. What
every operation gets (each version served or not, 401, 403 for members, unknown
ids, invalid bodies) is the engine's (test_contract*.py); these tests keep what
the contract states only in prose: in-progress lists, show matching the list,
another project's view, preconditions and their outcomes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks import Answer, Inconclusive, assert_conforms
from conformance.checks.semantics import items
from conformance.model import Microversion, Operation
from conformance.strategies import microversions
from conformance.suites.api import Api, need
from conformance.suites.workload import Migration, Workload

LIST = ("GET", "/servers/{server_id}/migrations")
SHOW = ("GET", "/servers/{server_id}/migrations/{migration_id}")
FORCE = ("POST", "/servers/{server_id}/migrations/{migration_id}/action")
ABORT = ("DELETE", "/servers/{server_id}/migrations/{migration_id}")
OS_MIGRATIONS = ("GET", "/os-migrations")

FORCE_BODY = {"force_complete": None}
POLL_SECONDS = 60.0


def _path(key: tuple[str, str], migration: Migration) -> dict[str, Any]:
    path: dict[str, Any] = {"server_id": migration.server_id}
    if "{migration_id}" in key[1]:
        path["migration_id"] = migration.id
    return path


def _body(key: tuple[str, str]) -> dict[str, Any] | None:
    return FORCE_BODY if key == FORCE else None


def _latest_served(api: Api, operation: Operation) -> Microversion:
    served = api.plan.served(operation)
    if not served:
        pytest.skip(f"no tested microversion serves {operation.method} {operation.path}")
    return served[-1]


# -- list and show, per microversion --------------------------------------------------


@pytest.mark.operation(*LIST)
def test_list_fields_per_microversion(api: Api, operation: Operation, running: Migration,
                                      version: Microversion) -> None:
    """The list has exactly the fields of the requested version, and only this server's in-progress migrations."""
    api.exercise(operation, version, path=_path(LIST, running),
                 expect=api.context(operation, version, server_id=running.server_id, in_progress=True,
                                    contains=running.id))


@pytest.mark.operation(*LIST)
@given(data=st.data())
def test_list_fields_between_boundaries(api: Api, operation: Operation, running: Migration,
                                        data: st.DataObject) -> None:
    """Any served version, not only the boundaries, has exactly the fields the api-ref gives it."""
    served = api.plan.served(operation)
    if not served:
        pytest.skip("no tested microversion serves this operation")
    version = data.draw(microversions(served[0], served[-1]), label="version")
    api.exercise(operation, version, path=_path(LIST, running),
                 expect=api.context(operation, version, server_id=running.server_id, in_progress=True))


@pytest.mark.operation(*SHOW)
def test_show_matches_list(api: Api, operation: Operation, running: Migration, version: Microversion) -> None:
    """Showing each listed migration returns the same object, with the fields of the requested version."""
    listing = api.exercise(api.operation(*LIST), version, path=_path(LIST, running),
                           expect=api.context(api.operation(*LIST), version, contains=running.id))
    answer = Answer(listing)
    migrations = answer.objects("migrations")
    for index, migration in enumerate(migrations):
        migration_id = answer.value(migration, "id", where=("migrations", index))
        api.exercise(operation, version, path={"server_id": running.server_id, "migration_id": migration_id},
                     expect=api.context(operation, version, server_id=running.server_id, listed=migration))


# -- what the engine (test_contract*.py) does not: gating, 401, 403 for members, unknown ids and invalid
#    bodies of these operations are its cases; here the semantics no contract states.

_EVERY = [pytest.param(key, marks=pytest.mark.operation(*key), id=f"{key[0]} {key[1]}")
          for key in (LIST, SHOW, FORCE, ABORT)]


@pytest.mark.parametrize("key", _EVERY)
def test_other_project_cannot_see_the_server(api: Api, running: Migration, key: tuple[str, str]) -> None:
    """A member of another project gets no sign of the server: 403 by policy, or 404."""
    need("other", api.target)
    operation = api.operation(*key)
    version = _latest_served(api, operation)
    exchange = api.send(operation, version, path=_path(key, running), json=_body(key), role="other")
    expect = api.context(operation, version).expecting(
        403, 404, reason="another project's server", source=operation.source,
        requirement="Error response codes: ... forbidden(403), itemNotFound(404)")
    assert_conforms(expect, exchange)


@pytest.mark.operation(*FORCE)
def test_force_complete_malformed_json_is_refused(api: Api, operation: Operation, running: Migration) -> None:
    version = _latest_served(api, operation)
    api.exercise(operation, version, path=_path(FORCE, running), body=b'{"force_complete": nul',
                 headers={"Content-Type": "application/json"},
                 expect=api.error(operation, version, 400, "malformed JSON body"))


# -- preconditions -------------------------------------------------------------------------


def _rule(operation: Operation, subject: str, attribute: str, version: Microversion) -> Any:
    for rule in operation.preconditions:
        if rule.subject == subject and attribute in rule.attribute and version in rule.versions:
            return rule
    pytest.skip(f"the api-ref states no {subject} {attribute} precondition for this operation at {version}")


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.operation(*k), id=f"{k[0]} {k[1]}")
                                 for k in (FORCE, ABORT)])
def test_refused_when_server_is_not_migrating(api: Api, running: Migration, idle_server: str,
                                              key: tuple[str, str]) -> None:
    """The server's task_state must be `migrating`: for an idle server the request is refused with 409."""
    operation = api.operation(*key)
    version = _latest_served(api, operation)
    rule = _rule(operation, "server", "task_state", version)
    api.exercise(operation, version, path={"server_id": idle_server, "migration_id": running.id},
                 json=_body(key),
                 expect=api.error(operation, version, 409, "precondition not met: the server is not migrating",
                                  source=rule.sentence.source, requirement=rule.sentence.text))


@pytest.mark.destructive
@pytest.mark.operation(*FORCE)
def test_force_complete_completes_the_migration(api: Api, operation: Operation, workload: Workload,
                                                version: Microversion) -> None:
    """A running migration: 202, then (asynchronously) the migration reaches `completed`."""
    if not workload.destructive:
        pytest.skip("force_complete ends a migration: run with --allow-destructive")
    rule = _rule(operation, "migration", "status", version)
    migration = _accepted(api, operation, workload, version, rule, json=FORCE_BODY)
    _await_status(api, operation, migration, "completed")


@pytest.mark.destructive
@pytest.mark.operation(*ABORT)
def test_abort_cancels_the_migration(api: Api, operation: Operation, workload: Workload,
                                     version: Microversion) -> None:
    """A running migration: 202, then the migration reaches `cancelled` and leaves the in-progress list."""
    if not workload.destructive:
        pytest.skip("abort ends a migration: run with --allow-destructive")
    rule = _rule(operation, "migration", "status", version)
    migration = _accepted(api, operation, workload, version, rule)
    _await_status(api, operation, migration, "cancelled")


def _accepted(api: Api, operation: Operation, workload: Workload, version: Microversion, rule: Any,
              **body: Any) -> Migration:
    """Act on a fresh running migration and check the 202; a refusal is re-checked, not guessed.

    A live migration may end on its own between our look and our request. When the request is
    refused and the migration is no longer running, the refusal was right: try once more with a
    new migration. When it is still running, the refusal is the finding.
    """
    key = (operation.method, operation.path)
    expect = api.context(operation, version).expecting(202, reason="the migration is running",
                                                       source=rule.sentence.source, requirement=rule.sentence.text)
    for attempt in range(2):
        migration = workload.fresh_migration()
        exchange = api.send(operation, version, path=_path(key, migration), **body)
        ended = (exchange.response.status in (400, 409) and attempt == 0
                 and migration.id not in workload.running_ids(migration.server_id))
        if not ended:
            break
    assert_conforms(expect, exchange)
    return migration


@pytest.mark.destructive
@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.operation(*k), id=f"{k[0]} {k[1]}")
                                 for k in (FORCE, ABORT)])
def test_refused_when_migration_is_not_running(api: Api, workload: Workload, key: tuple[str, str]) -> None:
    """A finished migration of a server that is migrating again: refused (400 or 409), not 202."""
    if not workload.destructive:
        pytest.skip("needs a finished and a running migration of one server: run with --allow-destructive")
    operation = api.operation(*key)
    force = api.operation(*FORCE)
    version = _latest_served(api, operation)
    rule = _rule(operation, "migration", "status", version)
    first = workload.fresh_migration()
    # Force-completing a running migration is documented to succeed: a refusal here is a finding.
    api.exercise(force, _latest_served(api, force), path=_path(FORCE, first), json=FORCE_BODY)
    _wait(lambda: (workload.migration(first.id) or {}).get("status") == "completed", "the first migration to end")
    second = workload.migrate_again(first.server_id)
    api.exercise(operation, version, path={"server_id": first.server_id, "migration_id": first.id},
                 json=_body(key),
                 expect=api.context(operation, version).expecting(
                     400, 409, reason=f"precondition not met: migration {first.id} is completed",
                     source=rule.sentence.source, requirement=rule.sentence.text))
    # The running one was untouched by the refused request.
    assert second.id in workload.running_ids(first.server_id)


def _wait(condition: Any, what: str) -> None:
    """Wait for the target to reach a state the test needs before it can check anything: inconclusive if never."""
    deadline = time.monotonic() + POLL_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise Inconclusive(f"timed out after {POLL_SECONDS:.0f} s waiting for {what}")
        time.sleep(0.25)


def _await_status(api: Api, operation: Operation, migration: Migration, status: str) -> None:
    """Poll GET /os-migrations (admin, 2.59) until the migration reaches ``status``; check the last answer."""
    listing = api.operation(*OS_MIGRATIONS)
    version = Microversion(2, 59) if Microversion(2, 59) in api.plan.tested else api.plan.tested.max
    sentence = operation.postconditions[0] if operation.postconditions else None
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        exchange = api.send(listing, version, params={"instance_uuid": migration.server_id})
        found = [m for m in items(exchange.response.json_or_none()) if m.get("id") == migration.id]
        if (found and found[0].get("status") == status) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    ctx = api.context(listing, version, postcondition=(migration.id, status, sentence))
    assert_conforms(replace(ctx, operation=operation), exchange, ["CV-0601"])
    in_progress = api.send(api.operation(*LIST), version, path={"server_id": migration.server_id})
    assert_conforms(api.context(api.operation(*LIST), version, server_id=migration.server_id, in_progress=True),
                    in_progress)
