"""Tests of conformance.apiref.directives: the os-api-ref directives as docutils directives."""

from __future__ import annotations

from typing import TypeVar

import pytest
from docutils import nodes

from conformance.apiref.directives import (
    ParameterLine,
    StatusLine,
    literalinclude,
    parse_rst,
    rest_method,
    rest_parameters,
    rest_status_code,
)
from conformance.errors import RSTError

N = TypeVar("N", bound=nodes.Node)


def first(document: nodes.document, kind: type[N]) -> N:
    found = document.next_node(kind)
    assert found is not None, f"no {kind.__name__} node"
    return found


def test_rest_method_node_carries_method_path_and_line() -> None:
    document = parse_rst("Title\n=====\n\n.. rest_method:: get /servers/{server_id}\n", "servers.inc")
    marker = first(document, rest_method)
    assert (marker["method"], marker["path"], marker.line) == ("GET", "/servers/{server_id}", 4)


def test_a_wrong_rest_method_option_line_is_named() -> None:
    with pytest.raises(RSTError) as error:
        parse_rst("Intro.\n\n.. rest_method:: GET /x\n   min_version: 2.1\n   colour: blue\n", "a.inc")
    assert error.value.line == 5
    assert "got 'colour: blue'" in str(error.value)


def test_rest_method_reads_version_option_lines_with_their_lines() -> None:
    text = ".. rest_method:: GET /os-hypervisors/statistics\n   max_version: 2.87\n"
    marker = first(parse_rst(text, "os-hypervisors.inc"), rest_method)
    assert marker["max_version"] == ("2.87", 2)
    assert "min_version" not in marker


@pytest.mark.parametrize(
    "argument",
    ["FETCH /servers", "GET", "GET /servers extra"],
    ids=["unknown-method", "no-path", "extra-word"],
)
def test_malformed_rest_method_is_an_rst_error_at_its_line(argument: str) -> None:
    with pytest.raises(RSTError) as error:
        parse_rst(f"Intro.\n\n.. rest_method:: {argument}\n", "servers.inc")
    assert (error.value.path, error.value.line) == ("servers.inc", 3)
    assert str(error.value).startswith("servers.inc:3: malformed reStructuredText:")


def test_rest_parameters_items_keep_names_keys_and_lines() -> None:
    text = (
        ".. rest_parameters:: parameters.yaml\n"
        "\n"
        "  - server_id: server_id_path\n"
        "  # a comment line is skipped\n"
        "  - OS-FLV-EXT-DATA:ephemeral: flavor_ephemeral_gb\n"
        "  - 'quoted': quoted_key\n"
    )
    node = first(parse_rst(text, "flavors.inc"), rest_parameters)
    assert node["file"] == "parameters.yaml"
    assert node["items"] == [
        ParameterLine("server_id", "server_id_path", 3),
        ParameterLine("OS-FLV-EXT-DATA:ephemeral", "flavor_ephemeral_gb", 5),
        ParameterLine("quoted", "quoted_key", 6),
    ]


@pytest.mark.parametrize("item", ["server_id: server_id_path", "- server_id", "- : key", "- name:"])
def test_malformed_parameter_line_names_its_own_line(item: str) -> None:
    text = f".. rest_parameters:: parameters.yaml\n\n  - a: b\n  {item}\n"
    with pytest.raises(RSTError) as error:
        parse_rst(text, "servers.inc")
    # The error names the wrong line itself, not the directive's first line.
    assert (error.value.path, error.value.line) == ("servers.inc", 4)
    assert str(error.value).startswith("servers.inc:4: malformed reStructuredText: expected '- name: key'")


def test_literalinclude_keeps_path_language_and_line() -> None:
    text = "Intro.\n\n.. literalinclude:: ../../doc/api_samples/a/b.json\n   :language: javascript\n"
    node = first(parse_rst(text, "a.inc"), literalinclude)
    assert (node["path"], node["language"], node.line) == ("../../doc/api_samples/a/b.json", "javascript", 3)


def test_literalinclude_does_not_read_the_file() -> None:
    # Reading samples is the compiler's job (it knows the repository root); a missing file is no RST error.
    node = first(parse_rst(".. literalinclude:: /nowhere/missing.json\n", "a.inc"), literalinclude)
    assert node["path"] == "/nowhere/missing.json"


def test_sphinx_roles_and_directives_are_tolerated_and_keep_their_text() -> None:
    text = (
        "See :ref:`the guide <api-guide>` and :doc:`servers`.\n"
        "\n"
        ".. versionadded:: 2.59\n"
        "\n"
        "   The ``uuid`` field.\n"
        "\n"
        ".. rest_expand_all::\n"
    )
    document = parse_rst(text, "a.inc")
    paragraphs = [p.astext() for p in document.findall(nodes.paragraph)]
    # The version directives read as Sphinx renders them, their content kept after.
    assert paragraphs == ["See the guide and servers.", "New in version 2.59.", "The uuid field."]
    container = first(document, nodes.container)
    assert container["version"] == "2.59"


@pytest.mark.parametrize(("directive", "rendered"), [
    (".. versionadded:: 2.78", "New in version 2.78."),
    (".. versionchanged:: 2.47 The flavor is embedded.", "Changed in version 2.47: The flavor is embedded."),
    (".. deprecated:: 2.5", "Deprecated since version 2.5."),
])
def test_version_directives_render_as_sphinx_does(directive: str, rendered: str) -> None:
    document = parse_rst(f"{directive}\n", "a.inc")
    paragraph = first(document, nodes.paragraph)
    assert paragraph.astext() == rendered and paragraph.line == 1


def test_unknown_directive_is_an_rst_error_at_its_line() -> None:
    with pytest.raises(RSTError, match=r"^a\.inc:3: malformed reStructuredText: Unknown directive type"):
        parse_rst("Intro.\n\n.. no_such_directive:: x\n", "a.inc")


def test_error_line_is_mapped_through_the_restore_map() -> None:
    with pytest.raises(RSTError) as error:
        parse_rst("Intro.\n\n.. rest_method:: FETCH /x\n", "a.inc", original_line=lambda line: line + 100)
    assert error.value.line == 103


def test_warnings_are_tolerated() -> None:
    # A title underline too short is a docutils WARNING, not an error.
    document = parse_rst("Long title\n=====\n\nText.\n", "a.inc")
    assert first(document, nodes.title).astext() == "Long title"


# --- what os-api-ref accepts of the other services ------------------------------------------------


def test_rest_method_argument_may_stand_on_the_next_line() -> None:
    # cinder: ".. rest_method::" then "   POST /v3/{project_id}/consistencygroups/{id}/delete"
    marker = first(parse_rst("Intro.\n\n.. rest_method::\n   POST /v3/{p}/groups/{g}/delete\n", "g.inc"), rest_method)
    assert (marker["method"], marker["path"], marker.line, marker["problems"]) == (
        "POST", "/v3/{p}/groups/{g}/delete", 3, [])


@pytest.mark.parametrize(("written", "path", "code"), [
    ("v3/{project_id}/workers/cleanup", "/v3/{project_id}/workers/cleanup", "path-without-leading-slash"),
    ("/v3/{a}/quotas/{b}?{usage}=True", "/v3/{a}/quotas/{b}", "query-string-in-path"),
    ("/v2.0/taas/tap_flows/{tap_flow_id/name}", "/v2.0/taas/tap_flows/{tap_flow_id_name}", "malformed-path-template"),
])
def test_paths_os_api_ref_shows_as_written_are_read_and_noted(written: str, path: str, code: str) -> None:
    marker = first(parse_rst(f".. rest_method:: GET {written}\n", "a.inc"), rest_method)
    assert marker["path"] == path
    assert [problem for problem, _ in marker["problems"]] == [code]
    assert repr(written) in marker["problems"][0][1]


def test_rest_status_code_items_keep_codes_reasons_and_lines() -> None:
    text = (".. rest_status_code:: error ../status.yaml\n"
            "\n"
            "   - 400\n"
            "   # a comment line is skipped\n"
            "   - 401: auth_failed\n")
    node = first(parse_rst(text, "auth.inc"), rest_status_code)
    assert (node["kind"], node["file"], node.line) == ("error", "../status.yaml", 1)
    assert node["items"] == [StatusLine(400, None, 3), StatusLine(401, "auth_failed", 5)]


@pytest.mark.parametrize(("text", "line", "message"), [
    (".. rest_status_code:: failure status.yaml\n\n   - 404\n", 1,
     "'success' or 'error' before the file, got 'failure'"),
    (".. rest_status_code:: success status.yaml\n\n   - 200\n   - OK\n", 4, "got '- OK'"),
    (".. rest_status_code:: success status.yaml\n\n   - 20\n", 3, "got '- 20'"),
    (".. rest_status_code:: success\n\n   - 200\n", 1, "2 argument(s) required, 1 supplied"),
    (".. rest_status_code:: success status.yaml\n", 1, "lists no status code"),
])
def test_malformed_rest_status_code_is_an_error_at_its_line(text: str, line: int, message: str) -> None:
    with pytest.raises(RSTError) as error:
        parse_rst(text, "a.inc")
    assert (error.value.path, error.value.line) == ("a.inc", line)
    assert message in str(error.value)


def test_rest_parameters_items_remember_their_file() -> None:
    node = first(parse_rst(".. rest_parameters:: images-parameters.yaml\n\n  - id: image_id\n", "a.inc"),
                 rest_parameters)
    assert node["items"] == [ParameterLine("id", "image_id", 3, file="images-parameters.yaml")]
