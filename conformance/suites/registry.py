"""The resources an api-ref's operations name, in one declarative file per service.

What the api-ref cannot say lives in ``conformance/suites/resources/<service>.yaml``:
which resource a path parameter names, how to find one through a list
operation (read-only runs), how to create and delete one through the public
API (``--allow-destructive``), what it depends on, which states it can be
brought into, and which request fields name resources. Each entry is keyed by
the path parameter that names the resource::

    resources:
      flavor_id:
        about: a flavor
        find: {call: GET /flavors/detail, role: admin, items: flavors, value: id}
        create:
          call: POST /flavors
          role: admin
          body: {flavor: {name: "{name}", ram: 64, vcpus: 1, disk: 1}}
          value: flavor.id
        delete: {call: DELETE /flavors/{flavor_id}, role: admin}

``{name}`` in a template is a fresh ``conformance-...`` name, ``{uuid}`` a new
UUID, ``{now}`` the current time (ISO 8601), ``{flavor_id}`` another resource.
A string that is one placeholder keeps the placeholder's value and type.
:func:`load_registry` raises :class:`InputError` naming the file and line of a
malformed entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import InputError
from conformance.suites.recipes import Call, FieldHint, Finder, Maker, Saved, Stale, State, Unavailable, Wait

__all__ = ["Call", "FieldHint", "Finder", "Maker", "Registry", "Resource", "Saved", "Stale", "State", "Unavailable",
           "Wait", "load_registry"]

_RESOURCE_KEYS = frozenset({"about", "under", "find", "value", "create", "delete", "unsafe", "unknown", "states",
                            "state", "act", "needs", "placeholder", "shared", "stands_for", "in", "role", "each",
                            "save", "restore", "current", "stale"})
_UNKNOWN_KINDS = frozenset({"uuid", "integer", "name"})


class _Located(dict[str, Any]):
    """A mapping that remembers the line it starts on."""

    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Located:
    value = _Located({str(key): item for key, item in loader.construct_mapping(node, deep=True).items()})
    value.line = node.start_mark.line + 1
    return value


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


@dataclass(frozen=True)
class Resource:
    """What a path parameter names, and how the suite gets one."""

    name: str
    """The path parameter (``server_id``) or another name other entries refer to (``resize_flavor_id``)."""
    about: str
    """What it is, in words."""
    source: str
    """Where the entry starts."""
    under: str | None = None
    """The resource this one lives under (a metadata ``key`` under ``server_id``)."""
    find: tuple[Finder, ...] = ()
    """Ways to find an existing one, tried in order."""
    value: Any = None
    """A fixed or generated value instead (``v2.1``, ``{now}``)."""
    create: Maker | None = None
    """How to create one (``--allow-destructive``)."""
    delete: tuple[Call, ...] = ()
    """How to delete one it created: the requests in order, the last one deletes it (the others prepare:
    a host taken out of an aggregate first)."""
    unsafe: str | None = None
    """Why changing one changes the cloud beyond the suite's own resources (run only with --allow-unsafe)."""
    unknown: str = "uuid"
    """The kind of identifier an unknown one is drawn as: ``uuid``, ``integer`` or ``name``."""
    placeholder: str | None = None
    """A value for operations that never look the resource up (removed APIs)."""
    shared: str = "find"
    """How tests that only read get one: ``find`` an existing one first, or ``create`` their own (when allowed)."""
    stands_for: str | None = None
    """The path parameter this entry gives a value to, in the operations ``within`` matches (a ``key`` of an
    image's metadata rather than of a server's)."""
    within: str | None = None
    """A regular expression over ``METHOD /path [action]``: the operations where it stands for its parameter."""
    role: str = "admin"
    """Whose token the tests use on operations naming it (``owner`` for what only its owner sees: keypairs)."""
    each: bool = False
    """Every use gets one of its own (a volume can be attached once): never shared."""
    save: Saved | None = None
    """What to read before a test changes one the suite does not own (``{saved}`` in ``restore``)."""
    restore: tuple[Call, ...] = ()
    """Requests that put one back after a test changed it (unsafe writes on what the suite does not own)."""
    current: bool = False
    """Read afresh through ``find`` at every use, never kept: a value every write changes (a resource
    provider's generation, which a write must send as it is now)."""
    stale: Stale | None = None
    """How a target refuses a write that sends a value other than the current one (a generation that moved
    on): the status and the error code; None when the registry says nothing."""

    @property
    def param(self) -> str:
        """The path parameter it gives a value to."""
        return self.stands_for or self.name
    state: Wait | None = None
    """How to read its state (``server.status``)."""
    act: Call | None = None
    """The request that performs a state action (``POST /servers/{server_id}/action``)."""
    states: Mapping[str, State] = field(default_factory=dict)
    """The states it can be brought into."""
    needs: Mapping[str, str] = field(default_factory=dict)
    """The state an operation (``POST /servers/{server_id}/action unpause``) needs, where the api-ref is silent."""


@dataclass(frozen=True)
class Registry:
    """The resources and field hints of one service."""

    service: str
    """The service type."""
    resources: Mapping[str, Resource]
    """By name."""
    fields: tuple[FieldHint, ...] = ()
    """Field hints, most specific first."""
    elsewhere: Mapping[str, str] = field(default_factory=dict)
    """Operations the engine leaves to a hand-written suite (label -> which and why)."""
    cannot: Mapping[str, str] = field(default_factory=dict)
    """Operations whose success needs what the suite cannot bring about (a regular expression over the label ->
    the reason): their other tests run, the success is not exercised."""
    unavailable: tuple[Unavailable, ...] = ()
    """Answers by which a target says it lacks an optional feature (the test is not exercised, not failed)."""
    source: str = ""
    """The file."""
    unverified: Mapping[str, str] = field(default_factory=dict)
    """Tests whose generated checks still disagree with real Nova for a reason the suite or the contract has not
    yet settled (a regular expression over ``<test function> <label>``, ``test_served GET /os-baremetal-nodes``
    -> the reason): skipped unless ``--operations`` asks for their operations, and reported as not exercised
    with the reason."""
    unchecked: Mapping[str, str] = field(default_factory=dict)
    """Operations whose last path id the service does not look up before it answers (a regular expression over
    the label -> the reason: nova casts an interface detach to the compute host): an unknown one is drawn for
    the other ids of the path."""

    def naming(self, parameter: str, operation: str) -> Resource | None:
        """The entry that gives ``parameter`` its value in ``operation`` (``METHOD /path [action]``)."""
        for resource in self.resources.values():
            if resource.stands_for == parameter and resource.within and re.search(resource.within, operation):
                return resource
        return self.resources.get(parameter)

    def hint(self, path: tuple[str, ...], operation: str = "", version: Any = None) -> FieldHint | None:
        """The most specific hint about the field at ``path`` in ``operation`` (at ``version``, when given)."""
        return next((hint for hint in self.fields if hint.matches(path, operation, version)), None)

    def unverified_reason(self, test: str) -> str | None:
        """Why ``<test function> <label>`` is not yet run by default (None when it is)."""
        return _reason(self.unverified, test)

    def lookup_deferred(self, operation: str) -> str | None:
        """Why the operation's last path id is not looked up before the answer (None when it is)."""
        return _reason(self.unchecked, operation)

    def unreachable(self, operation: str) -> str | None:
        """Why the suite cannot bring about what the operation needs (None when it can)."""
        return _reason(self.cannot, operation)


def load_registry(service: str = "compute", path: Path | None = None) -> Registry:
    """Read the registry of ``service`` (the shipped file unless ``path`` is given)."""
    if path is None:
        shipped = package_files.files("conformance.suites").joinpath("resources", f"{service}.yaml")
        if not shipped.is_file():
            return Registry(service, {}, source=f"conformance/suites/resources/{service}.yaml")
        text, name = shipped.read_text(encoding="utf-8"), f"resources/{service}.yaml"
    else:
        try:
            text, name = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise InputError(f"cannot read the resource registry: {exc}", path) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(f"invalid YAML: {exc.problem}", name, mark.line + 1 if mark else None) from None
    return _Reader(name).registry(data, service)


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, message: str, where: Any) -> InputError:
        return InputError(message, self.name, getattr(where, "line", None))

    def registry(self, data: Any, service: str) -> Registry:
        if not isinstance(data, dict) or not isinstance(data.get("resources"), dict):
            raise self.fail("expected a mapping with a 'resources' mapping", data)
        entries = {key: self.resource(key, value, data["resources"]) for key, value in data["resources"].items()}
        for entry in entries.values():
            line = int(entry.source.rsplit(":", 1)[1])
            if entry.under is not None and entry.under not in entries:
                raise InputError(f"resource {entry.name} is under {entry.under}, which has no entry", self.name, line)
            for operation, state in entry.needs.items():
                if state not in entry.states:
                    raise InputError(f"resource {entry.name}: {operation} needs state {state}, which `states` lacks",
                                     self.name, line)
        hints = [self.hint(key, value) for key, value in (data.get("fields") or {}).items()]
        for hint in hints:
            if hint.resource is not None and hint.resource not in entries:
                raise InputError(f"field hint {hint.path} names resource {hint.resource}, which has no entry",
                                 self.name, int(hint.source.rsplit(":", 1)[1]))
        hints.sort(key=lambda hint: (-hint.path.count("."), hint.within is None, hint.versions is None))
        elsewhere = {str(key): str(value) for key, value in (data.get("elsewhere") or {}).items()}
        cannot = {str(key): str(value) for key, value in (data.get("cannot") or {}).items()}
        unavailable = tuple(self.unavailable(item) for item in _listed(data.get("unavailable")))
        unchecked = {str(key): str(value) for key, value in (data.get("unchecked") or {}).items()}
        unverified = {str(key): str(value) for key, value in (data.get("unverified") or {}).items()}
        return Registry(service, entries, tuple(hints), elsewhere, cannot, unavailable, self.name, unverified,
                        unchecked)

    def unavailable(self, data: Any) -> Unavailable:
        if not isinstance(data, dict) or not {"in", "status", "message", "reason"} <= set(data):
            raise self.fail("an `unavailable` entry needs `in`, `status`, `message` and `reason`", data)
        return Unavailable(str(data["in"]), int(data["status"]), str(data["message"]), str(data["reason"]),
                           str(data["below"]) if data.get("below") is not None else None)

    def call(self, data: Any, where: Any) -> Call:
        if isinstance(data, str):
            data = _Located(call=data)
            data.line = getattr(where, "line", 0)
        if not isinstance(data, dict) or not isinstance(data.get("call"), str):
            raise self.fail("a request needs `call: METHOD /path [action]`", where)
        parts = data["call"].split()
        if len(parts) not in (2, 3) or not parts[1].startswith("/"):
            raise self.fail(f"`call: {data['call']}` is not METHOD /path [action]", data)
        version = data.get("version", "same")
        return Call(parts[0].upper(), parts[1], parts[2] if len(parts) == 3 else None,
                    None if version is None else str(version), str(data.get("role", "admin")), data.get("body"),
                    dict(data.get("query") or {}), f"{self.name}:{getattr(data, 'line', 0)}")

    def finder(self, data: Any) -> Finder:
        call = self.call(data, data)
        return Finder(call, str(data.get("items", "")), str(data.get("value", "id")), dict(data.get("where") or {}),
                      {str(k): str(v) for k, v in (data.get("bind") or {}).items()})

    def wait(self, data: Any) -> Wait:
        if not isinstance(data, dict) or "field" not in data or "until" not in data:
            raise self.fail("a wait needs `call`, `field` and `until`", data)
        return Wait(self.call(data, data), str(data["field"]), tuple(map(str, _listed(data["until"]))),
                    tuple(map(str, _listed(data.get("fail")))), data.get("idle"))

    def resource(self, key: str, data: Any, everything: Mapping[str, Any]) -> Resource:
        if not isinstance(data, dict):
            raise self.fail(f"resource {key} must be a mapping", everything)
        unknown = sorted(set(data) - _RESOURCE_KEYS)
        if unknown:
            raise self.fail(f"resource {key}: unknown keys {', '.join(unknown)}", data)
        kind = str(data.get("unknown", "uuid"))
        if kind not in _UNKNOWN_KINDS:
            raise self.fail(f"resource {key}: unknown: {kind} is not one of {sorted(_UNKNOWN_KINDS)}", data)
        finders = tuple(self.finder(item) for item in _listed(data.get("find")))
        maker = self.maker(key, data["create"]) if "create" in data else None
        states = {str(name): State(str(name), tuple(_listed(entry.get("do"))), str(entry.get("status", name)))
                  for name, entry in (data.get("states") or {}).items()}
        return Resource(
            name=key, about=str(data.get("about", key)), source=f"{self.name}:{getattr(data, 'line', 0)}",
            under=data.get("under"), find=finders, value=data.get("value"), create=maker,
            delete=tuple(self.call(item, data) for item in _listed(data.get("delete"))), unsafe=data.get("unsafe"),
            unknown=kind, placeholder=data.get("placeholder"), shared=str(data.get("shared", "find")),
            stands_for=data.get("stands_for"), within=data.get("in"), role=str(data.get("role", "admin")),
            each=bool(data.get("each", False)), save=self.saved(data["save"]) if "save" in data else None,
            restore=tuple(self.call(item, data) for item in _listed(data.get("restore"))),
            current=bool(data.get("current", False)), stale=self.stale(key, data.get("stale")),
            state=self.wait(data["state"]) if "state" in data else None,
            act=self.call(data["act"], data) if "act" in data else None, states=states,
            needs={str(k): str(v) for k, v in (data.get("needs") or {}).items()})

    def stale(self, key: str, data: Any) -> Stale | None:
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("status"), int) or not data.get("source"):
            raise self.fail(f"resource {key}: stale needs `status` (an integer), `source` (where the api-ref says "
                            "so) and may give `code`", data)
        return Stale(int(data["status"]), str(data["code"]) if data.get("code") else None, str(data["source"]),
                     str(data.get("words", "")))

    def saved(self, data: Any) -> Saved:
        if not isinstance(data, dict) or "value" not in data:
            raise self.fail("`save` needs `call` and `value`", data)
        return Saved(self.call(data, data), str(data["value"]), tuple(map(str, _listed(data.get("without")))))

    def maker(self, key: str, data: Any) -> Maker:
        if not isinstance(data, dict) or ("value" not in data and "find" not in data):
            raise self.fail(f"resource {key}: create needs `value` (where the new one's value is) or `find`", data)
        return Maker(self.call(data, data), str(data.get("value", "")),
                     self.finder(data["find"]) if "find" in data else None,
                     self.wait(data["wait"]) if "wait" in data else None, bool(data.get("fresh_parents", False)),
                     bool(data.get("named", True)), data.get("match"))

    def hint(self, key: str, data: Any) -> FieldHint:
        if not isinstance(data, dict):
            raise self.fail(f"field hint {key} must be a mapping", data)
        schema = data.get("schema")
        if schema is not None and not isinstance(schema, dict):
            raise self.fail(f"field hint {key}: schema must be a mapping of JSON Schema keywords", data)
        path = str(data.get("field", key))
        versions = None
        if data.get("versions") is not None:
            from conformance.errors import VersionError
            from conformance.suites.plan import parse_range

            try:
                versions = parse_range(str(data["versions"]))
            except VersionError as exc:
                raise self.fail(f"field hint {key}: versions {data['versions']!r}: {exc}", data) from None
        return FieldHint(path, data.get("resource"), data.get("value"), "value" in data, schema,
                         str(data.get("why", "")), f"{self.name}:{getattr(data, 'line', 0)}", data.get("in"),
                         bool(data.get("send", False)), bool(data.get("omit", False)), versions)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _reason(table: Mapping[str, str], text: str) -> str | None:
    """The reason of the first pattern of ``table`` found in ``text`` (None when none is)."""
    return next((reason for pattern, reason in table.items() if re.search(pattern, text)), None)
