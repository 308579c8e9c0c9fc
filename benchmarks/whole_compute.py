"""Benchmark: the whole compute API against nova-box, with and without pytest-xdist.

    python benchmarks/whole_compute.py [--workers 2] [--serial] [--operations REGEX] [--keep DIR]
    python benchmarks/whole_compute.py --compare RESULTS.json RESULTS.json

Runs ``conformance run`` (which boots nova-box and certifies the whole compute API: every
operation of the api-ref through the engine, and the hand-written suites) once with ``-n WORKERS``
and, with ``--serial``, once without xdist; then prints from each run's results.json:

- the wall time, the tests and their outcomes, the requests sent;
- the operations of the api-ref exercised (a test that ran, not skipped) out of all of them;
- per API group: tests, requests, and the summed test time (where the run spends its time);
- with ``--serial``: whether both runs gave every test the same verdict (the ones that differ listed).

``--keep DIR`` keeps each run's reports (``DIR/n<workers>``, ``DIR/serial``); ``--compare`` compares the
verdicts of two runs made apart (a serial run takes twice as long: it can run on its own, and be compared
with a parallel one afterwards).

The issue's aims (whole compute run at most 15 minutes on 2 cores with -n 2, the same verdicts
with and without xdist) are printed next to the figures, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def _run(reports: Path, workers: int, operations: str | None) -> tuple[float, dict[str, Any]]:
    command = [sys.executable, "-m", "conformance.cli", "run", "--service", "compute", "--report-dir", str(reports)]
    if operations:
        command += ["--operations", operations]
    # --jobs 1 is one process: without it conformance run would start its default two workers.
    command += ["--jobs", str(workers), "--", "-q", "--tb=no"]
    started = time.monotonic()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.monotonic() - started
    return elapsed, json.loads((reports / "results.json").read_text(encoding="utf-8"))


def _report(title: str, elapsed: float, results: dict[str, Any]) -> None:
    tests = results["tests"]
    outcomes = Counter(test["outcome"] for test in tests)
    requests = sum(test.get("requests", 0) for test in tests)
    coverage = results.get("coverage", {}).get("operations", {})
    exercised = {test["operation"] for test in tests if test["outcome"] not in ("skipped",) and test["operation"]}
    print(f"{title}: {elapsed / 60:.1f} min wall, {len(tests)} tests "
          + ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
          + f", {requests} requests")
    for test in tests:
        if test["outcome"] in ("failed", "error"):
            why = "; ".join(str(finding.get("message", finding))[:300] for finding in test.get("findings", [])[:2])
            print(f"  {test['outcome'].upper()} {test['nodeid']}: {why or test.get('reason') or '(no finding)'}")
    print(f"  operations exercised: {len(exercised)} (api-ref sections with a test that ran); coverage figure "
          f"of the report: {coverage}")
    groups: dict[str, list[Any]] = defaultdict(list)
    for test in tests:
        groups[test.get("api") or "(none)"].append(test)
    print(f"  {'API group':<62} {'tests':>6} {'requests':>9} {'test time':>10}")
    for name, members in sorted(groups.items(), key=lambda item: -sum(t["duration"] for t in item[1])):
        print(f"  {name[:62]:<62} {len(members):>6} {sum(t.get('requests', 0) for t in members):>9} "
              f"{sum(t['duration'] for t in members):>9.1f}s")


def _compare(first_title: str, first_results: dict[str, Any], second_title: str,
             second_results: dict[str, Any]) -> None:
    first = {test["nodeid"]: test["outcome"] for test in first_results["tests"]}
    second = {test["nodeid"]: test["outcome"] for test in second_results["tests"]}
    differing = sorted(nodeid for nodeid in first.keys() | second.keys() if first.get(nodeid) != second.get(nodeid))
    print(f"same verdicts with and without xdist: {'yes' if not differing else 'no'} "
          f"({len(first)} and {len(second)} tests)")
    for nodeid in differing:
        print(f"  {nodeid}: {first.get(nodeid)} ({first_title}), {second.get(nodeid)} ({second_title})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers of the parallel run (default 2)")
    parser.add_argument("--serial", action="store_true", help="also run without xdist and compare the verdicts")
    parser.add_argument("--operations", default=None, help="only these operations (a regular expression)")
    parser.add_argument("--keep", type=Path, default=None, metavar="DIR", help="keep each run's reports under DIR")
    parser.add_argument("--compare", nargs=2, type=Path, default=None, metavar="RESULTS",
                        help="run nothing: compare the verdicts of two results.json")
    args = parser.parse_args()
    if args.compare:
        first, second = (json.loads(path.read_text(encoding="utf-8")) for path in args.compare)
        _compare(str(args.compare[0]), first, str(args.compare[1]), second)
        return 0
    with tempfile.TemporaryDirectory(prefix="whole-compute-") as scratch:
        reports = args.keep or Path(scratch)
        title = "serial" if args.workers == 1 else f"-n {args.workers}"
        parallel_time, parallel = _run(reports / title.replace("-n ", "n"), args.workers, args.operations)
        _report(title, parallel_time, parallel)
        if args.workers == 2:
            print(f"  aim: at most 15 min on 2 cores with -n 2 -> {'met' if parallel_time <= 900 else 'NOT met'}")
        if args.serial and args.workers != 1:
            serial_time, serial = _run(reports / "serial", 1, args.operations)
            _report("serial", serial_time, serial)
            _compare(title, parallel, "serial", serial)
    return 0


if __name__ == "__main__":
    sys.exit(main())
