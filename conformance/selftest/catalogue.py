"""``FAULTS``: the catalogue, in a stable order; ids are unique."""

from __future__ import annotations

from conformance.selftest.fault import Fault
from conformance.selftest.faults_answers import ANSWER_FAULTS
from conformance.selftest.faults_behaviour import BEHAVIOUR_FAULTS
from conformance.selftest.faults_body import BODY_FAULTS
from conformance.selftest.faults_compute import COMPUTE_FAULTS
from conformance.selftest.faults_placement import PLACEMENT_FAULTS
from conformance.selftest.faults_protocol import PROTOCOL_FAULTS

__all__ = ["FAULTS", "fault"]

FAULTS: tuple[Fault, ...] = (BODY_FAULTS + PROTOCOL_FAULTS + BEHAVIOUR_FAULTS + ANSWER_FAULTS + COMPUTE_FAULTS
                             + PLACEMENT_FAULTS)


def _check_unique(faults: tuple[Fault, ...]) -> None:
    seen: set[str] = set()
    for each in faults:
        if each.id in seen:
            raise ValueError(f"fault id {each.id!r} is used twice")
        seen.add(each.id)


_check_unique(FAULTS)


def fault(fault_id: str) -> Fault:
    """The catalogued fault with this id; KeyError naming the known ids otherwise."""
    for each in FAULTS:
        if each.id == fault_id:
            return each
    raise KeyError(f"unknown fault {fault_id!r}; known: {', '.join(f.id for f in FAULTS)}")
