"""Tests of conformance.apiref.includes: shared fragments expanded in place, every line still pointing home."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.apiref.compiler import _read_text
from conformance.apiref.includes import expand
from conformance.errors import RSTError


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    folder = tmp_path / "api-ref" / "source"
    folder.mkdir(parents=True)
    (folder / "fields.inc").write_text("Use ``fields`` to choose\nthe fields returned.\n", encoding="utf-8")
    return tmp_path


def test_a_fragment_is_inlined_and_mapped_to_its_include_line(repository: Path) -> None:
    page = repository / "api-ref" / "source" / "networks.inc"
    text = "Intro.\n\n.. include:: fields.inc\n\nAfter.\n"
    expanded = expand(text, page, "networks.inc", repository)
    assert expanded.text == "Intro.\n\nUse ``fields`` to choose\nthe fields returned.\n\n\nAfter.\n"
    assert [expanded.original(n) for n in range(1, 8)] == [1, 2, 3, 3, 3, 4, 5]


def test_an_include_inside_a_block_is_indented_with_it(repository: Path) -> None:
    page = repository / "api-ref" / "source" / "networks.inc"
    expanded = expand(".. note::\n\n   .. include:: fields.inc\n", page, "networks.inc", repository)
    assert expanded.text.splitlines()[2:4] == ["   Use ``fields`` to choose", "   the fields returned."]


def test_a_file_without_includes_is_unchanged(repository: Path) -> None:
    page = repository / "api-ref" / "source" / "networks.inc"
    expanded = expand("No include here.\n", page, "networks.inc", repository)
    assert (expanded.text, expanded.lines, expanded.original(1)) == ("No include here.\n", (), 1)
    assert expand(".. include:: fields.inc\n", page, "networks.inc", None).lines == ()


@pytest.mark.parametrize(("target", "message"), [
    ("missing.inc", "cannot include 'missing.inc': No such file or directory"),
    ("../../../outside.inc", "include '../../../outside.inc' points outside the api-ref's repository"),
    ("networks.inc", "include 'networks.inc' includes itself (through networks.inc)"),
])
def test_bad_includes_are_errors_at_the_include_line(repository: Path, target: str, message: str) -> None:
    page = repository / "api-ref" / "source" / "networks.inc"
    text = f"Intro.\n\n.. include:: {target}\n"
    page.write_text(text, encoding="utf-8")
    with pytest.raises(RSTError) as error:
        expand(text, page, "networks.inc", repository)
    assert str(error.value) == f"networks.inc:3: {message}"


def test_sections_after_an_include_keep_their_own_lines(repository: Path) -> None:
    page = repository / "api-ref" / "source" / "networks.inc"
    text = ("Networks\n========\n\nShow network\n============\n\n.. rest_method:: GET /v2.0/networks/{id}\n\n"
            "Shows a network.\n\n.. include:: fields.inc\n\nNormal response codes: 200\n")
    (raw,), _ = _read_text(text, "networks.inc", page, repository)
    assert raw.line == 7
    assert [s.text for s in raw.description] == ["Shows a network.",
                                                 "Use ``fields`` to choose the fields returned."]
    assert [s.source.line for s in raw.description] == [9, 11]
    assert raw.normal_codes[0].source.line == 13
