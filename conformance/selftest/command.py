"""``conformance selftest``: prove the suites against real Nova with one injected fault at a time.

Boots nova-box, runs the suites through the proxy with no fault (they must
pass), then once per fault (they must fail), and prints the kill rate.
Exit 0 only when the baseline passes and every fault is detected.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def main(args: argparse.Namespace) -> int:
    from conformance.novabox import NovaBox
    from conformance.selftest import FAULTS, fault, run_selftest

    faults = tuple(fault(fault_id) for fault_id in args.fault) if args.fault else FAULTS
    if args.list:
        for item in faults:
            print(f"{item.id:<36} {item.family:<14} {item.description}")
        return 0
    print(f"conformance selftest: {len(faults)} faults, {args.jobs} at a time; booting nova-box...",
          file=sys.stderr, flush=True)
    with NovaBox() as box:
        result = run_selftest(box.url, box.tokens, ["-x", "-q"], faults, workers=args.jobs)
    print(result.summary())
    return 0 if result.ok else 1
