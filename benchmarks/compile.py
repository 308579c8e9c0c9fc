"""Benchmark: compile the whole nova api-ref, against docutils alone on the same files.

    python benchmarks/compile.py [--nova-version 34.0.0 | --api-ref DIR] [--repeat 5]

Prints, for the median of ``--repeat`` runs in one process (after one warm-up
run, so imports and the sdist cache are out of the figures):

- docutils alone: parsing every ``*.inc`` with the os-api-ref directives
  registered (the floor: the compiler cannot parse RST faster than docutils);
- compile: the whole stage, parameters.yaml + RST + samples + nesting +
  preconditions -> ApiRef;
- emit: ApiRef -> the full OpenAPI document;
- the ratio compile / docutils (aim: at most 1.5) and peak memory.

Aims (issue 2): compile at most 1.5x docutils alone and under 2 s on a
2-core machine. The figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.apiref.directives import parse_rst
from conformance.openapi import emit


def _docutils_alone(files: list[Path]) -> None:
    for path in files:
        text = path.read_text(encoding="utf-8")
        parse_rst(text, path.name)


def _median(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nova-version", default="34.0.0")
    parser.add_argument("--api-ref", metavar="DIR")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    source = sources.local(args.api_ref) if args.api_ref else sources.release("nova", args.nova_version)
    files = source.inc_files()

    compile_apiref(source)  # warm-up: imports, page cache
    docutils_time = _median(lambda: _docutils_alone(files), args.repeat)
    compile_time = _median(lambda: compile_apiref(source), args.repeat)
    apiref = compile_apiref(source)
    emit_time = _median(lambda: emit(apiref), args.repeat)

    tracemalloc.start()
    compile_apiref(source)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"source:          {source.origin} ({len(files)} .inc files, {len(apiref.operations)} sections)")
    print(f"machine:         {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"docutils alone:  {docutils_time:.3f} s (median of {args.repeat})")
    print(f"compile:         {compile_time:.3f} s (median of {args.repeat})")
    print(f"ratio:           {compile_time / docutils_time:.2f}x docutils alone (aim: <= 1.5x)")
    print(f"emit OpenAPI:    {emit_time:.3f} s")
    print(f"peak memory:     {peak / 2**20:.1f} MiB (tracemalloc, one compile)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
