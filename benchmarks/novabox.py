"""Benchmark: nova-box install, boot, memory, idle CPU and request latency.

    python benchmarks/novabox.py [--requests 200] [--rebuild]

Prints:

- install: time to build the cached venv (only when it had to be built, or
  with ``--rebuild``), and its size on disk;
- boot: time from launching the server to its ready line (one seeded migration);
- rss: resident memory of the server process once ready and after the requests;
- idle cpu: the server's CPU use over 5 s with no requests (aim: a few %);
- latency: median and p95 of GET /servers/{id}/migrations at 2.80 as admin.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from conformance.novabox import NovaBox, ensure_environment, environment_status
from conformance.novabox.client import call
from conformance.novabox.environment import default_environment


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the venv to time the install")
    args = parser.parse_args()

    if args.rebuild or environment_status() is not None:
        started = time.monotonic()
        ensure_environment(rebuild=args.rebuild)
        size = subprocess.run(["du", "-sm", str(default_environment().path)], capture_output=True, text=True)
        print(f"install: {time.monotonic() - started:.1f} s, {size.stdout.split()[0]} MB")
    else:
        print("install: skipped (environment already built; --rebuild to time it)")

    started = time.monotonic()
    with NovaBox(seed=1) as box:
        print(f"boot: {time.monotonic() - started:.1f} s to ready (including 1 seeded live migration)")
        pid = box.state["pid"]
        print(f"rss when ready: {rss_mb(pid):.0f} MB")
        before = cpu_seconds(pid)
        time.sleep(5)
        print(f"idle cpu: {100 * (cpu_seconds(pid) - before) / 5:.1f} % of one core")
        server = box.state["seeded"][0]["server"]
        url = f"{box.url.rstrip('/')}/servers/{server}/migrations"
        token = box.tokens["admin"]
        call(url, token, version="2.80")  # warm-up
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            resp = call(url, token, version="2.80")
            timings.append(time.perf_counter() - t0)
            assert resp.status == 200, resp
        timings.sort()
        median = statistics.median(timings) * 1000
        p95 = timings[int(len(timings) * 0.95) - 1] * 1000
        print(
            f"latency GET /servers/{{id}}/migrations @2.80: median {median:.1f} ms, p95 {p95:.1f} ms"
            f" (n={args.requests})"
        )
        print(f"rss after requests: {rss_mb(pid):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
