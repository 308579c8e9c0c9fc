"""An interrupted run under pytest-xdist: every worker deletes what it created before the run ends.

Ctrl-C in a terminal reaches the whole process group, so each worker is interrupted and tears down its
fixtures (the provisioner and the workload delete what they created). SIGTERM (``kill``, a CI timeout, a
``conformance run`` stopping its child) reaches the controller only: xdist then ends the workers' gateways,
and execnet gives a busy worker 15 s before ``os._exit``, too little to delete servers halfway through a
migration; after Ctrl-C they have the same 15 s. So an interrupted controller, before xdist ends the
workers, interrupts each worker not interrupted yet and waits until each one has unconfigured (its
session fixtures torn down) or is gone.

Workers announce themselves in a folder the controller hands them through ``workerinput``: ``<id>.pid``
at configure, ``<id>.stopping`` when interrupted, ``<id>.done`` at unconfigure. Only xdist's public
hooks are used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

__all__ = ["GRACE_SECONDS", "Workers", "install", "uninstall"]

GRACE_SECONDS = 300.0
"""How long an interrupted controller waits for its workers to delete what they created."""

_FOLDER = "conformance_workers"
_WORKERS = pytest.StashKey["Workers"]()
_WORKER = pytest.StashKey["_Worker"]()


def install(config: pytest.Config) -> None:
    """In the controller, the folder of the workers' announcements and the wait for them; in a worker, its
    announcements. In both, SIGTERM ends the run as Ctrl-C does."""
    worker = hasattr(config, "workerinput")
    if worker:
        folder = _worker_folder(config)
        if folder is not None:
            config.stash[_WORKER] = _Worker(config, folder)
            config.pluginmanager.register(config.stash[_WORKER], "conformance-worker")
    else:
        config.stash[_WORKERS] = Workers.for_controller()
        config.pluginmanager.register(config.stash[_WORKERS], "conformance-workers")
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def uninstall(config: pytest.Config) -> None:
    """In a worker, once its fixtures are torn down: done; in the controller, the folder removed."""
    worker = config.stash.get(_WORKER, None)
    if worker is not None:
        worker.finished()
    controller = config.stash.get(_WORKERS, None)
    if controller is not None:
        controller.remove()


class Workers:
    """The controller's view of its workers (a plugin of the controller)."""

    def __init__(self, folder: Path, grace: float = GRACE_SECONDS) -> None:
        self.folder = folder
        self.grace = grace

    @classmethod
    def for_controller(cls, grace: float = GRACE_SECONDS) -> Workers:
        return cls(Path(tempfile.mkdtemp(prefix="conformance-workers-")), grace)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_FOLDER] = str(self.folder)

    def pytest_keyboard_interrupt(self) -> None:
        """Once interrupted, a SIGTERM (``conformance run`` stopping its child after Ctrl-C) must not cut the
        wait for the workers short; a second Ctrl-C still does."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_IGN)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Before xdist ends the workers: an interrupted run waits for them to delete what they created."""
        if exitstatus != pytest.ExitCode.INTERRUPTED or not self.running():
            return
        print(f"conformance: interrupted; waiting up to {self.grace:.0f} s for the workers to delete what they "
              "created", file=sys.stderr, flush=True)
        running = self.interrupt()
        if running:
            print(f"conformance: workers {', '.join(sorted(running))} did not finish within {self.grace:.0f} s; "
                  "what they created may be left behind", file=sys.stderr, flush=True)

    def running(self) -> dict[str, int]:
        """The workers that announced themselves and have not finished: id -> pid."""
        found = {}
        for path in self.folder.glob("*.pid"):
            if path.with_suffix(".done").exists():
                continue
            try:
                pid = int(path.read_text())
            except (OSError, ValueError):
                continue
            if _alive(pid):
                found[path.stem] = pid
        return found

    def interrupt(self, settle: float = 2.0) -> list[str]:
        """Interrupt the workers not yet interrupted (Ctrl-C in a terminal reached them already: give them
        ``settle`` seconds to say so, a second SIGINT would cut their teardown short) and wait, up to the
        grace, until each has finished or is gone; returns the ids of those still running."""
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and any(not self._stopping(w) for w in self.running()):
            time.sleep(0.1)
        for worker, pid in self.running().items():
            if not self._stopping(worker):
                _signal(pid, signal.SIGINT)
        deadline = time.monotonic() + self.grace
        while (running := self.running()) and time.monotonic() < deadline:
            time.sleep(0.2)
        return sorted(running)

    def _stopping(self, worker: str) -> bool:
        return (self.folder / f"{worker}.stopping").exists()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Worker:
    """A worker's announcements (a plugin of the worker): its pid, that it was interrupted, that it is done."""

    def __init__(self, config: pytest.Config, folder: Path) -> None:
        self.config = config
        self.folder = folder
        self.id = str(config.workerinput.get("workerid", os.getpid()))  # type: ignore[attr-defined]
        _write(self.folder / f"{self.id}.pid", str(os.getpid()))

    def pytest_keyboard_interrupt(self) -> None:
        _write(self.folder / f"{self.id}.stopping", "")

    def finished(self) -> None:
        _write(self.folder / f"{self.id}.done", "")


def _worker_folder(config: pytest.Config) -> Path | None:
    folder = getattr(config, "workerinput", {}).get(_FOLDER)
    return Path(folder) if folder else None


def _write(path: Path, text: str) -> None:
    with contextlib.suppress(OSError):  # the controller removed the folder: nobody is waiting
        path.write_text(text)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


def _alive(pid: int) -> bool:
    """Whether the process runs (a worker that died is the controller's child: reaped here, not counted)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:  # not our child (subprocess.Popen tolerates a child reaped elsewhere)
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
