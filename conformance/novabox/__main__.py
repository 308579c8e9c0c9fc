"""``python -m conformance.novabox [--port N] [--migration-seconds S] ...``."""

from __future__ import annotations

import sys

from conformance.novabox.cli import run

sys.exit(run())
