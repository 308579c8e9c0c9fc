"""``conformance run``: the suites against a target (nova-box by default), with reports.

    conformance run                                  # boot real Nova locally and certify it
    conformance run --target URL [--allow-destructive] [--microversions 2.1-2.90]
    conformance run --service placement              # the Placement of nova-box, against placement's api-ref
    conformance run --os-cloud mycloud -- -k migrations -x     # pytest options after --

Tokens come from ``--admin-token``/``--member-token``/``--other-token`` or
the ``CONFORMANCE_*_TOKEN`` variables (better: they stay out of ``ps``).
Reports go to ``reports/<UTC timestamp>/`` unless ``--report-dir`` says.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["RUN_INI", "add_arguments", "main", "pytest_arguments"]

RUN_INI = Path(__file__).resolve().parent / "suites" / "run.ini"
"""The pytest configuration of a run: the user's own pytest settings must not change a certification."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", metavar="URL", help="the service's endpoint or root (default: nova-box)")
    parser.add_argument("--service", metavar="TYPE", choices=("compute", "placement"), default=None,
                        help="the service to certify, whose pinned api-ref is the contract: compute (default) or "
                        "placement (nova-box serves both)")
    for role in ("admin", "member", "other"):
        parser.add_argument(f"--{role}-token", metavar="TOKEN",
                            help=f"{role} token (or CONFORMANCE_{role.upper()}_TOKEN)")
    parser.add_argument("--os-cloud", metavar="NAME", help="a cloud of clouds.yaml (keystoneauth1)")
    parser.add_argument("--microversions", metavar="RANGE", help="e.g. 2.1-2.90 (default: all the target advertises)")
    parser.add_argument("--allow-destructive", action="store_true",
                        help="create what the suites need, named conformance-..., and delete it after (always on for "
                        "nova-box)")
    parser.add_argument("--allow-unsafe", action="store_true",
                        help="with --allow-destructive, also run the writes that change the cloud beyond the suites' "
                        "own resources (disable a compute service, change default quotas): a throwaway cloud only "
                        "(always on for the nova-box the run boots)")
    parser.add_argument("--operations", metavar="REGEX",
                        help="only the operations whose 'METHOD /path (action)' matches, e.g. 'flavors|os-keypairs' "
                        "(default: every operation of the api-ref)")
    parser.add_argument("--request-timeout", metavar="SECONDS", type=float)
    parser.add_argument("--report-dir", metavar="DIR", type=Path, help="default: reports/<UTC timestamp>")
    parser.add_argument("--api-ref", metavar="DIR", help="a local api-ref source directory")
    parser.add_argument("--nova-version", metavar="VERSION", help="the pinned nova release (default 34.0.0)")
    parser.add_argument("--jobs", metavar="N", type=int, default=2,
                        help="tests run in N processes (pytest-xdist; default 2, 1: one process); the verdicts are "
                        "the same either way")
    parser.add_argument("--waivers", metavar="FILE", type=Path,
                        help="your own waiver file, used instead of the shipped one (listed in the report)")
    parser.add_argument("--extend-waivers", action="store_true",
                        help="add the --waivers file to the shipped waivers instead of replacing them")
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST-ARGS", help="passed to pytest")


def report_directory(args: argparse.Namespace) -> Path:
    if args.report_dir is not None:
        return Path(args.report_dir)
    return Path("reports") / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def pytest_arguments(args: argparse.Namespace, report_dir: Path) -> list[str]:
    """The pytest command line of a run (tokens travel through the environment, never argv)."""
    argv = ["-c", str(RUN_INI), "--rootdir", str(RUN_INI.parent), "-p", "no:cacheprovider",
            "--conformance-report", str(report_dir)]
    allowed = (["--allow-destructive"] if args.allow_destructive else []) + (
        ["--allow-unsafe"] if args.allow_destructive and args.allow_unsafe else [])
    if args.target:
        argv += ["--target", args.target, *allowed]
    elif not args.os_cloud:
        argv += ["--nova-box", "--allow-destructive", "--allow-unsafe"]
    else:
        argv += ["--os-cloud", args.os_cloud, *allowed]
    for flag, value in (("--service", getattr(args, "service", None)), ("--microversions", args.microversions),
                        ("--request-timeout", args.request_timeout),
                        ("--api-ref", args.api_ref), ("--nova-version", args.nova_version),
                        ("--operations", args.operations), ("--waivers", args.waivers)):
        if value is not None:
            argv += [flag, str(value)]
    if args.extend_waivers:
        argv.append("--extend-waivers")
    jobs = getattr(args, "jobs", 1) or 1
    if jobs > 1 and "-n" not in args.pytest_args and not any(a.startswith("--numprocesses") for a in args.pytest_args):
        argv += ["-n", str(jobs)]
    return argv + list(args.pytest_args)


def main(args: argparse.Namespace) -> int:
    """Run the suites; the exit code agrees with the certificate (0 conformant, 1 not conformant, 6 incomplete).

    Raises InputError (exit 2 from the CLI) for a waiver file that cannot be used, before anything runs.
    """
    import pytest

    if args.extend_waivers and args.waivers is None:
        from conformance.errors import InputError

        raise InputError("--extend-waivers needs --waivers FILE")
    if args.waivers is not None:
        from conformance.checks import load_waivers

        load_waivers(args.waivers)

    for role in ("admin", "member", "other"):
        token = getattr(args, f"{role}_token")
        if token:
            os.environ[f"CONFORMANCE_{role.upper()}_TOKEN"] = token
    directory = report_directory(args)
    if args.target is None and not args.os_cloud and getattr(args, "service", None) is None:
        return run_novabox_services(args, directory)
    code = pytest.main(pytest_arguments(args, directory))
    return int(code)


NOVABOX_SERVICES = ("compute", "placement")
"""What ``conformance run`` certifies with no target: the services nova-box serves, in one run and one report."""


def run_novabox_services(args: argparse.Namespace, directory: Path,
                         services: tuple[str, ...] = NOVABOX_SERVICES) -> int:
    """Boot nova-box once, run the suites of each service it serves against it (each in its own pytest process,
    reports in ``directory/<service>/``), and write the combined certificate; its exit code (0 conformant, 1 not
    conformant, 6 incomplete; 2 when a run could not start)."""
    import signal
    import sys
    import time

    from conformance.novabox import NovaBox
    from conformance.report.combined import write_combined
    from conformance.report.views import CONFORMANT, NOT_CONFORMANT

    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:  # SIGTERM ends the run as Ctrl-C does: reports kept
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    print("conformance: booting nova-box (real Nova 34.0.0 with its Placement, fake virt driver)...",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    codes: dict[str, int] = {}
    with NovaBox() as box:
        print(f"conformance: nova-box ready in {time.monotonic() - started:.1f} s: compute at {box.url}, placement "
              f"at {box.placement_url}", file=sys.stderr, flush=True)
        env = dict(os.environ, **{f"CONFORMANCE_{role.upper()}_TOKEN": box.tokens[role]
                                  for role in ("admin", "member", "other")})
        for service in services:
            own = argparse.Namespace(**{**vars(args), "target": box.service_url(service), "service": service,
                                        "allow_destructive": True, "allow_unsafe": True})
            print(f"conformance: certifying {service}", file=sys.stderr, flush=True)
            codes[service] = _pytest(pytest_arguments(own, directory / service), env)
        if any(code in (1, 2) for code in codes.values()):  # a failure or an error: what nova did is worth keeping
            kept = box.keep_log(directory / "nova-box.log")
            if kept is not None:
                print(f"conformance: nova-box's log kept: {kept}", file=sys.stderr, flush=True)
    certification, page, summary = write_combined(directory, services)
    for service, entry in summary["services"].items():
        print(f"  {service:<10} {str(entry['verdict']).upper()}", flush=True)
    print(f"  certification: {str(summary['verdict']).upper()} ({certification})\n  report: {page}", flush=True)
    if any(code == 2 for code in codes.values()):
        return 2
    verdict = summary["verdict"]
    return 0 if verdict == CONFORMANT else 1 if verdict == NOT_CONFORMANT else 6


def _pytest(argv: list[str], env: dict[str, str]) -> int:
    """One service's run in its own pytest process; an interrupt stops it (it writes its reports and deletes
    what it created) before nova-box stops, and is raised again."""
    import subprocess
    import sys

    from conformance.plugin.workers import GRACE_SECONDS

    child = subprocess.Popen([sys.executable, "-m", "pytest", *argv], env=env)
    try:
        return child.wait()
    except BaseException:
        child.terminate()
        try:
            child.wait(timeout=GRACE_SECONDS + 60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        raise
