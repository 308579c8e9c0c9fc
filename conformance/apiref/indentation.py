"""Restore the structure of an api-ref file that lost its indentation and blank lines.

Copying an api-ref out of a web page flattens it: every line starts at column
0 and the blank lines that separate RST blocks are gone, so the ``- name:
key`` lists stand un-indented right after ``.. rest_parameters::``, the
``:language:`` option after ``.. literalinclude::``, and a page header (file
path, commit message, "234 lines 6.6 KiB") sits above the emacs mode line.

:func:`restore` rebuilds what the RST grammar needs from the line shapes an
api-ref uses, and returns the new text with a map from each of its lines to
the original line, so every location still points into the file the user has.
A file that is not flattened comes back unchanged.

Each non-blank line at column 0 is classified, and blocks are separated by a
blank line:

- a section title (text over an adornment line at least as long; or the
  overline form) stands alone;
- an explicit markup line (``.. name::``) starts a directive: following
  ``:option:`` lines, ``min_version:``/``max_version:`` lines of
  ``rest_method``, the ``- name: key`` lines of ``rest_parameters`` and, for
  prose directives (``note``...), lines that continue an unfinished sentence
  are indented into it;
- a paragraph that ends with ``::`` is followed by its literal block, indented;
- a line that is all bold (``**Preconditions**``) stands alone;
- "Normal response codes:" and "Error response codes:" start paragraphs (the
  os-api-ref convention);
- ``-``/``*`` bullets start a list; an item's unfinished sentence continues it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MappedText", "Restored", "is_flattened", "restore"]

_ADORNMENT = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::(.*)$")
_MARKUP = re.compile(r"^\.\.(?:\s|$)")
_MODE_LINE = re.compile(r"^\.\.\s+-\*-\s*rst\s*-\*-\s*$")
_BOLD_LINE = re.compile(r"^\*\*[^*].*\*\*:?\s*$")
_CODES = re.compile(r"^(?:normal|error)\s+response\s+codes?\s*:", re.I)
_BULLET = re.compile(r"^[-*+]\s+\S")
_OPTION = re.compile(r"^:[\w-]+:(?:\s|$)")
_METHOD_OPTION = re.compile(r"^(?:min|max)_version\s*:")
_SENTENCE_END = re.compile(r"[.:!?]\)?[\"'`*]*\s*$")
_PROSE_DIRECTIVES = frozenset({"note", "warning", "important", "attention", "caution", "danger", "error", "hint",
                               "tip", "admonition", "versionadded", "versionchanged", "deprecated", "seealso"})
_INDENT = "   "


@dataclass(frozen=True)
class MappedText:
    """Text made from a file, and for each of its lines (0-based index) the file's 1-based line.

    What :func:`restore` returns, and what :func:`conformance.apiref.includes.expand` does too.
    """

    text: str
    lines: tuple[int, ...]
    """Empty when the text is the file's, line for line."""

    def original(self, line: int) -> int:
        """The original line of a 1-based line of :attr:`text`."""
        if not self.lines:
            return line
        return self.lines[min(max(line, 1), len(self.lines)) - 1]


Restored = MappedText
"""Restored text and its map to the original lines."""


def is_flattened(text: str) -> bool:
    """Whether a file shows the signs of a flattened copy: a directive followed at once by un-indented content."""
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        if _DIRECTIVE.match(line):
            following = lines[index + 1]
            if following.strip() and not following[0].isspace() and not _MARKUP.match(following):
                return True
    return False


def restore(text: str) -> Restored:
    """Rebuild a flattened api-ref file's blank lines and indentation; a well-formed file comes back unchanged.

    >>> restored = restore(".. rest_parameters:: parameters.yaml\\n- server_id: server_id_path\\n")
    >>> restored.text
    '.. rest_parameters:: parameters.yaml\\n\\n   - server_id: server_id_path\\n'
    >>> restored.original(3)
    2
    """
    if not is_flattened(text):
        return Restored(text, ())
    return _Restorer(text.splitlines()).run()


class _Restorer:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.out: list[tuple[str, int]] = []
        mode = next((i for i, line in enumerate(lines) if _MODE_LINE.match(line)), None)
        if mode is not None:  # a page header above the mode line is not part of the document
            self.lines = [""] * mode + lines[mode:]

    def emit(self, text: str, index: int) -> None:
        self.out.append((text, index + 1))

    def blank(self, index: int) -> None:
        if self.out and self.out[-1][0].strip():
            self.out.append(("", index + 1))

    def run(self) -> Restored:
        index = 0
        state = "none"
        directive = ""
        while index < len(self.lines):
            line = self.lines[index]
            if not line.strip():
                self.emit("", index)
                state = "none"
                index += 1
                continue
            if line[0].isspace():  # already indented: keep it where it is
                self.emit(line, index)
                index += 1
                continue
            title = self._title_length(index)
            if title:
                self.blank(index)
                for offset in range(title):
                    self.emit(self.lines[index + offset], index + offset)
                self.blank(index + title - 1)
                index += title
                state = "none"
                continue
            previous = self.out[-1][0] if self.out else ""
            if state == "directive":
                if self._continues_directive(directive, line, previous):
                    self.emit(_INDENT + line, index)
                    index += 1
                    continue
                if directive == "rest_parameters" and _BULLET.match(line):
                    self.blank(index)
                    state = "parameters"
                    continue
                state = "none"
            elif state == "parameters":
                if _BULLET.match(line):
                    self.emit(_INDENT + line, index)
                    index += 1
                    continue
                state = "none"
            elif state == "literal":
                if not self._starts_block(index):
                    self.emit(_INDENT + line, index)
                    index += 1
                    continue
                state = "none"
            elif state == "list" and not _BULLET.match(line) and not self._starts_block(index):
                if not _SENTENCE_END.search(previous):
                    self.emit("  " + line, index)
                    index += 1
                    continue
                state = "none"
            match = _DIRECTIVE.match(line)
            if match or _MARKUP.match(line):
                self.blank(index)
                self.emit(line, index)
                directive = match.group(1) if match else ""
                state = "directive" if match else "none"
                if not match:
                    self.blank(index)
            elif _BOLD_LINE.match(line):
                self.blank(index)
                self.emit(line, index)
                self.blank(index)
                state = "none"
            elif _BULLET.match(line):
                if state != "list":
                    self.blank(index)
                self.emit(line, index)
                state = "list"
            else:
                if _CODES.match(line) or state in ("list", "after-literal-marker"):
                    self.blank(index)
                if state == "after-literal-marker":
                    self.emit(_INDENT + line, index)
                    state = "literal"
                    index += 1
                    continue
                self.emit(line, index)
                state = "paragraph"
            if line.rstrip().endswith("::") and not match:
                state = "after-literal-marker"
            index += 1
        text = "\n".join(text for text, _ in self.out) + "\n"
        return Restored(text, tuple(line for _, line in self.out))

    def _title_length(self, index: int) -> int:
        """2 for text over an underline, 3 for the overline form, 0 when no title starts here."""
        lines = self.lines
        if _ADORNMENT.match(lines[index]) and index + 2 < len(lines):
            text, under = lines[index + 1], lines[index + 2]
            if text.strip() and not _ADORNMENT.match(text) and under.strip() == lines[index].strip():
                return 3
        if index + 1 < len(lines) and not _ADORNMENT.match(lines[index]) and not _MARKUP.match(lines[index]):
            under = lines[index + 1]
            if _ADORNMENT.match(under) and len(under.strip()) >= len(lines[index].strip()):
                return 2
        return 0

    def _starts_block(self, index: int) -> bool:
        line = self.lines[index]
        return bool(_MARKUP.match(line) or _BOLD_LINE.match(line) or _CODES.match(line) or self._title_length(index))

    @staticmethod
    def _continues_directive(directive: str, line: str, previous: str) -> bool:
        if _OPTION.match(line):
            return True
        if directive == "rest_method":
            return bool(_METHOD_OPTION.match(line))
        if directive in _PROSE_DIRECTIVES:
            return not _SENTENCE_END.search(previous) and not _BULLET.match(line) and not _MARKUP.match(line)
        return False
