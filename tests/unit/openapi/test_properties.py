"""Properties of the projection, over the fixture and over generated api-refs."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

from conformance.model import (
    ApiRef,
    Field,
    Microversion,
    MicroversionRange,
    Operation,
    Parameter,
    ResponseCode,
    Source,
    SourceInfo,
)
from conformance.openapi import emit, project, request_schema, response_schema

from .fixtures import COMPUTE_PROTOCOL, build_apiref

versions = st.builds(Microversion, st.just(2), st.integers(min_value=0, max_value=110))


def sources(node: Any, version: Microversion | None, defined: bool = False) -> set[str]:
    """The sources of a document's elements that exist at ``version`` (any version if None).

    An element exists when its own range and every enclosing range contain
    the version; a projection has no ranges left, all of it exists. With
    ``defined``, only parameters and body fields count (the elements with a
    parameters.yaml definition): the api-ref's requirements. The variants'
    catalogue belongs to the full document alone.
    """
    found: set[str] = set()
    if isinstance(node, dict):
        ranges = node.get("x-openstack-microversions")
        if isinstance(ranges, dict) and version is not None:
            low, high = ranges.get("min"), ranges.get("max")
            if (low and version < Microversion.parse(low)) or (high and version > Microversion.parse(high)):
                return found
        own = node.get("x-openstack-source")
        if isinstance(own, str) and (not defined or "x-openstack-definition" in node):
            found.add(own)
        for key, value in node.items():
            if key != "x-openstack-variants":
                found |= sources(value, version, defined)
    elif isinstance(node, list):
        for value in node:
            found |= sources(value, version, defined)
    return found


def model_sources(apiref: ApiRef) -> set[str]:
    """Every line the model names: no projected element may claim another."""
    found: set[str] = set()
    for operation in apiref.operations:
        found.add(str(operation.source))
        found |= {str(c.source) for c in (*operation.normal_codes, *operation.error_codes)}
        found |= {str(p.source) for p in (*operation.parameters, *operation.response_parameters)}
        stack = [*operation.request_body, *operation.response_body]
        while stack:
            field = stack.pop()
            found.add(str(field.parameter.source))
            stack.extend(field.children)
    return found


def check_projection(apiref: ApiRef, version: Microversion) -> None:
    """The projection is valid OpenAPI 3.1 and has exactly the parameters and fields of ``version``."""
    full = emit(apiref)
    projection = project(apiref, version)
    validate(projection)
    parameters = sources(full, None, defined=True)
    assert sources(projection, version) & parameters == sources(full, version, defined=True)
    assert sources(projection, version) <= model_sources(apiref)
    assert "x-openstack-microversions" not in repr(projection)


@settings(max_examples=60, deadline=None)
@given(version=versions)
def test_fixture_projection_holds_exactly_the_elements_of_its_version(version: Microversion) -> None:
    check_projection(build_apiref(), version)


# Generated api-refs: small random field trees with random types, ranges and
# repeated names, on a few paths some of which share a key (variants).
_BOUNDS = [None, *(Microversion(2, m) for m in (10, 20, 30, 40))]
_TYPES = ["string", "integer", "float", "boolean", "array", "list", "object", "dict", "none", "uuid"]
_lines = itertools.count(1)


def _range(draw: st.DrawFn) -> MicroversionRange:
    low, high = draw(st.sampled_from(_BOUNDS)), draw(st.sampled_from(_BOUNDS))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return MicroversionRange(low, high)


def _parameter(draw: st.DrawFn, location: str, name: str | None = None) -> Parameter:
    line = next(_lines)
    return Parameter(
        name=name or draw(st.sampled_from(["a", "b", "c"])), key=f"k{line}", location=location,
        required=draw(st.booleans()), type=draw(st.sampled_from(_TYPES)), description="d",
        versions=_range(draw), nullable=draw(st.booleans()), source=Source("g.inc", line),
        definition=Source("parameters.yaml", line),
    )


@st.composite
def fields(draw: st.DrawFn, depth: int = 0) -> Field:
    parameter = _parameter(draw, "body")
    children = tuple(draw(st.lists(fields(depth + 1), max_size=3))) if depth < 2 else ()
    return Field(parameter, children, complete=draw(st.booleans()))


@st.composite
def operations(draw: st.DrawFn) -> Operation:
    method, path = draw(st.sampled_from([("GET", "/things"), ("GET", "/things/{thing_id}"),
                                         ("POST", "/things/{thing_id}/action"), ("DELETE", "/things/{thing_id}")]))
    line = next(_lines)
    action = draw(st.sampled_from(["go", "stop", "rest"])) if path.endswith("action") else None
    request = (Field(_parameter(draw, "body", action), tuple(draw(st.lists(fields(1), max_size=2)))),) if action else ()
    statuses = draw(st.lists(st.sampled_from([200, 202, 204]), min_size=1, max_size=2, unique=True))
    errors = draw(st.lists(st.sampled_from([400, 404, 409, 501]), max_size=2, unique=True))
    return Operation(
        method=method, path=path, title=f"T{line}", group="G", description="", versions=_range(draw),
        normal_codes=tuple(ResponseCode(s, None, Source("codes.inc", line)) for s in statuses),
        error_codes=tuple(ResponseCode(s, "fault", Source("codes.inc", line)) for s in errors),
        parameters=tuple(_parameter(draw, "query") for _ in range(draw(st.integers(0, 2)))),
        request_body=request, response_parameters=(),
        response_body=tuple(draw(st.lists(fields(), max_size=3))),
        samples=(), preconditions=(), precondition_text=(), postconditions=(), admin_only=False,
        source=Source("g.inc", line), action=action,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(found=st.lists(operations(), min_size=1, max_size=4), version=versions)
def test_generated_projections_are_valid_and_exact(found: list[Operation], version: Microversion) -> None:
    apiref = ApiRef(SourceInfo("compute", "generated"), tuple(found), protocol=COMPUTE_PROTOCOL)
    validate(emit(apiref))
    check_projection(apiref, version)
    for operation in found:
        for code in (*operation.normal_codes, *operation.error_codes):
            schema = response_schema(operation, code.status, version)
            assert schema is None or "$ref" not in repr(schema)
        request = request_schema(operation, version)
        assert request is None or operation.action in request["required"]
