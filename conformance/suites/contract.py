"""The contract and the target of a run, made once per process from the plugin's options.

Used by the suites' fixtures (collection needs both: the versions to test
come from the api-ref and the target's advertised range) and by the recorder
on the controller (coverage is measured against the contract).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from conformance.apiref import sources
from conformance.apiref.compiler import compile_apiref
from conformance.model import ApiRef
from conformance.plugin import option

__all__ = ["CONTRACT", "TARGET", "connect_target", "load_contract", "spec_of"]

CONTRACT = pytest.StashKey[ApiRef]()
TARGET = pytest.StashKey[Any]()


def load_contract(config: pytest.Config) -> ApiRef:
    """The compiled contract; a pinned release's is kept compiled in the cache (keyed by the compiler's code)."""
    if CONTRACT not in config.stash:
        config.stash[CONTRACT] = _compile(config)
    return config.stash[CONTRACT]


def _compile(config: pytest.Config) -> ApiRef:
    directory = option(config, "conformance_api_ref")
    if directory:
        return compile_apiref(sources.local(directory), strict=False)
    source = sources.release("nova", option(config, "conformance_nova_version") or "34.0.0")
    code = hashlib.sha256()
    for module in sorted((Path(__file__).parents[1] / "apiref").glob("*.py")) + [Path(__file__).parents[1] /
                                                                               "model.py"]:
        code.update(module.read_bytes())
    cached = sources.cache_root() / "compiled" / f"{source.origin}-{source.sha256}-{code.hexdigest()[:16]}.pickle"
    try:
        apiref = pickle.loads(cached.read_bytes())
        if isinstance(apiref, ApiRef):
            return apiref
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    apiref = compile_apiref(source, strict=False)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(pickle.dumps(apiref, protocol=pickle.HIGHEST_PROTOCOL))
    temporary.replace(cached)
    return apiref


def spec_of(apiref: ApiRef) -> dict[str, str]:
    """What results.json records of the contract: service, origin and (for a pinned release) its sha256."""
    info = apiref.info
    spec = {"service": info.service, "origin": info.origin}
    if info.sha256:
        spec["sha256"] = info.sha256
    return spec


def connect_target(config: pytest.Config) -> Any:
    if TARGET not in config.stash:
        from conformance.target import Target

        tokens = {role: option(config, f"conformance_{role}_token") for role in ("admin", "member", "other")}
        timeout = float(option(config, "conformance_request_timeout") or 30)
        url = option(config, "conformance_target")
        cloud = option(config, "conformance_os_cloud")
        given = {role: token for role, token in tokens.items() if token}
        if cloud and not tokens["admin"]:
            # the cloud gives the admin role; member and other tokens still fill theirs
            target = Target.connect(url, given, os_cloud=cloud, timeout=timeout)
        else:
            target = Target.connect(url, given, timeout=timeout)
        from conformance.plugin.session import RECORDER

        recorder = config.stash.get(RECORDER, None)
        if recorder is not None:
            target.add_listener(recorder.saw)
        config.stash[TARGET] = target
    return config.stash[TARGET]
