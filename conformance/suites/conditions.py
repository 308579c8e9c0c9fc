"""What the api-ref's Asynchronous Postconditions promise about a resource's status, read from its sentences.

    awaited(operation)  ->  Promise(statuses=("SHUTOFF",), sentence=Sentence(...)) or None

"After you successfully stop a server, its status changes to ``SHUTOFF``."
and "A successfully resized server shows a ``VERIFY_RESIZE`` status" each
promise a status; an operation whose sentences promise several (shelve:
``SHELVED``, or ``SHELVED_OFFLOADED`` when the cloud offloads at once) is
satisfied by any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.model import Operation, Sentence

__all__ = ["Promise", "awaited"]

_PROMISES = (
    re.compile(r"status (?:changes|will change) to ``(?P<status>[A-Z_]+)``"),
    re.compile(r"shows an? ``(?P<status>[A-Z_]+)`` status"),
    re.compile(r"changes the (?:\w+ )?status to ``(?P<status>[A-Z_]+)``"),
)


@dataclass(frozen=True)
class Promise:
    """The statuses a resource reaches after the operation, and the sentence that says so."""

    statuses: tuple[str, ...]
    """Any of them fulfils the promise."""
    sentence: Sentence
    """The first sentence making it."""


def awaited(operation: Operation) -> Promise | None:
    """The status promise of the operation's postconditions, or None when they make none."""
    statuses: list[str] = []
    first: Sentence | None = None
    for sentence in operation.postconditions:
        for pattern in _PROMISES:
            for match in pattern.finditer(sentence.text):
                if match.group("status") not in statuses:
                    statuses.append(match.group("status"))
                    first = first or sentence
    return Promise(tuple(statuses), first) if first is not None else None
