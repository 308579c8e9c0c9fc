"""Typed field hints select and narrow the alternatives of a field of several types (nova's `networks`: a list
before 2.37; a list, or the string auto or none, from 2.37); drawn lists still get their items' hints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from suites_fakecloud import registry

from conformance.model import Microversion
from conformance.strategies import from_schema
from conformance.suites import bodies
from conformance.suites.test_contract_queries import _narrowed

HINTS = """\
resources: {}
fields:
  networks.uuid: {value: the-network, send: true}
  before: {field: server.networks, schema: {type: array}, versions: "-2.36"}
  after: {field: server.networks, schema: {anyOf: [{type: array}, {type: string, enum: [none, auto]}]},
          versions: "2.37-"}
"""

SCHEMA: dict[str, Any] = {"type": "object", "required": ["server"], "properties": {"server": {
    "type": "object", "required": ["networks"], "properties": {"networks": {
        "type": ["array", "string"],
        "items": {"type": "object", "properties": {"uuid": {"type": "string"}}, "additionalProperties": False}}}}}}


@settings(max_examples=40, deadline=None)
@given(data=st.data(), minor=st.sampled_from([36, 37]))
def test_a_typed_hint_selects_and_narrows_the_alternatives(data: st.DataObject, minor: int, tmp_path_factory: Any,
                                                           ) -> None:
    loaded = registry(Path(tmp_path_factory.mktemp("r")), HINTS)
    version = Microversion(2, minor)
    narrowed = bodies.plausible(SCHEMA, loaded, "POST /servers", version=version)
    drawn = data.draw(from_schema(narrowed))
    filled = bodies.with_hints(drawn, SCHEMA, loaded, lambda hint: hint.value, operation="POST /servers",
                               version=version)
    networks = filled["server"]["networks"]
    if isinstance(networks, str):
        assert minor == 37 and networks in ("none", "auto")
    else:
        assert networks == [{"uuid": "the-network"}], "a drawn list gets its items' hints"
    if minor == 36:
        assert isinstance(networks, list), "before 2.37 only the list is drawn"


def test_without_a_hint_every_alternative_stays(tmp_path: Path) -> None:
    narrowed = bodies.plausible(SCHEMA, registry(tmp_path, "resources: {}\n"), "POST /servers")
    assert set(narrowed["properties"]["server"]["properties"]["networks"]["type"]) == {"array", "string"}


def test_hints_reach_into_the_alternative_of_the_drawn_value(tmp_path: Path) -> None:
    """A body whose schema is a oneOf of variants (POST /servers: one server or several) is filled by the
    alternative of its type."""
    loaded = registry(tmp_path, HINTS)
    variants = {"oneOf": [SCHEMA, {"type": "string"}]}
    body = {"server": {"networks": [{"uuid": "drawn"}]}}
    filled = bodies.with_hints(body, variants, loaded, lambda hint: hint.value, operation="POST /servers",
                               version=Microversion(2, 36))
    assert filled == {"server": {"networks": [{"uuid": "the-network"}]}}


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_query_hint_narrows_the_drawn_value(data: st.DataObject) -> None:
    limit = _narrowed({"minimum": 1})  # the image proxy refuses limit=0
    assert limit is not None and int(data.draw(limit)) >= 1
    chosen = _narrowed({"enum": ["asc", "desc"]})
    assert chosen is not None and data.draw(chosen) in ("asc", "desc")
    assert _narrowed({"pattern": "^x$"}) is None  # nothing a query string's text carries: the value is drawn as usual
