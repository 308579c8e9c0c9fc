"""Which drawn unknown ids a target may refuse as malformed (400) rather than not found (404): the form the api-ref
documents for the path parameter at the requested microversion."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conformance.model import Microversion, MicroversionRange
from conformance.suites.test_contract import _malformed

UUID = "1b6a9f4e-5c7d-4e0a-9b3f-2d8c6e1a7f90"


def mv(text: str) -> Microversion:
    return Microversion.parse(text)


# Nova's os-hypervisors show: hypervisor_id an integer up to 2.52, a UUID (string) from 2.53; 400 and 404 documented.
HYPERVISOR = SimpleNamespace(
    error_codes=[SimpleNamespace(status=400), SimpleNamespace(status=404)],
    parameters_in=lambda where: [
        SimpleNamespace(name="hypervisor_id", type="integer", versions=MicroversionRange(mv("2.1"), mv("2.52"))),
        SimpleNamespace(name="hypervisor_id", type="string", versions=MicroversionRange(mv("2.53"), None)),
    ])


@pytest.mark.parametrize(("value", "version", "malformed"), [
    ("2147483648", "2.53", True),  # an integer where a UUID is documented: may be refused as malformed
    ("2147483648", "2.52", False),  # the documented form: must be 404
    (UUID, "2.52", True),  # a UUID where an integer is documented
    (UUID, "2.53", False),
    ("0x1f", "2.1", True),
])
def test_the_documented_form_follows_the_microversion(value: str, version: str, malformed: bool) -> None:
    assert (_malformed(value, "uuid", HYPERVISOR, "hypervisor_id", mv(version)) is not None) is malformed


def test_a_uuid_id_without_a_documented_400_must_be_not_found() -> None:
    operation = SimpleNamespace(error_codes=[SimpleNamespace(status=404)], parameters_in=lambda where: [
        SimpleNamespace(name="server_id", type="string", versions=MicroversionRange())])
    assert _malformed("2147483648", "uuid", operation, "server_id", mv("2.1")) is None
