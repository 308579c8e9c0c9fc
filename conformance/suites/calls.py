"""The valid request for an operation at a microversion: path values, body, query, state.

    preparer = Preparer(plan, registry, provisioner, allow_unsafe=False)
    call = preparer.prepare(operation, version, fresh=True)    # resources created for this test
    exchange = api.send(operation, version, path=call.path, json=call.body, params=call.query)
    preparer.after(call, exchange)                             # what the request created is deleted later

Reads share resources; writes get their own. The request an operation that
creates a resource sends is the registry's recipe for it; any other body is
the smallest the request schema of the version allows (:func:`bodies.minimal`).
A write that would change the cloud beyond the suite's own resources (the
registry marks them ``unsafe``) raises NotAvailable unless the run allows it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.model import Microversion, Operation
from conformance.openapi import request_schema
from conformance.suites import bodies
from conformance.suites.lifecycle import PLACEHOLDER
from conformance.suites.plan import Plan
from conformance.suites.provision import Provisioner, render
from conformance.suites.registry import FieldHint, Registry, Resource
from conformance.suites.workload import PREFIX, NotAvailable

__all__ = ["PLACEHOLDER_ID", "Prepared", "Preparer", "keyed_by_path", "label", "path_names"]

_TEMPLATE = re.compile(r"{([^}/]+)}")

PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
"""The path value of operations that never look their resources up (APIs removed with 410)."""


def path_names(operation: Operation) -> list[str]:
    """The path parameters of the operation's template, in order."""
    return _TEMPLATE.findall(operation.path)


def label(operation: Operation) -> str:
    """``POST /servers/{server_id}/action pause``: how the registry names an operation."""
    return f"{operation.method} {operation.path}" + (f" {operation.action}" if operation.action else "")


@dataclass(frozen=True)
class Prepared:
    """A request ready to send, and what it needs."""

    operation: Operation
    """The api-ref operation."""
    version: Microversion | None
    """The microversion it is sent at."""
    path: dict[str, Any]
    """The path parameters' values."""
    body: Any = None
    """The JSON body (None: no body)."""
    query: dict[str, Any] = field(default_factory=dict)
    """The query parameters."""
    creates: Resource | None = None
    """The resource the request creates (deleted after the test)."""
    state: str | None = None
    """The state its first path resource was brought into."""
    context: dict[str, Any] = field(default_factory=dict)
    """The template values used (``name`` ...), for reading the new resource's value."""
    role: str = "admin"
    """Whose token the request is sent with (the owner's, for what only its owner sees)."""


class Preparer:
    """Builds the requests of the engine's tests from the plan, the registry and the provisioner."""

    def __init__(self, plan: Plan, registry: Registry, provisioner: Provisioner, *, allow_unsafe: bool) -> None:
        self.plan = plan
        self.registry = registry
        self.provisioner = provisioner
        self.allow_unsafe = allow_unsafe

    # -- what an operation is ---------------------------------------------------------------------------

    def creator(self, operation: Operation) -> Resource | None:
        """The resource the operation creates (its recipe is the registry's create request)."""
        for resource in self.registry.resources.values():
            call = resource.create.call if resource.create else None
            if call is not None and (call.method, call.path) == operation.key and call.action in (None,
                                                                                                   operation.action):
                return resource
        return None

    def unsafe(self, operation: Operation, body: Any = None) -> str | None:
        """Why a write would change the cloud beyond the suite's own resources (None when it would not)."""
        if operation.method in ("GET", "HEAD"):
            return None
        names = [name for name in path_names(operation) if name in self.registry.resources]
        names += _hinted_resources(body, self.registry, label(operation))
        for name in names:
            reason = self.registry.resources[name].unsafe
            if reason:
                return f"{label(operation)} would change {self.registry.resources[name].about}: {reason}"
        return None

    def needed_state(self, operation: Operation, version: Microversion | None) -> tuple[str, str] | None:
        """(resource, state) the operation needs: the api-ref's precondition, else the registry's."""
        for name in path_names(operation):
            resource = self.registry.naming(name, label(operation))
            if resource is None or not resource.states:
                continue
            needed = resource.needs.get(label(operation))
            if needed is not None:
                return name, needed
            for rule in operation.preconditions:
                if (f"{rule.subject}_id" == name and rule.attribute == "status" and not rule.negated
                        and rule.condition is None and (version is None or version in rule.versions)):
                    if "ACTIVE" in rule.allowed:
                        return None
                    reachable = [state for state in rule.allowed if state in resource.states]
                    if reachable:
                        return name, reachable[0]
                    raise NotAvailable(f"{rule.sentence.source}: the resource registry cannot bring "
                                       f"{resource.about} into {' or '.join(rule.allowed)}")
        return None

    # -- the request ------------------------------------------------------------------------------------

    def prepare(self, operation: Operation, version: Microversion | None, *, fresh: bool,
                state: str | None = None) -> Prepared:
        """The valid request; ``state`` overrides the state the first stateful path resource is brought into."""
        names = path_names(operation)
        if operation.removed:
            return Prepared(operation, version, {name: self._placeholder(name) for name in names},
                            bodies.request_sample(operation, version), role=self.role(operation))
        creates = self.creator(operation)
        known: dict[str, Any] = {}
        parents = [name for name in names if creates is None or name != creates.param]
        known.update(self.provisioner.values(parents, version, fresh=fresh, operation=label(operation)))
        # One lookup for the new resource's value and its body: "conformance:{name}" is the same in both.
        lookup = self.provisioner.lookup(known)
        made = creates.create.value if creates is not None and creates.create is not None else ""
        if creates is not None and creates.create is not None and made and (creates.param in names or (
                PLACEHOLDER.search(made) and creates.create.find is None
                and f"{{{creates.param}}}" in repr(creates.create.call.body))):
            # The new one's value is chosen first where the path or the body names it (placement's custom
            # resource class, {name} in the body); else the answer (or a later lookup) gives it.
            known[creates.param] = (f"{PREFIX}{secrets.token_hex(4)}" if made == f"{{{creates.param}}}"
                                    else render(made, lookup))
        schema = self._request_schema(operation, version)
        recipe = creates.create.call.body if creates is not None and creates.create is not None else None
        # The body names the new resource itself (a metadata key, an extra spec's "conformance:{name}").
        names_it = recipe is not None and (f"{{{creates.param}}}" in repr(recipe) or bool(  # type: ignore[union-attr]
            set(PLACEHOLDER.findall(made)) & set(PLACEHOLDER.findall(repr(recipe)))))
        if recipe is not None and (schema is None or names_it):
            body = render(recipe, lookup)
        else:
            body = bodies.minimal(schema, self.registry, self.hinted(known), bodies.request_sample(operation, version),
                                  operation=label(operation), version=version)
            # Hints hold inside what the sample gave too (an event's name from the list nova accepts).
            body = keyed_by_path(bodies.with_hints(body, schema, self.registry, self.hinted(known),
                                                   operation=label(operation), version=version), schema, names, known)
        query = self._query(operation, version, known)
        if fresh and state is None:
            cannot = self.registry.unreachable(label(operation))
            if cannot is not None:
                raise NotAvailable(f"{label(operation)} needs what the suite cannot bring about: {cannot}")
        reason = self.unsafe(operation, body)
        if reason and not self.allow_unsafe:
            raise NotAvailable(f"{reason}; run with --allow-unsafe on a cloud where that is acceptable")
        if reason:
            self._guard(operation, body, known)
        needed = self.needed_state(operation, version) if fresh and state is None else None
        chosen = state or (needed[1] if needed else None)
        if chosen is not None:
            holder = needed[0] if needed else next(n for n in names if (entry := self.registry.naming(
                n, label(operation))) is not None and entry.states)
            self.provisioner.bring(holder, known[holder], chosen, operation=label(operation))
        context = {**known, "name": lookup("name")} if creates is not None else dict(known)
        return Prepared(operation, version, {name: known[name] for name in names}, body, query, creates, chosen,
                        context, self.role(operation, creates))

    def _request_schema(self, operation: Operation, version: Microversion | None) -> dict[str, Any] | None:
        """The request schema at ``version``; at a version that does not serve the operation, the nearest
        served version's (a request must still name its action for the target to route it)."""
        schema = request_schema(operation, version) if version is not None else None
        if schema is not None or version is None or version in operation.versions:
            return schema
        served = self.plan.served(operation)
        if not served:
            return None
        nearest = min(served, key=lambda v: abs(v.minor - version.minor) if v.major == version.major else 10**6)
        return request_schema(operation, nearest)

    def _query(self, operation: Operation, version: Microversion | None, known: dict[str, Any]) -> dict[str, Any]:
        """The required query parameters, valued like body fields (hints, then the plainest value)."""
        query: dict[str, Any] = {}
        for parameter in operation.parameters_in("query"):
            if version is not None and version not in parameter.versions:
                continue
            hint = self.registry.hint((parameter.name,), label(operation), version)
            if not parameter.required and not (hint is not None and hint.send):
                continue
            query[parameter.name] = (self.hinted(known)(hint) if hint is not None and (hint.has_value or hint.resource)
                                     else "conformance")
        return query

    def placeholders(self, operation: Operation, version: Microversion | None) -> Prepared:
        """The request with placeholders in its path and no body: for requests refused before anything is
        looked at (no token)."""
        return Prepared(operation, version, {name: self._placeholder(name) for name in path_names(operation)},
                        role=self.role(operation))

    def role(self, operation: Operation, creates: Resource | None = None) -> str:
        """The role a request for the operation is sent with: admin, unless what it names only its owner sees."""
        if creates is not None and creates.create is not None:
            return self.provisioner.role(creates.create.call.role)
        for name in reversed(path_names(operation)):
            resource = self.registry.naming(name, label(operation))
            if resource is not None and resource.role != "admin":
                return self.provisioner.role(resource.role)
        listed = self.listed_resource(operation) if operation.method == "GET" else None
        if listed is not None and listed.role != "admin":  # a list of what only its owner sees
            return self.provisioner.role(listed.role)
        return "admin"

    def listed_resource(self, operation: Operation) -> Resource | None:
        """The registry's entry for the items a list operation answers, when it can make one: the one naming the
        path parameter of the operation that shows one item (``GET /flavors/detail`` -> ``flavor_id`` of
        ``GET /flavors/{flavor_id}``); None for other operations."""
        base = operation.path.removesuffix("/detail")
        for other in self.plan.apiref.operations:
            last = other.path.removeprefix(base + "/")
            if other.method == "GET" and last != other.path and re.fullmatch(r"\{\w+\}", last):
                entry = self.registry.naming(last.strip("{}"), label(other))
                if entry is not None and entry.create is not None:
                    return entry
        return None

    def _guard(self, operation: Operation, body: Any, known: dict[str, Any]) -> None:
        """Keep what puts back the resources an unsafe write changes, for after the test."""
        lookup = self.provisioner.lookup(known)
        for name in [*path_names(operation), *_hinted_resources(body, self.registry, label(operation))]:
            resource = self.registry.naming(name, label(operation))
            if resource is not None and resource.unsafe and resource.restore:
                self.provisioner.guard(name, known[name] if name in known else lookup(name), known)

    def hinted(self, known: dict[str, Any]) -> Callable[[FieldHint], Any]:
        """The value of a field hint: a resource's (shared unless the test's own path has it), or a template."""
        lookup = self.provisioner.lookup(known)

        def value(hint: FieldHint) -> Any:
            if hint.resource is not None:
                if hint.resource in known:
                    return known[hint.resource]
                return self.provisioner.value(hint.resource, known)
            return render(hint.value, lookup)

        return value

    def after(self, prepared: Prepared, exchange: Any) -> Any:
        """Record what a successful create request made, so that it is deleted after the test; its value."""
        resource = prepared.creates
        if resource is None or not 200 <= exchange.response.status < 300:
            return None
        sent = _sent(resource.create.call.body if resource.create else None, prepared.body, f"{{{resource.param}}}")
        value = (prepared.path[resource.param] if resource.param in prepared.path else sent if sent is not None
                 else self.provisioner.new_value(resource, exchange, self.provisioner.lookup(prepared.context)))
        if value is not None:
            self.provisioner.adopt(resource, value, prepared.path)
        return value

    def _placeholder(self, name: str) -> str:
        resource = self.registry.resources.get(name)
        return resource.placeholder if resource is not None and resource.placeholder else PLACEHOLDER_ID


def _sent(template: Any, body: Any, placeholder: str) -> Any:
    """The value a body sent where the create recipe's template puts ``{param}`` (a name the request chose)."""
    if template == placeholder:
        return body if isinstance(body, str | int) else None
    if isinstance(template, dict) and isinstance(body, dict):
        for key, value in template.items():
            if key in body:
                found = _sent(value, body[key], placeholder)
                if found is not None:
                    return found
    return None


def _hinted_resources(body: Any, registry: Registry, operation: str, path: tuple[str, ...] = ()) -> list[str]:
    found: list[str] = []
    if isinstance(body, dict):
        for name, value in body.items():
            hint = registry.hint((*path, str(name)), operation)
            if hint is not None and hint.resource is not None:
                found.append(hint.resource)
            found += _hinted_resources(value, registry, operation, (*path, str(name)))
    elif isinstance(body, list):
        for item in body:
            found += _hinted_resources(item, registry, operation, path)
    return found


def keyed_by_path(body: Any, schema: dict[str, Any] | None, names: list[str], known: dict[str, Any]) -> Any:
    """A body that is a map keyed by what the path's last parameter names (PUT .../os-extra_specs/{key}:
    ``{"<key>": "<value>"}``) holds that key alone, with the body's first value (an empty map names nothing
    to write; another key is not the one the path names)."""
    if not isinstance(body, dict) or not schema or schema.get("properties") or not names or names[-1] not in known:
        return body
    values = schema.get("additionalProperties")
    if not isinstance(values, dict):
        return body
    kinds = values.get("type")
    value: Any = 1 if kinds in ("integer", "number") else True if kinds == "boolean" else "1"
    return {str(known[names[-1]]): next(iter(body.values()), value)}
