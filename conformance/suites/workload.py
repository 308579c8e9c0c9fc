"""What the suites need on the target: servers, and servers with a running live migration.

Read-only runs use what the target already has (a server of the member's
project with a live migration in progress; an idle ACTIVE server). With
``--allow-destructive`` the suites create what they need through the public
API, the way any client would (``POST /servers``, ``os-migrateLive``), name
it with :data:`PREFIX`, and delete it at the end, on failure and Ctrl-C too.

What the run chose not to do (no --allow-destructive, nothing to find) raises
:class:`NotAvailable`: the test is skipped. What the target would not do (a
server that never became ACTIVE, a migration that never started, a quota that
stayed full, a refusal) raises :class:`~conformance.checks.Inconclusive` with
the exchange: the test is not exercised and the certificate is incomplete. An
answer on the way that contradicts the api-ref is a finding and fails the test:
a 5xx, and any migrations list the workload acts upon, which ``verify`` checks
against the contract (a list that never shows the migration running because it
calls it ``completed`` is the target's fault, not an unreachable state).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from conformance.checks import Answer, ConformanceFailure, Inconclusive
from conformance.errors import TargetError
from conformance.results import Finding, Severity

__all__ = ["PREFIX", "Migration", "NotAvailable", "Workload"]

PREFIX = "conformance-"
"""The name prefix of every server the suites create."""

T = TypeVar("T")

Verify = Callable[..., None]
"""``verify(method, path, version, exchange, **facts)``: check an answer the workload acts upon against the
contract (the semantic facts as CheckContext takes them), raising ConformanceFailure with the findings."""


_QUOTA_POLL_SECONDS = 2.0


def _quota_exceeded(exchange: Any) -> bool:
    """A refusal because the project's quota is full (Nova: 403 "Quota exceeded for instances: ...")."""
    response = exchange.response
    return response.status == 403 and "quota exceeded" in response.text().lower()


class NotAvailable(Exception):
    """The target lacks what a test needs and the run may not create it: the test is skipped with this reason."""


def _refused(what: str, exchange: Any) -> Exception:
    """The target refused a request the workload needs: a finding for a 5xx, else inconclusive."""
    response = exchange.response
    if response.status >= 500:
        request = exchange.request
        return ConformanceFailure([Finding(
            check="CV-0101", title=f"server error {response.status}", severity=Severity.CRITICAL,
            operation=f"{request.method} {what}", microversion=None, received=f"{response.status} "
            f"{response.text()[:200]}", documented="never a 5xx", source=None, exchange=exchange)])
    return Inconclusive(f"{exchange.request.method} {what} answered {response.status}: {response.text()[:300]}",
                        exchange)


@dataclass(frozen=True)
class Migration:
    """A live migration in progress."""

    server_id: str
    id: int
    created: bool
    """True when the suite created it (and may consume it)."""


class Workload:
    """Finds or creates the servers and migrations the suites exercise; deletes what it created."""

    def __init__(self, target: Any, destructive: bool, timeout: float = 120.0, verify: Verify | None = None) -> None:
        self.target = target
        self.destructive = destructive
        self.timeout = timeout
        self.verify = verify
        self.owner = "member" if "member" in target.roles else "admin"
        self.created: list[str] = []
        self._unanswered: set[str] = set()
        """Names of servers requested whose id we do not know yet (an interrupt may come in between)."""
        self._lock = threading.Lock()
        self._launch: dict[str, Any] | None = None
        self._shared_migration: Migration | None = None
        self._idle: str | None = None
        self._cannot_migrate: Exception | None = None
        """Set when a live migration did not start: later tests end at once with the same reason."""
        self._cannot_create: Exception | None = None
        """Set when a server did not become ACTIVE, likewise."""
        self._fresh: list[str] = []

    # -- what the tests ask for ------------------------------------------------

    def running_migration(self) -> Migration:
        """A migration in progress that read-only tests may look at (found, or created once)."""
        if self._shared_migration is not None and self._still_running(self._shared_migration):
            return self._shared_migration
        found = self._find_running()
        if found is None:
            if not self.destructive:
                raise NotAvailable("no live migration is in progress on the target; start one, or run with "
                                   "--allow-destructive so the suite creates one")
            found = self.migrate_again(self.create_server("shared"))
        self._shared_migration = found
        return found

    def fresh_migration(self) -> Migration:
        """A new server with a new live migration in progress, for a test to force-complete or abort.

        The server is deleted by :meth:`release_fresh` when the test is done.
        """
        self._require_destructive("create a server and live-migrate it")
        server_id = self.create_server("migrating")
        with self._lock:
            self._fresh.append(server_id)
        return self.migrate_again(server_id)

    def release_fresh(self) -> None:
        """Delete the servers of the fresh migrations handed out so far."""
        with self._lock:
            fresh, self._fresh = self._fresh, []
        for server_id in fresh:
            self.release(server_id)

    def migrate_again(self, server_id: str) -> Migration:
        """Start a live migration of ``server_id`` (to any host) and wait until it runs.

        When one did not start (refused, or never running in time), every later call fails at once
        with that reason: a broken target costs one timeout, not one per test.
        """
        self._require_destructive("live-migrate a server")
        if self._cannot_migrate is not None:
            raise _again(self._cannot_migrate)
        try:
            before = set(self.running_ids(server_id))
            exchange = self.target.request("POST", f"/servers/{server_id}/action", role="admin",
                                           microversion="2.30",
                                           json={"os-migrateLive": {"host": None, "block_migration": "auto"}})
            if exchange.response.status != 202:
                raise _refused("/servers/{server_id}/action (os-migrateLive)", exchange)
            migration_id = self._wait(f"a running live migration of server {server_id}",
                                      lambda: [i for i in self.running_ids(server_id) if i not in before][:1])[0]
        except (Inconclusive, ConformanceFailure, TargetError) as error:
            self._cannot_migrate = error
            raise
        return Migration(server_id, migration_id, created=True)

    def idle_server(self) -> str:
        """An ACTIVE server of the member's project that is not migrating."""
        if self._idle is not None and self._is_idle(self._idle):
            return self._idle
        found = self._find_idle()
        if found is None:
            if not self.destructive:
                raise NotAvailable("no idle ACTIVE server of the member's project on the target; create one, or "
                                   "run with --allow-destructive")
            found = self.create_server("idle")
        self._idle = found
        return found

    def migration(self, migration_id: int) -> dict[str, Any] | None:
        """The migration as GET /os-migrations (admin, 2.59) shows it, finished or not."""
        exchange = self.target.request("GET", "/os-migrations", role="admin", microversion="2.59",
                                       params={"migration_type": "live-migration", "limit": 1000})
        if exchange.response.status != 200:
            return None
        self._verify("/os-migrations", "2.59", exchange, filters={"migration_type": "live-migration"})
        return next((m for m in Answer(exchange).objects("migrations") if m.get("id") == migration_id), None)

    # -- creating ----------------------------------------------------------------

    def create_server(self, purpose: str) -> str:
        """Create an ACTIVE server owned by the member's project (the admin's without a member token)."""
        self._require_destructive("create a server")
        if self._cannot_create is not None:
            raise _again(self._cannot_create)
        try:
            return self._create_server(purpose)
        except (Inconclusive, ConformanceFailure, TargetError) as error:
            self._cannot_create = error
            raise

    def _create_server(self, purpose: str) -> str:
        launch = self._launch_parameters()
        name = f"{PREFIX}{purpose}-{secrets.token_hex(3)}"
        deadline = time.monotonic() + self.timeout
        while True:
            with self._lock:
                self._unanswered.add(name)
            exchange = self.target.request("POST", "/servers", role=self.owner, microversion="2.37",
                                           json={"server": {"name": name, **launch}})
            if exchange.response.status != 202:
                with self._lock:
                    self._unanswered.discard(name)
            if not _quota_exceeded(exchange):
                break
            # Other clients (or this run's other workers) may free servers soon; a quota that stays
            # full is the target's limit, not a conformance failure.
            if time.monotonic() >= deadline:
                raise Inconclusive(f"the {self.owner}'s project has no quota left for a server: POST /servers "
                                   f"answered {exchange.response.status}: {exchange.response.text()[:200]} "
                                   f"(waited {self.timeout:.0f} s for servers to be freed)", exchange)
            time.sleep(_QUOTA_POLL_SECONDS)
        if exchange.response.status != 202:
            raise _refused("/servers", exchange)
        server_id = str(Answer(exchange).get("server", "id", kind=str))
        with self._lock:
            self.created.append(server_id)
            self._unanswered.discard(name)
        self._wait(f"server {server_id} to become ACTIVE", lambda: self._active(server_id))
        return server_id

    def _launch_parameters(self) -> dict[str, Any]:
        """An image, the smallest flavor and a network, discovered through the compute API."""
        if self._launch is not None:
            return self._launch
        flavors = self._get_json("/flavors/detail", self.owner, "2.1").get("flavors", [])
        if not flavors:
            raise NotAvailable("the target lists no flavor to boot a server with")
        flavor = min(flavors, key=lambda f: (f.get("ram", 0), f.get("vcpus", 0), f.get("disk", 0)))
        images = [i for i in self._get_json("/images/detail", self.owner, "2.35").get("images", [])
                  if i.get("status") == "ACTIVE"]
        if not images:
            raise NotAvailable("the target lists no ACTIVE image to boot a server with")
        networks = self._get_json("/os-networks", self.owner, "2.35").get("networks", [])
        self._launch = {"imageRef": images[0]["id"], "flavorRef": flavor["id"],
                        "networks": [{"uuid": networks[0]["id"]}] if networks else "none"}
        return self._launch

    def release(self, server_id: str) -> None:
        """Delete a server a test is done with, so that a run stays within the project's quota.

        One that will not go now is left for :meth:`cleanup`.
        """
        if self._delete(server_id):
            with self._lock:
                if server_id in self.created:
                    self.created.remove(server_id)

    def cleanup(self) -> list[str]:
        """Delete every server this run created; returns the ids it could not delete."""
        with self._lock:
            created, self.created = self.created, []
            unanswered, self._unanswered = sorted(self._unanswered), set()
        for name in unanswered:  # created, but the run was interrupted before it read the id
            created.extend(self._named(name))
        return [server_id for server_id in created if not self._delete(server_id)]

    def _named(self, name: str) -> list[str]:
        try:
            exchange = self.target.request("GET", "/servers", role=self.owner, microversion="2.1",
                                           params={"name": f"^{re.escape(name)}$"})
        except TargetError:
            return []
        body = exchange.response.json_or_none() if exchange.response.status == 200 else None
        servers = body.get("servers") if isinstance(body, dict) else None
        return [str(server["id"]) for server in servers or () if isinstance(server, dict)
                and server.get("name") == name and "id" in server]

    def _delete(self, server_id: str) -> bool:
        try:
            exchange = self.target.request("DELETE", f"/servers/{server_id}", role="admin")
        except TargetError:
            return False
        return exchange.response.status in (204, 404)

    # -- finding -------------------------------------------------------------------

    def _find_running(self) -> Migration | None:
        exchange = self.target.request("GET", "/os-migrations", role="admin", microversion="2.23",
                                       params={"status": "running", "migration_type": "live-migration"})
        if exchange.response.status != 200:
            return None
        self._verify("/os-migrations", "2.23", exchange,
                     filters={"status": "running", "migration_type": "live-migration"})
        for migration in Answer(exchange).objects("migrations"):
            server_id = migration.get("instance_uuid")
            if server_id and self._shareable(server_id) and migration.get("id") in self.running_ids(server_id):
                return Migration(server_id, migration["id"], created=server_id in self.created)
        return None

    def _find_idle(self) -> str | None:
        servers = self._get_json("/servers/detail", self.owner, "2.1", {"status": "ACTIVE"}).get("servers")
        for server in servers if isinstance(servers, list) else ():
            if isinstance(server, dict) and isinstance(server.get("id"), str) \
                    and server.get("OS-EXT-STS:task_state") is None and self._is_idle(server["id"]):
                return str(server["id"])
        return None

    def _shareable(self, server_id: str) -> bool:
        """Owned by the member's project, and not a migration some test (maybe another worker's) will end."""
        server = self._get_json(f"/servers/{server_id}", self.owner, "2.1").get("server")
        return isinstance(server, dict) and not str(server.get("name", "")).startswith(f"{PREFIX}migrating")

    def _still_running(self, migration: Migration) -> bool:
        return migration.id in self.running_ids(migration.server_id)

    def running_ids(self, server_id: str) -> list[int]:
        """The ids of the server's migrations whose status is ``running``.

        From the server's own list; if its items lack ``status`` (a target the suite will fail for
        that), from GET /os-migrations, so that the other tests still get their migration.
        """
        exchange = self.target.request("GET", f"/servers/{server_id}/migrations", role="admin", microversion="2.23")
        if exchange.response.status == 200:
            self._verify("/servers/{server_id}/migrations", "2.23", exchange, server_id=server_id, in_progress=True)
        listed = exchange.response.json_or_none() if exchange.response.status == 200 else None
        migrations = listed.get("migrations") if isinstance(listed, dict) else None
        if not isinstance(migrations, list):
            return []
        if all(isinstance(m, dict) and "status" in m for m in migrations):
            return [m["id"] for m in migrations if m["status"] == "running" and "id" in m]
        exchange = self.target.request("GET", "/os-migrations", role="admin", microversion="2.23",
                                       params={"instance_uuid": server_id, "status": "running"})
        if exchange.response.status == 200:
            self._verify("/os-migrations", "2.23", exchange, filters={"instance_uuid": server_id, "status": "running"})
        body = exchange.response.json_or_none() if exchange.response.status == 200 else None
        listed = body.get("migrations") if isinstance(body, dict) else None
        return [m["id"] for m in listed if isinstance(m, dict) and m.get("status") == "running" and "id" in m] \
            if isinstance(listed, list) else []

    def _server(self, server_id: str) -> dict[str, Any]:
        server = self._get_json(f"/servers/{server_id}", "admin", "2.1").get("server")
        return server if isinstance(server, dict) else {}

    def _is_idle(self, server_id: str) -> bool:
        server = self._server(server_id)
        return server.get("status") == "ACTIVE" and server.get("OS-EXT-STS:task_state") is None

    def _active(self, server_id: str) -> bool:
        server = self._server(server_id)
        if server.get("status") == "ERROR":
            raise Inconclusive(f"server {server_id} went to ERROR: {server.get('fault')}")
        return server.get("status") == "ACTIVE" and server.get("OS-EXT-STS:task_state") is None

    # -- plumbing --------------------------------------------------------------------

    def _get_json(self, path: str, role: str, version: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        exchange = self.target.request("GET", path, role=role, microversion=version, params=params)
        if exchange.response.status != 200:
            return {}
        body = exchange.response.json_or_none()
        return body if isinstance(body, dict) else {}

    def _verify(self, path: str, version: str, exchange: Any, **facts: Any) -> None:
        if self.verify is not None:
            self.verify("GET", path, version, exchange, **facts)

    def _require_destructive(self, what: str) -> None:
        if not self.destructive:
            raise NotAvailable(f"this test would {what}: run with --allow-destructive")

    def _wait(self, what: str, check: Callable[[], T], interval: float = 0.2) -> T:
        deadline = time.monotonic() + self.timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise Inconclusive(f"timed out after {self.timeout:.0f} s waiting for {what}")
            time.sleep(interval)


def _again(error: Exception) -> Exception:
    """The same ending for a later test: a broken target costs one timeout, not one per test."""
    if isinstance(error, Inconclusive):
        return Inconclusive(f"not tried again: {error.reason}", error.exchange)
    if isinstance(error, ConformanceFailure):
        return Inconclusive(f"not tried again: an earlier test found {error.findings[0].title}",
                            error.findings[0].exchange)
    return Inconclusive(f"not tried again: {error}")
