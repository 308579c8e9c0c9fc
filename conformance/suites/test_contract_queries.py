"""Documented query parameters, applied: every list operation at its planned versions with query strings
hypothesis draws from its documented parameters, and for each what the api-ref says it does (a page of at
most ``limit`` items, filters keeping only matching items).

Filter values are taken from the unfiltered list, so that a filter has something to keep and something to
drop; the other values follow the parameters' documented types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks import assert_conforms
from conformance.checks.collections import listed_field
from conformance.strategies import query_parameters, query_value, seen_or
from conformance.suites import answers, engine
from conformance.suites.api import Api
from conformance.suites.calls import Prepared, Preparer, label
from conformance.suites.cases import Case
from conformance.suites.workload import NotAvailable

_SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                            HealthCheck.filter_too_much])
_PAGING = frozenset({"limit", "marker", "offset", "page_size"})
_NOT_EQUALITY = re.compile(r"minimum|maximum|regular expression|regex|pattern|since|before|\bmin|\bmax", re.I)


def _exact(parameter: Any) -> bool:
    """Whether a query parameter filters by equality with the field of its name (not a minimum, a pattern...)."""
    return _NOT_EQUALITY.search(f"{parameter.name} {parameter.description}") is None


@pytest.mark.cases("queries")
@_SETTINGS
@given(data=st.data())
def test_documented_query_parameters_are_applied(api: Api, preparer: Preparer, case: Case,
                                                 data: st.DataObject) -> None:
    """Any combination of the documented query parameters is accepted; ``limit`` bounds the page and a filter
    keeps only the items that match it."""
    operation = case.operation
    version = data.draw(st.sampled_from(case.versions), label="version")
    prepared = preparer.prepare(operation, version, fresh=False)
    listed = listed_field(operation)
    items = _items(api, prepared, listed.name) if listed is not None else []
    documented = {p.name: p for p in operation.parameters_in("query") if version in p.versions}
    # Each strategy's kind of draws is the same whatever the target holds (seen_or), so that hypothesis can
    # replay an example after other tests changed the list.
    hinted = {name: st.just(str(value)) for name in documented
              if (hint := preparer.registry.hint((name,), label(operation))) is not None and hint.has_value
              and (value := preparer.hinted(dict(prepared.context))(hint)) is not None}
    narrowed = {name: strategy for name in documented if name not in hinted
                and (hint := preparer.registry.hint((name,), label(operation))) is not None and hint.schema
                and (strategy := _narrowed(hint.schema)) is not None}
    seen = {name: sorted({str(item[name]) for item in items if isinstance(item.get(name), str | int)})
            for name, parameter in documented.items() if name not in _PAGING and _exact(parameter)}
    filters = {name: seen_or(values, _first(hinted.get(name), narrowed.get(name), query_value(documented[name])))
               for name, values in seen.items()}
    # A page smaller than most lists, drawn as often as any other limit: a limit the target ignores shows only
    # when the list is longer than the limit.
    pages = {name: st.one_of(st.integers(min_value=1, max_value=3).map(str), query_value(documented[name]))
             for name in documented if name == "limit" and name not in hinted and name not in narrowed}
    query = data.draw(query_parameters(operation, version, {**hinted, **narrowed, **filters, **pages}), label="query")
    # A hint valued null leaves the parameter out (one only another role may use: keypairs' user_id).
    query = {name: value for name, value in query.items()
             if not ((hint := preparer.registry.hint((name,), label(operation))) is not None and (
                 hint.omit or (hint.has_value and hint.value is None)))}
    exchange = engine.send(api, prepared, params={**prepared.query, **query})
    engine.unimplemented(operation, exchange, preparer, version)
    facts: dict[str, Any] = {}
    if listed is not None and "limit" in query:
        facts["page"] = (listed.name, int(str(query["limit"])))
    if listed is not None:
        matching = {name: value for name, value in query.items()
                    if isinstance(value, str) and value in seen.get(name, ())}
        if matching:
            facts["matching"] = (listed.name, matching)
    assert_conforms(api.context(operation, version, **facts), exchange)


@pytest.mark.cases("pages")
def test_a_page_holds_at_most_limit_items(api: Api, preparer: Preparer, case: Case) -> None:
    """A list of more than one item, asked for ``limit=1``, answers one item: a limit the target ignores shows
    only on a list longer than the limit. With ``--allow-destructive``, a list shorter than two items gets items
    of the resource its show operation names, created for the test."""
    operation, version = case.operation, case.version
    listed = listed_field(operation)
    assert listed is not None
    prepared = preparer.prepare(operation, version, fresh=False)
    shown = preparer.listed_resource(operation)
    # Asked by whoever makes the items (a server of the member's: the admin lists only its own project's); the
    # other tests keep the registry's role for the list.
    if shown is not None and shown.create is not None:
        prepared = replace(prepared, role=preparer.provisioner.role(shown.create.call.role))
    items = _items(api, prepared, listed.name)
    if len(items) < 2 and shown is not None and preparer.provisioner.destructive:
        for _ in range(2 - len(items)):
            preparer.provisioner.resolve(shown, dict(prepared.context), version, fresh=True)
        items = _items(api, prepared, listed.name)
    if len(items) < 2:
        raise NotAvailable(f"nothing on the target makes {label(operation)} list two items "
                           f"({len(items)} listed{'' if shown else '; no show operation names its items'})")
    exchange = engine.send(api, prepared, params={**prepared.query, "limit": "1"})
    engine.unimplemented(operation, exchange, preparer, version)
    assert_conforms(api.context(operation, version, page=(listed.name, 1)), exchange)
    # The api-ref says limit is "the maximum number of items to return", never that a page is full: nova answers
    # GET /servers/{id}/os-volume_attachments?limit=1 with none when the root disk comes first
    # (volume_attachments.py:123 limits the block devices before it leaves out those without a volume).


def _items(api: Api, prepared: Prepared, name: str) -> list[dict[str, Any]]:
    """The items the list answers as prepared (none when it does not answer 200)."""
    whole = engine.send(api, prepared)
    return answers.items(answers.body(whole), name) if whole.response.status == 200 else []


def _first(*strategies: st.SearchStrategy[Any] | None) -> st.SearchStrategy[Any]:
    """The first of ``strategies`` given (the last one always is)."""
    return next(strategy for strategy in strategies if strategy is not None)


def _narrowed(schema: Mapping[str, Any]) -> st.SearchStrategy[str] | None:
    """A query value's text drawn within a field hint's schema (an ``enum``, or an integer's ``minimum`` and
    ``maximum``); None when the hint narrows nothing a query string carries."""
    if schema.get("enum"):
        return st.sampled_from([str(value) for value in schema["enum"]])
    if "minimum" in schema or "maximum" in schema:
        return st.integers(min_value=int(schema.get("minimum", 0)),
                           max_value=int(schema.get("maximum", 2**31 - 1))).map(str)
    return None
