"""Reviewed waivers: known deviations of a target, reported apart from failures.

A run uses the waiver file shipped for its service (``conformance/waivers/<service>.yaml``),
or the vendor's own: ``--waivers FILE`` replaces the shipped file, ``--waivers FILE
--extend-waivers`` adds to it. A file lists entries such as::

    - id: W-0001
      check: CV-0204
      operation: GET /os-migrations
      title: "`migrations\\[\\d+\\]\\.dest_host` is null"
      api-ref: parameters.yaml:4816
      nova: returns null while the destination has not reported an address
      reason: the api-ref documents a string, never null; the suite is right, the api-ref is silent
      reviewed: 2026-11-25

``title`` is a regular expression searched in the finding's title. ``id``, ``check``,
``operation``, ``title``, ``reason`` and ``reviewed`` are required; ``api-ref`` and the
evidence (``nova``, or ``evidence`` in a vendor's file) are optional. A waiver never
covers a 5xx (CV-0101): the loader refuses one that tries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from conformance.errors import InputError
from conformance.results import Finding

__all__ = ["Waiver", "apply_waivers", "load_waivers"]

_REQUIRED = ("id", "check", "operation", "title", "reason", "reviewed")
_NEVER_WAIVED = frozenset({"CV-0101"})


@dataclass(frozen=True)
class Waiver:
    """One reviewed waiver."""

    id: str
    check: str
    operation: str
    title: re.Pattern[str]
    api_ref: str
    nova: str
    reason: str
    reviewed: str
    source: str = ""
    """The file and line of the entry (``conformance/waivers/compute.yaml:9``)."""

    def covers(self, finding: Finding) -> bool:
        """Whether this waiver covers the finding."""
        if finding.check in _NEVER_WAIVED or finding.check != self.check:
            return False
        if self.operation not in ("*", finding.operation):
            return False
        return self.title.search(finding.title) is not None

    def describe(self) -> str:
        """The reason as a report shows it."""
        where = "; ".join(part for part in (f"api-ref {self.api_ref}" if self.api_ref else "",
                                             f"evidence: {self.nova}" if self.nova else "",
                                             f"reviewed {self.reviewed}") if part)
        return f"{self.id}: {self.reason} ({where})"


def load_waivers(path: Path | None = None, service: str = "compute") -> tuple[Waiver, ...]:
    """Read a waiver file (default: the one shipped for ``service``).

    Raises :class:`InputError` naming the file and line for a malformed entry,
    a bad regular expression, or a waiver of a 5xx check.
    """
    if path is None:
        shipped = resources.files("conformance.waivers").joinpath(f"{service}.yaml")
        if not shipped.is_file():
            return ()
        text, name = shipped.read_text(encoding="utf-8"), f"conformance/waivers/{service}.yaml"
    else:
        try:
            text, name = path.read_text(encoding="utf-8"), str(path)
        except OSError as exc:
            raise InputError(f"cannot read waivers: {exc}", path) from None
    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise InputError(f"invalid YAML: {exc.problem}", name, mark.line + 1 if mark else None) from None
    if root is None:
        return ()
    data = yaml.safe_load(text)
    entries = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError("expected a mapping with a 'waivers' list", name, 1)
    nodes: list[Any] = next((value.value for key, value in root.value if key.value == "waivers"), [])
    waivers: list[Waiver] = []
    seen: set[str] = set()
    for entry, node in zip(entries, nodes, strict=True):
        line = node.start_mark.line + 1
        if not isinstance(entry, dict):
            raise InputError("a waiver must be a mapping", name, line)
        missing = [key for key in _REQUIRED if not entry.get(key)]
        if missing:
            named = f"waiver {entry['id']}" if entry.get("id") else "waiver"
            raise InputError(f"{named} lacks {', '.join(missing)}", name, line)
        if entry["check"] in _NEVER_WAIVED:
            raise InputError(f"waiver {entry['id']} tries to waive {entry['check']}: a 5xx is never waived",
                             name, line)
        if entry["id"] in seen:
            raise InputError(f"duplicate waiver id {entry['id']}", name, line)
        seen.add(entry["id"])
        try:
            pattern = re.compile(str(entry["title"]))
        except re.error as exc:
            raise InputError(f"waiver {entry['id']}: bad title pattern: {exc}", name, line) from None
        evidence = entry.get("nova") or entry.get("evidence") or ""
        waivers.append(Waiver(str(entry["id"]), str(entry["check"]), str(entry["operation"]), pattern,
                              str(entry.get("api-ref") or ""), str(evidence).strip(), str(entry["reason"]).strip(),
                              str(entry["reviewed"]), f"{name}:{line}"))
    return tuple(waivers)


def apply_waivers(findings: list[Finding], waivers: tuple[Waiver, ...]) -> list[Finding]:
    """The findings, each covered one marked with its waiver's reason."""
    marked = []
    for finding in findings:
        waiver = next((w for w in waivers if w.covers(finding)), None)
        marked.append(replace(finding, waiver=waiver.describe(), waiver_id=waiver.id) if waiver else finding)
    return marked
