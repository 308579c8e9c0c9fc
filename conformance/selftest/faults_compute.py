"""Faults across the compute API beyond migrations: fields, versioned fields, gating, headers, auth and policy,
errors, ignored query parameters, accepted invalid bodies, writes that do nothing, actions that do not act.

Each names the operations it touches (``Fault.operations``): its selftest run is limited to their tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from conformance.selftest.exchange import Exchange, Version
from conformance.selftest.fault import Fault, Hook, error_body

__all__ = ["COMPUTE_FAULTS"]

Match = Callable[[Exchange], bool]
Edit = Callable[[Any], bool]


def at(method: str, pattern: str, *, below: Version | None = None, since: Version | None = None,
       action: str | None = None) -> Match:
    """Requests of ``method`` whose path after ``/v2.1`` matches ``pattern`` (at some versions, for one action)."""
    compiled = re.compile(pattern)

    def match(ex: Exchange) -> bool:
        request = ex.original
        path = re.sub(r"^/v2(\.1)?", "", request.path).rstrip("/") or "/"
        if request.method != method or not compiled.fullmatch(path):
            return False
        asked = request.version
        if below is not None and (asked is None or not asked < below):
            return False
        if since is not None and (asked is None or asked < since):
            return False
        return action is None or request.action() == action

    return match


def body(match: Match, edit: Edit, status: int = 200) -> Hook:
    """Edit the JSON body of the answers with ``status`` to requests ``match`` selects."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status != status or not match(ex):
            return False
        document = ex.response.json()
        if document is None or not edit(document):
            return False
        ex.response.set_json(document)
        return True

    return hook


def each(path: str, change: Callable[[dict[str, Any], str], bool]) -> Edit:
    """Apply ``change(object, key)`` to the objects at a dotted ``path`` (``*`` for each item of a list)."""
    *parents, key = path.split(".")

    def edit(document: Any) -> bool:
        level = [document]
        for part in parents:
            following: list[Any] = []
            for value in level:
                if part == "*" and isinstance(value, list):
                    following.extend(value)
                elif isinstance(value, dict) and part in value:
                    following.append(value[part])
            level = following
        changed = False
        for value in level:
            if isinstance(value, dict):
                changed = change(value, key) or changed
        return changed

    return edit


def drop(path: str) -> Edit:
    return each(path, lambda value, key: value.pop(key, None) is not None or False)


def put(path: str, new: Any) -> Edit:
    def change(value: dict[str, Any], key: str) -> bool:
        value[key] = new(value.get(key)) if callable(new) else new
        return True

    return each(path, change)


def restatus(match: Match, status: int, new: int, document: Any = None) -> Hook:
    """Answer ``new`` (with ``document``, or a fault body) where the upstream answered ``status``."""

    def hook(ex: Exchange) -> bool:
        if ex.response.status != status or not match(ex):
            return False
        ex.response.status = new
        ex.response.set_json(document if document is not None else error_body("badRequest", new, "fault"))
        return True

    return hook


def asking(version: str, match: Match) -> Hook:
    """Serve requests ``match`` selects at ``version`` instead (a version that should not be served, served)."""

    def hook(ex: Exchange) -> bool:
        if not match(ex):
            return False
        ex.request.set_version(version)
        return True

    return hook


def echo_asked(match: Match) -> Hook:
    """The answer echoes the version the client asked for (hiding a version rewrite)."""

    def hook(ex: Exchange) -> bool:
        if not match(ex) or ex.original.version_text is None:
            return False
        ex.response.set_version_echo(ex.original.version_text)
        return True

    return hook


def swallowed(match: Match, status: int, answer: Callable[[Exchange], Any] | None = None) -> tuple[Hook, Hook]:
    """Requests ``match`` selects never reach the target (a GET of the same path goes instead) and are answered
    ``status`` (with ``answer``'s body): a write or an action accepted that does nothing."""

    def request_hook(ex: Exchange) -> bool:
        if not match(ex):
            return False
        ex.request.method = "GET"
        ex.request.body = b""
        ex.request.headers.pop("Content-Type", None)
        if ex.request.path.endswith("/action"):
            ex.request.path = ex.request.path[: -len("/action")]
        return True

    def response_hook(ex: Exchange) -> bool:
        if not match(ex):
            return False
        ex.response.status = status
        if answer is None:
            ex.response.content = b""
            ex.response.headers.pop("Content-Type", None)
        else:
            ex.response.set_json(answer(ex))
        return True

    return request_hook, response_hook


def header(match: Match, name: str, value: str | None) -> Hook:
    def hook(ex: Exchange) -> bool:
        if not match(ex) or name not in ex.response.headers:
            return False
        if value is None:
            del ex.response.headers[name]
        else:
            ex.response.headers[name] = value
        return True

    return hook


def limit_ignored(match: Match) -> Hook:
    """The ``limit`` query parameter is dropped before the request goes on."""

    def hook(ex: Exchange) -> bool:
        if not match(ex) or not any(name == "limit" for name, _ in ex.request.query):
            return False
        ex.request.query = [(name, value) for name, value in ex.request.query if name != "limit"]
        return True

    return hook


def _fault(fault_id: str, description: str, family: str, operations: str, on_response: Hook | None = None,
           on_request: Hook | None = None) -> Fault:
    return Fault(fault_id, description, family, on_response=on_response, on_request=on_request,
                 operations=operations)


SERVER = r"/servers/[^/]+"
_KEYPAIRS, _LIMITS, _QUOTAS = "os-keypairs", "^GET /limits$", "os-quota-sets"
_TAGS, _METADATA = r"/servers/\{server_id\}/tags", r"/servers/\{server_id\}/metadata"
_PAUSE = r"action (pause|unpause|suspend|resume|lock|unlock|os-stop|os-start|rescue|unrescue)$"

_put_metadata_key, _answer_metadata_key = swallowed(at("PUT", SERVER + r"/metadata/[^/]+"), 200,
                                                     lambda ex: ex.original.json())
_put_quota, _answer_quota = swallowed(at("PUT", r"/os-quota-sets/[^/]+"), 200,
                                      lambda ex: {"quota_set": (ex.original.json() or {}).get("quota_set", {})})
_delete_keypair, _answer_keypair = swallowed(at("DELETE", r"/os-keypairs/[^/]+"), 202)
_delete_tag, _answer_tag = swallowed(at("DELETE", SERVER + r"/tags/[^/]+"), 204)
_stop, _answer_stop = swallowed(at("POST", SERVER + "/action", action="os-stop"), 202)
_rescue, _answer_rescue = swallowed(at("POST", SERVER + "/action", action="rescue"), 200,
                                    lambda ex: {"adminPass": "conformance"})
_create_keypair_nothing, _answer_keypair_created = swallowed(at("POST", "/os-keypairs"), 200, lambda ex: {
    "keypair": {**((ex.original.json() or {}).get("keypair") or {}), "fingerprint": "00", "user_id": "u"}})

COMPUTE_FAULTS: tuple[Fault, ...] = (
    # -- fields and their types
    _fault("limits-drop-max-instances", "GET /limits lacks limits.absolute.maxTotalInstances", "body", _LIMITS,
           body(at("GET", "/limits"), drop("limits.absolute.maxTotalInstances"))),
    _fault("limits-instances-as-string", "GET /limits gives maxTotalInstances as a string", "body", _LIMITS,
           body(at("GET", "/limits"), put("limits.absolute.maxTotalInstances", lambda v: str(v)))),
    _fault("keypairs-drop-fingerprint", "GET /os-keypairs items lack keypair.fingerprint", "body", _KEYPAIRS,
           body(at("GET", "/os-keypairs"), drop("keypairs.*.keypair.fingerprint"))),
    _fault("keypair-user-as-integer", "GET /os-keypairs/{name} gives user_id as an integer", "body", _KEYPAIRS,
           body(at("GET", r"/os-keypairs/[^/]+"), put("keypair.user_id", 1234))),
    _fault("quota-set-drop-instances", "GET /os-quota-sets/{tenant_id} lacks quota_set.instances", "body", _QUOTAS,
           body(at("GET", r"/os-quota-sets/[^/]+"), drop("quota_set.instances"))),
    _fault("quota-detail-in-use-as-string", "GET /os-quota-sets/{tenant_id}/detail gives cores.in_use as a string",
           "body", _QUOTAS, body(at("GET", r"/os-quota-sets/[^/]+/detail"), put("quota_set.cores.in_use", "0"))),
    _fault("metadata-as-list", "GET /servers/{id}/metadata gives metadata as a list", "body", _METADATA,
           body(at("GET", SERVER + "/metadata"), put("metadata", lambda v: list((v or {}).items())))),
    _fault("tags-as-string", "GET /servers/{id}/tags gives tags as one string", "body", _TAGS,
           body(at("GET", SERVER + "/tags"), put("tags", lambda v: ",".join(v or [])))),
    _fault("availability-zone-state-as-string", "GET /os-availability-zone gives zoneState.available as a string",
           "body", "os-availability-zone",
           body(at("GET", "/os-availability-zone"), put("availabilityZoneInfo.*.zoneState.available", "true"))),
    _fault("usage-drop-total-hours", "GET /os-simple-tenant-usage items lack total_hours", "body",
           "os-simple-tenant-usage", body(at("GET", "/os-simple-tenant-usage"), drop("tenant_usages.*.total_hours"))),
    _fault("extensions-drop-alias", "GET /extensions items lack alias", "body", "extensions",
           body(at("GET", "/extensions"), drop("extensions.*.alias"))),
    _fault("attachments-drop-server-id", "GET /servers/{id}/os-volume_attachments items lack serverId", "body",
           "os-volume_attachments", body(at("GET", SERVER + "/os-volume_attachments"),
                                        drop("volumeAttachments.*.serverId"))),
    _fault("password-as-null", "GET /servers/{id}/os-server-password gives password as null", "body",
           "os-server-password", body(at("GET", SERVER + "/os-server-password"), put("password", None))),
    _fault("interfaces-drop-port-state", "GET /servers/{id}/os-interface items lack port_state", "body",
           "os-interface", body(at("GET", SERVER + "/os-interface"), drop("interfaceAttachments.*.port_state"))),
    _fault("flavors-drop-name", "GET /flavors items lack name", "body", "^GET /flavors$",
           body(at("GET", "/flavors"), drop("flavors.*.name"))),
    _fault("hypervisors-undocumented-field", "GET /os-hypervisors items carry a field the api-ref does not list",
           "body", "^GET /os-hypervisors$", body(at("GET", "/os-hypervisors"), put("hypervisors.*.secret", "x"))),
    # -- fields of other microversions
    _fault("keypair-type-below-2.2", "GET /os-keypairs/{name} gives keypair.type below 2.2", "body", _KEYPAIRS,
           body(at("GET", r"/os-keypairs/[^/]+", below=(2, 2)), put("keypair.type", "ssh"))),
    _fault("quota-fixed-ips-from-2.36", "GET /os-quota-sets/{tenant_id} keeps fixed_ips from 2.36", "body", _QUOTAS,
           body(at("GET", r"/os-quota-sets/[^/]+", since=(2, 36)), put("quota_set.fixed_ips", -1))),
    _fault("limits-floating-ips-from-2.36", "GET /limits keeps maxTotalFloatingIps from 2.36", "body", _LIMITS,
           body(at("GET", "/limits", since=(2, 36)), put("limits.absolute.maxTotalFloatingIps", 10))),
    _fault("keypairs-links-below-2.35", "GET /os-keypairs gives keypairs_links below 2.35", "body", _KEYPAIRS,
           body(at("GET", "/os-keypairs", below=(2, 35)), put("keypairs_links", []))),
    # -- gating
    _fault("tags-served-below-2.26", "GET /servers/{id}/tags served below 2.26", "gating", _TAGS,
           echo_asked(at("GET", SERVER + "/tags", below=(2, 26))),
           asking("2.26", at("GET", SERVER + "/tags", below=(2, 26)))),
    _fault("statistics-served-from-2.88", "GET /os-hypervisors/statistics served from 2.88", "gating",
           "os-hypervisors/statistics", echo_asked(at("GET", "/os-hypervisors/statistics", since=(2, 88))),
           asking("2.87", at("GET", "/os-hypervisors/statistics", since=(2, 88)))),
    _fault("remote-consoles-below-2.6", "POST /servers/{id}/remote-consoles served below 2.6", "gating",
           "remote-consoles", echo_asked(at("POST", SERVER + "/remote-consoles", below=(2, 6))),
           asking("2.6", at("POST", SERVER + "/remote-consoles", below=(2, 6)))),
    _fault("keypair-404-as-410", "GET /os-keypairs/{name} answers 410 Gone where it answered 404", "gating",
           _KEYPAIRS, restatus(at("GET", r"/os-keypairs/[^/]+"), 404, 410, error_body("computeFault", 410, "gone"))),
    # -- headers
    _fault("limits-no-request-id", "GET /limits answers without X-Openstack-Request-Id", "headers", _LIMITS,
           header(at("GET", "/limits"), "X-Openstack-Request-Id", None)),
    _fault("keypairs-wrong-echo", "GET /os-keypairs echoes another microversion", "headers", _KEYPAIRS,
           header(at("GET", "/os-keypairs"), "OpenStack-API-Version", "compute 2.1")),
    _fault("quota-sets-no-vary", "GET /os-quota-sets/{id} answers without Vary", "headers", _QUOTAS,
           header(at("GET", r"/os-quota-sets/[^/]+"), "Vary", None)),
    # -- authentication and policy
    _fault("keypairs-401-as-403", "GET /os-keypairs without a valid token answers 403 instead of 401", "auth",
           _KEYPAIRS, restatus(at("GET", "/os-keypairs"), 401, 403, error_body("forbidden", 403, "no"))),
    _fault("hypervisors-member-allowed", "GET /os-hypervisors lists for a member (admin-only by default)", "auth",
           "^GET /os-hypervisors$", restatus(at("GET", "/os-hypervisors"), 403, 200, {"hypervisors": []})),
    _fault("metadata-401-as-404", "server metadata without a token answers 404", "auth", _METADATA,
           restatus(at("GET", SERVER + "/metadata"), 401, 404, error_body("itemNotFound", 404, "no"))),
    # -- errors
    _fault("unknown-flavor-500", "GET /flavors/{unknown} answers 500", "errors", r"^GET /flavors/\{flavor_id\}$",
           restatus(at("GET", r"/flavors/[^/]+"), 404, 500, error_body("computeFault", 500, "boom"))),
    _fault("unknown-keypair-fault-without-code", "404 of an unknown keypair lacks the fault's code", "errors",
           _KEYPAIRS, restatus(at("GET", r"/os-keypairs/[^/]+"), 404, 404, {"itemNotFound": {"message": "no"}})),
    _fault("unknown-aggregate-wrong-fault-key", "404 of an unknown aggregate names the fault notFound", "errors",
           r"^GET /os-aggregates/\{aggregate_id\}$",
           restatus(at("GET", r"/os-aggregates/[^/]+"), 404, 404, error_body("notFound", 404, "no"))),
    _fault("unknown-metadata-key-400", "GET /servers/{id}/metadata/{unknown} answers 400", "errors", _METADATA,
           restatus(at("GET", SERVER + r"/metadata/[^/]+"), 404, 400)),
    # -- query parameters
    _fault("flavors-limit-ignored", "GET /flavors ignores limit", "queries", "^GET /flavors",
           on_request=limit_ignored(at("GET", r"/flavors(/detail)?"))),
    _fault("keypairs-limit-ignored", "GET /os-keypairs ignores limit", "queries", "^GET /os-keypairs$",
           on_request=limit_ignored(at("GET", "/os-keypairs"))),
    # -- writes and bodies
    _fault("metadata-key-write-ignored", "PUT /servers/{id}/metadata/{key} answers 200 but stores nothing", "writes",
           _METADATA, _answer_metadata_key, _put_metadata_key),
    _fault("quota-set-update-ignored", "PUT /os-quota-sets/{tenant_id} answers 200 but changes nothing", "writes",
           _QUOTAS, _answer_quota, _put_quota),
    _fault("keypair-delete-ignored", "DELETE /os-keypairs/{name} answers 202 but deletes nothing", "writes",
           _KEYPAIRS, _answer_keypair, _delete_keypair),
    _fault("tag-delete-ignored", "DELETE /servers/{id}/tags/{tag} answers 204 but deletes nothing", "writes", _TAGS,
           _answer_tag, _delete_tag),
    _fault("keypair-create-ignored", "POST /os-keypairs answers 200 but creates nothing", "writes", _KEYPAIRS,
           _answer_keypair_created, _create_keypair_nothing),
    _fault("keypair-invalid-body-accepted", "POST /os-keypairs accepts a body its schema refuses", "writes",
           _KEYPAIRS, restatus(at("POST", "/os-keypairs"), 400, 200, {"keypair": {"name": "x"}})),
    _fault("metadata-invalid-body-accepted", "POST /servers/{id}/metadata accepts a body its schema refuses",
           "writes", _METADATA, restatus(at("POST", SERVER + "/metadata"), 400, 200, {"metadata": {}})),
    # -- actions: postconditions and preconditions
    _fault("stop-does-not-stop", "os-stop answers 202 but the server stays ACTIVE", "postconditions",
           r"action os-stop$", _answer_stop, _stop),
    _fault("rescue-does-not-rescue", "rescue answers 200 but the server never reaches RESCUE", "postconditions",
           r"action rescue$", _answer_rescue, _rescue),
    _fault("start-of-active-accepted", "os-start of an ACTIVE server (409) accepted with 202", "preconditions",
           r"action os-start$", restatus(at("POST", SERVER + "/action", action="os-start"), 409, 202, {})),
    _fault("confirm-without-resize-accepted", "confirmResize of a server not resized (409) accepted with 204",
           "preconditions", r"action confirmResize$",
           restatus(at("POST", SERVER + "/action", action="confirmResize"), 409, 204, {})),
)
