"""certification.json: what a vendor publishes, per api-ref group, tied to results.json by a digest.

The summary names the sha256 of the canonical results (``RunResult.digest()``);
anyone holding both files re-computes it with :func:`verify_certification`, so
a summary cannot claim results that the JSON does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from conformance.report.views import certify, finished, outcome_counts, overall, scope_statement
from conformance.results import SCHEMA_VERSION, RunResult, results_digest

__all__ = ["CERTIFICATION_VERSION", "certification", "dumps_certification", "verify_certification"]

CERTIFICATION_VERSION = "1.2"
"""1.1 added ``scope``, ``waivers`` and the ``incomplete`` verdict (a run with inconclusive tests or cut short);
1.2 ``scope.partly``: the certified operations some of whose tests were left out, and why."""


def certification(run: RunResult, digest: str | None = None) -> dict[str, Any]:
    """The certification summary of ``run`` (``digest`` is ``run.digest()``, passed in when already known).

    ``verdict`` is ``conformant``, ``not conformant``, ``incomplete`` or ``not exercised``; ``scope`` says
    what it covers, counted against the whole api-ref, and lists what was not exercised.
    """
    verdicts = certify(run)
    operations = run.coverage.get("operations", {}) if run.coverage else {}
    groups = run.coverage.get("api_groups", {}) if run.coverage else {}
    return {
        "certification": CERTIFICATION_VERSION,
        "verdict": overall(verdicts, run.complete),
        "scope": {"statement": scope_statement(run),
                  "operations": {"certified": operations.get("exercised"), "total": operations.get("total")},
                  "api_groups": {"certified": groups.get("exercised"), "total": groups.get("total")},
                  "not_exercised": dict(operations.get("reasons", {})),
                  "partly": dict(operations.get("partly", {}))},
        "target": run.target,
        "target_versions": list(run.target_versions) if run.target_versions else None,
        "suite_version": run.suite_version,
        "spec": dict(run.spec),
        "started": run.started,
        "finished": finished(run),
        "complete": run.complete,
        "tests": outcome_counts(run.tests),
        "apis": [{"api": v.api, "status": v.status, "why": v.why, "tests": v.counts, "operations": list(v.operations)}
                 for v in verdicts],
        "waivers": [{"id": w.id, "file": w.file, "covered": w.covered, "stale": w.stale} for w in run.waivers],
        "results": {"file": "results.json", "schema": SCHEMA_VERSION, "algorithm": "sha256",
                    "canonical": "json.dumps(results, sort_keys=True, separators=(',', ':'), ensure_ascii=True)",
                    "digest": digest or run.digest()},
    }


def dumps_certification(run: RunResult, digest: str | None = None) -> str:
    return json.dumps(certification(run, digest), indent=1, ensure_ascii=False) + "\n"


def verify_certification(summary: Mapping[str, Any], results: Mapping[str, Any]) -> list[str]:
    """Why ``summary`` (certification.json) does not match ``results`` (results.json, as loaded); empty when it does.

    The digest is checked first; then the verdicts and counts are recomputed from the
    results (the explanatory prose is not compared), so a summary edited after the fact
    is caught even when its digest was copied over.
    """
    problems = []
    expected = summary.get("results", {}).get("digest")
    actual = results_digest(results)
    if expected != actual:
        problems.append(f"digest: the summary names {expected}, the results hash to {actual}")
    try:
        again = certification(RunResult.from_dict(results), actual)
    except (KeyError, TypeError, ValueError) as error:
        return [*problems, f"results: unreadable ({error})"]
    for key in ("verdict", "scope", "target", "complete", "tests", "waivers"):
        if summary.get(key) != again[key]:
            problems.append(f"{key}: the summary says {summary.get(key)!r}, the results give {again[key]!r}")
    claimed = {api.get("api"): (api.get("status"), api.get("tests")) for api in summary.get("apis", ())}
    for api in again["apis"]:
        if claimed.pop(api["api"], None) != (api["status"], api["tests"]):
            problems.append(f"api {api['api']!r}: the results give {api['status']} with {api['tests']}")
    problems.extend(f"api {name!r}: not in the results" for name in claimed)
    return problems
