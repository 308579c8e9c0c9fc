"""dump_json writes exactly what json.dumps(indent=2) writes, faster; dump_yaml is deterministic."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from conformance.openapi import dump_json, dump_yaml

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@given(document=st.dictionaries(st.text(max_size=8), values, max_size=5))
def test_dump_json_is_json_dumps_with_indent(document: dict[str, Any]) -> None:
    assert dump_json(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_what_the_fast_path_does_not_know_is_left_to_json() -> None:
    for document in ({1: "an int key"}, {"pair": (1, 2)}, {"inf": float("inf")}):
        assert dump_json(document) == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_dump_yaml_keeps_order_and_writes_blocks() -> None:
    assert dump_yaml({"b": 1, "a": "two\nlines"}) == "b: 1\na: |-\n  two\n  lines\n"
