"""Identifiers that no deployment has, and how they travel in a URL path."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

__all__ = ["EMPTYISH", "ID_KINDS", "path_segment", "unknown_ids"]

ID_KINDS = ("uuid", "integer")
"""The kinds of identifier :func:`unknown_ids` imitates: server UUIDs, migration integers."""

# Odd values that still mean "no such thing". None of them is the empty string (which changes the
# route), "." or ".." (which clients fold away), or a value a database could read as an existing id.
EMPTYISH = (
    "0",
    "-1",
    "-0",
    "1.5",
    "0.0",
    "%00",
    "null",
    "None",
    "undefined",
    "NaN",
    "Infinity",
    "true",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
)


def _not_numeric(text: str) -> bool:
    # MySQL compares an integer column with a string by converting the string's numeric prefix:
    # id = '12abc' (or ' 12', '+12', '1e1', '.5e1') matches migration 12 (10, 5). A string that starts
    # with neither a digit, a sign, a dot nor a space has no numeric prefix; it converts to 0, no id.
    first = text[0]
    return not (first.isdigit() or first in "+-." or first.isspace())


_TEXT = st.text(
    # Printable characters of the basic multilingual plane: astral characters are a known MySQL
    # utf8mb3 failure of their own, not what "an unknown id" checks. No slash or backslash: decoded
    # in PATH_INFO, they would change the route rather than name an unknown resource.
    alphabet=st.characters(
        codec="utf-8", max_codepoint=0xFFFF, categories=("L", "N", "P", "S"), exclude_characters="/\\"
    ),
    min_size=1,
    max_size=40,
).filter(_not_numeric)

_HUGE = st.one_of(
    st.integers(min_value=2**63, max_value=2**128),
    st.integers(min_value=2**31, max_value=2**63 - 1),
).map(str)

_NEGATIVE = st.integers(max_value=-1).map(str)


def unknown_ids(kind: str = "uuid") -> SearchStrategy[str]:
    """Identifiers, as the text that goes in the URL, that no deployment has.

    ``kind="uuid"`` (servers) gives random version 4 UUIDs first, then the odd values below;
    ``kind="integer"`` (migrations) gives integers beyond any table: above 2**63, 2**31..2**63,
    negative, then the odd values. The odd values, in both kinds: :data:`EMPTYISH` (``"0"``, ``"-1"``,
    ``"1.5"``, ``"%00"``, ...) and non-numeric printable strings. Never the empty string, never a
    string a database could read as a small positive integer (for ``integer``, UUIDs starting with a
    digit are left out for that reason). Put a value in a path with :func:`path_segment`.
    Shrinks towards the first family of the kind: a UUID, or 2**63.

    Example: ``unknown_ids("integer")`` generates ``"9223372036854775808"``, ``"-1"``, ``"abc"``, ...
    Raises :class:`hypothesis.errors.InvalidArgument` for another kind.
    """
    if kind not in ID_KINDS:
        raise InvalidArgument(f"Expected kind to be one of {ID_KINDS} but got kind={kind!r}")
    uuids = st.uuids(version=4).map(str)
    odd = st.one_of(st.sampled_from(EMPTYISH), _TEXT)
    if kind == "uuid":
        return st.one_of(uuids, odd, _HUGE, _NEGATIVE)
    return st.one_of(_HUGE, _NEGATIVE, odd, uuids.filter(_not_numeric))


def path_segment(value: str | int) -> str:
    """``value`` percent-encoded as one path segment: every reserved character quoted, ``/`` included.

    Example: ``path_segment("a/b c") == "a%2Fb%20c"``, ``path_segment("%00") == "%2500"``.
    Raises ValueError for ``""``, ``"."`` and ``".."``, which would change the route instead.
    """
    text = str(value)
    if text in ("", ".", ".."):
        raise ValueError(f"{text!r} cannot be a path segment: it would change the route")
    return quote(text, safe="")
