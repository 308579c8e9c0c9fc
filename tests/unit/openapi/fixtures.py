"""A hand-made ApiRef mimicking nova's server-migrations, os-migrations and a few server actions.

Written for these tests (no upstream text is copied): the operations, fields
and microversions follow nova 34.0.0's api-ref; line numbers are plausible,
not authoritative. The ``pause`` action's max version 2.90 is invented to
exercise a variant that goes away.
"""

from __future__ import annotations

from conformance.model import (
    ApiRef,
    FaultConvention,
    Field,
    Microversion,
    MicroversionProtocol,
    MicroversionRange,
    Operation,
    Parameter,
    Precondition,
    ResponseCode,
    Sentence,
    Source,
    SourceInfo,
)

SERVER_MIGRATIONS = "server-migrations.inc"
OS_MIGRATIONS = "os-migrations.inc"
SERVER_ACTIONS = "servers-actions.inc"
MIGRATIONS_PATH = "/servers/{server_id}/migrations"
MIGRATION_PATH = "/servers/{server_id}/migrations/{migration_id}"
FORCE_PATH = "/servers/{server_id}/migrations/{migration_id}/action"
ACTION_PATH = "/servers/{server_id}/action"


def mv(text: str) -> Microversion:
    """Shorthand for Microversion.parse."""
    return Microversion.parse(text)


def span(low: str | None = None, high: str | None = None) -> MicroversionRange:
    """A range from optional version strings."""
    return MicroversionRange(mv(low) if low else None, mv(high) if high else None)


def param(
    name: str,
    key: str,
    location: str,
    type_: str,
    source: Source,
    definition: int,
    *,
    required: bool = True,
    low: str | None = None,
    high: str | None = None,
    nullable: bool = False,
) -> Parameter:
    """A parameter as the reader would resolve it from parameters.yaml."""
    return Parameter(
        name=name,
        key=key,
        location=location,
        required=required,
        type=type_,
        description=f"The {name.replace('_', ' ')}.",
        versions=span(low, high),
        nullable=nullable,
        source=source,
        definition=Source("parameters.yaml", definition),
    )


# (name, parameters.yaml key, type, definition line, min version, nullable)
_MIGRATION_FIELDS: tuple[tuple[str, str, str, int, str | None, bool], ...] = (
    ("created_at", "created", "string", 2293, None, False),
    ("dest_compute", "migrate_dest_compute", "string", 4810, None, False),
    ("dest_host", "migrate_dest_host", "string", 4816, None, False),
    ("dest_node", "migrate_dest_node", "string", 4822, None, True),
    ("disk_processed_bytes", "migrate_disk_processed_bytes", "integer", 4829, None, False),
    ("disk_remaining_bytes", "migrate_disk_remaining_bytes", "integer", 4835, None, False),
    ("disk_total_bytes", "migrate_disk_total_bytes", "integer", 4841, None, False),
    ("id", "migration_id", "integer", 4890, None, False),
    ("memory_processed_bytes", "migrate_memory_processed_bytes", "integer", 4847, None, False),
    ("memory_remaining_bytes", "migrate_memory_remaining_bytes", "integer", 4853, None, False),
    ("memory_total_bytes", "migrate_memory_total_bytes", "integer", 4859, None, False),
    ("server_uuid", "server_id", "string", 6483, None, False),
    ("source_compute", "migrate_source_compute", "string", 4865, None, False),
    ("source_node", "migrate_source_node", "string", 4871, None, True),
    ("status", "migrate_status", "string", 4878, None, False),
    ("updated_at", "updated", "string", 7290, None, False),
    ("uuid", "migration_uuid", "string", 4949, "2.59", False),
    ("user_id", "user_id_migration_2_80", "string", 7425, "2.80", True),
    ("project_id", "project_id_migration_2_80", "string", 5913, "2.80", True),
)

BASE_MIGRATION_FIELDS = tuple(name for name, _, _, _, low, _ in _MIGRATION_FIELDS if low is None)
"""The 16 fields every microversion of the server-migrations API has."""


def _migration_fields(first_line: int) -> tuple[Parameter, ...]:
    return tuple(
        param(name, key, "body", type_, Source(SERVER_MIGRATIONS, first_line + i), line, low=low, nullable=nullable)
        for i, (name, key, type_, line, low, nullable) in enumerate(_MIGRATION_FIELDS)
    )


def _codes(path: str, line: int, *pairs: tuple[int, str | None]) -> tuple[ResponseCode, ...]:
    return tuple(ResponseCode(status, name, Source(path, line)) for status, name in pairs)


_UNAUTHORIZED = ((401, "unauthorized"), (403, "forbidden"))
_SERVER_MIGRATIONS_GROUP = "Server migrations (servers, migrations)"
_SERVER_ACTIONS_GROUP = "Servers - run an action (servers, action)"


def _operation(**values: object) -> Operation:
    defaults: dict[str, object] = {
        "description": "",
        "parameters": (),
        "request_body": (),
        "response_parameters": (),
        "response_body": (),
        "samples": (),
        "preconditions": (),
        "precondition_text": (),
        "postconditions": (),
        "admin_only": False,
    }
    defaults.update(values)
    return Operation(**defaults)  # type: ignore[arg-type]


def _server_id(path: str, line: int) -> Parameter:
    return param("server_id", "server_id_path", "path", "string", Source(path, line), 283)


def _migration_id(line: int) -> Parameter:
    return param("migration_id", "migration_id_path", "path", "integer", Source(SERVER_MIGRATIONS, line), 216)


def list_server_migrations() -> Operation:
    """GET /servers/{server_id}/migrations (2.23+)."""
    container = param("migrations", "migrations", "body", "array", Source(SERVER_MIGRATIONS, 38), 4956)
    children = _migration_fields(39)
    return _operation(
        method="GET", path=MIGRATIONS_PATH, title="List Migrations", group=_SERVER_MIGRATIONS_GROUP,
        description="Lists in-progress live migrations for a given server.", versions=span("2.23"),
        normal_codes=_codes(SERVER_MIGRATIONS, 23, (200, None)),
        error_codes=_codes(SERVER_MIGRATIONS, 25, *_UNAUTHORIZED, (404, "itemNotFound")),
        parameters=(_server_id(SERVER_MIGRATIONS, 31),),
        response_parameters=(container, *children),
        response_body=(Field(container, tuple(Field(c) for c in children), complete=True),),
        admin_only=True, source=Source(SERVER_MIGRATIONS, 12),
    )


def show_server_migration() -> Operation:
    """GET /servers/{server_id}/migrations/{migration_id} (2.23+)."""
    container = param("migration", "migration", "body", "object", Source(SERVER_MIGRATIONS, 93), 4884)
    children = _migration_fields(94)
    return _operation(
        method="GET", path=MIGRATION_PATH, title="Show Migration Details", group=_SERVER_MIGRATIONS_GROUP,
        description="Show details for an in-progress live migration for a given server.", versions=span("2.23"),
        normal_codes=_codes(SERVER_MIGRATIONS, 77, (200, None)),
        error_codes=_codes(SERVER_MIGRATIONS, 79, *_UNAUTHORIZED, (404, "itemNotFound")),
        parameters=(_server_id(SERVER_MIGRATIONS, 86), _migration_id(87)),
        response_parameters=(container, *children),
        response_body=(Field(container, tuple(Field(c) for c in children), complete=True),),
        admin_only=True, source=Source(SERVER_MIGRATIONS, 62),
    )


def _rule(
    subject: str, attribute: str, allowed: tuple[str, ...], line: int, versions: MicroversionRange
) -> Precondition:
    text = f"The {subject} {attribute} value must be {' or '.join(allowed)}."
    sentence = Sentence(text, Source(SERVER_MIGRATIONS, line))
    return Precondition(subject, attribute, allowed, versions, sentence)


def force_complete() -> Operation:
    """POST /servers/{server_id}/migrations/{migration_id}/action, force_complete (2.22+)."""
    body = param("force_complete", "force_migration_complete", "body", "none", Source(SERVER_MIGRATIONS, 180), 3427)
    rules = (
        _rule("server", "OS-EXT-STS:vm_state", ("active",), 140, span()),
        _rule("server", "OS-EXT-STS:task_state", ("migrating",), 140, span()),
        _rule("migration", "status", ("running",), 146, span()),
    )
    return _operation(
        method="POST", path=FORCE_PATH, title="Force Migration Complete Action (force_complete Action)",
        group=_SERVER_MIGRATIONS_GROUP, description="Force an in-progress live migration to complete.",
        versions=span("2.22"), normal_codes=_codes(SERVER_MIGRATIONS, 167, (202, None)),
        error_codes=_codes(SERVER_MIGRATIONS, 169, (400, "badRequest"), *_UNAUTHORIZED, (404, "itemNotFound"),
                           (409, "conflict")),
        parameters=(_server_id(SERVER_MIGRATIONS, 178), _migration_id(179), body), request_body=(Field(body),),
        preconditions=rules, precondition_text=tuple(r.sentence for r in rules),
        postconditions=(
            Sentence("After you make this request, poll the server status.", Source(SERVER_MIGRATIONS, 150)),
        ),
        admin_only=True, source=Source(SERVER_MIGRATIONS, 122), action="force_complete",
    )


def abort_migration() -> Operation:
    """DELETE /servers/{server_id}/migrations/{migration_id} (2.24+)."""
    rules = (
        _rule("server", "OS-EXT-STS:task_state", ("migrating",), 216, span()),
        _rule("migration", "status", ("running",), 221, span("2.24", "2.64")),
        _rule("migration", "status", ("running", "queued", "preparing"), 221, span("2.65")),
    )
    return _operation(
        method="DELETE", path=MIGRATION_PATH, title="Delete (Abort) Migration", group=_SERVER_MIGRATIONS_GROUP,
        description="Abort an in-progress live migration.", versions=span("2.24"),
        normal_codes=_codes(SERVER_MIGRATIONS, 241, (202, None)),
        error_codes=_codes(SERVER_MIGRATIONS, 243, (400, "badRequest"), *_UNAUTHORIZED, (404, "itemNotFound"),
                           (409, "conflict")),
        parameters=(_server_id(SERVER_MIGRATIONS, 250), _migration_id(251)),
        preconditions=rules, precondition_text=tuple(r.sentence for r in rules),
        notes=(Sentence("With microversion 2.65 or greater, queued and preparing migrations can be aborted.",
                        Source(SERVER_MIGRATIONS, 204)),),
        admin_only=True, source=Source(SERVER_MIGRATIONS, 196),
    )


def list_migrations() -> Operation:
    """GET /os-migrations: version-gated query parameters and response fields."""
    def query(name: str, key: str, type_: str, line: int, definition: int, low: str | None = None) -> Parameter:
        return param(name, key, "query", type_, Source(OS_MIGRATIONS, line), definition, required=False, low=low)

    queries = (
        query("hidden", "migration_hidden", "integer", 32, 1023),
        query("host", "migration_host", "string", 33, 1033),
        query("instance_uuid", "migration_instance_uuid", "string", 34, 1039),
        query("migration_type", "migration_type", "string", 35, 1076),
        query("source_compute", "migration_source_compute", "string", 36, 1064),
        query("status", "migration_status", "string", 37, 1070),
        query("limit", "migration_limit", "integer", 38, 1045, "2.59"),
        query("marker", "migration_marker", "string", 39, 1055, "2.59"),
        query("changes-since", "changes_since_migration", "string", 40, 545, "2.59"),
        query("changes-before", "changes_before_migration", "string", 41, 482, "2.66"),
        query("user_id", "user_id_query_migrations", "string", 42, 1448, "2.80"),
        query("project_id", "project_id_query_migrations", "string", 43, 1163, "2.80"),
    )

    def body(name: str, key: str, type_: str, line: int, definition: int, **options: object) -> Parameter:
        return param(name, key, "body", type_, Source(OS_MIGRATIONS, line), definition, **options)  # type: ignore[arg-type]

    container = body("migrations", "migrations", "array", 50, 4956)
    fields = (
        body("created_at", "created", "string", 51, 2293),
        body("dest_compute", "migrate_dest_compute", "string", 52, 4810),
        body("dest_host", "migrate_dest_host", "string", 53, 4816),
        body("dest_node", "migrate_dest_node", "string", 54, 4822, nullable=True),
        body("id", "migration_id", "integer", 55, 4890),
        body("instance_uuid", "server_id", "string", 56, 6483),
        body("new_instance_type_id", "migration_new_flavor_id", "integer", 57, 4908),
        body("old_instance_type_id", "migration_old_flavor_id", "integer", 58, 4931),
        body("source_compute", "migrate_source_compute", "string", 59, 4865),
        body("source_node", "migrate_source_node", "string", 60, 4871, nullable=True),
        body("status", "migrate_status", "string", 61, 4878),
        body("updated_at", "updated", "string", 62, 7290),
        body("migration_type", "migration_type_2_23", "string", 63, 4941, low="2.23"),
        body("links", "migration_links_2_23", "array", 64, 4896, low="2.23", required=False),
        body("uuid", "migration_uuid", "string", 65, 4949, low="2.59"),
        body("user_id", "user_id_migration_2_80", "string", 67, 7425, low="2.80", nullable=True),
        body("project_id", "project_id_migration_2_80", "string", 68, 5913, low="2.80", nullable=True),
    )
    next_links = body("migrations_links", "migration_next_links_2_59", "array", 66, 4920, low="2.59", required=False)
    return _operation(
        method="GET", path="/os-migrations", title="List Migrations", group="Migrations (os-migrations)",
        description="Lists migrations.", versions=span(),
        normal_codes=_codes(OS_MIGRATIONS, 23, (200, None)),
        error_codes=_codes(OS_MIGRATIONS, 25, (400, "badRequest"), *_UNAUTHORIZED),
        parameters=queries, response_parameters=(container, *fields, next_links),
        response_body=(Field(container, tuple(Field(f) for f in fields), complete=True), Field(next_links)),
        admin_only=True, source=Source(OS_MIGRATIONS, 12),
    )


def _action(title: str, line: int, action: str, body: tuple[Field, ...], **values: object) -> Operation:
    flat = tuple(p for f in body for p in (f.parameter, *(c.parameter for c in f.children)))
    return _operation(
        method="POST", path=ACTION_PATH, title=title, group=_SERVER_ACTIONS_GROUP,
        description=f"Specify the {action} action in the request body.",
        normal_codes=_codes(SERVER_ACTIONS, line + 20, (202, None)),
        parameters=(_server_id(SERVER_ACTIONS, line + 30), *flat), request_body=body,
        source=Source(SERVER_ACTIONS, line), action=action, **values,
    )


def create_backup() -> Operation:
    """createBackup: a Location header until 2.44, an image_id body from 2.45."""
    key = param("createBackup", "createBackup", "body", "object", Source(SERVER_ACTIONS, 250), 2287)
    children = (
        param("name", "backup_name", "body", "string", Source(SERVER_ACTIONS, 251), 1896),
        param("backup_type", "backup_type", "body", "string", Source(SERVER_ACTIONS, 252), 1909),
        param("rotation", "backup_rotation", "body", "integer", Source(SERVER_ACTIONS, 253), 1902),
        param("metadata", "metadata", "body", "object", Source(SERVER_ACTIONS, 254), 4754, required=False),
    )
    location = param("Location", "image_location", "header", "string", Source(SERVER_ACTIONS, 266), 2, high="2.44")
    image_id = param("image_id", "snapshot_id_resp_2_45", "body", "string", Source(SERVER_ACTIONS, 267), 6973,
                     low="2.45")
    return _action(
        "Create Server Back Up (createBackup Action)", 223, "createBackup",
        (Field(key, tuple(Field(c) for c in children), complete=True),),
        versions=span(), error_codes=_codes(SERVER_ACTIONS, 245, (400, "badRequest"), *_UNAUTHORIZED),
        response_parameters=(location, image_id), response_body=(Field(image_id),),
    )


def pause() -> Operation:
    """pause: a null-valued action key; its max version 2.90 is invented."""
    key = param("pause", "pause", "body", "none", Source(SERVER_ACTIONS, 463), 5706)
    return _action(
        "Pause Server (pause Action)", 442, "pause", (Field(key),), versions=span(None, "2.90"),
        error_codes=_codes(SERVER_ACTIONS, 454, *_UNAUTHORIZED, (404, "itemNotFound"), (409, "conflict"),
                           (501, "notImplemented")),
    )


def reboot() -> Operation:
    """reboot: an object action key with a required ``type``."""
    key = param("reboot", "reboot", "body", "object", Source(SERVER_ACTIONS, 521), 5994)
    kind = param("type", "reboot_type", "body", "string", Source(SERVER_ACTIONS, 522), 6000)
    return _action(
        "Reboot Server (reboot Action)", 481, "reboot", (Field(key, (Field(kind),), complete=True),),
        versions=span(), error_codes=_codes(SERVER_ACTIONS, 512, *_UNAUTHORIZED, (404, "itemNotFound"),
                                             (409, "conflict")),
        postconditions=(Sentence("After you successfully reboot a server, its status changes to ACTIVE.",
                                 Source(SERVER_ACTIONS, 508)),),
    )


COMPUTE_PROTOCOL = MicroversionProtocol("OpenStack-API-Version", "compute", ("X-OpenStack-Nova-API-Version",))
"""compute's protocol as services.toml describes it, with no advertised range."""

COMPUTE_INFO = SourceInfo("compute", "nova==34.0.0", "0" * 64, api_version="2.1",
                          fault=FaultConvention("ComputeFault", "named"))
"""Where the fixture api-ref claims to come from, with compute's conventions."""


def build_apiref() -> ApiRef:
    """The fixture api-ref, sections in document order (files sorted by name)."""
    return ApiRef(
        info=COMPUTE_INFO,
        protocol=COMPUTE_PROTOCOL,
        operations=(
            list_migrations(),
            list_server_migrations(), show_server_migration(), force_complete(), abort_migration(),
            create_backup(), pause(), reboot(),
        ),
    )
