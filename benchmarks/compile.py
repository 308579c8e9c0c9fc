"""Benchmark: compile the six pinned api-refs cold, against docutils alone on the same files; then a warm spec.

    python benchmarks/compile.py [--service TYPE ...] [--repeat 5] [--runs 11]

For each service, after one warm-up compile (imports, the sdist cache, the page cache), the best of
``--repeat`` runs in this process (as timeit reports: what other work on the machine adds is not the
compiler's) of:

- docutils alone: parsing every ``*.inc`` the compiler reads, its ``.. include::`` fragments in place (as
  docutils' own include would), with the os-api-ref directives registered (the floor: the compiler cannot
  parse RST faster than docutils); one process;
- compile: the whole stage, ``compile_apiref`` (never the model cache): includes, parameters and status
  files, RST, samples, nesting, preconditions, protocol -> ApiRef, in parallel processes where it can fork
  (as ``conformance`` runs it), and in one process (``jobs=1``);
- peak memory of one one-process compile (tracemalloc).

Then, in fresh processes (median of ``--runs``): ``python -c "import conformance.cli"``, and a warm
``conformance spec`` of each service (``--microversion latest`` where it has microversions): asked again
(the compiled model and the text kept after the first run), and with only the compiled model cached
(the kept texts removed before each run: the model is loaded, projected and dumped).

Aims (issue 10): compile at most 1.2x docutils alone in total; a warm spec at most 3x the import. The
figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from conformance.apiref import services, sources
from conformance.apiref.compiler import compile_apiref
from conformance.apiref.directives import parse_rst
from conformance.apiref.includes import expand


def _docutils_alone(files: list[Path], repository: Path) -> None:
    for path in files:
        # the text docutils would read with its own include directive: the fragments in place
        parse_rst(expand(path.read_text(encoding="utf-8"), path, path.name, repository).text, path.name)


def _best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _process(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _compile_figures(chosen: list[str], repeat: int) -> None:
    print(f"{'service':14s} {'files':>5s} {'sections':>8s} {'docutils':>9s} {'compile':>8s} {'ratio':>6s} "
          f"{'1 process':>9s} {'ratio':>6s} {'peak MiB':>8s}")
    totals = [0.0, 0.0, 0.0]
    for service in chosen:
        source = sources.for_service(service)
        files = source.inc_files()
        apiref = compile_apiref(source, strict=False)  # warm-up
        docutils_time = _best(lambda: _docutils_alone(files, source.repo_root), repeat)  # noqa: B023
        compile_time = _best(lambda: compile_apiref(source, strict=False), repeat)  # noqa: B023
        serial_time = _best(lambda: compile_apiref(source, strict=False, jobs=1), repeat)  # noqa: B023
        tracemalloc.start()
        compile_apiref(source, strict=False, jobs=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        for index, value in enumerate((docutils_time, compile_time, serial_time)):
            totals[index] += value
        print(f"{service:14s} {len(files):5d} {len(apiref.operations):8d} {docutils_time:8.3f}s {compile_time:7.3f}s "
              f"{compile_time / docutils_time:5.2f}x {serial_time:8.3f}s {serial_time / docutils_time:5.2f}x "
              f"{peak / 2**20:8.1f}")
    docutils_total, compile_total, serial_total = totals
    print(f"{'total':14s} {'':5s} {'':8s} {docutils_total:8.3f}s {compile_total:7.3f}s "
          f"{compile_total / docutils_total:5.2f}x {serial_total:8.3f}s {serial_total / docutils_total:5.2f}x"
          "   (aim: <= 1.2x in total)")


def _spec_figures(chosen: list[str], runs: int) -> None:
    cli = [sys.executable, "-m", "conformance.cli"]
    imported = _process([sys.executable, "-c", "import conformance.cli"], runs)
    print(f"\npython -c 'import conformance.cli': {imported:.3f} s (median of {runs})")
    for service in chosen:
        described = services.profile(service)
        versioned = described is not None and described.protocol is not None
        asked = ["spec", "--service", service] + (["--microversion", "latest"] if versioned else [])
        subprocess.run(cli + asked, stdout=subprocess.DEVNULL, check=True)  # the first: compiles, fills the cache
        same = _process(cli + asked, runs)
        fresh: list[float] = []
        for _ in range(runs):
            _forget_texts(service)  # so the cached model is loaded, projected and dumped anew
            start = time.perf_counter()
            subprocess.run(cli + asked, stdout=subprocess.DEVNULL, check=True)
            fresh.append(time.perf_counter() - start)
        anew = statistics.median(fresh)
        print(f"  spec --service {service:14s} {same:.3f} s = {same / imported:4.1f}x import; "
              f"with the model alone cached {anew:.3f} s = {anew / imported:4.1f}x")
    print("  (aim: a warm spec <= 3x the import)")


def _forget_texts(service: str) -> None:
    """Remove the spec texts kept beside a release's compiled model (the model itself stays)."""
    from conformance.apiref import cache

    path = cache.compiled_path(sources.for_service(service))
    if path is not None:
        for kept in path.parent.glob(f"{path.stem}-*.txt"):
            kept.unlink()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", action="append", metavar="TYPE", help="only this service (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="compiles per figure (the best counts)")
    parser.add_argument("--runs", type=int, default=11, help="processes per warm spec figure (median)")
    args = parser.parse_args()
    chosen = args.service or services.service_types()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python "
          f"{sys.version.split()[0]}; compile times are the best of {args.repeat}")
    _compile_figures(chosen, args.repeat)
    _spec_figures(chosen, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
