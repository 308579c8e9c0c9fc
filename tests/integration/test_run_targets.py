"""`conformance run --target` against real Nova: a deliberately faulty one, and a run stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from slices import MIGRATIONS

from conformance.novabox import NovaBox
from conformance.selftest import FaultProxy, fault

pytestmark = [pytest.mark.novabox, pytest.mark.slow]


@pytest.fixture(scope="module")
def box() -> Iterator[NovaBox]:
    with NovaBox(migration_seconds=3600, seed=1) as running:
        yield running


def _command(url: str, reports: Path) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", "run", "--target", url, "--allow-destructive",
            "--report-dir", str(reports), "--operations", MIGRATIONS]


def _env(box: NovaBox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFORMANCE_")}
    env.update({f"CONFORMANCE_{role.upper()}_TOKEN": box.tokens[role] for role in ("admin", "member", "other")})
    return env


def _suite_servers(box: NovaBox) -> list[str]:
    answer = requests.get(box.url + "servers", params={"all_tenants": "1"}, timeout=60,
                          headers={"X-Auth-Token": box.tokens["admin"], "OpenStack-API-Version": "compute 2.1"})
    answer.raise_for_status()
    return [server["name"] for server in answer.json()["servers"] if server["name"].startswith("conformance-")]


def test_a_faulty_target_is_not_conformant_and_the_report_says_why(box: NovaBox, tmp_path: Path) -> None:
    with FaultProxy(box.url, fault("drop-status")) as proxy:
        url = proxy.url
        completed = subprocess.run(_command(url, tmp_path), capture_output=True, text=True, timeout=900,
                                   env=_env(box), cwd=tmp_path)
    assert completed.returncode == 1, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert "certification: NOT CONFORMANT" in completed.stdout
    certification = json.loads((tmp_path / "certification.json").read_text())
    verdicts = {api["api"]: api["status"] for api in certification["apis"]}
    assert verdicts["Server migrations (servers, migrations)"] == "not conformant", verdicts
    results = json.loads((tmp_path / "results.json").read_text())
    findings = [finding for test in results["tests"] for finding in test["findings"] if not finding.get("waiver")]
    missing = [f for f in findings if f["check"] == "CV-0201" and "status" in f["title"]]
    assert missing, [f["title"] for f in findings][:10]
    assert missing[0]["source"].startswith("server-migrations.inc:")
    assert missing[0]["exchange"]["request"]["url"].startswith(url)
    html = (tmp_path / "report.html").read_text()
    assert "Not conformant" in html and "required field `migrations[0].status` is missing" in html
    assert "curl " in html and box.tokens["admin"] not in html
    # Every finding's exchange keeps its request headers, the token masked.
    tokens = [value for finding in findings if finding["exchange"]
              for name, value in finding["exchange"]["request"]["headers"] if name.lower() == "x-auth-token"]
    assert tokens and all(set(value) <= {"*"} for value in tokens), tokens[:3]
    for path in tmp_path.iterdir():
        if path.is_file():
            assert not any(token in path.read_text(errors="replace") for token in box.tokens.values()), path.name
    assert _suite_servers(box) == []


def test_a_vendors_waivers_cover_its_known_deviation(box: NovaBox, tmp_path: Path) -> None:
    """--waivers FILE is the vendor's: a target that drops Vary, with a reviewed waiver of it, is conformant and
    every finding of it is reported waived with the vendor's reason (the shipped file waives nothing)."""
    mine = tmp_path / "vendor.yaml"
    mine.write_text(yaml.safe_dump({"waivers": [{
        "id": "V-0001", "check": "CV-0302", "operation": "*", "title": "^Vary does not name",
        "evidence": "our cache layer strips Vary", "reason": "responses are never cached by clients here",
        "reviewed": "2026-12-02"}]}))
    with FaultProxy(box.url, fault("no-vary")) as proxy:
        completed = subprocess.run([*_command(proxy.url, tmp_path), "--waivers", str(mine)], capture_output=True,
                                   text=True, timeout=900, env=_env(box), cwd=tmp_path)
    # The migrations slice (--operations) is a selection: incomplete (exit 6), not conformant only if a
    # finding is left unwaived.
    assert completed.returncode == 6, completed.stdout[-3000:] + completed.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["waiver_files"] == [str(mine)]
    uses = {w["id"]: w["covered"] for w in results["waivers"]}
    assert uses.keys() == {"V-0001"} and uses["V-0001"] > 0
    findings = [f for test in results["tests"] for f in test["findings"]]
    assert findings and all(f["check"] == "CV-0302" and f["waiver"].startswith("V-0001: ") for f in findings)
    assert "certification: INCOMPLETE" in completed.stdout and f"from {mine}" in completed.stdout
    assert not [test for test in results["tests"] if test["outcome"] in ("failed", "error")]
    assert _suite_servers(box) == []


def test_sigterm_deletes_what_the_suite_created_and_leaves_a_report(box: NovaBox, tmp_path: Path) -> None:
    process = subprocess.Popen(_command(box.url, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=_env(box), cwd=tmp_path)
    deadline = time.monotonic() + 300
    while not _suite_servers(box) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert process.poll() is None, "the run ended before it created a server: nothing to interrupt"
    assert _suite_servers(box), "no server created within 300 s"
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=300)
    assert process.returncode != 0, output[-3000:]
    # Nova deletes asynchronously (204: accepted): a server the run deleted may still be listed for a moment, the
    # more so on a loaded machine; one the run never deleted stays listed.
    deadline = time.monotonic() + 120
    while _suite_servers(box) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _suite_servers(box) == [], output[-3000:]
    certification = json.loads((tmp_path / "certification.json").read_text())
    assert certification["complete"] is False and certification["verdict"] == "incomplete"
    assert "certification: INCOMPLETE" in output
