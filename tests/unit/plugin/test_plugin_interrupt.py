"""An interrupted run under pytest-xdist: each worker tears down its fixtures (deletes what it created) before
the run ends, whether the controller alone got SIGTERM or the whole process group got Ctrl-C.

The teardown here takes longer than the 15 s execnet allows a worker after xdist ends its gateway, so these
tests fail when the controller does not wait for its workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakenova import FakeNova

from .conftest import run_args

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

SUITE = '''
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def created(worker_id):
    yield
    time.sleep(17)  # deleting what the worker created takes longer than execnet's 15 s
    Path(f"deleted-{worker_id}").write_text("")


@pytest.mark.parametrize("n", [1, 2])
def test_waits(created, worker_id, n):
    Path(f"started-{worker_id}").write_text("")
    time.sleep(600)
'''


def _interrupted(pytester: pytest.Pytester, target: FakeNova, interrupt: str) -> tuple[str, Path]:
    pytester.makepyfile(test_cert=SUITE)
    report = pytester.path / "report"
    env = {k: v for k, v in os.environ.items() if k not in ("CONFORMANCE_TARGET", "PYTEST_ADDOPTS")}
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-n", "2", *run_args(target, report)],
                               cwd=pytester.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(pytester.path.glob("started-*"))) < 2 and process.poll() is None:
            assert time.monotonic() < deadline, "the workers never started their tests"
            time.sleep(0.2)
        assert process.poll() is None, process.communicate()[0][-3000:]
        if interrupt == "sigterm":
            process.send_signal(signal.SIGTERM)
        else:
            os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=180)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode != 0, output[-3000:]
    return output, report


@pytest.mark.parametrize("interrupt", ["sigterm", "ctrl-c"])
def test_every_worker_tears_down_before_the_run_ends(pytester: pytest.Pytester, target: FakeNova,
                                                     interrupt: str) -> None:
    output, report = _interrupted(pytester, target, interrupt)
    assert sorted(path.name for path in pytester.path.glob("deleted-*")) == ["deleted-gw0", "deleted-gw1"], \
        output[-3000:]
    certificate = json.loads((report / "certification.json").read_text(encoding="utf-8"))
    assert certificate["verdict"] == "incomplete" and certificate["complete"] is False
    assert "waiting up to" in output, output[-3000:]
