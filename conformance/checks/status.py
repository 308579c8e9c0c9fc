"""Status codes: the documented ones, and never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.context import ANY_SUCCESS, CheckContext
from conformance.checks.registry import check
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["no_server_error", "status_is_expected"]


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, severity: Severity,
             documented: str) -> Finding:
    expected = ctx.expected
    return Finding(check=check_id, title=title, severity=severity, operation=ctx.label,
                   microversion=ctx.version_text, received=f"{exchange.response.status} "
                   f"{exchange.response.text()[:200]}".strip(), documented=documented,
                   source=str(expected.source) if expected.source else str(ctx.operation.source),
                   requirement=_cited(expected.requirement, ctx), exchange=exchange)


def _cited(requirement: str | None, ctx: CheckContext) -> str | None:
    """The requirement, naming the errata that corrected the operation's range (the statuses rely on it)."""
    if not ctx.operation.errata:
        return requirement
    cited = f"as corrected by erratum {', '.join(ctx.operation.errata)}"
    return f"{requirement} ({cited})" if requirement else cited


@check(id="CV-0101", family="status", severity=Severity.CRITICAL)
def no_server_error(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """No request, valid or not, gets a 5xx: a server error is never a documented answer."""
    if exchange.response.status >= 500:
        yield _finding(ctx, exchange, "CV-0101", f"server error {exchange.response.status}", Severity.CRITICAL,
                       f"one of {_codes(ctx.expected.statuses)} ({ctx.expected.reason}); never a 5xx")


@check(id="CV-0102", family="status", severity=Severity.HIGH)
def status_is_expected(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """The status is one the api-ref documents for this case (a normal code on success, the error code on error)."""
    status = exchange.response.status
    if status >= 500 or status in ctx.expected.statuses:
        return
    documented = f"{_codes(ctx.expected.statuses)} ({ctx.expected.reason})"
    if ctx.expected.success:
        documented_errors = {code.status for code in ctx.operation.error_codes}
        if status in documented_errors:
            title = f"documented error {status} where the request should succeed"
        else:
            title = f"undocumented status {status}"
    else:
        title = f"status {status} where {_codes(ctx.expected.statuses)} is documented"
    yield _finding(ctx, exchange, "CV-0102", title, Severity.HIGH, documented)


def _codes(statuses: frozenset[int]) -> str:
    if statuses == ANY_SUCCESS:
        return "any 2xx"
    return " or ".join(str(status) for status in sorted(statuses))
