"""Getting the resources an operation's path names, from the registry's recipes.

    provisioner = Provisioner(target, load_registry("compute"), destructive=True)
    path = provisioner.values(["server_id", "key"], fresh=True)     # created for this test
    provisioner.bring("server_id", path["server_id"], "PAUSED")
    provisioner.release()        # after the test: delete what it was given fresh
    provisioner.cleanup()        # at the end of the run (also after Ctrl-C, SIGTERM): delete everything

Tests that only read share resources: found through the registry's list
operations (never one the suite named: another worker may be about to delete
it), or, when the run may create, made once per process and kept. Tests that
write get resources of their own, created for them and deleted after them.
What the target lacks, or the run may not create, raises
:class:`~conformance.suites.workload.NotAvailable` with the reason.
"""

from __future__ import annotations

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
from conformance.suites.registry import Call, Finder, Maker, Registry, Resource, Wait
from conformance.suites.workload import PREFIX, NotAvailable

__all__ = ["Created", "Provisioner", "render"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w-]*)\}")
_QUOTA_POLL_SECONDS = 2.0
_POLL_SECONDS = 0.1


def render(template: Any, lookup: Callable[[str], Any]) -> Any:
    """A template with its ``{placeholders}`` filled by ``lookup`` (keys of mappings too).

    A string that is exactly one placeholder takes the value itself (any type); placeholders inside
    a longer string are replaced by their text.
    """
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return lookup(whole.group(1))
        return _PLACEHOLDER.sub(lambda match: str(lookup(match.group(1))), template)
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
class _Pending:
    resource: Resource
    name: str
    context: dict[str, Any] = field(default_factory=dict)


class Provisioner:
    """Finds and creates the resources of the registry on a target; deletes what it created."""

    def __init__(self, target: Any, registry: Registry, *, destructive: bool, timeout: float = 120.0) -> None:
        self.target = target
        self.registry = registry
        self.destructive = destructive
        self.timeout = timeout
        self.created: list[Created] = []
        self._pending: list[_Pending] = []
        self._shared: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
        self._broken: dict[str, str] = {}
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
        """Template values: ``known`` ones, fresh ``name``/``uuid``/``now`` (one per lookup), other resources."""
        made: dict[str, Any] = {}

        def lookup(name: str) -> Any:
            if name in known:
                return known[name]
            if name not in made:
                if name == "name":
                    made[name] = f"{PREFIX}{secrets.token_hex(4)}"
                elif name == "uuid":
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
        path = _PLACEHOLDER.sub(lambda match: path_segment(lookup(match.group(1))), call.path)
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

    def values(self, names: list[str], version: Any = None, *, fresh: bool = False,
               operation: str = "") -> dict[str, Any]:
        """Values for the path parameters ``names`` (in path order): shared, or created for this test."""
        entries = {name: self.entry(name, operation) for name in names}
        known: dict[str, Any] = {}
        if not fresh:
            for name in reversed(names):
                if name not in known:
                    self._bound(entries[name], known, version)
        for position, name in enumerate(names):
            if name in known:
                continue
            child = next((entries[later] for later in names[position + 1:] if self._brings_parent(
                entries[later], name, fresh)), None)
            if child is not None:  # it comes with a parent of its own (a migration and its server)
                known[child.param] = self.resolve(child, known, version, fresh=fresh)
            else:
                known[name] = self.resolve(entries[name], known, version, fresh=fresh)
        return {name: known[name] for name in names}

    def _brings_parent(self, child: Resource, parent: str, fresh: bool) -> bool:
        maker = child.create
        return (child.under == parent and maker is not None and maker.fresh_parents
                and (fresh or (child.shared == "create" and self.destructive)))

    def value(self, name: str, known: Mapping[str, Any], version: Any = None, *, fresh: bool = False) -> Any:
        """One resource's value (by its entry's name), its parents taken from ``known``."""
        return self.resolve(self.entry(name), dict(known), version, fresh=fresh)

    def resolve(self, resource: Resource, known: dict[str, Any], version: Any = None, *,
                fresh: bool = False) -> Any:
        """A value for ``resource``; parents it brings along are added to ``known``."""
        if resource.value is not None:
            return render(resource.value, self.lookup(known))
        if (fresh or resource.each) and resource.create is not None:
            return self.create(resource, known, version, fresh=fresh)
        parents = {resource.under: known[resource.under]} if resource.under and resource.under in known else {}
        key = (resource.name, tuple(sorted((k, str(v)) for k, v in parents.items())),
               _format_version(resource, version))
        with self._lock:
            if key in self._shared:
                value, bound = self._shared[key]
                known.update(bound)
                return value
        found = None
        prefer_create = resource.shared == "create" and self.destructive and resource.create is not None
        if not prefer_create:
            found = self._find(resource, known, version)
        if found is None:
            if resource.create is None:
                raise NotAvailable(f"the target has no {resource.about} ({self._where(resource)})")
            found = self.create(resource, known, version, fresh=False)
        bound = {resource.under: known[resource.under]} if resource.under and resource.under in known else {}
        with self._lock:
            self._shared[key] = (found, bound)
        return found

    def _where(self, resource: Resource) -> str:
        looked = ", ".join(finder.call.label for finder in resource.find) or "no way to find one"
        return f"looked through {looked}"

    def _bound(self, resource: Resource, known: dict[str, Any], version: Any) -> None:
        """Find a resource whose finder also names its parents (a migration and its server)."""
        for finder in resource.find:
            if not finder.bind or any(name in known for name in finder.bind):
                continue
            if resource.shared == "create" and self.destructive and resource.create is not None:
                return
            for item in self._listed(finder, known, version):
                parents = {name: answers.pick(item, path) for name, path in finder.bind.items()}
                value = _item_value(item, finder.value)
                if value is not None and None not in parents.values():
                    known.update(parents)
                    known[resource.param] = value
                    return

    def _find(self, resource: Resource, known: dict[str, Any], version: Any) -> Any:
        for finder in resource.find:
            if finder.bind and not all(name in known for name in finder.bind):
                continue
            for item in self._listed(finder, known, version):
                if finder.bind and any(str(answers.pick(item, path)) != str(known[name])
                                       for name, path in finder.bind.items()):
                    continue
                value = _item_value(item, finder.value)
                if value is not None:
                    return value
        return None

    def _listed(self, finder: Finder, known: Mapping[str, Any], version: Any) -> list[Any]:
        """The items of a finder's list that match its ``where``, never one the suite named."""
        try:
            exchange = self.send(finder.call, known, version)
        except NotAvailable:
            return []
        if exchange.response.status != 200:
            return []
        try:
            listed = answers.dig(answers.body(exchange), finder.items) if finder.items else answers.body(exchange)
        except answers.Unreadable:
            return []
        lookup = self.lookup(known)
        where = {key: render(value, lookup) for key, value in finder.where.items()}
        if isinstance(listed, dict):  # a map keyed by the value (metadata, extra specs, addresses)
            entries: list[Any] = [{"@key": key, "@item": item} for key, item in listed.items()]
        elif isinstance(listed, list):
            entries = [item if isinstance(item, dict) else {"@item": item} for item in listed]
        else:
            return []
        return [item for item in entries
                if all(answers.pick(item, key, _ABSENT) == value for key, value in where.items())
                and not str(answers.pick(item, "name", "")).startswith(PREFIX)]

    # -- creating -----------------------------------------------------------------------------------------

    def create(self, resource: Resource, known: dict[str, Any], version: Any = None, *, fresh: bool) -> Any:
        """Create one (its parents too, fresh ones when the maker wants), wait until usable, record it."""
        maker = resource.create
        assert maker is not None
        if not self.destructive:
            raise NotAvailable(f"the target has no {resource.about} the suite may use ({self._where(resource)}); "
                               "run with --allow-destructive so that the suite creates one")
        if resource.name in self._broken:
            raise NotAvailable(f"not tried again: {self._broken[resource.name]}")
        if resource.under and maker.fresh_parents:  # a parent of its own, kept as long as it is
            known[resource.under] = self.create(self.entry(resource.under), {}, version, fresh=fresh)
        elif resource.under and resource.under not in known:
            known[resource.under] = self.value(resource.under, {}, version)
        if maker.value == f"{{{resource.param}}}":  # the suite names it (a tag, a metadata key)
            known[resource.param] = f"{PREFIX}{secrets.token_hex(4)}"
        lookup = self.lookup(known)
        pending = None
        if maker.named:
            pending = _Pending(resource, str(lookup("name")), dict(known))
            with self._lock:
                self._pending.append(pending)
        try:
            value = self._make(resource, maker, known, lookup, version)
        except TargetError as error:
            self._broken[resource.name] = str(error)
            raise NotAvailable(str(error)) from None
        finally:
            if pending is not None:
                with self._lock:
                    self._pending.remove(pending)
        if resource.delete:
            context = {**known, resource.param: value}
            with self._lock:
                self.created.append(Created(resource, value, context, fresh))
        if maker.wait is not None:
            self.wait(maker.wait, {**known, resource.param: value}, f"{resource.about} {value}")
        return value

    def _make(self, resource: Resource, maker: Maker, known: dict[str, Any], lookup: Callable[[str], Any],
              version: Any) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            exchange = self.send(maker.call, known, version, lookup)
            status = exchange.response.status
            if not (status == 403 and "quota exceeded" in exchange.response.text().lower()):
                break
            if time.monotonic() >= deadline:
                raise NotAvailable(f"no quota left to create {resource.about}: {answers.describe(exchange)} "
                                   f"(waited {self.timeout:.0f} s for room)")
            time.sleep(_QUOTA_POLL_SECONDS)
        if not 200 <= status < 300:
            raise TargetError(f"could not create {resource.about}: {answers.describe(exchange)}")
        if maker.find is not None:
            value = self._wait_found(maker.find, known, version, resource)
        elif _PLACEHOLDER.search(maker.value):
            value = render(maker.value, lookup)
        else:
            try:
                value = answers.dig(answers.body(exchange), maker.value, "the create answer")
            except answers.Unreadable as error:
                raise TargetError(f"created {resource.about} but cannot read its id: {error}") from None
        if maker.match is not None:
            matched = re.search(maker.match, str(value))
            if matched is None:
                raise TargetError(f"created {resource.about} but {value!r} does not hold /{maker.match}/")
            value = matched.group(1)
        return value

    def _wait_found(self, finder: Finder, known: dict[str, Any], version: Any, resource: Resource) -> Any:
        def found() -> Any:
            for item in self._listed(finder, known, version):
                value = _item_value(item, finder.value)
                if value is not None:
                    return value
            return None

        return self._poll(f"{resource.about} to appear in {finder.call.label}", found)

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
                raise TargetError(f"{what} went to {value}: {answers.describe(exchange, 300)}")
            if str(value) in until and (wait.idle is None or answers.pick(answer, wait.idle) is None):
                return str(value)
            return None

        return self._poll(f"{what} to reach {' or '.join(sorted(until))}", reached)

    def _poll(self, what: str, check: Callable[[], Any]) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            result = check()
            if result is not None:
                return result
            if time.monotonic() > deadline:
                raise TargetError(f"timed out after {self.timeout:.0f} s waiting for {what}")
            time.sleep(_POLL_SECONDS)

    def adopt(self, resource: Resource, value: Any, known: Mapping[str, Any]) -> None:
        """Record a resource a test created itself (its own create request), to be deleted after it."""
        if resource.delete:
            with self._lock:
                self.created.append(Created(resource, value, {**known, resource.param: value}, True))

    def new_value(self, resource: Resource, exchange: Any, lookup: Callable[[str], Any]) -> Any:
        """The value a create request's answer gives the new resource (None when it cannot be read)."""
        maker = resource.create
        if maker is None:
            return None
        if maker.find is not None:
            return None
        if _PLACEHOLDER.search(maker.value):
            return render(maker.value, lookup)
        try:
            value = answers.dig(answers.body(exchange), maker.value)
        except answers.Unreadable:
            return None
        if maker.match is not None:
            matched = re.search(maker.match, str(value))
            return matched.group(1) if matched else None
        return value

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
        for action in wanted.do:
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
        return [_item_value(item, finder.value) for item in listed if item.get("name") == finder.where["name"]]

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


_ABSENT = object()


def _action_name(action: Any) -> str:
    return next(iter(action)) if isinstance(action, dict) and action else str(action)


def _item_value(item: Any, path: str) -> Any:
    value = answers.pick(item, path)
    return value if isinstance(value, str | int) and not isinstance(value, bool) and value != "" else None


def _format_version(resource: Resource, version: Any) -> str | None:
    """The version a shared value is keyed by, when its finder reads it at the test's version (ids change form)."""
    if any(finder.call.version == "same" for finder in resource.find):
        return str(version) if version is not None else None
    return None
