"""report.html in a real browser: headless Chromium (Debian's chromium package) loads it from a file.

Checks that the matrix and a finding are in the rendered DOM, that the page's
script ran to its end (it marks ``<html data-ready="1">``), and that the console
stayed silent: Chromium's ``--enable-logging=stderr`` prints every console
message, error, CSP violation and uncaught exception as a ``CONSOLE`` line, and
the report logs nothing of its own, so any such line fails the test.

Without /usr/bin/chromium the tests skip, unless CONFORMANCE_REQUIRE_BROWSER=1
(as in CI), where they fail saying how to install it. A screenshot is written
next to the report (and copied to $CONFORMANCE_SCREENSHOT when it is set).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from conformance.report import write_reports

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CONFORMANCE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--window-size=1280,2000")
CONSOLE = re.compile(r"CONSOLE[:(]")


def _runs() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "unit" / "report" / "runs.py"
    spec = importlib.util.spec_from_file_location("report_runs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("report_runs", module)
    spec.loader.exec_module(module)
    return module


runs = _runs()


@pytest.fixture(scope="module")
def chromium() -> str:
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = (f"{CHROMIUM} not found: install Debian's chromium package (apt-get install -y chromium), "
               "or point CONFORMANCE_CHROMIUM at a Chromium binary")
    if os.environ.get("CONFORMANCE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"CONFORMANCE_REQUIRE_BROWSER=1 but {message}", pytrace=False)
    pytest.skip(message)


def _run(chromium: str, profile: Path, *arguments: str) -> tuple[str, str, float]:
    started = time.perf_counter()
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *arguments], capture_output=True,
                          text=True, timeout=120, check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, f"chromium exited {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout, done.stderr, elapsed


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


def test_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    paths = write_reports(runs.small_run(), tmp_path / "reports")
    url = paths.html.resolve().as_uri()
    dom, stderr, _ = _run(chromium, tmp_path / "profile", "--dump-dom", url)
    assert _console(stderr) == [], "the browser console was not silent:\n" + "\n".join(_console(stderr))
    assert re.search(r'<html[^>]*data-ready="1"', dom), "the report's script did not run to its end"
    assert '<table class="matrix">' in dom
    assert re.search(r'<td class="c" data-op="GET /servers/\{server_id\}/migrations" data-v="2.59" '
                     r'data-outcome="failed">', dom)
    assert re.search(r'data-op="GET /servers/\{server_id\}/migrations" data-v="2.23" data-outcome="passed"', dom)
    assert "`migrations[0].uuid` is missing" in dom and "api-ref parameters.yaml:4871" in dom
    assert "$OS_TOKEN" in dom and runs.TOKEN not in dom
    assert "<script>alert(" not in dom  # the hostile field stayed text

    screenshot = tmp_path / "report.png"
    _, stderr, _ = _run(chromium, tmp_path / "profile", f"--screenshot={screenshot}", url)
    assert screenshot.stat().st_size > 10_000, "the screenshot is empty"
    assert _console(stderr) == []
    if os.environ.get("CONFORMANCE_SCREENSHOT"):
        shutil.copyfile(screenshot, os.environ["CONFORMANCE_SCREENSHOT"])


def test_large_report_loads_quickly(chromium: str, tmp_path: Path) -> None:
    paths = write_reports(runs.large_run(), tmp_path / "reports")
    dom, stderr, elapsed = _run(chromium, tmp_path / "profile", "--dump-dom", paths.html.resolve().as_uri())
    assert _console(stderr) == []
    assert dom.count('data-outcome="failed"') >= 10
    assert dom.count('<article class="finding">') == 20
    size = paths.html.stat().st_size
    print(f"report.html for 300 tests and 20 findings: {size / 1024:.0f} KiB, loaded by chromium in {elapsed:.2f} s")
    assert elapsed < 30
