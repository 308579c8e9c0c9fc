"""`conformance run --service compute` with no target boots real Nova and certifies it: the CI slice of the
compute API (tests/integration/slices.py) is green against it, every operation of the slice exercised. With
neither (test_run_services.py) it certifies compute and placement of one nova-box in one report."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from slices import REPRESENTATIVE

pytestmark = [pytest.mark.novabox, pytest.mark.slow]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    reports = tmp_path_factory.mktemp("reports")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    completed = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--service", "compute",
                                "--report-dir", str(reports), "--operations", REPRESENTATIVE, "--", "-n", "2"],
                               capture_output=True, text=True, timeout=1500, env=env, cwd=reports)
    return completed, reports


def test_run_certifies_nova_box(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    completed, reports = run
    # A slice chosen with --operations is a selection: the certificate says incomplete (exit 6), never conformant
    # beyond what ran, and nothing in it failed.
    assert completed.returncode == 6, completed.stdout[-4000:] + completed.stderr[-2000:]
    results = json.loads((reports / "results.json").read_text())
    outcomes = [test["outcome"] for test in results["tests"]]
    assert "failed" not in outcomes and "error" not in outcomes
    # Nothing waived: the api-ref defects real Nova shows are errata of the contract, not waivers.
    assert outcomes.count("passed") >= 100 and "waived" not in outcomes
    assert results["waivers"] == [] and " waived" not in completed.stdout.split("certification:")[0]
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
    assert "certification: INCOMPLETE" in completed.stdout
    certification = json.loads((reports / "certification.json").read_text())
    assert certification["verdict"] == "incomplete" and certification["complete"] is False
    # Counted against the whole api-ref: the slice's operations (server actions are variants of one) of all 203.
    assert certification["scope"]["operations"]["total"] == 203
    assert 20 <= certification["scope"]["operations"]["certified"] < 203


def test_run_leaves_no_token_in_its_reports(run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    """No token in any report file or in the output (the redaction of a finding's exchange is tested against a
    faulty target, in test_run_targets.py: a conformant run has no finding to carry one)."""
    completed, reports = run
    leak = re.compile(r"X-Auth-Token\W{1,12}[0-9a-f]{16,}", re.IGNORECASE)
    files = [path for path in reports.iterdir() if path.is_file()]
    assert {"results.json", "report.html", "certification.json"} <= {path.name for path in files}
    for path in files:
        assert not leak.search(path.read_text(errors="replace")), f"a token in {path.name}"
    assert not leak.search(completed.stdout + completed.stderr)


def _run_with(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    # One test file's test, named on the command line: the scope is that test, the run is complete.
    chosen = "conformance/suites/test_server_migrations.py::test_list_fields_per_microversion"
    completed = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--service", "compute",
                                "--report-dir", str(tmp_path), *extra,
                                "--", str(Path(__file__).resolve().parents[2] / chosen)],
                               capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path)
    return completed, json.loads((tmp_path / "results.json").read_text())


def test_run_extends_the_shipped_waivers_and_names_a_stale_one(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump({"waivers": [{
        "id": "V-0001", "check": "CV-0203", "operation": "GET /os-migrations", "title": "^undocumented field",
        "reason": "our proxy once added a field", "reviewed": "2026-12-02"}]}))
    completed, results = _run_with(tmp_path, "--waivers", str(mine), "--extend-waivers")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    uses = {w["id"]: w["covered"] for w in results["waivers"]}
    assert uses == {"V-0001": 0}  # the shipped file holds none: api-ref defects are errata
    assert "certification: CONFORMANT" in completed.stdout and "stale (covered nothing): " in completed.stdout
    assert "V-0001" in completed.stdout.split("stale (covered nothing): ")[1].splitlines()[0]
