"""``conformance selftest``: prove the suites against real Nova with one injected fault at a time.

Boots nova-box, runs the suites through the proxy with no fault (they must
pass), then once per fault (they must fail), and prints the kill rate.
Exit 0 only when the baseline passes and every fault is detected.

``--serve ID`` runs no suite: it keeps nova-box running behind the proxy with
that one fault and prints nova-box's ready line with the proxy's URL, so that
``conformance run --target URL --admin-token ...`` shows what a report of a
non-conformant deployment looks like.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING

from conformance.errors import ConformanceError
from conformance.selftest.fault import Fault

if TYPE_CHECKING:
    from conformance.selftest.runner import FaultRun

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    from conformance.novabox import NovaBox
    from conformance.plugin import SUITES
    from conformance.selftest import FAULTS, fault, run_selftest

    try:
        faults = tuple(fault(fault_id) for fault_id in args.fault) if args.fault else FAULTS
        served = fault(args.serve) if args.serve else None
    except KeyError as error:
        raise ConformanceError(error.args[0]) from None
    if args.jobs < 1:
        raise ConformanceError(f"--jobs must be 1 or more, got {args.jobs}")
    if args.list:
        for item in faults:
            print(f"{item.id:<36} {item.family:<14} {item.description}")
        return 0
    if served is not None:
        return _serve(served)
    print(f"conformance selftest: {len(faults)} faults, {args.jobs} at a time; booting nova-box...",
          file=sys.stderr, flush=True)
    # The suites' own ini file, as `conformance run` uses: the working directory's pytest settings stay out.
    # Each service's faults run against that service of the box (compute's, placement's), with its own baseline.
    services = list(dict.fromkeys(each.service for each in faults))
    results = {}
    ended = 0

    def progress(run: FaultRun) -> None:
        nonlocal ended
        if run.fault_id is not None:
            ended += 1
        again = " (run again, alone)" if run.attempts > 1 else ""
        print(f"conformance selftest: {run.outcome:<14} {run.fault_id or 'baseline'}{again} in {run.duration:.1f} s"
              f" [{ended}/{len(faults)}]", file=sys.stderr, flush=True)

    with NovaBox() as box:
        for service in services:
            chosen = tuple(each for each in faults if each.service == service)
            results[service] = run_selftest(box.service_url(service), box.tokens,
                                            ["-c", str(SUITES / "run.ini"), "--service", service], chosen,
                                            workers=args.jobs, progress=progress)
    for service, result in results.items():
        if len(results) > 1:
            print(f"== {service} ({len(result.runs)} faults)")
        print(result.summary())
    if len(results) > 1:
        killed = sum(sum(result.detected.values()) for result in results.values())
        total = sum(len(result.runs) for result in results.values())
        print(f"kill rate, all services: {killed}/{total}")
    return 0 if all(result.ok for result in results.values()) else 1


def _serve(chosen: Fault) -> int:
    from conformance.novabox import NovaBox
    from conformance.selftest import FaultProxy

    print(f"conformance selftest: booting nova-box behind fault {chosen.id!r} ({chosen.description})...",
          file=sys.stderr, flush=True)
    with NovaBox() as box, FaultProxy(box.service_url(chosen.service), chosen) as proxy:
        print(json.dumps({"url": proxy.url, "tokens": box.tokens, "fault": chosen.id, "service": chosen.service,
                          "upstream": box.service_url(chosen.service)}), flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print(f"conformance selftest: stopping; fault {chosen.id!r} fired {proxy.hits} times", file=sys.stderr)
    return 0
