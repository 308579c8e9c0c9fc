"""The plugin's run: the target (booting nova-box when asked), the waivers, collection, and the recorder.

Loaded only when a target is set. On pytest-xdist, the controller boots
nova-box and records results; workers inherit the target through the
environment and send their per-test results in ``report.user_properties``
(:mod:`conformance.plugin.recorder`).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import Waiver, load_waivers, use_waivers
from conformance.plugin import SUITES, option, workers
from conformance.plugin.recorder import Recorder

__all__ = ["RECORDER", "Recorder", "configure", "load_run_waivers", "unconfigure"]

RECORDER = pytest.StashKey[Recorder]()
_BOX = pytest.StashKey[Any]()


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _explicit_paths(config: pytest.Config) -> bool:
    """Whether test paths were given on the command line (else the shipped suites are collected)."""
    return config.args_source is pytest.Config.ArgsSource.ARGS


def configure(config: pytest.Config) -> None:
    """Boot nova-box if asked, point collection at the suites, and start recording."""
    _interrupt_on_sigterm(config)
    if not _is_worker(config) and config.getoption("conformance_novabox", False) and not option(
            config, "conformance_target"):
        from conformance.errors import ConformanceError

        try:
            _boot_novabox(config)
        except ConformanceError as error:  # nova-box could not boot: what it said, no traceback
            pytest.exit(f"conformance: error: {error}", returncode=2)
    if not _explicit_paths(config):
        config.args[:] = [str(SUITES)]
    _fix_hypothesis_seed(config)
    from conformance.errors import ConformanceError

    try:
        waivers, files = load_run_waivers(config)
    except ConformanceError as error:
        raise pytest.UsageError(str(error)) from None
    use_waivers(service_of(config), waivers)
    recorder = Recorder(config, waivers, files)
    config.stash[RECORDER] = recorder
    config.pluginmanager.register(recorder, "conformance-recorder")


def service_of(config: pytest.Config) -> str:
    """The service the suites certify (``--service``; its shipped waiver file is
    ``conformance/waivers/<service>.yaml``)."""
    return option(config, "conformance_service") or "compute"


def load_run_waivers(config: pytest.Config) -> tuple[tuple[Waiver, ...], tuple[str, ...]]:
    """The run's waivers and where they came from: ``--waivers FILE`` instead of the shipped file, or (with
    ``--extend-waivers``) after it. Raises InputError naming the file and line of a bad entry."""
    service = service_of(config)
    given = option(config, "conformance_waivers")
    shipped = f"conformance/waivers/{service}.yaml"
    if not given:
        return load_waivers(service=service), (shipped,)
    own = load_waivers(Path(given))
    if not option(config, "conformance_extend_waivers"):
        return own, (given,)
    base = load_waivers(service=service)
    clash = sorted({w.id for w in base} & {w.id for w in own})
    if clash:
        from conformance.errors import InputError

        raise InputError(f"waiver ids {', '.join(clash)} are already in {shipped}: give your waivers other ids",
                         given)
    return base + own, (shipped, given)


def _fix_hypothesis_seed(config: pytest.Config) -> None:
    """One seed for the whole run (and every xdist worker), printed so that the run can be replayed."""
    seed: Any = config.getoption("hypothesis_seed", None) or os.environ.get("CONFORMANCE_HYPOTHESIS_SEED")
    if seed is None:
        seed = str(int.from_bytes(os.urandom(4), "big"))
    os.environ["CONFORMANCE_HYPOTHESIS_SEED"] = str(seed)
    config.option.hypothesis_seed = str(seed)
    from hypothesis import core

    core.global_force_seed = int(seed) if str(seed).isdigit() else seed  # type: ignore[assignment]  # what hypothesis' own plugin does
    if not _is_worker(config):
        print(f"conformance: hypothesis seed {seed} (replay with --hypothesis-seed={seed})", file=sys.stderr,
              flush=True)


def _interrupt_on_sigterm(config: pytest.Config) -> None:
    """SIGTERM (a CI timeout, ``kill``) ends the run as Ctrl-C does: fixtures tear down, so the servers
    the suite created are deleted, nova-box stops and the reports of what ran are written. Under xdist the
    controller first interrupts its workers and waits for them (:mod:`conformance.plugin.workers`)."""
    workers.install(config)


def unconfigure(config: pytest.Config) -> None:
    workers.uninstall(config)
    box = config.stash.get(_BOX, None)
    if box is not None:
        box.stop()


def _boot_novabox(config: pytest.Config) -> None:
    from conformance.novabox import NovaBox

    print("conformance: booting nova-box (real Nova 34.0.0, fake virt driver)...", file=sys.stderr, flush=True)
    started = time.monotonic()
    box = NovaBox().start()
    config.stash[_BOX] = box
    url = box.service_url(service_of(config))
    print(f"conformance: nova-box ready at {url} in {time.monotonic() - started:.1f} s", file=sys.stderr,
          flush=True)
    # Workers (and the suites) read the target from the environment; tokens never reach a log.
    os.environ["CONFORMANCE_TARGET"] = url
    os.environ["CONFORMANCE_ADMIN_TOKEN"] = box.tokens["admin"]
    os.environ["CONFORMANCE_MEMBER_TOKEN"] = box.tokens["member"]
    os.environ["CONFORMANCE_OTHER_TOKEN"] = box.tokens["other"]
    state = Path(box.workdir or ".") / "conformance-state.json" if box.workdir else None
    if state is not None:
        state.write_text(json.dumps(box.state), encoding="utf-8")
        state.chmod(0o600)
        os.environ["CONFORMANCE_NOVABOX_STATE"] = str(state)
