"""`conformance run` with no target and no service certifies compute and placement of one nova-box in one
report: a slice of each (compute's version document; placement's slice of tests/integration/slices.py), each
green, a verdict per service and overall."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from slices import PLACEMENT

pytestmark = [pytest.mark.novabox, pytest.mark.slow]


def test_run_certifies_compute_and_placement_of_one_nova_box(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    completed = subprocess.run([sys.executable, "-m", "conformance.cli", "run", "--report-dir", str(tmp_path),
                                "--jobs", "1", "--operations", rf"^GET /$|{PLACEMENT}"],
                               capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path)
    out = completed.stdout + completed.stderr
    # The slices are selections: each certificate is incomplete by its scope, none may be not conformant.
    assert completed.returncode == 6, out[-4000:]
    summary = json.loads((tmp_path / "certification.json").read_text())
    assert summary["verdict"] == "incomplete" and set(summary["services"]) == {"compute", "placement"}
    for service, entry in summary["services"].items():
        assert entry["verdict"] == "incomplete", (service, entry)
        results = json.loads((tmp_path / service / "results.json").read_text())
        outcomes = [test["outcome"] for test in results["tests"]]
        assert outcomes and "failed" not in outcomes and "error" not in outcomes, service
        assert results["spec"]["service"] == service
        assert entry["summary"]["results"]["digest"]  # each service's certificate names its own results
    placement = json.loads((tmp_path / "placement" / "results.json").read_text())
    passed = {(test["operation"], test["nodeid"].split("[")[0].rsplit("::", 1)[-1]) for test in placement["tests"]
              if test["outcome"] == "passed"}
    for operation in ("PUT /resource_providers/{uuid}/traits", "PUT /resource_providers/{uuid}/inventories",
                      "PUT /resource_providers/{uuid}/aggregates"):
        assert (operation, "test_stale_value_is_a_conflict") in passed, operation
        assert (operation, "test_served") in passed, operation
    assert placement["target_versions"] == ["1.0", "1.39"]
    page = (tmp_path / "report.html").read_text()
    assert "compute/report.html" in page and "placement/report.html" in page
    assert "placement: <span class='verdict incomplete'>" in page
