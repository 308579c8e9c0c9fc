"""Tests of conformance.apiref.sections: a parsed .inc file read into raw rest_method sections."""

from __future__ import annotations

import pytest
from apiref_fixture import SOURCE, line_of

from conformance.apiref.directives import parse_rst
from conformance.apiref.sections import RawSection, read_common, read_sections
from conformance.model import Microversion, MicroversionRange, ResponseCode, Source

SNAPSHOTS = SOURCE / "server-snapshots.inc"


@pytest.fixture(scope="module")
def sections() -> list[RawSection]:
    text = SNAPSHOTS.read_text(encoding="utf-8")
    return read_sections(parse_rst(text, "server-snapshots.inc"), "server-snapshots.inc")


def read(text: str) -> list[RawSection]:
    return read_sections(parse_rst(text, "a.inc"), "a.inc")


def test_every_rest_method_becomes_a_section_in_document_order(sections: list[RawSection]) -> None:
    assert [(s.method, s.path, s.title) for s in sections] == [
        ("GET", "/servers/{server_id}/snapshots", "List Snapshots"),
        ("GET", "/servers/{server_id}/snapshots/{snapshot_id}", "Show Snapshot Details"),
        ("POST", "/servers/{server_id}/snapshots/{snapshot_id}/action", "Pin Snapshot (pin Action)"),
        ("POST", "/servers/{server_id}/snapshots/{snapshot_id}/action", "Unpin Snapshot (unpin Action)"),
        ("DELETE", "/servers/{server_id}/snapshots/{snapshot_id}", "Delete Snapshot"),
    ]
    assert {s.group for s in sections} == {"Server snapshots (servers, snapshots)"}
    assert [s.line for s in sections] == [line_of(SNAPSHOTS, ".. rest_method::", n) for n in range(1, 6)]


def test_response_codes_keep_names_and_the_paragraph_line(sections: list[RawSection]) -> None:
    pin = sections[2]
    where = Source("server-snapshots.inc", line_of(SNAPSHOTS, "Error response codes: badRequest(400)"))
    assert pin.normal_codes == [ResponseCode(202, None, Source(where.path, where.line - 2))]
    # The paragraph runs over two lines; each code points at its start.
    assert pin.error_codes == [
        ResponseCode(400, "badRequest", where),
        ResponseCode(401, "unauthorized", where),
        ResponseCode(403, "forbidden", where),
        ResponseCode(404, "itemNotFound", where),
        ResponseCode(409, "conflict", where),
    ]


def test_request_and_response_lists_are_told_apart(sections: list[RawSection]) -> None:
    listing = sections[0]
    assert [(p.name, p.key) for p in listing.request] == [
        ("server_id", "server_id_path"), ("limit", "limit"), ("changes-since", "changes_since"),
    ]
    assert [p.name for p in listing.response][:3] == ["snapshots", "created_at", "id"]
    assert listing.response[0].line == line_of(SNAPSHOTS, "- snapshots: snapshots")


def test_includes_know_their_side(sections: list[RawSection]) -> None:
    listing, _, pin, unpin, delete = sections
    assert [(i.path.rsplit("/", 2)[-2:], i.is_request) for i in listing.includes] == [
        (["v2.23", "snapshots-index.json"], False), (["v2.25", "snapshots-index.json"], False),
    ]
    assert [i.is_request for i in pin.includes + unpin.includes] == [True, True]
    assert delete.includes == []


def test_notes_description_and_admin_only(sections: list[RawSection]) -> None:
    listing, show = sections[0], sections[1]
    assert [n.text for n in listing.notes] == ["Microversion 2.23 or greater is required for this API."]
    assert listing.notes[0].source.line == line_of(SNAPSHOTS, ".. note:: Microversion 2.23")
    assert listing.description[0].text == "Lists the snapshots of a given server."
    assert listing.admin_only and not show.admin_only
    assert [s.text for s in listing.group_notes] == ["List, show, pin, unpin and delete the snapshots of a server."]


def test_preconditions_and_postconditions_blocks(sections: list[RawSection]) -> None:
    pin, delete = sections[2], sections[4]
    assert [s.text for s in pin.preconditions] == ["The snapshot status must be ``available``.",
                                                   "The server must exist."]
    assert [s.text for s in pin.postconditions] == ["The snapshot is kept when its server is deleted."]
    # The prose after the blocks goes back to the description, not into the blocks.
    assert pin.description[-1].text == "Microversion 2.22 or greater is required for this API."
    assert delete.preconditions[0].source.line == line_of(SNAPSHOTS, "For microversions from 2.24 to 2.26")
    assert "can also be ``error``" in delete.preconditions[0].text


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("Normal response codes: 200", [(200, None, "all")]),
        ("Normal response codes: 200 (microversions 2.0 - 2.100), 201 (microversions 2.101 - )",
         [(200, None, "2.0-2.100"), (201, None, "2.101-")]),
        ("Error response codes: 404 (itemNotFound)", [(404, "itemNotFound", "all")]),
        ("Error response codes: badRequest(400),\nunauthorized(401).", [(400, "badRequest", "all"),
                                                                       (401, "unauthorized", "all")]),
    ],
)
def test_code_forms(paragraph: str, expected: list[tuple[int, str | None, str]]) -> None:
    (raw,) = read(f"T\n=\n\n.. rest_method:: GET /x\n\n{paragraph}\n")
    codes = raw.normal_codes + raw.error_codes
    assert [(c.status, c.name, str(c.versions)) for c in codes] == expected
    assert not raw.problems


def test_missing_comma_is_read_and_reported() -> None:
    (raw,) = read("T\n=\n\n.. rest_method:: GET /x\n\nError response codes: forbidden(403) itemNotFound(404)\n")
    assert [c.status for c in raw.error_codes] == [403, 404]
    assert [(code, line) for code, _, line in raw.problems] == [("malformed-response-codes", 6)]


def test_unreadable_code_is_reported() -> None:
    (raw,) = read("T\n=\n\n.. rest_method:: GET /x\n\nNormal response codes: fine\n")
    assert raw.normal_codes == []
    assert raw.problems[0][:2] == ("malformed-response-codes", "cannot read response code 'fine'")


def test_rest_method_version_options_are_kept() -> None:
    (raw,) = read("T\n=\n\n.. rest_method:: GET /x\n   min_version: 2.53\n")
    assert raw.version_options == {"min_version": ("2.53", 5)}


def test_parameters_outside_every_operation_are_common() -> None:
    text = (
        "Request IDs\n===========\n\n**Request**\n\n.. rest_parameters:: parameters.yaml\n\n"
        "  - X-Openstack-Request-Id: request_id_header\n\n**Response**\n\n"
        ".. rest_parameters:: parameters.yaml\n\n  - X-Openstack-Request-Id: request_id_resp\n"
    )
    document = parse_rst(text, "request-ids.inc")
    assert read_sections(document, "request-ids.inc") == []
    common = read_common(document, "request-ids.inc")
    assert common is not None
    assert [(p.key, p.line) for p in common.request] == [("request_id_header", 8)]
    assert [(p.key, p.line) for p in common.response] == [("request_id_resp", 14)]


def test_code_range_microversions_parse() -> None:
    (raw,) = read("T\n=\n\n.. rest_method:: GET /x\n\nNormal response codes: 200 (microversions 2.1 - 2.9)\n")
    assert raw.normal_codes[0].versions == MicroversionRange(Microversion(2, 1), Microversion(2, 9))
