"""Tests of conformance.apiref.cache: a pinned release compiled once, then loaded; a local folder compiled each time."""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import replace
from pathlib import Path

import pytest
from apiref_fixture import SOURCE

from conformance.apiref import cache, sources
from conformance.apiref import compiler as compiler_module
from conformance.errors import ParametersError
from conformance.model import ApiRef, Defect, Source


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> sources.ApiRefSource:
    """The nova fixture dressed as a pinned release (a sha256), with the cache in a temporary folder."""
    monkeypatch.setenv("CONFORMANCE_CACHE_DIR", str(tmp_path / "cache"))
    return replace(sources.local(SOURCE), origin="nova==0.0.0", sha256="ab" * 32)


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the compiles (by origin) while still compiling."""
    seen: list[str] = []
    real = compiler_module.compile_apiref

    def counting(source: sources.ApiRefSource, **options: object) -> ApiRef:
        seen.append(source.origin)
        return real(source, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(compiler_module, "compile_apiref", counting)
    return seen


def test_a_release_is_compiled_once_then_loaded(release: sources.ApiRefSource, compiles: list[str]) -> None:
    first = cache.load(release)
    again = cache.load(release)
    assert compiles == ["nova==0.0.0"]
    assert again == first and again is not first
    path = cache.compiled_path(release)
    assert path is not None and path.is_file()
    assert path.name == f"nova==0.0.0-{'ab' * 32}-{cache.code_digest()}.pickle"


def test_a_local_folder_is_compiled_every_time(compiles: list[str]) -> None:
    source = sources.local(SOURCE)
    assert cache.compiled_path(source) is None
    cache.load(source)
    cache.load(source)
    assert compiles == [str(SOURCE), str(SOURCE)]


def test_a_broken_cache_file_is_compiled_again(release: sources.ApiRefSource, compiles: list[str]) -> None:
    path = cache.compiled_path(release)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    assert cache.load(release).info.origin == "nova==0.0.0"
    path.write_bytes(pickle.dumps({"an": "ApiRef? no"}))
    cache.load(release)
    assert compiles == ["nova==0.0.0", "nova==0.0.0"]


def test_strict_loading_refuses_an_unknown_key_even_from_the_cache(release: sources.ApiRefSource) -> None:
    lenient = cache.load(release)
    unknown = Defect("unknown-parameter", "unknown parameter 'sise'", Source("server-snapshots.inc", 40))
    path = cache.compiled_path(release)
    assert path is not None
    path.write_bytes(pickle.dumps(replace(lenient, defects=(unknown,))))
    assert cache.load(release).defects == (unknown,)
    with pytest.raises(ParametersError, match=r"^server-snapshots\.inc:40: unknown parameter 'sise'$"):
        cache.load(release, strict=True)


def test_remembered_text_is_made_once_per_product(release: sources.ApiRefSource) -> None:
    made: list[str] = []

    def produce(text: str) -> str:
        made.append(text)
        return text

    assert cache.remembered(release, ("spec", "2.59", "json"), lambda: produce("a")) == "a"
    assert cache.remembered(release, ("spec", "2.59", "json"), lambda: produce("b")) == "a"
    assert cache.remembered(release, ("spec", "2.59", "yaml"), lambda: produce("c")) == "c"
    assert made == ["a", "c"]
    local = sources.local(SOURCE)
    assert cache.remembered(local, ("spec",), lambda: produce("d")) == "d"
    assert cache.remembered(local, ("spec",), lambda: produce("e")) == "e"


def test_what_other_code_made_long_ago_is_pruned(release: sources.ApiRefSource) -> None:
    path = cache.compiled_path(release)
    assert path is not None
    path.parent.mkdir(parents=True)
    stem = path.name.rsplit("-", 1)[0]
    old, recent = path.parent / f"{stem}-0000000000000000.pickle", path.parent / f"{stem}-1111111111111111.pickle"
    for stale in (old, recent):
        stale.write_bytes(b"")
    day_ago = time.time() - 2 * 86400
    os.utime(old, (day_ago, day_ago))
    cache.load(release)
    assert not old.exists() and recent.exists() and path.exists()
