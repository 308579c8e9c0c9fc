"""Results of a conformance run: findings, test outcomes, and the run itself.

This is the contract between the suites (which record) and the reports (which
render): :class:`RunResult` round-trips through JSON in a documented, versioned
schema (``SCHEMA_VERSION``; ``conformance/report/results.schema.json``).

A :class:`Finding` is one way a deployment disagrees with its api-ref: what the
check expected (``documented``, quoted with its api-ref ``source``), what came
back (``received``), and the exchange that shows it.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.target.exchange import Exchange

__all__ = [
    "SCHEMA_VERSION",
    "UNSETTLED",
    "Finding",
    "Outcome",
    "RunResult",
    "Severity",
    "TestResult",
    "WaiverUse",
    "results_digest",
]

SCHEMA_VERSION = "1.1"
"""1.1 added the ``inconclusive`` outcome, a test's ``exchange``, a finding's ``waiver_id`` and the run's
``waivers`` and ``waiver_files``."""


UNSETTLED = "not run by default, a disagreement with the real service not yet settled"
"""How a skipped test's reason starts when the registry lists it as ``unverified``: its operation is exercised
by its other tests, and the certificate names it among those with checks left out."""


def results_digest(data: Mapping[str, Any]) -> str:
    """sha256 over the canonical JSON of results data (``RunResult.to_dict()``, or results.json as loaded).

    Computed on the data itself, so a results.json file can be checked without
    a round trip through the objects (which keep bodies only as far as they were stored).
    """
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class Severity(str, enum.Enum):
    """How bad a finding is for a client of the API."""

    CRITICAL = "critical"  # a 5xx, a security control (auth, policy) not enforced
    HIGH = "high"  # a documented field or code wrong: clients break
    MEDIUM = "medium"  # an undocumented extra, a wrong header
    LOW = "low"  # cosmetic or advisory


class Outcome(str, enum.Enum):
    """What became of one test: the one rule that maps a pytest report to it is ``plugin.outcome.decide``.

    Only PASSED and WAIVED count as conforming; every other outcome keeps a certificate from
    saying conformant.
    """

    PASSED = "passed"
    """It ran to the end and recorded no finding."""
    FAILED = "failed"
    """An unwaived finding, or any exception in the test's call (an assertion, a crash)."""
    WAIVED = "waived"
    """It ran to the end and passed, and its only findings are covered by waivers: it would have failed
    without them and passed in every other respect."""
    SKIPPED = "skipped"
    """Not exercised by the run's choice (no member token, not --allow-destructive), with the reason."""
    INCONCLUSIVE = "inconclusive"
    """Not exercised because the target could not be brought into the state the test needs (a migration
    that never started in time, no quota left), with the reason and the last exchange."""
    ERROR = "error"
    """The test's setup or teardown failed in a way that is neither a finding nor inconclusive."""


@dataclass(frozen=True)
class Finding:
    """One disagreement between a deployment and its api-ref."""

    check: str
    """The check's stable id, e.g. ``CV-0107``."""
    title: str
    """One line: what is wrong."""
    severity: Severity
    """How bad it is."""
    operation: str
    """``GET /servers/{server_id}/migrations`` (with `` (action)`` for variants)."""
    microversion: str | None
    """The microversion requested, or None."""
    received: str
    """What came back, in a sentence or a value."""
    documented: str
    """What the api-ref requires."""
    source: str | None
    """The api-ref ``file:line`` of the requirement."""
    requirement: str | None = None
    """The api-ref's words, quoted."""
    exchange: Exchange | None = None
    """The request and response that show it."""
    waiver: str | None = None
    """The reason of the waiver that covers it, when one does."""
    waiver_id: str | None = None
    """The id of that waiver (``W-0001``)."""

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        """Identity for de-duplication: the same check failing the same way on the same operation and version."""
        return (self.check, self.operation, self.microversion, self.title)

    def render(self) -> str:
        """The finding as a block of text, the way the console and JUnit show it."""
        at = f" at microversion {self.microversion}" if self.microversion else ""
        lines = [f"[{self.check}] {self.title}",
                 f"  Operation:  {self.operation}{at}",
                 f"  Received:   {self.received}",
                 f"  Documented: {self.documented}"]
        if self.source:
            lines.append(f"  api-ref:    {self.source}" + (f": {self.requirement!r}" if self.requirement else ""))
        if self.waiver:
            lines.append(f"  Waived:     {self.waiver}")
        if self.exchange is not None:
            request = self.exchange.request
            version = request.header("OpenStack-API-Version") or request.header("X-OpenStack-Nova-API-Version")
            sent = f"{request.method} {request.url}" + (f" [{version}]" if version else "")
            if request.body:
                sent += f" {request.text()[:300]}"
            lines.append(f"  Sent:       {sent}")
            lines.append(f"  Response:   {self.exchange.response.status} "
                         f"{self.exchange.response.text()[:300]}")
            lines.append("  Reproduce with:")
            lines.append(f"    {self.exchange.curl()}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "title": self.title, "severity": self.severity.value,
                "operation": self.operation, "microversion": self.microversion, "received": self.received,
                "documented": self.documented, "source": self.source, "requirement": self.requirement,
                "waiver": self.waiver, "waiver_id": self.waiver_id,
                "exchange": self.exchange.to_dict() if self.exchange else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        exchange = data.get("exchange")
        return cls(check=data["check"], title=data["title"], severity=Severity(data["severity"]),
                   operation=data["operation"], microversion=data.get("microversion"), received=data["received"],
                   documented=data["documented"], source=data.get("source"), requirement=data.get("requirement"),
                   exchange=Exchange.from_dict(exchange) if exchange else None, waiver=data.get("waiver"),
                   waiver_id=data.get("waiver_id"))


@dataclass(frozen=True)
class TestResult:
    """The outcome of one test of the suites."""

    nodeid: str
    """pytest's id of the test."""
    outcome: Outcome
    """What became of it."""
    operation: str | None = None
    """The operation it exercises (``GET /os-migrations``), when it is about one."""
    api: str | None = None
    """The api-ref group the operation belongs to (``Server migrations (servers, migrations)``)."""
    microversion: str | None = None
    """The microversion it requested, when one."""
    checks: tuple[str, ...] = ()
    """The ids of the checks it ran."""
    findings: tuple[Finding, ...] = ()
    """What it found (waived ones included, marked)."""
    reason: str | None = None
    """Why it was skipped, or the error that stopped it."""
    duration: float = 0.0
    """Seconds."""
    requests: int = 0
    """How many HTTP requests it sent."""
    exchange: Exchange | None = None
    """For an inconclusive test: the last exchange before it gave up (what the target last said)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"nodeid": self.nodeid, "outcome": self.outcome.value, "operation": self.operation,
                "api": self.api, "microversion": self.microversion, "checks": list(self.checks),
                "findings": [finding.to_dict() for finding in self.findings], "reason": self.reason,
                "duration": round(self.duration, 4), "requests": self.requests}
        if self.exchange is not None:
            data["exchange"] = self.exchange.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TestResult:
        exchange = data.get("exchange")
        return cls(nodeid=data["nodeid"], outcome=Outcome(data["outcome"]), operation=data.get("operation"),
                   api=data.get("api"), microversion=data.get("microversion"), checks=tuple(data.get("checks", ())),
                   findings=tuple(Finding.from_dict(f) for f in data.get("findings", ())),
                   reason=data.get("reason"), duration=data.get("duration", 0.0), requests=data.get("requests", 0),
                   exchange=Exchange.from_dict(exchange) if exchange else None)


@dataclass(frozen=True)
class WaiverUse:
    """A waiver the run applied, and how much it covered."""

    id: str
    """``W-0001``."""
    file: str
    """The waiver file and line that holds it (``conformance/waivers/compute.yaml:9``)."""
    check: str
    """The check it waives."""
    operation: str
    """The operation it is limited to, or ``*``."""
    reason: str
    """Why, as the file says."""
    covered: int = 0
    """Findings it covered (counted once per test); 0 makes it stale: the target no longer needs it."""

    @property
    def stale(self) -> bool:
        return self.covered == 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "check": self.check, "operation": self.operation,
                "reason": self.reason, "covered": self.covered}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WaiverUse:
        return cls(id=data["id"], file=data["file"], check=data["check"], operation=data["operation"],
                   reason=data["reason"], covered=data.get("covered", 0))


@dataclass(frozen=True)
class RunResult:
    """A whole run: where, against what, and every test's outcome."""

    target: str
    """The compute endpoint tested (no credentials)."""
    target_versions: tuple[str, str] | None
    """The (min, max) microversion the target advertises."""
    suite_version: str
    """conformance's version."""
    spec: Mapping[str, Any]
    """The api-ref source: ``{"origin": "nova==34.0.0", "sha256": ...}``."""
    started: str
    """ISO 8601 UTC start time."""
    duration: float
    """Seconds."""
    tests: tuple[TestResult, ...] = ()
    """Every test's outcome, in the order they ran."""
    coverage: Mapping[str, Any] = field(default_factory=dict)
    """Documented operations, fields, error codes and boundaries exercised, of the total."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """The options that reproduce the run (seed, microversions, destructive), no secrets."""
    complete: bool = True
    """False when the run was interrupted: the results hold what ran."""
    apis: tuple[str, ...] = ()
    """The api-ref groups the run's suites target (``TestResult.api`` names): the certified scope, so one no
    test reached shows as not exercised."""
    waivers: tuple[WaiverUse, ...] = ()
    """Every waiver the run applied, with what it covered (a stale one covered nothing)."""
    waiver_files: tuple[str, ...] = ()
    """Where the waivers came from (the shipped file, or the ones given with --waivers)."""

    def to_dict(self) -> dict[str, Any]:
        body = {"schema": SCHEMA_VERSION, "target": self.target,
                "target_versions": list(self.target_versions) if self.target_versions else None,
                "suite_version": self.suite_version, "spec": dict(self.spec), "started": self.started,
                "duration": round(self.duration, 3), "complete": self.complete, "options": dict(self.options),
                "coverage": dict(self.coverage), "tests": [test.to_dict() for test in self.tests]}
        if self.apis:
            body["apis"] = list(self.apis)
        body["waivers"] = [waiver.to_dict() for waiver in self.waivers]
        body["waiver_files"] = list(self.waiver_files)
        return body

    def digest(self) -> str:
        """sha256 over the canonical JSON of the results: a published summary names it, the JSON proves it."""
        return results_digest(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunResult:
        """Read results JSON; raises ValueError for another major schema version."""
        schema = str(data.get("schema", ""))
        if schema.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ValueError(f"results schema {schema!r} is not supported (this is {SCHEMA_VERSION})")
        versions = data.get("target_versions")
        return cls(target=data["target"], target_versions=tuple(versions) if versions else None,
                   suite_version=data["suite_version"], spec=data.get("spec", {}), started=data["started"],
                   duration=data.get("duration", 0.0), tests=tuple(TestResult.from_dict(t) for t in data["tests"]),
                   coverage=data.get("coverage", {}), options=data.get("options", {}),
                   complete=data.get("complete", True), apis=tuple(data.get("apis", ())),
                   waivers=tuple(WaiverUse.from_dict(w) for w in data.get("waivers", ())),
                   waiver_files=tuple(data.get("waiver_files", ())))
