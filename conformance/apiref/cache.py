"""The compiled model of a pinned release, kept in the cache: compile once, load in milliseconds.

A release's api-ref never changes (its sha256 is pinned), so its compiled
:class:`~conformance.model.ApiRef` is pickled into ``cache_root()/compiled/``
under a name made of the release, its sha256 and a digest of the compiler's
own code (every module of :mod:`conformance.apiref`, ``services.yaml`` and the
model): changing the compiler recompiles, nothing else does. A local
directory (``--api-ref DIR``) is compiled every time. The command line
(``conformance spec``, ``lint``, ``generate``) and the suites
(:func:`conformance.suites.contract.load_contract`) share this one cache.

Nothing here imports the compiler (or docutils) unless something must be compiled.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from conformance import __version__
from conformance.apiref.sources import ApiRefSource, cache_root
from conformance.errors import ParametersError
from conformance.model import ApiRef

__all__ = ["check_strict", "code_digest", "compiled_path", "load"]

_PACKAGE = Path(__file__).resolve().parents[1]


@cache
def code_digest() -> str:
    """A digest of the code and data that decide what a compile gives (16 hex digits)."""
    digest = hashlib.sha256(__version__.encode())
    here = _PACKAGE / "apiref"
    for path in sorted([*here.glob("*.py"), *here.glob("*.yaml"), _PACKAGE / "model.py", _PACKAGE / "errors.py"]):
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
            _write(path, apiref)
    if strict:
        check_strict(apiref)
    return apiref


def check_strict(apiref: ApiRef) -> None:
    """Raise :class:`ParametersError` at the first ``- name: key`` line whose key is unknown, if any.

    What ``conformance generate`` and ``spec`` require: a spec cannot be trusted with parameters missing.
    """
    for defect in apiref.defects:
        if defect.code == "unknown-parameter":
            raise ParametersError(defect.message, defect.source.path, defect.source.line)


def _read(path: Path) -> ApiRef | None:
    try:
        found = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ImportError, IndexError):
        return None
    return found if isinstance(found, ApiRef) else None


def _write(path: Path, apiref: ApiRef) -> None:
    # Atomic: a concurrent reader sees the old file or the new one, never half of one. A cache that
    # cannot be written (read-only home) only costs the next run a compile.
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(apiref, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
