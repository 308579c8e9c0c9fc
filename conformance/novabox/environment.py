"""The nova-box virtual environment: built once in the user cache, then reused.

Nova and its ~140 dependencies must not enter conformance's own environment, so
they live in a separate venv under ``$XDG_CACHE_HOME/conformance/novabox-34.0.0``
(default ``~/.cache/...``), installed from the committed constraints file that
ships in this package. A marker file written *last* records what was installed
(a hash of the constraints, the requirements, the Python version); an
environment without a matching marker, or missing the files nova-box needs, is
half-built or broken and is rebuilt from scratch. A file lock serialises
concurrent builders (e.g. pytest-xdist workers).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from conformance.errors import TargetError

__all__ = [
    "NOVA_VERSION",
    "PLACEMENT_VERSION",
    "REQUIREMENTS",
    "Environment",
    "cache_root",
    "constraints_text",
    "ensure_environment",
    "environment_status",
]

NOVA_VERSION = "34.0.0"
PLACEMENT_VERSION = "16.0.0"
CONSTRAINTS_NAME = f"constraints-nova-{NOVA_VERSION}.txt"
MARKER_NAME = "novabox-ready.json"

#: What the venv holds: nova, placement, and the test-fixture libraries that
#: nova.tests.fixtures and nova.tests.functional import (versions from constraints).
REQUIREMENTS: tuple[str, ...] = (
    f"nova=={NOVA_VERSION}",
    f"openstack-placement=={PLACEMENT_VERSION}",
    "fixtures",
    "testtools",
    "oslotest",
    "wsgi-intercept",
    "requests-mock",
)

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"nova-box: {message}", file=sys.stderr, flush=True)


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/conformance`` (default ``~/.cache/conformance``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "conformance"


def constraints_text() -> str:
    """The committed constraints file shipped inside this package."""
    return (resources.files("conformance.novabox") / CONSTRAINTS_NAME).read_text(encoding="utf-8")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Environment:
    """A nova-box venv directory and what a complete one must contain."""

    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def marker(self) -> Path:
        return self.path / MARKER_NAME

    def expected_marker(self, constraints: str) -> dict[str, object]:
        """The marker a venv built from ``constraints`` by this Python carries."""
        return {
            "constraints_sha256": _digest(constraints),
            "requirements": list(REQUIREMENTS),
            "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        }

    def problem(self, constraints: str) -> str | None:
        """Why this venv cannot be used as is, or None when it is complete."""
        if not self.path.exists():
            return "not built yet"
        if not self.marker.is_file():
            return "half-built (no completion marker)"
        try:
            marker = json.loads(self.marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "completion marker unreadable"
        if marker != self.expected_marker(constraints):
            return "built from other constraints, requirements or Python"
        if not os.access(self.python, os.X_OK):
            return f"{self.python} is missing"
        for needed in self._needed_files():
            if not needed.exists():
                return f"broken ({needed.relative_to(self.path)} is missing)"
        return None

    def _needed_files(self) -> list[Path]:
        lib = self.path / "lib"
        site = sorted(lib.glob("python3*/site-packages")) if lib.is_dir() else []
        if not site:
            return [lib / "python3/site-packages"]
        packages = site[0]
        return [
            packages / "nova" / "tests" / "functional" / "integrated_helpers.py",
            packages / "placement" / "__init__.py",
            packages / "fixtures" / "__init__.py",
            self.path / "etc" / "nova" / "api-paste.ini",
        ]


def default_environment() -> Environment:
    return Environment(cache_root() / f"novabox-{NOVA_VERSION}")


def environment_status(env: Environment | None = None) -> str | None:
    """None when the (default) environment is ready, else why it is not."""
    env = env or default_environment()
    return env.problem(constraints_text())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_environment(
    env: Environment | None = None,
    *,
    rebuild: bool = False,
    progress: Progress = _stderr,
    base_python: str | None = None,
) -> Path:
    """Return the venv's python, building the venv first if needed (once)."""
    env = env or default_environment()
    constraints = constraints_text()
    with _locked(env.path.parent / f".{env.path.name}.lock"):
        problem = "rebuild requested" if rebuild else env.problem(constraints)
        if problem is None:
            return env.python
        _build(env, constraints, problem, progress, base_python or sys.executable)
    return env.python


def _build(env: Environment, constraints: str, reason: str, progress: Progress, base_python: str) -> None:
    started = time.monotonic()
    progress(f"building the Nova {NOVA_VERSION} environment in {env.path} ({reason}); once, about 1-2 min")
    if env.path.exists() or env.path.is_symlink():
        shutil.rmtree(env.path, ignore_errors=True)
        if env.path.exists():
            raise TargetError(f"cannot remove the broken nova-box environment {env.path}: remove it by hand")
    _run([base_python, "-m", "venv", str(env.path)], "creating the virtual environment", progress)
    constraints_file = env.path / CONSTRAINTS_NAME
    constraints_file.write_text(constraints, encoding="utf-8")
    _run(
        [
            str(env.python),
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "-c",
            str(constraints_file),
            *REQUIREMENTS,
        ],
        "installing nova and its dependencies",
        progress,
        pip=True,
    )
    env.marker.write_text(json.dumps(env.expected_marker(constraints), sort_keys=True), encoding="utf-8")
    problem = env.problem(constraints)
    if problem is not None:
        raise TargetError(f"the nova-box environment {env.path} is still unusable after installing: {problem}")
    progress(f"environment ready in {time.monotonic() - started:.0f}s")


def _run(cmd: list[str], what: str, progress: Progress, pip: bool = False) -> None:
    """Run ``cmd``, reporting pip's progress; on failure raise with its last lines."""
    tail: deque[str] = deque(maxlen=25)
    try:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
        )
    except OSError as exc:
        raise TargetError(f"nova-box: {what} failed: cannot run {cmd[0]}: {exc.strerror}") from None
    assert proc.stdout is not None
    collected = 0
    with proc.stdout:
        for raw in proc.stdout:
            line = raw.rstrip()
            if not line or line.startswith("WARNING: Location"):
                continue
            tail.append(line)
            if pip and line.startswith("Collecting "):
                collected += 1
                if collected % 10 == 1:
                    progress(f"  resolving: {collected} packages so far ({line.split()[1]})")
            elif pip and line.startswith("Installing collected packages"):
                progress(f"  installing {collected} packages")
    code = proc.wait()
    if code != 0:
        last = "\n".join(f"    {t}" for t in tail)
        raise TargetError(f"nova-box: {what} failed (exit {code}); last output:\n{last}")
