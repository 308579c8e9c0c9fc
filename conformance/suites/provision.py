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
import time
from collections.abc import Callable, Mapping
from typing import Any

from conformance.errors import TargetError, TargetTimeout
from conformance.suites import answers
from conformance.suites.lifecycle import PLACEHOLDER, Created, Lifecycle, Pending, item_value, render
from conformance.suites.registry import Finder, Maker, Resource
from conformance.suites.workload import PREFIX, NotAvailable

__all__ = ["Created", "Provisioner", "render"]

_QUOTA_POLL_SECONDS = 2.0
_TIMEOUTS_TOLERATED = 3
"""Timeouts of one resource's create request before the run stops trying (a busy target is not a broken one)."""


class Provisioner(Lifecycle):
    """Finds and creates the resources of the registry on a target; deletes what it created."""

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
        if resource.current:  # what it is now (a generation), never a value kept from before
            for finder in resource.find:
                read = self._listed(finder, known, version, own=True)
                if read:  # read, and absent there: none yet (a new consumer's generation is null)
                    return item_value(read[0], finder.value)
            raise NotAvailable(f"cannot read {resource.about} ({self._where(resource)})")
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
                raise NotAvailable(f"nothing on the target is {resource.about} ({self._where(resource)})")
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
                value = item_value(item, finder.value)
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
                value = item_value(item, finder.value)
                if value is not None:
                    return value
        return None

    def _listed(self, finder: Finder, known: Mapping[str, Any], version: Any, own: bool = False) -> list[Any]:
        """The items of a finder's list that match its ``where``, never one the suite named (unless ``own``)."""
        try:
            exchange = self.send(finder.call, known, version)
        except NotAvailable:
            return []
        if exchange.response.status != 200:
            return []
        try:
            answer = answers.body(exchange)
            if finder.items == ".":  # the answer is the one item (a resource read through its own path)
                return [answer] if isinstance(answer, dict) else []
            listed = answers.dig(answer, finder.items) if finder.items else answer
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
                and (own or not _named_by_suite(item, finder))]

    # -- creating -----------------------------------------------------------------------------------------

    def create(self, resource: Resource, known: dict[str, Any], version: Any = None, *, fresh: bool) -> Any:
        """Create one (its parents too, fresh ones when the maker wants), wait until usable, record it."""
        maker = resource.create
        assert maker is not None
        if not self.destructive:
            raise NotAvailable(f"nothing on the target the suite may use is {resource.about} "
                               f"({self._where(resource)}); run with --allow-destructive so that the suite creates one")
        if resource.name in self._broken:
            raise NotAvailable(f"not tried again: {self._broken[resource.name]}")
        if resource.under and maker.fresh_parents:  # a parent of its own, kept as long as it is
            known[resource.under] = self.create(self.entry(resource.under), {}, version, fresh=fresh)
        elif resource.under and resource.under not in known:
            known[resource.under] = self.value(resource.under, {}, version)
        # One lookup for the value and the request: a fresh {name} is the same in both ("conformance:{name}"
        # as the extra spec's key in the body and as its value).
        lookup = self.lookup(known)
        if maker.value == f"{{{resource.param}}}":  # the suite names it (a tag, a metadata key)
            known[resource.param] = f"{PREFIX}{secrets.token_hex(4)}"
        elif PLACEHOLDER.search(maker.value) and maker.find is None:
            # The suite chooses the new one's value (a project id): chosen before the request names it, so
            # that the request's {param} is the new value, never an existing one found in its place.
            known[resource.param] = render(maker.value, lookup)
        pending = None
        if maker.named:
            pending = Pending(resource, str(lookup("name")), dict(known))
            with self._lock:
                self._pending.append(pending)
        try:
            value = self._make(resource, maker, known, lookup, version)
        except (TargetError, NotAvailable) as error:
            self._answered(pending)
            if isinstance(error, NotAvailable):
                raise
            # A refusal will not change: later ones fail at once. A timeout may be the target being busy:
            # it is given up on after a few (a hung target still costs a few timeouts, not one per test).
            timeouts = self._timeouts.get(resource.name, 0) + isinstance(error, TargetTimeout)
            self._timeouts[resource.name] = timeouts
            if not isinstance(error, TargetTimeout) or timeouts >= _TIMEOUTS_TOLERATED:
                self._broken[resource.name] = str(error)
            raise NotAvailable(str(error)) from None
        # An interrupt (Ctrl-C, SIGTERM) before this point leaves the name pending: cleanup finds it by name.
        with self._lock:
            if resource.delete:
                self.created.append(Created(resource, value, {**known, resource.param: value}, fresh))
            if pending is not None:
                self._pending.remove(pending)
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
        elif PLACEHOLDER.search(maker.value):
            value = known[resource.param] if resource.param in known else render(maker.value, lookup)
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
                value = item_value(item, finder.value)
                if value is not None:
                    return value
            return None

        return self._poll(f"{resource.about} to appear in {finder.call.label}", found)

    def new_value(self, resource: Resource, exchange: Any, lookup: Callable[[str], Any]) -> Any:
        """The value a create request's answer gives the new resource (None when it cannot be read)."""
        maker = resource.create
        if maker is None:
            return None
        if maker.find is not None:
            return None
        if PLACEHOLDER.search(maker.value):
            return render(maker.value, lookup)
        try:
            value = answers.dig(answers.body(exchange), maker.value)
        except answers.Unreadable:
            return None
        if maker.match is not None:
            matched = re.search(maker.match, str(value))
            return matched.group(1) if matched else None
        return value

_ABSENT = object()




def _format_version(resource: Resource, version: Any) -> str | None:
    """The version a shared value is keyed by, when its finder reads it at the test's version (ids change form)."""
    if any(finder.call.version == "same" for finder in resource.find):
        return str(version) if version is not None else None
    return None


def _named_by_suite(item: Any, finder: Finder) -> bool:
    """Whether a listed item is one the suite named: by its ``name``, or by the value the finder reads when that is
    a name (a keypair, listed as ``{"keypair": {"name": ...}}``), another test's, which it may delete any time."""
    names = (answers.pick(item, "name", ""), item_value(item, finder.value))
    return any(str(name).startswith(PREFIX) for name in names if name is not None)
