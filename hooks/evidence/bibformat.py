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

import functools
import re

from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.database import Entry, Person
from pybtex.scanner import PybtexError
from pybtex.style import FormattedEntry
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.template import field, join, sentence

from .latex import sort_text, to_text
from .model import Reference
from .names import PARTS, name_parts

_SHIELDED = "%\\`{}~$',-"
_SHIELD = {c: chr(0xE0A0 + i) for i, c in enumerate(_SHIELDED)}
_UNSHIELD = str.maketrans({v: k for k, v in _SHIELD.items()})
_RISKY = re.compile(r"[%\\`{}~$]|''+|,,+|--+")
"""Characters pybtex's LaTeX reading would change; a single ' , or - it leaves alone (pages need '-')."""
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_BACKEND = PlainTextBackend()
"""`render_as("text")` would look the backend up in the installed packages' metadata on every call."""
_FORMATTED: dict[tuple[object, ...], str] = {}
"""Formatted text by entry content, kept across the rebuilds of `mkdocs serve`."""


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
        self.style = _unsrt()
        self._plain: dict[str, str] = {}
        self._label: dict[str, str] = {}

    def plain(self, ref: Reference) -> str:
        cached = self._plain.get(ref.key)
        if cached is None:
            content = (ref.key, ref.type, tuple(ref.fields.items()), ref.authors)
            cached = _FORMATTED.get(content)
            if cached is None:
                if len(_FORMATTED) > 100_000:
                    _FORMATTED.clear()
                cached = _FORMATTED[content] = self._format(ref)
            self._plain[ref.key] = cached
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
                parts = name_parts(name)
            except PybtexError:
                out.append(_clean(name))
                continue
            out.append(_clean(" ".join(parts[3]) or " ".join(parts[0])))
        return out

    def _format(self, ref: Reference) -> str:
        skip = ("author", "editor", "unverified", "crossref", "xdata")
        fields = {k: _shield(_clean(v)) for k, v in ref.fields.items() if k not in skip}
        people = []
        for name in ref.authors:
            try:
                people.append(_person(name))
            except PybtexError:
                continue
        text = _article(ref.type, fields, people)
        if text is None:
            entry = Entry(ref.type, fields=fields)
            for person in people:
                entry.add_person(person, "author")
            entry.key = ref.key
            try:
                formatted: FormattedEntry = self.style.format_entry(ref.key, entry)
                text = formatted.text.render(_BACKEND)
            except (PybtexError, KeyError, AttributeError, TypeError, ValueError):
                text = self._fallback(ref)
        return _SPACES.sub(" ", text.translate(_UNSHIELD)).strip(" ")

    def _fallback(self, ref: Reference) -> str:
        fields = (ref.get("title"), ref.get("journal") or ref.get("howpublished"), ref.get("year"))
        parts = [", ".join(self._surnames(ref)), *(_clean(v) for v in fields if v)]
        return ". ".join(p for p in parts if p) + "."


@functools.cache
def _unsrt() -> TitleKeepingStyle:
    """One style per process: pybtex looks its name, label and sorting styles up in the installed
    packages' metadata each time a style is made, which a `mkdocs serve` rebuild need not repeat."""
    return TitleKeepingStyle()


def _clean(value: str) -> str:
    """Field text as Unicode (LaTeX read by `latex`), whitespace collapsed but no-break spaces kept."""
    return to_text(value).text


def _shield(value: str) -> str:
    return _RISKY.sub(lambda m: "".join(_SHIELD[c] for c in m.group()), value)


_LITERAL = re.compile(r"(?:[^\s\\{}$%~`]+(?: [^\s\\{}$%~`]+)*)?\Z")
_LATEX_PAIRS = re.compile(r"''|,,|--|<<|>>|[!?]`")
_ARTICLE_FIELDS = ("title", "journal", "year", "volume", "number", "pages", "month", "note")


def _literal(value: str) -> bool:
    """True when pybtex would read `value` as LaTeX and get `value` back: no command, brace,
    math, tie, comment, ligature or run of spaces (the tests hold this against pybtex)."""
    return _LITERAL.match(value) is not None and _LATEX_PAIRS.search(value) is None


def _period(text: str) -> str:
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _article(kind: str, fields: dict[str, str], people: list[Person]) -> str | None:
    """unsrt's article template written out, for entries in which pybtex would read nothing as
    LaTeX; None for anything else, which pybtex formats. About fifty times faster than its
    template engine, and the tests compare the two on every reference and on generated ones."""
    used = [fields.get(name) for name in _ARTICLE_FIELDS]
    if kind != "article" or not people or any(v is not None and not (v and _literal(v)) for v in used):
        return None
    title, journal, year, volume, number, pages, month, note = used
    if not (title and journal and year) or (pages and (pages.startswith("-") or pages.endswith("-"))):
        return None
    names = []
    for person in people:
        groups = [
            [p for p in getattr(person, part) if p]
            for part in ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")
        ]
        if not groups[3] or not all(_literal(p) for group in groups for p in group):
            return None
        first, prelast, last, lineage = (" ".join(g) for g in (groups[0] + groups[1], groups[2], groups[3], groups[4]))
        names.append((first + " " if first else "") + (prelast + " " if prelast else "") + last + (", " + lineage if lineage else ""))
    who = names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2 else ", ".join(names[:-1]) + ", and " + names[-1]
    where = [journal]
    if pages:
        where.append(f"{volume}{f'({number})' if number else ''}:{pages}" if volume else f"pages {pages}")
    where.append(f"{month} {year}" if month else year)
    parts = [_period(who), _period(title), _period(", ".join(where)), _period(note or "")]
    return " ".join(p for p in parts if p)


def _person(name: str) -> Person:
    """The name split as BibTeX does (braces still protect), then each part read as Unicode and shielded."""
    person = Person()
    for part, words in zip(PARTS, name_parts(name), strict=True):
        setattr(person, part, [_shield(_clean(p)) for p in words])
    return person


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
