"""Deterministic YAML and JSON text of an OpenAPI document.

PyYAML is imported only to write YAML: ``conformance spec`` (JSON by default) never loads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from json.encoder import encode_basestring
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

    Byte for byte what ``json.dumps(document, indent=2, ensure_ascii=False)`` writes, three times as
    fast (the standard library indents in pure Python); anything but strings, numbers, booleans,
    None, lists and dicts with string keys is left to ``json.dumps``.
    Example: ``dump_json({"openapi": "3.1.0"}) == '{\\n  "openapi": "3.1.0"\\n}\\n'``.
    Raises ``TypeError`` for non-JSON values.
    """
    parts: list[str] = []
    try:
        _encode(document, "", parts.append)
    except _Unusual:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    parts.append("\n")
    return "".join(parts)


class _Unusual(Exception):
    """A value the fast encoder leaves to ``json.dumps``."""


def _encode(value: Any, indent: str, write: Callable[[str], object]) -> None:
    if isinstance(value, str):
        write(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            write("{}")
            return
        inner = indent + "  "
        separator = "{\n"
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unusual
            write(separator)
            write(inner)
            write(encode_basestring(key))
            write(": ")
            _encode(item, inner, write)
            separator = ",\n"
        write("\n" + indent + "}")
    elif isinstance(value, list):
        if not value:
            write("[]")
            return
        inner = indent + "  "
        separator = "[\n"
        for item in value:
            write(separator)
            write(inner)
            _encode(item, inner, write)
            separator = ",\n"
        write("\n" + indent + "]")
    elif value is None or isinstance(value, (bool, int, float)):
        write(json.dumps(value))
    else:
        raise _Unusual
