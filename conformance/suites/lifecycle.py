"""What the suite does with the resources it holds: requests from the registry's recipes, waits, states,
and deleting everything it created (after each test, and at the end of the run).

:class:`Lifecycle` is the half of :class:`~conformance.suites.provision.Provisioner` that does not find
or create: it sends the registry's requests with their templates filled, waits for a field to reach a
value, brings a resource into a state through its actions, keeps what puts back a resource the suite
does not own, and deletes what was created, in the reverse order, also after an interrupt (a create
whose answer an interrupt cut off is found by its name).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from conformance.errors import TargetError
from conformance.strategies import path_segment
from conformance.suites import answers
from conformance.suites.polling import pauses
from conformance.suites.registry import Call, Finder, Registry, Resource, Wait
from conformance.suites.workload import PREFIX, NotAvailable

__all__ = ["PLACEHOLDER", "Created", "Lifecycle", "Pending", "item_value", "render"]

PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w-]*)\}")
"""A ``{name}`` in a registry template."""

def render(template: Any, lookup: Callable[[str], Any]) -> Any:
    """A template with its ``{placeholders}`` filled by ``lookup`` (keys of mappings too).

    A string that is exactly one placeholder takes the value itself (any type); placeholders inside
    a longer string are replaced by their text.
    """
    if isinstance(template, str):
        whole = PLACEHOLDER.fullmatch(template)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(lambda match: str(lookup(match.group(1))), template)
    if isinstance(template, dict):
        return {str(render(key, lookup)): render(value, lookup) for key, value in template.items()}
    if isinstance(template, list):
        return [render(item, lookup) for item in template]
    return template


@dataclass
class Created:
    """Something the suite created, and how to delete it."""

    resource: Resource
    """Its registry entry."""
    value: Any
    """Its id (or name)."""
    context: dict[str, Any]
    """The values its delete request needs (its parents)."""
    fresh: bool
    """True when it belongs to one test (deleted after it); False when shared until the end."""
    undo: tuple[Call, ...] = ()
    """Requests that put it back as it was (a changed compute service), instead of deleting it."""


@dataclass
class Pending:
    resource: Resource
    name: str
    context: dict[str, Any] = field(default_factory=dict)


class Lifecycle:
    """Requests, waits, states and deletion for the resources of a registry on a target."""

    def value(self, name: str, known: Mapping[str, Any], version: Any = None, *, fresh: bool = False) -> Any:
        """One resource's value (the Provisioner finds or creates it)."""
        raise NotImplementedError

    def __init__(self, target: Any, registry: Registry, *, destructive: bool, timeout: float = 120.0) -> None:
        self.target = target
        self.registry = registry
        self.destructive = destructive
        self.timeout = timeout
        self.created: list[Created] = []
        self._pending: list[Pending] = []
        self._shared: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
        self._broken: dict[str, str] = {}
        self._timeouts: dict[str, int] = {}
        """Resources whose creation failed: later requests for one fail at once with the same reason."""
        self._lock = threading.RLock()

    # -- roles and templates ----------------------------------------------------------------------------

    @property
    def owner(self) -> str:
        """The role owning what the suite creates: the member's project (the admin's without a member token)."""
        return "member" if "member" in self.target.roles else "admin"

    def role(self, role: str) -> str:
        return self.owner if role == "owner" else role

    def lookup(self, known: Mapping[str, Any]) -> Callable[[str], Any]:
        """Template values: ``known`` ones, fresh ``name``/``upper_name``/``uuid``/``new_uuid``/``now`` (one per
        lookup), other resources."""
        made: dict[str, Any] = {}

        def lookup(name: str) -> Any:
            if name in known:
                return known[name]
            if name not in made:
                if name == "name":
                    made[name] = f"{PREFIX}{secrets.token_hex(4)}"
                elif name == "upper_name":  # for names of [A-Z0-9_]+ (placement's CUSTOM_ classes and traits)
                    made[name] = f"{PREFIX}{secrets.token_hex(4)}".upper().replace("-", "_")
                elif name == "new_uuid" or (name == "uuid" and name not in self.registry.resources):
                    # new_uuid: a new one even where a resource is called uuid (placement's resource provider)
                    made[name] = str(uuid.uuid4())
                elif name == "now":
                    made[name] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                elif name in self.registry.resources:
                    made[name] = self.value(name, known)
                else:
                    raise NotAvailable(f"the resource registry ({self.registry.source}) has no entry for {name}")
            return made[name]

        return lookup

    def send(self, call: Call, known: Mapping[str, Any], version: Any = None, lookup: Callable[[str], Any] | None
             = None) -> Any:
        """Send a registry request with its templates filled; returns the Exchange."""
        lookup = lookup or self.lookup(known)
        path = PLACEHOLDER.sub(lambda match: path_segment(lookup(match.group(1))), call.path)
        header = str(version) if call.version == "same" and version is not None else (
            None if call.version in (None, "same") else call.version)
        body = render(call.body, lookup) if call.body is not None else None
        params = render(dict(call.query), lookup) if call.query else None
        return self.target.request(call.method, path, role=self.role(call.role), microversion=header, json=body,
                                   params=params)

    # -- values -------------------------------------------------------------------------------------------

    def entry(self, name: str, operation: str = "") -> Resource:
        """The registry entry giving path parameter ``name`` its value (in ``operation``, when variants differ)."""
        resource = self.registry.naming(name, operation)
        if resource is None:
            raise NotAvailable(f"the resource registry ({self.registry.source}) has no entry for path parameter "
                               f"{{{name}}}: the suite does not know which resource it names")
        return resource

    def wait(self, wait: Wait, known: Mapping[str, Any], what: str) -> Any:
        """Poll until the field reaches one of ``until``; TargetError naming it on ``fail`` or timeout."""
        lookup = self.lookup(known)
        until = {str(render(value, lookup)) for value in wait.until}

        def reached() -> Any:
            exchange = self.send(wait.call, known, None, lookup)
            if exchange.response.status == 404 and "DELETED" in until:
                return "DELETED"
            try:
                answer = answers.body(exchange)
            except answers.Unreadable:
                return None
            value = answers.pick(answer, wait.field)
            if str(value) in wait.fail:
                # The reason the resource gives first (a server's fault: "No valid host was found"), then the answer.
                parent = wait.field.rpartition(".")[0]
                fault = answers.pick(answer, f"{parent}.fault" if parent else "fault")
                why = f" ({json.dumps(fault)[:300]})" if fault else ""
                raise TargetError(f"{what} went to {value}{why}: {answers.describe(exchange, 300)}")
            if str(value) in until and (wait.idle is None or answers.pick(answer, wait.idle) is None):
                return str(value)
            return None

        return self._poll(f"{what} to reach {' or '.join(sorted(until))}", reached)

    def _poll(self, what: str, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.timeout
        for pause in pauses():
            result = check()
            if result is not None:
                return result
            if time.monotonic() > deadline:
                raise TargetError(f"timed out after {self.timeout:.0f} s waiting for {what}")
            time.sleep(pause)
        raise AssertionError("pauses() never ends")  # pragma: no cover

    def adopt(self, resource: Resource, value: Any, known: Mapping[str, Any]) -> None:
        """Record a resource a test created itself (its own create request), to be deleted after it."""
        if resource.delete:
            with self._lock:
                self.created.append(Created(resource, value, {**known, resource.param: value}, True))

    # -- states -------------------------------------------------------------------------------------------

    def status(self, name: str, value: Any) -> Any:
        """The resource's state as its show request reads it (None when it cannot be read)."""
        resource = self.entry(name)
        if resource.state is None:
            return None
        exchange = self.send(resource.state.call, {name: value})
        try:
            return answers.pick(answers.body(exchange), resource.state.field)
        except answers.Unreadable:
            return None

    def bring(self, name: str, value: Any, state: str, operation: str = "") -> None:
        """Bring a resource the test owns into a state of the registry, through its actions."""
        resource = self.entry(name, operation)
        wanted = resource.states.get(state)
        if wanted is None or resource.act is None:
            raise NotAvailable(f"the resource registry does not say how to bring {resource.about} into {state}")
        known = {name: value}
        for position, action in enumerate(wanted.do):
            if position and resource.state is not None:  # the previous action done first (shelve, then offload)
                try:
                    self.settle(name, value, f"idle after {_action_name(wanted.do[position - 1])}")
                except TargetError as error:
                    raise NotAvailable(f"could not bring {resource.about} {value} into {state}: {error}") from None
            exchange = self.send(replace(resource.act, body=action), known)
            if not 200 <= exchange.response.status < 300:
                raise NotAvailable(f"could not bring {resource.about} {value} into {state}: "
                                   f"{answers.describe(exchange)}")
        if resource.state is None:
            return
        try:
            self.settle(name, value, f"{state} (through {', '.join(map(_action_name, wanted.do)) or 'nothing'})",
                        (wanted.status,))
        except TargetError as error:
            raise NotAvailable(f"could not bring {resource.about} {value} into {state}: {error}") from None

    def settle(self, name: str, value: Any, what: str, statuses: tuple[str, ...] = ()) -> Any:
        """Wait until the resource is idle (no task in progress); TargetError unless its state is one of
        ``statuses`` then (any state when none is given). Returns the last answer's body."""
        resource = self.entry(name)
        state = resource.state
        assert state is not None
        known = {name: value}

        def idle() -> Any:
            exchange = self.send(state.call, known)
            try:
                answer = answers.body(exchange)
            except answers.Unreadable:
                return None
            busy = state.idle is not None and answers.pick(answer, state.idle) is not None
            return None if busy else (exchange, answer)

        exchange, answer = self._poll(f"{resource.about} {value} to be idle", idle)
        status = answers.pick(answer, state.field)
        if statuses and str(status) not in statuses:
            raise TargetError(f"{resource.about} {value} is {status}, not {what}: "
                              f"{answers.describe(exchange, 400)}")
        return answer

    # -- deleting -----------------------------------------------------------------------------------------

    def release(self) -> list[str]:
        """Delete what the current test was given fresh; returns what could not be deleted."""
        with self._lock:
            fresh = [item for item in self.created if item.fresh]
            self.created = [item for item in self.created if not item.fresh]
        return self._delete_all(fresh)

    def cleanup(self) -> list[str]:
        """Delete everything the run created, and what an interrupted create left behind (found by name)."""
        with self._lock:
            created, self.created = self.created, []
            pending, self._pending = self._pending, []
            self._shared.clear()
        for item in pending:
            for finder in item.resource.find[:1]:
                named = Finder(finder.call, finder.items, finder.value, {"name": item.name})
                for found in self._listed_named(named, item.context):
                    created.append(Created(item.resource, found, {**item.context, item.resource.param: found}, True))
        return self._delete_all(created)

    def _listed_named(self, finder: Finder, known: Mapping[str, Any]) -> list[Any]:
        try:
            exchange = self.send(finder.call, known)
            listed = answers.items(answers.body(exchange), finder.items)
        except (TargetError, NotAvailable, answers.Unreadable):
            return []
        return [item_value(item, finder.value) for item in listed if item.get("name") == finder.where["name"]]

    def _delete_all(self, created: list[Created]) -> list[str]:
        failed = []
        for item in reversed(created):
            calls = item.undo or item.resource.delete
            for position, call in enumerate(calls):
                try:
                    exchange = self.send(call, item.context)
                    ok = 200 <= exchange.response.status < 300 or (exchange.response.status == 404 and not item.undo)
                except (TargetError, NotAvailable):
                    ok = False
                last = position == len(calls) - 1
                if not ok and (item.undo or last):  # the requests before a delete only prepare it
                    what = "put back" if item.undo else "delete"
                    failed.append(f"{item.resource.about} {item.value} (could not {what} it with {call.label})")
        return failed

    def guard(self, name: str, value: Any, known: Mapping[str, Any]) -> None:
        """Before a test changes a resource the suite does not own: keep what restores it after the test."""
        resource = self.entry(name)
        if not resource.restore:
            return
        context = {**known, resource.param: value}
        if resource.save is not None:
            exchange = self.send(resource.save.call, context)
            try:
                saved = answers.dig(answers.body(exchange), resource.save.value, f"{resource.save.call.label}")
            except answers.Unreadable as error:
                raise NotAvailable(f"cannot keep {resource.about} {value} to put it back after the test: "
                                   f"{error}") from None
            if isinstance(saved, dict):
                saved = {key: item for key, item in saved.items() if key not in resource.save.without}
            context["saved"] = saved
        with self._lock:
            self.created.append(Created(resource, value, context, True, resource.restore))


    def _answered(self, pending: Pending | None) -> None:
        if pending is not None:
            with self._lock:
                if pending in self._pending:
                    self._pending.remove(pending)


def _action_name(action: Any) -> str:
    return next(iter(action)) if isinstance(action, dict) and action else str(action)




def item_value(item: Any, path: str) -> Any:
    """An id found in a listed item: a non-empty string or an integer (None otherwise)."""
    value = answers.pick(item, path)
    return value if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None
