"""The gizmos fixture (tests/fixtures/gizmos): what the compiler reads of the prose, errata, and sample evidence.

Each test names the rule it exercises; the fixture's README says which part of it does what. Lines are looked
up in the files, not hard-coded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.apiref import errata
from conformance.apiref.compiler import compile_apiref
from conformance.apiref.sources import local
from conformance.errors import InputError
from conformance.model import ApiRef, Field, Microversion
from conformance.openapi import emit, project, response_schema
from conformance.openapi.api_samples import tree_evidence
from conformance.openapi.evidence import sample_defects

GIZMOS = Path(__file__).resolve().parents[2] / "fixtures" / "gizmos"
SOURCE = GIZMOS / "api-ref" / "source"


def line_of(name: str, text: str, occurrence: int = 1) -> int:
    lines = (SOURCE / name).read_text(encoding="utf-8").splitlines()
    hits = [number for number, line in enumerate(lines, 1) if text in line]
    return hits[occurrence - 1]


def compiled(corrections: list[errata.Correction] | None = None) -> ApiRef:
    return compile_apiref(local(SOURCE, service="compute"), corrections=corrections or [], jobs=1)


def field(fields: tuple[Field, ...], *path: str) -> list[Field]:
    """Every field (alternatives included) at a path of a body tree."""
    level, found = list(fields), []
    for depth, name in enumerate(path):
        found = [f for f in level if f.name == name]
        if depth < len(path) - 1:
            level = [child for f in found for child in f.children]
    return found


@pytest.fixture(scope="module")
def plain() -> ApiRef:
    return compiled()


ERRATA = f"""
release: gizmos==1.0
errata:
  - id: E-0001
    kind: name
    operation: GET /gizmos/{{gizmo_id}}
    key: gizmos
    api-ref: gizmos.inc:{line_of("gizmos.inc", "- gizmos: gizmos", 2)}
    says: the list's wrapper
    truth: the body is one gizmo
    correct: {{name: gizmo}}
    evidence: sample doc/api_samples/gizmos/v2.12/gizmo-get-resp.json
    reviewed: 2026-12-02
  - id: E-0002
    kind: type
    operation: GET /gizmos/{{gizmo_id}}
    key: gizmos
    api-ref: gizmos.inc:{line_of("gizmos.inc", "- gizmos: gizmos", 2)}
    says: an array
    truth: an object
    correct: {{type: object}}
    evidence: sample doc/api_samples/gizmos/v2.12/gizmo-get-resp.json
    reviewed: 2026-12-02
  - id: E-0003
    kind: nullable
    key: gizmo_colour
    api-ref: parameters.yaml:{line_of("parameters.yaml", "gizmo_colour:")}
    says: a string
    truth: null for a gizmo never painted
    correct: {{nullable: true}}
    evidence: sample doc/api_samples/gizmos/v2.12/gizmo-get-resp.json
    reviewed: 2026-12-02
  - id: E-0004
    kind: served
    operation: GET /gone
    api-ref: gone.inc:{line_of("gone.inc", "completely removed")}
    says: removed
    truth: served up to 2.35
    correct: {{removed: false}}
    evidence: live GET /gone at 2.35 answered 200
    reviewed: 2026-12-02
  - id: E-0005
    kind: header
    key: x-gizmo-request-id_resp
    api-ref: request-ids.inc:{line_of("request-ids.inc", "X-Gizmo-Request-Id")}
    says: every response carries it
    truth: not GET /legacy
    correct: {{omitted_by: [GET /legacy]}}
    evidence: source gizmos/api-paste.ini:3
    reviewed: 2026-12-02
  - id: E-0006
    kind: type
    key: stats_cpu
    api-ref: parameters.yaml:{line_of("parameters.yaml", "stats_cpu:")}
    says: an integer
    truth: from 2.50 a string may come
    correct: {{type: "integer|string", since: "2.50"}}
    evidence: live GET /gizmos/g1/stats at 2.50 answered a string cpu
    reviewed: 2026-12-02
  - id: E-0007
    kind: nullable
    key: no_such_key
    api-ref: parameters.yaml:1
    says: nothing
    truth: nothing
    correct: {{nullable: true}}
    evidence: live nothing
    reviewed: 2026-12-02
  - id: E-0008
    kind: nullable
    key: gizmo_id_body
    api-ref: parameters.yaml:3
    says: moved
    truth: nothing
    correct: {{nullable: true}}
    evidence: live nothing
    reviewed: 2026-12-02
  - id: E-0009
    kind: nullable
    key: gizmo_label
    api-ref: parameters.yaml:{line_of("parameters.yaml", "gizmo_label:")}
    says: already says null
    truth: it may be null
    correct: {{nullable: true}}
    evidence: live nothing
    reviewed: 2026-12-02
  - id: E-0010
    kind: required
    operation: GET /gizmos
    field: gizmos.colour
    api-ref: gizmos.inc:{line_of("gizmos.inc", "- colour: gizmo_colour")}
    says: required
    truth: not for a gizmo of a cell that is down
    correct: {{required: false}}
    evidence: sample doc/api_samples/gizmos/v9.99/missing.json
    reviewed: 2026-12-02
"""


@pytest.fixture(scope="module")
def corrected() -> ApiRef:
    return compiled(errata.parse(ERRATA, "gizmos-errata.yaml"))


# -- availability read from directives and prose --------------------------------------------------------------


def test_versionadded_at_the_top_of_a_file_holds_for_its_operations_and_under_a_method_for_that_one(
        plain: ApiRef) -> None:
    assert str(plain.find("GET", "/gizmos").versions) == "2.10-"
    assert str(plain.find("GET", "/gizmos/{gizmo_id}").versions) == "2.12-"


def test_file_prose_is_limited_to_the_operations_it_names_or_excepts(plain: ApiRef) -> None:
    assert str(plain.find("GET", "/legacy").versions) == "-2.35"
    assert str(plain.find("GET", "/legacy/{legacy_id}/metadata").versions) == "-2.38"


def test_a_404_from_microversion_n_and_a_complete_removal(plain: ApiRef) -> None:
    assert str(plain.find("GET", "/old-hosts").versions) == "-2.42"
    gone = plain.find("GET", "/gone")
    assert gone.removed and gone.deprecated


def test_deprecated_only_when_the_api_is(plain: ApiRef) -> None:
    assert not plain.find("GET", "/gizmos").deprecated  # "The use of sprockets is deprecated"
    assert plain.find("GET", "/legacy").deprecated and plain.find("GET", "/old-hosts").deprecated


def test_a_range_for_some_requests_only_is_one_lint_message_at_its_line(plain: ApiRef) -> None:
    assert str(plain.find("GET", "/gizmos/{gizmo_id}/ports/{port_label}").versions) == "2.10-"
    found = [d for d in plain.defects if d.code == "ambiguous-availability"]
    assert [(d.source.path, d.source.line) for d in found] == [
        ("gizmos.inc", line_of("gizmos.inc", "Ports of the old kind"))]


# -- fields: nullability, types, bodies ------------------------------------------------------------------------


def test_a_response_whose_prose_says_any_field_may_be_none_has_every_field_nullable(plain: ApiRef) -> None:
    stats = plain.find("GET", "/gizmos/{gizmo_id}/stats")
    assert all(f.parameter.nullable for f in stats.response_body)
    assert not any(d.code == "sample-null-not-nullable" for d in plain.defects)


def test_a_body_shown_before_any_field_exists_is_an_object_of_undocumented_fields(plain: ApiRef) -> None:
    stats = plain.find("GET", "/gizmos/{gizmo_id}/stats")
    below = response_schema(stats, 200, Microversion(2, 47))
    assert below is not None and below["type"] == "object" and "properties" not in below
    at = response_schema(stats, 200, Microversion(2, 48))
    assert at is not None and set(at["properties"]) == {"cpu", "memory"}
    # Its sample's keys are not undocumented fields of the 2.48 body.
    assert not any(d.code == "undocumented-sample-field" and "stats-get-resp" in d.message for d in plain.defects)


def test_a_type_the_description_says_changed_is_split_at_that_version(plain: ApiRef) -> None:
    spec = field(plain.find("GET", "/gizmos").response_body, "gizmos", "spec")
    assert [(f.parameter.type, str(f.parameter.versions)) for f in spec] == [("string", "-2.19"), ("object", "2.20-")]


def test_required_but_for_administrative_users_only_is_optional(plain: ApiRef) -> None:
    host, = field(plain.find("GET", "/gizmos").response_body, "gizmos", "host")
    assert not host.parameter.required
    assert any(d.code == "required-but-conditional" and d.source.path == "parameters.yaml" for d in plain.defects)


def test_a_body_keyed_by_the_path_is_a_map_and_links_are_links(plain: ApiRef) -> None:
    port = plain.find("GET", "/gizmos/{gizmo_id}/ports/{port_label}")
    assert [f.placeholder for f in port.response_body] == [True]
    links, = field(plain.find("GET", "/gizmos").response_body, "gizmos", "links")
    assert links.link


# -- errata ----------------------------------------------------------------------------------------------------


def test_a_renamed_wrapper_is_nested_by_the_samples_under_its_true_name(plain: ApiRef, corrected: ApiRef) -> None:
    before = plain.find("GET", "/gizmos/{gizmo_id}")
    assert [f.name for f in before.response_body] == ["gizmos"]
    after = corrected.find("GET", "/gizmos/{gizmo_id}")
    gizmo, = after.response_body
    assert (gizmo.name, gizmo.parameter.type, gizmo.parameter.errata) == ("gizmo", "object", ("E-0001", "E-0002"))
    assert [c.name for c in gizmo.children] == ["id", "colour"]
    assert not gizmo.complete  # its sample has a label the list omits (the listed erratum's test adds it)
    assert not any(d.code in ("unplaced-parameter", "undocumented-sample-field") and d.source.line in (73, 74, 76)
                   and "`gizmo.label`" not in d.message for d in corrected.defects if d.source.path == "gizmos.inc")


def test_an_erratum_corrects_every_element_its_key_names_and_marks_it(corrected: ApiRef) -> None:
    colours = [*field(corrected.find("GET", "/gizmos").response_body, "gizmos", "colour"),
               *field(corrected.find("GET", "/gizmos/{gizmo_id}").response_body, "gizmo", "colour")]
    assert len(colours) == 2 and all(f.parameter.nullable and "E-0003" in f.parameter.errata for f in colours)
    assert [f.parameter.required for f in colours] == [False, True]  # E-0010 names the list's field alone
    # The sample that showed the null no longer contradicts the contract.
    assert not any(d.code == "sample-null-not-nullable" for d in corrected.defects)
    document = project(corrected, Microversion(2, 12))
    shown = document["paths"]["/gizmos/{gizmo_id}"]["get"]["responses"]["200"]["content"]["application/json"]
    colour = shown["schema"]["properties"]["gizmo"]["properties"]["colour"]
    assert colour["type"] == ["string", "null"] and colour["x-openstack-erratum"] == ["E-0003"]


def test_an_erratum_of_an_operation_and_of_a_header(corrected: ApiRef) -> None:
    gone = corrected.find("GET", "/gone")
    assert not gone.removed and gone.errata == ("E-0004",) and str(gone.versions) == "-2.35"
    header, = corrected.common_response_parameters
    assert header.omitted_by == (("GET", "/legacy"),) and header.errata == ("E-0005",)
    full = emit(corrected)
    assert full["paths"]["/gone"]["get"]["x-openstack-erratum"] == ["E-0004"]
    listed = {entry["id"]: entry for entry in full["x-openstack-errata"]}
    assert listed["E-0005"]["kind"] == "header" and listed["E-0005"]["elements"] == 1


def test_an_erratum_since_a_version_splits_the_field_there(corrected: ApiRef) -> None:
    cpu = field(corrected.find("GET", "/gizmos/{gizmo_id}/stats").response_body, "cpu")
    assert [(f.parameter.type, str(f.parameter.versions), f.parameter.errata) for f in cpu] == [
        ("integer", "2.48-2.49", ()), ("integer|string", "2.50-", ("E-0006",))]
    schema = response_schema(corrected.find("GET", "/gizmos/{gizmo_id}/stats"), 200, Microversion(2, 50))
    assert schema is not None and schema["properties"]["cpu"]["type"] == ["integer", "string", "null"]


def test_an_erratum_that_no_longer_fits_is_reported_never_applied(corrected: ApiRef) -> None:
    stale = {d.message.split()[1]: d.message for d in corrected.defects if d.code == "erratum-stale"}
    assert set(stale) == {"E-0007", "E-0008", "E-0009"}
    assert "names no element" in stale["E-0007"] and "none of which is at the line" in stale["E-0008"]
    assert "already says what is true" in stale["E-0009"]
    assert {e.id for e in corrected.errata} == {f"E-000{n}" for n in range(1, 7)} | {"E-0010"}
    ids, = field(corrected.find("GET", "/gizmos").response_body, "gizmos", "id")
    assert not ids.parameter.nullable  # E-0008 named its key at another line: not applied


def test_every_applied_erratum_is_listed_at_the_line_it_corrects_and_missing_evidence_said(corrected: ApiRef) -> None:
    listed = sorted((d.source.path, d.message.split()[0]) for d in corrected.defects if d.code == "erratum")
    assert len(listed) == 7 and ("gone.inc", "E-0004") in listed
    missing = [d for d in corrected.defects if d.code == "erratum-evidence-missing"]
    assert len(missing) == 1 and "E-0010" in missing[0].message and "v9.99/missing.json" in missing[0].message


def test_a_parameter_the_list_omits_is_added_after_its_line_and_nested_by_the_samples() -> None:
    line = line_of("gizmos.inc", "- colour: gizmo_colour", 2)
    entry = f"""
release: gizmos==1.0
errata:
  - id: E-0011
    kind: listed
    operation: GET /gizmos/{{gizmo_id}}
    key: gizmo_label
    field: label
    api-ref: gizmos.inc:{line}
    says: the Response list has no label
    truth: the gizmo in the answer has its label
    correct: {{after: gizmo_colour}}
    evidence: sample doc/api_samples/gizmos/v2.12/gizmo-get-resp.json
    reviewed: 2026-12-02
  - id: E-0012
    kind: listed
    operation: GET /gizmos/{{gizmo_id}}
    key: gizmo_host
    api-ref: gizmos.inc:{line + 1}
    says: the Response list has no host
    truth: it has, after the label
    correct: {{after: gizmo_colour}}
    evidence: live nothing
    reviewed: 2026-12-02
"""
    renamed = errata.parse(ERRATA, "gizmos-errata.yaml")[:1]  # E-0001: the body is `gizmo`
    before = compiled(renamed)
    assert any(d.code == "undocumented-sample-field" and "`gizmo.label`" in d.message for d in before.defects)
    after = compiled([*renamed, *errata.parse(entry, "gizmos-errata.yaml")])
    gizmo, = after.find("GET", "/gizmos/{gizmo_id}").response_body
    assert [c.name for c in gizmo.children] == ["id", "colour", "label"] and gizmo.complete
    label = gizmo.children[2]
    assert label.parameter.errata == ("E-0011",) and label.parameter.source.line == line
    assert not any(d.code == "undocumented-sample-field" and "`gizmo.label`" in d.message for d in after.defects)
    stale = [d.message for d in after.defects if d.code == "erratum-stale"]
    assert len(stale) == 1 and "E-0012" in stale[0]  # its line is not the line of the key it follows


@pytest.mark.parametrize(("entry", "message"), [
    ("  - {id: E-1, kind: listed, api-ref: a.inc:1, says: s, truth: t, correct: {nullable: true},"
     " evidence: live x, reviewed: d, key: k, operation: GET /x}\n", "correct: {after: KEY}"),
    ("  - {id: E-1, kind: listed, api-ref: a.inc:1, says: s, truth: t, correct: {after: k2},"
     " evidence: live x, reviewed: d, key: k}\n", "names the operation"),
    ("  - id: E-1\n    kind: nullable\n", "erratum E-1: lacks api-ref, says, truth, correct, evidence, reviewed"),
    ("  - {id: E-1, kind: colour, api-ref: a.inc:1, says: s, truth: t, correct: {nullable: true}, evidence: live x,"
     " reviewed: d, key: k}\n", "kind must be one of"),
    ("  - {id: E-1, kind: nullable, api-ref: a.inc, says: s, truth: t, correct: {nullable: true}, evidence: live x,"
     " reviewed: d, key: k}\n", "api-ref must be FILE:LINE"),
    ("  - {id: E-1, kind: nullable, api-ref: a.inc:1, says: s, truth: t, correct: {nullable: true}, evidence: x,"
     " reviewed: d, key: k}\n", "evidence must start with one of sample, source, live"),
    ("  - {id: E-1, kind: versions, api-ref: a.inc:1, says: s, truth: t, correct: {max_version: 2.10},"
     " evidence: live x, reviewed: d, operation: GET /x}\n", "write max_version in quotes"),
    ("  - {id: E-1, kind: name, api-ref: a.inc:1, says: s, truth: t, correct: {name: x, nullable: true},"
     " evidence: live x, reviewed: d, key: k}\n", "a name is corrected alone"),
    ("  - {id: E-1, kind: served, api-ref: a.inc:1, says: s, truth: t, correct: {removed: false},"
     " evidence: live x, reviewed: d}\n", "names them"),
    ("  - {id: E-1, kind: nullable, api-ref: a.inc:1, says: s, truth: t, correct: {colour: red},"
     " evidence: live x, reviewed: d, key: k}\n", "cannot correct 'colour'"),
    ("  - {id: E-1, kind: precondition, api-ref: a.inc:1, says: s, truth: t, correct: {removed: true},"
     " evidence: live x, reviewed: d, operation: GET /x, key: k}\n", "corrected on its operations"),
    ("  - {id: E-1, kind: precondition, api-ref: a.inc:1, says: s, truth: t, correct: {removed: false},"
     " evidence: live x, reviewed: d, operation: GET /x}\n", "correct: {removed: true}"),
    ("  - {id: E-1, kind: nullable, api-ref: a.inc:1, says: s, truth: t, correct: {nullable: true},"
     " evidence: live x, reviewed: d, operation: GET /x}\n", "only of their request body"),
])
def test_a_malformed_erratum_is_an_error_at_its_line(entry: str, message: str) -> None:
    with pytest.raises(InputError, match=rf"^errata\.yaml:3: .*{message}"):
        errata.parse(f"release: x==1\nerrata:\n{entry}", "errata.yaml")


def test_errata_of_another_release_are_not_read() -> None:
    assert errata.parse(ERRATA, "errata.yaml", origin="gizmos==2.0") == []
    assert len(errata.parse(ERRATA, "errata.yaml", origin="gizmos==1.0")) == 10
    with pytest.raises(InputError, match="duplicate erratum id E-0001"):
        errata.parse(ERRATA + ERRATA.split("errata:\n", 1)[1], "errata.yaml")


# -- samples as evidence ----------------------------------------------------------------------------------------


def test_a_sample_of_records_that_lack_keys_is_said_and_its_required_fields_not_checked(plain: ApiRef) -> None:
    found = [d for d in sample_defects(plain) if "v2.30/gizmos-list-resp.json" in d.message]
    assert [d.code for d in found] == ["sample-partial"]
    assert not any(d.code == "parameter-not-in-sample" and "v2.30" in d.message for d in plain.defects)


def test_every_sample_of_the_tree_is_matched_validated_or_listed(plain: ApiRef) -> None:
    source = local(SOURCE, service="compute")
    tree = tree_evidence(plain, source.root, source.repo_root)
    assert tree is not None
    assert (tree.root, tree.files, tree.included, tree.by_family, tree.by_name, tree.unmatched) == (
        "doc/api_samples", 10, 6, 1, 1, 2)
    messages = {d.code: [] for d in tree.defects}
    for defect in tree.defects:
        messages[defect.code].append(str(defect))
    # v2.15's list, another version of the included v2.20 one, validates (a string spec below 2.20); v2.14's,
    # named like it, shows an integer colour.
    contradiction, = messages["sample-contradicts-schema"]
    assert "`gizmos.colour` is a JSON integer" in contradiction and "v2.14/gizmos-list-with-marker-resp.json" \
        in contradiction and "matched to GET /gizmos as named like" in contradiction
    assert contradiction.startswith(f"gizmos.inc:{line_of('gizmos.inc', 'v2.20/gizmos-list-resp.json')}:")
    unmatched = sorted(messages["sample-unmatched"])
    assert unmatched[0].startswith("doc/api_samples/gizmos/gizmo-paint-req.json:1: sample-unmatched: ")
    assert "top-level keys (paint)" in unmatched[0]
    assert "a directory from which the api-ref includes no sample" in unmatched[1]
