"""conformance: check OpenStack deployments against their api-ref.

Data flows one way: api-ref sources -> :mod:`conformance.model` ->
OpenAPI -> checks -> report. Each stage is importable on its own.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
