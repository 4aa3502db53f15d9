"""Formatting references as text with pybtex's `unsrt` style.

We render to pybtex's plain-text backend and let `mdsafe` escape the result, rather than
trusting a Markdown or HTML backend with contributor text. Entries the style cannot format
(a required field missing for their type) fall back to a simple author-title-year line.
Each reference is formatted once per build.

pybtex would read field text as LaTeX itself, and its reading leaks unknown commands and
breaks on some (`\\emph{x}` came out as "\\emph x"). So fields and name parts are turned into
Unicode by `latex` first, and the characters pybtex would reinterpret are shielded as
private-use characters through its formatting and restored after.
"""

from __future__ import annotations

import re

from pybtex.database import Entry, Person
from pybtex.scanner import PybtexError
from pybtex.style import FormattedEntry
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import field, join, sentence

from .latex import sort_text, to_text
from .model import Reference

_SHIELDED = "%\\`{}~$',-"
_SHIELD = {c: chr(0xE0A0 + i) for i, c in enumerate(_SHIELDED)}
_UNSHIELD = str.maketrans({v: k for k, v in _SHIELD.items()})
_RISKY = re.compile(r"[%\\`{}~$]|''+|,,+|--+")
"""Characters pybtex's LaTeX reading would change; a single ' , or - it leaves alone (pages need '-')."""
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_NAME_PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


class TitleKeepingStyle(UnsrtStyle):  # type: ignore[misc]
    """unsrt, but titles keep their case (sentence-casing mangles names such as "Crohn's"),
    and DOI / PMID / URL are left out of the text because pages link them separately."""

    def format_title(self, e: Entry, which_field: str, as_sentence: bool = True) -> object:
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_web_refs(self, e: Entry) -> object:
        return join[""]


class ReferenceFormatter:
    """Formats each reference once: full citation, short label and sort key."""

    def __init__(self) -> None:
        self.style = TitleKeepingStyle()
        self._plain: dict[str, str] = {}
        self._label: dict[str, str] = {}

    def plain(self, ref: Reference) -> str:
        cached = self._plain.get(ref.key)
        if cached is None:
            cached = self._plain[ref.key] = self._format(ref)
        return cached

    def label(self, ref: Reference) -> str:
        """Short label such as "Smith et al. 2011", safe to use as a page title."""
        cached = self._label.get(ref.key)
        if cached is None:
            names = self._surnames(ref)
            year = ref.get("year") or "n.d."
            if not names:
                who = _shorten(_clean(ref.get("title") or ref.key), 60)
            elif len(names) == 1:
                who = names[0]
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = f"{names[0]} et al."
            cached = self._label[ref.key] = re.sub(r"[<>\"'&`]", "", f"{who} {year}").strip()
        return cached

    def title(self, ref: Reference) -> str | None:
        """The work's title as plain text, for citation previews."""
        title = ref.get("title")
        return _clean(title) if title else None

    def sort_key(self, ref: Reference) -> tuple[str, str]:
        names = self._surnames(ref)
        return (sort_text(names[0] if names else _clean(ref.get("title") or "") or ref.key), ref.get("year") or "")

    def _surnames(self, ref: Reference) -> list[str]:
        out = []
        for name in ref.authors:
            if name.lower() == "others":
                continue
            try:
                person = Person(name)
            except PybtexError:
                out.append(_clean(name))
                continue
            last = " ".join(person.last_names) or " ".join(person.first_names)
            out.append(_clean(last))
        return out

    def _format(self, ref: Reference) -> str:
        skip = ("author", "editor", "unverified", "crossref", "xdata")
        entry = Entry(ref.type, fields={k: _shield(_clean(v)) for k, v in ref.fields.items() if k not in skip})
        for name in ref.authors:
            try:
                entry.add_person(_person(name), "author")
            except PybtexError:
                continue
        entry.key = ref.key
        try:
            formatted: FormattedEntry = self.style.format_entry(ref.key, entry)
            text = formatted.text.render_as("text").translate(_UNSHIELD)
        except (PybtexError, KeyError, AttributeError, TypeError, ValueError):
            text = self._fallback(ref)
        return _SPACES.sub(" ", text).strip(" ")

    def _fallback(self, ref: Reference) -> str:
        fields = (ref.get("title"), ref.get("journal") or ref.get("howpublished"), ref.get("year"))
        parts = [", ".join(self._surnames(ref)), *(_clean(v) for v in fields if v)]
        return ". ".join(p for p in parts if p) + "."


def _clean(value: str) -> str:
    """Field text as Unicode (LaTeX read by `latex`), whitespace collapsed but no-break spaces kept."""
    return to_text(value).text


def _shield(value: str) -> str:
    return _RISKY.sub(lambda m: "".join(_SHIELD[c] for c in m.group()), value)


def _person(name: str) -> Person:
    """The name split as BibTeX does (braces still protect), then each part read as Unicode and shielded."""
    parsed = Person(name)
    person = Person()
    for part in _NAME_PARTS:
        setattr(person, part, [_shield(_clean(p)) for p in getattr(parsed, part)])
    return person


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
