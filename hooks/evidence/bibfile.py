"""Reading references.bib into entries that remember their lines, and losing nothing silently.

pybtex's high-level parser stops at the first error by default (module-global state) and
loses positions, so we drive its `LowLevelParser` ourselves (after `bibscan`, which reads a
plainly written file the same way, many times faster, and leaves anything else to pybtex): every syntax error, duplicate
key (BibTeX keys are case-insensitive) and duplicate field becomes a located finding, and
each entry keeps the line where it starts. The parser skips whatever lies between entries,
so that text is searched for entries and fields that were not read: an entry without its
`@`, fields left behind by an early closing brace, entries inside `@comment` or after `%`
(BibTeX reads those, other tools skip them), and fields or entries swallowed by a missing
closing brace. Imports only `findings`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import bibscan
from .findings import Finding, Location, error

if TYPE_CHECKING:
    from pybtex.scanner import PybtexError, PybtexSyntaxError

PERSON_FIELDS = ("author", "editor")
FIELD_NAMES = (
    "address", "abstract", "annote", "author", "booktitle", "chapter", "crossref", "date", "doi", "edition", "editor", "eprint",
    "howpublished", "institution", "isbn", "issn", "issue", "journal", "journaltitle", "keywords", "language", "location", "month",
    "note", "number", "organization", "pages", "pmcid", "pmid", "publisher", "school", "series", "title", "type", "unverified",
    "url", "urldate", "volume", "xdata", "year",
)  # fmt: skip
"""Field names searched for in text the parser skipped or a value swallowed."""
PERCENT_HINT = "; '%' does not comment out a line inside an entry: delete the line instead"
_NAMES = "|".join(FIELD_NAMES)
_ENTRY_START = re.compile(r"(?m)^[ \t]*(@[ \t]*[A-Za-z]+)")
_OPENING = re.compile(r"[ \t]*[{(]")
_NO_AT = re.compile(r"(?m)^[ \t%]*([A-Za-z]+)[ \t]*[{][ \t]*([^\s,{}()=\"#%@]+)[ \t]*,")
_NO_AT_ANYWHERE = re.compile(r"(?<![\w@])([A-Za-z]+)[ \t]*[{][ \t]*([^\s,{}()=\"#%@]+)[ \t]*,")
_LOOSE_FIELD = re.compile(rf"(?im)^[ \t%]*({_NAMES})[ \t]*=[ \t]*[{{\"0-9A-Za-z]")
_SWALLOWED_FIELD = re.compile(rf"(?i)(?:^|,)\s*({_NAMES})\s*=")
_COMMENT = re.compile(r"(?i)@[ \t]*comment[ \t]*[{(]")


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
        start = self._field_offset(name, nth)
        return self.location if start is None else self._at(start)

    def locate(self, name: str, needle: str) -> Location:
        """Where `needle` first appears in the field `name`, else where the field starts."""
        start = self._field_offset(name, 0)
        if start is None:
            return self.location
        found = self.text.find(needle, start)
        return self._at(start if found < 0 else found)

    def _field_offset(self, name: str, nth: int) -> int | None:
        matches = list(re.finditer(rf"(?im)^[ \t]*({re.escape(name)})\s*=", self.text))
        return matches[nth].start(1) if len(matches) > nth else None

    def _at(self, offset: int) -> Location:
        line = self.location.line + self.text.count("\n", 0, offset)
        start_col = self.location.col if line == self.location.line else 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + start_col
        return Location(self.location.path, line, col)


def parse_bibtex(text: str, path: str) -> tuple[list[BibEntry], list[Finding]]:
    """Every entry of the file and every problem in it; never raises on bad input."""
    findings: list[Finding] = []
    lines = _LineIndex(text)
    broken: list[int] = []
    """Offsets of syntax errors and the starts of the commands they occurred in."""
    fast = bibscan.scan(text)
    if fast is not None:
        commands = [_Command(name, body, start, end) for name, body, start, end in fast]
    else:
        commands = _pybtex_commands(text, path, lines, broken, findings)
    scan = _Scan(text, path, lines, commands, broken, findings)
    hidden = scan.hidden_entries()
    scan.unread_text()
    scan.commented_entries()
    entries: list[BibEntry] = []
    seen: dict[str, BibEntry] = {}
    for cmd in commands:
        kind = cmd.name.lower()
        if kind in ("string", "preamble") or cmd.start in hidden:
            continue
        key, raw_fields = cmd.body
        line, col = lines.at(cmd.start)
        where = Location(path, line, col)
        entry_text = text[cmd.start : cmd.end]
        if not key:
            findings.append(error("E301", where, f"@{cmd.name} entry has no key"))
            continue
        scan.swallowed_entries(cmd, key)
        fields = _collect_fields(key, raw_fields, where, entry_text, findings)
        entry = BibEntry(key, kind, fields, where, entry_text)
        scan.swallowed_fields(entry)
        first = seen.get(key.lower())
        if first is not None:
            same = "" if first.key == key else f" (as '{first.key}': BibTeX keys ignore case)"
            msg = f"duplicate reference key '{key}'{same}: first at line {first.location.line}, again at line {line}; keep only one"
            findings.append(error("E302", where, msg))
            continue
        seen[key.lower()] = entry
        entries.append(entry)
    return entries, findings


def _pybtex_commands(text: str, path: str, lines: _LineIndex, broken: list[int], findings: list[Finding]) -> list[_Command]:
    """Every command as pybtex's low-level parser reads it, each syntax error as a finding."""
    from pybtex.database.input.bibtex import LowLevelParser, month_names
    from pybtex.scanner import PybtexError, PybtexSyntaxError

    def on_error(exc: PybtexError) -> None:
        if isinstance(exc, PybtexSyntaxError):
            start, _, pos = exc.error_context_info
            broken.extend((start or 0, pos))
            line, col = lines.at(pos)
            entry_line, _ = lines.at(start or 0)
            where = f" (in the entry starting at line {entry_line})" if entry_line != line else ""
            hint = PERCENT_HINT if text.startswith("%", pos) else ""
            findings.append(error("E301", Location(path, line, col), f"BibTeX syntax error: {_describe(exc)}{where}{hint}"))
        else:
            findings.append(error("E301", Location(path), f"BibTeX error: {exc}"))

    parser = LowLevelParser(text, macros=dict(month_names), handle_error=on_error, filename=path)
    commands: list[_Command] = []
    try:
        for command, body in parser:
            start = parser.command_start or 0
            commands.append(_Command(command, body, start, max(parser.pos, start + 1)))
    except (PybtexError, RecursionError) as exc:  # the scanner gave up: report where it stopped
        broken.append(parser.pos)
        line, col = lines.at(parser.pos)
        findings.append(error("E301", Location(path, line, col), f"BibTeX cannot be read past this point: {exc}"))
    return commands


@dataclass(frozen=True, slots=True)
class _Command:
    """One @command as the low-level parser returned it, with the span of text it consumed."""

    name: str
    body: Any
    start: int
    end: int


class _Scan:
    """Finds text the parser skipped or swallowed that looks like entries or fields."""

    def __init__(
        self, text: str, path: str, lines: _LineIndex, commands: list[_Command], broken: list[int], findings: list[Finding]
    ) -> None:
        self.text, self.path, self.lines, self.findings = text, path, lines, findings
        self.commands = commands
        self.broken = sorted(broken)
        self.gaps: list[tuple[int, int, _Command | None]] = []
        pos, before = 0, None
        for cmd in commands:
            self.gaps.append((pos, cmd.start, before))
            pos, before = cmd.end, cmd
        self.gaps.append((pos, len(text), before))
        self.comments: list[tuple[int, int]] = []
        self.bodies: list[int] = []
        self.unclosed: set[int] = set()
        for a, b, _ in self.gaps:
            for m in _COMMENT.finditer(text, a, b):
                if not self.comments or m.start() >= self.comments[-1][1]:
                    end = _closing(text, m.end() - 1)
                    self.comments.append((m.start(), end if end >= 0 else len(text)))
                    self.bodies.append(m.end())
                    if end < 0:
                        self.unclosed.add(m.start())

    def hidden_entries(self) -> set[int]:
        """Entries inside @comment or after '%' on their line: reported, and left out."""
        hidden: set[int] = set()
        prev_end = 0
        for cmd in self.commands:
            what = f"entry '{cmd.body[0] or ''}'" if cmd.name.lower() not in ("string", "preamble") else f"@{cmd.name}"
            comment = self._comment_around(cmd.start)
            line_start = self.text.rfind("\n", 0, cmd.start) + 1
            if comment is not None:
                never = " and is never closed" if comment in self.unclosed else ""
                msg = (
                    f"{what} lies inside the @comment that starts at line {self.lines.at(comment)[0]}{never}: BibTeX reads it "
                    "but other tools skip it, so it is left out; move it out of the @comment to use it, or delete it"
                )
                self._report("E314", cmd.start, msg)
                hidden.add(cmd.start)
            elif "%" in self.text[max(line_start, prev_end) : cmd.start]:
                msg = (
                    f"{what} follows '%' on its line: '%' does not comment out a BibTeX entry (BibTeX reads it, "
                    "other tools skip it), so it is left out; delete it, or remove the '%' to use it"
                )
                self._report("E314", cmd.start, msg)
                hidden.add(cmd.start)
            prev_end = cmd.end
        return hidden

    def unread_text(self) -> None:
        """Text between entries that looks like an entry without its '@', or like a field."""
        for a, b, before in self.gaps:
            if b - a < 3 or self._tainted(before.start if before else a, b):
                continue
            first_entry = b
            for m in _NO_AT.finditer(self.text, a, b):
                if self._comment_around(m.start()) is None:
                    first_entry = min(first_entry, m.start())
                    head = m.group().strip(" \t%")
                    self._report("E313", m.start(1), f"'{head}' looks like an entry but has no '@', so it is not read; write '@{head}'")
            for m in _LOOSE_FIELD.finditer(self.text, a, first_entry):
                if self._comment_around(m.start()) is not None:
                    continue
                after = f" the entry '{before.body[0]}' probably closes too early;" if before and before.name.lower() != "string" else ""
                msg = f"'{m.group(1)} = …' looks like a field but lies outside every entry, so it is not read;{after} check the braces"
                self._report("E313", m.start(1), msg)

    def commented_entries(self) -> None:
        """Text inside @comment that looks like an entry without its '@'."""
        for (start, end), body in zip(self.comments, self.bodies, strict=True):
            for m in _NO_AT_ANYWHERE.finditer(self.text, body, end):
                msg = (
                    f"'{m.group()}' looks like an entry but is inside the @comment that starts at line "
                    f"{self.lines.at(start)[0]}, so it is not read; delete it, or move it out of the @comment and write '@{m.group()}'"
                )
                self._report("E314", m.start(), msg)

    def swallowed_entries(self, cmd: _Command, key: str) -> None:
        """A line starting with '@type{' inside an entry: the entry before it was never closed."""
        if self.text.find("@", cmd.start + 1, cmd.end) < 0:
            return
        line = self.lines.at(cmd.start)[0]
        for m in _ENTRY_START.finditer(self.text, cmd.start + 1, cmd.end):
            if _OPENING.match(self.text, m.end()):
                msg = (
                    f"'{m.group(1)}' looks like an entry but lies inside the entry '{key}' (line {line}), "
                    f"so it is not read; close '{key}' before it"
                )
                self._report("E313", m.start(1), msg)

    def swallowed_fields(self, entry: BibEntry) -> None:
        """A value that runs on into 'name = ...': a closing brace came too late."""
        for name, value in entry.fields.items():
            m = _SWALLOWED_FIELD.search(value) if "=" in value else None
            if m:
                msg = (
                    f"the {name} of '{entry.key}' runs on into '{m.group(1)} = …', which looks like another field: "
                    f"a closing brace is probably missing, so that field is not read; check the braces of {name}"
                )
                self.findings.append(error("E315", entry.field_location(name), msg))

    def _comment_around(self, offset: int) -> int | None:
        i = bisect.bisect_right(self.comments, (offset, len(self.text) + 1)) - 1
        if i >= 0 and self.comments[i][0] < offset < self.comments[i][1]:
            return self.comments[i][0]
        return None

    def _tainted(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.broken, a)
        return i < len(self.broken) and self.broken[i] < b

    def _report(self, code: str, offset: int, message: str) -> None:
        line, col = self.lines.at(offset)
        self.findings.append(error(code, Location(self.path, line, col), message))


def _closing(text: str, i: int) -> int:
    """The offset after the bracket that closes the one at text[i], or -1 if it is never closed."""
    opening = text[i]
    closing = "}" if opening == "{" else ")"
    depth = 0
    for m in re.compile(re.escape(opening) + "|" + re.escape(closing)).finditer(text, i):
        depth += 1 if m.group() == opening else -1
        if depth == 0:
            return m.end()
    return -1


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
    from pybtex.database.input.bibtex import UndefinedMacro

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
