"""Which microversions and releases serve an operation, from the api-ref's prose.

The api-ref states an operation's availability in sentences, not fields:

- "Microversion 2.23 or greater is required for this API." -> min 2.23
- "This API is available starting with microversion 2.81." -> min 2.81
- "Available as of microversion 1.13." (placement) -> min 1.13
- "These will fail with a 404 starting from microversion 2.36." -> max 2.35
- "This API is only available up to microversion 2.55." -> max 2.55
- "Requests made with microversion >= 2.43 will result in a 404 error." -> max 2.42
- "Starting with microversion 2.53 this API is superseded by PUT /os-services/{service_id}." -> max 2.52
- "New in version 2.78" (how Sphinx renders ``.. versionadded:: 2.78``) -> min 2.78
- "They were removed in the 21.0.0 (Ussuri) release." -> removed
- "This API is deprecated", "Deprecated since version 2.5" (``.. deprecated:: 2.5``) -> deprecated

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
    # Sphinx's rendering of `.. versionadded:: 2.78` (see directives.py), and the same words in prose:
    # "New in version 2.17", keystone's "*New in version 1.1*" (a versionless service ignores it).
    re.compile(rf"^\W*new\s+in\s+(?:api\s+)?(?:micro)?version\s+{_V}\b", re.I),
    re.compile(rf"microversion\s+{_V}\s+or\s+(?:greater|later|higher|above)\s+is\s+required", re.I),
    re.compile(rf"requires?\s+(?:a\s+)?microversion\s+{_V}\s+or\s+(?:greater|later|higher|above)", re.I),
    re.compile(rf"\b(?:is|are)\s+(?:only\s+)?(?:available|supported)\s+(?:starting\s+(?:with|from)|since|as\s+of|"
               rf"from|in)\s+(?:the\s+)?(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
    # also os-services' "Action ``force-down`` available as of microversion 2.11."
    re.compile(rf"(?:^|\b(?:action|api|operation|call)\s+\S+\s+)available\s+(?:since|as\s+of|starting\s+"
               rf"(?:with|from))\s+(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
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
    re.compile(rf"fail\s+with\s+(?:a\s+|http\s+)?404\s+starting\s+(?:from|with)\s+(?:api\s+)?(?:micro)?version\s+{_V}",
               re.I),
    # os-services: "Starting with microversion 2.53 this API is superseded by PUT /os-services/{service_id}."
    re.compile(rf"(?:starting\s+(?:with|from)|since|as\s+of)\s+(?:api\s+)?(?:micro)?version\s+{_V},?\s+this\s+"
               rf"(?:api|action|operation)\s+is\s+superseded\b", re.I),
    # os-hosts: "Requests made with microversion >= 2.43 will result in a 404 error."
    re.compile(rf"microversion\s*(?:>=|≥|greater\s+than\s+or\s+equal\s+to)\s*{_V}\s+will\s+(?:result\s+in|"
               rf"return|fail\s+with)\s+(?:an?\s+)?(?:http\s+)?404", re.I),
    re.compile(rf"(?:has\s+been|was|were|is|are)\s+removed\s+in\s+(?:api\s+)?microversion\s+{_V}", re.I),
    re.compile(rf"(?:not|no\s+longer)\s+(?:available|supported)\s+(?:starting\s+(?:with|from)|since|as\s+of|from|in)"
               rf"\s+(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
]
_MAXIMUM_INCLUSIVE = [
    re.compile(rf"(?:only\s+)?(?:available|supported)\s+(?:up\s+to|until|through)\s+(?:and\s+including\s+)?"
               rf"(?:api\s+)?(?:micro)?version\s+{_V}", re.I),
]
# "Starting from microversion 2.31 it's available for all other console types": a range that holds for some
# requests only. Not the operation's range: reported as ambiguous.
_CONDITIONAL = re.compile(rf"(?:starting\s+(?:from|with)|since|as\s+of)\s+(?:api\s+)?(?:micro)?version\s+{_V},?\s+"
                          rf"(?:it|this(?:\s+api)?)(?:'s|\s+is)\s+(?:only\s+)?(?:available|supported)\s+for\b", re.I)
_NUMBER = re.compile(r"\d\.\d")
_REMOVED = re.compile(r"\b(?:was|were|has\s+been|have\s+been)\s+(?:completely\s+|entirely\s+)?removed\s+in\s+"
                      r"(?:the\s+)?\d+\.\d+\.\d+", re.I)
# Deprecation of the API itself, not of something it mentions ("The use of personality files is deprecated"):
# Sphinx's rendering of `.. deprecated::`, a "(DEPRECATED)" title, or "this API / these APIs / the action ...
# is deprecated", "Nova has deprecated all the proxy APIs".
_DEPRECATED = re.compile(
    r"^\W*deprecated\s+since\s+version\b|\(deprecated\)|"
    r"\b(?:apis?|actions?|operations?|calls?|extensions?|proxies)\b[^.;]{0,30}?\b(?:is|are|was|were|has\s+been|"
    r"have\s+been)\s+(?:now\s+|also\s+)?deprecated\b|"
    r"\bdeprecated\s+(?:all\s+)?(?:the\s+)?(?:proxy\s+)?apis\b",
    re.I,
)


@dataclass(frozen=True)
class Availability:
    """What a set of sentences says about where an operation is served."""

    versions: MicroversionRange
    """The microversions that serve it."""
    removed: bool = False
    """True when a release removed it entirely (no microversion serves it)."""
    deprecated: bool = False
    """True when it is said to be deprecated."""
    ambiguous: tuple[str, ...] = ()
    """Sentences stating a range for some requests only ("Starting from microversion 2.31 it's available for
    all other console types"): not applied, reported (``ambiguous-availability``)."""


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
    ambiguous: list[str] = []
    for sentence in sentences:
        text = " ".join(sentence.split()).replace("``", "")
        removed = removed or _REMOVED.search(text) is not None
        deprecated = deprecated or _DEPRECATED.search(text) is not None
        if _NUMBER.search(text) is None:
            continue  # no version in it: none of the patterns below can match
        if _CONDITIONAL.search(text) is not None:
            ambiguous.append(sentence)
            continue
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
    return Availability(MicroversionRange(low, high), removed, deprecated or removed, tuple(ambiguous))
