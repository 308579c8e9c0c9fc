"""A small fake Nova on 127.0.0.1 for the unit tests: version documents in Nova's shape, a token check, routes a
test sets, and a request log. A test double for the project's own tests only (never a target of a certification).

    with serving() as server:          # one HTTP server; server.fake is the FakeNova answering
        server.fake.routes[("GET", "/v2.1/os-migrations")] = FakeNova.json(200, {...})
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKENS = {"admin": "tok-admin-5ecret", "member": "tok-member-5ecret", "other": "tok-other-5ecret"}
PROJECT = "3f2a7c1d9e8b4a6f8c0d1e2f3a4b5c6d"

Answer = tuple[int, list[tuple[str, str]], bytes]


def as_json(status: int, document: Any, *headers: tuple[str, str]) -> Answer:
    return status, [("Content-Type", "application/json"), *headers], json.dumps(document).encode()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass
class FakeNova:
    base: str
    """``http://127.0.0.1:PORT`` (no trailing slash)."""
    seen: list[Seen] = field(default_factory=list)
    routes: dict[tuple[str, str], Callable[[Seen], Answer]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=lambda: set(TOKENS.values()))
    max_version: str = "2.100"

    def versions(self) -> dict[str, Any]:
        return {"versions": [
            {"id": "v2.0", "status": "DEPRECATED", "version": "", "min_version": "", "updated": "2025-07-04T12:00:00Z",
             "links": [{"rel": "self", "href": f"{self.base}/v2/"}]},
            {"id": "v2.1", "status": "CURRENT", "version": self.max_version, "min_version": "2.1",
             "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": f"{self.base}/v2.1/"}]},
        ]}

    def version(self) -> dict[str, Any]:
        return {"version": {
            "id": "v2.1", "status": "CURRENT", "version": self.max_version, "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{self.base}/v2.1/"},
                      {"rel": "describedby", "type": "text/html", "href": "http://docs.openstack.org/"}],
            "media-types": [{"base": "application/json",
                             "type": "application/vnd.openstack.compute+json;version=2.1"}]}}

    def answer(self, seen: Seen) -> Answer:
        self.seen.append(seen)
        path = seen.path.split("?", 1)[0]
        route = self.routes.get((seen.method, path))
        if route is not None:
            return route(seen)
        if seen.method == "GET" and path == "/":
            return as_json(200, self.versions())
        if seen.method == "GET" and path in ("/v2.1/", f"/v2.1/{PROJECT}/"):
            return as_json(200, self.version())
        if seen.header("X-Auth-Token") not in self.tokens:
            return as_json(401, {"error": {"code": 401, "title": "Unauthorized",
                                           "message": "The request you have made requires authentication."}})
        if path.startswith(("/v2.1/", f"/v2.1/{PROJECT}/")):
            echo = {"method": seen.method, "path": seen.path, "body": seen.body.decode()}
            return as_json(200, echo, ("Vary", "OpenStack-API-Version"), ("Vary", "X-OpenStack-Nova-API-Version"),
                           ("Set-Cookie", "session=s3cr3t"))
        return as_json(404, {"itemNotFound": {"code": 404, "message": "not here"}})

    @staticmethod
    def json(status: int, document: Any, *headers: tuple[str, str], delay: float = 0.0) -> Callable[[Seen], Answer]:
        """A route answering ``document`` with ``status`` (after ``delay`` seconds)."""
        def route(_: Seen) -> Answer:
            time.sleep(delay)
            return as_json(status, document, *headers)
        return route

    @staticmethod
    def raw(status: int, body: bytes, content_type: str = "text/html") -> Callable[[Seen], Answer]:
        """A route answering ``body`` as it is."""
        return lambda _: (status, [("Content-Type", content_type)], body)

    def last(self) -> Seen:
        return self.seen[-1]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every keep-alive answer waits ~40 ms for a delayed ACK
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        status, headers, payload = self.server.fake.answer(seen)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeNova

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up: nothing to report


@contextlib.contextmanager
def serving() -> Iterator[_Server]:
    """A server on a free port of 127.0.0.1 answering through ``server.fake`` (a fresh FakeNova)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeNova(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
