"""The pauses between two questions about a resource that is changing."""

from __future__ import annotations

from itertools import islice, pairwise

import pytest

from conformance.suites.polling import FIRST, LONGEST, pauses


def test_pauses_start_short_and_grow_to_the_longest() -> None:
    first = list(islice(pauses(), 8))
    assert first[:4] == pytest.approx([FIRST, FIRST * 1.5, FIRST * 2.25, FIRST * 3.375])
    assert first[4:] == [LONGEST] * 4
    assert all(a <= b for a, b in pairwise(first))


def test_a_long_wait_asks_few_questions() -> None:
    """A server that takes ten seconds to change is asked about 30 times, not the hundred a fixed tenth of a second
    would cost the target."""
    asked, waited = 0, 0.0
    for pause in pauses():
        asked += 1
        if waited >= 10.0:
            break
        waited += pause
    assert asked <= 30 and waited - 10.0 <= LONGEST
