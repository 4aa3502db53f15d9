"""Findings: every problem the engine reports, as a value with a location.

Owns `Location` (and `Deferred`, one worked out on demand), `Severity`, `Finding` and their
text / GitHub / JSON formats.
Imports nothing of ours, so every other module can report through it.
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file; line and column count from 1 (0 means "whole file")."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.col or 1}"


class Deferred:
    """A location worked out only when something asks for it. A file read from the parse cache
    keeps its positions packed until a finding needs one, so a clean check never unpacks them.

    `key`, when given, names the location without working it out: two Deferred with equal keys
    are equal (a `serve` rebuild compares every claim it rendered before with the new one)."""

    __slots__ = ("find", "key")

    def __init__(self, find: Callable[[], Location], key: object = None) -> None:
        self.find = find
        self.key = key

    def __str__(self) -> str:
        return str(self.find())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Deferred) and self.key is not None and self.key == other.key:
            return True
        if isinstance(other, (Location, Deferred)):
            return self.find() == located(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.find())


Place = Location | Deferred
"""Where a model object came from: a Location, or one to be worked out when needed."""


def located(place: Place) -> Location:
    return place if isinstance(place, Location) else place.find()


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: a stable code, how bad it is, where it is and what to do about it."""

    code: str
    severity: Severity
    location: Location
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def text(self) -> str:
        return f"{self.location}: {self.code} {self.message}"

    def github(self) -> str:
        level = "error" if self.is_error else "warning"
        loc = self.location
        props = f"file={_gh_prop(loc.path)}"
        if loc.line:
            props += f",line={loc.line},col={loc.col or 1}"
        props += f",title={_gh_prop(self.code)}"
        return f"::{level} {props}::{_gh_data(self.message)}"

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity.value,
            "path": loc.path,
            "line": loc.line,
            "col": loc.col,
            "message": self.message,
        }


def error(code: str, location: Place, message: str) -> Finding:
    return Finding(code, Severity.ERROR, located(location), message)


def warning(code: str, location: Place, message: str) -> Finding:
    return Finding(code, Severity.WARNING, located(location), message)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """File order, then position, then code: stable output for humans and diffs."""
    return sorted(findings, key=lambda f: (f.location, f.code, f.message))


def format_findings(findings: Iterable[Finding], fmt: str) -> str:
    items = sort_findings(findings)
    if fmt == "json":
        return json.dumps([f.as_dict() for f in items], indent=2, ensure_ascii=False)
    render = Finding.github if fmt == "github" else Finding.text
    return "\n".join(render(f) for f in items)


GITHUB_ANNOTATION_LIMIT = 10
"""GitHub shows at most 10 error annotations per step and silently drops the rest."""


def github_annotations(findings: Iterable[Finding], changed: Iterable[str] = (), limit: int = GITHUB_ANNOTATION_LIMIT) -> list[str]:
    """At most `limit` annotations, findings in changed files first; a notice tells where the rest are."""
    touched = set(changed)
    items = sorted(sort_findings(findings), key=lambda f: (f.location.path not in touched, not f.is_error))
    lines = [f.github() for f in items[:limit]]
    if len(items) > limit:
        lines.append(f"::notice title=evidence::{len(items) - limit} more finding(s) are listed in the job summary")
    return lines


def summary_markdown(findings: Iterable[Finding], changed: Iterable[str] = ()) -> str:
    """Every finding as a Markdown table for $GITHUB_STEP_SUMMARY, changed files first."""
    touched = set(changed)
    items = sorted(sort_findings(findings), key=lambda f: f.location.path not in touched)
    head = f"### evidence check: {summary_line(items)}\n"
    if not items:
        return head
    rows = ["| | Location | Code | Message |", "|---|---|---|---|"]
    for f in items:
        mark = "error" if f.is_error else "warning"
        message = f.message.replace("|", "\\|").replace("\n", " ")
        rows.append(f"| {mark} | `{f.location}` | {f.code} | {message} |")
    return head + "\n" + "\n".join(rows) + "\n"


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest option (or one that differs only in case), else ""."""
    choices = list(options)
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not close:
        close = [o for o in choices if o.lower() == value.lower()][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def summary_line(findings: Iterable[Finding]) -> str:
    items = list(findings)
    errors = sum(f.is_error for f in items)
    warnings = len(items) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# GitHub workflow commands: data and property values need their own escapes.
def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")
