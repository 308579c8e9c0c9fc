"""The ``conformance`` command.

    conformance generate [--api-ref DIR | --nova-version V] [--specs DIR] [--check]
    conformance spec --microversion 2.59 [--format json|yaml]
    conformance lint
    conformance nova-box [--port N] [--migration-seconds S]
    conformance run [--target URL] [--allow-destructive] [-- PYTEST-ARGS]
    conformance selftest [--fault ID] [--jobs N] [--list] [--serve ID]
    conformance report RESULTS.json [-o report.html] [--verify certification.json]

Exit codes: 0 success; 1 a finding (lint defects, stale specs); 2 bad input
(the message names the file and line), never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from conformance import __version__
from conformance.errors import ConformanceError

__all__ = ["main"]


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("api-ref source")
    exclusive = group.add_mutually_exclusive_group()
    exclusive.add_argument("--api-ref", metavar="DIR",
                           help="a local api-ref source directory (holding parameters.yaml and the *.inc files)")
    exclusive.add_argument("--nova-version", metavar="VERSION", default=None,
                           help="a released nova sdist to fetch, pinned by sha256 (default: 34.0.0)")
    group.add_argument("--service", default="compute", help="the service type the api-ref documents (default: compute)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"conformance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser("generate", help="compile the api-ref into specs/<service>/openapi.yaml")
    _add_source_options(generate)
    generate.add_argument("--specs", metavar="DIR", default="specs", help="where to write (default: specs)")
    generate.add_argument("--check", action="store_true",
                          help="write nothing; exit 1 if the files in --specs differ from a fresh generation")

    spec = commands.add_parser("spec", help="print a plain OpenAPI 3.1 document for one microversion")
    _add_source_options(spec)
    spec.add_argument("--microversion", required=True, metavar="X.Y", help="e.g. 2.59, or 'latest'")
    spec.add_argument("--format", choices=("json", "yaml"), default="json")

    lint = commands.add_parser("lint", help="list api-ref defects found while compiling (exit 1 if any)")
    _add_source_options(lint)
    lint.add_argument("--code", action="append", metavar="CODE", help="only defects of this code (repeatable)")

    from conformance import run as run_command

    run = commands.add_parser("run", help="run the conformance suites against a target (default: nova-box) "
                              "and write reports")
    run_command.add_arguments(run)

    selftest = commands.add_parser("selftest", help="prove the suites: run them against nova-box through a "
                                   "fault-injecting proxy, once per fault, and report the kill rate")
    selftest.add_argument("--fault", action="append", metavar="ID", help="only this fault (repeatable)")
    selftest.add_argument("--jobs", type=int, default=2, help="faults run in parallel (default 2)")
    selftest.add_argument("--list", action="store_true", help="list the faults and exit")
    selftest.add_argument("--serve", metavar="ID", default=None,
                          help="run no suite: boot nova-box behind the proxy with fault ID and print its URL and "
                          "tokens, a deliberately faulty target for `conformance run --target` (Ctrl-C stops)")

    report = commands.add_parser("report", help="render report.html again from a results.json")
    report.add_argument("results", metavar="RESULTS.json", type=Path, help="results.json written by a run")
    report.add_argument("-o", "--output", metavar="FILE", type=Path, default=None,
                        help="where to write the page (default: report.html next to RESULTS.json)")
    report.add_argument("--verify", metavar="CERTIFICATION.json", type=Path, default=None,
                        help="render nothing: check that a certification summary matches RESULTS.json (exit 1 if not)")

    from conformance.novabox import cli as novabox_cli

    box = commands.add_parser("nova-box", help="boot real Nova locally (fake virt driver) and print its URL")
    novabox_cli.add_arguments(box)
    return parser


def _source(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from conformance.apiref import sources

    if args.api_ref:
        return sources.local(args.api_ref, service=args.service)
    if args.nova_version:
        return sources.release("nova", args.nova_version)
    return sources.release("nova")


def _generate(args: argparse.Namespace) -> int:
    from conformance.apiref.compiler import compile_apiref
    from conformance.openapi import dump_yaml, emit

    apiref = compile_apiref(_source(args))
    target = Path(args.specs) / apiref.info.service / "openapi.yaml"
    text = dump_yaml(emit(apiref))
    sections = len(apiref.operations)
    operations = len({operation.key for operation in apiref.operations})
    variants = sum(1 for operation in apiref.operations if operation.action)
    summary = (f"{apiref.info.origin}: {sections} rest_method sections, {operations} operations "
               f"({variants} sections are variants of shared operations)")
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            print(f"{target} is stale: run 'conformance generate' and commit the result", file=sys.stderr)
            return 1
        print(f"{summary}; {target} is up to date")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".yaml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)
    print(f"{summary} -> {target}")
    return 0


def _spec(args: argparse.Namespace) -> int:
    from conformance.apiref.compiler import compile_apiref
    from conformance.openapi import dump_json, dump_yaml, project

    apiref = compile_apiref(_source(args))
    version = _microversion(args.microversion, apiref)
    document = project(apiref, version)
    sys.stdout.write(dump_json(document) if args.format == "json" else dump_yaml(document))
    return 0


def _microversion(text: str, apiref):  # type: ignore[no-untyped-def]
    from conformance.errors import VersionError
    from conformance.model import Microversion

    latest = apiref.versions.max
    if text == "latest":
        if latest is None:
            raise VersionError("'latest' needs the api-ref's version document, which this api-ref lacks")
        return latest
    version = Microversion.parse(text)
    low, high = apiref.versions.min, apiref.versions.max
    if (low is not None and version < low) or (high is not None and version > high):
        raise VersionError(f"microversion {version} is outside the api-ref's range {low}-{high} "
                           f"(from {apiref.versions_source})")
    return version


def _lint(args: argparse.Namespace) -> int:
    from conformance.apiref.compiler import compile_apiref

    apiref = compile_apiref(_source(args), strict=False)
    defects = [d for d in apiref.defects if not args.code or d.code in args.code]
    for defect in defects:
        print(defect)
    counts = Counter(defect.code for defect in defects)
    rules = sum(len(operation.preconditions) for operation in apiref.operations)
    sentences = sum(len(operation.precondition_text) for operation in apiref.operations)
    print(f"\n{apiref.info.origin}: {len(defects)} defects"
          + "".join(f"\n  {count:4d} {code}" for code, count in counts.most_common()), file=sys.stderr)
    print(f"preconditions: {sentences} sentences, {rules} structured rules, "
          f"{len(apiref.unrecognised_preconditions)} sentences not recognised", file=sys.stderr)
    return 1 if defects else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    handlers = {"generate": _generate, "spec": _spec, "lint": _lint}
    try:
        if args.command == "run":
            from conformance import run as run_command

            return run_command.main(args)
        if args.command == "report":
            from conformance.report import main_report

            return main_report(args.results, args.output, args.verify)
        if args.command == "selftest":
            from conformance.selftest.command import main as selftest_main

            return selftest_main(args)
        if args.command == "nova-box":
            from conformance.novabox import cli as novabox_cli

            return int(novabox_cli.main(args))
        return handlers[args.command](args)
    except ConformanceError as error:
        print(f"conformance: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("conformance: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
