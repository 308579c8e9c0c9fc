"""The mutation self-test: the suites against a target behind a fault-injecting proxy.

    from conformance.selftest import FAULTS, FaultProxy, run_selftest, kill_rate

    with FaultProxy("http://127.0.0.1:8774/v2.1/", fault("drop-status")) as proxy:
        ...                                   # proxy.url answers with 'status' dropped
    result = run_selftest(box.url, box.tokens, workers=4)
    print(result.summary())                   # baseline, then per fault; kill rate

Modules: ``exchange`` (what a fault sees), ``fault`` (``Fault``, routes),
``faults_body`` / ``faults_protocol`` / ``faults_behaviour`` (the catalogue by
kind), ``catalogue`` (``FAULTS``), ``proxy`` (``FaultProxy``), ``runner``
(``run_selftest``). Depends on requests and the plugin's command line only.
"""

from __future__ import annotations

from conformance.selftest.catalogue import FAULTS, fault
from conformance.selftest.exchange import Exchange, Request, Response
from conformance.selftest.fault import FAMILIES, Fault
from conformance.selftest.proxy import FaultProxy
from conformance.selftest.runner import FaultRun, SelftestResult, kill_rate, run_selftest

__all__ = [
    "FAMILIES",
    "FAULTS",
    "Exchange",
    "Fault",
    "FaultProxy",
    "FaultRun",
    "Request",
    "Response",
    "SelftestResult",
    "fault",
    "kill_rate",
    "run_selftest",
]
