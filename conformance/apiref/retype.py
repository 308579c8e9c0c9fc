"""Fields whose type changed at a microversion, split there into two fields of one name.

The api-ref sometimes says it in a description ("Since version 2.28 ``cpu_info`` field is returned as a
dictionary instead of string"), and an erratum may (``until``/``since``): below the version one type, from it
another. The two fields share the name and the line; each holds for its own range, so a projection has one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from conformance.apiref.bodytree import JSON_KINDS
from conformance.model import Field, Microversion, MicroversionRange

__all__ = ["split_at", "versioned_types"]


def split_at(item: Field, version: Microversion, **before: Any) -> tuple[Field, ...]:
    """The field as two, apart at ``version``: below it with ``before`` (``type="string"``), from it as it was.

    Either part outside the field's own range is left out. Example: ``cpu_info`` (object, up to 2.87) split
    at 2.28 with ``type="string"`` gives a string up to 2.27 and an object from 2.28 to 2.87.
    """
    versions = item.parameter.versions
    older = versions.intersect(MicroversionRange(None, version.previous()))
    newer = versions.intersect(MicroversionRange(version, None))
    parts = []
    if not older.empty:
        parts.append(dataclasses.replace(item, parameter=dataclasses.replace(item.parameter, versions=older, **before)))
    if not newer.empty:
        parts.append(dataclasses.replace(item, parameter=dataclasses.replace(item.parameter, versions=newer)))
    return tuple(parts)


# "Since version 2.28 ``cpu_info`` field is returned as a dictionary instead of string."
_TYPE_CHANGE = re.compile(r"(?:since|as\s+of|starting\s+(?:with|from)|from)\s+(?:api\s+)?(?:micro)?version\s+"
                          r"(\d+\.\d+)\b[^.]*?\b(?:returned|shown|given|sent)\s+as\s+an?\s+(\w+)\s+instead\s+of\s+"
                          r"(?:an?\s+)?(\w+)", re.I)
_TYPE_WORDS = {"dictionary": "object", "dict": "object", "object": "object", "mapping": "object", "string": "string",
               "str": "string", "list": "array", "array": "array", "integer": "integer", "int": "integer",
               "number": "float", "float": "float", "boolean": "boolean", "bool": "boolean"}


def versioned_types(fields: tuple[Field, ...]) -> tuple[Field, ...]:
    """The fields, each whose description says its type changed at a microversion split there (see :func:`split_at`).

    "Since version 2.28 ``cpu_info`` field is returned as a dictionary instead of string": a string below 2.28.
    """
    result: list[Field] = []
    for item in fields:
        item = dataclasses.replace(item, children=versioned_types(item.children)) if item.children else item
        said = _TYPE_CHANGE.search(" ".join(item.parameter.description.split()).replace("``", ""))
        old = _TYPE_WORDS.get(said.group(3).lower()) if said else None
        new = _TYPE_WORDS.get(said.group(2).lower()) if said else None
        if said is None or old is None or new is None or JSON_KINDS.get(new) != JSON_KINDS.get(item.parameter.type):
            result.append(item)
            continue
        result.extend(split_at(item, Microversion.parse(said.group(1)), type=old))
    return tuple(result)
