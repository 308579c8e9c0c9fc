"""Reading api-ref samples and indexing the key paths they contain.

A sample is a JSON request or response example that the api-ref includes with
``literalinclude``. Its microversion is the one its path names, in the form
the service's entry in ``services.toml`` gives (nova and cinder:
``doc/api_samples/server-migrations/v2.80/migrations-index.json`` -> 2.80;
placement: ``samples/aggregates/get-aggregates-1.19.json`` -> 1.19), else the
first of the range its heading states.

:class:`SampleIndex` flattens a set of samples into the *object key paths*
they contain, which is what :mod:`conformance.apiref.nesting` needs to recover
the tree of a flat parameter list. Arrays are transparent in a key path: in
``{"migrations": [{"id": 1}]}`` the key ``id`` lives at path ``("migrations",)``,
exactly as the api-ref would document ``migrations`` (array) then ``id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from conformance.errors import SampleError
from conformance.model import Microversion, MicroversionRange, Sample, Source

__all__ = [
    "KeyPath",
    "SampleIndex",
    "json_kind",
    "load_sample",
    "sample_family",
    "sample_in_range",
    "sample_microversion",
]

KeyPath = tuple[str, ...]
"""The object keys leading to a node, arrays skipped: ``("server", "flavor")``."""

# A version directory such as "v2.80" anywhere in the path; the last one wins
# because it is the nearest to the file.
_VERSION_DIR = re.compile(r"(?:^|/)v(\d+\.\d+)(?=/)")


def sample_microversion(path: str, pattern: re.Pattern[str] | None = _VERSION_DIR) -> Microversion | None:
    """The microversion a sample's path names, or None for an unversioned sample.

    ``pattern``'s group 1 is the version (the last match wins: it is the nearest to the file);
    None means paths name no version. Example:
    ``sample_microversion("doc/api_samples/servers/v2.100/server-get-resp.json")``
    is ``Microversion(2, 100)``; ``sample_microversion("doc/api_samples/servers/server-get-resp.json")``
    is None. Raises nothing: a path the pattern does not match is unversioned.
    """
    if pattern is None:
        return None
    matches = [match.group(1) for match in pattern.finditer(path.replace("\\", "/"))]
    return Microversion.parse(matches[-1]) if matches else None


def sample_family(path: str, pattern: re.Pattern[str] | None = _VERSION_DIR) -> str:
    """The sample's path with the version its path names taken out: the same file at every version shares it.

    ``doc/api_samples/os-server-groups/v2.64/server-groups-list-resp.json`` and
    ``doc/api_samples/os-server-groups/server-groups-list-resp.json`` have the family
    ``doc/api_samples/os-server-groups/server-groups-list-resp.json``; placement's
    ``samples/aggregates/get-aggregates-1.19.json`` has ``samples/aggregates/get-aggregates.json``.
    """
    path = path.replace("\\", "/")
    matches = list(pattern.finditer(path)) if pattern is not None else []
    if not matches:
        return path
    start, end = matches[-1].span(1)
    marked = f"{path[:start]}\0{path[end:]}"
    return marked.replace("/v\0/", "/").replace("-\0.", ".").replace("\0", "")


def load_sample(file: Path, path: str, source: Source, is_request: bool,
                microversion: Microversion | None = None) -> tuple[Sample, str | None]:
    """Read the sample ``file`` (named ``path`` in sources) and parse it as JSON.

    Example: ``load_sample(Path("/src/nova/doc/api_samples/os-migrations/migrations-get.json"),
    "doc/api_samples/os-migrations/migrations-get.json", Source("os-migrations.inc", 60), is_request=False)``.
    ``microversion`` is the version the sample shows (see :func:`sample_microversion`).
    A file that is not JSON (a plain-text console log) gives a Sample whose body
    is None. A ``.json`` file that does not parse does too, with what is wrong
    as the second value: Sphinx shows it all the same (keystone's samples
    abbreviate with ``....``), so it is an api-ref defect, not bad input.
    Raises :class:`SampleError`, located at the literalinclude line, when the
    file is missing or unreadable.
    """
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SampleError(f"cannot read sample {path}: {error}", source.path, source.line) from error
    body: object = None
    problem: str | None = None
    if path.endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            problem = f"sample {path} is not valid JSON: {error.msg} at line {error.lineno}"
    return Sample(path, microversion, body, is_request, source), problem


def sample_in_range(sample: Sample, versions: MicroversionRange) -> bool:
    """Whether a sample's microversion is in ``versions``.

    An unversioned sample shows the base version: it is in a range without a minimum.
    Example: a 2.80 sample is in ``MicroversionRange(Microversion(2, 59))``.
    """
    if sample.microversion is None:
        return versions.min is None
    return sample.microversion in versions


def json_kind(value: object) -> str:
    """The JSON type of a parsed value: object, array, string, integer, number, boolean or null.

    Example: ``json_kind(1.5)`` is ``"number"``; ``json_kind(True)`` is ``"boolean"``.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "unknown"


@dataclass
class _Occurrence:
    """Where a key was seen at one path: which samples, and with which value kinds."""

    samples: set[int] = field(default_factory=set)
    kinds: dict[str, set[int]] = field(default_factory=dict)
    """Each JSON kind seen, with the samples (indexes) that showed it."""


@dataclass
class SampleIndex:
    """The object key paths of a set of samples.

    Example: for ``{"migrations": [{"id": 1}], "migrations_links": []}``,
    ``index.keys_at(())`` is ``["migrations", "migrations_links"]`` and
    ``index.parents_of("id")`` is ``[("migrations",)]``.
    """

    samples: Sequence[Sample]
    _keys: dict[KeyPath, dict[str, _Occurrence]] = field(default_factory=dict)
    _objects: dict[KeyPath, set[int]] = field(default_factory=dict)
    _parents: dict[str, list[KeyPath]] = field(default_factory=dict)
    _scalar_items: set[KeyPath] = field(default_factory=set)

    @classmethod
    def build(cls, samples: Sequence[Sample]) -> SampleIndex:
        """Index every JSON sample (bodies that are None or scalars contribute nothing)."""
        index = cls(samples)
        for number, sample in enumerate(samples):
            index._walk(number, (), sample.body)
        return index

    def _walk(self, number: int, path: KeyPath, value: object) -> None:
        # An explicit stack rather than recursion: samples can nest deeply and
        # this runs over every sample of the api-ref.
        pending: list[tuple[KeyPath, object]] = [(path, value)]
        while pending:
            where, node = pending.pop()
            if isinstance(node, list):
                pending.extend((where, item) for item in node)
                if any(not isinstance(item, (dict, list)) for item in node):
                    self._scalar_items.add(where)
            elif isinstance(node, dict):
                self._objects.setdefault(where, set()).add(number)
                keys = self._keys.setdefault(where, {})
                for key, child in node.items():
                    occurrence = keys.get(key)
                    if occurrence is None:
                        occurrence = keys[key] = _Occurrence()
                        self._parents.setdefault(key, []).append(where)
                    occurrence.samples.add(number)
                    occurrence.kinds.setdefault(json_kind(child), set()).add(number)
                    pending.append((where + (key,), child))

    def parents_of(self, key: str) -> list[KeyPath]:
        """Every path of an object that has ``key``, in the order first seen."""
        return self._parents.get(key, [])

    def parents_in(self, key: str, versions: MicroversionRange) -> list[KeyPath]:
        """The paths of :meth:`parents_of` that a sample of ``versions`` (or of no version) shows."""
        def shown(number: int) -> bool:
            version = self.samples[number].microversion
            return version is None or version in versions

        return [where for where in self.parents_of(key) if any(shown(n) for n in self._keys[where][key].samples)]

    def has_object(self, path: KeyPath) -> bool:
        """Whether some sample has an object (or an array of objects) at ``path``."""
        return path in self._objects

    def holds_scalars(self, path: KeyPath) -> bool:
        """Whether some sample has, at ``path``, an array with a scalar item (``"members": ["a1b2"]``)."""
        return path in self._scalar_items

    def samples_with_object(self, path: KeyPath) -> set[int]:
        """The indexes of the samples that have an object at ``path``."""
        return self._objects.get(path, set())

    def keys_like(self, pattern: tuple[str | None, ...]) -> set[str]:
        """The keys of the objects at every path matching ``pattern`` (None matches any one key: a map's)."""
        found: set[str] = set()
        for path, keys in self._keys.items():
            if len(path) == len(pattern) and all(p is None or p == k for p, k in zip(pattern, path, strict=True)):
                found.update(keys)
        return found

    def keys_at(self, path: KeyPath) -> list[str]:
        """The keys of the objects at ``path``, across samples, in the order first seen."""
        return list(self._keys.get(path, {}))

    def samples_with_key(self, path: KeyPath, key: str) -> set[int]:
        """The indexes of the samples whose object at ``path`` has ``key``."""
        occurrence = self._keys.get(path, {}).get(key)
        return occurrence.samples if occurrence is not None else set()

    def kinds(self, path: KeyPath, key: str) -> dict[str, set[int]]:
        """The JSON kinds of ``key``'s values at ``path``, each with the samples that show it."""
        occurrence = self._keys.get(path, {}).get(key)
        return occurrence.kinds if occurrence is not None else {}

    def paths(self) -> Iterator[KeyPath]:
        """Every path that holds an object in some sample."""
        return iter(self._objects)
