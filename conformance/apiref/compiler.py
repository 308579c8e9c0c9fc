"""Compile an api-ref source into the model: sections, parameters, samples, trees.

    source (ApiRefSource) ─ parameters.yaml ─> ParameterCatalogue
                          └ *.inc ─ restore ─ parse_rst ─ read_sections ─> RawSection
    RawSection + catalogue + samples ─ nesting, preconditions, availability ─> Operation

:func:`compile_apiref` is the stage's entry point.
"""

from __future__ import annotations

import difflib
import multiprocessing
import os
import re
import threading
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from conformance.apiref.availability import read_availability
from conformance.apiref.directives import parse_rst
from conformance.apiref.indentation import restore
from conformance.apiref.nesting import build_tree
from conformance.apiref.parameters import Definition, ParameterCatalogue, load_parameters
from conformance.apiref.preconditions import recognise, split_sentences
from conformance.apiref.samples import load_sample
from conformance.apiref.sections import RawSection, admin_only, read_common, read_sections
from conformance.apiref.sources import ApiRefSource
from conformance.errors import ConformanceError, InputError, ParametersError, RSTError
from conformance.model import (
    ApiRef,
    Defect,
    Microversion,
    MicroversionRange,
    Operation,
    Parameter,
    Sample,
    Sentence,
    Source,
    SourceInfo,
)

__all__ = ["compile_apiref", "read_inc"]

_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
_EXCEPT = re.compile(r"\bexcept\s+(?:for\s+)?(?:the\s+)?([\w\s-]+?)\s+(?:apis?|operations?)\b", re.I)


def read_inc(text: str, relative: str) -> list[RawSection]:
    """Parse one .inc file's text (restoring lost indentation first) into raw sections.

    Raises :class:`RSTError` with the file and line for malformed RST.
    """
    return _read_text(text, relative)[0]


def _read_text(text: str, relative: str) -> tuple[list[RawSection], RawSection | None]:
    """The file's rest_method sections, and its parameters that stand outside them."""
    restored = restore(text)
    original = restored.original if restored.lines else None
    document = parse_rst(restored.text, relative, original)
    sections = read_sections(document, relative)
    common = read_common(document, relative)
    if original is not None:
        for section in [*sections, *([common] if common else [])]:
            section.relocate(original)
    return sections, common


def compile_apiref(source: ApiRefSource, *, strict: bool = True, jobs: int | None = None) -> ApiRef:
    """Compile the api-ref at ``source`` into an :class:`ApiRef`.

    With ``strict`` (the default), a ``- name: key`` line whose key
    parameters.yaml lacks raises :class:`ParametersError` at that line; without
    it, such lines become ``unknown-parameter`` defects (what ``conformance
    lint`` lists). Raises :class:`RSTError` for malformed RST and
    :class:`SampleError` for a missing or invalid sample, always naming the
    file and line.

    ``jobs`` is how many processes parse the RST (docutils is most of the
    time); None uses every core where the process can fork safely.

    >>> from conformance.apiref.sources import local
    >>> apiref = compile_apiref(local("nova/api-ref/source"))  # doctest: +SKIP
    >>> apiref.find("GET", "/servers/{server_id}/migrations").versions.min
    Microversion(major=2, minor=23)
    """
    catalogue = load_parameters(source.parameters_file(), source.relative(source.parameters_file()))
    defects: list[Defect] = list(catalogue.defects)
    files = [(path, source.relative(path)) for path in source.inc_files()]
    read = _read_all(files, jobs)
    raws = [(raw, path) for (path, _), (sections, _) in zip(files, read, strict=True) for raw in sections]
    commons = [common for _, common in read if common is not None]
    samples: dict[str, Sample] = {}
    operations: list[Operation] = []
    unrecognised: list[Sentence] = []
    group_scopes = _group_scopes([raw for raw, _ in raws])
    for raw, path in raws:
        operation, found, unread = _operation(raw, path, source, catalogue, samples, group_scopes)
        operations.append(operation)
        defects.extend(found)
        unrecognised.extend(unread)
    unknown = [defect for defect in defects if defect.code == "unknown-parameter"]
    if strict and unknown:
        first = unknown[0]
        raise ParametersError(first.message, first.source.path, first.source.line)
    operations = _name_variants(operations)
    common_request = tuple(p for common in commons for p in _parameters(common, common.request, catalogue, defects))
    common_response = tuple(p for common in commons
                            for p in _parameters(common, common.response, catalogue, defects))
    info = SourceInfo(service=source.service, origin=source.origin, sha256=source.sha256)
    versions, versions_source = _advertised(operations)
    return ApiRef(info=info, operations=tuple(operations), defects=tuple(sorted(set(defects), key=_defect_order)),
                  unrecognised_preconditions=tuple(unrecognised), versions=versions, versions_source=versions_source,
                  common_parameters=common_request, common_response_parameters=common_response)


def _advertised(operations: Sequence[Operation]) -> tuple[MicroversionRange, Source | None]:
    """The CURRENT version's range from the version document samples (``GET /`` and ``GET /v2.1``)."""
    best: tuple[MicroversionRange, Source | None] = (MicroversionRange(), None)
    for operation in operations:
        for sample in operation.samples:
            body = sample.body
            if sample.is_request or not isinstance(body, dict):
                continue
            listed = body.get("versions")
            documents: list[object] = listed if isinstance(listed, list) else [body.get("version")]
            for document in documents:
                if not isinstance(document, dict) or document.get("status") != "CURRENT":
                    continue
                try:
                    low = Microversion.parse(document["min_version"])
                    high = Microversion.parse(document["version"])
                except (KeyError, TypeError, ConformanceError):
                    continue
                if best[0].max is None or high > best[0].max:
                    best = (MicroversionRange(low, high), sample.source)
    return best


def _read_file(item: tuple[Path, str]) -> tuple[list[RawSection], RawSection | None]:
    path, relative = item
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RSTError(f"cannot read: {exc}", relative) from None
    return _read_text(text, relative)


def _read_all(files: list[tuple[Path, str]], jobs: int | None,
              ) -> list[tuple[list[RawSection], RawSection | None]]:
    """Read every file, in parallel processes when that is safe and worth it (results in file order)."""
    if jobs is None:
        # fork is only safe with one thread; elsewhere (or with few files) parse here.
        forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
        jobs = min(os.cpu_count() or 1, 4) if forkable and len(files) >= 16 else 1
    if jobs <= 1:
        return [_read_file(item) for item in files]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_read_file, files, chunksize=max(1, len(files) // (jobs * 4))))


def _defect_order(defect: Defect) -> tuple[str, int, str, str]:
    return (defect.source.path, defect.source.line, defect.code, defect.message)


def _operation(raw: RawSection, path: Path, source: ApiRefSource, catalogue: ParameterCatalogue,
               samples: dict[str, Sample], group_scopes: dict[str, list[tuple[Sentence, set[str] | None]]],
               ) -> tuple[Operation, list[Defect], list[Sentence]]:
    defects = [Defect(code, message, Source(raw.file, line)) for code, message, line in raw.problems]
    request = _parameters(raw, raw.request, catalogue, defects)
    response = _parameters(raw, raw.response, catalogue, defects)
    _check_path(raw, request, defects)
    side_samples = [_sample(include.path, include.line, include.is_request, raw, path, source, samples)
                    for include in raw.includes]
    request_body, found = build_tree([p for p in request if p.location == "body"],
                                     [s for s in side_samples if s.is_request])
    defects.extend(found)
    response_body, found = build_tree([p for p in response if p.location == "body"],
                                      [s for s in side_samples if not s.is_request])
    defects.extend(found)
    availability = read_availability([s.text for s in raw.description + raw.notes])
    versions = _versions(raw, availability.versions, group_scopes.get(raw.file, []))
    group_availability = read_availability([s.text for s in raw.group_notes] + [raw.group])
    rules, unread = recognise(raw.preconditions)
    operation = Operation(
        method=raw.method,
        path=raw.path,
        title=raw.title,
        group=raw.group,
        description=" ".join(s.text for s in raw.description),
        versions=versions,
        normal_codes=tuple(raw.normal_codes),
        error_codes=tuple(raw.error_codes),
        parameters=tuple(request),
        request_body=request_body,
        response_parameters=tuple(response),
        response_body=response_body,
        samples=tuple(side_samples),
        preconditions=tuple(rules),
        precondition_text=tuple(sentence for p in raw.preconditions for sentence in split_sentences(p)),
        postconditions=tuple(raw.postconditions),
        # "Policy defaults enable only users with the administrative role to perform all os-aggregates
        # related operations." in the file's top prose holds for each of its operations.
        admin_only=raw.admin_only or any(admin_only(note.text) for note in raw.group_notes),
        source=Source(raw.file, raw.line),
        notes=tuple(raw.notes),
        deprecated=availability.deprecated or group_availability.deprecated,
        removed=availability.removed or group_availability.removed,
    )
    if not raw.normal_codes:
        defects.append(Defect("missing-response-codes", "no 'Normal response codes' paragraph", operation.source))
    return operation, defects, unread


def _parameters(raw: RawSection, lines: Sequence[object], catalogue: ParameterCatalogue,
                defects: list[Defect]) -> list[Parameter]:
    parameters: list[Parameter] = []
    for item in lines:
        name, key, line = item.name, item.key, item.line  # type: ignore[attr-defined]
        source = Source(raw.file, line)
        definition = catalogue.definitions.get(key)
        if definition is None:
            close = difflib.get_close_matches(key, catalogue.definitions, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            defects.append(Defect("unknown-parameter", f"unknown parameter {key!r}{hint}", source))
            continue
        if definition.location is None:
            defects.append(Defect("unknown-parameter-location",
                                  f"parameter {key!r} has no 'in'; read as a body parameter", source))
        parameters.append(_parameter(name, definition, source))
    return parameters


def _parameter(name: str, definition: Definition, source: Source) -> Parameter:
    return Parameter(name=name, key=definition.key, location=definition.location or "body",
                     required=definition.required, type=definition.type or "string",
                     description=definition.description, versions=definition.versions,
                     nullable=definition.nullable, source=source, definition=definition.source,
                     format=definition.format)


def _check_path(raw: RawSection, request: list[Parameter], defects: list[Defect]) -> None:
    in_template = set(_PATH_PARAMETER.findall(raw.path))
    documented = {p.name for p in request if p.location == "path"}
    for missing in sorted(in_template - documented):
        defects.append(Defect("undocumented-path-parameter",
                              f"path parameter {{{missing}}} of {raw.path} is not listed", Source(raw.file, raw.line)))
    for parameter in request:
        if parameter.location == "path" and parameter.name not in in_template:
            defects.append(Defect("path-parameter-not-in-path",
                                  f"path parameter {parameter.name!r} does not appear in {raw.path}",
                                  parameter.source))


def _sample(include: str, line: int, is_request: bool, raw: RawSection, path: Path, source: ApiRefSource,
            cache: dict[str, Sample]) -> Sample:
    resolved = source.resolve_include(include, path)
    relative = source.relative(resolved)
    where = Source(raw.file, line)
    cached = cache.get(relative)
    if cached is None:
        cached = load_sample(source.repo_root, relative, where, is_request) if resolved.is_relative_to(
            source.repo_root) else _outside(include, where)
        cache[relative] = cached
    if cached.is_request != is_request or cached.source != where:
        return Sample(cached.path, cached.microversion, cached.body, is_request, where)
    return cached


def _outside(include: str, where: Source) -> Sample:
    raise InputError(f"literalinclude {include!r} points outside the api-ref's repository", where.path, where.line)


def _versions(raw: RawSection, stated: MicroversionRange,
              scopes: list[tuple[Sentence, set[str] | None]]) -> MicroversionRange:
    """The operation's range: rest_method options, then its own prose, then the file's scoped prose."""
    low, high = stated.min, stated.max
    for name, (text, line) in raw.version_options.items():
        try:
            version = Microversion.parse(text)
        except Exception:
            raise RSTError(f"{name} {text!r} is not a microversion such as 2.59", raw.file, line) from None
        if name == "min_version":
            low = version
        else:
            high = version
    if high is None or low is None:
        segments = _segments(raw.path)
        for sentence, applies_to in scopes:
            if applies_to is not None and not (applies_to & segments):
                continue
            group = read_availability([sentence.text]).versions
            low = low or group.min
            high = high or group.max
    return MicroversionRange(low, high)


def _segments(path: str) -> set[str]:
    return {part for part in path.strip("/").split("/") if part and not part.startswith("{")}


def _group_scopes(raws: Sequence[RawSection]) -> dict[str, list[tuple[Sentence, set[str] | None]]]:
    """Per file, each sentence of its top prose with the path segments it is limited to (None: every operation).

    "All the Image services proxy APIs except image metadata APIs will fail with a 404 starting from
    microversion 2.36. The image metadata APIs will fail with a 404 starting from microversion 2.39."
    limits the first sentence to the operations without a ``metadata`` segment and the second to those with one.
    """
    by_file: dict[str, list[RawSection]] = defaultdict(list)
    for raw in raws:
        by_file[raw.file].append(raw)
    scopes: dict[str, list[tuple[Sentence, set[str] | None]]] = {}
    for file, sections in by_file.items():
        every = [_segments(raw.path) for raw in sections]
        all_segments: set[str] = set().union(*every)
        distinctive = all_segments - every[0].intersection(*every[1:]) if every else set()
        entries: list[tuple[Sentence, set[str] | None]] = []
        for paragraph in sections[0].group_notes:
            for sentence in split_sentences(paragraph):
                words = set(re.findall(r"[\w-]+", sentence.text.lower()))
                excluded = _EXCEPT.search(sentence.text)
                if excluded:
                    named = set(re.findall(r"[\w-]+", excluded.group(1).lower())) & distinctive
                    entries.append((sentence, {s for s in all_segments if s not in named} or None))
                    continue
                named = words & distinctive
                entries.append((sentence, named or None))
        scopes[file] = entries
    return scopes


def _name_variants(operations: list[Operation]) -> list[Operation]:
    """Give each section that shares its method and path with others an ``action`` name.

    The name is the request body's single top-level key (``reboot``); where
    that does not tell the variants apart (two PUT forms of a volume
    attachment), the section title's slug is used.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, operation in enumerate(operations):
        groups[operation.key].append(index)
    named = list(operations)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        keys = [operations[i].request_body[0].name if operations[i].request_body else None for i in indexes]
        for i, key in zip(indexes, keys, strict=True):
            unique = key is not None and keys.count(key) == 1
            action = key if unique else _slug(operations[i].title)
            named[i] = _replace(operations[i], action)
    return named


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "variant"


def _replace(operation: Operation, action: str | None) -> Operation:
    return replace(operation, action=action)
