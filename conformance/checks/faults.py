"""Error bodies: Nova's fault format, with the code equal to the status.

Nova answers errors as ``{"itemNotFound": {"code": 404, "message": "..."}}``:
one key naming the fault, an object with an integer ``code`` equal to the
HTTP status and a string ``message``. The api-ref's labels (``conflict(409)``)
are not always the body keys: real Nova answers 409 with
``conflictingRequest``. A 401 comes from keystone in its own format,
``{"error": {"code": 401, "title": "Unauthorized", "message": ...}}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["FAULT_NAMES", "error_body_is_a_fault"]

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


def _problem(status: int, body: Any) -> str | None:
    if status == 401:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or error.get("code") != 401 or not isinstance(error.get("message"), str):
            return "not keystone's {\"error\": {\"code\": 401, \"title\": ..., \"message\": ...}}"
        return None
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


@check(id="CV-0401", family="errors", severity=Severity.MEDIUM)
def error_body_is_a_fault(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """An error response carries a fault body: {"<fault>": {"code": <status>, "message": "..."}} (401: keystone's)."""
    status = exchange.response.status
    if status < 400 or status >= 500 or ctx.operation.method == "HEAD":
        return
    try:
        body = exchange.response.json()
    except ValueError:
        body = None
    problem = "not JSON" if body is None else _problem(status, body)
    if problem is None:
        return
    codes = {code.status: code for code in ctx.operation.error_codes}
    documented = codes.get(status)
    label = f"{documented.name}({status})" if documented and documented.name else str(status)
    yield Finding(check="CV-0401", title=f"{status} body is {problem}", severity=Severity.MEDIUM,
                  operation=ctx.label, microversion=ctx.version_text, received=exchange.response.text()[:300],
                  documented=f"a compute fault for {label}: {{\"<fault>\": {{\"code\": {status}, \"message\": ...}}}}",
                  source=str(documented.source) if documented else str(ctx.operation.source),
                  requirement=f"Error response codes: ... {label}" if documented else None, exchange=exchange)
