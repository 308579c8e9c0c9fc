"""`conformance run` with no target boots real Nova and certifies it: the CI slice of the compute API
(tests/integration/slices.py) is green against it, every operation of the slice exercised."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from slices import REPRESENTATIVE

pytestmark = [pytest.mark.novabox, pytest.mark.slow]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path_factory.mktemp("reports")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    completed = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(reports),
                                "--operations", REPRESENTATIVE, "--", "-n", "2"],
                               capture_output=True, text=True, timeout=1500, env=env, cwd=reports)
    return completed, reports


def test_run_certifies_nova_box(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    completed, reports = run
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]
    results = json.loads((reports / "results.json").read_text())
    outcomes = [test["outcome"] for test in results["tests"]]
    assert "failed" not in outcomes and "error" not in outcomes
    assert outcomes.count("passed") + outcomes.count("waived") >= 100
    # Every operation of the seed was exercised, at more than one microversion.
    exercised = {(test["operation"], test["microversion"]) for test in results["tests"] if test["outcome"] != "skipped"}
    for operation in ("GET /servers/{server_id}/migrations", "GET /servers/{server_id}/migrations/{migration_id}",
                      "POST /servers/{server_id}/migrations/{migration_id}/action",
                      "DELETE /servers/{server_id}/migrations/{migration_id}", "GET /os-migrations",
                      "GET /limits", "POST /os-keypairs", "DELETE /os-keypairs/{keypair_name}",
                      "PUT /servers/{server_id}/metadata/{key}", "PUT /servers/{server_id}/tags/{tag}",
                      "POST /servers/{server_id}/action (os-stop)", "POST /servers/{server_id}/action (unpause)"):
        versions = {version for name, version in exercised if name == operation}
        assert len(versions) >= 2, f"{operation} exercised at {versions}"
    assert "certification: CONFORMANT" in completed.stdout


def test_run_leaves_no_token_in_its_reports(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    completed, reports = run
    results = json.loads((reports / "results.json").read_text())
    headers = [header for test in results["tests"] for finding in test["findings"] if finding["exchange"]
               for header in finding["exchange"]["request"]["headers"]]
    tokens = [value for name, value in headers if name.lower() == "x-auth-token"]
    assert tokens, "no finding carried an authenticated request: the check below would prove nothing"
    assert all(set(value) <= {"*"} for value in tokens), tokens[:3]
    leak = re.compile(r"X-Auth-Token\W{1,12}[0-9a-f]{16,}", re.IGNORECASE)
    for path in reports.iterdir():
        if path.is_file():
            assert not leak.search(path.read_text(errors="replace")), f"a token in {path.name}"
    assert not leak.search(completed.stdout + completed.stderr)
