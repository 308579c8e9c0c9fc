"""CV-0301..0303: the microversion echo, Vary, and the request id headers."""

from __future__ import annotations

import pytest
from checks_fixture import echo, exchange, mv

from conformance.checks import CheckContext, verify
from conformance.model import MicroversionRange, Operation, Parameter, Source
from conformance.results import Finding, Severity

HEADER_CHECKS = ("CV-0301", "CV-0302", "CV-0303")
REQUEST_ID = Parameter(name="X-Openstack-Request-Id", key="request_id_response", location="header", required=True,
                       type="string", description="A unique ID for tracking the request.",
                       versions=MicroversionRange(),
                       nullable=False, source=Source("request-ids.inc", 9), definition=Source("parameters.yaml", 12))
COMPUTE_REQUEST_ID = Parameter(**{**REQUEST_ID.__dict__, "name": "X-Compute-Request-Id",
                                  "key": "x-compute-request-id_resp", "source": Source("request-ids.inc", 10)})
BODY_PARAMETER = Parameter(**{**REQUEST_ID.__dict__, "name": "request_id", "location": "body"})


def _findings(operation: Operation, headers: tuple[tuple[str, str], ...], version: str | None = "2.25",
              status: int = 200, service: str = "compute", **extra: object) -> list[Finding]:
    ctx = CheckContext.success(operation, mv(version) if version else None, service=service, **extra)
    return verify(ctx, exchange(status, {"snapshots": []}, headers), HEADER_CHECKS, waivers=())


def test_a_response_that_echoes_the_version_passes(list_snapshots: Operation) -> None:
    assert _findings(list_snapshots, echo("2.25")) == []


def test_the_echo_is_compared_case_and_space_insensitively(list_snapshots: Operation) -> None:
    headers = (("openstack-api-version", "Compute  2.25"), ("x-openstack-nova-api-version", "2.25"),
               ("vary", "openstack-api-version"), ("VARY", "x-openstack-nova-api-version"))
    assert _findings(list_snapshots, headers) == []


@pytest.mark.parametrize(("headers", "title", "received"), [
    ((("X-OpenStack-Nova-API-Version", "2.25"),), "OpenStack-API-Version does not echo compute 2.25",
     "no OpenStack-API-Version header"),
    ((("OpenStack-API-Version", "compute 2.1"), ("X-OpenStack-Nova-API-Version", "2.25")),
     "OpenStack-API-Version does not echo compute 2.25", "OpenStack-API-Version: compute 2.1"),
    ((("OpenStack-API-Version", "volume 2.25"), ("X-OpenStack-Nova-API-Version", "2.25")),
     "OpenStack-API-Version does not echo compute 2.25", "OpenStack-API-Version: volume 2.25"),
    ((("OpenStack-API-Version", "compute 2.25"),), "X-OpenStack-Nova-API-Version does not echo 2.25",
     "no X-OpenStack-Nova-API-Version header"),
    ((("OpenStack-API-Version", "compute 2.25"), ("X-OpenStack-Nova-API-Version", "2.250")),
     "X-OpenStack-Nova-API-Version does not echo 2.25", "X-OpenStack-Nova-API-Version: 2.250"),
])
def test_a_version_header_that_does_not_echo(list_snapshots: Operation, headers: tuple[tuple[str, str], ...],
                                             title: str, received: str) -> None:
    vary = (("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version"),)
    findings = _findings(list_snapshots, headers + vary)
    assert [(f.check, f.title, f.received) for f in findings] == [("CV-0301", title, received)]
    finding = findings[0]
    assert finding.severity is Severity.MEDIUM
    assert finding.source == str(list_snapshots.source)
    assert finding.documented.endswith(title.rsplit(" ", 1)[-1])


def test_no_header_at_all_is_two_echo_findings_and_a_vary_one(list_snapshots: Operation) -> None:
    findings = _findings(list_snapshots, ())
    assert [f.check for f in findings] == ["CV-0301", "CV-0301", "CV-0302"]
    assert findings[2].title == "Vary does not name OpenStack-API-Version and X-OpenStack-Nova-API-Version"
    assert findings[2].received == "Vary: None"


@pytest.mark.parametrize("status", [400, 401, 406])
def test_responses_that_reject_the_version_echo_nothing(list_snapshots: Operation, status: int) -> None:
    assert _findings(list_snapshots, (), status=status) == []


def test_other_errors_still_echo_but_need_no_vary(list_snapshots: Operation) -> None:
    """An error is not what a cache keeps: real Placement sends no Vary on its errors, neither api-ref asks it."""
    assert [f.check for f in _findings(list_snapshots, (), status=404)] == ["CV-0301", "CV-0301"]


def test_no_version_requested_needs_no_echo(list_snapshots: Operation) -> None:
    assert _findings(list_snapshots, (), version=None) == []


def test_another_service_has_no_nova_header(list_snapshots: Operation) -> None:
    headers = (("OpenStack-API-Version", "volume 3.0"), ("Vary", "OpenStack-API-Version"))
    assert _findings(list_snapshots, headers, version="3.0", service="volume") == []
    findings = _findings(list_snapshots, (("Vary", "OpenStack-API-Version"),), version="3.0", service="volume")
    assert [f.title for f in findings] == ["OpenStack-API-Version does not echo volume 3.0"]


@pytest.mark.parametrize(("vary", "missing"), [
    ("Accept", "OpenStack-API-Version and X-OpenStack-Nova-API-Version"),
    ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version"),
    ("X-OpenStack-Nova-API-Version, Accept", "OpenStack-API-Version"),
])
def test_vary_must_name_the_version_headers(list_snapshots: Operation, vary: str, missing: str) -> None:
    headers = (*echo("2.25")[:2], ("Vary", vary))
    findings = _findings(list_snapshots, headers)
    assert [(f.check, f.title) for f in findings] == [("CV-0302", f"Vary does not name {missing}")]
    assert findings[0].received == f"Vary: {vary}"
    assert findings[0].documented == "Vary: OpenStack-API-Version, X-OpenStack-Nova-API-Version"


def test_request_ids_present_pass(list_snapshots: Operation) -> None:
    headers = (*echo("2.25"), ("X-Openstack-Request-Id", "req-3a1b"), ("X-Compute-Request-Id", "req-3a1b"))
    common = (REQUEST_ID, COMPUTE_REQUEST_ID, BODY_PARAMETER)
    assert _findings(list_snapshots, headers, common_response_parameters=common) == []


def test_request_ids_are_not_checked_without_their_documentation(list_snapshots: Operation) -> None:
    assert _findings(list_snapshots, echo("2.25")) == []


@pytest.mark.parametrize(("value", "title", "received"), [
    (None, "no X-Openstack-Request-Id header", "absent"),
    ("", "no X-Openstack-Request-Id header", "absent"),
    ("3a1b-uuid", "X-Openstack-Request-Id is not a request id", "3a1b-uuid"),
])
def test_a_missing_or_malformed_request_id(list_snapshots: Operation, value: str | None, title: str,
                                           received: str) -> None:
    headers = (*echo("2.25"), ("X-Compute-Request-Id", "req-3a1b"))
    if value is not None:
        headers += (("X-Openstack-Request-Id", value),)
    findings = _findings(list_snapshots, headers, common_response_parameters=(REQUEST_ID, COMPUTE_REQUEST_ID))
    assert [(f.check, f.title, f.received) for f in findings] == [("CV-0303", title, received)]
    assert findings[0].source == "request-ids.inc:9"
    assert findings[0].requirement == "- X-Openstack-Request-Id: request_id_response"
    assert findings[0].documented == "X-Openstack-Request-Id: req-<uuid>"


def test_request_ids_are_checked_on_every_status(list_snapshots: Operation) -> None:
    findings = _findings(list_snapshots, (), status=401, common_response_parameters=(REQUEST_ID,))
    assert [f.check for f in findings] == ["CV-0303"]
