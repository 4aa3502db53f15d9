"""Reading references.bib into entries that remember their lines.

pybtex's high-level parser stops at the first error by default (module-global state) and
loses positions, so we drive its `LowLevelParser` ourselves: every syntax error, duplicate
key (BibTeX keys are case-insensitive) and duplicate field becomes a located finding, and
each entry keeps the line where it starts. Imports only `findings`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pybtex.database.input.bibtex import LowLevelParser, UndefinedMacro, month_names
from pybtex.scanner import PybtexError, PybtexSyntaxError

from .findings import Finding, Location, error

PERSON_FIELDS = ("author", "editor")


@dataclass(frozen=True, slots=True)
class BibEntry:
    """One BibTeX entry as written: type, key, fields and where it stands."""

    key: str
    type: str
    """Entry type in lower case (article, misc, ...)."""
    fields: dict[str, str]
    """Field names in lower case; values with whitespace normalised and macros expanded."""
    location: Location
    text: str
    """The entry's source text, used to locate individual fields in findings."""

    def field_location(self, name: str, nth: int = 0) -> Location:
        """Where the `nth` occurrence of a field starts, or the entry's start if it is not found."""
        matches = list(re.finditer(rf"(?im)^[ \t]*({re.escape(name)})\s*=", self.text))
        if len(matches) <= nth:
            return self.location
        start = matches[nth].start(1)
        line = self.location.line + self.text.count("\n", 0, start)
        col = start - (self.text.rfind("\n", 0, start) + 1) + 1
        return Location(self.location.path, line, col)


def parse_bibtex(text: str, path: str) -> tuple[list[BibEntry], list[Finding]]:
    """Every entry of the file and every problem in it; never raises on bad input."""
    findings: list[Finding] = []
    lines = _LineIndex(text)

    def on_error(exc: PybtexError) -> None:
        if isinstance(exc, PybtexSyntaxError):
            start, _, pos = exc.error_context_info
            line, col = lines.at(pos)
            entry_line, _ = lines.at(start or 0)
            where = f" (in the entry starting at line {entry_line})" if entry_line != line else ""
            findings.append(error("E301", Location(path, line, col), f"BibTeX syntax error: {_describe(exc)}{where}"))
        else:
            findings.append(error("E301", Location(path), f"BibTeX error: {exc}"))

    parser = LowLevelParser(text, macros=dict(month_names), handle_error=on_error, filename=path)
    entries: list[BibEntry] = []
    seen: dict[str, BibEntry] = {}
    try:
        for command, body in parser:
            start = parser.command_start or 0
            kind = command.lower()
            if kind in ("string", "preamble"):
                continue
            key, raw_fields = body
            line, col = lines.at(start)
            where = Location(path, line, col)
            entry_text = text[start : parser.pos]
            if not key:
                findings.append(error("E301", where, f"@{command} entry has no key"))
                continue
            fields = _collect_fields(key, raw_fields, where, entry_text, findings)
            entry = BibEntry(key, kind, fields, where, entry_text)
            first = seen.get(key.lower())
            if first is not None:
                same = "" if first.key == key else f" (as '{first.key}': BibTeX keys ignore case)"
                msg = f"duplicate reference key '{key}'{same}: first at line {first.location.line}, again at line {line}; keep only one"
                findings.append(error("E302", where, msg))
                continue
            seen[key.lower()] = entry
            entries.append(entry)
    except (PybtexError, RecursionError) as exc:  # the scanner gave up: report where it stopped
        line, col = lines.at(parser.pos)
        findings.append(error("E301", Location(path, line, col), f"BibTeX cannot be read past this point: {exc}"))
    return entries, findings


def _collect_fields(
    key: str, raw: list[tuple[str, list[str]]], where: Location, entry_text: str, findings: list[Finding]
) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, parts in raw:
        lname = name.lower()
        value = " ".join("".join(parts).split())
        if lname in fields:
            probe = BibEntry(key, "", {}, where, entry_text)
            findings.append(error("E309", probe.field_location(lname, 1), f"entry '{key}' has the field '{lname}' twice; keep only one"))
            continue
        fields[lname] = value
    return fields


def _describe(exc: PybtexSyntaxError) -> str:
    if isinstance(exc, UndefinedMacro):
        return f"undefined macro '{exc.args[0]}'; put literal text in braces, or define it with @string"
    return str(exc.args[0]) if exc.args else exc.error_type


class _LineIndex:
    """Offsets to (line, column) in O(log n), for files with thousands of entries."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", text))

    def at(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1
