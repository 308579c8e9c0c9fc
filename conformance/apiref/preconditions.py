"""Structured rules recovered from the prose of an api-ref's Preconditions sections.

A Preconditions paragraph such as "The server status must be ``ACTIVE`` or
``ERROR``." becomes a :class:`~conformance.model.Precondition` (subject
``server``, attribute ``status``, allowed ``("ACTIVE", "ERROR")``). Anything the
grammar below does not account for word for word stays an unrecognised
:class:`~conformance.model.Sentence`: a rule is only emitted when the whole
sentence has been read, so a qualifier we do not understand ("without
parameters", "(``PAUSED`` is only supported for image-backed servers)") can never
be silently dropped into a wrong rule.

Grammar (case-insensitive; whitespace and newlines collapse to one space,
``*emphasis*`` markers are removed, a final period is ignored)::

    sentence   := [head] clause (SEP clause)*
    head       := "You can only" VERB words* DET [ADJ] SUBJECT ("when" | "where" | "if")
                |  GERUND DET SUBJECT "requires"
    clause     := version ","? state | state [","? version]   (a suffix ends the sentence or precedes "and")
    state      := ("the" | "its") [SUBJECT] ATTR ["value"] ["of the" SUBJECT] MODAL ["one of" [":"]] values
    values     := LITERAL ((", " | " and " | " or " | ", and " | ", or ") LITERAL)*
    SEP        := ", and " | ", " | " and "        (conjunction: every clause must hold)
    MODAL      := "must be" | "must not be" | "can also be"   (no head)
                | "is" | "is not"                            ("You can only ... when")
                | "to be" | "not to be"                      ("... requires")

* LITERAL is an inline literal (````ACTIVE````); values are kept verbatim.
* VERB is a lower-case word right after "only": "You can only *HARD* reboot" is
  a rule conditional on the request (the reboot type), which a Precondition
  cannot express, so it stays unrecognised; so does any gerund head with a
  qualifier ("Unshelving a server without parameters requires ...").
* SUBJECT is one of :data:`SUBJECTS`. A state without one refers to the head's
  subject ("its status") or the previous clause's. ATTR is an identifier; for a
  server (or instance), bare ``vm_state`` / ``task_state`` / ``power_state`` (and the
  api-ref's typo ``vm_status``) mean the ``OS-EXT-STS:`` attributes of the
  server representation, and ``<subject>_status`` (``migration_status``) means
  that subject's ``status``.
* "must not be" / "is not" give ``negated=True``.
* "can also be" adds its values to the latest earlier rule of the section on the
  same subject and attribute; that rule's range is cut to end just before the
  new one (so "up to 2.64: running; 2.65 and greater: also queued" is two
  disjoint rules). With no earlier rule the sentence is unrecognised.
* A version phrase (see :func:`parse_version_phrase`) applies to its clause and
  to the clauses after it in the same sentence, until the next phrase.
* A sentence ending in ":" followed by paragraphs that are each a single
  literal (an RST bullet list of values) is read as one sentence, with the
  items appended: "its status is one of: ``ACTIVE``, ``ERROR``".

Not rules, by design: "The server must exist." (no value), "If the server is
locked, you must have administrator privileges..." (policy, not state), quota
and connectivity statements.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from conformance.model import Microversion, MicroversionRange, Precondition, Sentence, Source

__all__ = ["SUBJECTS", "parse_version_phrase", "recognise", "split_sentences"]

SUBJECTS: tuple[str, ...] = (
    "server", "instance", "migration", "volume", "attachment", "image", "snapshot", "host",
    "hypervisor", "service", "project", "user", "flavor", "aggregate", "keypair", "network", "port", "cell",
)  # fmt: skip
"""The nouns accepted as a rule's subject."""

_SERVER_ATTRIBUTES = {
    "vm_state": "OS-EXT-STS:vm_state",
    "vm_status": "OS-EXT-STS:vm_state",  # nova 17's confirmResize says vm_status; servers have no such field
    "task_state": "OS-EXT-STS:task_state",
    "power_state": "OS-EXT-STS:power_state",
}

# --- sentence splitting -------------------------------------------------------

_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "no.")
# A sentence ends at . ! or ? (closing brackets or quotes may follow), then
# whitespace, then something that can open a sentence. "2.65" never matches (no
# space after the dot) and "e.g. the" does not either (lower-case next).
_SENTENCE_END = re.compile(r"[.!?][)\"']*(?=\s+[A-Z0-9`*(\"'])")
_LITERAL_SPAN = re.compile(r"``.+?``", re.DOTALL)


def split_sentences(paragraph: Sentence) -> list[Sentence]:
    """Split a paragraph into its sentences, each with the line it starts on.

    The split does not happen inside ````literals````, after abbreviations
    ("e.g.", "i.e.") or inside numbers ("2.65"). Text is kept verbatim,
    stripped of surrounding whitespace; blank paragraphs give no sentence.

    Example: ``Sentence("A must be ``x``.\\nB must be ``y``.", Source("f.inc", 3))``
    gives two sentences, on lines 3 and 4. Never raises.
    """
    text = paragraph.text
    literals = [m.span() for m in _LITERAL_SPAN.finditer(text)]
    cuts = [0]
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if any(start < end <= stop for start, stop in literals):
            continue
        if text[:end].lower().endswith(_ABBREVIATIONS):
            continue
        cuts.append(end)
    cuts.append(len(text))
    sentences = []
    for start, stop in pairwise(cuts):
        chunk = text[start:stop]
        stripped = chunk.strip()
        if not stripped:
            continue
        offset = start + (len(chunk) - len(chunk.lstrip()))
        line = paragraph.source.line + text.count("\n", 0, offset)
        sentences.append(Sentence(stripped, Source(paragraph.source.path, line)))
    return sentences


# --- microversion phrases -----------------------------------------------------

_V = r"\d+\.\d+"
_WORD = r"(?:(?:compute )?api )?(?:micro)?versions?"
_FOR = r"(?:(?:for|in|with) )?(?:the )?"


def _from(versions: list[Microversion]) -> MicroversionRange:
    return MicroversionRange(min=versions[0])


def _until(versions: list[Microversion]) -> MicroversionRange:
    return MicroversionRange(max=versions[0])


def _before(versions: list[Microversion]) -> MicroversionRange:
    return MicroversionRange(max=versions[0].previous())


def _between(versions: list[Microversion]) -> MicroversionRange:
    return MicroversionRange(min=versions[0], max=versions[1])


def _exactly(versions: list[Microversion]) -> MicroversionRange:
    return MicroversionRange(min=versions[0], max=versions[0])


# fmt: off
_VERSION_PHRASES: tuple[tuple[str, str, Callable[[list[Microversion]], MicroversionRange]], ...] = (
    # "For microversions from 2.24 to 2.64", "between microversions 2.1 and 2.5"
    ("between", rf"{_FOR}{_WORD} (?:from )?{_V} (?:to|through|-) {_V}", _between),
    ("between", rf"(?:from|between) {_WORD} {_V} (?:to|through|and) {_V}", _between),
    # "for microversion 2.65 and greater", "microversions 2.65 or later"
    ("from", rf"{_FOR}{_WORD} {_V} (?:and|or) (?:greater|later|above|higher|newer)", _from),
    # "Starting from API version 2.68", "As of microversion 2.91", "since 2.3"
    ("from", rf"(?:starting (?:from|with|in|at)|beginning (?:with|from|in)|as of|since|from) (?:the )?"
             rf"(?:{_WORD} )?{_V}(?: onwards?)?", _from),
    # "up to microversion 2.64", "for microversions up to and including 2.64"
    ("until", rf"{_FOR}(?:{_WORD} )?(?:up to|until|through)(?: and including)? (?:{_WORD} )?{_V}", _until),
    ("until", rf"{_FOR}{_WORD} {_V} (?:and|or) (?:lower|earlier|below|older)", _until),
    # "before microversion 2.65", "for microversions prior to 2.65"
    ("before", rf"{_FOR}(?:{_WORD} )?(?:before|prior to|below|older than|lower than|earlier than) "
               rf"(?:{_WORD} )?{_V}", _before),
    # "in microversion 2.60" (that version only)
    ("exactly", rf"(?:for|in|with|at) (?:the )?{_WORD} {_V}", _exactly),
)
# fmt: on
_VERSION_PATTERNS = tuple((name, re.compile(p, re.I), build) for name, p, build in _VERSION_PHRASES)
_ANY_VERSION = "(?:" + "|".join(p for _, p, _ in _VERSION_PHRASES) + ")"


def parse_version_phrase(text: str) -> MicroversionRange | None:
    """The microversions a phrase names, or None if it is not a version phrase.

    Example: ``parse_version_phrase("before microversion 2.65")`` is
    ``MicroversionRange(max=Microversion(2, 64))``. A range with an end before
    its start ("from 2.5 to 2.3") or "before 2.0" gives None. Never raises.
    """
    phrase = " ".join(text.replace("``", "").split())
    for _, pattern, build in _VERSION_PATTERNS:
        if pattern.fullmatch(phrase):
            versions = [Microversion.parse(v) for v in re.findall(_V, phrase)]
            if any(v.minor == 0 for v in versions) and build is _before:
                return None
            span = build(versions)
            return None if span.empty else span
    return None


# --- the clause grammar -------------------------------------------------------

_LIT = r"``[^`]+``"
_SUBJECT = r"(?:" + "|".join(SUBJECTS) + r")s?"
_ATTR = rf"(?!{_SUBJECT}\b)(?:[A-Za-z-]+:)?[A-Za-z]+(?:_[A-Za-z]+)*"
_VALUES = rf"{_LIT}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){_LIT})*"

_ONLY_WHEN = re.compile(
    rf"you can only (?-i:[a-z][a-z-]*)(?: [\w-]+)*? (?:the|an?)(?: (?-i:[a-z][a-z-]*))?? (?P<subject>{_SUBJECT}) "
    r"(?:when|where|if) ",
    re.I,
)
_REQUIRES = re.compile(rf"(?-i:[A-Z][a-z]+ing) (?:the|an?) (?P<subject>{_SUBJECT}) requires ", re.I)
_VERSION_PREFIX = re.compile(rf"(?P<version>{_ANY_VERSION}),? ", re.I)
_STATE = re.compile(
    rf"(?P<det>the|its) (?:(?P<subject>{_SUBJECT}) )?(?P<attr>{_ATTR})(?: value)?(?: of the (?P<of>{_SUBJECT}))? "
    r"(?P<modal>must not be|must be|can also be|is not|is|not to be|to be)(?: one of:?)? "
    rf"(?P<values>{_VALUES})",
    re.I,
)
# A phrase followed by "," opens the next clause ("..., for microversion 2.65 and
# greater, the ..."), so a suffix must end the sentence or precede " and ".
_VERSION_SUFFIX = re.compile(rf",? (?P<version>{_ANY_VERSION})(?=$| and )", re.I)
_SEPARATOR = re.compile(r",? and |, ", re.I)
_MODALS = {
    "main": {"must be", "must not be", "can also be"},
    "when": {"is", "is not"},
    "requires": {"to be", "not to be"},
}
_LIST_ITEM = re.compile(rf"\s*(?P<literal>{_LIT})\s*[,;.]?(?:\s*(?:and|or))?\s*")


@dataclass(frozen=True)
class _Clause:
    """One state clause read from a sentence, before it becomes a rule."""

    subject: str
    attribute: str
    values: tuple[str, ...]
    versions: MicroversionRange
    negated: bool
    additive: bool


def _normalise(text: str) -> str:
    """Collapse whitespace, drop *emphasis* markers and a final period."""
    text = re.sub(r"(?<![\w*])\*{1,2}([^*\s][^*]*?)\*{1,2}(?![\w*])", r"\1", text)
    # A version written as a literal ("As of ``microversion 2.91``") is prose, not a value.
    text = re.sub(rf"``((?:{_WORD} )?{_V})``", r"\1", text, flags=re.I)
    return " ".join(text.split()).rstrip(" .")


def _resolve(subject: str | None, attribute: str) -> tuple[str, str] | None:
    """Normalise (subject, attribute); None when the subject cannot be known."""
    prefix, _, rest = attribute.partition("_")
    if rest in ("status", "state") and prefix.lower() in SUBJECTS:
        return prefix.lower(), rest
    if subject is None:
        return None
    subject = subject.lower()
    if subject not in SUBJECTS:  # a plural: "the servers"
        subject = subject[:-1]
    if subject in ("server", "instance"):
        attribute = _SERVER_ATTRIBUTES.get(attribute.lower(), attribute)
    return subject, attribute


def _read_clauses(text: str) -> list[_Clause] | None:
    """Read a normalised sentence as a list of clauses; None unless all of it is grammar."""
    mode, subject, pos = "main", None, 0
    for name, head in (("when", _ONLY_WHEN), ("requires", _REQUIRES)):
        match = head.match(text)
        if match:
            mode, subject, pos = name, match.group("subject"), match.end()
            break
    versions, clauses = MicroversionRange(), []
    while True:
        prefix = _VERSION_PREFIX.match(text, pos)
        if prefix:
            parsed = parse_version_phrase(prefix.group("version"))
            if parsed is None:
                return None
            versions, pos = parsed, prefix.end()
        state = _STATE.match(text, pos)
        if state is None:
            return None
        modal = state.group("modal").lower()
        if modal not in _MODALS[mode] or (state.group("subject") and state.group("of")):
            return None
        resolved = _resolve(state.group("subject") or state.group("of") or subject, state.group("attr"))
        if resolved is None:
            return None
        subject, pos = resolved[0], state.end()
        clause_versions = versions
        suffix = None if prefix else _VERSION_SUFFIX.match(text, pos)
        if suffix:
            parsed = parse_version_phrase(suffix.group("version"))
            if parsed is None:
                return None
            clause_versions, pos = parsed, suffix.end()
        values = tuple(v[2:-2] for v in re.findall(_LIT, state.group("values")))
        clauses.append(_Clause(*resolved, values, clause_versions, " not " in f" {modal} ", modal == "can also be"))
        if pos == len(text):
            return clauses
        separator = _SEPARATOR.match(text, pos)
        if separator is None:
            return None
        pos = separator.end()


def _rules(clauses: list[_Clause], sentence: Sentence, earlier: list[Precondition]) -> list[Precondition] | None:
    """Turn clauses into rules, extending (and cutting) earlier ones for "can also be"."""
    rules = list(earlier)
    for clause in clauses:
        rule = Precondition(
            clause.subject, clause.attribute, clause.values, clause.versions, sentence, negated=clause.negated
        )
        if clause.additive:
            bases = [i for i, r in enumerate(rules) if (r.subject, r.attribute) == (rule.subject, rule.attribute)]
            if not bases or rules[bases[-1]].negated:
                return None
            base = rules[bases[-1]]
            allowed = tuple(dict.fromkeys(base.allowed + clause.values))
            rule = replace(rule, allowed=allowed)
            start = clause.versions.min
            if (
                start is not None
                and start in base.versions
                and (base.versions.min is None or base.versions.min < start)
            ):
                rules[bases[-1]] = replace(base, versions=MicroversionRange(base.versions.min, start.previous()))
        rules.append(rule)
    return rules


def _merge_lists(sentences: list[tuple[Sentence, bool]]) -> list[Sentence]:
    """Fold the literal-only items after a sentence ending in ":" into that sentence.

    Each element is (sentence, starts_paragraph); only a whole paragraph can be an item.
    """
    merged: list[Sentence] = []
    i = 0
    while i < len(sentences):
        sentence, _ = sentences[i]
        i += 1
        if sentence.text.rstrip().endswith(":"):
            items = []
            while i < len(sentences) and sentences[i][1]:
                item = _LIST_ITEM.fullmatch(sentences[i][0].text)
                if item is None:
                    break
                items.append(item.group("literal"))
                i += 1
            if items:
                sentence = replace(sentence, text=f"{sentence.text.rstrip()} {', '.join(items)}")
        merged.append(sentence)
    return merged


def recognise(paragraphs: Sequence[Sentence]) -> tuple[list[Precondition], list[Sentence]]:
    """Read one operation's Preconditions paragraphs (and list items) into rules.

    Returns the rules in document order and the sentences that produced none.
    Each paragraph is split with :func:`split_sentences`; a sentence ending in
    ":" absorbs the single-literal paragraphs after it (a bullet list of values)
    and is returned as one sentence with the items appended.

    Example: ``recognise([Sentence("The migration status must be ``running``.", src)])``
    gives ``([Precondition("migration", "status", ("running",), MicroversionRange(), ...)], [])``.
    Never raises: text outside the grammar (module docstring) is unrecognised.
    """
    flat = [(s, n == 0) for paragraph in paragraphs for n, s in enumerate(split_sentences(paragraph))]
    rules: list[Precondition] = []
    unrecognised: list[Sentence] = []
    for sentence in _merge_lists(flat):
        clauses = _read_clauses(_normalise(sentence.text))
        updated = _rules(clauses, sentence, rules) if clauses else None
        if updated is None:
            unrecognised.append(sentence)
        else:
            rules = updated
    return rules, unrecognised
