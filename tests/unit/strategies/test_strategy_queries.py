"""query_parameters and unknown_query_parameters, on a hand-built GET /os-migrations and on nova's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition, InvalidArgument

from conformance.model import ApiRef, Microversion, MicroversionRange, Operation, Parameter, Source
from conformance.strategies import iso8601, query_parameters, seen_or, unknown_query_parameters

FAST = settings(max_examples=60, deadline=None)
FIND = settings(database=None, max_examples=500)


def query(name: str, type_: str, low: str | None = None, fmt: str | None = None) -> Parameter:
    return Parameter(
        name=name,
        key=name,
        location="query",
        required=False,
        type=type_,
        description="",
        versions=MicroversionRange(Microversion.parse(low) if low else None, None),
        nullable=False,
        source=Source("os-migrations.inc", 30),
        definition=Source("parameters.yaml", 1),
        format=fmt,
    )


LIST_MIGRATIONS = Operation(
    method="GET",
    path="/os-migrations",
    title="List Migrations",
    group="Migrations (os-migrations)",
    description="",
    versions=MicroversionRange(),
    normal_codes=(),
    error_codes=(),
    parameters=(
        query("hidden", "integer"),
        query("host", "string"),
        query("status", "string"),
        query("limit", "integer", "2.59"),
        query("marker", "string", "2.59"),
        query("changes-since", "string", "2.59", "date-time"),
        query("changes-before", "string", "2.66", "date-time"),
        query("user_id", "string", "2.80"),
        query("tags", "array"),
        query("all", "boolean"),
    ),
    request_body=(),
    response_parameters=(),
    response_body=(),
    samples=(),
    preconditions=(),
    precondition_text=(),
    postconditions=(),
    admin_only=True,
    source=Source("os-migrations.inc", 20),
)
SERVED_FROM_2_23 = Operation(**{**LIST_MIGRATIONS.__dict__, "versions": MicroversionRange(Microversion(2, 23))})


def parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.mark.parametrize("version", [Microversion(2, 58), Microversion(2, 59), Microversion(2, 80)], ids=str)
@FAST
@given(data=st.data())
def test_queries_hold_documented_names_with_valid_values(version: Microversion, data: st.DataObject) -> None:
    values = data.draw(query_parameters(LIST_MIGRATIONS, version))
    documented = {p.name: p for p in LIST_MIGRATIONS.parameters if version in p.versions}
    assert set(values) <= set(documented) - {"marker"}
    for name, value in values.items():
        kind = documented[name].type
        if kind == "integer":
            assert isinstance(value, str) and value.isdigit()
        elif kind == "boolean":
            assert value in ("true", "false")
        elif kind == "array":
            assert isinstance(value, list) and value and all(isinstance(item, str) and item for item in value)
        elif documented[name].format == "date-time":
            assert parse(value).tzinfo is not None
        else:
            assert isinstance(value, str) and value


def test_queries_shrink_to_none() -> None:
    assert find(query_parameters(LIST_MIGRATIONS, Microversion(2, 80)), lambda _: True, settings=FIND) == {}


def test_a_given_value_strategy_is_used_and_brings_the_marker_in() -> None:
    strategy = query_parameters(LIST_MIGRATIONS, Microversion(2, 59), {"marker": st.just("m-1")})
    assert find(strategy, lambda q: "marker" in q, settings=FIND) == {"marker": "m-1"}


@pytest.mark.parametrize(
    ("operation", "version", "values", "message"),
    [
        (LIST_MIGRATIONS, Microversion(2, 58), {"marker": st.just("x")}, "not query parameters"),
        (SERVED_FROM_2_23, Microversion(2, 22), None, "served at 2.23-"),
        (LIST_MIGRATIONS, "2.59", None, "Microversion"),
    ],
)
def test_bad_arguments_are_refused(operation: Operation, version: Microversion, values: object, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        query_parameters(operation, version, values)  # type: ignore[arg-type]


@FAST
@given(stamp=iso8601())
def test_time_stamps_are_iso8601_with_an_offset(stamp: str) -> None:
    assert len(stamp) in (20, 25)
    assert 2000 <= parse(stamp).year <= 2099


@pytest.mark.parametrize("version", [None, Microversion(2, 1), Microversion(2, 59), Microversion(2, 80)], ids=str)
@FAST
@given(data=st.data())
def test_unknown_names_are_not_documented(version: Microversion | None, data: st.DataObject) -> None:
    name = data.draw(unknown_query_parameters(LIST_MIGRATIONS, version))
    documented = {p.name for p in LIST_MIGRATIONS.parameters if version is None or version in p.versions}
    assert name and name not in documented


def test_unknown_names_start_with_those_of_other_versions() -> None:
    assert find(unknown_query_parameters(LIST_MIGRATIONS, Microversion(2, 59)), lambda _: True, settings=FIND) in (
        "changes-before",
        "user_id",
    )


@pytest.mark.network
@pytest.mark.parametrize("version", [Microversion(2, 23), Microversion(2, 59), Microversion(2, 80)], ids=str)
@FAST
@given(data=st.data())
def test_nova_os_migrations_queries(nova: ApiRef, version: Microversion, data: st.DataObject) -> None:
    operation = nova.find("GET", "/os-migrations")
    names = {p.name for p in operation.parameters_in("query") if version in p.versions}
    assert set(data.draw(query_parameters(operation, version))) <= names - {"marker"}
    assert data.draw(unknown_query_parameters(operation, version)) not in names


# -- values seen on a target that changes between examples ----------------------------------------------


def _always_failing(values: Any) -> None:
    """A test that fails on every example while the list it draws from changes under it (as a live list does
    while other tests create and delete), so that hypothesis replays and shrinks over a changing list."""
    live: list[str] = []

    @settings(max_examples=30, database=None, derandomize=True)
    @given(st.data())
    def changing(data: st.DataObject) -> None:
        live.append(f"item-{len(live)}")
        seen = live[: len(live) % 5]
        data.draw(st.fixed_dictionaries({}, optional={"name": values(seen), "other": st.integers()}))
        raise AssertionError("fails on every example")

    changing()


def test_a_value_seen_is_drawn_alike_whatever_the_target_holds() -> None:
    """seen_or draws the same choices however many values were seen: hypothesis replays the failing example and
    reports its failure, where sampled_from over the live values stops with FlakyStrategyDefinition."""
    with pytest.raises(FlakyStrategyDefinition):
        _always_failing(lambda seen: st.sampled_from(seen) if seen else st.text())
    with pytest.raises(AssertionError, match="fails on every example"):
        _always_failing(lambda seen: seen_or(seen, st.text()))


@given(st.data())
@FAST
def test_a_value_seen_is_one_of_them_or_else_the_fallbacks(data: st.DataObject) -> None:
    seen = data.draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
    value = data.draw(seen_or(seen, st.just("fallback")))
    assert value in seen if seen else value == "fallback"
