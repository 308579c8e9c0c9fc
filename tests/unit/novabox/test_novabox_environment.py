"""conformance.novabox.environment: cache location, marker and rebuild detection.

A fake venv (a directory with the files a complete one must have) stands in for
the real ~400 MB one; builds are faked by replacing venv creation and pip.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance.errors import TargetError
from conformance.novabox import environment as envmod
from conformance.novabox.environment import Environment, cache_root, constraints_text, ensure_environment


def make_complete(env: Environment, constraints: str) -> None:
    """Lay out what a complete venv holds, marker last."""
    site = env.path / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for rel in ("nova/tests/functional/integrated_helpers.py", "placement/__init__.py", "fixtures/__init__.py"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text("")
    (env.path / "etc" / "nova").mkdir(parents=True)
    (env.path / "etc" / "nova" / "api-paste.ini").write_text("")
    env.python.parent.mkdir(parents=True, exist_ok=True)
    env.python.write_text("#!/bin/sh\n")
    env.python.chmod(0o755)
    env.marker.write_text(json.dumps(env.expected_marker(constraints)))


def test_cache_root_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_root() == tmp_path / "conformance"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "conformance"


def test_default_environment_is_versioned(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert envmod.default_environment().path == tmp_path / "conformance" / "novabox-34.0.0"


def test_constraints_ship_pinned_and_keep_sqlalchemy_below_2_1() -> None:
    text = constraints_text()
    pins = dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))
    assert pins["nova"] == "34.0.0"
    assert pins["openstack-placement"] == "16.0.0"
    major, minor = (int(x) for x in pins["SQLAlchemy"].split(".")[:2])
    assert (major, minor) < (2, 1)
    for lib in ("fixtures", "testtools", "oslotest", "wsgi_intercept", "requests-mock"):
        assert lib in pins or lib.replace("_", "-") in pins, lib


def test_complete_environment_has_no_problem(tmp_path: Path) -> None:
    env = Environment(tmp_path / "venv")
    make_complete(env, "a==1\n")
    assert env.problem("a==1\n") is None


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda env: env.marker.unlink(), "half-built"),
        (lambda env: env.marker.write_text("{not json"), "unreadable"),
        (lambda env: (env.path / "etc" / "nova" / "api-paste.ini").unlink(), "broken"),
        (lambda env: env.python.unlink(), "missing"),
    ],
)
def test_damaged_environment_is_detected(tmp_path: Path, damage: object, expected: str) -> None:
    env = Environment(tmp_path / "venv")
    make_complete(env, "a==1\n")
    damage(env)  # type: ignore[operator]
    problem = env.problem("a==1\n")
    assert problem is not None and expected in problem


def test_changed_constraints_mean_rebuild(tmp_path: Path) -> None:
    env = Environment(tmp_path / "venv")
    make_complete(env, "a==1\n")
    assert "other constraints" in (env.problem("a==2\n") or "")


def test_missing_environment_is_not_built(tmp_path: Path) -> None:
    assert Environment(tmp_path / "nowhere").problem("x") == "not built yet"


class FakeBuild:
    """Records builds and lays out a complete venv instead of running pip."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_pip: bool = False) -> None:
        self.commands: list[list[str]] = []
        self.fail_pip = fail_pip
        monkeypatch.setattr(envmod, "_run", self.run)

    def run(self, cmd: list[str], what: str, progress: object, pip: bool = False) -> None:
        self.commands.append(cmd)
        if "venv" in cmd:
            Path(cmd[-1]).mkdir(parents=True)
        if pip:
            if self.fail_pip:
                raise TargetError("nova-box: installing nova and its dependencies failed (exit 1)")
            env = Environment(Path(cmd[0]).parent.parent)
            marker_backup = env.marker
            make_complete(env, "ignored")
            marker_backup.unlink()  # the real marker is written by _build, last


def test_ensure_builds_once_then_reuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeBuild(monkeypatch)
    env = Environment(tmp_path / "venv")
    lines: list[str] = []
    python = ensure_environment(env, progress=lines.append)
    assert python == env.python
    assert len(fake.commands) == 2  # venv + pip
    pip = fake.commands[1]
    assert pip[1:4] == ["-m", "pip", "install"]
    assert "-c" in pip and "nova==34.0.0" in pip and "openstack-placement==16.0.0" in pip
    assert any("not built yet" in line for line in lines)
    assert env.problem(constraints_text()) is None
    ensure_environment(env, progress=lines.append)
    assert len(fake.commands) == 2  # reused


def test_half_built_environment_is_rebuilt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = FakeBuild(monkeypatch)
    env = Environment(tmp_path / "venv")
    (env.path / "lib").mkdir(parents=True)
    (env.path / "leftover").write_text("from an interrupted build")
    lines: list[str] = []
    ensure_environment(env, progress=lines.append)
    assert len(fake.commands) == 2
    assert not (env.path / "leftover").exists()
    assert any("half-built" in line for line in lines)


def test_failed_install_leaves_no_marker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    FakeBuild(monkeypatch, fail_pip=True)
    env = Environment(tmp_path / "venv")
    with pytest.raises(TargetError, match="failed"):
        ensure_environment(env, progress=lambda _: None)
    assert not env.marker.exists()
    assert env.problem(constraints_text()) is not None


def test_run_reports_last_lines_of_a_failing_command(tmp_path: Path) -> None:
    script = "import sys\nfor i in range(40): print('line', i)\nsys.exit(3)"
    with pytest.raises(TargetError) as err:
        envmod._run([sys.executable, "-c", script], "installing", lambda _: None, pip=True)
    message = str(err.value)
    assert "exit 3" in message and "line 39" in message and "line 5\n" not in message


def test_run_reports_a_missing_program() -> None:
    with pytest.raises(TargetError, match="cannot run"):
        envmod._run(["/nonexistent/python"], "creating", lambda _: None)
