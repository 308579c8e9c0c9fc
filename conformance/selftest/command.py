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

from conformance.errors import ConformanceError
from conformance.selftest.fault import Fault

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
    with NovaBox() as box:
        result = run_selftest(box.url, box.tokens, ["-c", str(SUITES / "run.ini"), "-x"], faults, workers=args.jobs)
    print(result.summary())
    return 0 if result.ok else 1


def _serve(chosen: Fault) -> int:
    from conformance.novabox import NovaBox
    from conformance.selftest import FaultProxy

    print(f"conformance selftest: booting nova-box behind fault {chosen.id!r} ({chosen.description})...",
          file=sys.stderr, flush=True)
    with NovaBox() as box, FaultProxy(box.url, chosen) as proxy:
        print(json.dumps({"url": proxy.url, "tokens": box.tokens, "fault": chosen.id, "upstream": box.url}),
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print(f"conformance selftest: stopping; fault {chosen.id!r} fired {proxy.hits} times", file=sys.stderr)
    return 0
