"""Tests of conformance.apiref.indentation: a copy that lost its indentation reads as the original did.

``flatten`` does to a fixture what copying an api-ref out of a web page does:
every line starts at column 0, blank lines are gone, and a page header sits
above the ``.. -*- rst -*-`` mode line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from apiref_fixture import SOURCE

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref, read_inc
from conformance.apiref.indentation import is_flattened, restore
from conformance.errors import RSTError
from conformance.model import ApiRef, Operation

HEADER = (
    "Server snapshots (servers, snapshots) — Compute API Reference documentation\n"
    "api-ref/source/server-snapshots.inc\n"
    "218 lines (178 sloc) 5.9 KiB\n"
)


def flatten(text: str, header: str = HEADER) -> str:
    """Strip every line's leading whitespace, drop blank lines, and put a web page header on top."""
    lines = [line.lstrip() for line in text.splitlines() if line.strip()]
    return header + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Flattened:
    original: ApiRef
    copy: ApiRef
    text: str


def summary(operation: Operation) -> tuple[object, ...]:
    """What must not change when indentation is lost: everything but the line numbers."""
    return (
        operation.method, operation.path, operation.action, operation.title, operation.group, operation.versions,
        [(c.status, c.name, c.versions) for c in operation.normal_codes + operation.error_codes],
        [(p.name, p.key, p.location) for p in operation.parameters],
        [(p.name, p.key, p.location) for p in operation.response_parameters],
        [(s.path, s.microversion, s.is_request, s.body) for s in operation.samples],
        [(r.subject, r.attribute, r.allowed, r.versions) for r in operation.preconditions],
        [s.text for s in operation.precondition_text], [s.text for s in operation.postconditions],
        operation.admin_only, operation.description, [n.text for n in operation.notes],
    )


def tree(fields: tuple) -> list:  # type: ignore[type-arg]
    return [(f.name, f.parameter.type, f.complete, tree(f.children)) for f in fields]


def copy_with_flattened(tmp_path: Path, name: str, flat: str) -> Path:
    shutil.copytree(SOURCE.parent.parent, tmp_path / "repo")
    target = tmp_path / "repo" / "api-ref" / "source"
    (target / name).write_text(flat, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def flattened(tmp_path_factory: pytest.TempPathFactory, fixture_apiref: ApiRef) -> Flattened:
    text = flatten((SOURCE / "server-snapshots.inc").read_text(encoding="utf-8"))
    target = copy_with_flattened(tmp_path_factory.mktemp("flat"), "server-snapshots.inc", text)
    return Flattened(fixture_apiref, compile_apiref(sources.local(target), jobs=1), text)


def test_the_helper_really_flattens() -> None:
    text = flatten((SOURCE / "server-snapshots.inc").read_text(encoding="utf-8"))
    lines = text.splitlines()
    assert all(line and not line[0].isspace() for line in lines)
    assert lines[3] == ".. -*- rst -*-"
    assert is_flattened(text)
    assert not is_flattened((SOURCE / "server-snapshots.inc").read_text(encoding="utf-8"))


def test_a_flattened_copy_compiles_into_the_same_operations(flattened: Flattened) -> None:
    original = [o for o in flattened.original.operations if o.source.path == "server-snapshots.inc"]
    copy = [o for o in flattened.copy.operations if o.source.path == "server-snapshots.inc"]
    assert len(copy) == len(original) == 5
    assert [summary(o) for o in copy] == [summary(o) for o in original]
    assert [tree(o.response_body) + tree(o.request_body) for o in copy] == [
        tree(o.response_body) + tree(o.request_body) for o in original
    ]


@pytest.mark.parametrize("name", ["server-snapshots.inc", "versions.inc"])
def test_every_fixture_file_survives_flattening(tmp_path: Path, fixture_apiref: ApiRef, name: str) -> None:
    flat = flatten((SOURCE / name).read_text(encoding="utf-8"), header=f"{name} — Fixture API documentation\n")
    copy = compile_apiref(sources.local(copy_with_flattened(tmp_path, name, flat)), jobs=1)
    assert [summary(o) for o in copy.operations] == [summary(o) for o in fixture_apiref.operations]
    original = fixture_apiref.operations
    assert [tree(o.response_body) for o in copy.operations] == [tree(o.response_body) for o in original]
    assert {d.code for d in copy.defects} == {d.code for d in fixture_apiref.defects}


def test_lines_point_into_the_flattened_copy(flattened: Flattened) -> None:
    lines = flattened.text.splitlines()

    def at(line: int) -> str:
        return lines[line - 1]

    for operation in flattened.copy.operations:
        if operation.source.path != "server-snapshots.inc":
            continue
        assert at(operation.source.line) == f".. rest_method:: {operation.method} {operation.path}"
        for parameter in operation.parameters + operation.response_parameters:
            assert at(parameter.source.line) == f"- {parameter.name}: {parameter.key}"
        for sample in operation.samples:
            assert at(sample.source.line).startswith(".. literalinclude::")
            assert at(sample.source.line).endswith(sample.path.rsplit("/", 1)[-1])
        for code in operation.normal_codes + operation.error_codes:
            assert at(code.source.line).lower().startswith(("normal response codes", "error response codes"))
        for sentence in operation.precondition_text + operation.postconditions:
            assert sentence.text.split()[0] in at(sentence.source.line)


def test_defects_point_into_the_flattened_copy(flattened: Flattened) -> None:
    lines = flattened.text.splitlines()
    found = {d.code: d.source.line for d in flattened.copy.defects if d.source.path == "server-snapshots.inc"}
    assert lines[found["unplaced-parameter"] - 1] == "- snapshots_links: snapshots_links"
    assert "snapshot-get.json" in lines[found["undocumented-sample-field"] - 1]


def test_a_malformed_line_in_a_flattened_copy_is_reported_at_the_copy_line() -> None:
    text = flatten((SOURCE / "server-snapshots.inc").read_text(encoding="utf-8"))
    broken = text.replace(".. rest_method:: DELETE /servers", ".. rest_method:: REMOVE /servers")
    with pytest.raises(RSTError) as error:
        read_inc(broken, "server-snapshots.inc")
    assert broken.splitlines()[error.value.line - 1].startswith(".. rest_method:: REMOVE")  # type: ignore[operator]


def test_restore_leaves_a_well_formed_file_alone() -> None:
    text = (SOURCE / "server-snapshots.inc").read_text(encoding="utf-8")
    restored = restore(text)
    assert restored.text == text and restored.original(17) == 17


def test_restore_indents_options_and_lists_and_maps_lines_back() -> None:
    flat = "Intro.\n.. literalinclude:: ../../a.json\n:language: javascript\n**Example**\nNormal response codes: 200\n"
    restored = restore(flat)
    assert restored.text.splitlines() == [
        "Intro.", "", ".. literalinclude:: ../../a.json", "   :language: javascript", "", "**Example**", "",
        "Normal response codes: 200",
    ]
    assert [restored.original(n) for n in (1, 3, 4, 6, 8)] == [1, 2, 3, 4, 5]


def one_file_apiref(source: sources.ApiRefSource, name: str, text: str, repository: Path) -> sources.ApiRefSource:
    """An api-ref with ``text`` as its only .inc file, the release's parameters.yaml and (linked) samples."""
    root = repository / "api-ref" / "source"
    root.mkdir(parents=True)
    (root / "parameters.yaml").write_bytes(source.parameters_file().read_bytes())
    (root / name).write_text(text, encoding="utf-8")
    (repository / "doc").symlink_to(source.repo_root / "doc", target_is_directory=True)
    return sources.local(root)


@pytest.mark.network
def test_nova_17_0_13_server_migrations_flattened_reads_like_the_original(tmp_path: Path) -> None:
    source = sources.release("nova", "17.0.13")
    name = "server-migrations.inc"
    text = (source.root / name).read_text(encoding="utf-8")
    header = ("Server migrations (servers, migrations) — Compute API Reference documentation\n"
              "nova/api-ref/source/server-migrations.inc\n")
    flat = flatten(text, header)
    # Two api-refs of that one file, as released and flattened (parsing all of nova twice is slow).
    original = [o for o in compile_apiref(one_file_apiref(source, name, text, tmp_path / "as-released")).operations]
    copy = [o for o in compile_apiref(one_file_apiref(source, name, flat, tmp_path / "flattened")).operations]
    assert [(o.method, o.path) for o in original] == [
        ("GET", "/servers/{server_id}/migrations"),
        ("GET", "/servers/{server_id}/migrations/{migration_id}"),
        ("POST", "/servers/{server_id}/migrations/{migration_id}/action"),
        ("DELETE", "/servers/{server_id}/migrations/{migration_id}"),
    ]
    assert [str(o.versions) for o in original] == ["2.23-", "2.23-", "2.22-", "2.24-"]
    assert [summary(o) for o in copy] == [summary(o) for o in original]
    assert [tree(o.response_body) for o in copy] == [tree(o.response_body) for o in original]
    lines = flat.splitlines()
    for operation in copy:
        assert lines[operation.source.line - 1] == f".. rest_method:: {operation.method} {operation.path}"
        for parameter in operation.parameters + operation.response_parameters:
            assert lines[parameter.source.line - 1] == f"- {parameter.name}: {parameter.key}"
