"""Compile an api-ref source into the model: sections, parameters, samples, trees, protocol.

    source (ApiRefSource) ─ *.inc ─ expand includes ─ restore ─ parse_rst ─ read_sections ─> RawSection
    RawSection + the files its directives name (Catalogues) + samples
        ─ nesting, preconditions, availability (operations.Resolver) ─> Operation
    Operations + the service's description (services.toml) ─> ApiRef with its MicroversionProtocol

:func:`compile_apiref` is the stage's entry point; :func:`conformance.apiref.cache.load`
keeps what it compiles from a pinned release.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from conformance.apiref import errata, protocol, services
from conformance.apiref.cache import check_strict
from conformance.apiref.catalogues import Catalogues
from conformance.apiref.corrections import apply as apply_errata
from conformance.apiref.directives import parse_rst
from conformance.apiref.includes import expand
from conformance.apiref.indentation import restore
from conformance.apiref.operations import Resolver, group_scopes
from conformance.apiref.sections import RawSection, read_common, read_sections
from conformance.apiref.sources import ApiRefSource
from conformance.errors import RSTError
from conformance.model import ApiRef, Defect, Operation, Parameter, Sentence, SourceInfo

__all__ = ["check_strict", "compile_apiref", "read_inc"]


def read_inc(text: str, relative: str) -> list[RawSection]:
    """Parse one .inc file's text (restoring lost indentation first) into raw sections.

    Raises :class:`RSTError` with the file and line for malformed RST.
    """
    return _read_text(text, relative)[0]


def _read_text(text: str, relative: str, path: Path | None = None, repository: Path | None = None,
               ) -> tuple[list[RawSection], RawSection | None]:
    """The file's rest_method sections, and its parameters that stand outside them.

    With ``path`` and ``repository``, ``.. include::`` lines are expanded first
    (see :mod:`conformance.apiref.includes`); every line is mapped back to the file.
    """
    expanded = expand(text, path, relative, repository) if path is not None else None
    restored = restore(expanded.text if expanded is not None else text)
    original: Callable[[int], int] | None = None
    if expanded is not None and expanded.lines:
        outer = expanded.original
        original = (lambda line: outer(restored.original(line))) if restored.lines else outer
    elif restored.lines:
        original = restored.original
    document = parse_rst(restored.text, relative, original)
    sections = read_sections(document, relative)
    common = read_common(document, relative)
    if original is not None:
        for section in [*sections, *([common] if common else [])]:
            section.relocate(original)
    return sections, common


def compile_apiref(source: ApiRefSource, *, strict: bool = True, jobs: int | None = None,
                   corrections: list[errata.Correction] | None = None) -> ApiRef:
    """Compile the api-ref at ``source`` into an :class:`ApiRef`.

    With ``strict`` (the default), a ``- name: key`` line whose key its
    parameters file lacks raises :class:`ParametersError` at that line (see
    :func:`check_strict`); without it, such lines are ``unknown-parameter``
    defects (what ``conformance lint`` lists). Raises :class:`RSTError` for
    malformed RST, :class:`InputError` for a file a directive names that is
    missing or an undefined status code, and :class:`SampleError` for a missing
    or invalid sample, always naming the file and line.

    The service's description in services.toml (``source.service``) gives how
    samples name their version and the microversion protocol; a service it does
    not describe is read as one without microversions.

    ``jobs`` is how many processes read and resolve the files (docutils is
    most of the time); None uses every core where the process can fork safely.

    ``corrections`` are the errata to apply (see :mod:`conformance.apiref.errata`); None applies those
    shipped for the release (``conformance/errata/<service>.yaml``), none for a local api-ref.

    >>> from conformance.apiref.sources import local
    >>> apiref = compile_apiref(local("nova/api-ref/source"))  # doctest: +SKIP
    >>> apiref.find("GET", "/servers/{server_id}/migrations").versions.min
    Microversion(major=2, minor=23)
    """
    described = services.profile(source.service)
    corrections = errata.load(source.service, source.origin) if corrections is None else corrections
    resolver = Resolver(source, Catalogues(source), described.sample_version if described else None,
                        versioned=described is None or described.protocol is not None, corrections=corrections)
    files = [(path, source.relative(path), source.repo_root) for path in source.inc_files()]
    defects: list[Defect] = []
    operations: list[Operation] = []
    unrecognised: list[Sentence] = []
    common_request: list[Parameter] = []
    common_response: list[Parameter] = []
    for done in _compile_all(files, jobs, resolver):
        operations.extend(done.operations)
        defects.extend(done.defects)
        unrecognised.extend(done.unrecognised)
        common_request.extend(done.common_request)
        common_response.extend(done.common_response)
    operations = _name_variants(operations)
    info = SourceInfo(service=source.service, origin=source.origin, sha256=source.sha256,
                      api_version=described.api_version if described else None,
                      paths=described.paths if described else None,
                      fault=described.fault if described else None)
    found_protocol = protocol.protocol(described.protocol if described else None, operations)
    apiref = ApiRef(info=info, operations=tuple(operations), unrecognised_preconditions=tuple(unrecognised),
                    protocol=found_protocol, common_parameters=tuple(common_request),
                    common_response_parameters=tuple(common_response))
    apiref = replace(apiref, defects=tuple(defects))
    apiref = apply_errata(apiref, corrections, source.repo_root)
    defects = list(apiref.defects)
    stale = protocol.behind(found_protocol, apiref.named_microversions())
    defects.extend([stale] if stale is not None else [])
    apiref = replace(apiref, defects=tuple(sorted(set(defects), key=_defect_order)))
    if strict:
        check_strict(apiref)
    return apiref


Item = tuple[Path, str, Path]
"""A file to compile: its path, its name in sources, the repository its includes may reach."""


@dataclass
class _Compiled:
    """What one file gives: its operations, what was found wrong, and the parameters it lists for every operation."""

    operations: list[Operation]
    defects: list[Defect]
    unrecognised: list[Sentence]
    common_request: list[Parameter]
    common_response: list[Parameter]


_PARALLEL_BYTES = 128 * 1024
"""The text below which the files are compiled in this process rather than in parallel ones."""

_RESOLVER: Resolver | None = None
"""The resolver of the compile under way: set before the worker processes fork, so each inherits it."""


def _read_file(item: Item) -> tuple[list[RawSection], RawSection | None]:
    path, relative, repository = item
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RSTError(f"cannot read: {exc}", relative) from None
    return _read_text(text, relative, path, repository)


def _compile_file(item: Item) -> _Compiled:
    """Read one file and resolve its sections (in a worker process, with the resolver it inherited)."""
    resolver = _RESOLVER
    assert resolver is not None, "no compile under way"
    sections, common = _read_file(item)
    defects: list[Defect] = []
    done = _Compiled([], defects, [], [], [])
    scopes = group_scopes(sections)
    for raw in sections:
        operation, found, unread = resolver.operation(raw, item[0], scopes)
        done.operations.append(operation)
        defects.extend(found)
        done.unrecognised.extend(unread)
    if common is not None:
        done.common_request = resolver.parameters(common, common.request, defects)
        done.common_response = resolver.parameters(common, common.response, defects)
    defects.extend(resolver.catalogues.defects)  # repeated by each process that read the file: made unique later
    return done


def _compile_all(files: list[Item], jobs: int | None, resolver: Resolver) -> list[_Compiled]:
    """Compile every file, in parallel processes when that is safe and worth it (results in file order)."""
    global _RESOLVER
    if jobs is None:
        # fork is only safe with one thread; elsewhere, or for little text (starting the processes costs
        # what docutils takes for about 50 KiB), work here.
        forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
        large = len(files) >= 8 and sum(path.stat().st_size for path, _, _ in files) >= _PARALLEL_BYTES
        jobs = min(os.cpu_count() or 1, 4) if forkable and large else 1
    _RESOLVER = resolver
    try:
        if jobs <= 1:
            return [_compile_file(item) for item in files]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_compile_file, files, chunksize=max(1, len(files) // (jobs * 4))))
    finally:
        _RESOLVER = None


def _defect_order(defect: Defect) -> tuple[str, int, str, str]:
    return (defect.source.path, defect.source.line, defect.code, defect.message)


def _name_variants(operations: list[Operation]) -> list[Operation]:
    """Give each section that shares its method and path with others an ``action`` name.

    The name is the request body's single top-level key (``reboot``); where
    that does not tell the variants apart (two PUT forms of a volume
    attachment), the section title's slug is used. Names stay unique: a
    repeated one gets a numeric suffix.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, operation in enumerate(operations):
        groups[operation.key].append(index)
    named = list(operations)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        keys = [operations[i].request_body[0].name if operations[i].request_body else None for i in indexes]
        taken: set[str] = set()
        for i, key in zip(indexes, keys, strict=True):
            base = key if key is not None and keys.count(key) == 1 else _slug(operations[i].title)
            action = base
            counter = 1
            while action in taken:
                counter += 1
                action = f"{base}-{counter}"
            taken.add(action)
            named[i] = _replace(operations[i], action)
    return named


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "variant"


def _replace(operation: Operation, action: str | None) -> Operation:
    return replace(operation, action=action)
