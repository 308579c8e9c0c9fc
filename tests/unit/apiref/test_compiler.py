"""Tests of conformance.apiref.compiler on the fixture api-ref (tests/fixtures/apiref)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiref_fixture import FIXTURE, SOURCE, line_of

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.errors import ParametersError, SampleError
from conformance.model import ApiRef, Field, Microversion, MicroversionRange, Source

SNAPSHOTS = SOURCE / "server-snapshots.inc"
VERSIONS = SOURCE / "versions.inc"
LIST = "/servers/{server_id}/snapshots"
ONE = "/servers/{server_id}/snapshots/{snapshot_id}"
ACTION = "/servers/{server_id}/snapshots/{snapshot_id}/action"
V = Microversion.parse


def names(fields: tuple[Field, ...]) -> list[str]:
    return [f.name for f in fields]


def test_every_section_is_an_operation(fixture_apiref: ApiRef) -> None:
    # Files in name order: server-snapshots.inc, then versions.inc.
    assert [(o.method, o.path, o.action) for o in fixture_apiref.operations] == [
        ("GET", LIST, None),
        ("GET", ONE, None),
        ("POST", ACTION, "pin"),
        ("POST", ACTION, "unpin"),
        ("DELETE", ONE, None),
        ("GET", "/", None),
        ("GET", "/v2.1", None),
    ]
    assert fixture_apiref.info.origin == str(SOURCE)
    assert fixture_apiref.info.service == "compute" and fixture_apiref.info.sha256 is None


def test_operation_ranges_come_from_the_prose(fixture_apiref: ApiRef) -> None:
    ranges = {(o.method, o.path, o.action): o.versions for o in fixture_apiref.operations}
    assert ranges[("GET", LIST, None)] == MicroversionRange(V("2.23"))
    assert ranges[("POST", ACTION, "pin")] == MicroversionRange(V("2.22"))
    assert ranges[("DELETE", ONE, None)] == MicroversionRange(V("2.24"))
    assert ranges[("GET", "/", None)].unbounded


def test_variants_are_keyed_by_their_action_name(fixture_apiref: ApiRef) -> None:
    pin = fixture_apiref.find("POST", ACTION, "pin")
    unpin = fixture_apiref.find("POST", ACTION, "unpin")
    assert (pin.title, unpin.title) == ("Pin Snapshot (pin Action)", "Unpin Snapshot (unpin Action)")
    assert pin.operation_id != unpin.operation_id
    assert names(pin.request_body) == ["pin"] and names(pin.request_body[0].children) == ["reason"]
    with pytest.raises(KeyError):
        fixture_apiref.find("POST", ACTION)


def test_parameters_by_location(fixture_apiref: ApiRef) -> None:
    listing = fixture_apiref.find("GET", LIST)
    assert [p.name for p in listing.parameters_in("path")] == ["server_id"]
    assert [(p.name, p.key, str(p.versions)) for p in listing.parameters_in("query")] == [
        ("limit", "limit", "2.10-"), ("changes-since", "changes_since", "2.25-"),
    ]
    assert [p.name for p in listing.response_parameters][:2] == ["snapshots", "created_at"]


def test_response_tree_and_field_versions(fixture_apiref: ApiRef) -> None:
    (snapshots,) = fixture_apiref.find("GET", LIST).response_body
    fields = {f.name: f.parameter for f in snapshots.children}
    assert snapshots.complete
    assert list(fields) == ["created_at", "id", "legacy_host", "name", "size", "status", "updated_at", "uuid",
                            "snapshots_links"]
    assert fields["legacy_host"].versions == MicroversionRange(None, V("2.24"))
    assert fields["uuid"].versions == MicroversionRange(V("2.25"))
    assert fields["updated_at"].nullable and not fields["created_at"].nullable
    assert fields["created_at"].format == "date-time"
    # The show sample has an undocumented `progress`: the object is not complete.
    (snapshot,) = fixture_apiref.find("GET", ONE).response_body
    assert not snapshot.complete


def test_samples_know_their_microversion_and_side(fixture_apiref: ApiRef) -> None:
    listing = fixture_apiref.find("GET", LIST)
    assert [(s.path, s.microversion, s.is_request) for s in listing.samples] == [
        ("doc/api_samples/server-snapshots/v2.23/snapshots-index.json", V("2.23"), False),
        ("doc/api_samples/server-snapshots/v2.25/snapshots-index.json", V("2.25"), False),
    ]
    assert listing.samples[0].body["snapshots"][0]["legacy_host"] == "compute1"  # type: ignore[index]
    unpin = fixture_apiref.find("POST", ACTION, "unpin")
    assert [(s.microversion, s.is_request, s.body) for s in unpin.samples] == [(None, True, {"unpin": None})]


def test_codes_preconditions_postconditions(fixture_apiref: ApiRef) -> None:
    pin = fixture_apiref.find("POST", ACTION, "pin")
    assert [c.status for c in pin.normal_codes] == [202]
    assert [(c.name, c.status) for c in pin.error_codes][-1] == ("conflict", 409)
    (rule,) = pin.preconditions
    assert (rule.subject, rule.attribute, rule.allowed, rule.versions.unbounded) == ("snapshot", "status",
                                                                                     ("available",), True)
    assert [s.text for s in pin.precondition_text] == ["The snapshot status must be ``available``.",
                                                       "The server must exist."]
    assert [s.text for s in pin.postconditions] == ["The snapshot is kept when its server is deleted."]
    delete = fixture_apiref.find("DELETE", ONE)
    assert [(r.allowed, str(r.versions)) for r in delete.preconditions] == [
        (("available",), "2.24-2.26"), (("available", "error"), "2.27-"),
    ]
    assert [s.text for s in fixture_apiref.unrecognised_preconditions] == ["The server must exist."]


def test_advertised_versions_come_from_the_version_document(fixture_apiref: ApiRef) -> None:
    assert fixture_apiref.versions == MicroversionRange(V("2.1"), V("2.30"))
    assert fixture_apiref.versions_source == Source("versions.inc", line_of(VERSIONS, ".. literalinclude::"))


def test_every_element_points_at_its_file_and_line(fixture_apiref: ApiRef) -> None:
    listing = fixture_apiref.find("GET", LIST)
    assert listing.source == Source("server-snapshots.inc", line_of(SNAPSHOTS, f".. rest_method:: GET {LIST}"))
    assert listing.normal_codes[0].source.line == line_of(SNAPSHOTS, "Normal response codes: 200")
    assert listing.error_codes[0].source.line == line_of(SNAPSHOTS, "Error response codes: unauthorized")
    assert listing.notes[0].source.line == line_of(SNAPSHOTS, "Microversion 2.23 or greater")
    assert listing.samples[1].source.line == line_of(SNAPSHOTS, "v2.25/snapshots-index.json")
    for parameter in listing.parameters + listing.response_parameters:
        assert parameter.source == Source("server-snapshots.inc", line_of(SNAPSHOTS, f"- {parameter.name}: "))
        assert parameter.definition == Source("parameters.yaml",
                                              line_of(SOURCE / "parameters.yaml", f"{parameter.key}:"))
    (snapshots,) = listing.response_body
    assert snapshots.children[0].parameter.source.line == line_of(SNAPSHOTS, "- created_at: created")
    delete = fixture_apiref.find("DELETE", ONE)
    assert delete.postconditions[0].source.line == line_of(SNAPSHOTS, "The snapshot is gone")
    assert delete.preconditions[0].sentence.source.line == line_of(SNAPSHOTS, "For microversions from 2.24")
    pin = fixture_apiref.find("POST", ACTION, "pin")
    assert pin.preconditions[0].sentence.source == Source("server-snapshots.inc",
                                                          line_of(SNAPSHOTS, "The snapshot status must be"))
    assert [c.source.line for c in pin.error_codes] == [line_of(SNAPSHOTS, "badRequest(400)")] * 5


def test_defects_of_the_fixture(fixture_apiref: ApiRef) -> None:
    found = {(d.code, d.source) for d in fixture_apiref.defects}
    assert found == {
        ("unplaced-parameter", Source("server-snapshots.inc", line_of(SNAPSHOTS, "- snapshots_links:"))),
        ("undocumented-sample-field", Source("server-snapshots.inc", line_of(SNAPSHOTS, "v2.25/snapshot-get.json"))),
        # versions.inc documents the `version` wrapper as a string.
        ("sample-type-mismatch", Source("versions.inc", line_of(VERSIONS, "v21-version-get-resp.json"))),
    }


def test_the_string_typed_version_wrapper_holds_its_fields(fixture_apiref: ApiRef) -> None:
    (version,) = fixture_apiref.find("GET", "/v2.1").response_body
    assert version.parameter.type == "object"
    assert names(version.children) == ["id", "links", "min_version", "status", "version"]


def test_unknown_key_is_an_error_when_strict_and_a_defect_otherwise(fixture_copy: Path) -> None:
    inc = fixture_copy / "server-snapshots.inc"
    inc.write_text(inc.read_text().replace("- reason: pin_reason", "- reason: pin_reasn"))
    line = line_of(inc, "- reason: pin_reasn")
    with pytest.raises(ParametersError) as error:
        compile_apiref(sources.local(fixture_copy), jobs=1)
    assert str(error.value) == (f"server-snapshots.inc:{line}: unknown parameter 'pin_reasn' "
                                "(did you mean 'pin_reason'?)")
    lenient = compile_apiref(sources.local(fixture_copy), strict=False, jobs=1)
    assert ("unknown-parameter", Source("server-snapshots.inc", line)) in {(d.code, d.source) for d in lenient.defects}
    assert "reason" not in [p.name for p in lenient.find("POST", ACTION, "pin").parameters]


def test_missing_sample_is_a_sample_error_at_the_include(fixture_copy: Path) -> None:
    (fixture_copy.parent.parent / "doc" / "api_samples" / "server-snapshots" / "pin-req.json").unlink()
    with pytest.raises(SampleError) as error:
        compile_apiref(sources.local(fixture_copy), jobs=1)
    assert (error.value.path, error.value.line) == ("server-snapshots.inc",
                                                    line_of(fixture_copy / "server-snapshots.inc", "pin-req.json"))


def test_parallel_and_serial_compiles_agree() -> None:
    assert compile_apiref(sources.local(SOURCE), jobs=2) == compile_apiref(sources.local(SOURCE), jobs=1)


def test_fixture_is_laid_out_like_a_nova_checkout() -> None:
    source = sources.local(SOURCE)
    assert source.repo_root == FIXTURE
    assert [p.name for p in source.inc_files()] == ["server-snapshots.inc", "versions.inc"]
