"""How often the suites ask a target whether a resource has changed.

A resource being built, deleted or acted on is asked again and again. On a target that answers from one
process (nova-box) every question competes with the work it waits for: asked every tenth of a second, half
of nova-box's time went to answering ``GET /servers/{id}`` while the server was being built. The pauses
start short (most actions of nova's fake driver end within a few tenths of a second) and grow to at most
:data:`LONGEST`, so that a long wait costs few questions and learns its end at most that late.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["FIRST", "LONGEST", "pauses"]

FIRST = 0.1
"""Seconds before asking again the first time."""
LONGEST = 0.4
"""Seconds between two questions, at most."""
_GROWTH = 1.5


def pauses(first: float = FIRST, longest: float = LONGEST) -> Iterator[float]:
    """The pauses between one question and the next: ``first``, then half as long again each time, up to
    ``longest`` (0.1, 0.15, 0.225, 0.3375, 0.4, 0.4, ...)."""
    pause = first
    while True:
        yield min(pause, longest)
        pause *= _GROWTH
