"""Tests of conformance.apiref.parameters: parameters.yaml read with lines, versions kept as strings."""

from __future__ import annotations

from pathlib import Path

import pytest
from apiref_fixture import SOURCE, line_of

from conformance.apiref.parameters import is_nullable, load_parameters
from conformance.errors import ParametersError
from conformance.model import Microversion, MicroversionRange, Source

PARAMETERS = SOURCE / "parameters.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "parameters.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_definitions_have_location_required_type_and_line() -> None:
    catalogue = load_parameters(PARAMETERS)
    server_id = catalogue["server_id_path"]
    assert (server_id.location, server_id.required, server_id.type) == ("path", True, "string")
    assert server_id.source == Source("parameters.yaml", line_of(PARAMETERS, "server_id_path:"))
    assert catalogue["pin_reason"].required is False
    assert catalogue["snapshot_size"].type == "float"
    assert catalogue["unpin"].type == "none"
    assert not catalogue.defects


def test_versions_stay_strings_so_2_10_is_not_2_1() -> None:
    catalogue = load_parameters(PARAMETERS)
    assert catalogue["limit"].versions == MicroversionRange(Microversion(2, 10), None)
    assert catalogue["legacy_host"].versions == MicroversionRange(None, Microversion(2, 24))
    assert catalogue["snapshot_uuid"].versions.min == Microversion(2, 25)


def test_nullability_and_date_time_come_from_the_description() -> None:
    catalogue = load_parameters(PARAMETERS)
    assert catalogue["updated"].nullable is True
    assert catalogue["created"].nullable is False
    assert catalogue["created"].format == "date-time"
    assert catalogue["updated"].format == "date-time"
    # ISO 8601 in a query parameter's description documents its format just the same.
    assert catalogue["changes_since"].format == "date-time"
    assert catalogue["snapshot_name"].format is None


def test_explicit_format_wins(tmp_path: Path) -> None:
    path = write(tmp_path, "href:\n  in: body\n  required: true\n  type: string\n  format: uri\n  description: x\n")
    assert load_parameters(path)["href"].format == "uri"


@pytest.mark.parametrize(
    ("description", "nullable"),
    [
        ("The user. The value may be ``null``.", True),
        ("Set to null when unknown.", True),
        ("A UUID, or ``null`` if none was given.", True),
        ("The name. It cannot be null.", False),
        ("Never null.", False),
        ("The nullable-looking name of a thing.", False),
        ('Since microversion 2.91 ``"availability_zone":null`` unpins the server.', True),
        ("The zone. ``null`` zones are not allowed.", False),
    ],
)
def test_is_nullable(description: str, nullable: bool) -> None:
    assert is_nullable(description) is nullable


def test_merge_keys_are_resolved_and_own_fields_win(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "base: &base\n  in: body\n  required: true\n  type: integer\n  description: a quota\n"
        "cores:\n  <<: *base\n  description: the cores quota\n"
        "ram:\n  <<: [*base]\n  type: float\n",
    )
    catalogue = load_parameters(path)
    assert (catalogue["cores"].type, catalogue["cores"].description) == ("integer", "the cores quota")
    assert (catalogue["ram"].type, catalogue["ram"].location, catalogue["ram"].required) == ("float", "body", True)
    assert catalogue["ram"].source.line == 9


def test_incomplete_and_duplicate_definitions_are_defects(tmp_path: Path) -> None:
    path = write(tmp_path, "a:\n  in: body\n  type: string\nb:\n  in: body\n  required: false\n  type: string\n"
                 "  description: x\nb:\n  in: query\n  required: false\n  type: string\n  description: y\n")
    catalogue = load_parameters(path)
    assert [(d.code, d.source.line) for d in catalogue.defects] == [
        ("incomplete-parameter-definition", 1),
        ("duplicate-parameter-key", 9),
    ]
    assert "has no required, description" in catalogue.defects[0].message
    assert catalogue["b"].location == "query"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a:\n  in: body\n  type: [string\n", 4, "invalid YAML"),
        ("a:\n  in: body\n\tb: c\n", 3, "invalid YAML"),
        ("- a\n- b\n", 1, "expected a mapping"),
        ("a: just text\n", 1, "definition of 'a' is not a mapping"),
        ("a:\n  in: cookie\n", 2, "'in' must be one of path, query, header, body, not 'cookie'"),
        ("a:\n  in: null\n  type: string\n", 2, "'in' must be one of path, query, header, body, not null"),
        ("a:\n  in:\n  type: string\n", 2, "'in' must be one of path, query, header, body, not null"),
        ("a:\n  in: body\n  required: yes please\n", 3, "'required' must be true or false"),
        ("a:\n  in: body\n  min_version: 2.x\n", 3, "min_version '2.x' is not a microversion"),
        ("a:\n  in: body\n  type:\n    - string\n", 4, "field 'type' must be a scalar"),
    ],
    ids=["unclosed-flow", "tab", "sequence", "scalar-definition", "bad-in", "null-in", "empty-in", "bad-required",
         "bad-version", "nested"],
)
def test_malformed_file_is_a_parameters_error_at_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(ParametersError) as error:
        load_parameters(write(tmp_path, text), "parameters.yaml")
    assert (error.value.path, error.value.line) == ("parameters.yaml", line)
    assert message in str(error.value)


def test_empty_file_is_an_empty_catalogue(tmp_path: Path) -> None:
    assert len(load_parameters(write(tmp_path, "# nothing yet\n"))) == 0


def test_what_os_api_ref_tolerates_is_tolerated(tmp_path: Path) -> None:
    # placement cancels a merged minimum with "min_version: null"; an empty max_version bounds nothing;
    # a definition may lack its description (a defect, not an error).
    path = write(tmp_path, "base: &base\n  in: body\n  required: true\n  type: object\n  description: d\n"
                 "  min_version: 1.12\n"
                 "empty:\n  <<: *base\n  min_version: null\n"
                 "open:\n  in: body\n  required: false\n  type: string\n  description: e\n  max_version:\n"
                 "bare:\n  in: query\n  required: false\n  type: string\n  min_version: ~\n")
    catalogue = load_parameters(path)
    assert catalogue["base"].versions == MicroversionRange(Microversion(1, 12), None)
    assert catalogue["empty"].versions.unbounded and catalogue["empty"].description == "d"
    assert catalogue["open"].versions.unbounded
    assert catalogue["bare"].versions.unbounded and catalogue["bare"].description == ""
    assert [(d.code, d.source.line) for d in catalogue.defects] == [("incomplete-parameter-definition", 16)]
    assert catalogue.defects[0].message == "parameter 'bare' has no description"


@pytest.mark.parametrize(("description", "nullable"), [
    # the phrasings of the six api-refs
    ("The disable reason of the service, ``null`` if the service is enabled or disabled without reason.", True),
    ("The date and time when the resource was updated, if the resource has not been updated, this field will show "
     "as ``null``.", True),
    ("It is always ``null``.", True),
    ("The date and time when the token expires. A ``null`` value indicates that the token never expires.", True),
    ("If the backup failed, the reason for the failure. Otherwise, null.", True),
    ("A description for the snapshot. Default is ``None``.", True),
    ("Defaults to ``null``.", True),
    ("If ``null`` is specified, the existing keypair is unset.", True),
    ("Since 2.91 ``\"availability_zone\":null`` unpins the server.", True),
    ("{'attached_at': '2019-09-30T19:30:34.000000', 'host_name': null}", True),
    # not
    ("Key pair name.\n\n.. note:: The ``null`` value was allowed in the Nova legacy v2 API, but due to the strict "
     "input validation, it isn't allowed in Nova v2.1 API.", False),
    ("The name. It must not be ``null``.", False),
    ("Never ``null``.", False),
    ("deferred, immediate or no IP allocation (``none``).", False),
    ("The status of the server.", False),
])
def test_nullability_phrasings_across_the_api_refs(description: str, nullable: bool) -> None:
    assert is_nullable(description) is nullable


def test_a_required_field_said_to_appear_for_some_users_is_optional_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "parameters.yaml"
    path.write_text("host:\n  description: |\n    The host. Appears in the response for administrative users only.\n"
                    "  in: body\n  required: true\n  type: string\n", encoding="utf-8")
    catalogue = load_parameters(path)
    assert catalogue["host"].required is False
    assert [(d.code, d.source.line) for d in catalogue.defects] == [("required-but-conditional", 1)]
