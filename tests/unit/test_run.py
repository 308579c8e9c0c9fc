"""`conformance run`'s pytest command line, and bad waiver input caught before anything runs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import ClassVar

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


def test_a_service_travels_to_the_plugin() -> None:
    argv = pytest_arguments(_args("--target", "http://placement/", "--service", "placement"), Path("r"))
    assert argv[argv.index("--service") + 1] == "placement"
    assert "--service" not in pytest_arguments(_args(), Path("r"))


class _Box:
    """nova-box as run_novabox_services sees it: URLs by service and tokens."""

    url = "http://127.0.0.1:1/v2.1/"
    placement_url = "http://127.0.0.1:2/"
    tokens: ClassVar[dict[str, str]] = {"admin": "a" * 32, "member": "m" * 32, "other": "o" * 32}

    def __enter__(self) -> _Box:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def service_url(self, service: str) -> str:
        return {"compute": self.url, "placement": self.placement_url}[service]

    kept: ClassVar[list[Path]] = []

    def keep_log(self, destination: Path) -> Path:
        self.kept.append(destination)
        return destination


def _certify(directory: Path, verdict: str) -> None:
    directory.mkdir(parents=True)
    summary = {"certification": "1.1", "verdict": verdict, "scope": {"statement": "1 of 2 operations <b>"},
               "tests": {"passed": 3}, "target": "t", "spec": {"origin": "o"},
               "apis": [{"api": "Servers <x>", "status": verdict, "tests": {"passed": 3}}]}
    (directory / "certification.json").write_text(json.dumps(summary), encoding="utf-8")


@pytest.mark.parametrize(("verdicts", "overall", "code"), [
    ({"compute": "conformant", "placement": "conformant"}, "conformant", 0),
    ({"compute": "conformant", "placement": "not conformant"}, "not conformant", 1),
    ({"compute": "incomplete", "placement": "conformant"}, "incomplete", 6),
    ({"compute": "conformant"}, "incomplete", 6),  # placement's run wrote no certificate
])
def test_no_target_certifies_each_service_of_one_nova_box_in_one_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, verdicts: dict[str, str], overall: str, code: int) -> None:
    import conformance.novabox
    from conformance import run

    calls: list[tuple[list[str], dict[str, str]]] = []

    def fake_pytest(argv: list[str], env: dict[str, str]) -> int:
        calls.append((argv, env))
        report = Path(argv[argv.index("--conformance-report") + 1])
        service = argv[argv.index("--service") + 1]
        if service in verdicts:
            _certify(report, verdicts[service])
        return {"conformant": 0, "not conformant": 1}.get(verdicts.get(service, "incomplete"), 6)

    monkeypatch.setattr(conformance.novabox, "NovaBox", _Box)
    monkeypatch.setattr(run, "_pytest", fake_pytest)
    monkeypatch.setattr(_Box, "kept", [])
    assert run.run_novabox_services(_args(), tmp_path) == code
    # nova's log is kept beside the reports when a test failed (not for a run only incomplete)
    assert _Box.kept == ([tmp_path / "nova-box.log"] if code == 1 else [])
    targets = [(argv[argv.index("--target") + 1], argv[argv.index("--service") + 1]) for argv, _ in calls]
    assert targets == [(_Box.url, "compute"), (_Box.placement_url, "placement")]
    for argv, env in calls:
        assert "--allow-unsafe" in argv and _Box.tokens["admin"] not in " ".join(argv)
        assert env["CONFORMANCE_ADMIN_TOKEN"] == _Box.tokens["admin"]
    summary = json.loads((tmp_path / "certification.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == overall
    assert {name: entry["verdict"] for name, entry in summary["services"].items()} == {
        "compute": verdicts.get("compute", "incomplete"), "placement": verdicts.get("placement", "incomplete")}
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Servers &lt;x&gt;" in page and "<b>" not in page and "compute/report.html" in page


def test_each_service_runs_in_a_pytest_process_of_its_own() -> None:
    import os

    from conformance import run

    assert run._pytest(["--version"], dict(os.environ)) == 0
