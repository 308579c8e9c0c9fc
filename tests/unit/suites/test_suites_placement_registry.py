"""What the registry format gained for Placement: current values and how a stale one is refused, hints limited to
versions, maps whose key the registry names; and the shipped placement registry."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from suites_fakecloud import registry

from conformance.errors import InputError
from conformance.model import Microversion
from conformance.strategies import from_schema
from conformance.suites import bodies
from conformance.suites.registry import load_registry

TEXT = textwrap.dedent("""\
    resources:
      uuid:
        about: a provider
        find: [{call: GET /providers, items: providers, value: uuid}]
      generation:
        about: a provider's generation as it is now
        under: uuid
        current: true
        find: [{call: "GET /providers/{uuid}", items: ".", value: generation}]
        stale: {status: 409, code: thing.concurrent_update, source: "generations.inc:13", words: "a mismatch"}
    fields:
      generation: {resource: generation}
      old_form: {field: allocations, versions: "-1.11", value: [1]}
      new_form: {field: allocations, versions: "1.12-", value: {a: 1}}
      consumer: {field: consumer_uuid, in: "POST /bulk$", value: "{new_uuid}"}
    """)


def test_current_values_and_their_stale_rule(tmp_path: Path) -> None:
    loaded = registry(tmp_path, TEXT)
    generation = loaded.resources["generation"]
    assert generation.current and generation.find[0].items == "."
    assert generation.stale is not None and (generation.stale.status, generation.stale.code) == (
        409, "thing.concurrent_update")
    assert generation.stale.source == "generations.inc:13"


@pytest.mark.parametrize(("text", "message"), [
    ("resources:\n  x: {stale: {code: c}}\n", "compute.yaml:2: resource x: stale needs `status`"),
    ("resources:\n  x: {}\nfields:\n  a: {versions: 'x.y-'}\n", "field hint a: versions 'x.y-'"),
])
def test_bad_new_keys_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        registry(tmp_path, text)


def test_hints_limited_to_versions(tmp_path: Path) -> None:
    loaded = registry(tmp_path, TEXT)
    assert loaded.hint(("allocations",), "PUT /x", Microversion(1, 8)).value == [1]  # type: ignore[union-attr]
    assert loaded.hint(("allocations",), "PUT /x", Microversion(1, 12)).value == {"a": 1}  # type: ignore[union-attr]
    assert loaded.hint(("allocations",), "PUT /x") is None, "a hint of some versions holds at no unknown one"


MAP: dict[str, Any] = {"type": "object", "properties": {}, "x-openstack-key": "consumer_uuid",
                       "additionalProperties": {"type": "object", "required": ["project_id"], "properties": {
                           "project_id": {"type": "string"}, "generation": {"type": "integer"}}}}


def test_a_map_whose_key_the_registry_names_gets_one_entry(tmp_path: Path) -> None:
    loaded = registry(tmp_path, TEXT)
    body = bodies.minimal(MAP, loaded, lambda hint: f"<{hint.resource or hint.value}>", None,
                          operation="POST /bulk")
    assert body == {"<{new_uuid}>": {"project_id": "conformance"}}
    assert bodies.minimal(MAP, loaded, lambda hint: "x", None, operation="POST /other") == {}


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_a_drawn_map_entry_gets_the_registrys_key(data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    loaded = registry(tmp_path_factory.mktemp("r"), TEXT)
    drawn = data.draw(from_schema(bodies.plausible(MAP, loaded, "POST /bulk")))
    filled = bodies.with_hints(drawn, MAP, loaded, lambda hint: f"<{hint.resource or hint.value}>",
                               operation="POST /bulk")
    assert list(filled) == ["<{new_uuid}>"]
    assert filled["<{new_uuid}>"].get("generation") in (None, "<generation>"), "the value's own hints apply"


def test_the_shipped_placement_registry_loads() -> None:
    shipped = load_registry("placement")
    assert {"uuid", "generation", "resource_class", "resource_class_name", "trait_name", "consumer_uuid",
            "consumer_generation"} <= set(shipped.resources)
    assert shipped.naming("name", "GET /traits/{name}").name == "trait_name"  # type: ignore[union-attr]
    assert shipped.naming("name", "DELETE /resource_classes/{name}").name == "resource_class_name"  # type: ignore[union-attr]
    for current in ("generation", "consumer_generation"):
        entry = shipped.resources[current]
        assert entry.current and entry.stale is not None and entry.stale.code == "placement.concurrent_update"
    assert "GET /" in shipped.elsewhere
