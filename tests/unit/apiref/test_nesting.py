"""Tests of conformance.apiref.nesting: body trees recovered from flat lists and samples."""

from __future__ import annotations

from conformance.apiref.nesting import build_tree
from conformance.model import Defect, Field, Microversion, MicroversionRange, Parameter, Sample, Source

INC = "things.inc"


def param(name: str, type_: str = "string", line: int = 0, *, required: bool = True, nullable: bool = False,
          low: str | None = None, high: str | None = None) -> Parameter:
    versions = MicroversionRange(Microversion.parse(low) if low else None, Microversion.parse(high) if high else None)
    return Parameter(name=name, key=f"{name}_key", location="body", required=required, type=type_, description="",
                     versions=versions, nullable=nullable, source=Source(INC, line),
                     definition=Source("parameters.yaml", 1))


def listing(*items: tuple[str, str] | str) -> list[Parameter]:
    """Required parameters listed in order, on lines 10, 11, ...; an item is a name (a string) or (name, type)."""
    pairs = [(item, "string") if isinstance(item, str) else item for item in items]
    return [param(name, type_, 10 + i) for i, (name, type_) in enumerate(pairs)]


def sample(body: object, version: str | None = None, line: int = 50) -> Sample:
    path = f"doc/api_samples/things/{'v' + version + '/' if version else ''}thing-resp.json"
    return Sample(path, Microversion.parse(version) if version else None, body, False, Source(INC, line))


def shape(fields: tuple[Field, ...]) -> list[object]:
    """The tree as nested lists: a leaf is its name, a container is (name, [children])."""
    return [(f.name, shape(f.children)) if f.children else f.name for f in fields]


def codes(defects: list[Defect]) -> list[tuple[str, int]]:
    return [(d.code, d.source.line) for d in defects]


def test_tree_recovered_from_the_sample() -> None:
    parameters = listing(("things", "array"), "id", "status", ("owner", "object"), "name",
                         ("things_links", "array"))
    body = {"things": [{"id": "a", "status": "ok", "owner": {"name": "x"}}], "things_links": []}
    fields, defects = build_tree(parameters, [sample(body)])
    assert shape(fields) == [("things", ["id", "status", ("owner", ["name"])]), "things_links"]
    assert fields[0].complete and fields[0].children[2].complete
    assert defects == []


def test_the_samples_beat_list_order() -> None:
    # `created` is listed after `owner`'s field, but the sample shows it beside `owner`.
    parameters = listing(("thing", "object"), ("owner", "object"), "name", "created")
    fields, defects = build_tree(parameters, [sample({"thing": {"owner": {"name": "x"}, "created": "t"}})])
    assert shape(fields) == [("thing", [("owner", ["name"]), "created"])]
    assert defects == []


def test_list_order_is_the_fallback_when_no_sample_shows_a_field() -> None:
    parameters = listing(("thing", "object"), "id", "colour", "name")
    fields, defects = build_tree(parameters, [sample({"thing": {"id": "1", "name": "x"}})])
    # `colour` is in no sample; `name`, which follows it, is in `thing`: so is `colour`, unambiguously.
    assert shape(fields) == [("thing", ["id", "colour", "name"])]
    assert codes(defects) == [("parameter-not-in-sample", 50)]
    assert "required `thing.colour`" in defects[0].message


def test_an_ambiguous_list_order_guess_is_reported_as_unplaced() -> None:
    parameters = [*listing(("thing", "object"), "id"), param("colour", line=12, required=False)]
    fields, defects = build_tree(parameters, [sample({"thing": {"id": "1"}})])
    assert shape(fields) == [("thing", ["id", "colour"])]
    assert codes(defects) == [("unplaced-parameter", 12)]
    assert "could be in `thing` or `the body`" in defects[0].message


def test_a_key_the_samples_show_only_under_an_unlisted_container_is_unplaced() -> None:
    parameters = listing(("things", "array"), "id")
    fields, defects = build_tree(parameters, [sample({"thing": {"id": "1"}})])
    assert codes(defects) == [("unplaced-parameter", 11), ("undocumented-sample-field", 50),
                              ("parameter-not-in-sample", 50)]
    assert "in the samples only at thing.id" in defects[0].message
    assert "`thing` in doc/api_samples/things/thing-resp.json is not a documented parameter" in defects[1].message
    assert "required `things`" in defects[2].message
    assert shape(fields) == [("things", ["id"])]


def test_an_object_the_samples_show_around_listed_fields_and_the_list_leaves_out_is_implied() -> None:
    # neutron's network segment range, nova's PUT /os-security-groups/{id}: fields listed flat, the samples
    # wrap them in an object the list does not name.
    parameters = listing("name", "description")
    fields, defects = build_tree(parameters, [sample({"security_group": {"name": "a", "description": "b"}})])
    assert shape(fields) == [("security_group", ["name", "description"])]
    wrapper = fields[0].parameter
    assert (wrapper.type, wrapper.required, wrapper.source.line) == ("object", True, 10)
    assert codes(defects) == [("implied-container", 10), ("implied-container", 11)]
    assert "`name` is in the samples only at security_group.name, in `security_group`" in defects[0].message


def test_a_child_listed_before_its_container_is_moved_and_reported() -> None:
    parameters = listing("name", ("owner", "object"))
    fields, defects = build_tree(parameters, [sample({"owner": {"name": "x"}})])
    assert shape(fields) == [("owner", ["name"])]
    assert codes(defects) == [("wrong-ordering", 10)]
    assert "listed before its container `owner`" in defects[0].message


def test_undocumented_sample_field_makes_the_object_incomplete() -> None:
    parameters = listing(("thing", "object"), "id")
    fields, defects = build_tree(parameters, [sample({"thing": {"id": "1", "progress": 100}}, "2.5", line=60)])
    assert not fields[0].complete
    assert codes(defects) == [("undocumented-sample-field", 60)]
    assert "`thing.progress` in doc/api_samples/things/v2.5/thing-resp.json" in defects[0].message


def test_an_object_listed_without_fields_is_free_form() -> None:
    fields, defects = build_tree(listing(("metadata", "object")), [sample({"metadata": {"any": "thing"}})])
    assert shape(fields) == ["metadata"]
    assert not fields[0].complete
    assert defects == []


def test_sample_values_must_fit_the_documented_type() -> None:
    parameters = listing(("thing", "object"), ("size", "integer"), ("ratio", "float"), "name")
    _, defects = build_tree(parameters, [sample({"thing": {"size": "1", "ratio": 2, "name": None}})])
    assert sorted(codes(defects)) == [("sample-null-not-nullable", 50), ("sample-type-mismatch", 50)]
    assert any("`thing.size` in doc/api_samples/things/thing-resp.json is a JSON string, but `size_key` is "
               "documented as integer" in d.message for d in defects)
    # A float shown as 2 is fine (JSON has one number type); a documented null is fine too:
    parameters[3] = param("name", line=13, nullable=True)
    assert codes(build_tree(parameters, [sample({"thing": {"size": 1, "ratio": 2, "name": None}})])[1]) == []


def test_sample_checks_respect_microversions() -> None:
    parameters = [param("thing", "object", 10), param("host", line=11, high="2.24"),
                  param("uuid", line=12, low="2.25")]
    old = sample({"thing": {"host": "h"}}, "2.23", line=50)
    new = sample({"thing": {"uuid": "u"}}, "2.25", line=51)
    fields, defects = build_tree(parameters, [old, new])
    assert shape(fields) == [("thing", ["host", "uuid"])]
    assert defects == []
    # A 2.25 sample that still shows `host` documents a field the api-ref removed at 2.25.
    stale = sample({"thing": {"uuid": "u", "host": "h"}}, "2.26", line=52)
    assert ("undocumented-sample-field", 52) not in codes(build_tree(parameters, [old, new, stale])[1])
    missing = sample({"thing": {"host": "h"}}, "2.30", line=53)
    assert codes(build_tree(parameters, [old, new, missing])[1]) == [("parameter-not-in-sample", 53)]


def test_dotted_names_name_their_parents() -> None:
    parameters = listing(("flavor", "object"), ("extra_specs", "object"), "extra_specs.key", "extra_specs.value")
    fields, defects = build_tree(parameters, [sample({"flavor": {"extra_specs": {"hw:cpu_policy": "dedicated"}}})])
    assert shape(fields) == [("flavor", [("extra_specs", ["key", "value"])])]
    assert defects == []


def test_two_fields_of_one_name_in_disjoint_versions_are_both_kept() -> None:
    parameters = [param("thing", "object", 10), param("id", "integer", 11, high="2.52"),
                  param("id", "string", 12, low="2.53")]
    old, new = sample({"thing": {"id": 1}}, "2.1"), sample({"thing": {"id": "u"}}, "2.53")
    fields, defects = build_tree(parameters, [old, new])
    assert [(f.name, f.parameter.type) for f in fields[0].children] == [("id", "integer"), ("id", "string")]
    assert defects == []


def test_a_scalar_wrapper_the_samples_show_as_an_object_holds_the_fields_listed_after_it() -> None:
    # nova's versions.inc lists `version` (type string) and then the fields of the version object.
    parameters = listing("version", "id", "status", "version")
    fields, defects = build_tree(parameters, [sample({"version": {"id": "v2.1", "status": "CURRENT",
                                                                  "version": "2.30"}})])
    assert shape(fields) == [("version", ["id", "status", "version"])]
    assert fields[0].parameter.type == "object" and fields[0].complete
    # The api-ref's contradiction is still reported, once, where the sample is.
    assert codes(defects) == [("sample-type-mismatch", 50)]
    assert "`version` in doc/api_samples/things/thing-resp.json is a JSON object" in defects[0].message


def test_a_none_typed_action_shown_as_object_and_null_becomes_a_nullable_object() -> None:
    parameters = [*listing(("unshelve", "none")), param("availability_zone", line=11, required=False)]
    bare = Sample("doc/api_samples/os-shelve/unshelve.json", None, {"unshelve": None}, True, Source(INC, 40))
    zone = Sample("doc/api_samples/os-shelve/v2.77/unshelve-az.json", Microversion(2, 77),
                  {"unshelve": {"availability_zone": "nova"}}, True, Source(INC, 41))
    fields, defects = build_tree(parameters, [bare, zone])
    assert shape(fields) == [("unshelve", ["availability_zone"])]
    assert (fields[0].parameter.type, fields[0].parameter.nullable) == ("object", True)
    assert codes(defects) == [("sample-type-mismatch", 41)]


def test_a_scalar_whose_object_holds_nothing_listed_stays_a_scalar() -> None:
    fields, defects = build_tree(listing("status", "id"), [sample({"status": {"code": 1}, "id": "x"})])
    assert shape(fields) == ["status", "id"]
    assert codes(defects) == [("sample-type-mismatch", 50)]


def test_no_samples_means_list_order() -> None:
    fields, _ = build_tree(listing(("thing", "object"), "id", "name"), [])
    assert shape(fields) == [("thing", ["id", "name"])]


def test_an_array_the_samples_show_holding_strings_takes_no_fields() -> None:
    parameters = [param("group", "object", 10), param("members", "array", 11),
                  param("metadata", "object", 12, required=False), param("name", line=13)]
    fields, defects = build_tree(parameters, [sample({"group": {"members": ["a1"], "name": "g"}})])
    # `metadata` is in no sample: it follows `members`, but a list of strings cannot hold it.
    assert shape(fields) == [("group", ["members", "metadata", "name"])]
    assert defects == []


def test_an_object_holds_the_fields_its_description_includes_typed_by_the_samples() -> None:
    """nova's quota details: ``cores`` is listed as a bare object "including in_use, limit and reserved number of
    cores"; the samples give each its type. A key no sample types, or one the description does not name, keeps
    the object as listed."""
    cores = param("cores", "object", 11)
    cores = Parameter(**{**vars(cores), "description": "The object of detailed cores quota, including in_use, "
                                                       "limit and reserved number of cores."})
    parameters = [param("quota_set", "object", 10), cores]
    body = {"quota_set": {"cores": {"in_use": 0, "limit": 20, "reserved": None}}}
    fields, defects = build_tree(parameters, [sample(body), sample({"quota_set": {"cores": {"in_use": 1, "limit": 2,
                                                                                             "reserved": 3}}})])
    assert shape(fields) == [("quota_set", [("cores", ["in_use", "limit", "reserved"])])]
    included = fields[0].children[0]
    assert included.complete and defects == []
    assert [(f.parameter.type, f.parameter.required, f.parameter.nullable, f.parameter.source.line)
            for f in included.children] == [("integer", True, False, 11), ("integer", True, False, 11),
                                            ("integer", True, True, 11)]
    # One of the named keys absent from the samples: nothing is made up.
    fields, _ = build_tree(parameters, [sample({"quota_set": {"cores": {"in_use": 0, "limit": 20}}})])
    assert shape(fields) == [("quota_set", ["cores"])]
    # A key the description does not name: the fields are not the whole object.
    fields, _ = build_tree(parameters, [sample({"quota_set": {"cores": {"in_use": 0, "limit": 20, "reserved": 0,
                                                                        "allocated": 0}}})])
    assert shape(fields) == [("quota_set", [("cores", ["in_use", "limit", "reserved"])])]
    assert not fields[0].children[0].complete


def test_a_value_not_read_is_none_until_the_fields_the_samples_show_in_it_come_in() -> None:
    """nova's unshelve: type ``none`` (its value is not read), the samples show ``{"unshelve": null}`` and, from
    2.77, ``{"unshelve": {"availability_zone": ...}}``. Before 2.77 it stays ``none``; from 2.77 it is the object
    (or null)."""
    parameters = [param("unshelve", "none", 10), param("availability_zone", "string", 11, required=False, low="2.77")]
    samples = [sample({"unshelve": None}), sample({"unshelve": {"availability_zone": "nova"}}, "2.77")]
    fields, _ = build_tree(parameters, samples)
    assert [(f.name, f.parameter.type, str(f.parameter.versions), shape(f.children)) for f in fields] == [
        ("unshelve", "none", str(MicroversionRange(None, Microversion.parse("2.76"))), []),
        ("unshelve", "object", str(MicroversionRange(Microversion.parse("2.77"), None)), ["availability_zone"])]
    # A field in it from the start: the value is an object (or null) at every version.
    parameters = [param("unshelve", "none", 10), param("availability_zone", "string", 11, required=False)]
    fields, _ = build_tree(parameters, samples)
    assert [(f.name, f.parameter.type) for f in fields] == [("unshelve", "object")]
