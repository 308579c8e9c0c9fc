"""nova-box: real Nova 34.0.0 booted locally as the default test target.

Public API::

    from conformance.novabox import NovaBox
    with NovaBox(migration_seconds=3600) as box:   # builds the cached venv once
        box.url        # "http://127.0.0.1:PORT/v2.1/" as the version document lists it
        box.tokens     # {"admin": ..., "member": ..., "other": ..., "reader": ..., "manager": ...}
        box.state      # the whole ready JSON (image, flavor, network, seeded, log, ...)

``ensure_environment()`` builds/validates the venv alone; ``client.fresh_server``
and ``client.fresh_migration`` create fresh resources through the public API.
The code under ``_inside/`` runs in the nova venv and is never imported here.
"""

from __future__ import annotations

from conformance.novabox.box import NovaBox, parse_ready_line, redact
from conformance.novabox.client import fresh_migration, fresh_server, load_state
from conformance.novabox.environment import NOVA_VERSION, ensure_environment, environment_status

__all__ = [
    "NOVA_VERSION",
    "NovaBox",
    "ensure_environment",
    "environment_status",
    "fresh_migration",
    "fresh_server",
    "load_state",
    "parse_ready_line",
    "redact",
]
