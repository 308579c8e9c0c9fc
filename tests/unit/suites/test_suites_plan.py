"""The version plan: --microversions ranges, each operation's boundaries, and the versions tested."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.errors import VersionError
from conformance.model import ApiRef, Field, Microversion, MicroversionRange, Operation, ResponseCode
from conformance.suites.plan import Plan, operation_boundaries, parse_range

SOURCE = Path(__file__).resolve().parents[2] / "fixtures" / "apiref" / "api-ref" / "source"
LIST_PATH = "/servers/{server_id}/snapshots"


def mv(text: str) -> Microversion:
    return Microversion.parse(text)


def versions(*texts: str) -> list[Microversion]:
    return [mv(text) for text in texts]


def span(low: str | None = None, high: str | None = None) -> MicroversionRange:
    return MicroversionRange(mv(low) if low else None, mv(high) if high else None)


@pytest.fixture(scope="module")
def apiref() -> ApiRef:
    return compile_apiref(sources.local(SOURCE), jobs=1)


@pytest.fixture(scope="module")
def list_snapshots(apiref: ApiRef) -> Operation:
    """2.23+, ``legacy_host`` up to 2.24, ``uuid`` from 2.25."""
    return apiref.find("GET", LIST_PATH)


@pytest.mark.parametrize(("text", "expected"), [
    (None, span()),
    ("", span()),
    ("-", span()),
    ("2.1-2.90", span("2.1", "2.90")),
    ("2.59-", span("2.59")),
    ("-2.80", span(None, "2.80")),
    ("2.80", span("2.80", "2.80")),
    (" 2.10 - 2.100 ", span("2.10", "2.100")),
])
def test_parse_range(text: str | None, expected: MicroversionRange) -> None:
    assert parse_range(text) == expected


def test_parse_range_keeps_minor_versions_numeric() -> None:
    parsed = parse_range("2.9-2.10")
    assert parsed.min == mv("2.9") and parsed.max == mv("2.10") and not parsed.empty


@pytest.mark.parametrize("text", ["latest", "2", "2.1-2.x", "2.1-2.5-2.9", "v2.1", "2.1..2.9"])
def test_parse_range_refuses_what_is_not_a_range(text: str) -> None:
    with pytest.raises(VersionError, match=r"^--microversions '" + text.replace(".", r"\.") + "': invalid micro"):
        parse_range(text)


def test_boundaries_of_an_operation(list_snapshots: Operation) -> None:
    # limit from 2.10 (2.9 | 2.10, numerically: not 2.1), served from 2.23 (2.22 | 2.23),
    # legacy_host up to 2.24 (2.24 | 2.25), uuid and changes-since from 2.25 (2.24 | 2.25)
    assert operation_boundaries(list_snapshots) == versions("2.9", "2.10", "2.22", "2.23", "2.24", "2.25")


def test_an_operation_without_versions_has_no_boundaries(apiref: ApiRef) -> None:
    assert operation_boundaries(apiref.find("GET", "/")) == []


def test_boundaries_come_from_every_versioned_element(list_snapshots: Operation) -> None:
    bare = replace(list_snapshots, versions=span(), response_body=(), response_parameters=(), parameters=())
    assert operation_boundaries(bare) == []
    first = list_snapshots.response_body[0].children[0]
    nested = Field(first.parameter, (Field(replace(first.parameter, versions=span("2.40", "2.49"))),))
    assert operation_boundaries(replace(bare, response_body=(nested,))) == versions("2.39", "2.40", "2.49", "2.50")
    code = ResponseCode(201, None, list_snapshots.source, span("2.60"))
    assert operation_boundaries(replace(bare, normal_codes=(code,))) == versions("2.59", "2.60")
    header = replace(list_snapshots.parameters[0], versions=span(None, "2.7"))
    assert operation_boundaries(replace(bare, parameters=(header,))) == versions("2.7", "2.8")


def test_a_range_from_x_dot_zero_has_no_lower_boundary(list_snapshots: Operation) -> None:
    bare = replace(list_snapshots, versions=span("2.0"), response_body=(), response_parameters=(), parameters=())
    assert operation_boundaries(bare) == []


def test_the_plan_tests_boundaries_from_both_sides_and_the_ends(apiref: ApiRef, list_snapshots: Operation) -> None:
    plan = Plan.make(apiref, span("2.1", "2.30"), span())
    assert plan.tested == span("2.1", "2.30")
    assert plan.versions(list_snapshots) == versions("2.1", "2.9", "2.10", "2.22", "2.23", "2.24", "2.25", "2.30")
    assert plan.served(list_snapshots) == versions("2.23", "2.24", "2.25", "2.30")
    assert plan.unserved(list_snapshots) == versions("2.1", "2.9", "2.10", "2.22")


@pytest.mark.parametrize(("requested", "tested", "planned"), [
    ("2.20-", span("2.20", "2.30"), ("2.20", "2.22", "2.23", "2.24", "2.25", "2.30")),
    ("-2.24", span("2.1", "2.24"), ("2.1", "2.9", "2.10", "2.22", "2.23", "2.24")),
    ("2.23-2.24", span("2.23", "2.24"), ("2.23", "2.24")),
    ("2.25", span("2.25", "2.25"), ("2.25",)),
    ("2.1-2.99", span("2.1", "2.30"), ("2.1", "2.9", "2.10", "2.22", "2.23", "2.24", "2.25", "2.30")),
])
def test_the_plan_stays_inside_the_requested_range(apiref: ApiRef, list_snapshots: Operation, requested: str,
                                                   tested: MicroversionRange, planned: tuple[str, ...]) -> None:
    plan = Plan.make(apiref, span("2.1", "2.30"), parse_range(requested))
    assert plan.advertised == span("2.1", "2.30")
    assert plan.tested == tested
    assert plan.versions(list_snapshots) == versions(*planned)
    assert sorted(plan.served(list_snapshots) + plan.unserved(list_snapshots)) == plan.versions(list_snapshots)
    assert all(v in list_snapshots.versions for v in plan.served(list_snapshots))
    assert not any(v in list_snapshots.versions for v in plan.unserved(list_snapshots))


def test_an_operation_served_everywhere_is_tested_at_the_ends(apiref: ApiRef) -> None:
    plan = Plan.make(apiref, span("2.1", "2.30"), span())
    root = apiref.find("GET", "/")
    assert plan.versions(root) == plan.served(root) == versions("2.1", "2.30")
    assert plan.unserved(root) == []


def test_an_operation_the_target_is_too_old_for_is_never_served(apiref: ApiRef, list_snapshots: Operation) -> None:
    plan = Plan.make(apiref, span("2.1", "2.21"), span())
    assert plan.served(list_snapshots) == []
    assert plan.unserved(list_snapshots) == versions("2.1", "2.9", "2.10", "2.21")


@pytest.mark.parametrize("requested", ["2.31-", "-2.0", "2.40-2.50"])
def test_a_requested_range_outside_the_target_is_refused(apiref: ApiRef, requested: str) -> None:
    with pytest.raises(VersionError, match=r"does not meet the target's range 2\.1-2\.30"):
        Plan.make(apiref, span("2.1", "2.30"), parse_range(requested))


def test_a_reversed_range_is_refused(apiref: ApiRef) -> None:
    reversed_range = parse_range("2.25-2.20")
    assert reversed_range.empty
    with pytest.raises(VersionError, match=r"--microversions 2\.25-2\.20 does not meet"):
        Plan.make(apiref, span("2.1", "2.30"), reversed_range)
