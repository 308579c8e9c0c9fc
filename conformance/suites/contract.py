"""The contract and the target of a run, made once per process from the plugin's options.

Used by the suites' fixtures (collection needs both: the versions to test
come from the api-ref and the target's advertised range) and by the recorder
on the controller (coverage is measured against the contract).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.apiref import cache, sources
from conformance.model import ApiRef
from conformance.plugin import option

__all__ = ["CONTRACT", "TARGET", "connect_target", "load_contract", "run_service", "spec_of"]

CONTRACT = pytest.StashKey[ApiRef]()
TARGET = pytest.StashKey[Any]()


def load_contract(config: pytest.Config) -> ApiRef:
    """The compiled contract; a pinned release's is kept compiled in the cache (:mod:`conformance.apiref.cache`)."""
    if CONTRACT not in config.stash:
        config.stash[CONTRACT] = _compile(config)
    return config.stash[CONTRACT]


def _compile(config: pytest.Config) -> ApiRef:
    directory = option(config, "conformance_api_ref")
    service = run_service(config)
    if directory:
        return cache.load(sources.local(directory, service))
    if service == "compute":
        return cache.load(sources.release("nova", option(config, "conformance_nova_version") or "34.0.0"))
    return cache.load(sources.for_service(service))


def run_service(config: pytest.Config) -> str:
    """The service type the run certifies (``--service``, compute by default)."""
    return option(config, "conformance_service") or "compute"


def spec_of(apiref: ApiRef) -> dict[str, str]:
    """What results.json records of the contract: service, origin and (for a pinned release) its sha256."""
    info = apiref.info
    spec = {"service": info.service, "origin": info.origin}
    if info.sha256:
        spec["sha256"] = info.sha256
    return spec


def connect_target(config: pytest.Config) -> Any:
    if TARGET not in config.stash:
        from conformance.target import ServiceApi, Target

        api = ServiceApi.of(load_contract(config))
        tokens = {role: option(config, f"conformance_{role}_token") for role in ("admin", "member", "other")}
        timeout = float(option(config, "conformance_request_timeout") or 30)
        url = option(config, "conformance_target")
        cloud = option(config, "conformance_os_cloud")
        given = {role: token for role, token in tokens.items() if token}
        if cloud and not tokens["admin"]:
            # the cloud gives the admin role; member and other tokens still fill theirs
            target = Target.connect(url, given, os_cloud=cloud, timeout=timeout, api=api)
        else:
            target = Target.connect(url, given, timeout=timeout, api=api)
        from conformance.plugin.session import RECORDER

        recorder = config.stash.get(RECORDER, None)
        if recorder is not None:
            target.add_listener(recorder.saw)
        config.stash[TARGET] = target
    return config.stash[TARGET]
