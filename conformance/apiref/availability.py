"""Which microversions and releases serve an operation, from the api-ref's prose.

The api-ref states an operation's availability in sentences, not fields:

- "Microversion 2.23 or greater is required for this API." -> min 2.23
- "This API is available starting with microversion 2.81." -> min 2.81
- "Available as of microversion 1.13." (placement) -> min 1.13
- "These will fail with a 404 starting from microversion 2.36." -> max 2.35
- "This API is only available up to microversion 2.55." -> max 2.55
- "They were removed in the 21.0.0 (Ussuri) release." -> removed
- "... is deprecated ..." -> deprecated

These are sentences of plain text (RST already parsed away), so they are
matched with regular expressions over the sentence, one named pattern per form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.model import Microversion, MicroversionRange

__all__ = ["Availability", "read_availability"]

_V = r"(\d+\.\d+)"
_MINIMUM = [
    re.compile(rf"microversion\s+{_V}\s+or\s+(?:greater|later|higher|above)\s+is\s+required", re.I),
    re.compile(rf"requires?\s+(?:a\s+)?microversion\s+{_V}\s+or\s+(?:greater|later|higher|above)", re.I),
    re.compile(rf"\b(?:is|are)\s+(?:only\s+)?(?:available|supported)\s+(?:starting\s+(?:with|from)|since|as\s+of|"
               rf"from|in)\s+(?:the\s+)?(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
    re.compile(rf"^\s*available\s+(?:since|as\s+of|starting\s+(?:with|from))\s+(?:api\s+)?(?:micro)?version\s+{_V}",
               re.I),
    re.compile(rf"\((?:new\s+in|added\s+in)\s+(?:micro)?version\s+{_V}\)\.?\s*$", re.I),
    # cinder: "Available starting in the 3.27 microversion.", "Available in microversion 3.62 or higher.",
    # "This API is available since v3.9.", "supported since v3.32", a title's "(3.55 or later)"
    re.compile(rf"\bavailable\s+starting\s+(?:in|with|from)\s+(?:the\s+)?{_V}\s+microversion", re.I),
    re.compile(rf"\bavailable\s+in\s+(?:api\s+)?microversion\s+{_V}\s+or\s+(?:greater|later|higher|above)", re.I),
    re.compile(rf"\b(?:available|supported)\s+since\s+v{_V}\b", re.I),
    re.compile(rf",\s*available\s+since\s+(?:api\s+)?microversion\s+{_V}", re.I),
    re.compile(rf"\(\s*{_V}\s+or\s+later\s*\)", re.I),
]
_MAXIMUM_EXCLUSIVE = [
    re.compile(rf"fail\s+with\s+(?:a\s+)?404\s+starting\s+(?:from|with)\s+(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
    re.compile(rf"(?:has\s+been|was|were|is|are)\s+removed\s+in\s+(?:api\s+)?microversion\s+{_V}", re.I),
    re.compile(rf"(?:not|no\s+longer)\s+(?:available|supported)\s+(?:starting\s+(?:with|from)|since|as\s+of|from|in)"
               rf"\s+(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
]
_MAXIMUM_INCLUSIVE = [
    re.compile(rf"(?:only\s+)?(?:available|supported)\s+(?:up\s+to|until|through)\s+(?:and\s+including\s+)?"
               rf"(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
]
_NUMBER = re.compile(r"\d\.\d")
_REMOVED = re.compile(r"\b(?:was|were|has\s+been|have\s+been)\s+removed\s+in\s+(?:the\s+)?\d+\.\d+\.\d+", re.I)
_DEPRECATED = re.compile(r"\bdeprecated\b", re.I)


@dataclass(frozen=True)
class Availability:
    """What a set of sentences says about where an operation is served."""

    versions: MicroversionRange
    """The microversions that serve it."""
    removed: bool = False
    """True when a release removed it entirely (no microversion serves it)."""
    deprecated: bool = False
    """True when it is said to be deprecated."""


def read_availability(sentences: list[str]) -> Availability:
    """Combine what the sentences say; the narrowest statement wins.

    >>> read_availability(["Microversion 2.23 or greater is required for this API."]).versions.min
    Microversion(major=2, minor=23)
    >>> str(read_availability(["These will fail with a 404 starting from microversion 2.36."]).versions)
    '-2.35'
    """
    low: Microversion | None = None
    high: Microversion | None = None
    removed = deprecated = False
    for sentence in sentences:
        text = " ".join(sentence.split()).replace("``", "")
        removed = removed or _REMOVED.search(text) is not None
        deprecated = deprecated or _DEPRECATED.search(text) is not None
        if _NUMBER.search(text) is None:
            continue  # no version in it: none of the patterns below can match
        for pattern in _MINIMUM:
            for match in pattern.finditer(text):
                version = Microversion.parse(match.group(1))
                low = version if low is None else max(low, version)
        for pattern in _MAXIMUM_EXCLUSIVE:
            for match in pattern.finditer(text):
                version = Microversion.parse(match.group(1))
                if version.minor == 0:
                    continue
                version = version.previous()
                high = version if high is None else min(high, version)
        for pattern in _MAXIMUM_INCLUSIVE:
            for match in pattern.finditer(text):
                version = Microversion.parse(match.group(1))
                high = version if high is None else min(high, version)
    return Availability(MicroversionRange(low, high), removed, deprecated or removed)
