"""Which (operation, microversion) pairs each of the engine's tests runs, planned from the contract.

    for case in plan_cases(plan, registry, "served"):       # every operation at every planned version
        ...

A test of the engine names its kind with ``@pytest.mark.cases("served")`` and
takes ``case``; ``pytest_generate_tests`` parametrises it with
:func:`plan_cases`, so adding an operation to the api-ref adds its tests.

=================  =============================================================================
kind               cases
=================  =============================================================================
``served``         every operation at every planned version that serves it
``unserved``       every operation at every planned version below or above its range (404)
``removed``        the APIs the api-ref documents as removed (410), at the lowest and highest version
``unknown``        operations whose last path parameter names a resource, at their highest version
``unauthenticated``  every operation, at its highest version (401)
``forbidden``      the operations the api-ref documents as admin-only, at their highest version (403)
``queries``        operations with documented query parameters (hypothesis draws the version)
``pages``          lists documenting ``limit``, at the highest version documenting it
``bodies``         operations with a request body (hypothesis draws the version and the body)
``preconditions``  operations with a status precondition the registry can violate, at their highest version
``stale``          writes whose body carries a value the registry says must be current (a generation), at
                   the first and last version that carries it
=================  =============================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.checks.collections import listed_field
from conformance.model import Microversion, Operation
from conformance.openapi import request_schema
from conformance.suites.calls import label, path_names
from conformance.suites.plan import Plan
from conformance.suites.registry import Registry

__all__ = ["KINDS", "Case", "plan_cases", "stale_field"]

KINDS = ("served", "unserved", "removed", "unknown", "unauthenticated", "forbidden", "queries", "pages", "bodies",
         "preconditions", "stale")


@dataclass(frozen=True)
class Case:
    """One parametrisation of an engine test: an operation, at a version (None: the test draws it)."""

    operation: Operation
    """The api-ref operation."""
    version: Microversion | None
    """The microversion, when the case has one."""
    versions: tuple[Microversion, ...] = ()
    """The planned versions a test drawing one may choose from."""

    @property
    def id(self) -> str:
        """``GET /servers/{server_id} 2.47``: the pytest id."""
        return label(self.operation) + (f" {self.version}" if self.version is not None else "")

    @property
    def label(self) -> str:
        """``GET /servers/{server_id}`` with its action in parentheses, as reports name operations."""
        operation = self.operation
        return f"{operation.method} {operation.path}" + (f" ({operation.action})" if operation.action else "")


def _engine_operations(plan: Plan, registry: Registry) -> list[Operation]:
    return [operation for operation in plan.apiref.operations
            if label(operation) not in registry.elsewhere and f"{operation.method} {operation.path}"
            not in registry.elsewhere and (operation.normal_codes or operation.removed)]


def _latest(plan: Plan, operation: Operation) -> Microversion | None:
    served = plan.served(operation)
    if operation.removed:
        return plan.tested.max
    return served[-1] if served else None


def plan_cases(plan: Plan, registry: Registry, kind: str) -> list[Case]:
    """The cases of one kind; ValueError for an unknown kind."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of case {kind!r}; expected one of {', '.join(KINDS)}")
    cases: list[Case] = []
    for operation in _engine_operations(plan, registry):
        latest = _latest(plan, operation)
        if kind == "removed":
            if operation.removed and plan.tested.min is not None and plan.tested.max is not None:
                cases += [Case(operation, version) for version in sorted({plan.tested.min, plan.tested.max})]
            continue
        if operation.removed:
            if kind == "unauthenticated" and latest is not None:
                cases.append(Case(operation, latest))
            continue
        if kind == "served":
            cases += [Case(operation, version) for version in plan.served(operation)]
        elif kind == "unserved":
            # A version another variant of the same method and path serves is routed there, not unserved
            # (placement's PUT /resource_classes/{name}: a body naming the class up to 1.6, none from 1.7).
            # A server action (POST .../action) names itself in its body, so an unserved one is routed nowhere:
            # siblings count only for variants of other paths.
            named = operation.path.endswith("/action")
            siblings = [] if named else [other for other in plan.apiref.operations
                                         if other.key == operation.key and other is not operation]
            cases += [Case(operation, version) for version in plan.unserved(operation)
                      if not any(version in other.versions for other in siblings)]
        elif latest is None:
            continue
        elif kind == "unknown":
            names = [name for name in path_names(operation)
                     if (entry := registry.naming(name, label(operation))) is not None and entry.value is None]
            if names:
                cases.append(Case(operation, latest))
        elif kind == "unauthenticated":
            cases.append(Case(operation, latest))
        elif kind == "forbidden":
            if operation.admin_only:
                cases.append(Case(operation, latest))
        elif kind == "queries":
            if operation.method != "GET":  # a query on a write is exercised with the write
                continue
            versions = tuple(v for v in plan.served(operation)
                             if any(v in p.versions for p in operation.parameters_in("query")))
            if versions:
                cases.append(Case(operation, None, versions))
        elif kind == "pages":
            # A list that documents ``limit``: at the newest version documenting it.
            paged = [v for v in plan.served(operation) if any(p.name == "limit" and v in p.versions
                                                              for p in operation.parameters_in("query"))]
            if operation.method == "GET" and paged and listed_field(operation) is not None:
                cases.append(Case(operation, paged[-1]))
        elif kind == "bodies":
            if operation.method in ("GET", "HEAD"):  # a body on a read means nothing
                continue
            versions = tuple(v for v in plan.served(operation) if request_schema(operation, v) is not None)
            if versions:
                cases.append(Case(operation, None, versions))
        elif kind == "preconditions" and _violable(operation, registry, latest):
            cases.append(Case(operation, latest))
        elif kind == "stale" and operation.method not in ("GET", "HEAD"):
            cases += [Case(operation, version) for version in _stale_versions(plan, registry, operation)]
    return cases


def stale_field(registry: Registry, operation: Operation, version: Microversion) -> tuple[str, Any] | None:
    """(field, resource) of the request body's top-level field that carries a current value the registry says
    a write must match (a generation), at ``version``; None when there is none."""
    schema = request_schema(operation, version)
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    for name in properties:
        hint = registry.hint((name,), label(operation), version)
        entry = registry.resources.get(hint.resource) if hint is not None and hint.resource else None
        if entry is not None and entry.current and entry.stale is not None:
            return name, entry
    return None


def _stale_versions(plan: Plan, registry: Registry, operation: Operation) -> list[Microversion]:
    """The first and the last planned version at which the operation's body carries such a value."""
    versions = [version for version in plan.served(operation) if stale_field(registry, operation, version)]
    return sorted({versions[0], versions[-1]}) if versions else []


def _violable(operation: Operation, registry: Registry, version: Microversion) -> bool:
    """Whether the api-ref states a status precondition whose violation the registry can bring about."""
    for rule in operation.preconditions:
        resource = registry.resources.get(f"{rule.subject}_id")
        if (resource is None or rule.attribute != "status" or rule.negated or rule.condition is not None
                or version not in rule.versions or f"{rule.subject}_id" not in path_names(operation)):
            continue
        if any(state.status not in rule.allowed for state in resource.states.values()):
            return True
    return False
