"""The compiler on the widgets fixture (tests/fixtures/widgets): the conventions of the other services' api-refs.

Every expectation is the fixture's own words: the lines are looked up by their text, the ranges and codes
are those its headings, prose and status files state.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apiref_fixture import WIDGETS, WIDGETS_SOURCE, line_of

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.errors import InputError, ParametersError, RSTError, SampleError
from conformance.model import ApiRef, Microversion, MicroversionProtocol, MicroversionRange, Source

WIDGETS_INC = WIDGETS_SOURCE / "widgets.inc"
GADGETS_INC = WIDGETS_SOURCE / "gadgets.inc"
LIST = "/v3/{project_id}/widgets"
ONE = "/v3/{project_id}/widgets/{widget_id}"
ACTION = "/v3/{project_id}/widgets/{widget_id}/action"
V = Microversion.parse


def test_every_section_is_an_operation_with_its_path_as_written(widgets_apiref: ApiRef) -> None:
    assert [(o.method, o.path, o.action) for o in widgets_apiref.operations] == [
        ("POST", "/v3/gadgets", None),
        ("GET", "/v3/gadgets/{gadget_id}", None),
        ("GET", "/", None),
        ("GET", LIST, None),
        # "GET v3/..." gains its "/", "...?usage=True" loses its query: two variants of one operation.
        ("GET", ONE, "show-widget-details"),
        ("GET", ONE, "show-widget-usage"),
        ("POST", ACTION, "resize"),
        ("POST", ACTION, "paint"),
        ("DELETE", "/v3/{project_id}/widgets/{widget_id_name}", None),
    ]
    assert widgets_apiref.info.service == "block-storage"
    assert widgets_apiref.info.api_version == "3.0"
    assert widgets_apiref.info.paths is not None and "/v3/{project_id}" in widgets_apiref.info.paths


def test_the_protocol_is_the_service_data_and_the_range_the_version_document(widgets_apiref: ApiRef) -> None:
    versions = WIDGETS_SOURCE / "versions.inc"
    assert widgets_apiref.protocol == MicroversionProtocol(
        header="OpenStack-API-Version", service="volume", legacy_headers=(),
        versions=MicroversionRange(V("3.0"), V("3.12")),
        source=Source("versions.inc", line_of(versions, "versions-response.json")))
    assert widgets_apiref.protocol.headers("3.5") == {"OpenStack-API-Version": "volume 3.5"}
    assert widgets_apiref.protocol.headers("3.5", legacy=True) == {}


def test_status_codes_come_from_the_status_file_the_list_names(widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    assert [(c.status, c.name, c.description) for c in listing.normal_codes] == [
        (200, None, "The request succeeded.")]
    # ../status.yaml has no auth_failed for 401: the default description stands (and a defect says so).
    assert [(c.status, c.name, c.description) for c in listing.error_codes] == [
        (400, None, "Some content of the request was invalid."),
        (401, "auth_failed", "The request needs a valid token."),
        (403, None, "Policy does not allow this request."),
    ]
    assert [c.source.line for c in listing.error_codes] == [
        line_of(WIDGETS_INC, "   - 400"), line_of(WIDGETS_INC, "- 401: auth_failed"), line_of(WIDGETS_INC, "   - 403")]
    # The gadgets' own status.yaml (beside the .inc) knows the reason.
    create = widgets_apiref.find("POST", "/v3/gadgets")
    assert [(c.status, c.description) for c in create.error_codes][-1] == (401, "The credentials were refused.")
    # Paragraphs and lists mix across sections: Show usage has the paragraph form.
    usage = widgets_apiref.find("GET", ONE, "show-widget-usage")
    assert [(c.status, c.name) for c in (*usage.normal_codes, *usage.error_codes)] == [(200, None),
                                                                                    (404, "itemNotFound")]


def test_rest_parameters_name_their_own_parameters_file(widgets_apiref: ApiRef) -> None:
    create = widgets_apiref.find("POST", "/v3/gadgets")
    definitions = {p.name: p.definition for p in create.parameters}
    parameters = WIDGETS_SOURCE / "gadgets-parameters.yaml"
    assert definitions == {name: Source("gadgets-parameters.yaml", line_of(parameters, key))
                           for name, key in (("gadget", "gadget: &gadget"), ("name", "gadget_name:"),
                                             ("shape", "gadget_shape:"))}


def test_an_included_fragment_joins_the_description_and_later_lines_keep_their_numbers(
        widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    assert listing.description == ("Lists the widgets of a project. Use the ``fields`` query parameter to choose "
                                   "the fields of the response. For more, see Filtering.")
    # Everything after the include still points at widgets.inc's own lines.
    assert listing.normal_codes[0].source == Source("widgets.inc", line_of(WIDGETS_INC, "   - 200"))
    assert listing.parameters[0].source == Source("widgets.inc", line_of(WIDGETS_INC, "- project_id: project_id_path"))


def test_headings_with_a_range_bound_their_lists_and_samples(widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    colours = [p for p in listing.response_parameters if p.name == "colour"]
    assert [str(p.versions) for p in colours] == ["3.5-"]
    sizes = [p for p in listing.response_parameters if p.name == "size"]
    assert [str(p.versions) for p in sizes] == ["3.0-3.4", "3.5-"]
    # The unversioned sample shows its heading's first version; the v3.5/ one its folder's.
    assert [(s.path, s.microversion) for s in listing.samples] == [
        ("samples/widgets/widgets-list-response.json", V("3.0")),
        ("samples/widgets/v3.5/widgets-list-response.json", V("3.5")),
    ]
    (widgets,) = {f.name: f for f in listing.response_body}.values()
    assert sorted({child.name for child in widgets.children}) == ["colour", "id", "name", "size"]


def test_keystone_subsections_keep_their_side(widgets_apiref: ApiRef) -> None:
    create = widgets_apiref.find("POST", "/v3/gadgets")
    assert [p.name for p in create.parameters] == ["gadget", "name", "shape"]
    assert [p.name for p in create.response_parameters] == ["gadget", "id", "name", "shape", "links"]
    assert [(s.path, s.is_request) for s in create.samples] == [
        ("samples/gadgets/gadget-create-request.json", True),
        ("samples/gadgets/gadget-create-response.json", False),
    ]
    assert "parameters-outside-request-response" not in {d.code for d in widgets_apiref.defects}


def test_availability_in_cinder_words(widgets_apiref: ApiRef) -> None:
    assert widgets_apiref.find("GET", ONE, "show-widget-details").versions == MicroversionRange(V("3.2"))
    assert widgets_apiref.find("GET", LIST).versions.unbounded


def test_tolerated_definitions(widgets_apiref: ApiRef) -> None:
    listing = widgets_apiref.find("GET", LIST)
    (size, _) = [p for p in listing.response_parameters if p.name == "size"]
    assert size.versions == MicroversionRange(V("3.0"), V("3.4"))  # the empty max_version bounds nothing
    create = widgets_apiref.find("POST", "/v3/gadgets")
    links = next(p for p in create.response_parameters if p.name == "links")
    assert links.description == "" and links.type == "array"


def test_defects_of_the_widgets_fixture(widgets_apiref: ApiRef) -> None:
    parameters = WIDGETS_SOURCE / "gadgets-parameters.yaml"
    found = {(d.code, d.source) for d in widgets_apiref.defects}
    assert found == {
        ("incomplete-parameter-definition", Source("gadgets-parameters.yaml", line_of(parameters, "links:"))),
        ("unplaced-parameter", Source("gadgets.inc", line_of(GADGETS_INC, "- shape: gadget_shape"))),
        ("sample-not-json", Source("gadgets.inc", line_of(GADGETS_INC, "gadget-show-response.json"))),
        ("version-document-behind", Source("versions.inc",
                                           line_of(WIDGETS_SOURCE / "versions.inc", "versions-response.json"))),
        ("unknown-status-reason", Source("widgets.inc", line_of(WIDGETS_INC, "- 401: auth_failed"))),
        ("path-without-leading-slash", Source("widgets.inc", line_of(WIDGETS_INC, "GET v3/{project_id}") - 1)),
        ("query-string-in-path", Source("widgets.inc", line_of(WIDGETS_INC, "?usage=True"))),
        ("unplaced-parameter", Source("widgets.inc", line_of(WIDGETS_INC, "- colour: widget_colour", 2))),
        ("malformed-path-template", Source("widgets.inc", line_of(WIDGETS_INC, "{widget_id/name}"))),
        ("undocumented-path-parameter", Source("widgets.inc", line_of(WIDGETS_INC, "{widget_id/name}"))),
    }
    behind = next(d for d in widgets_apiref.defects if d.code == "version-document-behind")
    assert behind.message.endswith("advertises microversions 3.0-3.12, but the api-ref documents microversions "
                                   "up to 3.20")


def test_a_service_without_microversions_reads_versionless() -> None:
    apiref = compile_apiref(sources.local(WIDGETS_SOURCE, service="image"), strict=False, jobs=1)
    assert apiref.protocol is None and apiref.versions.unbounded and apiref.named_microversions() == []
    create = apiref.find("POST", "/v3/gadgets")
    # gadget_shape's min_version 3.20 bounds nothing where no client can ask for a version.
    assert all(p.versions.unbounded for p in (*create.parameters, *create.response_parameters))
    assert all(s.microversion is None for o in apiref.operations for s in o.samples)
    assert apiref.find("GET", ONE, "show-widget-details").versions.unbounded


# --- bad input: what os-api-ref would refuse is an error at its file and line -------------------------


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` (on one line) by ``new``; returns that line."""
    line = line_of(path, old)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return line


def compile_copy(directory: Path) -> ApiRef:
    return compile_apiref(sources.local(directory, service="block-storage"), strict=False, jobs=1)


def test_an_unknown_status_code_is_an_error_at_its_line(widgets_copy: Path) -> None:
    line = edit(widgets_copy / "widgets.inc", "   - 403", "   - 499")
    with pytest.raises(InputError) as error:
        compile_copy(widgets_copy)
    assert str(error.value) == f"widgets.inc:{line}: status code 499 is not defined in ../status.yaml"


def test_a_missing_parameters_file_is_an_error_at_the_list(widgets_copy: Path) -> None:
    (widgets_copy / "gadgets-parameters.yaml").unlink()
    with pytest.raises(InputError) as error:
        compile_copy(widgets_copy)
    line = line_of(widgets_copy / "gadgets.inc", "- gadget: gadget")
    assert str(error.value) == (f"gadgets.inc:{line}: rest_parameters names 'gadgets-parameters.yaml', which does "
                                "not exist (looked for gadgets-parameters.yaml)")


def test_a_missing_status_file_is_an_error_at_the_directive(widgets_copy: Path) -> None:
    (widgets_copy.parent / "status.yaml").unlink()
    with pytest.raises(InputError) as error:
        compile_copy(widgets_copy)
    assert error.value.path == "versions.inc"
    assert error.value.line == line_of(widgets_copy / "versions.inc", "rest_status_code:: success")
    assert "rest_status_code names '../status.yaml', which does not exist (looked for api-ref/source/status.yaml)" \
        in str(error.value)


def test_a_missing_sample_is_an_error_at_its_literalinclude(widgets_copy: Path) -> None:
    (widgets_copy / "samples" / "widgets" / "widget-resize-request.json").unlink()
    with pytest.raises(SampleError) as error:
        compile_copy(widgets_copy)
    assert (error.value.path, error.value.line) == ("widgets.inc",
                                                    line_of(widgets_copy / "widgets.inc", "widget-resize-request"))
    assert "cannot read sample samples/widgets/widget-resize-request.json" in str(error.value)


def test_a_parameter_with_a_null_in_is_an_error_at_its_line(widgets_copy: Path) -> None:
    parameters = widgets_copy / "parameters.yaml"
    text = parameters.read_text(encoding="utf-8")
    head, tail = text.split("limit:\n", 1)
    parameters.write_text(head + "limit:\n" + tail.replace("  in: query", "  in: null", 1), encoding="utf-8")
    with pytest.raises(ParametersError) as error:
        compile_copy(widgets_copy)
    line = line_of(parameters, "in: null")
    assert str(error.value) == (f"parameters.yaml:{line}: parameter 'limit': 'in' must be one of path, query, header, "
                                "body, not null")


def test_a_missing_include_is_an_error_at_the_include(widgets_copy: Path) -> None:
    (widgets_copy / "filtering.inc").unlink()
    with pytest.raises(RSTError) as error:
        compile_copy(widgets_copy)
    assert (error.value.path, error.value.line) == ("widgets.inc", line_of(WIDGETS_INC, ".. include:: filtering.inc"))
    assert "cannot include 'filtering.inc'" in str(error.value)


def test_a_malformed_status_list_is_an_error_at_its_line(widgets_copy: Path) -> None:
    line = edit(widgets_copy / "gadgets.inc", "   - 201", "   - created")
    with pytest.raises(RSTError) as error:
        compile_copy(widgets_copy)
    assert (error.value.path, error.value.line) == ("gadgets.inc", line)
    assert "expected '- CODE' or '- CODE: reason' in rest_status_code, got '- created'" in str(error.value)


def test_the_fixture_is_laid_out_like_a_cinder_checkout() -> None:
    source = sources.local(WIDGETS_SOURCE, service="block-storage")
    assert source.repo_root == WIDGETS
    # filtering.inc is a fragment widgets.inc includes: it is read there, not on its own.
    assert [p.name for p in source.inc_files()] == ["gadgets.inc", "versions.inc", "widgets.inc"]
    assert source.relative(WIDGETS / "api-ref" / "source" / "status.yaml") == "api-ref/source/status.yaml"
