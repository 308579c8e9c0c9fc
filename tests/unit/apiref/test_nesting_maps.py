"""Tests of conformance.apiref.nesting: what the samples show beyond plain objects (maps keyed by name, arrays of
links, the dotted convention, the operation's other samples) and the types a description says changed."""

from __future__ import annotations

from conformance.apiref.nesting import build_tree
from conformance.apiref.retype import split_at, versioned_types
from conformance.model import Field, Microversion, MicroversionRange, Operation, Parameter, Sample, Source
from conformance.openapi.schema import View, body_schema, view_of

INC = "gizmos.inc"


def param(name: str, type_: str = "string", line: int = 0, *, description: str = "", low: str | None = None,
          high: str | None = None) -> Parameter:
    versions = MicroversionRange(Microversion.parse(low) if low else None, Microversion.parse(high) if high else None)
    return Parameter(name=name, key=f"{name}_key", location="body", required=True, type=type_,
                     description=description, versions=versions, nullable=False, source=Source(INC, line),
                     definition=Source("parameters.yaml", line))


def listing(*items: tuple[str, str] | str) -> list[Parameter]:
    pairs = [(item, "string") if isinstance(item, str) else item for item in items]
    return [param(name, type_, 10 + i) for i, (name, type_) in enumerate(pairs)]


def sample(body: object, version: str | None = None, name: str = "gizmo-resp.json") -> Sample:
    path = f"doc/api_samples/gizmos/{'v' + version + '/' if version else ''}{name}"
    return Sample(path, Microversion.parse(version) if version else None, body, False, Source(INC, 50))


def operation_with(fields: tuple[Field, ...]) -> Operation:
    return Operation(method="GET", path="/gizmos", title="", group="", description="", versions=MicroversionRange(),
                     normal_codes=(), error_codes=(), parameters=(), request_body=(), response_parameters=(),
                     response_body=fields, samples=(), preconditions=(), precondition_text=(), postconditions=(),
                     admin_only=False, source=Source(INC, 1))


def shape(fields: tuple[Field, ...]) -> list[object]:
    """The tree as nested lists; a map's placeholder is marked ``*``, a keyed object ``{}``, an array of links ``@``."""
    def name(f: Field) -> str:
        return f.name + ("*" if f.placeholder else "") + ("{}" if f.keyed else "") + ("@" if f.link else "")
    return [(name(f), shape(f.children)) if f.children else name(f) for f in fields]


def test_key_and_value_after_an_object_of_undocumented_keys_are_its_map() -> None:
    fields, defects = build_tree(listing(("extra_specs", "object"), "key", "value"),
                                 [sample({"extra_specs": {"hw:numa_nodes": "1", "colour": "red"}})])
    assert shape(fields) == [("extra_specs", ["key*", "value*"])] and defects == []
    schema = body_schema(operation_with(fields), fields, view_of(Microversion(2, 1)))
    assert schema["properties"]["extra_specs"]["additionalProperties"]["type"] == "string"
    assert schema["properties"]["extra_specs"]["properties"] == {}


def test_a_body_keyed_by_what_the_path_names_is_a_map() -> None:
    # GET /gizmos/{gizmo_id}/ports/{port_label}: {"eth0": [{"addr": ...}]}
    parameters = listing(("port_label", "array"), "addr", ("version", "integer"))
    body = {"eth0": [{"addr": "10.0.0.1", "version": 4}]}
    fields, defects = build_tree(parameters, [sample(body)], keys=frozenset({"gizmo_id", "port_label"}))
    assert shape(fields) == [("port_label*", ["addr", "version"])] and defects == []
    schema = body_schema(operation_with(fields), fields, view_of(Microversion(2, 1)))
    assert schema["properties"] == {} and schema["additionalProperties"]["items"]["required"] == ["addr", "version"]
    # A wrapper the list misnames is not a map: `gizmos` listed where the body has `gizmo`.
    fields, _ = build_tree(listing(("gizmos", "object"), "id"), [sample({"gizmo": {"id": "1"}})],
                           keys=frozenset({"gizmo_id"}))
    assert shape(fields) == [("gizmos", ["id"])]


def test_a_label_listed_after_an_object_whose_values_hold_what_follows_is_its_key() -> None:
    # GET /gizmos/{id}/ips: {"addresses": {"private": [{"addr": ...}]}}, listed addresses, network_label, addr
    parameters = listing(("addresses", "object"), ("network_label", "array"), "addr")
    fields, defects = build_tree(parameters, [sample({"addresses": {"private": [{"addr": "10.0.0.1"}]}})])
    assert shape(fields) == [("addresses", [("network_label*", ["addr"])])] and defects == []


def test_fields_shown_under_the_names_an_object_maps_make_it_keyed() -> None:
    # The audit log's `log` holds one entry per host: {"log": {"host-1": {"errors": 0, "state": "DONE"}}}
    parameters = listing(("audit", "object"), ("log", "object"), ("errors", "integer"), "state", ("total", "integer"))
    body = {"audit": {"log": {"host-1": {"errors": 0, "state": "DONE"}, "host-2": {"errors": 1, "state": "DONE"}},
                      "total": 2}}
    fields, defects = build_tree(parameters, [sample(body)])
    assert shape(fields) == [("audit", [("log{}", ["errors", "state"]), "total"])]
    assert defects == []  # the hosts are not undocumented fields, nor are the values' fields missing
    schema = body_schema(operation_with(fields), fields, view_of(Microversion(2, 1)))
    log = schema["properties"]["audit"]["properties"]["log"]
    assert log["additionalProperties"]["required"] == ["errors", "state"] and "properties" not in log


def test_an_array_of_links_gets_the_link_objects_the_samples_show() -> None:
    parameters = listing(("gizmo", "object"), "id", ("links", "array"))
    body = {"gizmo": {"id": "1", "links": [{"href": "http://x/gizmos/1", "rel": "self"}]}}
    fields, _ = build_tree(parameters, [sample(body)])
    assert shape(fields) == [("gizmo", ["id", "links@"])]
    links = body_schema(operation_with(fields), fields, view_of(Microversion(2, 1)))["properties"]["gizmo"][
        "properties"]["links"]
    assert links["items"]["required"] == ["href", "rel"] and links["items"]["properties"]["href"]["type"] == "string"
    # An array named otherwise, or shown holding other objects, is not one.
    fields, _ = build_tree(listing(("gizmo", "object"), ("links", "array")), [sample({"gizmo": {"links": [{"a": 1}]}})])
    assert shape(fields) == [("gizmo", ["links"])]


def test_in_a_list_of_dotted_names_an_undotted_name_stays_at_their_level() -> None:
    # PUT /servers/{id}: `links` listed right after `image`, whose sample also has links, is the server's.
    parameters = listing(("gizmo", "object"), ("owner", "object"), "owner.name", ("image", "object"),
                         ("links", "array"))
    body = {"gizmo": {"owner": {"name": "x"}, "image": {"id": "i", "links": []}, "links": []}}
    fields, _ = build_tree(parameters, [sample(body)])
    assert shape(fields) == [("gizmo", [("owner", ["name"]), "image", "links@"])]


def test_the_operations_other_samples_place_what_the_included_ones_do_not_show() -> None:
    # The 2.64 sample shows `members` empty and no `metadata` (max 2.63); nova's 2.1 sample, which the api-ref
    # does not include, shows `metadata` beside `members`, not in it.
    parameters = [param("group", "object", 10), param("members", "array", 11),
                  param("metadata", "object", 12, high="2.63"), param("policy", "string", 13, low="2.64")]
    included = sample({"group": {"members": [], "policy": "affinity"}}, "2.64")
    other = sample({"group": {"members": ["a"], "metadata": {}}}, None)
    fields, _ = build_tree(parameters, [included])
    assert shape(fields) == [("group", [("members", ["metadata"]), "policy"])]  # list order guesses wrong
    fields, _ = build_tree(parameters, [included], hints=[other])
    assert shape(fields) == [("group", ["members", "metadata", "policy"])]


def test_a_type_a_description_says_changed_at_a_version_is_split_there() -> None:
    field = Field(param("cpu_info", "object", 10, high="2.87",
                        description="Since version 2.28 ``cpu_info`` field is returned as a dictionary instead of "
                                    "string."))
    older, newer = versioned_types((field,))
    assert (older.parameter.type, str(older.parameter.versions)) == ("string", "-2.27")
    assert (newer.parameter.type, str(newer.parameter.versions)) == ("object", "2.28-2.87")
    plain = Field(param("spec", "object", 11, description="A dictionary."))
    assert versioned_types((plain,)) == (plain,)


def test_split_at_leaves_out_a_part_outside_the_fields_range() -> None:
    field = Field(param("swap", "integer", 10, low="2.80"))
    assert split_at(field, Microversion(2, 75), type="string") == (field,)


def test_a_keyed_object_in_the_full_view_keeps_its_annotations() -> None:
    parameters = listing(("audit", "object"), ("log", "object"), ("errors", "integer"))
    fields, _ = build_tree(parameters, [sample({"audit": {"log": {"h": {"errors": 0}}}})])
    log = body_schema(operation_with(fields), fields, View())["properties"]["audit"]["properties"]["log"]
    assert log["additionalProperties"]["properties"]["errors"]["x-openstack-source"] == f"{INC}:12"
