"""The compiled model of a pinned release, kept in the cache: compile once, load in milliseconds.

A release's api-ref never changes (its sha256 is pinned), so its compiled
:class:`~conformance.model.ApiRef` is pickled into ``cache_root()/compiled/``
under a name made of the release, its sha256 and a digest of the code that
decides what compiling and emitting give (every module of
:mod:`conformance.apiref` and :mod:`conformance.openapi`, ``services.toml``,
the model, the errata files): changing that code recompiles, nothing else does. A local
directory (``--api-ref DIR``) is compiled every time. The command line
(``conformance spec``, ``lint``, ``generate``) and the suites
(:func:`conformance.suites.contract.load_contract`) share this one cache.

The same mechanism keeps what is made of a model, keyed alike:
:func:`remembered` keeps ``conformance spec``'s text for a version and
format, so asking again costs reading one file.

Nothing here imports the compiler (or docutils) unless something must be compiled.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from conformance import __version__
from conformance.apiref.sources import ApiRefSource, cache_root
from conformance.errors import ParametersError

if TYPE_CHECKING:
    from conformance.model import ApiRef

__all__ = ["check_strict", "code_digest", "compiled_path", "load", "remembered"]

_PACKAGE = Path(__file__).resolve().parents[1]
_UNUSED_SECONDS = 86400.0


@cache
def code_digest() -> str:
    """A digest of the code and data that decide what a compile gives (16 hex digits)."""
    digest = hashlib.sha256(__version__.encode())
    files = [*(_PACKAGE / "apiref").glob("*.py"), *(_PACKAGE / "apiref").glob("*.toml"),
             *(_PACKAGE / "openapi").glob("*.py"), *(_PACKAGE / "errata").glob("*.yaml"), _PACKAGE / "model.py",
             _PACKAGE / "errors.py"]
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def compiled_path(source: ApiRefSource) -> Path | None:
    """Where the compiled model of a pinned release is kept; None for a local directory."""
    if source.sha256 is None:
        return None
    return cache_root() / "compiled" / f"{source.origin}-{source.sha256}-{code_digest()}.pickle"


def load(source: ApiRefSource, *, strict: bool = False) -> ApiRef:
    """The compiled model of ``source``: from the cache for a pinned release, else compiled now.

    The model is compiled leniently (unknown parameter keys are defects); with
    ``strict``, :func:`check_strict` then raises at the first unknown key, as
    ``compile_apiref(source)`` would. Raises what the compiler raises.
    """
    path = compiled_path(source)
    apiref = _read(path) if path is not None else None
    if apiref is None or apiref.info.origin != source.origin:
        from conformance.apiref.compiler import compile_apiref

        apiref = compile_apiref(source, strict=False)
        if path is not None:
            _prune(path)
            _write(path, pickle.dumps(apiref, protocol=pickle.HIGHEST_PROTOCOL))
    if strict:
        check_strict(apiref)
    return apiref


def remembered(source: ApiRefSource, what: tuple[str, ...], produce: Callable[[], str]) -> str:
    """The text ``produce()`` makes of ``source``'s model, kept beside the model for a pinned release.

    ``what`` names the product (``("spec", "2.59", "json")``); ``produce`` is called only when no
    copy is kept (and always for a local directory). Example: ``remembered(source, ("spec", "latest",
    "json"), lambda: dump_json(project(load(source), version)))``.
    """
    base = compiled_path(source)
    if base is None:
        return produce()
    name = hashlib.sha256("\0".join(what).encode()).hexdigest()[:16]
    path = base.with_name(f"{base.stem}-{name}.txt")
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8")
    text = produce()
    _write(path, text.encode("utf-8"))
    return text


def check_strict(apiref: ApiRef) -> None:
    """Raise :class:`ParametersError` at the first ``- name: key`` line whose key is unknown, if any.

    What ``conformance generate`` and ``spec`` require: a spec cannot be trusted with parameters missing.
    """
    for defect in apiref.defects:
        if defect.code == "unknown-parameter":
            raise ParametersError(defect.message, defect.source.path, defect.source.line)


def _read(path: Path) -> ApiRef | None:
    from conformance.model import ApiRef

    try:
        found = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError, IndexError):
        return None
    return found if isinstance(found, ApiRef) else None


def _write(path: Path, content: bytes) -> None:
    # Atomic: a concurrent reader sees the old file or the new one, never half of one. A cache that
    # cannot be written (read-only home) only costs the next run a compile.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(content)
        temporary.replace(path)


def _prune(path: Path) -> None:
    """Remove what other code compiled (or made) of the same release a day ago or more.

    Another version of conformance sharing the cache (a second checkout) keeps what it used today.
    """
    release, _, digest = path.stem.rpartition("-")
    cutoff = time.time() - _UNUSED_SECONDS
    for old in path.parent.glob(f"{release}-*"):
        if old.name.startswith(f"{release}-{digest}"):
            continue
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
