"""``NovaBox``: start, read and stop a nova-box server process.

The parent side (conformance's own environment, stdlib only) launches
``_inside/novabox_server.py`` with the nova venv's python, waits for its one
JSON ready line, and stops it with SIGTERM (then SIGKILL), removing the working
directory and state file whatever happened. The child also watches its stdin:
if this process dies without stopping it, the pipe closes and it stops itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from conformance.errors import TargetError
from conformance.novabox.environment import ensure_environment

__all__ = ["SERVER_SCRIPT", "NovaBox", "parse_ready_line", "redact"]

SERVER_SCRIPT = Path(__file__).resolve().parent / "_inside" / "novabox_server.py"
REQUIRED_TOKENS = ("admin", "member", "other")
#: Exit code novabox_server.py uses when it cannot listen on the port.
EXIT_PORT_IN_USE = 3


def parse_ready_line(line: str) -> dict[str, Any] | None:
    """The ready JSON if ``line`` is nova-box's ready line, else None.

    A ready line is one JSON object with a string ``url`` and a ``tokens``
    object holding at least admin, member and other.
    """
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    tokens = data.get("tokens")
    if not isinstance(tokens, dict) or not all(isinstance(tokens.get(k), str) for k in REQUIRED_TOKENS):
        return None
    return data


def redact(text: str, tokens: Mapping[str, str] | None) -> str:
    """``text`` with every token replaced by ``<token:NAME>`` (for logs and errors)."""
    for name, token in (tokens or {}).items():
        if token:
            text = text.replace(token, f"<token:{name}>")
    return text


class NovaBox:
    """A running nova-box; use ``with NovaBox() as box:`` or start()/stop()."""

    def __init__(
        self,
        *,
        port: int = 0,
        migration_seconds: float = 3600.0,
        seed: int = 1,
        state_file: str | os.PathLike[str] | None = None,
        ready_timeout: float = 300.0,
        rebuild: bool = False,
        python: str | os.PathLike[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise TargetError(f"nova-box: port {port} is not a TCP port (0-65535; 0 picks a free one)")
        if migration_seconds <= 0:
            raise TargetError("nova-box: --migration-seconds must be positive")
        if seed < 0:
            raise TargetError("nova-box: --seed must be 0 or more")
        self.port = port
        self.migration_seconds = migration_seconds
        self.seed = seed
        self.state_file = Path(state_file) if state_file is not None else None
        self.ready_timeout = ready_timeout
        self.rebuild = rebuild
        self.python = Path(python) if python is not None else None
        self._stderr = stderr
        self._proc: subprocess.Popen[str] | None = None
        self._workdir: Path | None = None
        self.state: dict[str, Any] = {}

    # ------------------------------------------------------------------ accessors
    @property
    def url(self) -> str:
        """The compute service root as nova's version document lists it."""
        return str(self._require_state()["url"])

    @property
    def placement_url(self) -> str:
        """The root of the Placement nova uses (its version document), served on a port of its own."""
        url = self._require_state().get("placement_url")
        if not isinstance(url, str):
            raise TargetError("this nova-box serves no Placement (its ready line has no placement_url)")
        return url

    def service_url(self, service: str) -> str:
        """The URL of a service this box serves, by service type: ``compute`` or ``placement``."""
        urls = {"compute": self.url, "placement": self.state.get("placement_url")}
        url = urls.get(service)
        if not isinstance(url, str):
            raise TargetError(f"nova-box serves no {service} service (it serves compute and placement)")
        return url

    @property
    def tokens(self) -> dict[str, str]:
        return dict(self._require_state()["tokens"])

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def workdir(self) -> Path | None:
        return self._workdir

    @property
    def ready_line(self) -> str:
        return json.dumps(self._require_state(), sort_keys=True)

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _require_state(self) -> dict[str, Any]:
        if not self.state:
            raise TargetError("nova-box is not running: call start() first")
        return self.state

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> NovaBox:
        """Build the venv if needed, launch the server and wait until it is ready."""
        if self._proc is not None:
            raise TargetError("nova-box is already started")
        python = self.python or ensure_environment(rebuild=self.rebuild)
        self._workdir = Path(tempfile.mkdtemp(prefix="novabox-"))
        cmd = [
            str(python),
            str(SERVER_SCRIPT),
            "--port",
            str(self.port),
            "--workdir",
            str(self._workdir),
            "--migration-seconds",
            str(self.migration_seconds),
            "--seed",
            str(self.seed),
            "--watch-stdin",
        ]
        if self.state_file is not None:
            cmd += ["--state-file", str(self.state_file)]
        env = dict(os.environ, OS_NOVA_DISABLE_EVENTLET_PATCHING="1", PYTHONUNBUFFERED="1")
        env.pop("PYTHONPATH", None)  # conformance's path must not leak into nova's venv
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr if self._stderr is not None else None,
                text=True,
                env=env,
                start_new_session=True,  # Ctrl-C reaches us; we stop the child in order
            )
        except OSError as exc:
            self._cleanup_files()
            raise TargetError(f"nova-box: cannot run {python}: {exc.strerror}") from None
        try:
            self.state = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> dict[str, Any]:
        assert self._proc is not None and self._proc.stdout is not None
        lines: queue.Queue[str | None] = queue.Queue()
        stdout = self._proc.stdout

        def reader() -> None:
            # Owns stdout: reads until the child exits, then closes it.
            with stdout:
                for line in stdout:
                    lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, name="novabox-stdout", daemon=True).start()
        deadline = time.monotonic() + self.ready_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TargetError(f"nova-box did not become ready within {self.ready_timeout:.0f}s{self._log_hint()}")
            try:
                line = lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:
                code = self._proc.wait()
                if code == EXIT_PORT_IN_USE:
                    raise TargetError(f"nova-box: port {self.port} on 127.0.0.1 is already in use")
                raise TargetError(f"nova-box exited with code {code} before it was ready{self._log_hint()}")
            state = parse_ready_line(line)
            if state is not None:
                return state

    def _log_hint(self) -> str:
        if self._workdir is None:
            return ""
        log = self._workdir / "nova.log"
        try:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        except OSError:
            return ""
        text = redact("\n".join(f"    {t}" for t in tail), self.state.get("tokens"))
        return f"; last lines of nova's log:\n{text}" if text else ""

    def keep_log(self, destination: str | os.PathLike[str]) -> Path | None:
        """Copy nova's log out of the box's files (which :meth:`stop` removes), tokens redacted; the copy's path,
        or None when the box has no log. A failed run keeps it: what nova did when a test failed."""
        log = self._workdir / "nova.log" if self._workdir is not None else None
        if log is None or not log.is_file():
            return None
        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        tokens = self.state.get("tokens")
        with log.open(encoding="utf-8", errors="replace") as source, target.open("w", encoding="utf-8") as copy:
            for line in source:
                copy.write(redact(line, tokens))
        return target

    def stop(self, timeout: float = 20.0) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL) and remove its files; idempotent."""
        code = None
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        proc.kill()
                    proc.wait()
            code = proc.returncode
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        self._cleanup_files()
        self.state = {}
        return code

    def _cleanup_files(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        if self.state_file is not None:
            with contextlib.suppress(FileNotFoundError):
                self.state_file.unlink()

    def wait(self) -> int:
        """Block until the server exits by itself; its exit code."""
        if self._proc is None:
            return 0
        return self._proc.wait()

    def __enter__(self) -> NovaBox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:  # never shows tokens
        where = self.state.get("url", "not started")
        return f"<NovaBox {where} pid={self.pid}>"
