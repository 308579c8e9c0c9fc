# mypy: disallow-subclassing-any=False
"""Fake virt driver whose live migrations stay running until told otherwise.

Runs inside the nova venv (imports nova). ``nova.virt.fake.FakeLiveMigrateDriver``
keeps one ``_migrating`` flag per host and gives up after 5 s; here every
migration has its own event, keyed by instance uuid, so several can run at once
and each ends on its own: force-complete (post-migration, status ``completed``),
abort (rollback, status ``cancelled``), after ``MIGRATION_SECONDS`` (completed), or
when the guest is destroyed under it (a server deleted while migrating: the
migration fails, status ``error``, as a hypervisor's does when its domain goes).
Before, such a migration kept one of the host's ``max_concurrent_live_migrations``
workers for ``MIGRATION_SECONDS``: a long selftest, deleting a server mid-migration
in most of its runs, used them all, and no later migration ever started.
nova's compute manager runs ``live_migration`` in its live-migration executor,
so blocking here is what a long-running real migration looks like.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from nova import exception, objects
from nova.virt import fake

#: Seconds a migration runs before completing by itself; set by novabox_server.
MIGRATION_SECONDS: float = 3600.0


@dataclass
class _Running:
    """One live migration in progress on the source host."""

    done: threading.Event = field(default_factory=threading.Event)
    abort: bool = False
    gone: bool = False
    """The guest was destroyed while migrating."""


_LOCK = threading.Lock()
_RUNNING: dict[str, _Running] = {}


def running_instances() -> list[str]:
    """Uuids of the instances whose live migration is in progress."""
    with _LOCK:
        return list(_RUNNING)


def release_all() -> None:
    """Abort every migration in progress (used at shutdown so threads end)."""
    with _LOCK:
        for state in _RUNNING.values():
            state.abort = True
            state.done.set()


def _await_deleted(context: Any, uuid: str, timeout: float = 120.0) -> None:
    """Wait until the instance is deleted in the database (at most ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            objects.Instance.get_by_uuid(context, uuid)
        except exception.InstanceNotFound:
            return
        time.sleep(0.2)


class BoxLiveMigrateDriver(fake.FakeDriver):
    """FakeDriver with per-migration force-complete / abort / timeout."""

    def live_migration(
        self,
        context: Any,
        instance: Any,
        dest: Any,
        post_method: Any,
        recover_method: Any,
        block_migration: bool = False,
        migrate_data: Any = None,
    ) -> None:
        state = _Running()
        with _LOCK:
            _RUNNING[instance.uuid] = state
        try:
            state.done.wait(timeout=MIGRATION_SECONDS)
        finally:
            with _LOCK:
                _RUNNING.pop(instance.uuid, None)
        if state.gone:
            # Failed only once nova has deleted the server: the compute manager puts a server whose migration
            # failed into ERROR, and doing so while the delete is under way would leave it in ERROR, undeleted.
            _await_deleted(context, instance.uuid)
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        if state.abort:
            recover_method(context, instance, dest, migrate_data, migration_status="cancelled")
        else:
            post_method(context, instance, dest, block_migration, migrate_data)

    def live_migration_force_complete(self, instance: Any) -> None:
        with _LOCK:
            state = _RUNNING.get(instance.uuid)
        if state is not None:
            state.done.set()

    def live_migration_abort(self, instance: Any) -> None:
        with _LOCK:
            state = _RUNNING.get(instance.uuid)
        if state is not None:
            state.abort = True
            state.done.set()

    def destroy(self, context: Any, instance: Any, network_info: Any, block_device_info: Any = None,
                destroy_disks: bool = True, destroy_secrets: bool = True) -> None:
        with _LOCK:
            state = _RUNNING.get(instance.uuid)
        if state is not None:
            state.gone = True
            state.done.set()
        super().destroy(context, instance, network_info, block_device_info, destroy_disks, destroy_secrets)

    def post_live_migration(
        self, context: Any, instance: Any, block_device_info: Any, migrate_data: Any = None
    ) -> None:
        # Runs on the source host: the guest now lives on the destination.
        self.destroy(context, instance, network_info=None, block_device_info=block_device_info)
