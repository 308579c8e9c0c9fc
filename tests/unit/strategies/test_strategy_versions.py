"""microversions: in the closed range, shrinking to its low end."""

from __future__ import annotations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from conformance.model import Microversion
from conformance.strategies import microversions

minors = st.integers(min_value=0, max_value=120)
FIND = settings(database=None)  # no replay of another test's find: it would not shrink again


@settings(max_examples=100, deadline=None)
@given(a=minors, b=minors, data=st.data())
def test_versions_stay_in_range(a: int, b: int, data: st.DataObject) -> None:
    low, high = Microversion(2, min(a, b)), Microversion(2, max(a, b))
    version = data.draw(microversions(low, high))
    assert low <= version <= high


@pytest.mark.parametrize(("low", "high"), [((2, 23), (2, 80)), ((2, 1), (2, 100)), ((2, 59), (2, 59))])
def test_shrinks_to_low(low: tuple[int, int], high: tuple[int, int]) -> None:
    strategy = microversions(Microversion(*low), Microversion(*high))
    assert find(strategy, lambda _: True, settings=FIND) == Microversion(*low)


def test_shrinks_to_the_first_version_that_fails() -> None:
    strategy = microversions(Microversion(2, 1), Microversion(2, 100))
    found = find(strategy, lambda v: v >= Microversion(2, 59), settings=FIND)
    assert found == Microversion(2, 59)


def test_both_ends_are_reached() -> None:
    strategy = microversions(Microversion(2, 23), Microversion(2, 24))
    assert find(strategy, lambda v: v == Microversion(2, 24), settings=FIND) == Microversion(2, 24)


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        (Microversion(2, 80), Microversion(2, 23), "low <= high"),
        (Microversion(2, 1), Microversion(3, 0), "one major"),
        ("2.1", Microversion(2, 3), "Microversion"),
    ],
)
def test_bad_ranges_are_refused(low: Microversion, high: Microversion, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        microversions(low, high)
