"""``conformance nova-box``: boot real Nova locally and keep it running.

Wired into conformance/cli.py by ``add_arguments(subparser)`` and
``main(args) -> int``. Prints the box's one JSON ready line on stdout (progress
on stderr), writes it to ``--state-file`` when given, and stops cleanly on
SIGTERM or Ctrl-C. Errors are :class:`~conformance.errors.TargetError`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from conformance.errors import TargetError
from conformance.novabox.box import NovaBox
from conformance.novabox.environment import ensure_environment, environment_status

__all__ = ["add_arguments", "main"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535 (0 picks a free one), got {value}")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``nova-box`` subcommand's options."""
    parser.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default 0: a free one)")
    parser.add_argument(
        "--migration-seconds",
        type=_positive,
        default=3600.0,
        metavar="S",
        help="a live migration completes by itself after S seconds unless forced or aborted (default 3600)",
    )
    parser.add_argument(
        "--seed",
        type=_count,
        default=1,
        metavar="N",
        help="servers of the member's project seeded with a running live migration (default 1)",
    )
    parser.add_argument("--state-file", metavar="F", help="also write the ready JSON to F (removed at stop)")
    parser.add_argument("--ready-timeout", type=_positive, default=300.0, metavar="S", help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached Nova environment first")
    parser.add_argument(
        "--install-only", action="store_true", help="only build (or check) the cached Nova environment, then exit"
    )


def main(args: argparse.Namespace) -> int:
    """Run the box until SIGTERM/Ctrl-C; 0 on a clean stop. Raises TargetError."""
    if args.install_only:
        python = ensure_environment(rebuild=args.rebuild)
        problem = environment_status()
        if problem is not None:
            raise TargetError(f"nova-box environment unusable: {problem}")
        print(f"nova-box: environment ready ({python})", file=sys.stderr)
        return 0

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    box = NovaBox(
        port=args.port,
        migration_seconds=args.migration_seconds,
        seed=args.seed,
        state_file=args.state_file,
        ready_timeout=args.ready_timeout,
        rebuild=args.rebuild,
    )
    try:
        box.start()
        print(box.ready_line, flush=True)
        while not stop.wait(0.5):
            if not box.running():
                raise TargetError(f"nova-box stopped unexpectedly (exit {box.wait()})")
        return 0
    finally:
        box.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(argv: list[str] | None = None) -> int:
    """Standalone entry (``python -m conformance.novabox``): errors as messages, exit 2."""
    parser = argparse.ArgumentParser(prog="conformance nova-box", description=__doc__.split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return main(args)
    except TargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
