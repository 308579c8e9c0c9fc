"""Response headers: the microversion echo, Vary, and the request ids request-ids.inc documents."""

from __future__ import annotations

from collections.abc import Iterator

from conformance.checks.context import CheckContext
from conformance.checks.registry import check
from conformance.model import Parameter
from conformance.results import Finding, Severity
from conformance.target.exchange import Exchange

__all__ = ["request_id_headers", "vary_names_version_headers", "version_headers_echoed"]

# Responses that come from before nova's microversion handling (keystone's 401)
# or that reject the version itself (400 malformed, 406 unsupported) echo nothing.
_NO_ECHO = frozenset({400, 401, 406})


def _finding(ctx: CheckContext, exchange: Exchange, check_id: str, title: str, received: str, documented: str,
             source: str, requirement: str | None) -> Finding:
    return Finding(check=check_id, title=title, severity=Severity.MEDIUM, operation=ctx.label,
                   microversion=ctx.version_text, received=received, documented=documented, source=source,
                   requirement=requirement, exchange=exchange)


def _echo_expected(ctx: CheckContext, exchange: Exchange) -> str | None:
    """The ``X.Y`` the response must echo, or None when it need not echo (or the service has no microversions)."""
    if exchange.response.status in _NO_ECHO or ctx.microversion is None or ctx.protocol is None:
        return None
    return str(ctx.microversion)


@check(id="CV-0301", family="headers", severity=Severity.MEDIUM)
def version_headers_echoed(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Responses name the microversion that served them in the service's header (OpenStack-API-Version: compute
    2.80) and its legacy headers (X-OpenStack-Nova-API-Version)."""
    version = _echo_expected(ctx, exchange)
    protocol = ctx.protocol
    if version is None or protocol is None:
        return
    wanted = {protocol.header: protocol.value(version), **protocol.headers(version, legacy=True)}
    for name, value in wanted.items():
        got = exchange.response.header(name)
        if got is None or " ".join(got.split()).lower() != value.lower():
            yield _finding(ctx, exchange, "CV-0301", f"{name} does not echo {value}",
                           f"{name}: {got}" if got is not None else f"no {name} header",
                           f"{name}: {value}", str(ctx.operation.source),
                           "microversions: the response names the version that served the request")


@check(id="CV-0302", family="headers", severity=Severity.MEDIUM)
def vary_names_version_headers(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Successful responses, which depend on the microversion, say so in Vary (caches must key on the version
    headers). Errors are not judged: neither api-ref documents Vary, the microversion guideline asks it of what a
    cache keeps, and real Placement sends it on none of its errors (microversion_parse's middleware adds it only
    to the responses its application returns)."""
    if _echo_expected(ctx, exchange) is None or not 200 <= exchange.response.status < 300:
        return
    protocol = ctx.protocol
    assert protocol is not None  # _echo_expected said so
    vary = {part.strip().lower() for part in (exchange.response.header("Vary") or "").split(",") if part.strip()}
    wanted = [protocol.header, *protocol.legacy_headers]
    missing = [name for name in wanted if name.lower() not in vary]
    if missing:
        yield _finding(ctx, exchange, "CV-0302", "Vary does not name " + " and ".join(missing),
                       f"Vary: {exchange.response.header('Vary')}", "Vary: " + ", ".join(wanted),
                       str(ctx.operation.source), "microversions: responses vary on the version headers")


@check(id="CV-0303", family="headers", severity=Severity.MEDIUM)
def request_id_headers(ctx: CheckContext, exchange: Exchange) -> Iterator[Finding]:
    """Every response carries the request id headers the api-ref documents for every operation (request-ids.inc)."""
    common: tuple[Parameter, ...] = ctx.extra.get("common_response_parameters", ())
    for parameter in common:
        if parameter.location != "header" or ctx.operation.key in parameter.omitted_by:
            continue  # an erratum says this operation's responses lack it
        value = exchange.response.header(parameter.name)
        if not value:
            yield _finding(ctx, exchange, "CV-0303", f"no {parameter.name} header", "absent",
                           f"{parameter.name}: req-<uuid>", str(parameter.source), _requirement(parameter))
        elif not value.startswith("req-"):
            yield _finding(ctx, exchange, "CV-0303", f"{parameter.name} is not a request id", value,
                           f"{parameter.name}: req-<uuid>", str(parameter.source), _requirement(parameter))


def _requirement(parameter: Parameter) -> str:
    corrected = f" as corrected by erratum {', '.join(parameter.errata)}" if parameter.errata else ""
    return f"- {parameter.name}: {parameter.key}{corrected}"
