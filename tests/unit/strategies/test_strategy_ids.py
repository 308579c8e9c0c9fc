"""unknown_ids and path_segment: never an empty id, never a slash in a segment."""

from __future__ import annotations

import re
import uuid
from urllib.parse import unquote

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from conformance.strategies import ID_KINDS, path_segment, unknown_ids

FAST = settings(max_examples=200, deadline=None)

# What MySQL makes of a string compared with an integer column: its numeric prefix, or 0.
_MYSQL_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def mysql_number(text: str) -> float:
    match = _MYSQL_NUMBER.match(text)
    return float(match.group(0)) if match else 0.0


@pytest.mark.parametrize("kind", ID_KINDS)
@FAST
@given(data=st.data())
def test_ids_are_never_empty_and_travel_as_one_segment(kind: str, data: st.DataObject) -> None:
    value = data.draw(unknown_ids(kind))
    assert isinstance(value, str)
    assert value not in ("", ".", "..")
    segment = path_segment(value)
    assert "/" not in segment
    assert "?" not in segment and "#" not in segment
    assert unquote(segment) == value


@FAST
@given(value=unknown_ids("integer"))
def test_no_integer_id_reads_as_an_existing_row(value: str) -> None:
    # Server lookups compare strings (and nova checks UUIDs first); migrations compare integers.
    number = mysql_number(value)
    assert not (number >= 1 and number.is_integer() and number < 2**31), number


@pytest.mark.parametrize(
    ("kind", "family"),
    [
        ("uuid", lambda v: len(v) == 36 and uuid.UUID(v).version == 4),
        ("integer", lambda v: v.isdigit() and int(v) > 2**63),
        ("integer", lambda v: v.isdigit() and 2**31 <= int(v) < 2**63),
        ("integer", lambda v: v.startswith("-") and v[1:].isdigit()),
        ("integer", lambda v: v in ("0", "-1", "1.5", "%00")),
        ("integer", lambda v: not any(c.isdigit() for c in v) and len(v) > 3),
        ("uuid", lambda v: not any(c.isdigit() for c in v) and len(v) > 3),
    ],
)
def test_each_family_is_generated(kind: str, family: object) -> None:
    find(unknown_ids(kind), family, settings=settings(max_examples=500, database=None))  # type: ignore[arg-type]


def test_shrinks_to_the_first_family() -> None:
    assert find(unknown_ids("integer"), lambda _: True, settings=settings(database=None)) == str(2**63)
    assert uuid.UUID(find(unknown_ids("uuid"), lambda _: True, settings=settings(database=None))).version == 4


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="kind"):
        unknown_ids("name")


@pytest.mark.parametrize(
    ("value", "segment"),
    [("a/b c", "a%2Fb%20c"), ("%00", "%2500"), (12, "12"), ("é?#", "%C3%A9%3F%23")],
)
def test_path_segment_quotes_everything(value: str | int, segment: str) -> None:
    assert path_segment(value) == segment


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_path_segment_refuses_what_changes_the_route(value: str) -> None:
    with pytest.raises(ValueError, match="change the route"):
        path_segment(value)
