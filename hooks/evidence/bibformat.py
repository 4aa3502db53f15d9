"""Formatting references as text with pybtex's `unsrt` style.

We render to pybtex's plain-text backend and let `mdsafe` escape the result, rather than
trusting a Markdown or HTML backend with contributor text. Entries the style cannot format
(a required field missing for their type) fall back to a simple author-title-year line.
Each reference is formatted once per build.
"""

from __future__ import annotations

import re

from pybtex.database import Entry, Person
from pybtex.richtext import Text
from pybtex.scanner import PybtexError
from pybtex.style import FormattedEntry
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import field, join, sentence

from .model import Reference

_LATEX_SPECIALS = re.compile(r"\\([&%#_$])")


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

    def sort_key(self, ref: Reference) -> tuple[str, str]:
        names = self._surnames(ref)
        return ((names[0] if names else ref.get("title") or ref.key).lower(), ref.get("year") or "")

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
        entry = Entry(ref.type, fields={k: v for k, v in ref.fields.items() if k not in ("author", "editor", "unverified")})
        for name in ref.authors:
            try:
                entry.add_person(Person(name), "author")
            except PybtexError:
                continue
        entry.key = ref.key
        try:
            formatted: FormattedEntry = self.style.format_entry(ref.key, entry)
            text = formatted.text.render_as("text")
        except (PybtexError, KeyError, AttributeError, TypeError, ValueError):
            text = self._fallback(ref)
        return _clean(text)

    def _fallback(self, ref: Reference) -> str:
        who = ", ".join(self._surnames(ref))
        parts = [p for p in (who, ref.get("title"), ref.get("journal") or ref.get("howpublished"), ref.get("year")) if p]
        return ". ".join(str(Text(p)) for p in parts) + "."


def _clean(value: str) -> str:
    value = _LATEX_SPECIALS.sub(r"\1", value)
    return " ".join(value.replace("{", "").replace("}", "").split())


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
