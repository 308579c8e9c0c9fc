"""Tests of the conformance command on the fixture api-ref: the happy paths, and bad input -> exit 2, one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from conformance.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apiref"
SOURCE = FIXTURE / "api-ref" / "source"


@pytest.fixture
def api_ref(tmp_path: Path) -> Path:
    """A writable copy of the fixture; returns its api-ref source directory."""
    shutil.copytree(FIXTURE, tmp_path / "repo")
    return tmp_path / "repo" / "api-ref" / "source"


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (which must occur) by ``new`` in the file; returns the line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(code: int, err: str, location: str) -> str:
    """Exit 2 with exactly one message, starting with the file and line, and no traceback."""
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"conformance: error: {location}: "), lines[0]
    return lines[0]


# --- happy paths ------------------------------------------------------------------------------


def test_generate_writes_a_valid_spec_and_prints_both_counts(capsys: pytest.CaptureFixture[str],
                                                            tmp_path: Path) -> None:
    code, out, _ = run(capsys, "generate", "--api-ref", str(SOURCE), "--specs", str(tmp_path))
    assert code == 0
    assert out.strip() == (f"{SOURCE}: 7 rest_method sections, 6 operations (2 sections are variants of shared "
                           f"operations) -> {tmp_path / 'compute' / 'openapi.yaml'}")
    document = yaml.safe_load((tmp_path / "compute" / "openapi.yaml").read_text(encoding="utf-8"))
    validate(document)
    action = document["paths"]["/servers/{server_id}/snapshots/{snapshot_id}/action"]["post"]
    variants = action["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [variant["x-openstack-action"] for variant in variants] == ["pin", "unpin"]


def test_generate_check_tells_fresh_from_stale(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "generate", "--api-ref", str(SOURCE), "--specs", str(tmp_path))[0] == 0
    code, out, _ = run(capsys, "generate", "--api-ref", str(SOURCE), "--specs", str(tmp_path), "--check")
    assert code == 0 and out.strip().endswith("is up to date")
    spec = tmp_path / "compute" / "openapi.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    code, _, err = run(capsys, "generate", "--api-ref", str(SOURCE), "--specs", str(tmp_path), "--check")
    assert code == 1 and "is stale" in err


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_spec_prints_one_microversion(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out, _ = run(capsys, "spec", "--api-ref", str(SOURCE), "--microversion", "2.23", "--format", fmt)
    assert code == 0
    document = json.loads(out) if fmt == "json" else yaml.safe_load(out)
    validate(document)
    assert document["info"]["version"] == "2.23"
    # pin and unpin need 2.22, delete 2.24: at 2.23 the snapshot has no DELETE.
    operations = {(path, method) for path, item in document["paths"].items() for method in item
                  if method in ("get", "post", "put", "delete", "patch")}
    assert operations == {
        ("/", "get"), ("/v2.1", "get"), ("/servers/{server_id}/snapshots", "get"),
        ("/servers/{server_id}/snapshots/{snapshot_id}", "get"),
        ("/servers/{server_id}/snapshots/{snapshot_id}/action", "post"),
    }


def test_spec_latest_is_the_version_document_maximum(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spec", "--api-ref", str(SOURCE), "--microversion", "latest")
    assert code == 0 and json.loads(out)["info"]["version"] == "2.30"


def test_lint_lists_defects_with_file_and_line_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", "--api-ref", str(SOURCE))
    assert code == 1
    inc = SOURCE / "server-snapshots.inc"
    assert out.splitlines()[0].startswith(f"server-snapshots.inc:{line_of(inc, '- snapshots_links:')}: "
                                          "unplaced-parameter: ")
    assert len(out.strip().splitlines()) == 3
    assert f"{SOURCE}: 3 defects" in err
    assert "preconditions: 3 sentences, 3 structured rules, 1 sentences not recognised" in err


def test_lint_code_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--api-ref", str(SOURCE), "--code", "sample-type-mismatch")
    assert code == 1
    assert [line.split(": ")[1] for line in out.strip().splitlines()] == ["sample-type-mismatch"]
    assert run(capsys, "lint", "--api-ref", str(SOURCE), "--code", "no-such-code")[0] == 0


# --- bad input: exit 2, one message naming the file and line, no traceback ---------------------


def test_malformed_rst(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", ".. rest_method:: DELETE", ".. rest_method:: REMOVE")
    code, _, err = run(capsys, "generate", "--api-ref", str(api_ref), "--specs", str(api_ref / "out"))
    message = assert_one_error(code, err, f"server-snapshots.inc:{line}")
    assert "rest_method expects 'METHOD /path'" in message
    assert not (api_ref / "out").exists()


def test_unknown_directive(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "versions.inc", ".. rest_parameters::", ".. rest_paramaters::")
    code, _, err = run(capsys, "lint", "--api-ref", str(api_ref))
    assert "Unknown directive type" in assert_one_error(code, err, f"versions.inc:{line}")


def test_malformed_parameter_line(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", "  - limit: limit", "  - limit")
    code, _, err = run(capsys, "spec", "--api-ref", str(api_ref), "--microversion", "2.25")
    assert "expected '- name: key'" in assert_one_error(code, err, f"server-snapshots.inc:{line}")


def test_malformed_yaml(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "parameters.yaml", "  type: float", "  type: [float")
    code, _, err = run(capsys, "generate", "--api-ref", str(api_ref), "--specs", str(api_ref / "out"))
    # The parser notices the unclosed flow sequence at the next key.
    message = assert_one_error(code, err, f"parameters.yaml:{line + 1}")
    assert "invalid YAML" in message


def test_invalid_version_in_parameters_yaml(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "parameters.yaml", "min_version: 2.10", "min_version: two")
    code, _, err = run(capsys, "generate", "--api-ref", str(api_ref), "--specs", str(api_ref / "out"))
    assert "min_version 'two' is not a microversion" in assert_one_error(code, err, f"parameters.yaml:{line}")


def test_key_missing_from_parameters_yaml(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", "- size: snapshot_size", "- size: snapshot_sise")
    code, _, err = run(capsys, "generate", "--api-ref", str(api_ref), "--specs", str(api_ref / "out"))
    message = assert_one_error(code, err, f"server-snapshots.inc:{line}")
    assert message.endswith("unknown parameter 'snapshot_sise' (did you mean 'snapshot_size'?)")


def test_lint_reports_a_missing_key_as_a_defect_instead(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", "- size: snapshot_size", "- size: snapshot_sise")
    code, out, _ = run(capsys, "lint", "--api-ref", str(api_ref))
    assert code == 1
    assert f"server-snapshots.inc:{line}: unknown-parameter: unknown parameter 'snapshot_sise'" in out


def test_broken_literalinclude(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", "v2.25/snapshot-get.json", "v2.25/snapshot-got.json")
    code, _, err = run(capsys, "spec", "--api-ref", str(api_ref), "--microversion", "2.25")
    message = assert_one_error(code, err, f"server-snapshots.inc:{line}")
    assert "cannot read sample doc/api_samples/server-snapshots/v2.25/snapshot-got.json" in message


def test_sample_that_is_not_json_is_a_defect_not_bad_input(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    # Sphinx shows such a sample all the same (keystone's abbreviate with "...."): the api-ref is wrong, not the input.
    (api_ref.parent.parent / "doc" / "api_samples" / "server-snapshots" / "pin-req.json").write_text('{"pin": {')
    line = line_of(api_ref / "server-snapshots.inc", "pin-req.json")
    code, out, err = run(capsys, "lint", "--api-ref", str(api_ref))
    assert code == 1 and "Traceback" not in err
    assert (f"server-snapshots.inc:{line}: sample-not-json: sample doc/api_samples/server-snapshots/pin-req.json "
            "is not valid JSON: Expecting property name enclosed in double quotes at line 1") in out.splitlines()
    assert run(capsys, "spec", "--api-ref", str(api_ref), "--microversion", "2.25")[0] == 0


def test_include_outside_the_repository(capsys: pytest.CaptureFixture[str], api_ref: Path) -> None:
    line = edit(api_ref / "server-snapshots.inc", "../../doc/api_samples/server-snapshots/pin-req.json",
                "../../../../../etc/passwd")
    code, _, err = run(capsys, "lint", "--api-ref", str(api_ref))
    assert "points outside the api-ref's repository" in assert_one_error(code, err, f"server-snapshots.inc:{line}")


def test_microversion_outside_the_advertised_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "spec", "--api-ref", str(SOURCE), "--microversion", "2.31")
    versions = line_of(SOURCE / "versions.inc", "versions-get-resp.json")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip() == ("conformance: error: microversion 2.31 is outside the api-ref's range 2.1-2.30 "
                           f"(from versions.inc:{versions})")


def test_malformed_microversion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "spec", "--api-ref", str(SOURCE), "--microversion", "2.x")
    assert code == 2 and out == ""
    assert err.strip() == "conformance: error: invalid microversion '2.x': expected MAJOR.MINOR such as 2.59"


def test_unknown_release(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "lint", "--nova-version", "0.0.1")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "0.0.1" in err and "Traceback" not in err


def test_not_an_api_ref_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "lint", "--api-ref", str(FIXTURE))
    assert code == 2
    assert err.strip() == (f"conformance: error: {FIXTURE} is not an api-ref source directory: it has no "
                           f"*.inc file (did you mean {FIXTURE}/api-ref/source?)")


def test_the_process_exits_2_without_a_traceback(api_ref: Path) -> None:
    line = edit(api_ref / "parameters.yaml", "  in: query", "  in: cookie")
    result = subprocess.run([sys.executable, "-m", "conformance.cli", "spec", "--api-ref", str(api_ref),
                             "--microversion", "2.25"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == (f"conformance: error: parameters.yaml:{line}: parameter 'changes_since': 'in' "
                                     "must be one of path, query, header, body, not 'cookie'")


def test_selftest_lists_its_faults_by_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["selftest", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 25
    families = {line.split()[1] for line in lines}
    assert {"status", "errors", "os-migrations"} <= families, families


@pytest.mark.parametrize("argv", [["selftest", "--serve", "no-such-fault"], ["selftest", "--fault", "nope", "--list"],
                                  ["selftest", "--jobs", "0"]])
def test_selftest_refuses_bad_arguments_before_booting_anything(argv: list[str],
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.startswith("conformance: error: ") and "Traceback" not in error
    assert "known: drop-status" in error or "--jobs must be 1 or more" in error


def test_run_arguments_boot_nova_box_with_unsafe_writes_and_two_processes(tmp_path: Path) -> None:
    import argparse

    from conformance import run

    parser = argparse.ArgumentParser()
    run.add_arguments(parser)
    box = run.pytest_arguments(parser.parse_args([]), tmp_path)
    assert box[-5:] == ["--nova-box", "--allow-destructive", "--allow-unsafe", "-n", "2"]
    cloud = run.pytest_arguments(parser.parse_args(["--target", "http://h/v2.1", "--allow-unsafe", "--jobs", "1",
                                                    "--operations", "flavors"]), tmp_path)
    assert "--allow-unsafe" not in cloud, "unsafe writes need --allow-destructive too"
    assert "-n" not in cloud and cloud[-2:] == ["--operations", "flavors"]
    both = run.pytest_arguments(parser.parse_args(["--target", "http://h/v2.1", "--allow-destructive",
                                                   "--allow-unsafe", "--", "-n", "4"]), tmp_path)
    assert both.count("-n") == 1 and {"--allow-destructive", "--allow-unsafe"} <= set(both)


# --- the other services' api-refs: the widgets fixture ----------------------------------------------

WIDGETS = Path(__file__).resolve().parents[1] / "fixtures" / "widgets"
WIDGETS_SOURCE = WIDGETS / "api-ref" / "source" / "v3"


@pytest.fixture
def widgets(tmp_path: Path) -> Path:
    """A writable copy of the widgets fixture; returns its api-ref source directory."""
    shutil.copytree(WIDGETS, tmp_path / "widgets")
    return tmp_path / "widgets" / "api-ref" / "source" / "v3"


def test_lint_counts_by_kind_for_the_service_given(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", "--api-ref", str(WIDGETS_SOURCE), "--service", "block-storage")
    assert code == 1
    lines = out.strip().splitlines()
    assert len(lines) == 11 and all(line.split(": ")[0].rsplit(":", 1)[1].isdigit() for line in lines)
    assert f"{WIDGETS_SOURCE}: 11 defects" in err
    assert "     2 unplaced-parameter\n" in err and "     1 sample-contradicts-schema\n" in err


def test_spec_of_a_service_with_microversions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spec", "--api-ref", str(WIDGETS_SOURCE), "--service", "block-storage",
                       "--microversion", "latest")
    assert code == 0
    document = json.loads(out)
    validate(document)
    # The version document says 3.12, the api-ref documents up to 3.20: latest is what it documents.
    assert document["info"]["version"] == "3.20"
    assert document["components"]["parameters"]["OpenStackAPIVersion"]["schema"]["enum"] == ["volume 3.20"]
    code, _, err = run(capsys, "spec", "--api-ref", str(WIDGETS_SOURCE), "--service", "block-storage")
    assert code == 2 and err.strip() == (
        "conformance: error: block-storage has microversions (3.0-3.20 (3.0-3.12 advertised at versions.inc:31, "
        "documented up to 3.20)): give --microversion X.Y or latest")
    code, _, err = run(capsys, "spec", "--api-ref", str(WIDGETS_SOURCE), "--service", "block-storage",
                       "--microversion", "3.21")
    assert code == 2 and "microversion 3.21 is outside the api-ref's range 3.0-3.20" in err


def test_spec_of_a_service_without_microversions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "spec", "--api-ref", str(WIDGETS_SOURCE), "--service", "identity")
    assert code == 0
    document = json.loads(out)
    validate(document)
    assert document["info"]["version"] == "3" and "OpenStackAPIVersion" not in json.dumps(document)
    code, _, err = run(capsys, "spec", "--api-ref", str(WIDGETS_SOURCE), "--service", "identity",
                       "--microversion", "3.5")
    assert code == 2 and err.strip() == "conformance: error: identity has no microversions; leave out --microversion"


def test_generate_writes_the_spec_under_the_service_type(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "generate", "--api-ref", str(WIDGETS_SOURCE), "--service", "block-storage",
                       "--specs", str(tmp_path))
    assert code == 0
    assert out.strip() == (f"{WIDGETS_SOURCE}: 9 rest_method sections, 7 operations (4 sections are variants of "
                           f"shared operations) -> {tmp_path / 'block-storage' / 'openapi.yaml'}")
    validate(yaml.safe_load((tmp_path / "block-storage" / "openapi.yaml").read_text(encoding="utf-8")))


def test_generate_and_lint_take_every_service_by_default(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.apiref import services, sources

    local = {"compute": SOURCE, "block-storage": WIDGETS_SOURCE}
    monkeypatch.setattr(services, "service_types", lambda: list(local))
    monkeypatch.setattr(sources, "for_service", lambda service: sources.local(local[service], service=service))
    code, out, _ = run(capsys, "generate", "--specs", str(tmp_path))
    assert code == 0 and len(out.strip().splitlines()) == 2
    assert sorted(p.parent.name for p in tmp_path.glob("*/openapi.yaml")) == ["block-storage", "compute"]
    code, out, _ = run(capsys, "generate", "--specs", str(tmp_path), "--check")
    assert code == 0 and out.count("is up to date") == 2
    (tmp_path / "compute" / "openapi.yaml").write_text("stale\n", encoding="utf-8")
    code, out, err = run(capsys, "generate", "--all", "--specs", str(tmp_path), "--check")
    assert code == 1 and out.count("is up to date") == 1 and "compute/openapi.yaml is stale" in err
    code, out, err = run(capsys, "lint", "--all")
    assert code == 1
    assert {line.split(": ")[0] for line in out.splitlines()} == {"compute", "block-storage"}
    assert f"{SOURCE} (compute): 3 defects" in err and f"{WIDGETS_SOURCE} (block-storage): 11 defects" in err


@pytest.mark.parametrize(("change", "location", "message"), [
    (("widgets.inc", "   - 403", "   - 499"), "widgets.inc:{line}", "status code 499 is not defined in ../status.yaml"),
    (("gadgets.inc", "rest_parameters:: gadgets-parameters.yaml", "rest_parameters:: gizmos-parameters.yaml"),
     "gadgets.inc:{next}", "rest_parameters names 'gizmos-parameters.yaml', which does not exist"),
    (("widgets.inc", "widget-resize-request.json", "widget-resize-requst.json"), "widgets.inc:{line}",
     "cannot read sample samples/widgets/widget-resize-requst.json"),
    (("parameters.yaml", "  in: query\n  required: false\n  type: integer", "  in: null\n  required: false\n"
      "  type: integer"), "parameters.yaml:{line}", "parameter 'limit': 'in' must be one of path, query, header, body, "
     "not null"),
    (("widgets.inc", ".. include:: filtering.inc", ".. include:: filters.inc"), "widgets.inc:{line}",
     "cannot include 'filters.inc'"),
], ids=["unknown-status-code", "missing-parameters-file", "missing-sample", "null-in", "missing-include"])
def test_bad_input_of_the_other_conventions(capsys: pytest.CaptureFixture[str], widgets: Path,
                                            change: tuple[str, str, str], location: str, message: str) -> None:
    name, old, new = change
    line = edit(widgets / name, old, new)
    code, _, err = run(capsys, "lint", "--api-ref", str(widgets), "--service", "block-storage")
    error = assert_one_error(code, err, location.format(line=line, next=line + 2))
    assert message in error


def test_lint_lists_the_samples_tree_and_the_errata(capsys: pytest.CaptureFixture[str]) -> None:
    gizmos = Path(__file__).resolve().parents[1] / "fixtures" / "gizmos" / "api-ref" / "source"
    code, out, err = run(capsys, "lint", "--api-ref", str(gizmos), "--service", "compute")
    assert code == 1
    assert "doc/api_samples/sprockets/sprockets-list-resp.json:1: sample-unmatched: " in out
    assert "in doc/api_samples/gizmos/v2.14/gizmos-list-with-marker-resp.json at 2.14 (a sample the api-ref " in out
    # A local api-ref is read as written: the errata of a pinned release do not hold for it.
    assert "errata: 0 applied; 0 stale" in err
    assert ("api samples (doc/api_samples): 10 files, 6 included by the api-ref, 1 matched as another version of "
            "an included one, 1 by their name, 2 unmatched") in err
