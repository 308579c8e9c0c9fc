"""Faults of a Placement deployment: fields dropped, retyped or leaked across a microversion, a version header
ignored, a route served before its version, generations not checked, error bodies in Nova's format or without
their status or code, writes that do nothing, no version echo, a 401 answered as a 403.

Each is run against nova-box's Placement (``Fault.service``), its run limited to the operations it touches.
"""

from __future__ import annotations

from typing import Any

from conformance.selftest.exchange import Exchange
from conformance.selftest.fault import Fault, Hook, error_body
from conformance.selftest.faults_compute import Edit, Match, asking, at, body, each, echo_asked, header, put, swallowed

__all__ = ["PLACEMENT_FAULTS"]

RP = r"/resource_providers/[^/]+"
_RP_SHOW = r"^GET /resource_providers/\{uuid\}$"


def drop(path: str) -> Edit:
    """Remove the key at ``path``, null values too (a root provider's parent_provider_uuid is null)."""
    return each(path, lambda value, key: key in value and (value.pop(key) is None or True))


def _placement(fault_id: str, description: str, family: str, operations: str, on_response: Hook | None = None,
               on_request: Hook | None = None) -> Fault:
    return Fault(fault_id, description, family, on_response=on_response, on_request=on_request,
                 operations=operations, service="placement")


def accepted_anyway(match: Match, status: int, answer: Any = None) -> Hook:
    """A 409 the upstream answered (a generation that moved on) answered ``status`` instead: not checked."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status != 409 or not match(ex):
            return False
        ex.response.status = status
        document = answer(ex) if callable(answer) else answer
        if document is None:
            ex.response.content = b""
            ex.response.headers.pop("Content-Type", None)
        else:
            ex.response.set_json(document)
        return True

    return hook


def errors_edited(match: Match, edit: Any) -> Hook:
    """Edit every entry of an API-SIG ``errors`` body answered to requests ``match`` selects."""

    def hook(ex: Exchange) -> bool:
        document = ex.response.json()
        if ex.response.status < 400 or not match(ex) or not isinstance(document, dict):
            return False
        errors = document.get("errors")
        if not isinstance(errors, list) or not errors:
            return False
        changed = False
        for error in errors:
            if isinstance(error, dict):
                changed = bool(edit(error)) or changed
        if changed:
            ex.response.set_json(document)
        return changed

    return hook


def nova_errors(match: Match) -> Hook:
    """An error answered in Nova's format (``{"itemNotFound": {"code": 404, "message": ...}}``)."""

    def hook(ex: Exchange) -> bool:
        document = ex.response.json()
        if ex.response.status < 400 or ex.response.status == 401 or not match(ex) or not isinstance(document, dict) \
                or "errors" not in document:
            return False
        ex.response.set_json(error_body("itemNotFound", ex.response.status, "The resource could not be found."))
        return True

    return hook


def unauthorized_as_forbidden(match: Match) -> Hook:
    def hook(ex: Exchange) -> bool:
        if ex.response.status != 401 or not match(ex):
            return False
        ex.response.status = 403
        ex.response.set_json({"errors": [{"status": 403, "title": "Forbidden", "detail": "no", "request_id": "r"}]})
        return True

    return hook


def _traits_echo(ex: Exchange) -> Any:
    sent = ex.original.json() or {}
    return {"traits": sent.get("traits", []), "resource_provider_generation": sent.get("resource_provider_generation")}


def _inventories_echo(ex: Exchange) -> Any:
    sent = ex.original.json() or {}
    return {"inventories": sent.get("inventories", {}),
            "resource_provider_generation": sent.get("resource_provider_generation")}


_put_aggregates, _answer_aggregates = swallowed(at("PUT", RP + "/aggregates", since=(1, 19)), 200, lambda ex: {
    "aggregates": (ex.original.json() or {}).get("aggregates", []),
    "resource_provider_generation": (ex.original.json() or {}).get("resource_provider_generation")})
_put_traits, _answer_traits = swallowed(at("PUT", RP + "/traits"), 200, _traits_echo)


PLACEMENT_FAULTS: tuple[Fault, ...] = (
    # -- fields and their types, at their microversions
    _placement("rp-drop-generation", "GET /resource_providers/{uuid} lacks generation", "body", _RP_SHOW,
               body(at("GET", RP), drop("generation"))),
    _placement("rp-list-name-as-integer", "GET /resource_providers gives each provider's name as an integer", "body",
               r"^GET /resource_providers$", body(at("GET", "/resource_providers"), put("resource_providers.*.name",
                                                                                         7))),
    _placement("rp-root-below-1.14", "GET /resource_providers/{uuid} shows root_provider_uuid below 1.14", "body",
               _RP_SHOW, body(at("GET", RP, below=(1, 14)), put("root_provider_uuid", lambda v: v or
                                                                "00000000-0000-0000-0000-000000000000"))),
    _placement("rp-drop-parent-from-1.14", "GET /resource_providers/{uuid} lacks parent_provider_uuid from 1.14",
               "body", _RP_SHOW, body(at("GET", RP, since=(1, 14)), drop("parent_provider_uuid"))),
    _placement("inventory-total-as-string", "GET .../inventories/{resource_class} gives total as a string", "body",
               r"^GET /resource_providers/\{uuid\}/inventories/\{resource_class\}$",
               body(at("GET", RP + "/inventories/[^/]+"), put("total", lambda v: str(v)))),
    # -- the microversion protocol
    _placement("version-header-ignored", "GET /resource_providers/{uuid} is served at the latest version whatever "
               "the request asks (the answer echoes the one asked)", "gating", _RP_SHOW,
               echo_asked(at("GET", RP, below=(1, 14))), on_request=asking("1.39", at("GET", RP, below=(1, 14)))),
    _placement("traits-served-below-1.6", "GET /resource_providers/{uuid}/traits is served below 1.6", "gating",
               r"^GET /resource_providers/\{uuid\}/traits$",
               echo_asked(at("GET", RP + "/traits", below=(1, 6))),
               on_request=asking("1.6", at("GET", RP + "/traits", below=(1, 6)))),
    _placement("classes-no-version-echo", "GET /resource_classes answers without OpenStack-API-Version", "headers",
               r"^GET /resource_classes$", header(at("GET", "/resource_classes"), "OpenStack-API-Version", None)),
    # -- generations: the preconditions of writes
    _placement("traits-generation-not-checked", "PUT /resource_providers/{uuid}/traits with a stale generation is "
               "accepted", "preconditions", r"^PUT /resource_providers/\{uuid\}/traits$",
               accepted_anyway(at("PUT", RP + "/traits"), 200, _traits_echo)),
    _placement("inventories-generation-not-checked", "PUT /resource_providers/{uuid}/inventories with a stale "
               "generation is accepted", "preconditions", r"^PUT /resource_providers/\{uuid\}/inventories$",
               accepted_anyway(at("PUT", RP + "/inventories"), 200, _inventories_echo)),
    # -- error bodies and codes
    _placement("errors-in-nova-format", "errors of GET /resource_providers/{uuid} come in Nova's format", "errors",
               _RP_SHOW, nova_errors(at("GET", RP))),
    _placement("error-status-as-string", "errors of GET /resource_classes/{name} give their status as a string",
               "errors", r"^GET /resource_classes/\{name\}$",
               errors_edited(at("GET", "/resource_classes/[^/]+"), lambda e: e.update(status=str(e.get("status")))
                             or True)),
    _placement("error-code-dropped", "errors of GET /traits/{name} lack their code from 1.23", "errors",
               r"^GET /traits/\{name\}$",
               errors_edited(at("GET", "/traits/[^/]+", since=(1, 23)), lambda e: e.pop("code", None) is not None)),
    _placement("concurrent-update-undefined-code", "a stale generation's 409 carries placement.undefined_code",
               "errors", r"^PUT /resource_providers/\{uuid\}/traits$",
               errors_edited(at("PUT", RP + "/traits", since=(1, 23)),
                             lambda e: e.get("code") == "placement.concurrent_update"
                             and bool(e.update(code="placement.undefined_code") or True))),
    # -- writes that do nothing
    _placement("aggregates-write-does-nothing", "PUT /resource_providers/{uuid}/aggregates from 1.19 answers as if "
               "it wrote, and writes nothing", "writes", r"^PUT /resource_providers/\{uuid\}/aggregates$",
               _answer_aggregates, on_request=_put_aggregates),
    _placement("traits-write-does-nothing", "PUT /resource_providers/{uuid}/traits answers as if it wrote, and "
               "writes nothing", "writes", r"^PUT /resource_providers/\{uuid\}/traits$", _answer_traits,
               on_request=_put_traits),
    # -- authentication
    _placement("usages-401-as-403", "GET /resource_providers/{uuid}/usages answers 403 to a request with no token",
               "auth", r"^GET /resource_providers/\{uuid\}/usages$",
               unauthorized_as_forbidden(at("GET", RP + "/usages"))),
)
