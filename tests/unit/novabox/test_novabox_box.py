"""conformance.novabox.box and cli: ready-line parsing, redaction, arguments, errors.

The server process is replaced by small Python scripts, so these run without nova.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

from conformance.errors import TargetError
from conformance.novabox import box as boxmod
from conformance.novabox.box import NovaBox, parse_ready_line, redact
from conformance.novabox.cli import add_arguments

READY = {"url": "http://127.0.0.1:1234/v2.1/", "placement_url": "http://127.0.0.1:1235/",
         "tokens": {"admin": "a" * 32, "member": "b" * 32, "other": "c" * 32}}


def test_ready_line_is_parsed() -> None:
    assert parse_ready_line(json.dumps(READY) + "\n") == READY


@pytest.mark.parametrize(
    "line",
    [
        "",
        "nova-box: starting",
        "{not json",
        "[1, 2]",
        json.dumps({"url": 1, "tokens": READY["tokens"]}),
        json.dumps({"url": READY["url"]}),
        json.dumps({"url": READY["url"], "tokens": {"admin": "x", "member": "y"}}),
    ],
)
def test_other_lines_are_not_ready_lines(line: str) -> None:
    assert parse_ready_line(line) is None


def test_redact_replaces_every_token() -> None:
    text = f"X-Auth-Token: {'a' * 32} then {'b' * 32} and {'a' * 32}"
    out = redact(text, READY["tokens"])
    assert "a" * 32 not in out and "b" * 32 not in out
    assert out.count("<token:admin>") == 2 and "<token:member>" in out
    assert redact("nothing", None) == "nothing"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_cli_defaults() -> None:
    args = parse([])
    assert (args.port, args.migration_seconds, args.seed, args.state_file) == (0, 3600.0, 1, None)
    assert not args.rebuild and not args.install_only


def test_cli_options() -> None:
    args = parse(["--port", "8774", "--migration-seconds", "30", "--seed", "3", "--state-file", "s.json"])
    assert (args.port, args.migration_seconds, args.seed, args.state_file) == (8774, 30.0, 3, "s.json")


@pytest.mark.parametrize("argv", [["--port", "70000"], ["--port", "x"], ["--migration-seconds", "0"], ["--seed", "-1"]])
def test_cli_rejects_bad_values(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        parse(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_box_rejects_bad_values() -> None:
    with pytest.raises(TargetError):
        NovaBox(port=-1)
    with pytest.raises(TargetError):
        NovaBox(migration_seconds=0)


def test_not_started_box_has_no_url() -> None:
    box = NovaBox()
    with pytest.raises(TargetError, match="not running"):
        _ = box.url
    assert "not started" in repr(box)
    assert box.stop() is None  # idempotent, harmless


def fake_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """Replace novabox_server.py by ``body`` (run with this python)."""
    script = tmp_path / "fake_server.py"
    script.write_text("import json, os, sys, signal, time\n" + body)
    monkeypatch.setattr(boxmod, "SERVER_SCRIPT", script)


def test_start_reads_ready_line_and_stop_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server(
        tmp_path,
        monkeypatch,
        f"""
args = sys.argv[1:]
workdir = args[args.index('--workdir') + 1]
state_file = args[args.index('--state-file') + 1]
open(os.path.join(workdir, 'nova.log'), 'w').write('booting')
line = json.dumps({READY!r})
open(state_file, 'w').write(line)
print('noise before the ready line')
print(line, flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    time.sleep(0.1)
""",
    )
    state_file = tmp_path / "state.json"
    box = NovaBox(python=sys.executable, state_file=state_file, ready_timeout=30)
    with box:
        assert box.url == READY["url"] and box.tokens == READY["tokens"]
        assert box.placement_url == READY["placement_url"] == box.service_url("placement")
        assert box.service_url("compute") == box.url
        with pytest.raises(TargetError, match="serves no image service"):
            box.service_url("image")
        workdir = box.workdir
        assert workdir is not None and (workdir / "nova.log").exists()
        assert state_file.exists() and box.running()
        assert READY["tokens"]["admin"] not in repr(box)
    assert not workdir.exists() and not state_file.exists()
    assert not box.running()


def test_a_kept_log_outlives_the_box_with_its_tokens_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """stop() removes the box's files; the log a failed run keeps is a copy, with no token in it."""
    fake_server(
        tmp_path,
        monkeypatch,
        f"""
args = sys.argv[1:]
workdir = args[args.index('--workdir') + 1]
open(os.path.join(workdir, 'nova.log'), 'w').write('GET /servers token {READY["tokens"]["member"]}\\nNo valid host\\n')
print(json.dumps({READY!r}), flush=True)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    time.sleep(0.1)
""",
    )
    with NovaBox(python=sys.executable, ready_timeout=30) as box:
        kept = box.keep_log(tmp_path / "report" / "nova-box.log")
    assert kept == tmp_path / "report" / "nova-box.log"
    assert kept.read_text(encoding="utf-8") == "GET /servers token <token:member>\nNo valid host\n"
    assert box.keep_log(tmp_path / "again.log") is None  # stopped: nothing left to keep


def test_exit_before_ready_is_a_target_error_with_log_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server(
        tmp_path,
        monkeypatch,
        """
args = sys.argv[1:]
workdir = args[args.index('--workdir') + 1]
open(os.path.join(workdir, 'nova.log'), 'w').write('ImportError: no module named nova\\n')
sys.exit(1)
""",
    )
    box = NovaBox(python=sys.executable, ready_timeout=30)
    with pytest.raises(TargetError, match=r"(?s)exited with code 1.*no module named nova") as err:
        box.start()
    assert "Traceback" not in str(err.value)
    assert box.workdir is None


def test_port_in_use_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server(tmp_path, monkeypatch, "sys.exit(3)\n")
    with pytest.raises(TargetError, match=r"port 8774 on 127\.0\.0\.1 is already in use"):
        NovaBox(python=sys.executable, port=8774, ready_timeout=30).start()


def test_ready_timeout_stops_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server(tmp_path, monkeypatch, "time.sleep(60)\n")
    box = NovaBox(python=sys.executable, ready_timeout=1)
    with pytest.raises(TargetError, match="did not become ready within 1s"):
        box.start()
    assert not box.running()
