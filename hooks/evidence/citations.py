"""Finding `[@key]` citation markers in prose Markdown, outside code.

Pandoc-style groups are understood: `[@a]`, `[@a; @b]`, `[@a, Table 2]`. Fenced code blocks and
inline code spans are skipped, so examples of the syntax are never rewritten. Pure functions,
shared by `evidence check` and the MkDocs glue so both see the same markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_GROUP = re.compile(r"\[(@[^\[\]\n]*)\]")
_ITEM = re.compile(r"^\s*@([A-Za-z0-9][A-Za-z0-9_:.+-]*)\s*(?:,\s*(.*?))?\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)


@dataclass(frozen=True, slots=True)
class Marker:
    """One bracketed citation group in a Markdown text."""

    start: int
    end: int
    """Character offsets of the whole `[...]` group in the text."""
    line: int
    col: int
    items: tuple[tuple[str, str | None], ...]
    """(key, locator) pairs, in the order written; empty when the group is malformed."""
    raw: str


def find_markers(text: str) -> Iterator[Marker]:
    """Every citation group outside fenced code and code spans, in order."""
    for lineno, offset, line, masked in prose_lines(text):
        yield from _markers_in_line(line, masked, lineno, offset)


def prose_lines(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line number, offset, line, line with code spans blanked) for each line outside fenced code."""
    offset = 0
    fence: str | None = None
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
        elif match:
            fence = match.group(1)
        else:
            yield lineno, offset, line, _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        offset += len(line)


def _markers_in_line(line: str, masked: str, lineno: int, offset: int) -> Iterator[Marker]:
    for match in _GROUP.finditer(masked):
        body = line[match.start(1) : match.end(1)]
        items: list[tuple[str, str | None]] = []
        for part in body.split(";"):
            item = _ITEM.match(part)
            if item is None:
                items = []
                break
            items.append((item.group(1), item.group(2) or None))
        yield Marker(
            offset + match.start(),
            offset + match.end(),
            lineno,
            match.start() + 1,
            tuple(items),
            match.group(0),
        )
