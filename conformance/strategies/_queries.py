"""Query strings of an operation: documented parameters with valid values, and undocumented names."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from conformance.model import Microversion, Operation, Parameter
from conformance.openapi.schema import json_type

__all__ = ["REFERENCES", "iso8601", "query_parameters", "query_value", "seen_or", "unknown_query_parameters"]

QueryValue = str | list[str]

REFERENCES = frozenset({"marker"})
"""Query parameters whose valid values are ids of existing records, which only the caller knows
(``marker`` must name a listed migration, or nova answers 400). Left out unless given in ``values``."""

# Names that look like query parameters of some OpenStack API (sorting, paging, filters of other
# lists, fields nova's database layer filters on) and are not documented for the operation at hand.
_PLAUSIBLE = (
    "sort_key",
    "sort_dir",
    "all_tenants",
    "deleted",
    "fields",
    "name",
    "id",
    "uuid",
    "node",
    "page",
    "offset",
    "tenant_id",
    "created_at",
    "not-a-parameter",
)

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:", min_size=1, max_size=36)


def iso8601() -> SearchStrategy[str]:
    """Time stamps in the api-ref's form ``CCYY-MM-DDThh:mm:ss±hh:mm`` (or ``Z``), years 2000 to 2099.

    Shrinks towards ``2000-01-01T00:00:00Z``.
    """
    offsets = st.one_of(st.just(0), st.integers(min_value=-14 * 60, max_value=14 * 60))
    stamps = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31))
    return st.builds(_stamp, stamps, offsets)


def _stamp(moment: dt.datetime, offset: int) -> str:
    text = moment.replace(microsecond=0).isoformat()
    if offset == 0:
        return f"{text}Z"
    sign = "+" if offset > 0 else "-"
    hours, minutes = divmod(abs(offset), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def query_value(parameter: Parameter) -> SearchStrategy[QueryValue]:
    """A valid value of one query parameter, as the text of the query string, following its documented type."""
    kind = json_type(parameter.type)
    if parameter.format == "date-time":
        return iso8601()
    if kind == "integer":
        # Nova reads integer query parameters as non-negative (parameter_types.non_negative_integer).
        return st.integers(min_value=0, max_value=2**31 - 1).map(str)
    if kind == "number":
        return st.integers(min_value=0, max_value=10**6).map(str)
    if kind == "boolean":
        return st.sampled_from(["true", "false"])
    if kind == "array":
        return st.lists(_WORD, min_size=1, max_size=3)
    return _WORD


def seen_or(seen: Sequence[str], otherwise: SearchStrategy[QueryValue]) -> SearchStrategy[QueryValue]:
    """One of the values ``seen`` on the target or, when none was seen, one of ``otherwise``.

    Both choices are drawn in every example, whatever was seen, so that hypothesis can replay an example
    while the target's state changes between runs (a ``sampled_from`` of live values draws differently when
    the live list grows or empties, and hypothesis then stops with ``FlakyStrategyDefinition``). Shrinks
    towards the first value seen.
    """
    values = list(seen)
    return st.tuples(st.integers(min_value=0, max_value=2**16 - 1), otherwise).map(
        lambda pair: values[pair[0] % len(values)] if values else pair[1])


def _documented(operation: Operation, version: Microversion | None) -> dict[str, Parameter]:
    """The query parameters of the operation at ``version`` (at any version if None), first of a name."""
    found: dict[str, Parameter] = {}
    for parameter in operation.parameters_in("query"):
        if version is None or version in parameter.versions:
            found.setdefault(parameter.name, parameter)
    return found


def _check(operation: Operation, version: Microversion | None) -> None:
    if not isinstance(operation, Operation):
        raise InvalidArgument(f"Expected an Operation but got operation={operation!r}")
    if version is None:
        return
    if not isinstance(version, Microversion):
        raise InvalidArgument(f"Expected a Microversion but got version={version!r}")
    if version not in operation.versions:
        raise InvalidArgument(
            f"{operation.source}: {operation.method} {operation.path} is served at {operation.versions}, "
            f"not at version={version}"
        )


def query_parameters(
    operation: Operation, version: Microversion, values: Mapping[str, SearchStrategy[Any]] | None = None
) -> SearchStrategy[dict[str, QueryValue]]:
    """Query dicts made of the operation's query parameters documented at ``version``, valid values only.

    Each documented parameter is present or not; its value follows its parameters.yaml type as the
    query string's text: integers ``"0"``..``"2147483647"``, booleans ``"true"``/``"false"``,
    ``date-time`` strings in ISO 8601 (:func:`iso8601`), arrays as lists (repeated keys), other strings
    from letters, digits and ``-_.:``. ``values`` replaces a parameter's value strategy, for what the
    api-ref does not say (``{"migration_type": st.sampled_from([...])}``); the :data:`REFERENCES`
    (``marker``) are left out unless given there. Shrinks towards ``{}``.

    Example: for ``GET /os-migrations`` at 2.59 it generates ``{}``, ``{"limit": "1"}``,
    ``{"changes-since": "2000-01-01T00:00:00Z", "host": "a"}``, ... never ``user_id`` (2.80).
    Raises :class:`hypothesis.errors.InvalidArgument` when the operation is not served at ``version``
    or ``values`` names a parameter not documented there.
    """
    _check(operation, version)
    documented = _documented(operation, version)
    given = dict(values or {})
    unknown = sorted(set(given) - set(documented))
    if unknown:
        raise InvalidArgument(
            f"values names {unknown}, not query parameters of {operation.method} {operation.path} at {version}; "
            f"documented: {sorted(documented)}"
        )
    optional: dict[str, SearchStrategy[Any]] = {}
    for name, parameter in documented.items():
        if name in given:
            optional[name] = given[name]
        elif name not in REFERENCES:
            optional[name] = query_value(parameter)
    drawn = st.fixed_dictionaries({}, optional=optional)
    orders = _orders(documented)
    return drawn.map(lambda query: _ordered(query, orders)) if orders else drawn


# nova's changes-before: "When both ``changes-since`` and ``changes-before`` are specified, the value of the
# ``changes-before`` must be later than or equal to the value of the ``changes-since`` otherwise API will
# return 400."
_LATER = re.compile(r"value\s+of\s+(?:the\s+)?``?([\w-]+)``?\s+must\s+be\s+(?:later|greater)\s+than\s+or\s+equal"
                    r"\s+to\s+(?:the\s+)?value\s+of\s+(?:the\s+)?``?([\w-]+)``?", re.I)


def _orders(documented: Mapping[str, Parameter]) -> list[tuple[str, str]]:
    """(later, earlier) pairs of query parameters whose descriptions say one must not precede the other."""
    pairs = []
    for parameter in documented.values():
        for later, earlier in _LATER.findall(" ".join(parameter.description.split())):
            if later in documented and earlier in documented and (later, earlier) not in pairs:
                pairs.append((later, earlier))
    return pairs


def _ordered(query: dict[str, QueryValue], orders: list[tuple[str, str]]) -> dict[str, QueryValue]:
    """The query with each ordered pair's values swapped where the earlier one is later (both drawn valid)."""
    for later, earlier in orders:
        first, second = query.get(earlier), query.get(later)
        if isinstance(first, str) and isinstance(second, str) and _moment(first) > _moment(second):
            query = {**query, earlier: second, later: first}
    return query


def _moment(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def unknown_query_parameters(operation: Operation, version: Microversion | None = None) -> SearchStrategy[str]:
    """Names that are not query parameters of the operation (at ``version``, or at any version if None).

    With a version, the names documented only at other versions come first (``limit`` at 2.58,
    ``user_id`` at 2.79), then plausible names of other lists (``sort_key``, ``all_tenants``, ...),
    then random ``[a-z][a-z0-9_]*`` names. Shrinks towards the first of those.

    Example: ``unknown_query_parameters(list_migrations, Microversion(2, 59))`` generates
    ``"changes-before"``, ``"user_id"``, ``"sort_key"``, ``"zq"``, ...
    Raises :class:`hypothesis.errors.InvalidArgument` when the operation is not served at ``version``.
    """
    _check(operation, version)
    documented = set(_documented(operation, version))
    elsewhere = sorted(set(_documented(operation, None)) - documented)
    plausible = [name for name in _PLAUSIBLE if name not in documented and name not in elsewhere]
    invented = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True).filter(lambda name: name not in documented)
    families = [st.sampled_from(names) for names in (elsewhere, plausible) if names]
    return st.one_of(*families, invented)
