"""``.. include::`` of shared fragments, expanded before parsing, with every line still pointing home.

neutron's api-ref writes the same paragraph about filtering and fields once
(``filtering-list.inc``) and includes it in 30 sections; Sphinx reads the
fragment in place, relative to the including file. :func:`expand` does the
same to the text before docutils sees it (docutils' own ``include`` is
disabled: it would read any file, and number the lines after it wrongly), and
maps each line of the result to a line of the including file: the fragment's
lines map to its ``.. include::`` line, which is where its text enters the
section, so every Source keeps naming the file a reader opens.

    >>> from pathlib import Path
    >>> expanded = expand("Intro.\\n\\n.. include:: none.inc\\n", Path("/nowhere/a.inc"), "a.inc", None)
    >>> expanded.text == "Intro.\\n\\n.. include:: none.inc\\n" and expanded.lines == ()
    True
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from conformance.apiref.indentation import MappedText
from conformance.errors import RSTError

__all__ = ["Expanded", "expand"]

_INCLUDE = re.compile(r"^(\s*)\.\.\s+include::\s*(\S+)\s*$")
_MAX_DEPTH = 8


Expanded = MappedText
"""Text with its includes expanded, each line mapped to the including file's line."""


def expand(text: str, path: Path, relative: str, repository: Path | None) -> Expanded:
    """Replace each ``.. include:: FILE`` line of ``text`` (the file at ``path``) by FILE's lines, indented alike.

    FILE is taken relative to the including file's folder. ``repository`` bounds
    what may be included (None: nothing is expanded, the directive stays and
    docutils ignores it). Raises :class:`RSTError` at the include line for a
    file that is missing, outside the repository, unreadable, or includes itself.
    """
    if repository is None or ".. include::" not in text:
        return Expanded(text, ())
    out: list[tuple[str, int]] = []
    _expand(text.splitlines(), path, relative, repository, [path], out, None)
    if all(line == index for index, (_, line) in enumerate(out, 1)):
        return Expanded(text, ())
    return Expanded("\n".join(line for line, _ in out) + "\n", tuple(line for _, line in out))


def _expand(lines: list[str], path: Path, relative: str, repository: Path, chain: list[Path],
            out: list[tuple[str, int]], at: int | None, indent: str = "") -> None:
    for number, line in enumerate(lines, 1):
        where = at if at is not None else number
        match = _INCLUDE.match(line)
        if match is None:
            out.append((indent + line if line.strip() else "", where))
            continue
        name = match.group(2)
        fragment = Path(os.path.normpath(path.parent / name))
        if not fragment.is_relative_to(repository):
            raise RSTError(f"include {name!r} points outside the api-ref's repository", relative, where)
        if fragment in chain or len(chain) > _MAX_DEPTH:
            raise RSTError(f"include {name!r} includes itself (through {' -> '.join(p.name for p in chain)})",
                           relative, where)
        try:
            included = fragment.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise RSTError(f"cannot include {name!r}: {reason}", relative, where) from None
        _expand(included.splitlines() + [""], fragment, relative, repository, [*chain, fragment], out, where,
                indent + match.group(1))
