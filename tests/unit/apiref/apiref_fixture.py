"""The api-ref written for the reader's tests (tests/fixtures/apiref) and helpers to read it."""

from __future__ import annotations

from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "apiref"
"""The fixture's repository root (``api-ref/source`` and ``doc/api_samples`` below it)."""
SOURCE = FIXTURE / "api-ref" / "source"
"""The fixture's api-ref source directory, what ``--api-ref`` takes."""


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """The 1-based line of ``path`` holding ``text`` (its ``occurrence``-th match), looked up rather than hard-coded."""
    hits = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line]
    assert len(hits) >= occurrence, f"{text!r} occurs {len(hits)} times in {path.name}"
    return hits[occurrence - 1]

WIDGETS = Path(__file__).resolve().parents[2] / "fixtures" / "widgets"
"""The second fixture's repository root, laid out like cinder's (``api-ref/source/v3``, shared ``status.yaml``)."""
WIDGETS_SOURCE = WIDGETS / "api-ref" / "source" / "v3"
"""The second fixture's api-ref source directory: widgets and gadgets, in the ways of the other services."""
