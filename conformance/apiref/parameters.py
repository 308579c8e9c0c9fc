"""parameters.yaml: every key of an api-ref's parameter catalogue, with its line.

The file maps keys to definitions::

    migration_uuid:
      description: |
        The UUID of the migration.
      in: body
      required: true
      type: string
      min_version: 2.59

It is read through the YAML node graph rather than ``yaml.safe_load`` for two
reasons: each definition must remember its line, and versions must stay
strings (``min_version: 2.10`` would load as the float 2.1). Merge keys
(``<<: *quota_class``), which nova and placement use, are resolved by hand.

What os-api-ref tolerates is tolerated: ``min_version: null`` (placement
uses it to cancel a merged minimum) and an empty ``max_version`` mean no
bound; a definition without ``description``, ``type`` or ``required`` is an
``incomplete-parameter-definition`` defect. What it cannot use is an error at
its line: an ``in`` that is null or not one of path, query, header, body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from conformance.errors import ParametersError, VersionError
from conformance.model import Defect, Microversion, MicroversionRange, Source

__all__ = ["Definition", "ParameterCatalogue", "load_parameters"]

try:  # libyaml is ten times faster on nova's 7,500 lines; fall back when absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

LOCATIONS = ("path", "query", "header", "body")

# A description says a value may be null whenever it mentions null (or Python's ``None``, which nova and
# cinder write for it) other than to forbid it. The phrasings across the six api-refs: "may be ``null``",
# "will be ``null`` if", "this field will show as ``null``", "``null`` if the service is enabled", "It is
# always ``null``", "A ``null`` value indicates that the token never expires", "Otherwise, null.", "Default is
# ``None``", "If ``null`` is specified, ... is unset", "``"availability_zone":null`` unpins the server",
# "'host_name': null". Not: "cannot be null", "never ``null``", "The ``null`` value was allowed in the Nova
# legacy v2 API, but ... it isn't allowed in v2.1 API", nor a lower-case ``none`` (a string value).
_MENTION = re.compile(r"(?i:\bnull\b)|``None``|`None`")
_NOT_NULLABLE = re.compile(
    r"\b(?:cannot|can ?not|never|must not|not|n't|no longer)\s+(?:be\s+|accept\s+|allow\s+)?(?:``|`|\")?null\b|"
    r"\bnull(?:``|`)?\s+(?:value\s+)?(?:was|is)\s+(?:only\s+)?allowed\s+in\s+(?:the\s+)?(?:nova\s+)?legacy\b|"
    r"\bnull\b[^.]*\b(?:is|are)(?:\s+not|n't)\s+allowed\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'])")
_ISO8601 = re.compile(r"ISO[ _-]?8601", re.IGNORECASE)
# "Appears in the response for administrative users only": present under the default policy for some users.
_SOME_USERS_ONLY = re.compile(r"\b(?:appears?|is\s+(?:shown|returned|present|included))\s+in\s+the\s+response\s+"
                              r"(?:only\s+)?(?:for|to)\s+(?:the\s+)?(?:administrative|admin)\s+users?\s+only\b", re.I)


@dataclass(frozen=True)
class Definition:
    """One key of parameters.yaml."""

    key: str
    """The key, e.g. ``migration_uuid``."""
    location: str | None
    """The ``in`` value; None when the definition lacks it."""
    required: bool
    """The ``required`` value (false when absent)."""
    type: str | None
    """The ``type`` value as written; None when absent."""
    description: str
    """The description (RST)."""
    versions: MicroversionRange
    """From ``min_version`` and ``max_version``."""
    nullable: bool
    """True when the description says the value may be null."""
    source: Source
    """The key's line in parameters.yaml."""
    format: str | None = None
    """``format`` as written, else ``date-time`` for a string whose description documents ISO 8601."""


@dataclass(frozen=True)
class ParameterCatalogue:
    """Every definition of a parameters.yaml, by key, and the defects found reading it."""

    definitions: dict[str, Definition]
    """Definitions by key, in file order."""
    defects: tuple[Defect, ...]
    """Incomplete or inconsistent definitions."""

    def __getitem__(self, key: str) -> Definition:
        return self.definitions[key]

    def __contains__(self, key: object) -> bool:
        return key in self.definitions

    def __len__(self) -> int:
        return len(self.definitions)


def is_nullable(description: str) -> bool:
    """Whether a description says the value may be null.

    >>> is_nullable("The ID of the user. The value may be ``null`` for older records.")
    True
    >>> is_nullable("The name. It cannot be null.")
    False
    >>> is_nullable("The disable reason of the service, ``null`` if the service is enabled.")
    True
    """
    text = " ".join(description.split())
    return any(_MENTION.search(sentence) and not _NOT_NULLABLE.search(sentence) for sentence in _SENTENCE.split(text))


def load_parameters(path: Path, relative: str = "parameters.yaml") -> ParameterCatalogue:
    """Read a parameters.yaml.

    ``relative`` is the name used in sources (``parameters.yaml``).
    Raises :class:`ParametersError` (with the file and line) when the file is
    not YAML, is not a mapping of mappings, or holds an invalid version.

    >>> catalogue = load_parameters(Path("api-ref/source/parameters.yaml"))  # doctest: +SKIP
    >>> catalogue["migration_uuid"].versions.min
    Microversion(major=2, minor=59)
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParametersError(f"cannot read parameters file: {exc}", relative) from None
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ParametersError(f"invalid YAML: {exc.problem or exc.context}", relative, line) from None
    if root is None:
        return ParameterCatalogue({}, ())
    if not isinstance(root, yaml.MappingNode):
        raise ParametersError("expected a mapping of parameter keys to definitions", relative, root.start_mark.line + 1)
    definitions: dict[str, Definition] = {}
    defects: list[Defect] = []
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        source = Source(relative, line)
        key = str(key_node.value)
        if key in definitions:
            defects.append(Defect("duplicate-parameter-key", f"key {key!r} is defined twice (first at line "
                                  f"{definitions[key].source.line}); the last definition wins", source))
        if not isinstance(value_node, yaml.MappingNode):
            raise ParametersError(f"definition of {key!r} is not a mapping", relative, line)
        fields = _flatten(value_node, relative)
        definitions[key] = _definition(key, fields, source, defects)
    return ParameterCatalogue(definitions, tuple(defects))


_NULL = "tag:yaml.org,2002:null"

Fields = dict[str, tuple[str | None, int]]
"""A definition's scalar values as raw strings (None for YAML null: ``null``, ``~`` or nothing), with their lines."""


def _flatten(node: yaml.MappingNode, relative: str) -> Fields:
    """The mapping's scalar values as raw strings (None for null) with their lines, merge keys resolved."""
    fields: Fields = {}
    own: Fields = {}
    for key_node, value_node in node.value:
        name = str(key_node.value)
        line = value_node.start_mark.line + 1
        if name == "<<":
            merged = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for base in merged:
                if not isinstance(base, yaml.MappingNode):
                    raise ParametersError("merge key '<<' must refer to a mapping", relative, line)
                for merged_name, value in _flatten(base, relative).items():
                    fields.setdefault(merged_name, value)
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            raise ParametersError(f"field {name!r} must be a scalar", relative, line)
        own[name] = (None if value_node.tag == _NULL else str(value_node.value), line)
    fields.update(own)
    return fields


def _definition(key: str, fields: Fields, source: Source, defects: list[Defect]) -> Definition:
    relative = source.path
    location = fields.get("in", (None, 0))[0]
    if "in" in fields and location not in LOCATIONS:
        # os-api-ref cannot place such a parameter in any table: it is an error, not a defect.
        given = "null" if location is None else repr(location)
        raise ParametersError(f"parameter {key!r}: 'in' must be one of {', '.join(LOCATIONS)}, not {given}",
                              relative, fields["in"][1])
    required_text, required_line = fields.get("required", ("false", source.line))
    required_text = required_text if required_text is not None else "false"
    if required_text.lower() not in ("true", "false"):
        raise ParametersError(f"parameter {key!r}: 'required' must be true or false, not {required_text!r}",
                              relative, required_line)
    missing = [name for name in ("in", "required", "type", "description") if fields.get(name, (None,))[0] is None]
    if missing:
        defects.append(Defect("incomplete-parameter-definition",
                              f"parameter {key!r} has no {', '.join(missing)}", source))
    description = fields.get("description", ("", 0))[0] or ""
    required = required_text.lower() == "true"
    if required and _SOME_USERS_ONLY.search(" ".join(description.split())):
        # The prose says when the field is there; the flag cannot: optional, and the contradiction reported.
        defects.append(Defect("required-but-conditional", f"parameter {key!r} is required, yet its description says "
                              "it appears for some users only; read as optional", source))
        required = False
    return Definition(
        key=key,
        location=location,
        required=required,
        type=fields.get("type", (None, 0))[0],
        description=description,
        versions=MicroversionRange(_version(fields, "min_version", key, relative),
                                   _version(fields, "max_version", key, relative)),
        nullable=is_nullable(description),
        source=source,
        format=fields.get("format", (None, 0))[0] or _implied_format(fields.get("type", (None, 0))[0], description),
    )


def _implied_format(type_: str | None, description: str) -> str | None:
    """``date-time`` for a string documented as an ISO 8601 date and time stamp."""
    if type_ == "string" and _ISO8601.search(description):
        return "date-time"
    return None


def _version(fields: Fields, name: str, key: str, relative: str) -> Microversion | None:
    text, line = fields.get(name, (None, 0))
    if text is None or not text.strip():
        return None  # absent, null or empty: no bound, as os-api-ref reads it
    try:
        return Microversion.parse(text)
    except VersionError:
        raise ParametersError(f"parameter {key!r}: {name} {text!r} is not a microversion such as 2.59",
                              relative, line) from None
