"""Tests for conformance.apiref.preconditions: sentence splitting and the rule grammar."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.apiref.preconditions import parse_version_phrase, recognise, split_sentences
from conformance.model import Microversion, MicroversionRange, Precondition, Sentence, Source

V = Microversion.parse


def para(text: str, line: int = 10) -> Sentence:
    return Sentence(text, Source("servers-actions.inc", line))


def rules_of(*texts: str) -> list[tuple[str, str, tuple[str, ...], str, bool]]:
    rules, _ = recognise([para(t, 10 + 3 * i) for i, t in enumerate(texts)])
    return [(r.subject, r.attribute, r.allowed, str(r.versions), r.negated) for r in rules]


def unrecognised_of(*texts: str) -> list[str]:
    return [s.text for s in recognise([para(t) for t in texts])[1]]


# --- split_sentences ------------------------------------------------------------------


def test_split_keeps_the_line_each_sentence_starts_on() -> None:
    paragraph = para(
        "The server must exist. The server status\nmust be ``ACTIVE``.\nThe migration status must be ``x``.", 40
    )
    sentences = split_sentences(paragraph)
    assert [s.text for s in sentences] == [
        "The server must exist.",
        "The server status\nmust be ``ACTIVE``.",
        "The migration status must be ``x``.",
    ]
    assert [s.source.line for s in sentences] == [40, 40, 42]
    assert {s.source.path for s in sentences} == {"servers-actions.inc"}


def test_split_counts_the_newline_right_before_a_sentence() -> None:
    sentences = split_sentences(para("First one.\nSecond one.", 5))
    assert [(s.text, s.source.line) for s in sentences] == [("First one.", 5), ("Second one.", 6)]


@pytest.mark.parametrize(
    "text",
    [
        "Some values, e.g. ``ACTIVE``, are allowed.",
        "Some values, e.g. Nova ones, are allowed.",
        "For microversion 2.65 and greater the status can be ``x``.",
        "A server, i.e. an instance, must be ``ACTIVE``.",
        "The status must be ``odd. Literal``.",
    ],
)
def test_split_does_not_cut_abbreviations_versions_or_literals(text: str) -> None:
    assert [s.text for s in split_sentences(para(text))] == [text]


def test_split_of_blank_paragraph_is_empty() -> None:
    assert split_sentences(para("  \n ")) == []


# --- the required examples (nova 34.0.0) ----------------------------------------------


def test_migration_status_must_be() -> None:
    rules, unrecognised = recognise([para("The migration status must be ``running``.")])
    assert rules == [
        Precondition(
            "migration", "status", ("running",), MicroversionRange(), para("The migration status must be ``running``.")
        )
    ]
    assert unrecognised == []


def test_two_conjoined_server_attributes() -> None:
    assert rules_of(
        "The server OS-EXT-STS:vm_state value must be ``active`` and the server\n"
        "OS-EXT-STS:task_state value must be ``migrating``."
    ) == [
        ("server", "OS-EXT-STS:vm_state", ("active",), "all", False),
        ("server", "OS-EXT-STS:task_state", ("migrating",), "all", False),
    ]


def test_versioned_rule_and_can_also_be_adds_values() -> None:
    assert rules_of(
        "For microversions from 2.24 to 2.64 the migration status must be ``running``,\n"
        "for microversion 2.65 and greater, the migration status can also be ``queued``\nand ``preparing``."
    ) == [
        ("migration", "status", ("running",), "2.24-2.64", False),
        ("migration", "status", ("running", "queued", "preparing"), "2.65-", False),
    ]


def test_can_also_be_in_a_later_sentence_cuts_the_earlier_unbounded_rule() -> None:
    assert rules_of(
        "The migration status must be ``running``.",
        "As of microversion 2.65 the migration status can also be ``queued``.",
    ) == [
        ("migration", "status", ("running",), "-2.64", False),
        ("migration", "status", ("running", "queued"), "2.65-", False),
    ]


def test_can_also_be_cuts_a_bounded_earlier_rule_to_end_before_it() -> None:
    assert rules_of(
        "Starting from microversion 2.24, the migration status must be ``running``.",
        "For microversion 2.65 and greater, the migration status can also be ``queued``.",
    ) == [
        ("migration", "status", ("running",), "2.24-2.64", False),
        ("migration", "status", ("running", "queued"), "2.65-", False),
    ]


def test_can_also_be_without_an_earlier_rule_is_unrecognised() -> None:
    text = "For microversion 2.65 and greater, the migration status can also be ``queued``."
    assert rules_of(text) == []
    assert unrecognised_of(text) == [text]


def test_status_list_with_oxford_comma() -> None:
    assert rules_of("The server status must be ``ACTIVE``, ``SHUTOFF``, ``PAUSED``, or ``SUSPENDED``.") == [
        ("server", "status", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"), "all", False)
    ]


def test_you_can_only_when_its_status_without_final_period() -> None:
    assert rules_of(
        "You can only add a floating IP address to the server when its status is ``ACTIVE`` or ``STOPPED``"
    ) == [("server", "status", ("ACTIVE", "STOPPED"), "all", False)]


def test_you_can_only_where_the_status_with_adjective() -> None:
    assert rules_of("You can only confirm the resized server where the status is\n``VERIFY_RESIZE``.") == [
        ("server", "status", ("VERIFY_RESIZE",), "all", False)
    ]


def test_where_clause_conjunction_inherits_the_subject_and_normalises_vm_state() -> None:
    assert rules_of(
        "You can only revert the resized server where the status is\n"
        "``VERIFY_RESIZE`` and the OS-EXT-STS:vm_state is ``resized``."
    ) == [
        ("server", "status", ("VERIFY_RESIZE",), "all", False),
        ("server", "OS-EXT-STS:vm_state", ("resized",), "all", False),
    ]


def test_bare_server_state_names_and_subject_prefixed_status() -> None:
    # nova 17.0.13's confirmResize precondition.
    assert rules_of(
        "You can only confirm the resized server where the status is\n``VERIFY_RESIZED``, the vm_status is "
        "``RESIZED``, and the\nmigration_status is ``finished`` or ``confirming``."
    ) == [
        ("server", "status", ("VERIFY_RESIZED",), "all", False),
        ("server", "OS-EXT-STS:vm_state", ("RESIZED",), "all", False),
        ("migration", "status", ("finished", "confirming"), "all", False),
    ]
    assert rules_of("The server task_state must be ``migrating``.") == [
        ("server", "OS-EXT-STS:task_state", ("migrating",), "all", False)
    ]


def test_unconditional_requires_form() -> None:
    assert rules_of("Unshelving a server requires its status to be ``SHELVED`` or ``SHELVED_OFFLOADED``.") == [
        ("server", "status", ("SHELVED", "SHELVED_OFFLOADED"), "all", False)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Unshelving a server without parameters requires its status to be ``SHELVED`` or ``SHELVED_OFFLOADED``.",
        "Unshelving a server with availability_zone and/or host parameters requires its status to be only "
        "``SHELVED_OFFLOADED`` otherwise HTTP 409 conflict response is returned.",
        "You can only *SOFT* reboot a server when its status is ``ACTIVE``.",
        "You can only SOFT reboot a server when its status is ``ACTIVE``.",
        "You can only create a new image from the server when its status is ``ACTIVE``,\n``SHUTOFF``, ``SUSPENDED`` "
        "or ``PAUSED``\n(``PAUSED`` is only supported for image-backed servers).",
        "The server must exist.",
        "If the server is locked, you must have administrator privileges to force the\n"
        "completion of the server migration.",
        "Anyone can delete a server when the status of the server is not\nlocked and when the policy allows.",
        "The status must be ``ACTIVE``.",
        "The server status is ``ACTIVE``.",
        "The server status must be ``ACTIVE`` or the task_state must be ``x``.",
    ],
)
def test_conditional_policy_and_partial_sentences_stay_unrecognised(text: str) -> None:
    rules, unrecognised = recognise([para(text)])
    assert rules == []
    assert [s.text for s in unrecognised] == [text]


def test_negation() -> None:
    assert rules_of("The server status must not be ``ERROR``.") == [("server", "status", ("ERROR",), "all", True)]
    assert rules_of("You can only stop a server when its status is not ``SHUTOFF``.") == [
        ("server", "status", ("SHUTOFF",), "all", True)
    ]


# --- the "one of:" list ---------------------------------------------------------------


def test_one_of_followed_by_list_items_is_one_rule() -> None:
    paragraphs = [
        para("You can only resize a server when its status is one of:", 20),
        para("``ACTIVE``", 22),
        para("``ERROR``", 23),
        para("``SHUTOFF``", 24),
        para("If the server is locked, you must have administrator privileges.", 26),
    ]
    rules, unrecognised = recognise(paragraphs)
    assert [(r.subject, r.attribute, r.allowed) for r in rules] == [
        ("server", "status", ("ACTIVE", "ERROR", "SHUTOFF"))
    ]
    assert rules[0].sentence.source == Source("servers-actions.inc", 20)
    assert (
        rules[0].sentence.text
        == "You can only resize a server when its status is one of: ``ACTIVE``, ``ERROR``, ``SHUTOFF``"
    )
    assert [s.source.line for s in unrecognised] == [26]


def test_conditional_one_of_list_is_one_unrecognised_sentence() -> None:
    paragraphs = [
        para("You can only *HARD* reboot a server when its status is one of:", 20),
        para("``ACTIVE``", 22),
        para("``ERROR``", 23),
    ]
    rules, unrecognised = recognise(paragraphs)
    assert rules == []
    assert [(s.text, s.source.line) for s in unrecognised] == [
        ("You can only *HARD* reboot a server when its status is one of: ``ACTIVE``, ``ERROR``", 20)
    ]


def test_list_merging_stops_at_the_first_non_literal_item() -> None:
    paragraphs = [para("The server status must be one of:"), para("``ACTIVE``"), para("The server must exist.")]
    rules, unrecognised = recognise(paragraphs)
    assert [r.allowed for r in rules] == [("ACTIVE",)]
    assert [s.text for s in unrecognised] == ["The server must exist."]


# --- microversion phrases -------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("For microversions from 2.24 to 2.64", MicroversionRange(V("2.24"), V("2.64"))),
        ("between microversions 2.1 and 2.5", MicroversionRange(V("2.1"), V("2.5"))),
        ("for microversion 2.65 and greater", MicroversionRange(V("2.65"))),
        ("microversions 2.65 or later", MicroversionRange(V("2.65"))),
        ("Starting from API version 2.68", MicroversionRange(V("2.68"))),
        ("Starting from microversion 2.68", MicroversionRange(V("2.68"))),
        ("As of ``microversion 2.91``", MicroversionRange(V("2.91"))),
        ("since microversion 2.3", MicroversionRange(V("2.3"))),
        ("up to microversion 2.64", MicroversionRange(None, V("2.64"))),
        ("for microversions up to and including 2.64", MicroversionRange(None, V("2.64"))),
        ("before microversion 2.65", MicroversionRange(None, V("2.64"))),
        ("prior to microversion 2.100", MicroversionRange(None, V("2.99"))),
        ("in microversion 2.60", MicroversionRange(V("2.60"), V("2.60"))),
    ],
)
def test_version_phrases(phrase: str, expected: MicroversionRange) -> None:
    assert parse_version_phrase(phrase) == expected


@pytest.mark.parametrize(
    "phrase", ["the server", "from microversion 2.5 to 2.3", "before microversion 2.0", "microversion"]
)
def test_non_version_phrases(phrase: str) -> None:
    assert parse_version_phrase(phrase) is None


def test_version_prefix_carries_to_later_clauses_and_suffix_applies_to_its_clause() -> None:
    assert rules_of(
        "Starting from microversion 2.30, the server status must be ``ACTIVE`` and the migration status must be ``x``."
    ) == [("server", "status", ("ACTIVE",), "2.30-", False), ("migration", "status", ("x",), "2.30-", False)]
    assert rules_of("The server status must be ``ACTIVE`` before microversion 2.10.") == [
        ("server", "status", ("ACTIVE",), "-2.9", False)
    ]


def test_rule_keeps_its_own_sentence_from_a_multi_sentence_paragraph() -> None:
    rules, unrecognised = recognise([para("The server must exist.\nThe server status must be ``SHUTOFF``.", 7)])
    assert [(r.sentence.text, r.sentence.source.line) for r in rules] == [("The server status must be ``SHUTOFF``.", 8)]
    assert [(s.text, s.source.line) for s in unrecognised] == [("The server must exist.", 7)]


# --- properties -----------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["The", "the", "server", "migration", "status", "its", "must", "be", "not", "can", "also", "is", "and", "or",
     ",", ".", ":", "one of:", "You can only", "resize", "a", "when", "where", "``ACTIVE``", "``x y``", "for",
     "microversion", "2.65", "2.0", "and greater", "from", "to", "before", "\n", "*", "Unshelving", "requires",
     "to be", "task_state", "migration_status", "e.g.", "``"]
)  # fmt: skip
_TEXT = st.one_of(st.text(max_size=120), st.lists(_WORDS, max_size=30).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=6))
def test_recognise_never_raises_and_values_are_literals_of_the_input(texts: list[str]) -> None:
    paragraphs = [para(t, 1 + i) for i, t in enumerate(texts)]
    rules, unrecognised = recognise(paragraphs)
    literals = {m for t in texts for m in re.findall(r"``([^`]+)``", t)}
    for rule in rules:
        assert rule.allowed
        assert set(rule.allowed) <= literals
        if rule.sentence.text.count("can also be") == 0:
            # Without "can also be", every value is written in the rule's own sentence.
            assert all(f"``{value}``" in rule.sentence.text for value in rule.allowed)
        assert not rule.versions.empty
    # A sentence is either the source of rules or unrecognised, never both.
    assert not {r.sentence for r in rules} & set(unrecognised)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=10_000))
def test_split_sentences_covers_the_paragraph(text: str, line: int) -> None:
    sentences = split_sentences(para(text, line))
    # Nothing is lost or duplicated but whitespace between sentences.
    assert "".join("".join(s.text.split()) for s in sentences) == "".join(text.split())
    assert all(line <= s.source.line <= line + text.count("\n") for s in sentences)
    assert [s.source.line for s in sentences] == sorted(s.source.line for s in sentences)
