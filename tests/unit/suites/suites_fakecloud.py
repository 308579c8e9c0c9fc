"""A scripted compute-like target for the engine's unit tests: servers, their snapshots, flavors.

It answers the few requests the test registry (``REGISTRY``) names, keeps what it holds in dicts, and
records every request; ``fail`` and ``interrupt`` make chosen requests misbehave.
"""

from __future__ import annotations

import itertools
import json
import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance.suites.registry import Registry, load_registry
from conformance.target.exchange import Exchange, Request, Response

REGISTRY = textwrap.dedent("""\
    resources:
      server_id:
        about: a server
        find: [{call: GET /servers/detail, role: owner, version: "2.1", items: servers, value: id,
                where: {status: ACTIVE}}]
        create:
          call: POST /servers
          role: owner
          version: "2.37"
          body: {server: {name: "{name}", flavorRef: "{flavor_id}"}}
          value: server.id
          wait: {call: "GET /servers/{server_id}", version: "2.1", field: server.status, until: ACTIVE,
                 fail: ERROR}
        delete: {call: "DELETE /servers/{server_id}", version: "2.1"}
        state: {call: "GET /servers/{server_id}", version: "2.1", field: server.status, until: ACTIVE,
                idle: server.task}
        act: {call: "POST /servers/{server_id}/action", version: "2.1"}
        states:
          ACTIVE: {do: []}
          PAUSED: {do: [{pause: null}]}
          SHELVED_OFFLOADED: {do: [{shelve: null}, {shelveOffload: null}]}
      flavor_id:
        about: a flavor
        find: [{call: GET /flavors, items: flavors, value: id}]
      snapshot_id:
        about: a snapshot of the server
        under: server_id
        find: [{call: "GET /servers/{server_id}/snapshots", items: snapshots, value: id}]
        create: {call: "POST /servers/{server_id}/snapshots", body: {snapshot: {name: "{name}"}},
                 value: snapshot.id}
        delete: {call: "DELETE /servers/{server_id}/snapshots/{snapshot_id}"}
      quota_id:
        about: the default quotas
        value: default
        unsafe: every project's quotas
        save: {call: "GET /quotas/{quota_id}", value: quota, without: id}
        restore: [{call: "PUT /quotas/{quota_id}", body: {quota: "{saved}"}}]
    fields:
      name: {value: "{name}"}
      flavorRef: {resource: flavor_id}
      resize.flavorRef: {value: "2", why: another flavor}
      status: {value: enabled, send: true, in: "^PUT /services"}
    """)


def registry(tmp_path: Path, text: str = REGISTRY) -> Registry:
    path = tmp_path / "compute.yaml"
    path.write_text(text)
    return load_registry(path=path)


class FakeCloud:
    """Answers like a (very small) compute API; ``roles`` as a Target has them."""

    roles = frozenset({"admin", "member"})

    def __init__(self) -> None:
        self.servers: dict[str, dict[str, Any]] = {}
        self.snapshots: dict[str, dict[str, dict[str, Any]]] = {}
        self.flavors = [{"id": "1", "name": "m1.tiny"}]
        self.quota: dict[str, Any] = {"id": "default", "instances": 10}
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.fail: dict[tuple[str, str], tuple[int, Any]] = {}
        self.interrupt: str | None = None
        self._ids = (f"{n:08d}-0000-4000-8000-000000000000" for n in itertools.count(1))

    def request(self, method: str, path: str, **kwargs: Any) -> Exchange:
        self.sent.append((method, path, kwargs))
        status, body = self._answer(method, path, kwargs)
        if self.interrupt is not None and re.search(self.interrupt, f"{method} {path}"):
            raise KeyboardInterrupt  # the answer is lost, as when SIGTERM comes in between
        payload = b"" if body is None else json.dumps(body).encode()
        return Exchange(Request(method, "http://fake/v2.1" + path, (), role=kwargs.get("role")),
                        Response(status, (("Content-Type", "application/json"),), payload))

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, p, _ in self.sent if m == method and re.fullmatch(pattern, p))

    def _answer(self, method: str, path: str, kwargs: dict[str, Any]) -> tuple[int, Any]:
        for (fail_method, pattern), answer in self.fail.items():
            if fail_method == method and re.fullmatch(pattern, path):
                return answer
        body = kwargs.get("json")
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/servers/detail", lambda: (200, {"servers": list(self.servers.values())})),
            ("POST", r"/servers", lambda: self._create_server(body)),
            ("GET", r"/servers/([^/]+)", self._show_server),
            ("DELETE", r"/servers/([^/]+)", self._delete_server),
            ("POST", r"/servers/([^/]+)/action", lambda server: self._act(server, body)),
            ("GET", r"/servers/([^/]+)/snapshots", lambda server: (200, {"snapshots": list(
                self.snapshots.get(server, {}).values())})),
            ("POST", r"/servers/([^/]+)/snapshots", lambda server: self._snapshot(server, body)),
            ("DELETE", r"/servers/([^/]+)/snapshots/([^/]+)", lambda server, snap: (
                204, None) if self.snapshots.get(server, {}).pop(snap, None) else (404, None)),
            ("GET", r"/flavors", lambda: (200, {"flavors": self.flavors})),
            ("GET", r"/quotas/default", lambda: (200, {"quota": dict(self.quota)})),
            ("PUT", r"/quotas/default", lambda: self._set_quota(body)),
            ("PUT", r"/quotas/([^/]+)", lambda project: (200, {"quota": body["quota"]})),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                return handler(*match.groups())
        return 404, {"itemNotFound": {"code": 404, "message": "no route"}}

    def _create_server(self, body: Any) -> tuple[int, Any]:
        server_id = next(self._ids)
        self.servers[server_id] = {"id": server_id, "name": body["server"]["name"], "status": "ACTIVE",
                                   "task": None}
        return 202, {"server": {"id": server_id}}

    def _show_server(self, server_id: str) -> tuple[int, Any]:
        if server_id not in self.servers:
            return 404, {"itemNotFound": {"code": 404, "message": "no server"}}
        shown = dict(self.servers[server_id])
        self.servers[server_id]["task"] = None  # a task in progress ends after it was seen once
        return 200, {"server": shown}

    def _delete_server(self, server_id: str) -> tuple[int, Any]:
        return (204, None) if self.servers.pop(server_id, None) else (404, None)

    def _act(self, server_id: str, body: Any) -> tuple[int, Any]:
        server = self.servers[server_id]
        if "pause" in body:
            server["status"] = "PAUSED"
        elif "shelve" in body:  # asynchronous: shelving until the server is next shown
            server.update(status="SHELVED", task="shelving")
        elif "shelveOffload" in body:
            if server["status"] != "SHELVED" or server["task"] is not None:
                return 409, {"conflictingRequest": {"code": 409, "message": f"Cannot 'shelveOffload' {server}"}}
            server["status"] = "SHELVED_OFFLOADED"
        return 202, None

    def _snapshot(self, server_id: str, body: Any) -> tuple[int, Any]:
        snapshot = {"id": next(self._ids), "name": body["snapshot"]["name"]}
        self.snapshots.setdefault(server_id, {})[snapshot["id"]] = snapshot
        return 200, {"snapshot": snapshot}

    def _set_quota(self, body: Any) -> tuple[int, Any]:
        self.quota.update(body["quota"])
        return 200, {"quota": dict(self.quota)}
