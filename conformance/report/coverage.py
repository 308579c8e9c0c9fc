"""Coverage: what the whole api-ref documents, and how much of it a run exercised.

The result is what ``RunResult.coverage`` holds and the report shows::

    {"operations": {"exercised": 7, "total": 203, "missing": ["GET /flavors", ...],
                    "reasons": {"GET /flavors": "no suite exercises it", ...},
                    "partly": {"GET /os-baremetal-nodes": "test_served not run: ...", ...}},
     "api_groups": {"exercised": 3, "total": 65, "missing": [...]},
     "microversion_boundaries": {...}, "error_codes": {...}, "fields": {...}}

Totals are always the whole compiled api-ref, whatever the suites target, so a
certificate over 7 operations says "7 of 203". A test exercises something only
when it ran (passed, failed or waived): skipped, inconclusive and tests that
could not run never count; an operation not exercised gets the reason its tests
give (or "no suite exercises it"). An operation exercised while some of its tests were left out as not yet
settled with the real service (the registry's ``unverified``) is listed under ``partly``, with why.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from conformance.errors import VersionError
from conformance.model import ApiRef, Field, Microversion, MicroversionRange, Operation
from conformance.results import UNSETTLED, Outcome, RunResult, TestResult

__all__ = ["measure_coverage", "operation_label"]

_RAN = frozenset({Outcome.PASSED, Outcome.FAILED, Outcome.WAIVED})


def operation_label(operation: Operation) -> str:
    """``POST /servers/{server_id}/migrations/{migration_id}/action (force_complete)``: how results name it."""
    base = f"{operation.method} {operation.path}"
    return f"{base} ({operation.action})" if operation.action else base


def _fields(fields: Iterable[Field]) -> Iterator[Field]:
    for item in fields:
        yield item
        yield from _fields(item.children)


def _ranges(operation: Operation) -> Iterator[MicroversionRange]:
    yield operation.versions
    for parameter in (*operation.parameters, *operation.response_parameters):
        yield parameter.versions
    for item in _fields((*operation.request_body, *operation.response_body)):
        yield item.parameter.versions
    for rule in operation.preconditions:
        yield rule.versions
    for code in (*operation.normal_codes, *operation.error_codes):
        yield code.versions


def _version(text: str | None) -> Microversion | None:
    try:
        return Microversion.parse(text) if text else None
    except VersionError:  # 'latest', or a malformed header sent on purpose
        return None


def _entry(documented: Collection[str], exercised: Collection[str]) -> dict[str, Any]:
    done = [item for item in documented if item in exercised]
    return {"exercised": len(done), "total": len(documented),
            "missing": [item for item in documented if item not in exercised]}


def measure_coverage(apiref: ApiRef, run: RunResult, groups: Collection[str] | None = None, *,
             error_codes: Collection[tuple[str, int]] | None = None,
             fields: Collection[tuple[str, str]] | None = None) -> dict[str, dict[str, Any]]:
    """Coverage of the operations of ``groups`` (default: every group of the api-ref).

    ``error_codes`` holds the (operation label, status) pairs the suites saw, ``fields``
    the (operation label, field name) pairs; each kind is reported only when given.
    A microversion boundary (2.58/2.59) counts when an operation was tested on both sides
    of it; boundaries outside the target's advertised range are left out.

    >>> measure_coverage(apiref, run)["operations"]  # doctest: +SKIP
    {'exercised': 7, 'total': 203, 'missing': [...], 'reasons': {...}}
    """
    scope = set(groups) if groups is not None else {operation.group for operation in apiref.operations}
    operations = [operation for operation in apiref.operations if operation.group in scope]
    low, high = (_version(v) for v in (run.target_versions or (None, None)))
    tested: dict[str, set[Microversion | None]] = {}
    for test in run.tests:
        if test.operation and test.outcome in _RAN:
            tested.setdefault(test.operation, set()).add(_version(test.microversion))

    def versions_of(operation: Operation) -> set[Microversion | None]:
        label = operation_label(operation)
        # Older suites name a variant by method and path only.
        return tested.get(label, set()) | tested.get(f"{operation.method} {operation.path}", set())

    labels = [operation_label(operation) for operation in operations]
    ran = {label for label, operation in zip(labels, operations, strict=True) if versions_of(operation)}
    by_key: dict[str, list[str]] = {}
    for label, operation in zip(labels, operations, strict=True):
        names = by_key.setdefault(f"{operation.method} {operation.path}", [])
        if label not in names:
            names.append(label)
    # An operation shared by several sections (the server actions) is exercised when each of them was.
    whole = {key for key, names in by_key.items() if all(name in ran for name in names)}
    boundaries: list[str] = []
    crossed: set[str] = set()
    for label, operation in zip(labels, operations, strict=True):
        seen = versions_of(operation)
        pairs = {pair for versions in _ranges(operation) for pair in versions.boundaries()}
        for below, above in sorted(pairs):
            if (low is not None and below < low) or (high is not None and above > high):
                continue
            name = f"{label} {below}/{above}"
            boundaries.append(name)
            if below in seen and above in seen:
                crossed.add(name)
    reasons = _reasons(run, [label for label in dict.fromkeys(labels) if label not in ran])
    unsettled = _unsettled(run)
    result = {"operations": {**_entry(list(by_key), whole),
                             "reasons": {key: _joined(names, reasons) for key, names in by_key.items()
                                         if key not in whole},
                             "partly": {key: "; ".join(dict.fromkeys(unsettled[name] for name in names
                                                                     if name in unsettled))
                                        for key, names in by_key.items()
                                        if key in whole and any(name in unsettled for name in names)}},
              "sections": _entry(list(dict.fromkeys(labels)), ran),
              "api_groups": _entry(list(dict.fromkeys(operation.group for operation in operations)),
                                   {operation.group for label, operation in zip(labels, operations, strict=True)
                                    if label in ran}),
              "microversion_boundaries": _entry(list(dict.fromkeys(boundaries)), crossed)}
    if error_codes is not None:
        documented = [f"{label} {code.status}" for label, operation in zip(labels, operations, strict=True)
                      for code in operation.error_codes]
        result["error_codes"] = _entry(list(dict.fromkeys(documented)),
                                       {f"{label} {status}" for label, status in error_codes})
    if fields is not None:
        documented = [f"{label} {item.parameter.name}" for label, operation in zip(labels, operations, strict=True)
                      for item in _fields(operation.response_body)]
        result["fields"] = _entry(list(dict.fromkeys(documented)), {f"{label} {name}" for label, name in fields})
    return result


def _unsettled(run: RunResult) -> dict[str, str]:
    """The operations some of whose tests were left out as not yet settled with the real service: label -> the
    tests and the registry's reasons."""
    left: dict[str, dict[str, str]] = {}
    for test in run.tests:
        said = test.reason or ""
        if test.operation and test.outcome is Outcome.SKIPPED and said.startswith(UNSETTLED):
            name = test.nodeid.rpartition("::")[2].partition("[")[0]
            reason = said[len(UNSETTLED):].lstrip(": ").removesuffix(" (--operations runs it)")
            left.setdefault(test.operation, {})[name] = reason
    return {label: "; ".join(f"{name} not run: {reason}" for name, reason in sorted(tests.items()))
            for label, tests in left.items()}


def _joined(names: list[str], reasons: dict[str, str]) -> str:
    """One operation's reason: its section's, or each unexercised variant's, named."""
    missing = [name for name in names if name in reasons]
    if len(names) == 1 or (len(missing) == len(names) and len({reasons[name] for name in missing}) == 1):
        return reasons[missing[0]]
    return "; ".join(f"{name.rpartition(' (')[2].rstrip(')') or name}: {reasons[name]}" for name in missing)


def _reasons(run: RunResult, labels: list[str]) -> dict[str, str]:
    """Why each of these sections no test exercised was not: its tests' reasons, or that no suite targets it."""
    tests: dict[str, list[TestResult]] = {}
    for test in run.tests:
        if test.operation:
            tests.setdefault(test.operation, []).append(test)
    reasons = {}
    for label in labels:
        mine = tests.get(label, [])
        if not mine:
            reasons[label] = "no suite exercises it"
            continue
        said = sorted({f"{test.outcome.value}: {test.reason}" if test.reason else test.outcome.value
                       for test in mine})
        reasons[label] = "; ".join(said[:3]) + (f" (and {len(said) - 3} more reasons)" if len(said) > 3 else "")
    return reasons
