"""Target URLs in their three forms, and the version documents read from them."""

from __future__ import annotations

import pytest
from conftest import PROJECT, TOKENS, FakeNova

from conformance.errors import ConformanceError, TargetError
from conformance.model import Microversion
from conformance.target import ServiceApi, Target, split_target_url
from conformance.target.discovery import endpoint_from_versions, version_range


@pytest.mark.parametrize(("url", "root", "endpoint"), [
    ("http://h:8774/", "http://h:8774/", None),
    ("http://h:8774", "http://h:8774/", None),
    ("https://h/compute/", "https://h/compute/", None),
    ("http://h:8774/v2.1", "http://h:8774/", "http://h:8774/v2.1"),
    ("http://h:8774/v2.1/", "http://h:8774/", "http://h:8774/v2.1"),
    (" http://h:8774/v2.1/ ", "http://h:8774/", "http://h:8774/v2.1"),
    (f"http://h:8774/v2.1/{PROJECT}", "http://h:8774/", f"http://h:8774/v2.1/{PROJECT}"),
    (f"http://h:8774/v2.1/{PROJECT}/", "http://h:8774/", f"http://h:8774/v2.1/{PROJECT}"),
    ("https://h/compute/v2.1", "https://h/compute/", "https://h/compute/v2.1"),
])
def test_split_target_url(url: str, root: str, endpoint: str | None) -> None:
    assert split_target_url(url) == (root, endpoint)


@pytest.mark.parametrize("template", ["{project_id}", "$(project_id)s", "%(tenant_id)s"])
def test_catalog_templates_are_filled_with_the_project_id(template: str) -> None:
    assert split_target_url(f"http://h/v2.1/{template}", "p1") == ("http://h/", "http://h/v2.1/p1")
    with pytest.raises(TargetError, match="project id template"):
        split_target_url(f"http://h/v2.1/{template}")


@pytest.mark.parametrize(("url", "message"), [
    ("h:8774/v2.1", "not an http"),
    ("ftp://h/v2.1", "not an http"),
    ("http:///v2.1", "not an http"),
    ("http://h/v2.1/p/servers", "goes on past the v2.1 endpoint"),
    ("http://h:8774/v2/p", "legacy v2 API"),
    ("http://h:8774/v2", "legacy v2 API"),
])
def test_split_target_url_refuses(url: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        split_target_url(url)


def test_endpoint_from_versions_keeps_the_given_host_behind_a_proxy() -> None:
    doc = {"versions": [{"id": "v2.1", "links": [{"rel": "self", "href": "http://internal:8774/v2.1/"}]}]}
    assert endpoint_from_versions("https://public/compute/", doc) == "https://public/compute/v2.1"
    assert endpoint_from_versions("http://internal:8774/", doc) == "http://internal:8774/v2.1"
    assert endpoint_from_versions("http://h/", {"versions": {"values": doc["versions"]}}) == "http://h/v2.1"
    assert endpoint_from_versions("http://h/", {"versions": [{"id": "v2.0"}]}) is None
    assert endpoint_from_versions("http://h/", ["not", "a", "document"]) is None


@pytest.mark.parametrize("document", [
    {"version": {"id": "v2.0", "version": "", "min_version": ""}},
    {"version": {"id": "v2.1", "version": "2.x", "min_version": "2.1"}},
    {"version": {"id": "v2.1", "min_version": "2.1"}},
    {"versions": []},
    None,
])
def test_version_range_of_a_non_document_is_none(document: object) -> None:
    assert version_range(document) is None


@pytest.mark.parametrize("form", ["root", "root-no-slash", "endpoint", "endpoint-slash", "project"])
def test_connect_discovers_from_each_form(nova: FakeNova, form: str) -> None:
    url = {"root": f"{nova.base}/", "root-no-slash": nova.base, "endpoint": f"{nova.base}/v2.1",
           "endpoint-slash": f"{nova.base}/v2.1/", "project": f"{nova.base}/v2.1/{PROJECT}/"}[form]
    with Target.connect(url, TOKENS, check_tokens=False) as target:
        d = target.discovery
        assert d.root == f"{nova.base}/"
        assert d.endpoint == (f"{nova.base}/v2.1/{PROJECT}" if form == "project" else f"{nova.base}/v2.1")
        assert d.project_id == (PROJECT if form == "project" else None)
        assert (d.min_version, d.max_version) == (Microversion(2, 1), Microversion(2, 100))
        assert d.supports(Microversion(2, 80)) and not d.supports(Microversion(2, 101))
        assert d.exchange.response.status == 200
        assert d.exchange.request.url == d.endpoint + "/"
        assert d.exchange.response.json()["version"]["id"] == "v2.1"
        paths = [seen.path for seen in nova.seen]
        expected = [d.endpoint[len(nova.base):] + "/"]
        assert paths == (["/", *expected] if form.startswith("root") else expected)
        assert target.requests_sent == len(paths)
        assert target.url("/servers/x/migrations") == d.endpoint + "/servers/x/migrations"


def test_connect_accepts_300_multiple_choices_from_the_root(nova: FakeNova) -> None:
    nova.routes["GET", "/"] = nova.json(300, nova.versions())
    with Target.connect(nova.base, TOKENS, check_tokens=False) as target:
        assert target.endpoint == f"{nova.base}/v2.1"


def test_connect_checks_every_token(nova: FakeNova) -> None:
    with Target.connect(f"{nova.base}/v2.1", TOKENS) as target:
        assert target.roles == frozenset(TOKENS)
        checked = [(seen.path, seen.header("X-Auth-Token")) for seen in nova.seen[1:]]
        assert checked == [("/v2.1/limits", TOKENS[role]) for role in sorted(TOKENS)]
        assert target.requests_sent == 4


def test_a_refused_token_is_a_clear_error(nova: FakeNova) -> None:
    nova.tokens.discard(TOKENS["member"])
    with pytest.raises(TargetError) as caught:
        Target.connect(f"{nova.base}/v2.1", TOKENS)
    message = str(caught.value)
    assert message == (f"GET {nova.base}/v2.1/limits answered 401 Unauthorized to the member token: "
                       "the token is invalid or expired, or belongs to another cloud")
    assert TOKENS["member"] not in message


def test_401_on_the_version_document_is_a_clear_error(nova: FakeNova) -> None:
    nova.routes["GET", "/v2.1/"] = nova.json(401, {"error": {"code": 401}})
    with pytest.raises(TargetError, match=r"^GET http://127\.0\.0\.1:\d+/v2\.1/ answered 401 Unauthorized "
                                          r"to the admin token"):
        Target.connect(f"{nova.base}/v2.1", TOKENS)


def test_unreachable_target(closed_port: int) -> None:
    with pytest.raises(TargetError, match=rf"^GET http://127\.0\.0\.1:{closed_port}/v2\.1/: the target cannot be "
                                          r"reached \(.*\)$"):
        Target.connect(f"http://127.0.0.1:{closed_port}/v2.1", TOKENS)


def test_non_json_version_document(nova: FakeNova) -> None:
    nova.routes["GET", "/"] = nova.raw(200, b"<html>Welcome to nginx!</html>")
    with pytest.raises(TargetError) as caught:
        Target.connect(nova.base, TOKENS)
    assert str(caught.value) == (f"GET {nova.base}/ answered a body that is not JSON (text/html) instead of the "
                                 "version list: '<html>Welcome to nginx!</html>'")


def test_no_v21_in_the_version_list(nova: FakeNova) -> None:
    nova.routes["GET", "/"] = nova.json(200, {"versions": [{"id": "v3.0", "links": []}]})
    with pytest.raises(TargetError, match=r"^GET http://\S+/ lists no v2.1 version \(found \['v3.0'\]\)"):
        Target.connect(nova.base, TOKENS)


def test_not_a_version_document(nova: FakeNova) -> None:
    nova.routes["GET", "/v2.1/"] = nova.json(200, {"servers": []})
    with pytest.raises(TargetError, match=r"is not a v2.1 version document with min_version and version: "
                                          r"'\{\"servers\": \[\]\}'"):
        Target.connect(f"{nova.base}/v2.1", TOKENS)


def test_error_status_on_the_version_document(nova: FakeNova) -> None:
    nova.routes["GET", "/v2.1/"] = nova.raw(503, b"")
    with pytest.raises(TargetError, match=r"answered 503 instead of the v2.1 version document: \(empty body\)"):
        Target.connect(f"{nova.base}/v2.1", TOKENS)


def test_errors_are_conformance_errors() -> None:
    with pytest.raises(ConformanceError):
        Target.connect(None, TOKENS)


PLACEMENT_ROOT = {"versions": [{"id": "v1.0", "max_version": "1.39", "min_version": "1.0", "status": "CURRENT",
                                "links": [{"rel": "self", "href": ""}]}]}


def test_a_service_whose_root_is_its_endpoint_reads_the_range_from_the_root(nova: FakeNova) -> None:
    """Placement: the root's v1.0 entry links to the root itself and holds min_version and max_version."""
    nova.routes["GET", "/"] = nova.json(200, PLACEMENT_ROOT)
    nova.routes["GET", "/resource_providers"] = nova.json(200, {"resource_providers": []})
    with Target.connect(nova.base, TOKENS, api=ServiceApi.named("placement")) as target:
        d = target.discovery
        assert (d.root, d.endpoint) == (f"{nova.base}/", nova.base)
        assert (d.min_version, d.max_version) == (Microversion(1, 0), Microversion(1, 39))
        assert d.exchange.request.url == f"{nova.base}/"
        # the tokens are checked with placement's probe, not compute's /limits
        assert [seen.path for seen in nova.seen] == ["/", *["/resource_providers"] * len(TOKENS)]
        target.request("GET", "/resource_providers", microversion="1.14")
        assert nova.seen[-1].header("OpenStack-API-Version") == "placement 1.14"
        assert nova.seen[-1].header("X-OpenStack-Nova-API-Version") is None
        assert target.url("/") == f"{nova.base}/"


def test_a_root_listing_the_version_without_its_range_is_a_clear_error(nova: FakeNova) -> None:
    nova.routes["GET", "/"] = nova.json(200, {"versions": [{"id": "v1.0", "links": [{"rel": "self", "href": ""}]}]})
    with pytest.raises(TargetError, match=r"^GET http://\S+/ lists v1.0 without min_version and max_version"):
        Target.connect(nova.base, TOKENS, api=ServiceApi.named("placement"))


def test_a_compute_root_is_not_a_placement_root(nova: FakeNova) -> None:
    with pytest.raises(TargetError, match=r"lists no v1.0 version \(found \['v2.0', 'v2.1'\]\): is this the "
                                          r"placement service root\?"):
        Target.connect(nova.base, TOKENS, api=ServiceApi.named("placement"))
