"""Runs built for the report tests: a small one with every outcome, and a large one of ~300 tests.

Written for these tests; the operations, microversions and api-ref lines follow
nova 34.0.0's server-migrations and os-migrations, the values are invented.
"""

from __future__ import annotations

import json
from dataclasses import replace

from conformance.results import Finding, Outcome, RunResult, Severity, TestResult
from conformance.target.exchange import Exchange, Request, Response

TOKEN = "gAAAAABnSECRETtokenVALUE-must-never-appear"
"""A token a buggy caller left unmasked in an exchange: no report may show it."""
HOSTILE = "<script>alert('pwned')</script>"

SERVER_MIGRATIONS = "Server migrations (servers, migrations)"
OS_MIGRATIONS = "Migrations (os-migrations)"
LIST = "GET /servers/{server_id}/migrations"
SHOW = "GET /servers/{server_id}/migrations/{migration_id}"
FORCE = "POST /servers/{server_id}/migrations/{migration_id}/action (force_complete)"
ABORT = "DELETE /servers/{server_id}/migrations/{migration_id}"
OS_LIST = "GET /os-migrations"
BASE = "http://127.0.0.1:8774/v2.1"
SERVER = "7a8c1e3f-2b47-4b8e-9f0d-3c5e6a1b2d4f"


def exchange(method: str, path: str, status: int, body: object, version: str | None = "2.59",
             token: str = "***", request_body: object | None = None) -> Exchange:
    headers = [("X-Auth-Token", token), ("Accept", "application/json")]
    if version:
        headers.append(("OpenStack-API-Version", f"compute {version}"))
    sent = json.dumps(request_body).encode() if request_body is not None else None
    if sent:
        headers.append(("Content-Type", "application/json"))
    return Exchange(
        Request(method, BASE + path, tuple(headers), sent, "admin"),
        Response(status, (("Content-Type", "application/json"), ("X-OpenStack-Request-Id", "req-5d1c2f0e"),
                          ("OpenStack-API-Version", f"compute {version or '2.1'}"), ("Vary", "OpenStack-API-Version")),
                 json.dumps(body).encode(), 0.0123),
    )


def missing_uuid(version: str = "2.59") -> Finding:
    return Finding(
        check="CV-0204", title="`migrations[0].uuid` is missing", severity=Severity.HIGH, operation=LIST,
        microversion=version, received="no `uuid` in migrations[0]", documented="`uuid` (string, uuid) is required",
        source="parameters.yaml:4871", requirement="The UUID of the migration. New in version 2.59",
        exchange=exchange("GET", f"/servers/{SERVER}/migrations", 200,
                          {"migrations": [{"id": 7, "status": "running", "server_uuid": SERVER}]}, version))


def server_error() -> Finding:
    return Finding(
        check="CV-0101", title="500 Internal Server Error on an unknown migration id", severity=Severity.CRITICAL,
        operation=SHOW, microversion="2.24", received="500", documented="404 (itemNotFound)",
        source="server-migrations.inc:88", requirement="Error response codes: unauthorized(401), forbidden(403), "
        "itemNotFound(404)",
        exchange=exchange("GET", f"/servers/{SERVER}/migrations/99999999999999999999", 500,
                          {"computeFault": {"code": 500, "message": "Unexpected API Error."}}, "2.24", token=TOKEN))


def hostile() -> Finding:
    return Finding(
        check="CV-0301", title=f"undocumented field `{HOSTILE}`", severity=Severity.MEDIUM, operation=OS_LIST,
        microversion="2.80", received=HOSTILE, documented="no such field", source="os-migrations.inc:40",
        requirement=f"Lists migrations {HOSTILE}",
        exchange=exchange("GET", "/os-migrations?limit=1", 200,
                          {"migrations": [{"id": 1, HOSTILE: HOSTILE, "notes": "x" * 5000}]}, "2.80"))


def waived() -> Finding:
    return Finding(
        check="CV-0204", title="`migrations[0].dest_host` is null", severity=Severity.MEDIUM, operation=OS_LIST,
        microversion="2.23", received="null", documented="string", source="parameters.yaml:4816",
        requirement="The host IP address of the destination compute node.",
        exchange=exchange("GET", "/os-migrations", 200, {"migrations": [{"id": 1, "dest_host": None}]}, "2.23"),
        waiver="W-0001: the api-ref documents a string, Nova returns null until the destination reports "
               "(api-ref parameters.yaml:4816; reviewed 2026-11-25)")


def small_run(complete: bool = True) -> RunResult:
    """Every outcome: passed, failed (three findings, one hostile, one with a leaked token), waived, skipped, error."""
    tests = (
        TestResult("conformance/suites/test_server_migrations.py::test_list[2.23]", Outcome.PASSED, LIST,
                   SERVER_MIGRATIONS, "2.23", ("CV-0001", "CV-0204"), duration=0.21, requests=2),
        TestResult("conformance/suites/test_server_migrations.py::test_list[2.59]", Outcome.FAILED, LIST,
                   SERVER_MIGRATIONS, "2.59", ("CV-0001", "CV-0204"), (missing_uuid(),), duration=0.3, requests=2),
        TestResult("conformance/suites/test_server_migrations.py::test_show_unknown[2.24]", Outcome.FAILED, SHOW,
                   SERVER_MIGRATIONS, "2.24", ("CV-0101",), (server_error(),), duration=0.1, requests=1),
        TestResult("conformance/suites/test_server_migrations.py::test_force_complete[2.65]", Outcome.SKIPPED, FORCE,
                   SERVER_MIGRATIONS, "2.65", reason="needs --allow-destructive"),
        TestResult("conformance/suites/test_server_migrations.py::test_abort[2.65]", Outcome.SKIPPED, ABORT,
                   SERVER_MIGRATIONS, "2.65", reason="needs --allow-destructive"),
        TestResult("conformance/suites/test_os_migrations.py::test_list[2.23]", Outcome.WAIVED, OS_LIST,
                   OS_MIGRATIONS, "2.23", ("CV-0204",), (waived(),), duration=0.05, requests=1),
        TestResult("conformance/suites/test_os_migrations.py::test_list[2.80]", Outcome.FAILED, OS_LIST,
                   OS_MIGRATIONS, "2.80", ("CV-0301",), (hostile(),), duration=0.05, requests=1),
        TestResult("conformance/suites/test_os_migrations.py::test_member_forbidden", Outcome.SKIPPED, OS_LIST,
                   OS_MIGRATIONS, None, reason="no --member-token given"),
        TestResult("conformance/suites/test_discovery.py::test_version_document", Outcome.PASSED, "GET /",
                   None, None, ("CV-0401",), duration=0.01, requests=1),
        TestResult("conformance/suites/test_discovery.py::test_latest", Outcome.ERROR, "GET /", None, "latest",
                   reason="TargetError: connection refused"),
    )
    return RunResult(
        target=BASE, target_versions=("2.1", "2.96"), suite_version="0.1.0",
        spec={"origin": "nova==34.0.0", "package": "nova", "version": "34.0.0", "sha256": "ab" * 32},
        started="2026-11-25T09:30:00Z", duration=75.5, tests=tests,
        coverage={"operations": {"exercised": 5, "total": 6, "missing": ["PUT /os-migrations/{id}"]},
                  "fields": {"exercised": 30, "total": 41, "missing": ["migrations[].user_id"]},
                  "error_codes": {"exercised": 7, "total": 12, "missing": []},
                  "microversion_boundaries": {"exercised": 8, "total": 14, "missing": ["2.79/2.80"]}},
        options={"microversions": None, "destructive": False, "hypothesis_seed": 1234},
        complete=complete, apis=(SERVER_MIGRATIONS, OS_MIGRATIONS, "Servers - run an action (servers, action)"))


VERSIONS = ("2.1", "2.21", "2.22", "2.23", "2.24", "2.58", "2.59", "2.64", "2.65", "2.79", "2.80", "2.96", "latest")
OPERATIONS = ((LIST, SERVER_MIGRATIONS), (SHOW, SERVER_MIGRATIONS), (FORCE, SERVER_MIGRATIONS),
              (ABORT, SERVER_MIGRATIONS), (OS_LIST, OS_MIGRATIONS))


def large_run(tests: int = 300, findings: int = 20) -> RunResult:
    """About ``tests`` tests over 5 operations and 13 microversions, ``findings`` of them failing, some skipped."""
    results = []
    failed = 0
    for index in range(tests):
        operation, api = OPERATIONS[index % len(OPERATIONS)]
        version = VERSIONS[(index // len(OPERATIONS)) % len(VERSIONS)]
        nodeid = f"conformance/suites/test_{api.split()[0].lower()}.py::test_{index % 23}[{operation}-{version}]"
        if index % 14 == 3 and failed < findings:
            failed += 1
            finding = replace(missing_uuid(version), operation=operation,
                              title=f"`migrations[0].uuid` is missing (case {failed})")
            results.append(TestResult(nodeid, Outcome.FAILED, operation, api, version, ("CV-0204",), (finding,),
                                      duration=0.2, requests=3))
        elif operation in (FORCE, ABORT) and index % 3 == 0:
            results.append(TestResult(nodeid, Outcome.SKIPPED, operation, api, version,
                                      reason="needs --allow-destructive"))
        else:
            results.append(TestResult(nodeid, Outcome.PASSED, operation, api, version, ("CV-0001", "CV-0204"),
                                      duration=0.1, requests=2))
    return replace(small_run(), tests=tuple(results), duration=412.0)
