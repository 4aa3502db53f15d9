"""Reading YAML with positions, and finding the review's source files.

We compose documents ourselves from libyaml's event stream instead of using a YAML loader:
every value keeps its line and column, duplicate keys are seen (never "last one wins"),
tags, anchors and aliases are refused, and nesting is bounded without recursion.
Scalars follow the YAML 1.2 core schema, so `no` stays text and `1.10` keeps its digits in
error messages. Imports only `findings`.
"""

from __future__ import annotations

import functools
import marshal
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .files import HIDDEN, describe, read_text
from .findings import Deferred, Finding, Location, Place, error

Key = str | int
JsonPath = tuple[Key, ...]

MAX_DEPTH = 40
"""Deepest nesting accepted; review files need about six levels."""

_Parser: Any = yaml.Loader
"""libyaml's parser when PyYAML has it; PyYAML does not re-export it as `yaml.CParser`."""
if yaml.__with_libyaml__:
    from yaml._yaml import CParser as _Parser

_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULL = {"", "~", "null", "Null", "NULL"}
_NUMBER_START = frozenset("+-.0123456789")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


Position = tuple[int, int]
"""Line and column, both from 1."""


Tables = tuple[dict[JsonPath, Position], dict[JsonPath, Position], dict[JsonPath, str]]
"""Positions of values, positions of keys, and source text of plain scalars read as non-text."""


class Positions:
    """A document's position tables, which may stay packed (marshal bytes) until first asked for."""

    __slots__ = ("_packed", "_tables", "source")

    def __init__(self, tables: Tables | None = None, packed: bytes | None = None, source: bytes | None = None) -> None:
        self._tables = tables if tables is not None or packed is not None else ({}, {}, {})
        self._packed = packed
        self.source = source
        """Digest of the bytes these positions were read from, when known: equal sources, equal positions."""

    @property
    def tables(self) -> Tables:
        if self._tables is None:
            self._tables = marshal.loads(self._packed or b"")
        return self._tables

    def packed(self) -> bytes:
        return self._packed if self._packed is not None else marshal.dumps(self._tables)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Positions) and self.tables == other.tables

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """One YAML file as plain data plus where each value and key came from."""

    path: str
    """Path as reported in findings (relative to the review root, with forward slashes)."""
    data: object
    """dicts, lists, str, int, float, bool or None; None also when the file could not be read."""
    positions: Positions = field(default_factory=Positions)

    @property
    def values(self) -> dict[JsonPath, Position]:
        """Position of every value, keyed by its path from the document root."""
        return self.positions.tables[0]

    @property
    def keys(self) -> dict[JsonPath, Position]:
        """Position of every mapping key, keyed by the path of the value it names."""
        return self.positions.tables[1]

    @property
    def raw(self) -> dict[JsonPath, str]:
        """Source text of plain scalars that were read as numbers, booleans or null."""
        return self.positions.tables[2]

    def loc(self, path: JsonPath) -> Location:
        """The position of the value at `path`, or of its nearest enclosing value."""
        values = self.values
        while path not in values and path:
            path = path[:-1]
        where = values.get(path)
        return Location(self.path) if where is None else Location(self.path, *where)

    def key_loc(self, path: JsonPath) -> Location:
        where = self.keys.get(path)
        return self.loc(path) if where is None else Location(self.path, *where)

    def place(self, path: JsonPath) -> Place:
        """What `loc` gives; worked out only when needed, and named by the file's digest, when the
        positions came from the parse cache or went into it."""
        source = self.positions.source
        if source is None:
            return self.loc(path)
        return Deferred(functools.partial(self.loc, path), (self.path, source, path, False))

    def key_place(self, path: JsonPath) -> Place:
        source = self.positions.source
        if source is None:
            return self.key_loc(path)
        return Deferred(functools.partial(self.key_loc, path), (self.path, source, path, True))


def parse_yaml(text: str, path: str) -> tuple[YamlDoc, list[Finding]]:
    """Compose one YAML document from text, collecting every structural problem."""
    findings: list[Finding] = []
    parser = _Parser(text)
    try:
        composed = _compose(parser, path, findings)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark(path, mark) if mark else Location(path)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        findings.append(error("E101", where, f"YAML syntax error: {problem}{context}"))
        return YamlDoc(path, None), findings
    except yaml.YAMLError as exc:  # reader errors: bad characters
        position = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or str(exc)
        findings.append(error("E101", Location(path, line, col), f"YAML cannot be read: {reason}"))
        return YamlDoc(path, None), findings
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()
    if composed is None:
        findings.append(error("E106", Location(path, 1, 1), "file is empty; it must hold a mapping"))
        return YamlDoc(path, None), findings
    return composed, findings


def load_yaml(file: Path, shown: str) -> tuple[YamlDoc, list[Finding]]:
    text, problems = read_text(file, shown)
    if text is None:
        return YamlDoc(shown, None), problems
    doc, more = parse_yaml(text, shown)
    return doc, problems + more


# ---- Composition ---------------------------------------------------------------------------
# One loop over libyaml's events with its state in local variables: this runs for every value
# of every file, so it avoids method calls and builds no Location until a finding needs one.

_EMPTY = object()
_SCALAR, _ALIAS, _DOCUMENT = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Frame:
    """An open mapping or list, and for a mapping the key whose value comes next."""

    __slots__ = ("container", "discard", "is_map", "key", "key_at", "path", "seen")

    def __init__(self, container: dict[str, object] | list[object], path: JsonPath) -> None:
        self.container = container
        self.path = path
        self.is_map = type(container) is dict
        self.key: str | None = None
        """The key read and waiting for its value; None while a key is expected."""
        self.key_at: Position = (0, 0)
        self.seen: dict[str, Position] = {}
        self.discard = False
        """The value that comes next is read and dropped (it belongs to a refused key)."""


def _compose(parser: Any, path: str, findings: list[Finding]) -> YamlDoc | None:
    """The document, or None when it is empty; stops early on a second document or deep nesting."""
    values: dict[JsonPath, Position] = {}
    keys: dict[JsonPath, Position] = {}
    raw: dict[JsonPath, str] = {}
    root: object = _EMPTY
    stack: list[_Frame] = []
    top: _Frame | None = None
    documents = 0
    skip = 0  # depth of an ignored subtree (a complex key)
    while parser.check_event():
        event = parser.get_event()
        kind = type(event)
        if kind is _SCALAR and not skip:
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                _check_props(event, path, where, findings)
            if top is not None and top.is_map and top.key is None:
                key = event.value
                first = top.seen.get(key)
                if first is not None:
                    msg = f"duplicate key '{key}': first at line {first[0]}, again at line {where[0]}; keep only one"
                    findings.append(error("E102", Location(path, *where), msg))
                    top.discard = True
                else:
                    top.seen[key] = where
                top.key, top.key_at = key, where
                continue
            style = event.style
            if style == '"':  # escapes such as "\u202e" are not seen by the scan of the raw text
                for char in sorted(set(HIDDEN.findall(event.value))):
                    msg = f"escaped {describe(char)} is not allowed: it is invisible or can reorder text"
                    findings.append(error("E111", Location(path, *where), msg))
            value: object
            if style is None or style == "":
                value, source = _resolve(event.value)
            else:
                value, source = event.value, None
        elif kind in _OPENING and not skip:
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1)
            _check_props(event, path, where, findings)
            if top is not None and top.is_map and top.key is None:
                findings.append(error("E110", Location(path, *where), "a mapping key must be plain text, not a list or mapping"))
                top.key, top.discard, skip = "", True, 1
                continue
            if len(stack) >= MAX_DEPTH:
                msg = f"nesting deeper than {MAX_DEPTH} levels; review files need far fewer"
                findings.append(error("E108", Location(path, *where), msg))
                break
            value, source = ({} if kind is yaml.MappingStartEvent else []), None
        elif kind in _CLOSING and not skip:
            stack.pop()
            top = stack[-1] if stack else None
            continue
        elif kind is _DOCUMENT:
            documents += 1
            if documents > 1:
                msg = "a second YAML document ('---') is not allowed; keep one document per file"
                findings.append(error("E105", _mark(path, event.start_mark), msg))
                break
            continue
        elif skip:
            if kind in _OPENING:
                skip += 1
            elif kind in _CLOSING:
                skip -= 1
            continue
        elif kind is _ALIAS:
            where = _position(event.start_mark)
            findings.append(error("E104", Location(path, *where), f"alias '*{event.anchor}' is not allowed; write the value out in full"))
            if top is not None and top.is_map and top.key is None:
                top.key, top.discard = "*" + str(event.anchor), True
                continue
            value, source = None, None
        else:
            continue
        # Place the value (a scalar, an alias's None, or a new container) in its parent.
        at: JsonPath
        if top is None:
            root, at = value, ()
            values[at] = where
        elif top.discard:
            at = (*top.path, f"\0dup:{top.key}:{where[0]}")
            top.key, top.discard = None, False
            if kind is _SCALAR or kind is _ALIAS:
                continue
        elif top.is_map:
            key = top.key or ""
            at = (*top.path, key)
            top.container[key] = value  # type: ignore[call-overload]
            keys[at] = top.key_at
            top.key = None
            values[at] = where
        else:
            container = top.container
            at = (*top.path, len(container))
            container.append(value)  # type: ignore[union-attr]
            values[at] = where
        if source is not None:
            raw[at] = source
        if kind in _OPENING:
            top = _Frame(value, at)  # type: ignore[arg-type]
            stack.append(top)
    if documents == 0 or root is _EMPTY or root is None:
        return None
    return YamlDoc(path, root, Positions((values, keys, raw)))


def _check_props(event: Any, path: str, where: Position, findings: list[Finding]) -> None:
    if event.anchor is not None:
        findings.append(error("E104", Location(path, *where), f"anchor '&{event.anchor}' is not allowed; write each value out in full"))
    tag = getattr(event, "tag", None)
    if tag is not None and tag != "!":
        findings.append(
            error(
                "E103",
                Location(path, *where),
                f"tag '{tag}' is not allowed; remove it (values are plain text, numbers, lists and mappings)",
            )
        )


def _resolve(text: str) -> tuple[object, str | None]:
    if text in _NULL:
        return None, text
    if text in _BOOL:
        return _BOOL[text], text
    if text[0] not in _NUMBER_START:  # most text: neither pattern below can match
        return text, None
    if _INT.match(text):
        return int(text), text
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text), text
    return text, None


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _mark(path: str, mark: Any) -> Location:
    return Location(path) if mark is None else Location(path, *_position(mark))


# ---- Discovery -----------------------------------------------------------------------------

STUDIES_DIR = "studies"
"""Folder under content/ whose YAML files hold study facts keyed by BibTeX key."""


def iter_yaml_files(content_dir: Path, files: Iterable[Path]) -> Iterator[Path]:
    """The *.yaml / *.yml files one level below content/, in a stable order."""
    for file in files:
        if file.suffix in (".yaml", ".yml") and file.parent.parent == content_dir:
            yield file
