"""Error bodies, in the service's convention (its ``fault`` in services.toml), with the status they carry.

``named`` (Nova, Cinder) answers errors as ``{"itemNotFound": {"code": 404, "message": "..."}}``:
one key naming the fault, an object with an integer ``code`` equal to the
HTTP status and a string ``message``. The api-ref's labels (``conflict(409)``)
are not always the body keys: real Nova answers 409 with
``conflictingRequest``. ``api-sig-errors`` (Placement) answers
``{"errors": [{"status": 404, "title": "Not Found", "detail": "...", "request_id": "req-...",
"code": "placement.undefined_code"}]}``, the ``code`` from the convention's version on, one of the
codes the api-ref defines. Whatever the service, a 401 comes from keystone in its own format,
``{"error": {"code": 401, "title": "Unauthorized", "message": ...}}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.model import FaultConvention, Microversion
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["FAULT_NAMES", "error_body_is_a_fault", "error_code_names_the_condition"]

FAULT_NAMES: dict[int, frozenset[str]] = {
    400: frozenset({"badRequest"}),
    403: frozenset({"forbidden"}),
    404: frozenset({"itemNotFound"}),
    405: frozenset({"badMethod"}),
    406: frozenset({"computeFault"}),  # nova wraps an unsupported version this way
    409: frozenset({"conflictingRequest"}),
    413: frozenset({"overLimit", "requestEntityTooLarge"}),
    415: frozenset({"badMediaType"}),
    429: frozenset({"overLimit"}),
    501: frozenset({"notImplemented"}),
}
"""The fault keys real Nova 34 uses for each status (learned from nova-box, not from the api-ref labels)."""


def _problem(status: int, body: Any, fault: FaultConvention | None = None,
             version: Microversion | None = None) -> str | None:
    if status == 401:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or error.get("code") != 401 or not isinstance(error.get("message"), str):
            return "not keystone's {\"error\": {\"code\": 401, \"title\": ..., \"message\": ...}}"
        return None
    shape = fault.shape if fault is not None else "named"
    if shape == "undocumented":
        return None if isinstance(body, dict) else "not a JSON object"
    if shape == "api-sig-errors":
        return _errors_problem(status, body, fault, version)
    if not isinstance(body, dict) or len(body) != 1:
        return "not an object with exactly one key naming the fault"
    (name, fault), = body.items()
    if not isinstance(fault, dict):
        return f"`{name}` is not an object"
    if fault.get("code") != status:
        return f"`{name}.code` is {fault.get('code')!r}, not the status {status}"
    if not isinstance(fault.get("message"), str) or not fault["message"]:
        return f"`{name}.message` is not a non-empty string"
    known = FAULT_NAMES.get(status)
    if known is not None and name not in known:
        return f"fault key `{name}` is not the one Nova uses for {status} ({', '.join(sorted(known))})"
    return None


def _errors_problem(status: int, body: Any, fault: FaultConvention | None, version: Microversion | None) -> str | None:
    """What is wrong with an API-SIG errors body, or None."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return "not an object with a non-empty `errors` list"
    for n, error in enumerate(errors):
        where = f"errors[{n}]"
        if not isinstance(error, dict):
            return f"`{where}` is not an object"
        if error.get("status") != status:
            return f"`{where}.status` is {error.get('status')!r}, not the status {status}"
        for key in ("title", "detail"):
            if not isinstance(error.get(key), str):
                return f"`{where}.{key}` is not a string"
        if "request_id" in error and not isinstance(error["request_id"], str):
            return f"`{where}.request_id` is not a string"
        since = fault.codes_since if fault is not None else None
        code = error.get("code")
        if since is not None and version is not None and version >= since:
            if not isinstance(code, str):
                return f"`{where}` has no `code` (errors carry one from microversion {since})"
            if fault is not None and fault.codes and code not in fault.codes:
                return f"`{where}.code` {code!r} is none of the codes the api-ref defines"
    return None


def documented_fault(fault: FaultConvention, status: int, label: str) -> str:
    """The error body the convention documents for ``status``, in words."""
    if fault.shape == "api-sig-errors":
        code = f", \"code\": \"...\" (from {fault.codes_since})" if fault.codes_since else ""
        return (f"the API-SIG errors body for {label}: {{\"errors\": [{{\"status\": {status}, \"title\": ..., "
                f"\"detail\": ..., \"request_id\": ...{code}}}]}}")
    if fault.shape == "undocumented":
        return f"a JSON object for {label} (the api-ref documents no error body)"
    return f"a {fault.name} for {label}: {{\"<fault>\": {{\"code\": {status}, \"message\": ...}}}}"


@check(id="CV-0401", family="errors", severity=Severity.MEDIUM)
def error_body_is_a_fault(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """An error response carries the service's error body with its status: nova's {"<fault>": {"code": <status>,
    "message": "..."}}, placement's {"errors": [{"status": <status>, ...}]} (401: keystone's)."""
    status = exchange.response.status
    if status < 400 or status >= 500 or ctx.operation.method == "HEAD":
        return
    try:
        body = exchange.response.json()
    except ValueError:
        body = None
    problem = "not JSON" if body is None else _problem(status, body, ctx.fault, ctx.microversion)
    if problem is None:
        return
    codes = {code.status: code for code in ctx.operation.error_codes}
    documented = codes.get(status)
    label = f"{documented.name}({status})" if documented and documented.name else str(status)
    yield Finding(check="CV-0401", title=f"{status} body is {problem}", severity=Severity.MEDIUM,
                  operation=ctx.label, microversion=ctx.version_text, received=exchange.response.text()[:300],
                  documented=documented_fault(ctx.fault, status, label),
                  source=str(documented.source) if documented else str(ctx.operation.source),
                  requirement=f"Error response codes: ... {label}" if documented else None, exchange=exchange)


@check(id="CV-0402", family="errors", severity=Severity.MEDIUM)
def error_code_names_the_condition(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Where the api-ref names the error code of a condition (placement's ``placement.concurrent_update`` for a
    generation that moved on), an error answered for that condition carries it, from the version codes appear."""
    wanted = ctx.extra.get("error_code")
    fault = ctx.fault
    if (not wanted or exchange.response.status < 400 or fault.codes_since is None or ctx.microversion is None
            or ctx.microversion < fault.codes_since):
        return
    try:
        body = exchange.response.json()
    except ValueError:
        return  # CV-0401 says the body is not JSON
    errors = body.get("errors") if isinstance(body, dict) else None
    codes = [error.get("code") for error in errors or () if isinstance(error, dict)]
    if wanted in codes:
        return
    source = ctx.extra.get("error_code_source")
    yield Finding(check="CV-0402", title=f"{exchange.response.status} does not carry the error code {wanted}",
                  severity=Severity.MEDIUM, operation=ctx.label, microversion=ctx.version_text,
                  received=f"codes {codes}" if codes else exchange.response.text()[:300],
                  documented=f"an error whose code is {wanted}", source=str(source or ctx.operation.source),
                  requirement=ctx.extra.get("error_code_words") or None, exchange=exchange)
