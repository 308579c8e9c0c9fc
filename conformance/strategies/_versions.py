"""Microversions in a range."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from conformance.model import Microversion

__all__ = ["microversions"]


def microversions(low: Microversion, high: Microversion) -> SearchStrategy[Microversion]:
    """Microversions from ``low`` to ``high``, both included. Shrinks towards ``low``.

    Example: ``microversions(Microversion(2, 23), Microversion(2, 80))`` generates 2.23, 2.59, 2.80...
    Raises :class:`hypothesis.errors.InvalidArgument` when an argument is not a Microversion, when
    ``low > high``, or when the majors differ (the minors of a major have no known end).
    """
    for name, value in (("low", low), ("high", high)):
        if not isinstance(value, Microversion):
            raise InvalidArgument(f"Expected a Microversion but got {name}={value!r} ({type(value).__name__})")
    if low.major != high.major:
        raise InvalidArgument(f"Expected low and high of one major version but got low={low}, high={high}")
    if low > high:
        raise InvalidArgument(f"Expected low <= high but got low={low}, high={high}")
    major = low.major
    return st.integers(min_value=low.minor, max_value=high.minor).map(lambda minor: Microversion(major, minor))
