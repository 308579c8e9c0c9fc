"""Every sample of the service's own api samples tree as evidence, not only those the api-ref includes.

Nova ships 739 JSON samples under ``doc/api_samples``, written by its functional tests from real
answers; its api-ref includes 334 of them. The others are evidence all the same: each is matched to an
operation and validated against that operation's projection at the sample's microversion, exactly as an
included one (:func:`conformance.openapi.evidence.check_sample`).

Matching, by directory and file name (the tree has no other index):

1. **the same file at another version**: ``servers/v2.47/server-get-resp.json`` is the file
   ``servers/server-get-resp.json`` (or ``servers/v2.100/...``) that the api-ref includes for
   ``GET /servers/{server_id}``, so it shows that operation (its family: :func:`sample_family`);
2. **a name**: otherwise, among the included samples of the same directory on the same side (a request
   when the name says ``req``, either side when it says neither) whose operation documents the sample's
   top-level keys, the one whose name shares the most words with this one, then the longest run of them
   in order (``instance-actions-list-with-marker-resp`` -> ``instance-actions-list-resp``;
   ``quotas-show-get-resp`` -> ``user-quotas-show-get-resp`` rather than ``quotas-show-defaults-get-resp``),
   at least two words besides ``req``/``resp``; failing that, the same among the whole tree's
   (``os-rescue/server-get-resp-rescue`` -> ``servers/server-get-resp``). A tie between operations is
   ambiguous.

A sample neither rule matches is a ``sample-unmatched`` defect with the reason, at the sample's own path:
it is listed, never silently skipped. Defects of a matched sample are reported at the ``literalinclude``
line of the included sample it was matched through, and name the file.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from conformance.apiref import services
from conformance.apiref.samples import sample_family, sample_microversion
from conformance.model import ApiRef, Defect, Operation, Sample, Source
from conformance.openapi.evidence import check_sample

__all__ = ["TreeEvidence", "tree_evidence"]

_WORD = re.compile(r"[a-z0-9]+")
_SIDES = frozenset({"req", "request", "resp", "response", "res"})
_LEAST_WORDS = 2
"""The words a name must share with an included sample's (besides req/resp) to be matched by name."""


@dataclass(frozen=True)
class TreeEvidence:
    """What the api samples tree holds and what validating it found."""

    root: str
    """The tree's directory, relative to the repository: ``doc/api_samples``."""
    files: int
    """JSON samples in the tree."""
    included: int
    """Of them, those the api-ref includes (validated as its own samples)."""
    by_family: int
    """Others matched as the same file at another version."""
    by_name: int
    """Others matched by their name in the same directory."""
    unmatched: int
    """Others no rule matched (each a ``sample-unmatched`` defect)."""
    defects: tuple[Defect, ...]
    """The disagreements of the matched samples with their projections, and the unmatched samples."""


@dataclass(frozen=True)
class _Known:
    """An included sample and the operation that includes it."""

    operation: Operation
    sample: Sample


def tree_evidence(apiref: ApiRef, *bases: Path) -> TreeEvidence | None:
    """Match and validate every JSON sample of the tree the api-ref's samples live in (None if it includes none).

    ``bases`` are the directories a sample's path may be relative to: the api-ref's folder (``samples/...``
    for cinder) and its repository (``doc/api_samples/...`` for nova). Reads each file once.
    """
    known = [_Known(o, s) for o in apiref.operations for s in o.samples if s.path.endswith(".json")]
    repository = next((base for base in bases if known and (base / known[0].sample.path).is_file()), None)
    if repository is None:
        return None
    root = os.path.commonpath([os.path.dirname(k.sample.path) for k in known])
    described = services.profile(apiref.info.service)
    pattern = described.sample_version if described else None
    versioned = apiref.protocol is not None
    families: dict[str, list[_Known]] = defaultdict(list)
    directories: dict[str, list[_Known]] = defaultdict(list)
    for item in known:
        family = sample_family(item.sample.path, pattern)
        families[family].append(item)
        directories[os.path.dirname(family)].append(item)
    included = {k.sample.path for k in known}
    fault = apiref.info.fault.shape if apiref.info.fault else "undocumented"
    files = sorted(str(p.relative_to(repository)) for p in (repository / root).rglob("*.json"))
    defects: list[Defect] = []
    by_family = by_name = unmatched = 0
    for path in files:
        if path in included:
            continue
        body, problem = _load(repository / path)
        if problem is not None:
            defects.append(Defect("sample-not-json", f"{path}: {problem}", Source(path, 1)))
            continue
        family = sample_family(path, pattern)
        through, how = _match(path, body, families.get(family, []), directories.get(os.path.dirname(family), []),
                              known)
        if through is None:
            unmatched += 1
            defects.append(Defect("sample-unmatched", f"{path} {how}; not validated", Source(path, 1)))
            continue
        if how == "family":
            by_family += 1
        else:
            by_name += 1
        version = sample_microversion(path, pattern) if versioned else None
        sample = Sample(path, version, body, through.sample.is_request, through.sample.source)
        kin = "another version of" if how == "family" else "named like"
        note = (f" (a sample the api-ref does not include, matched to {_label(through.operation)} as {kin} "
                f"{through.sample.path})")
        defects.extend(check_sample(apiref, through.operation, sample, fault, note))
    return TreeEvidence(root, len(files), len(included & set(files)), by_family, by_name, unmatched, tuple(defects))


def _load(file: Path) -> tuple[object, str | None]:
    try:
        return json.loads(file.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"not a JSON sample ({exc})"


def _label(operation: Operation) -> str:
    return f"{operation.method} {operation.path}" + (f" ({operation.action})" if operation.action else "")


def _match(path: str, body: object, family: list[_Known], directory: list[_Known],
           everywhere: list[_Known]) -> tuple[_Known | None, str]:
    """The included sample this one is matched through, and how (``family`` or ``name``); else None and why."""
    if family:
        return family[0], "family"
    words = _sequence(path)
    said = set(words) & _SIDES
    sides = [bool(said & {"req", "request"})] if said else [True, False]  # a name without req/resp: either
    keys = set(body) if isinstance(body, dict) else set()
    why = ""
    for pool in (directory, everywhere):  # its directory first, then the whole tree
        fitting = [k for k in pool if k.sample.is_request in sides and _takes(k, k.sample.is_request, keys)]
        if not fitting:
            if pool is directory and directory:
                why = (f"has top-level keys ({', '.join(sorted(keys)) or 'none'}) that no operation documents "
                       "on that side")
            continue
        scored = sorted(((_score(words, k), k) for k in fitting), key=lambda pair: pair[0], reverse=True)
        best = scored[0][0]
        if best[0] < _LEAST_WORDS:
            why = why or f"shares fewer than {_LEAST_WORDS} words of its name with any included sample that fits it"
            continue
        top = {_label(k.operation) for score, k in scored if score == best}
        if len(top) > 1:
            return None, f"is named as much like samples of {' and '.join(sorted(top))}: ambiguous"
        return scored[0][1], "name"
    if not directory:
        why = "is in a directory from which the api-ref includes no sample" + (f", and {why}" if why else "")
    return None, why or "fits no operation"


def _sequence(path: str) -> list[str]:
    return _WORD.findall(os.path.basename(path).removesuffix(".json").lower())


def _score(words: list[str], known: _Known) -> tuple[int, int]:
    """Words shared (besides req/resp), then the longest run of words in the same order."""
    other = _sequence(known.sample.path)
    shared = len((set(words) & set(other)) - _SIDES)
    run = best = 0
    for i in range(len(words)):
        for j in range(len(other)):
            run = 0
            while i + run < len(words) and j + run < len(other) and words[i + run] == other[j + run]:
                run += 1
            best = max(best, run)
    return shared, best


def _takes(known: _Known, request: bool, keys: set[str]) -> bool:
    """Whether the operation documents the sample's top-level keys on that side (any, for a body keyed by name)."""
    fields = known.operation.request_body if request else known.operation.response_body
    if any(f.placeholder for f in fields):
        return True
    return keys <= {f.name for f in fields}
