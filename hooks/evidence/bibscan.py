"""A fast reader for BibTeX files written the plain way, exact or silent.

pybtex's low-level parser is pure Python and reads a token at a time; on a large bibliography
it is most of what `evidence check` costs. `scan` reads the common shape (`@type{key,
name = {value}, name = "value", name = 123}` and `@comment{`) with a few regular expressions
and returns exactly the commands pybtex's `LowLevelParser` would, with the same spans. On
anything else (a syntax error, `@string`, `@preamble`, macros, `#`, parentheses, deep braces)
it returns None and the caller uses pybtex, which then also reports the errors. The tests
hold the two to the same output. Imports nothing of ours.
"""

from __future__ import annotations

import re
from string import ascii_letters, digits

NAME_CHARS = ascii_letters + "@!$&*+-./:;<>?[\\]^_`|~\x7f"
"""Characters of a BibTeX name, as pybtex defines them."""
MAX_DEPTH = 100
"""Brace nesting pybtex accepts inside a value."""

Field = tuple[str, list[str]]
Command = tuple[str, tuple[str, list[Field]], int, int]
"""Command name as written, (key, fields), offset of its '@', offset after its closing brace."""

_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*\{")
_KEY = re.compile(r"\s*([^\s,}]+)")
_NAME = re.compile(rf"\s*([{re.escape(NAME_CHARS)}][{re.escape(NAME_CHARS + digits)}]*)")
_EQUALS = re.compile(r"\s*=\s*")
_BRACED = re.compile(r"\{([^{}]*)\}")
_QUOTED = re.compile(r'"([^"{}]*)"')
_NUMBER = re.compile(r"[0-9]+")
_BRACE = re.compile(r"[{}]")
_IN_QUOTES = re.compile(r'["{}]')


def scan(text: str) -> list[Command] | None:
    """Every command of `text` as pybtex reads it, or None when pybtex must read the file."""
    commands: list[Command] = []
    pos = text.find("@")
    while pos >= 0:
        head = _HEAD.match(text, pos)
        if head is None:
            return None
        name = head.group(1)
        kind = name.lower()
        if kind == "comment":  # pybtex skips just the opening and reads on from there
            pos = text.find("@", head.end())
            continue
        if kind in ("string", "preamble"):
            return None
        entry = _entry(text, head.end())
        if entry is None:
            return None
        key, fields, end = entry
        commands.append((name, (key, fields), pos, end))
        pos = text.find("@", end)
    return commands


def _entry(text: str, pos: int) -> tuple[str, list[Field], int] | None:
    key = _KEY.match(text, pos)
    if key is None:
        return None
    pos = key.end()
    fields: list[Field] = []
    while True:
        name = _NAME.match(text, pos)
        if name is not None:
            equals = _EQUALS.match(text, name.end())
            if equals is None:
                return None
            value = _value(text, equals.end())
            if value is None:
                return None
            part, pos = value
            fields.append((name.group(1), [part]))
        while text[pos : pos + 1].isspace():
            pos += 1
        following = text[pos : pos + 1]
        if following == ",":
            pos += 1
            continue
        if following == "}":
            return key.group(1), fields, pos + 1
        return None  # '#', end of file, or anything pybtex reports as an error


def _value(text: str, pos: int) -> tuple[str, int] | None:
    """One value part starting at `pos`: its text and the offset after it."""
    first = text[pos : pos + 1]
    if first == "{":
        simple = _BRACED.match(text, pos)
        if simple is not None:
            return simple.group(1), simple.end()
        end = _closing_brace(text, pos + 1, 1, _BRACE)
        return None if end < 0 else (text[pos + 1 : end - 1], end)
    if first == '"':
        simple = _QUOTED.match(text, pos)
        if simple is not None:
            return simple.group(1), simple.end()
        end = _closing_brace(text, pos + 1, 0, _IN_QUOTES)
        return None if end < 0 else (text[pos + 1 : end - 1], end)
    number = _NUMBER.match(text, pos)
    if number is not None:
        return number.group(), number.end()
    return None  # a macro name, or not a value at all


def _closing_brace(text: str, pos: int, depth: int, specials: re.Pattern[str]) -> int:
    """The offset after the delimiter that ends a value opened before `pos`, or -1.

    With `depth` 1 the value is braced and ends at its matching '}'; with 0 it is quoted and
    ends at a '"' outside braces (where a '}' is an error)."""
    for m in specials.finditer(text, pos):
        char = m.group()
        if char == "{":
            depth += 1
            if depth > MAX_DEPTH:
                return -1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return -1
            if depth == 0 and specials is _BRACE:
                return m.end()
        elif depth == 0:  # a quote outside braces
            return m.end()
    return -1
