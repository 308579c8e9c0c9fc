"""A tiny Nova-shaped upstream for the proxy's tests: canned server migrations and os-migrations.

Shapes follow real Nova 34 (as nova-box answers): microversion negotiation
and echo, Vary and request ids, keystone's 401, Nova's fault bodies, gating
(list/show from 2.23, force_complete from 2.22, abort from 2.24), admin-only
policy, other projects' servers 404, force_complete/abort of a migration that
is not running 400, os-migrations fields per version with pagination from 2.59
and unknown query parameters refused from 2.80. Not a Nova: just enough for
every fault of the catalogue to have something to change.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

MAX = (2, 104)
ADMIN, MEMBER, OTHER = "admin-token", "member-token", "other-token"
PROJECT = "6f70656e737461636b20342065766572"
SERVER_A = "a7c02dd7-2645-4bed-b3ce-4a1ddcf62f37"
SERVER_B = "0b6f2c36-5d5e-4a55-9b8e-2d0f3c2b7e11"
UNKNOWN_SERVER = "00000000-0000-4000-8000-000000000000"

_FIELDS_2_23 = ("created_at", "dest_compute", "dest_host", "dest_node", "disk_processed_bytes",
                "disk_remaining_bytes", "disk_total_bytes", "id", "memory_processed_bytes",
                "memory_remaining_bytes", "memory_total_bytes", "server_uuid", "source_compute", "source_node",
                "status", "updated_at")
_OS_QUERY = {"hidden", "host", "instance_uuid", "status", "cell_name", "migration_type", "source_compute", "limit",
             "marker", "changes-since", "changes-before", "user_id", "project_id"}
IN_PROGRESS = {"queued", "preparing", "running", "post-migrating"}


def _migration(mid: int, server: str, status: str, created: str) -> dict[str, Any]:
    return {"id": mid, "uuid": str(uuid.uuid5(uuid.NAMESPACE_OID, f"m{mid}")), "server_uuid": server,
            "status": status, "source_compute": "host1", "dest_compute": "host2", "source_node": "host1",
            "dest_node": "host2", "dest_host": None, "created_at": created, "updated_at": created,
            "memory_total_bytes": None, "memory_processed_bytes": None, "memory_remaining_bytes": None,
            "disk_total_bytes": None, "disk_processed_bytes": None, "disk_remaining_bytes": None,
            "user_id": "admin-user", "project_id": PROJECT}


class FakeNova:
    """``with FakeNova() as nova:`` nova.url is http://127.0.0.1:PORT/v2.1/."""

    def __init__(self) -> None:
        self.migrations = [
            _migration(1, SERVER_A, "running", "2016-01-29T13:42:02.000000"),
            _migration(2, SERVER_B, "running", "2016-01-29T12:42:02.000000"),
            _migration(3, SERVER_A, "completed", "2016-01-28T10:00:00.000000"),
        ]
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.nova = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.origin + "/v2.1/"

    def __enter__(self) -> FakeNova:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Answer(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}


def _fault(key: str, code: int, message: str) -> _Answer:
    return _Answer(code, {key: {"code": code, "message": message}})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        nova: FakeNova = self.server.nova  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        nova.received.append({"method": self.command, "path": parts.path, "query": parts.query,
                              "headers": dict(self.headers.items()), "body": raw.decode()})
        echo: str | None = None
        try:
            version = self._version()
            echo = f"{version[0]}.{version[1]}"
            if version > MAX:
                raise _fault("computeFault", 406, f"Version {echo} is not supported by the API.")
            answer = self._route(nova, self.command, parts.path, parse_qsl(parts.query, keep_blank_values=True),
                                 raw, version)
        except _Answer as exc:
            answer = exc
        if answer.status == 401:
            echo = None
        self._send(answer, echo, nova)

    def _version(self) -> tuple[int, int]:
        value = self.headers.get("OpenStack-API-Version")
        if value is not None:
            value = value.strip().removeprefix("compute ").strip()
        else:
            value = self.headers.get("X-OpenStack-Nova-API-Version")
        if value is None:
            return (2, 1)
        if value == "latest":
            return MAX
        match = re.fullmatch(r"(\d+)\.(\d+)", value)
        if match is None:
            raise _fault("badRequest", 400, f"API Version String {value} is of invalid format.")
        return int(match.group(1)), int(match.group(2))

    def _send(self, answer: _Answer, echo: str | None, nova: FakeNova) -> None:
        content = json.dumps(answer.body).encode() if answer.body is not None else b""
        self.send_response(answer.status)
        if content:
            self.send_header("Content-Type", "application/json")
        if echo is not None:
            self.send_header("OpenStack-API-Version", f"compute {echo}")
            self.send_header("X-OpenStack-Nova-API-Version", echo)
            self.send_header("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
        for name, value in answer.headers.items():
            self.send_header(name, value.replace("ORIGIN", nova.origin))
        self.send_header("x-openstack-request-id", "req-" + str(uuid.uuid4()))
        self.send_header("x-compute-request-id", "req-" + str(uuid.uuid4()))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    # ------------------------------------------------------------------ routes
    def _route(self, nova: FakeNova, method: str, path: str, query: list[tuple[str, str]], raw: bytes,
               version: tuple[int, int]) -> _Answer:
        origin = nova.origin
        if path == "/":
            return _Answer(200, {"versions": [{"id": "v2.1", "status": "CURRENT", "version": "2.104",
                                               "min_version": "2.1",
                                               "links": [{"rel": "self", "href": f"{origin}/v2.1/"}]}]})
        if path == "/v2.1/":
            return _Answer(200, {"version": {"id": "v2.1", "status": "CURRENT", "version": "2.104",
                                             "min_version": "2.1",
                                             "links": [{"rel": "self", "href": f"{origin}/v2.1/"}]}})
        if path == "/v2.1/echo":
            return _Answer(200, nova.received[-1])
        if path == "/v2.1/moved":
            return _Answer(302, None, {"Location": "ORIGIN/v2.1/"})
        token = self.headers.get("X-Auth-Token")
        if token not in {ADMIN, MEMBER, OTHER}:
            raise _Answer(401, {"error": {"code": 401, "title": "Unauthorized",
                                          "message": "The request you have made requires authentication."}},
                          {"WWW-Authenticate": 'Keystone uri="ORIGIN/identity"'})
        if path == "/v2.1/limits" and method == "GET":  # how a Target checks each role's token
            return _Answer(200, {"limits": {"absolute": {}, "rate": []}})
        if path == "/v2.1/os-migrations" and method == "GET":
            self._policy(token)
            return self._os_migrations(nova, query, version)
        match = re.fullmatch(r"/v2\.1/servers/([^/]+)/migrations(?:/([^/]+))?(/action)?", path)
        if match is None:
            raise _fault("itemNotFound", 404, "The resource could not be found.")
        server, mid, action = match.groups()
        minimum = {("GET", False): (2, 23), ("POST", True): (2, 22), ("DELETE", False): (2, 24)}.get(
            (method, bool(action)))
        if minimum is None or version < minimum:
            raise _fault("itemNotFound", 404, "The resource could not be found.")
        self._policy(token)
        if token == OTHER or server not in {SERVER_A, SERVER_B}:
            raise _fault("itemNotFound", 404, f"Instance {server} could not be found.")
        with nova.lock:
            mine = [m for m in nova.migrations if m["server_uuid"] == server]
            if mid is None:
                return _Answer(200, {"migrations": [_server_view(m, version) for m in mine
                                                    if m["status"] in IN_PROGRESS]})
            found = next((m for m in mine if str(m["id"]) == mid), None)
            if found is None:
                raise _fault("itemNotFound", 404, f"Migration {mid} could not be found.")
            if method == "GET":
                if found["status"] not in IN_PROGRESS:
                    raise _fault("itemNotFound", 404, f"Migration {mid} could not be found.")
                return _Answer(200, {"migration": _server_view(found, version)})
            if method == "POST" and json.loads(raw or b"null") != {"force_complete": None}:
                raise _fault("badRequest", 400, "Invalid input for field/attribute force_complete.")
            if found["status"] != "running":
                raise _fault("badRequest", 400, f"Migration {mid} state of instance {server} is {found['status']}.")
            found["status"] = "completed" if method == "POST" else "cancelled"
            found["updated_at"] = "2016-01-30T00:00:00.000000"
            return _Answer(202)

    def _policy(self, token: str) -> None:
        if token == MEMBER:
            raise _fault("forbidden", 403, "Policy doesn't allow os_compute_api:servers:migrations:index.")

    def _os_migrations(self, nova: FakeNova, query: list[tuple[str, str]], version: tuple[int, int]) -> _Answer:
        params = dict(query)
        if version >= (2, 80) and set(params) - _OS_QUERY:
            raise _fault("badRequest", 400, "Additional properties are not allowed")
        with nova.lock:
            rows = sorted(nova.migrations, key=lambda m: (m["created_at"], m["id"]), reverse=True)
        if "changes-since" in params:
            rows = [m for m in rows if m["updated_at"] >= params["changes-since"]]
        if version >= (2, 80):
            for name in ("user_id", "project_id"):
                if name in params:
                    rows = [m for m in rows if m[name] == params[name]]
        body: dict[str, Any] = {}
        if version >= (2, 59) and "marker" in params:
            at = next((i for i, m in enumerate(rows) if m["uuid"] == params["marker"]), None)
            if at is None:
                raise _fault("badRequest", 400, f"Marker {params['marker']} could not be found.")
            rows = rows[at + 1:]
        if version >= (2, 59) and "limit" in params:
            rows = rows[: int(params["limit"])]
            if len(rows) == int(params["limit"]):
                body["migrations_links"] = [{"rel": "next", "href": f"{nova.url}os-migrations"
                                             f"?limit={params['limit']}&marker={rows[-1]['uuid']}"}]
        return _Answer(200, {"migrations": [_os_view(m, version) for m in rows], **body})


def _server_view(m: dict[str, Any], version: tuple[int, int]) -> dict[str, Any]:
    fields = set(_FIELDS_2_23) | ({"uuid"} if version >= (2, 59) else set()) | (
        {"user_id", "project_id"} if version >= (2, 80) else set())
    return {k: v for k, v in m.items() if k in fields}


def _os_view(m: dict[str, Any], version: tuple[int, int]) -> dict[str, Any]:
    view = {"id": m["id"], "source_compute": m["source_compute"], "dest_compute": m["dest_compute"],
            "source_node": m["source_node"], "dest_node": m["dest_node"], "dest_host": m["dest_host"],
            "old_instance_type_id": 1, "new_instance_type_id": 1, "instance_uuid": m["server_uuid"],
            "status": m["status"], "created_at": m["created_at"], "updated_at": m["updated_at"]}
    if version >= (2, 23):
        view["migration_type"] = "live-migration"
    if version >= (2, 59):
        view["uuid"] = m["uuid"]
    if version >= (2, 80):
        view["user_id"], view["project_id"] = m["user_id"], m["project_id"]
    return view
