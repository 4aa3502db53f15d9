"""Reading YAML with positions, and finding the review's source files.

We compose documents ourselves from libyaml's event stream instead of using a YAML loader:
every value keeps its line and column, duplicate keys are seen (never "last one wins"),
tags, anchors and aliases are refused, and nesting is bounded without recursion.
Scalars follow the YAML 1.2 core schema, so `no` stays text and `1.10` keeps its digits in
error messages. Imports only `findings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .files import HIDDEN, describe, read_text
from .findings import Finding, Location, error

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


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """One YAML file as plain data plus where each value and key came from."""

    path: str
    """Path as reported in findings (relative to the review root, with forward slashes)."""
    data: object
    """dicts, lists, str, int, float, bool or None; None also when the file could not be read."""
    values: dict[JsonPath, Location] = field(default_factory=dict)
    """Position of every value, keyed by its path from the document root."""
    keys: dict[JsonPath, Location] = field(default_factory=dict)
    """Position of every mapping key, keyed by the path of the value it names."""
    raw: dict[JsonPath, str] = field(default_factory=dict)
    """Source text of plain scalars that were read as numbers, booleans or null."""

    def loc(self, path: JsonPath) -> Location:
        """The position of the value at `path`, or of its nearest enclosing value."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Location(self.path))

    def key_loc(self, path: JsonPath) -> Location:
        return self.keys.get(path) or self.loc(path)


def parse_yaml(text: str, path: str) -> tuple[YamlDoc, list[Finding]]:
    """Compose one YAML document from text, collecting every structural problem."""
    builder = _Builder(path)
    try:
        for event in yaml.parse(text, Loader=_Parser):
            if not builder.feed(event):
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _mark(path, mark) if mark else Location(path)
        problem = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        builder.findings.append(error("E101", where, f"YAML syntax error: {problem}{context}"))
        return YamlDoc(path, None), builder.findings
    except yaml.YAMLError as exc:  # reader errors: bad characters
        position = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
        reason = getattr(exc, "reason", None) or str(exc)
        builder.findings.append(error("E101", Location(path, line, col), f"YAML cannot be read: {reason}"))
        return YamlDoc(path, None), builder.findings
    if builder.documents == 0 or builder.root is _EMPTY or builder.root is None:
        builder.findings.append(error("E106", Location(path, 1, 1), "file is empty; it must hold a mapping"))
        return YamlDoc(path, None), builder.findings
    return YamlDoc(path, builder.root, builder.values, builder.keys, builder.raw), builder.findings


def load_yaml(file: Path, shown: str) -> tuple[YamlDoc, list[Finding]]:
    text, problems = read_text(file, shown)
    if text is None:
        return YamlDoc(shown, None), problems
    doc, more = parse_yaml(text, shown)
    return doc, problems + more


# ---- Composition ---------------------------------------------------------------------------

_EMPTY = object()


class _Frame:
    __slots__ = ("container", "path", "pending", "seen")

    def __init__(self, container: dict[str, object] | list[object], path: JsonPath) -> None:
        self.container = container
        self.path = path
        self.pending: tuple[str, Location] | None = None
        self.seen: dict[str, Location] = {}


class _Builder:
    """Turns parser events into plain data, positions and findings, without recursion."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.root: object = _EMPTY
        self.values: dict[JsonPath, Location] = {}
        self.keys: dict[JsonPath, Location] = {}
        self.raw: dict[JsonPath, str] = {}
        self.findings: list[Finding] = []
        self.stack: list[_Frame] = []
        self.documents = 0
        self.skip = 0  # depth of an ignored subtree (a complex key, or too deep)

    def feed(self, event: yaml.Event) -> bool:
        """Take one event; False stops the parse (a second document, or nesting too deep)."""
        if type(event) is yaml.ScalarEvent and not self.skip:  # most events: checked first
            self._scalar(event)
            return True
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                where = _mark(self.path, event.start_mark)
                self.findings.append(error("E105", where, "a second YAML document ('---') is not allowed; keep one document per file"))
                return False
            return True
        if self.skip:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                self.skip += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                self.skip -= 1
            return True
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            return self._open(event)
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self.stack.pop()
            return True
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            where = _mark(self.path, event.start_mark)
            self.findings.append(error("E104", where, f"alias '*{event.anchor}' is not allowed; write the value out in full"))
            if self._expecting_key():
                self._drop_next_value("*" + str(event.anchor))
            else:
                self._place(None, where, None)
        return True

    def _open(self, event: yaml.NodeEvent) -> bool:
        where = _mark(self.path, event.start_mark)
        self._check_props(event, where)
        if self._expecting_key():
            self.findings.append(error("E110", where, "a mapping key must be plain text, not a list or mapping"))
            self._drop_next_value("")
            self.skip = 1
            return True
        if len(self.stack) >= MAX_DEPTH:
            self.findings.append(error("E108", where, f"nesting deeper than {MAX_DEPTH} levels; review files need far fewer"))
            return False
        container: dict[str, object] | list[object] = {} if isinstance(event, yaml.MappingStartEvent) else []
        path = self._place(container, where, None)
        self.stack.append(_Frame(container, path))
        return True

    def _expecting_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.container, dict) and top.pending is None

    def _drop_next_value(self, key: str) -> None:
        top = self.stack[-1]
        assert isinstance(top.container, dict)
        top.pending = (key, Location(self.path))
        top.container = _Discard(top.container)  # type: ignore[assignment]

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        mark = event.start_mark
        where = Location(self.path, mark.line + 1, mark.column + 1) if mark is not None else Location(self.path)
        if event.anchor is not None or (event.tag is not None and event.tag != "!"):
            self._check_props(event, where)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.pending is None and isinstance(top.container, dict):
            key = event.value
            first = top.seen.get(key)
            if first is not None:
                msg = f"duplicate key '{key}': first at line {first.line}, again at line {where.line}; keep only one"
                self.findings.append(error("E102", where, msg))
                self._drop_next_value(key)
                return
            top.seen[key] = where
            top.pending = (key, where)
            return
        plain = event.style is None or event.style == ""
        if event.style == '"':  # escapes such as "\u202e" are not seen by the scan of the raw text
            for char in sorted(set(HIDDEN.findall(event.value))):
                self.findings.append(error("E111", where, f"escaped {describe(char)} is not allowed: it is invisible or can reorder text"))
        value, raw = _resolve(event.value) if plain else (event.value, None)
        self._place(value, where, raw)

    def _place(self, value: object, where: Location, raw: str | None) -> JsonPath:
        if not self.stack:
            self.root = value
            path: JsonPath = ()
        else:
            top = self.stack[-1]
            container = top.container
            if isinstance(container, _Discard):
                key, _ = top.pending or ("", where)
                top.container = container.original
                top.pending = None
                return (*top.path, f"\0dup:{key}:{where.line}")
            if isinstance(container, list):
                path = (*top.path, len(container))
                container.append(value)
            else:
                key, key_where = top.pending or ("", where)
                top.pending = None
                path = (*top.path, key)
                container[key] = value
                self.keys[path] = key_where
        self.values[path] = where
        if raw is not None:
            self.raw[path] = raw
        return path

    def _check_props(self, event: yaml.NodeEvent, where: Location) -> None:
        if event.anchor is not None:
            self.findings.append(error("E104", where, f"anchor '&{event.anchor}' is not allowed; write each value out in full"))
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            self.findings.append(
                error("E103", where, f"tag '{tag}' is not allowed; remove it (values are plain text, numbers, lists and mappings)")
            )


class _Discard:
    """Stands in for a mapping while the value of a duplicate key is read and dropped."""

    __slots__ = ("original",)

    def __init__(self, original: dict[str, object]) -> None:
        self.original = original


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


def _mark(path: str, mark: Any) -> Location:
    if mark is None:
        return Location(path)
    return Location(path, mark.line + 1, mark.column + 1)


# ---- Discovery -----------------------------------------------------------------------------

STUDIES_DIR = "studies"
"""Folder under content/ whose YAML files hold study facts keyed by BibTeX key."""


def iter_yaml_files(content_dir: Path, files: Iterable[Path]) -> Iterator[Path]:
    """The *.yaml / *.yml files one level below content/, in a stable order."""
    for file in files:
        if file.suffix in (".yaml", ".yml") and file.parent.parent == content_dir:
            yield file
