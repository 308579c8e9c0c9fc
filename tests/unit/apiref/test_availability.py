"""Tests of conformance.apiref.availability: microversion ranges and removals from prose."""

from __future__ import annotations

import pytest

from conformance.apiref.availability import read_availability


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Microversion 2.23 or greater is required for this API.", "2.23-"),
        ("This API requires microversion 2.81 or later.", "2.81-"),
        ("This API is available starting with microversion 2.100.", "2.100-"),
        ("Available since version 2.10", "2.10-"),
        ("Lists the shares (new in microversion 2.97).", "2.97-"),
        ("These APIs will fail with a 404 starting from microversion 2.36.", "-2.35"),
        ("This API was removed in microversion 2.45.", "-2.44"),
        ("This API is no longer available starting with microversion 2.44.", "-2.43"),
        ("This API is only available up to microversion 2.55.", "-2.55"),
        ("Lists the snapshots of a given server.", "all"),
        # placement and cinder
        ("Available as of microversion 1.13.", "1.13-"),
        ("Aggregates API requests are available starting from version 1.1.", "1.1-"),
        ("Available starting in the 3.27 microversion.", "3.27-"),
        ("Available in microversion 3.62 or higher.", "3.62-"),
        ("Update a Block Storage backup. This API is available since v3.9.", "3.9-"),
        ("Get current log levels for services, supported since v3.32.", "3.32-"),
        ("Available since API microversion ``3.40``.", "3.40-"),
        ("Lists all resource filters, available since microversion 3.33.", "3.33-"),
        ("Volume transfers (volume-transfers) (3.55 or later)", "3.55-"),
        # a behaviour that changed, not an availability
        ("Lists all attachments with details. Since v3.31 if non-admin users specify invalid filters, "
         "the API returns bad request.", "all"),
    ],
)
def test_sentence_gives_range(sentence: str, expected: str) -> None:
    assert str(read_availability([sentence]).versions) == expected


def test_minimum_and_maximum_from_two_sentences_combine() -> None:
    availability = read_availability([
        "Microversion 2.2 or greater is required for this API.",
        "These will fail with a 404 starting from microversion 2.36.",
    ])
    assert str(availability.versions) == "2.2-2.35"
    assert not availability.removed


def test_the_narrowest_statement_wins() -> None:
    availability = read_availability([
        "Microversion 2.10 or greater is required for this API.",
        "Microversion 2.9 or greater is required for this API.",
    ])
    assert str(availability.versions) == "2.10-"


def test_removal_by_release_marks_removed_and_deprecated() -> None:
    availability = read_availability(["These APIs were removed in the 21.0.0 (Ussuri) release."])
    assert availability.removed and availability.deprecated
    assert availability.versions.unbounded


def test_deprecated_is_not_removed() -> None:
    availability = read_availability(["This API is deprecated; use the Networking API instead."])
    assert availability.deprecated and not availability.removed


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # `.. versionadded:: 2.78`, as the directives render it, and the same words in prose
        ("New in version 2.78.", "2.78-"),
        ("New in version 2.17: the crash dump.", "2.17-"),
        ("*New in version 2.5*", "2.5-"),
        ("Available until version 2.55.", "-2.55"),
        ("Available until microversion 2.40.", "-2.40"),
        # os-hosts
        ("Requests made with microversion >= 2.43 will result in a 404 error.", "-2.42"),
        ("Starting with microversion 2.53 this API is superseded by PUT /os-services/{service_id}.", "-2.52"),
        ("This API is deprecated and will fail with HTTP 404 starting with microversion 2.88.", "-2.87"),
        # a change of the API, not its availability
        ("Changed in version 2.47: the flavor is embedded.", "all"),
        ("Deprecated since version 2.5.", "all"),
    ],
)
def test_directive_and_until_sentences_give_ranges(sentence: str, expected: str) -> None:
    assert str(read_availability([sentence]).versions) == expected


@pytest.mark.parametrize(
    ("sentence", "deprecated"),
    [
        ("Deprecated since version 2.5.", True),
        ("Hosts (os-hosts) (DEPRECATED)", True),
        ("This API is deprecated and will fail with HTTP 404 starting with microversion 2.88.", True),
        ("The os-hosts API is deprecated as of the 2.43 microversion.", True),
        ("Nova has deprecated all the proxy APIs and users should use the native APIs instead.", True),
        ("This action is deprecated in microversion 2.5 and superseded by the API Server Consoles.", True),
        # something the API mentions is deprecated, not the API
        ("The use of personality files is deprecated starting with the 2.57 microversion.", False),
        ("This action was only supported by the XenAPI virt driver, which was deprecated in the 20.0.0 release.",
         False),
    ],
)
def test_deprecated_means_the_api_itself(sentence: str, deprecated: bool) -> None:
    assert read_availability([sentence]).deprecated is deprecated


def test_completely_removed_is_removed() -> None:
    availability = read_availability(["They were completely removed in the 21.0.0 (Ussuri) release."])
    assert availability.removed and availability.deprecated


def test_a_range_for_some_requests_only_is_ambiguous_and_not_applied() -> None:
    sentence = ("Nova HyperV driver has been removed therefore requests for RDP console connection information will "
                "always return an http 400 error. Starting from microversion 2.31 it's available for all other "
                "console types.")
    availability = read_availability([sentence])
    assert availability.versions.unbounded and availability.ambiguous == (sentence,)
