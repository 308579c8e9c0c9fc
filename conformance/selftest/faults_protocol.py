"""Faults in the protocol: microversion gating and negotiation, headers, authentication and policy,
status codes and error bodies."""

from __future__ import annotations

from collections.abc import Callable

from conformance.selftest.exchange import LEGACY_HEADER, VERSION_HEADER, Exchange, Version
from conformance.selftest.fault import Fault, Hook, error_body, is_fault_body, route

__all__ = ["PROTOCOL_FAULTS"]

Match = Callable[[Exchange], bool]


def _on(name: str, method: str, action: str | None = None) -> Match:
    def match(ex: Exchange) -> bool:
        where = route(ex.original)
        return (where is not None and where.name == name and ex.original.method == method
                and (action is None or ex.original.action() == action))

    return match


def _below(version: Version) -> Match:
    def match(ex: Exchange) -> bool:
        asked = ex.original.version
        return asked is not None and asked < version

    return match


def restatus(status: int, new: int, *matches: Match, body: Callable[[Exchange], object] | None = None) -> Hook:
    """Answer ``new`` (with ``body``, or an empty one) where the upstream answered ``status``."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status != status or not all(match(ex) for match in matches):
            return False
        ex.response.status = new
        if body is None:
            ex.response.content = b""
            ex.response.headers.pop("Content-Type", None)
        else:
            ex.response.set_json(body(ex))
        return True

    return hook


# ---------------------------------------------------------------- gating
def _ask_2_23(ex: Exchange) -> bool:
    if ex.original.method != "GET" or not _below((2, 23))(ex):
        return False
    where = route(ex.original)
    if where is None or where.name not in {"list", "migration"}:
        return False
    ex.request.set_version("2.23")
    return True


def _echo_asked(ex: Exchange) -> bool:
    if ex.request.version_text == ex.original.version_text or ex.original.version_text is None:
        return False
    ex.response.set_version_echo(ex.original.version_text)
    return True


def _served_anyway(status: int) -> Hook:
    """A 406 (unsupported version) or 400 (malformed version) answered by re-asking at latest, or with none."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status != status:
            return False
        asked = ex.original.version_text
        retry = ex.request.copy()
        if status == 406:
            retry.set_version("latest")
        else:  # a malformed version: ask for none, as if the header were absent
            if asked is None or asked.lower() == "latest" or ex.original.version is not None:
                return False
            retry.set_version(None)
        answer = ex.forward(retry)
        if answer.status >= 400:
            return False
        if asked is not None:
            answer.set_version_echo(asked)
        ex.response = answer
        return True

    return hook


def _latest_as_2_1(ex: Exchange) -> bool:
    text = ex.original.version_text
    if text is None or text.strip().lower() != "latest" or VERSION_HEADER not in ex.response.headers:
        return False
    ex.response.set_version_echo("2.1")
    return True


def _ignore_legacy_header(ex: Exchange) -> bool:
    if VERSION_HEADER in ex.request.headers or LEGACY_HEADER not in ex.request.headers:
        return False
    del ex.request.headers[LEGACY_HEADER]
    return True


# ---------------------------------------------------------------- headers
def drop_headers(*names: str) -> Hook:
    def hook(ex: Exchange) -> bool:
        present = [name for name in names if name in ex.response.headers]
        for name in present:
            del ex.response.headers[name]
        return bool(present)

    return hook


# ---------------------------------------------------------------- auth and policy
def _empty_list(ex: Exchange) -> dict[str, list[object]]:
    return {"migrations": []}


def _policy_ignored(ex: Exchange) -> bool:
    if ex.response.status != 403:
        return False
    if ex.original.method == "GET":
        ex.response.status = 200
        ex.response.set_json(_empty_list(ex))
    else:
        ex.response.status = 202
        ex.response.content = b""
        ex.response.headers.pop("Content-Type", None)
    return True


def _other_project_visible(ex: Exchange) -> bool:
    """Remember who could see each server; answer a 404 for it as that caller was answered.

    The token is held in the proxy's memory only, for re-asking; it is never logged.
    """
    where = route(ex.original)
    if where is None or where.name not in {"list", "migration"} or ex.original.method != "GET":
        return False
    token = ex.original.headers.get("X-Auth-Token")
    with ex.lock:
        if ex.response.status == 200 and token:
            ex.state.setdefault("seen", {})[where.server] = token
            return False
        known = ex.state.get("seen", {}).get(where.server)
    if ex.response.status != 404 or known is None or known == token:
        return False
    retry = ex.request.copy()
    retry.headers["X-Auth-Token"] = known
    answer = ex.forward(retry)
    if answer.status != 200:
        return False
    ex.response = answer
    return True


# ---------------------------------------------------------------- error bodies
_RENAMED = {"itemNotFound": "NotFound", "badRequest": "BadRequest", "conflictingRequest": "conflict",
            "forbidden": "Forbidden", "computeFault": "fault"}


def _rename_fault_key(ex: Exchange) -> bool:
    if ex.response.status < 400 or not is_fault_body(ex.response):
        return False
    body = ex.response.json()
    (key, value), = body.items()
    ex.response.set_json({_RENAMED.get(key, f"{key}Fault"): value})
    return True


def _mismatch_code(ex: Exchange) -> bool:
    if ex.response.status < 400 or not is_fault_body(ex.response):
        return False
    body = ex.response.json()
    (value,) = body.values()
    value["code"] = 400 if ex.response.status != 400 else 404
    ex.response.set_json(body)
    return True


def _plain_text(ex: Exchange) -> bool:
    if not 400 <= ex.response.status < 500 or not ex.response.content:
        return False
    ex.response.set_text(f"{ex.response.status} Error\n\nThe request could not be completed.\n")
    return True


FORCE_COMPLETE = _on("migration-action", "POST", "force_complete")
ABORT = _on("migration", "DELETE")

PROTOCOL_FAULTS: tuple[Fault, ...] = (
    Fault("list-served-below-2.23", "GET /servers/{id}/migrations[/{mid}] below 2.23 answered 200 with the 2.23 body",
          "gating", on_request=_ask_2_23, on_response=_echo_asked),
    Fault("force-complete-below-2.22", "force_complete below 2.22 accepted with 202 instead of 404", "gating",
          restatus(404, 202, FORCE_COMPLETE, _below((2, 22)))),
    Fault("abort-below-2.24", "DELETE /servers/{id}/migrations/{mid} below 2.24 accepted with 202 instead of 404",
          "gating", restatus(404, 202, ABORT, _below((2, 24)))),
    Fault("version-above-max-accepted", "an unsupported microversion is served at the maximum (200, not 406)",
          "gating", _served_anyway(406)),
    Fault("malformed-version-accepted", "a malformed version header is served as 2.1 (200, not 400)", "gating",
          _served_anyway(400)),
    Fault("406-as-404", "an unsupported microversion answered 404 instead of 406", "gating",
          restatus(406, 404, body=lambda ex: error_body("itemNotFound", 404, "The resource could not be found."))),
    Fault("latest-as-2.1", "'latest' is echoed as 2.1 instead of the maximum", "gating", _latest_as_2_1),
    Fault("legacy-header-ignored", "X-OpenStack-Nova-API-Version alone is ignored (served as 2.1)", "gating",
          on_request=_ignore_legacy_header),
    Fault("no-version-echo", "responses do not echo OpenStack-API-Version / X-OpenStack-Nova-API-Version",
          "headers", drop_headers(VERSION_HEADER, LEGACY_HEADER)),
    Fault("no-vary", "responses lack the Vary header", "headers", drop_headers("Vary")),
    Fault("no-request-id", "responses lack x-openstack-request-id / x-compute-request-id", "headers",
          drop_headers("x-openstack-request-id", "x-compute-request-id")),
    Fault("no-token-accepted", "a request without a token answered 200 with an empty list (401 expected)", "auth",
          restatus(401, 200, body=_empty_list)),
    Fault("member-policy-ignored", "a non-admin member is answered 200/202 where the policy is admin-only (403)",
          "auth", _policy_ignored),
    Fault("other-project-visible", "another project's member sees the server's migrations (200, not 404)", "auth",
          _other_project_visible),
    Fault("force-complete-200", "force_complete answered 200 instead of 202", "status",
          restatus(202, 200, FORCE_COMPLETE)),
    Fault("404-as-400", "not found answered 400", "status",
          restatus(404, 400, body=lambda ex: error_body("badRequest", 400, "Invalid request."))),
    Fault("404-as-500", "not found answered 500", "status",
          restatus(404, 500, body=lambda ex: error_body("computeFault", 500, "Unexpected API Error."))),
    Fault("fault-key-renamed", "error bodies use another key than Nova's (NotFound for itemNotFound)", "errors",
          _rename_fault_key),
    Fault("fault-code-mismatch", "the code in an error body differs from the status", "errors", _mismatch_code),
    Fault("plain-text-error", "4xx error bodies are plain text, not Nova's JSON fault format", "errors",
          _plain_text),
)
