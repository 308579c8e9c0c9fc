"""The body trees Placement's api-ref needed, on bodies of its shape (our own, not placement's samples): a body
that is one array, a field shown only through maps, fields placed by the samples of their versions, a map's
unseen field between two of its values' fields, a body keyed by UUIDs, dotted names under an unlisted parent."""

from __future__ import annotations

from test_nesting import listing, param, sample, shape

from conformance.apiref.nesting import build_tree
from conformance.model import MicroversionRange, Parameter

U1, U2 = "8d6a2bbb-7a4b-4bb6-9f1e-1b0b0c0f8e11", "4c7b0e0e-1f0a-4a2a-9a55-3f7c5e6b7a22"


def versioned(parameters: list[Parameter], low: str | None, high: str | None) -> list[Parameter]:
    from conformance.model import Microversion

    window = MicroversionRange(Microversion.parse(low) if low else None, Microversion.parse(high) if high else None)
    return [p.__class__(**{**p.__dict__, "versions": window}) for p in parameters]


def test_a_body_that_is_one_array_is_that_field_whole() -> None:
    fields, _ = build_tree([param("widgets", "array")], [sample([U1, U2])])
    assert [(f.name, f.whole) for f in fields] == [("widgets", True)]
    fields, _ = build_tree([param("widgets", "array")], [sample({"widgets": [U1]})])
    assert not fields[0].whole


def test_an_unseen_field_between_two_of_a_maps_values_is_in_them() -> None:
    parameters = listing("generation", ("stock", "object"), ("total", "integer"), ("step", "integer"),
                         ("reserved", "integer"))
    body = {"generation": 1, "stock": {"DISK": {"total": 5, "reserved": 0}, "CPU": {"total": 2, "reserved": 1}}}
    fields, _ = build_tree(parameters, [sample(body)])
    assert shape(fields) == ["generation", ("stock", ["total", "step", "reserved"])]
    assert fields[1].keyed


def test_a_field_shown_only_through_maps_is_placed_there() -> None:
    # `resources` is listed once for two places: the samples show `capacity` only under the summaries' map.
    parameters = listing(("requests", "array"), ("summaries", "object"), ("allocations", "object"),
                         ("resources", "object"), ("capacity", "integer"))
    body = {"requests": [{"allocations": {U1: {"resources": {"DISK": 1}}}}],
            "summaries": {U1: {"resources": {"DISK": {"capacity": 5}}}}}
    fields, defects = build_tree(parameters, [sample(body)])
    summaries = next(f for f in fields if f.name == "summaries")
    assert summaries.keyed and [c.name for c in summaries.children] == ["resources"]
    assert [c.name for c in summaries.children[0].children] == ["capacity"]
    assert any(d.code == "wrong-ordering" and "through the maps" in d.message for d in defects)


def test_the_samples_of_its_versions_place_a_field() -> None:
    # From 1.12 allocations are a map keyed by provider: a 1.10 sample showing `resources` right in
    # `allocations` (a list then) says nothing of where the 1.12 `resources` is.
    new = versioned(listing(("requests", "array"), ("allocations", "object"), ("resources", "object")), "1.12", None)
    old = versioned(listing(("requests", "array"), ("allocations", "array"), ("resources", "object")), "1.10", "1.11")
    samples = [sample({"requests": [{"allocations": {U1: {"resources": {"D": 1}}}}]}, "1.12"),
               sample({"requests": [{"allocations": [{"resources": {"D": 1}}]}]}, "1.10")]
    fields, _ = build_tree([*new, *old], samples)
    allocations = {str(f.parameter.versions): f.children[0] for f in fields}
    assert allocations["1.12-"].keyed and [c.name for c in allocations["1.12-"].children] == ["resources"]
    assert not allocations["1.10-1.11"].keyed and [c.name for c in allocations["1.10-1.11"].children] == ["resources"]


def test_a_body_keyed_by_uuids_its_first_parameter_names_is_a_map() -> None:
    parameters = listing("consumer_uuid", "project_id", ("allocations", "object"))
    body = {U1: {"project_id": "p", "allocations": {}}, U2: {"project_id": "q", "allocations": {}}}
    fields, _ = build_tree(parameters, [sample(body)])
    assert [(f.name, f.placeholder) for f in fields] == [("consumer_uuid", True)]
    assert [c.name for c in fields[0].children] == ["project_id", "allocations"]
    # Not when the keys are names: a wrapper misnamed stays a wrapper.
    fields, _ = build_tree(listing("consumer_uuid", "project_id"), [sample({"consumer": {"project_id": "p"}})])
    assert not any(f.placeholder for f in fields)


def test_dotted_names_under_a_parent_listed_for_other_versions_only() -> None:
    new = versioned(listing("totals.kind", ("totals.kind.count", "integer"), ("totals.kind.CLASS", "integer")),
                    "1.38", None)
    old = versioned(listing(("totals", "object")), "1.9", "1.36")
    body = {"totals": {"INSTANCE": {"count": 2, "DISK": 5}, "MIGRATION": {"count": 1, "CPU": 2}}}
    fields, _ = build_tree([*new, *old], [sample(body, "1.38"), sample({"totals": {"DISK": 5}}, "1.9")])
    totals = [f for f in fields if f.name == "totals"]
    assert [str(f.parameter.versions) for f in totals] == ["1.38-", "1.9-1.36"]
    kind = totals[0].children[0]
    assert (kind.name, kind.placeholder, kind.parameter.type) == ("kind", True, "object")
    assert [(c.name, c.placeholder) for c in kind.children] == [("count", False), ("CLASS", True)]
