"""The suites' view of the target: send a request for an api-ref operation, and check the answer.

    exchange = api.exercise(list_migrations, Microversion(2, 80), path={"server_id": server})
    exchange = api.exercise(show, Microversion(2, 22), path=..., expect=api.unserved(show, version))

``exercise`` sends the request, runs every check on the exchange in its
context (status, body schema of the requested version, headers, fault body,
semantics) and fails the test with the findings; ``send`` only sends.
"""

from __future__ import annotations

from typing import Any

from conformance.checks import CheckContext, assert_conforms
from conformance.model import Microversion, Operation
from conformance.suites.plan import Plan
from conformance.target.exchange import Exchange

__all__ = ["Api", "need"]


class Api:
    """Requests for api-ref operations, checked against the contract."""

    def __init__(self, target: Any, plan: Plan, service: str | None = None) -> None:
        self.target = target
        self.plan = plan
        self.service = service or plan.apiref.info.service

    def operation(self, method: str, path: str, action: str | None = None) -> Operation:
        """The api-ref operation (KeyError when the api-ref has none)."""
        return self.plan.apiref.find(method, path, action)

    # -- expectations --------------------------------------------------------

    def context(self, operation: Operation, version: Microversion | None, *, requested: str | None = None,
                **extra: Any) -> CheckContext:
        """The operation succeeding with one of its normal codes at ``version``."""
        apiref = self.plan.apiref
        ctx = CheckContext.success(operation, version, self.service, apiref.protocol, apiref.info.fault,
                                   common_response_parameters=self.plan.apiref.common_response_parameters, **extra)
        if requested is not None:
            from dataclasses import replace

            ctx = replace(ctx, requested_version=requested)
        return ctx

    def unserved(self, operation: Operation, version: Microversion, **extra: Any) -> CheckContext:
        """The operation at a version outside its range: Nova does not route it (404)."""
        versions = operation.versions
        if versions.min is not None and version < versions.min:
            reason, words = (f"below the operation's minimum microversion {versions.min}",
                             f"Microversion {versions.min} or greater is required for this API")
        else:
            reason, words = (f"above the operation's maximum microversion {versions.max}",
                             f"This API is only available up to microversion {versions.max}")
        routed = self.shadowing(operation, version)
        if routed is not None:
            # PUT /os-services/disable from 2.53 is PUT /os-services/{service_id} with the id "disable".
            statuses = {code.status for code in routed.error_codes if code.status in (400, 404)} | {404}
            label = f"{routed.method} {routed.path}"
            return self.context(operation, version, **extra).expecting(
                *sorted(statuses), source=routed.source,
                reason=f"{reason}; at {version} {label} is served, whose handler takes this path and refuses it",
                requirement=f"{words}; {label} is served at {version}")
        codes = [404]
        if any(other.path == operation.path and other.method != operation.method and version in other.versions
               for other in self.plan.apiref.operations):
            # The path is served at this version by other methods: "method not allowed" says the same (Placement)
            codes.append(405)
            reason += f" (the path is served by other methods at {version}: 404 or 405)"
        return self.context(operation, version, **extra).expecting(*codes, reason=reason,
                                                                   source=operation.source, requirement=words)

    def shadowing(self, operation: Operation, version: Microversion) -> Operation | None:
        """The operation served at ``version`` whose path template takes this operation's path, a literal
        segment of it read as a path parameter, or whose path differs from it in its last literal only (None
        when no other operation does)."""
        mine = operation.path.strip("/").split("/")
        for other in self.plan.apiref.operations:
            theirs = other.path.strip("/").split("/")
            if (other.method != operation.method or other.path == operation.path or len(theirs) != len(mine)
                    or other.removed or version not in other.versions):
                continue
            pairs = list(zip(mine, theirs, strict=True))
            # Either way: PUT /os-services/disable is PUT /os-services/{service_id}'s from 2.53, and below it
            # PUT /os-services/{service_id} reaches the handler of PUT /os-services/disable.
            if all(a == b or a.startswith("{") or b.startswith("{") for a, b in pairs) and any(
                    a.startswith("{") != b.startswith("{") for a, b in pairs):
                return other
            # A sibling: the same path but its last literal (PUT /os-services/force-down at 2.1 beside
            # /os-services/disable): one handler serves them, and it judges the body before the action.
            if pairs[:-1] == [(a, a) for a, _ in pairs[:-1]] and not mine[-1].startswith("{") and not \
                    theirs[-1].startswith("{") and version not in operation.versions and \
                    any(code.status == 400 for code in other.error_codes):
                return other
        return None

    def error(self, operation: Operation, version: Microversion | None, status: int, reason: str,
              source: Any = None, requirement: str | None = None, **extra: Any) -> CheckContext:
        """The operation refused with ``status``, which must be one of its documented error codes."""
        documented = next((code for code in operation.error_codes if code.status == status), None)
        label = f"{documented.name}({status})" if documented and documented.name else str(status)
        return self.context(operation, version, **extra).expecting(
            status, reason=reason, source=source or (documented.source if documented else operation.source),
            requirement=requirement or f"Error response codes: ... {label}")

    # -- requests ------------------------------------------------------------

    def send(self, operation: Operation, version: Microversion | None, *, path: dict[str, Any] | None = None,
             role: str = "admin", requested: str | None = None, legacy: bool = False, **kwargs: Any) -> Exchange:
        """Send the request; ``requested`` overrides the version header's value (``latest``, ``bogus``)."""
        url = kwargs.pop("url", None) or operation.path.format(**{k: v for k, v in (path or {}).items()})
        header = requested if requested is not None else (str(version) if version is not None else None)
        exchange: Exchange = self.target.request(operation.method, url, role=role, microversion=header,
                                                 legacy_header=legacy, **kwargs)
        return exchange

    def verify_answer(self, method: str, path: str, version: str, exchange: Exchange, **facts: Any) -> None:
        """Check an answer the suites act upon on the way to a test (the workload's bookkeeping) against the
        contract: its findings fail the test it was read for. Operations the api-ref lacks are not judged."""
        try:
            operation = self.operation(method, path)
        except KeyError:
            return
        microversion = Microversion.parse(version)
        if microversion in operation.versions:
            assert_conforms(self.context(operation, microversion, **facts), exchange)

    def exercise(self, operation: Operation, version: Microversion | None, *, expect: CheckContext | None = None,
                 checks: list[str] | None = None, requested: str | None = None, **kwargs: Any) -> Exchange:
        """Send the request and check the answer (success at ``version`` unless ``expect`` says otherwise)."""
        ctx = expect or self.context(operation, version, requested=requested)
        if requested is not None and ctx.requested_version is None:
            from dataclasses import replace

            ctx = replace(ctx, requested_version=requested)
        exchange = self.send(operation, version, requested=requested, **kwargs)
        assert_conforms(ctx, exchange, checks)
        return exchange


def need(role: str, target: Any) -> None:
    """Skip (not exercised) when the run has no credentials for ``role``."""
    if role not in target.roles:
        import pytest

        pytest.skip(f"no {role} credentials: give --{role}-token (or a {role} cloud) to exercise this")
