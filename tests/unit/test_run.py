"""`conformance run`'s pytest command line, and bad waiver input caught before anything runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.run import RUN_INI, add_arguments, pytest_arguments


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(argv))


def test_nova_box_by_default_with_the_runs_own_settings() -> None:
    argv = pytest_arguments(_args(), Path("reports/x"))
    assert argv[:4] == ["-c", str(RUN_INI), "--rootdir", str(RUN_INI.parent)]
    assert "--nova-box" in argv and "--allow-destructive" in argv
    assert argv[argv.index("--conformance-report") + 1] == "reports/x"


def test_a_target_is_read_only_unless_allowed() -> None:
    argv = pytest_arguments(_args("--target", "http://nova/v2.1"), Path("r"))
    assert argv[argv.index("--target") + 1] == "http://nova/v2.1" and "--allow-destructive" not in argv
    assert "--allow-destructive" in pytest_arguments(_args("--target", "http://n", "--allow-destructive"), Path("r"))


def test_waivers_travel_to_the_plugin(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    argv = pytest_arguments(_args("--waivers", str(mine)), Path("r"))
    assert argv[argv.index("--waivers") + 1] == str(mine) and "--extend-waivers" not in argv
    argv = pytest_arguments(_args("--waivers", str(mine), "--extend-waivers", "--", "-k", "migrations"), Path("r"))
    assert "--extend-waivers" in argv and argv[-2:] == ["-k", "migrations"]


def test_tokens_never_travel_on_the_command_line() -> None:
    argv = pytest_arguments(_args("--target", "http://n", "--admin-token", "s3cret-admin-token"), Path("r"))
    assert "s3cret-admin-token" not in " ".join(argv)


@pytest.mark.parametrize(("extra", "message"), [
    (["--extend-waivers"], "conformance: error: --extend-waivers needs --waivers FILE"),
    (["--waivers", "{missing}"], "conformance: error: {missing}: cannot read waivers:"),
    (["--waivers", "{bad}"], "conformance: error: {bad}:2: waiver V-1 lacks reviewed"),
])
def test_bad_waiver_input_is_one_line_and_exit_2_before_anything_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("waivers:\n  - id: V-1\n    check: CV-0204\n    operation: '*'\n    title: x\n    reason: r\n",
                   encoding="utf-8")
    paths = {"missing": str(tmp_path / "missing.yaml"), "bad": str(bad)}
    argv = ["run", "--target", "http://127.0.0.1:9/v2.1", *(part.format(**paths) for part in extra)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message.format(**paths)) and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
