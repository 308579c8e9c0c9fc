"""Tests of the services' descriptions (services.toml) and of the protocol read from them and the api-ref."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.apiref import protocol, services, sources
from conformance.apiref.samples import sample_microversion
from conformance.errors import SourceError
from conformance.model import ApiRef, Microversion, MicroversionProtocol, MicroversionRange, Sample, Source

V = Microversion.parse


@pytest.fixture
def services_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A services.toml to write, in place of the shipped one (the parsed cache is cleared around the test)."""
    path = tmp_path / "services.toml"
    monkeypatch.setattr(services, "SERVICES_FILE", path)
    services._profiles.cache_clear()
    yield path
    services._profiles.cache_clear()


def test_the_six_services_and_their_protocols() -> None:
    assert services.service_types() == ["compute", "placement", "block-storage", "image", "identity", "network"]
    tokens = {name: (p.protocol.service if p.protocol else None)
              for name in services.service_types() if (p := services.profile(name)) is not None}
    assert tokens == {"compute": "compute", "placement": "placement", "block-storage": "volume", "image": None,
                      "identity": None, "network": None}
    compute = services.profile("compute")
    assert compute is not None and compute.protocol is not None
    assert compute.protocol.legacy_headers == ("X-OpenStack-Nova-API-Version",)
    assert (compute.protocol.minimum_key, compute.protocol.maximum_key) == ("min_version", "version")
    placement = services.profile("placement")
    assert placement is not None and placement.protocol is not None
    assert placement.protocol.maximum_key == "max_version"
    assert (placement.fault.name, placement.fault.shape) == ("PlacementErrors", "api-sig-errors")
    assert placement.fault.codes_since == Microversion(1, 23) and "placement.concurrent_update" in placement.fault.codes
    assert services.by_package("cinder") == services.profile("block-storage")
    assert services.profile("baremetal") is None and services.by_package("ironic") is None


def test_every_service_has_a_pin_of_its_release() -> None:
    pins = sources.load_pins()
    for name in services.service_types():
        described = services.profile(name)
        assert described is not None
        assert described.release in pins[described.package], name


@pytest.mark.parametrize(("service", "path", "version"), [
    ("compute", "doc/api_samples/servers/v2.100/server-get-resp.json", "2.100"),
    ("compute", "doc/api_samples/servers/server-get-resp.json", None),
    ("block-storage", "samples/volumes/v3.61/volume-show-response.json", "3.61"),
    ("placement", "samples/aggregates/get-aggregates-1.19.json", "1.19"),
    ("placement", "samples/aggregates/get-aggregates.json", None),
    ("network", "samples/networks/v2.0-network-show.json", None),
])
def test_a_sample_names_its_version_the_way_its_service_does(service: str, path: str, version: str | None) -> None:
    described = services.profile(service)
    assert described is not None
    assert sample_microversion(path, described.sample_version) == (V(version) if version else None)


@pytest.mark.parametrize(("text", "message"), [
    ("[x]\npackage = 'p'\n", "'release' must be a non-empty string"),
    ("[x]\npackage = 'p'\nrelease = '1'\napi-ref = 'a'\napi-version = '1'\npaths = 'p'\nsample-version = '(['\n",
     "'sample-version' is not a regular expression"),
    ("[x]\npackage = 'p'\nrelease = '1'\napi-ref = 'a'\napi-version = '1'\npaths = 'p'\nsample-version = 'v1'\n",
     "'sample-version' needs a group"),
    ("[x]\npackage = 'p'\nrelease = '1'\napi-ref = 'a'\napi-version = '1'\npaths = 'p'\n[x.microversions]\n"
     "header = 'H'\n", "'microversions' must be a mapping with a 'range' mapping"),
    ("[x]\npackage = 'p'\nrelease = '1'\napi-ref = 'a'\napi-version = '1'\npaths = 'p'\n"
     "fault = { name = 'F', shape = 'html' }\n", "'fault' must be a mapping with a 'name' and a 'shape'"),
    ("[x\n", "cannot read the service descriptions"),
])
def test_a_malformed_services_file_is_a_source_error(services_file: Path, text: str, message: str) -> None:
    services_file.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace("[", r"\[")):
        services.service_types()


def test_an_unknown_service_type_lists_the_known_ones() -> None:
    with pytest.raises(Exception, match="unknown service type 'baremetal'; known: compute, placement, block-storage"):
        sources.for_service("baremetal")


def _version_document(body: object, line: int) -> Sample:
    return Sample("samples/versions.json", None, body, False, Source("versions.inc", line))


def test_the_range_comes_from_the_keys_the_service_names(fixture_apiref: ApiRef) -> None:
    listing = fixture_apiref.operations[0]
    nova_style = {"versions": [{"status": "SUPPORTED", "min_version": "", "version": ""},
                               {"status": "CURRENT", "min_version": "2.1", "version": "2.104"}]}
    placement_style = {"versions": [{"status": "CURRENT", "min_version": "1.0", "max_version": "1.39"}]}
    operation = replace(listing, samples=(_version_document(nova_style, 7),
                                                    _version_document(placement_style, 9)))
    assert protocol.advertised([operation]) == (MicroversionRange(V("2.1"), V("2.104")), Source("versions.inc", 7))
    assert protocol.advertised([operation], "min_version", "max_version") == (
        MicroversionRange(V("1.0"), V("1.39")), Source("versions.inc", 9))
    assert protocol.advertised([replace(listing, samples=())]) == (MicroversionRange(), None)


def test_a_lagging_version_document_is_a_defect() -> None:
    found = MicroversionProtocol("OpenStack-API-Version", "placement", (), MicroversionRange(V("1.0"), V("1.28")),
                                 Source("root.inc", 50))
    defect = protocol.behind(found, [V("1.2"), V("1.38")])
    assert defect is not None and (defect.code, str(defect.source)) == ("version-document-behind", "root.inc:50")
    assert protocol.behind(found, [V("1.28")]) is None
    assert protocol.behind(None, [V("9.9")]) is None
