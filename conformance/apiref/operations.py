"""One raw section resolved into an :class:`~conformance.model.Operation`.

The parameter keys are looked up in the parameters file their list names,
the status codes in their status file, the samples read where their
``literalinclude`` points; the body trees are nested from the samples, the
range read from the prose and the headings, the preconditions recognised.
What is wrong with the api-ref becomes a :class:`~conformance.model.Defect`;
what cannot be read at all (a missing file, an unknown status code) an
:class:`~conformance.errors.InputError` at its line.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from conformance.apiref.availability import read_availability
from conformance.apiref.catalogues import Catalogues
from conformance.apiref.corrections import listed, rename
from conformance.apiref.directives import ParameterLine
from conformance.apiref.errata import Correction
from conformance.apiref.nesting import build_tree
from conformance.apiref.parameters import Definition
from conformance.apiref.preconditions import recognise, split_sentences
from conformance.apiref.retype import versioned_types
from conformance.apiref.samples import load_sample, sample_family, sample_microversion
from conformance.apiref.sections import RawIncludes, RawSection, admin_only
from conformance.apiref.sources import ApiRefSource
from conformance.errors import InputError, RSTError
from conformance.model import (
    Defect,
    Microversion,
    MicroversionRange,
    Operation,
    Parameter,
    ResponseCode,
    Sample,
    Sentence,
    Source,
)

__all__ = ["GroupScopes", "Resolver", "group_scopes"]

Scope = tuple[Sentence, set[str] | None, set[str]]
"""A sentence of a file's top prose, the path segments it is limited to (None: any), and those it excludes."""
GroupScopes = dict[str, list[Scope]]
"""Per file, each sentence of its top prose with the operations it is about (see :func:`group_scopes`)."""

_EVERY = MicroversionRange()
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
# diagnostics.inc, under Response: "If the virt driver is unable to provide a specific field then this field will
# be reported as ``None`` in the response." (every field of the response).
_EVERY_FIELD_NULLABLE = re.compile(r"\b(?:a|any|every|each|this|that|the)\s+(?:specific\s+|given\s+)?field\b[^.]*\b"
                                   r"(?:reported|returned|shown|given|set)\s+as\s+(?:``|`)?(?:null|None)\b", re.I)
_PARTIAL = re.compile(r"non-responsive\s+part\s+of\s+the\s+deployment|(?<!without\s)(?<!without\sany\s)missing\s+keys",
                      re.I)
_CAPTION_LINES = 8
"""How far above its literalinclude a sample's caption paragraph may start."""
_EXCEPT = re.compile(r"\bexcept\s+(?:for\s+)?(?:the\s+)?([\w\s-]+?)\s+(?:apis?|operations?)\b", re.I)


class Resolver:
    """Resolves the raw sections of one api-ref, sharing its files and samples between sections."""

    def __init__(self, source: ApiRefSource, catalogues: Catalogues, sample_version: re.Pattern[str] | None,
                 versioned: bool = True, corrections: Sequence[Correction] = ()) -> None:
        self.source = source
        self.corrections = list(corrections)
        """The errata of the release; those renaming a parameter apply as it is read, before nesting."""
        self.catalogues = catalogues
        self.sample_version = sample_version
        self.versioned = versioned
        """False for a service without microversions: its operations and elements are versionless, whatever
        ``min_version`` a parameters file writes (keystone's 3.4 is the Identity API release that added a
        field, not a version a client can ask for)."""
        self._bodies: dict[Path, tuple[Sample, str | None]] = {}
        self._directories: dict[str, list[str]] = {}

    def operation(self, raw: RawSection, path: Path, scopes: GroupScopes,
                  ) -> tuple[Operation, list[Defect], list[Sentence]]:
        """The operation of a section of the file at ``path``, the defects found, the sentences not recognised.

        ``scopes`` are the file's top sentences and the operations each applies to (:func:`group_scopes`).
        """
        defects = [Defect(code, message, Source(raw.file, line)) for code, message, line in raw.problems]
        request, response = (
            rename(self.parameters(raw, listed(lines, raw.file, raw.method, raw.path, side, self.corrections), defects),
                   raw.method, raw.path, self.corrections)
            for lines, side in ((raw.request, "request"), (raw.response, "response")))
        _check_path(raw, request, defects)
        side_samples = [self._sample(include, raw, path, defects) for include in raw.includes]
        keys = frozenset(_PATH_PARAMETER.findall(raw.path))
        requests = [s for s in side_samples if s.is_request]
        responses = [s for s in side_samples if not s.is_request]
        if any(_EVERY_FIELD_NULLABLE.search(s.text) for s in raw.response_notes):
            # "this field will be reported as ``None``": every field of the response (before the samples are
            # checked against them).
            response = [replace(p, nullable=True) if p.location == "body" else p for p in response]
        request_body, found = build_tree([p for p in request if p.location == "body"], requests, keys=keys,
                                         hints=lambda: self.siblings(requests))
        defects.extend(found)
        response_body, found = build_tree([p for p in response if p.location == "body"], responses, keys=keys,
                                          hints=lambda: self.siblings(responses))
        defects.extend(found)
        if self.versioned:
            request_body, response_body = versioned_types(request_body), versioned_types(response_body)
        own = raw.description + raw.notes + raw.lead
        availability = read_availability([s.text for s in own])
        defects.extend(Defect("ambiguous-availability", f"{_quote(s.text)} states a microversion for some requests "
                              "only; the operation's range is not limited by it", s.source)
                       for s in own if s.text in availability.ambiguous)
        versions = _versions(raw, availability.versions, scopes.get(raw.file, []))
        group_availability = read_availability([s.text for s in raw.group_notes] + [raw.group])
        rules, unread = recognise(raw.preconditions)
        normal, errors = self._codes(raw, defects)
        if not self.versioned:
            versions = _EVERY
            rules = [replace(rule, versions=_EVERY) for rule in rules]
            normal = [replace(code, versions=_EVERY) for code in normal]
            errors = [replace(code, versions=_EVERY) for code in errors]
        operation = Operation(
            method=raw.method,
            path=raw.path,
            title=raw.title,
            group=raw.group,
            description=" ".join(s.text for s in raw.description),
            versions=versions,
            normal_codes=tuple(normal),
            error_codes=tuple(errors),
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
        if not normal:
            defects.append(Defect("missing-response-codes", "no 'Normal response codes' paragraph or "
                                  "'rest_status_code:: success' list", operation.source))
        return operation, defects, unread

    def parameters(self, raw: RawSection, lines: Sequence[ParameterLine], defects: list[Defect]) -> list[Parameter]:
        """The listed parameters resolved in their parameters files; unknown keys become defects."""
        parameters: list[Parameter] = []
        for item in lines:
            source = Source(raw.file, item.line)
            catalogue = self.catalogues.parameters(item.file, raw.file, item.line)
            definition = catalogue.definitions.get(item.key)
            if definition is None:
                close = difflib.get_close_matches(item.key, catalogue.definitions, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                where = "" if item.file == "parameters.yaml" else f" in {item.file}"
                defects.append(Defect("unknown-parameter", f"unknown parameter {item.key!r}{where}{hint}", source))
                continue
            if definition.location is None:
                defects.append(Defect("unknown-parameter-location",
                                      f"parameter {item.key!r} has no 'in'; read as a body parameter", source))
            parameter = _parameter(item.name, definition, source, definition.versions if self.versioned else _EVERY)
            if self.versioned and not item.versions.unbounded:
                versions = parameter.versions.intersect(item.versions)
                if versions.empty:
                    defects.append(Defect("parameter-outside-heading-range",
                                          f"`{item.name}` ({item.key}: microversions {parameter.versions}) is listed "
                                          f"under a heading for microversions {item.versions}", source))
                parameter = replace(parameter, versions=versions)
            parameters.append(parameter)
        return parameters

    def _codes(self, raw: RawSection, defects: list[Defect]) -> tuple[list[ResponseCode], list[ResponseCode]]:
        """The codes of the response code paragraphs, then those of the rest_status_code lists."""
        normal, errors = list(raw.normal_codes), list(raw.error_codes)
        for status in raw.statuses:
            item = status.item
            table = self.catalogues.statuses(status.file, raw.file, status.directive)
            reasons = table.get(item.status)
            if reasons is None:
                # os-api-ref fails on it (KeyError): the list names a code its status file does not define.
                raise InputError(f"status code {item.status} is not defined in {status.file}", raw.file, item.line)
            text = reasons.get(item.reason or "default")
            if text is None:
                defects.append(Defect("unknown-status-reason", f"{status.file} has no reason {item.reason!r} for "
                                      f"{item.status}; its default description stands", Source(raw.file, item.line)))
                text = reasons.get("default", "")
            name = item.reason if item.reason not in (None, "default") else None
            described = " ".join(text.split()) or None
            code = ResponseCode(item.status, name, Source(raw.file, item.line), description=described)
            (normal if status.normal else errors).append(code)
        return normal, errors

    def siblings(self, samples: Sequence[Sample]) -> list[Sample]:
        """The other versions of these samples that the api-ref does not include (the same file in another
        version directory: ``os-server-groups/server-groups-list-resp.json`` beside ``v2.64/``'s)."""
        included = {sample.path for sample in samples}
        found: list[Sample] = []
        for sample in samples:
            family = sample_family(sample.path, self.sample_version)
            for relative in self._family_files(family):
                if relative in included:
                    continue
                included.add(relative)
                file = self.source.repo_root / relative
                cached = self._bodies.get(file)
                if cached is None:
                    cached = self._bodies[file] = load_sample(file, relative, sample.source, sample.is_request)
                version = sample_microversion(relative, self.sample_version) if self.versioned else None
                found.append(Sample(relative, version, cached[0].body, sample.is_request, sample.source))
        return found

    def _family_files(self, family: str) -> list[str]:
        """The sample files of a family (see :func:`sample_family`), relative to the repository."""
        directory = family.rpartition("/")[0]
        listed = self._directories.get(directory)
        if listed is None:
            root = self.source.repo_root / directory
            listed = sorted(str(p.relative_to(self.source.repo_root)) for p in root.rglob("*.json")) \
                if root.is_dir() else []
            self._directories[directory] = listed
        return [p for p in listed if sample_family(p, self.sample_version) == family]

    def _sample(self, include: RawIncludes, raw: RawSection, path: Path, defects: list[Defect]) -> Sample:
        resolved = self.source.resolve_include(include.path, path)
        where = Source(raw.file, include.line)
        if not resolved.is_relative_to(self.source.repo_root):
            raise InputError(f"literalinclude {include.path!r} points outside the api-ref's repository",
                             where.path, where.line)
        relative = self.source.relative(resolved)
        version = sample_microversion(relative, self.sample_version) or include.versions.min if self.versioned else None
        cached = self._bodies.get(resolved)
        if cached is None:
            cached = self._bodies[resolved] = load_sample(resolved, relative, where, include.is_request)
        sample, problem = cached
        if problem is not None:
            defects.append(Defect("sample-not-json", problem, where))
        # "This is a sample response for the servers from the non-responsive part of the deployment": the
        # paragraph right before the literalinclude says its records lack keys.
        partial = any(_PARTIAL.search(note.text) for note in raw.response_notes
                      if 0 < include.line - note.source.line <= _CAPTION_LINES)
        return Sample(relative, version, sample.body, include.is_request, where, partial=partial)


def _parameter(name: str, definition: Definition, source: Source, versions: MicroversionRange) -> Parameter:
    return Parameter(name=name, key=definition.key, location=definition.location or "body",
                     required=definition.required, type=definition.type or "string",
                     description=definition.description, versions=versions,
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


def _quote(text: str) -> str:
    return repr(text if len(text) <= 100 else text[:97] + "...")


def _versions(raw: RawSection, stated: MicroversionRange, scopes: list[Scope]) -> MicroversionRange:
    """The operation's range: rest_method options, then its own prose and title, then the file's scoped prose."""
    stated = stated.intersect(raw.title_versions)
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
        for sentence, applies_to, excluded in scopes:
            if (applies_to is not None and not (applies_to & segments)) or (excluded & segments):
                continue
            group = read_availability([sentence.text]).versions
            low = low or group.min
            high = high or group.max
    return MicroversionRange(low, high)


def _segments(path: str) -> set[str]:
    return {part for part in path.strip("/").split("/") if part and not part.startswith("{")}


def group_scopes(raws: Sequence[RawSection]) -> GroupScopes:
    """Per file, each sentence of its top prose with the path segments it is limited to (None: every operation).

    "All the Image services proxy APIs except image metadata APIs will fail with a 404 starting from
    microversion 2.36. The image metadata APIs will fail with a 404 starting from microversion 2.39."
    limits the first sentence to the operations without a ``metadata`` segment and the second to those with one:
    a segment only some of the file's paths have, named in a sentence, limits it to those paths; named after
    "except", it excludes them.
    """
    by_file: dict[str, list[RawSection]] = defaultdict(list)
    for raw in raws:
        by_file[raw.file].append(raw)
    scopes: GroupScopes = {}
    for file, sections in by_file.items():
        every = [_segments(raw.path) for raw in sections]
        all_segments: set[str] = set().union(*every)
        distinctive = all_segments - every[0].intersection(*every[1:]) if every else set()
        entries: list[Scope] = [(Sentence(sections[0].group, Source(file, 0)), None, set())]
        for paragraph in sections[0].group_notes:
            for sentence in split_sentences(paragraph):
                words = set(re.findall(r"[\w-]+", sentence.text.lower()))
                excluded = _EXCEPT.search(sentence.text)
                if excluded:
                    named = set(re.findall(r"[\w-]+", excluded.group(1).lower())) & distinctive
                    entries.append((sentence, None, named))
                    continue
                named = words & distinctive
                entries.append((sentence, named or None, set()))
        scopes[file] = entries
    return scopes
