"""Deterministic YAML and JSON text of an OpenAPI document.

PyYAML is imported only to write YAML: ``conformance spec`` (JSON by default) never loads it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

__all__ = ["dump_json", "dump_yaml"]


@cache
def _dumper() -> type:
    import yaml

    class Dumper(yaml.SafeDumper):
        """A safe dumper that never writes anchors: equal input, byte-identical text."""

        def ignore_aliases(self, data: Any) -> bool:
            # Aliases would depend on which dicts happen to be shared in memory.
            return True

    def string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        # Multi-line descriptions read better as literal blocks; PyYAML falls back
        # to quoting by itself when a block cannot represent the text exactly.
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, string)
    return Dumper


def dump_yaml(document: dict[str, Any]) -> str:
    """The YAML text of ``document``, keys in insertion order, no anchors.

    Example: ``dump_yaml({"openapi": "3.1.0"}) == "openapi: 3.1.0\\n"``.
    Raises ``yaml.representer.RepresenterError`` for non-YAML values.
    """
    import yaml

    return yaml.dump(document, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)


def dump_json(document: dict[str, Any]) -> str:
    """The JSON text of ``document``: 2-space indent, keys in insertion order, final newline.

    Example: ``dump_json({"openapi": "3.1.0"}) == '{\\n  "openapi": "3.1.0"\\n}\\n'``.
    Raises ``TypeError`` for non-JSON values.
    """
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
