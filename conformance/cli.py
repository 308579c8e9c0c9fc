"""The ``conformance`` command.

    conformance generate [--all | --service TYPE | --api-ref DIR [--service TYPE] | --nova-version V]
                         [--specs DIR] [--check]
    conformance spec [--service TYPE | --api-ref DIR | --nova-version V] [--microversion X.Y|latest]
                     [--format json|yaml]
    conformance lint [--all | --service TYPE | --api-ref DIR | --nova-version V] [--code CODE]
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
from typing import TYPE_CHECKING

from conformance import __version__
from conformance.errors import ConformanceError

if TYPE_CHECKING:
    from conformance.apiref.sources import ApiRefSource
    from conformance.model import ApiRef, Microversion

__all__ = ["main"]

_HELP = {
    "generate": "compile api-refs into specs/<service-type>/openapi.yaml (every pinned service by default)",
    "spec": "print a plain OpenAPI 3.1 document for one microversion (or for a service without them)",
    "lint": "list api-ref defects found while compiling, and samples contradicting it (exit 1 if any)",
    "run": "run the conformance suites against a target (default: nova-box) and write reports",
    "selftest": "prove the suites: run them against nova-box through a fault-injecting proxy, once per fault, "
                "and report the kill rate",
    "report": "render report.html again from a results.json",
    "nova-box": "boot real Nova locally (fake virt driver) and print its URL",
}


def _add_source_options(parser: argparse.ArgumentParser, every: bool = False) -> None:
    group = parser.add_argument_group("api-ref source")
    exclusive = group.add_mutually_exclusive_group()
    exclusive.add_argument("--api-ref", metavar="DIR",
                           help="a local api-ref source directory (holding the *.inc files); --service says whose")
    exclusive.add_argument("--nova-version", metavar="VERSION", default=None,
                           help="a released nova sdist to fetch, pinned by sha256 (default: 34.0.0)")
    if every:
        exclusive.add_argument("--all", action="store_true",
                               help="every service pinned in services.toml (the default without --service)")
    group.add_argument("--service", metavar="TYPE", default=None,
                       help="the service type: its pinned release, or what --api-ref documents (compute, placement, "
                       "block-storage, image, identity, network; default: compute)")


def _parser(command: str | None) -> argparse.ArgumentParser:
    """The command line; only ``command``'s own options are built (the others' imports cost time)."""
    parser = argparse.ArgumentParser(prog="conformance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"conformance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    added = {name: commands.add_parser(name, help=text) for name, text in _HELP.items()}

    generate = added["generate"]
    _add_source_options(generate, every=True)
    generate.add_argument("--specs", metavar="DIR", default="specs", help="where to write (default: specs)")
    generate.add_argument("--check", action="store_true",
                          help="write nothing; exit 1 if the files in --specs differ from a fresh generation")

    spec = added["spec"]
    _add_source_options(spec)
    spec.add_argument("--microversion", metavar="X.Y",
                      help="e.g. 2.59, or 'latest'; required by a service with microversions, refused by others")
    spec.add_argument("--format", choices=("json", "yaml"), default="json")

    lint = added["lint"]
    _add_source_options(lint, every=True)
    lint.add_argument("--code", action="append", metavar="CODE", help="only defects of this code (repeatable)")

    if command == "run":
        from conformance import run as run_command

        run_command.add_arguments(added["run"])

    selftest = added["selftest"]
    selftest.add_argument("--fault", action="append", metavar="ID", help="only this fault (repeatable)")
    selftest.add_argument("--jobs", type=int, default=2, help="faults run in parallel (default 2)")
    selftest.add_argument("--list", action="store_true", help="list the faults and exit")
    selftest.add_argument("--serve", metavar="ID", default=None,
                          help="run no suite: boot nova-box behind the proxy with fault ID and print its URL and "
                          "tokens, a deliberately faulty target for `conformance run --target` (Ctrl-C stops)")

    report = added["report"]
    report.add_argument("results", metavar="RESULTS.json", type=Path, help="results.json written by a run")
    report.add_argument("-o", "--output", metavar="FILE", type=Path, default=None,
                        help="where to write the page (default: report.html next to RESULTS.json)")
    report.add_argument("--verify", metavar="CERTIFICATION.json", type=Path, default=None,
                        help="render nothing: check that a certification summary matches RESULTS.json (exit 1 if not)")

    if command == "nova-box":
        from conformance.novabox import cli as novabox_cli

        novabox_cli.add_arguments(added["nova-box"])
    return parser


def _sources(args: argparse.Namespace, every_by_default: bool = False) -> list[ApiRefSource]:
    """The api-refs the options name: a local folder, a nova release, a service's pin, or every pinned service."""
    from conformance.apiref import services, sources
    from conformance.errors import VersionError

    if args.api_ref:
        return [sources.local(args.api_ref, service=args.service or "compute")]
    if args.nova_version:
        if args.service not in (None, "compute"):
            raise VersionError(f"--nova-version picks a release of nova, the compute api-ref, not {args.service}'s")
        return [sources.release("nova", args.nova_version)]
    if getattr(args, "all", False) or (every_by_default and args.service is None):
        return [sources.for_service(service) for service in services.service_types()]
    return [sources.for_service(args.service or "compute")]


def _generate(args: argparse.Namespace) -> int:
    from conformance.apiref import cache
    from conformance.openapi import dump_yaml, emit

    stale = 0
    for source in _sources(args, every_by_default=True):
        apiref = cache.load(source, strict=True)
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
                stale += 1
            else:
                print(f"{summary}; {target} is up to date")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".yaml.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(target)
        print(f"{summary} -> {target}")
    return 1 if stale else 0


def _spec(args: argparse.Namespace) -> int:
    from conformance.apiref import cache

    (source,) = _sources(args)

    def produce() -> str:
        from conformance.errors import VersionError
        from conformance.openapi import dump_json, dump_yaml, project

        apiref = cache.load(source, strict=True)
        service = apiref.info.service
        if apiref.protocol is None:
            if args.microversion:
                raise VersionError(f"{service} has no microversions; leave out --microversion")
            document = project(apiref)
        else:
            if not args.microversion:
                raise VersionError(f"{service} has microversions ({_range(apiref)}): give --microversion X.Y "
                                   "or latest")
            document = project(apiref, _microversion(args.microversion, apiref))
        return dump_json(document) if args.format == "json" else dump_yaml(document)

    # The same text for the same release, version and format: kept beside the compiled model.
    sys.stdout.write(cache.remembered(source, ("spec", args.microversion or "", args.format), produce))
    return 0


def _documented(apiref: ApiRef) -> tuple[Microversion | None, Microversion | None]:
    """The versions a projection may name: from the advertised minimum to the highest the api-ref documents."""
    low, high = apiref.versions.min, apiref.versions.max
    named = apiref.named_microversions()
    if high is not None and named and named[-1] > high:
        high = named[-1]  # the version document lags behind the api-ref (a version-document-behind defect)
    return low, high


def _range(apiref: ApiRef) -> str:
    low, high = _documented(apiref)
    where = f"from {apiref.versions_source}" if apiref.versions_source else "no version document"
    if high != apiref.versions.max:
        where = f"{apiref.versions} advertised at {apiref.versions_source}, documented up to {high}"
    return f"{low}-{high} ({where})" if low or high else "unstated"


def _microversion(text: str, apiref: ApiRef) -> Microversion:
    from conformance.errors import VersionError
    from conformance.model import Microversion

    low, high = _documented(apiref)
    if text == "latest":
        if high is None:
            raise VersionError("'latest' needs the api-ref's version document, which this api-ref lacks")
        return high
    version = Microversion.parse(text)
    if (low is not None and version < low) or (high is not None and version > high):
        raise VersionError(f"microversion {version} is outside the api-ref's range {_range(apiref)}")
    return version


def _lint(args: argparse.Namespace) -> int:
    from conformance.apiref import cache
    from conformance.openapi.api_samples import tree_evidence
    from conformance.openapi.evidence import sample_defects

    found = 0
    chosen = _sources(args)
    for source in chosen:
        apiref = cache.load(source)
        tree = tree_evidence(apiref, source.root, source.repo_root)
        everything = sorted([*apiref.defects, *sample_defects(apiref), *(tree.defects if tree else ())],
                            key=lambda d: (d.source.path, d.source.line, d.code, d.message))
        defects = [d for d in everything if not args.code or d.code in args.code]
        found += len(defects)
        for defect in defects:
            print(f"{apiref.info.service}: {defect}" if len(chosen) > 1 else defect)
        counts = Counter(defect.code for defect in defects)
        rules = sum(len(operation.preconditions) for operation in apiref.operations)
        sentences = sum(len(operation.precondition_text) for operation in apiref.operations)
        name = f"{apiref.info.origin} ({apiref.info.service})" if len(chosen) > 1 else apiref.info.origin
        print(f"\n{name}: {len(defects)} defects"
              + "".join(f"\n  {count:4d} {code}" for code, count in counts.most_common()), file=sys.stderr)
        print(f"preconditions: {sentences} sentences, {rules} structured rules, "
              f"{len(apiref.unrecognised_preconditions)} sentences not recognised", file=sys.stderr)
        kinds = Counter(erratum.kind for erratum in apiref.errata)
        print(f"errata: {len(apiref.errata)} applied" + "".join(f", {n} {kind}" for kind, n in sorted(kinds.items()))
              + f"; {sum(d.code == 'erratum-stale' for d in apiref.defects)} stale", file=sys.stderr)
        if tree is not None:
            print(f"api samples ({tree.root}): {tree.files} files, {tree.included} included by the api-ref, "
                  f"{tree.by_family} matched as another version of an included one, {tree.by_name} by their name, "
                  f"{tree.unmatched} unmatched", file=sys.stderr)
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    given = list(sys.argv[1:] if argv is None else argv)
    args = _parser(next((a for a in given if not a.startswith("-")), None)).parse_args(given)
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
