"""Checking BibTeX entries and turning them into `Reference` objects.

Every reference needs a title and a year, and a DOI or PMID where one exists. A field that
was searched for and not found is declared in an `unverified` field (for example
`unverified = {doi, pmid}`), so a gap is visible to readers instead of silently missing.
Web pages, registrations and labels (@misc, @online, @manual) need no DOI or PMID.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .bibfile import PERSON_FIELDS, BibEntry
from .findings import Finding, error, warning
from .latex import to_text
from .model import Reference

DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>{}]+\Z")
PMID = re.compile(r"[1-9][0-9]{0,8}\Z")
PMCID = re.compile(r"PMC[0-9]{1,9}\Z")
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.+-]*\Z")
"""Keys name reference pages, so they may not hold '/', spaces or other path characters."""
URL = re.compile(r"https?://[^\s\"<>{}\\^`|]+\Z")
UNVERIFIABLE = ("author", "doi", "pmid", "year", "url", "journal", "pages")
NO_ID_TYPES = ("misc", "online", "manual", "techreport")
URL_FIELDS = ("url", "howpublished_url")
VERBATIM_FIELDS = ("doi", "pmid", "pmcid", "url", "urldate", "eprint", "isbn", "issn", "file", "unverified", "crossref", "xdata")
"""Fields that are identifiers or addresses, not LaTeX text."""
INHERITING_FIELDS = ("crossref", "xdata")
MAX_FIELD_CHARS = 5000
"""Longest field value accepted: titles and author lists are far shorter, and formatting costs
grow with length (pybtex takes about 25 µs a character)."""
LATEX_REPORTS = 5
"""At most this many distinct LaTeX problems are reported per field; the rest are counted."""
LATEX_TROUBLE = re.compile("[\\\\$\ue000-\uf8ff]")
_AND = re.compile(" [Aa][Nn][Dd] ")
_GROUP = re.compile("{[^{}]*}")


def check_references(entries: Iterable[BibEntry]) -> tuple[dict[str, Reference], list[Finding]]:
    refs: dict[str, Reference] = {}
    found: list[Finding] = []
    for entry in entries:
        if not KEY.match(entry.key) or len(entry.key) > 100:
            msg = f"reference key '{entry.key}' may hold only letters, digits and _ : . + - (starting with a letter or digit)"
            found.append(error("E311", entry.location, msg))
            continue
        refs[entry.key] = _check_entry(entry, found)
    return refs, found


def _check_entry(entry: BibEntry, found: list[Finding]) -> Reference:
    f = entry.fields
    key = entry.key
    for name, value in list(f.items()):
        if len(value) > MAX_FIELD_CHARS:
            msg = f"the {name} of '{key}' is {len(value):,} characters; a field may hold at most {MAX_FIELD_CHARS:,}: shorten it"
            found.append(error("E316", entry.field_location(name), msg))
            f = {**f, name: value[:MAX_FIELD_CHARS]}
    unverified = tuple(u.strip().lower() for u in f.get("unverified", "").split(",") if u.strip())
    for name in unverified:
        if name not in UNVERIFIABLE:
            found.append(
                error(
                    "E310",
                    entry.field_location("unverified"),
                    f"'{name}' cannot be declared unverified in '{key}'; use any of: {', '.join(UNVERIFIABLE)}",
                )
            )
        elif name in f:
            found.append(
                error("E310", entry.field_location("unverified"), f"'{key}' declares '{name}' unverified but also gives it; remove one")
            )
    if not f.get("title", "").strip():
        found.append(error("E303", entry.location, f"reference '{key}' has no title"))
    year = f.get("year")
    if year is None:
        if "year" not in unverified:
            found.append(
                error(
                    "E304",
                    entry.location,
                    f"reference '{key}' has no year; add it, or declare `unverified = {{year}}` if it cannot be found",
                )
            )
    elif not re.fullmatch(r"[12][0-9]{3}", year):
        found.append(error("E304", entry.field_location("year"), f"year '{year}' of '{key}' is not a four-digit year"))
    doi, pmid = f.get("doi"), f.get("pmid")
    if doi is not None and not DOI.match(doi):
        found.append(
            error(
                "E306",
                entry.field_location("doi"),
                f"malformed DOI '{doi}' in '{key}': write it bare, like 10.1007/s10620-011-1653-7 (no https://doi.org/ prefix)",
            )
        )
    if pmid is not None and not PMID.match(pmid):
        found.append(
            error("E307", entry.field_location("pmid"), f"malformed PMID '{pmid}' in '{key}': a PMID is a number of up to nine digits")
        )
    pmcid = f.get("pmcid")
    if pmcid is not None and not PMCID.match(pmcid):
        found.append(error("E307", entry.field_location("pmcid"), f"malformed PMCID '{pmcid}' in '{key}': write it like PMC3381945"))
    if doi is None and pmid is None and entry.type not in NO_ID_TYPES and not {"doi", "pmid"} <= set(unverified):
        found.append(
            error(
                "E305",
                entry.location,
                f"reference '{key}' has neither DOI nor PMID; add one, or declare `unverified = {{doi, pmid}}` if none can be found",
            )
        )
    url = f.get("url")
    if url is not None and not URL.match(url):
        found.append(error("E308", entry.field_location("url"), f"url of '{key}' must be a plain http:// or https:// address"))
    for name in INHERITING_FIELDS:
        if name in f:
            found.append(
                error(
                    "E312",
                    entry.field_location(name),
                    f"'{key}' takes fields from '{f[name]}' through {name}, which this site does not follow; "
                    f"write the fields it needs (booktitle, editor, publisher, year, ...) into '{key}' and remove {name}",
                )
            )
    _check_latex(entry, found)
    authors = _people(entry, found)
    return Reference(key, entry.type, dict(f), authors, entry.location, unverified)


def _check_latex(entry: BibEntry, found: list[Finding]) -> None:
    """Commands the LaTeX conversion does not know, and math, which is shown as written: each once per field."""
    for name, value in entry.fields.items():
        if name in VERBATIM_FIELDS or not LATEX_TROUBLE.search(value):
            continue
        what = f"the {name} of '{entry.key}'"
        counts = Counter(to_text(value).unknown)
        for item, n in list(counts.items())[:LATEX_REPORTS]:
            times = f" ({n} times)" if n > 1 else ""
            if item.kind == "character":
                msg = f"private-use character {item.command}{times} in {what} is left out"
                found.append(warning("W303", entry.field_location(name), msg))
                continue
            where = entry.locate(name, item.command.split()[0] if item.command.strip() else item.command)
            if item.kind == "math":
                msg = (
                    f"math {item.command}{times} in {what} is shown exactly as written, dollar signs included; "
                    "write the characters themselves (such as β or ≥), or \\$ for a dollar sign"
                )
                found.append(warning("W304", where, msg))
            else:
                shown = f"shows only '{item.shown}'" if item.shown else "leaves it out"
                msg = f"unknown LaTeX command {item.command}{times} in {what}: the page {shown}; write the text itself (é is fine)"
                found.append(warning("W303", where, msg))
        if len(counts) > LATEX_REPORTS:
            rest = len(counts) - LATEX_REPORTS
            msg = f"{rest} more LaTeX commands or formulas in {what} cannot be shown as text"
            found.append(warning("W303", entry.field_location(name), msg))


def _people(entry: BibEntry, found: list[Finding]) -> tuple[str, ...]:
    names: list[str] = []
    for role in PERSON_FIELDS[:1]:
        value = entry.fields.get(role)
        if not value:
            continue
        plain = plain_names(value)
        if plain is not None:
            names.extend(plain)
            continue
        from pybtex.database import Person
        from pybtex.database.input.bibtex import split_name_list
        from pybtex.scanner import PybtexError

        try:
            for name in split_name_list(value):
                Person(name)
                names.append(name)
        except PybtexError as exc:
            found.append(error("E301", entry.field_location(role), f"cannot read the {role} list of '{entry.key}': {exc}"))
    return tuple(names)


def plain_names(value: str) -> list[str] | None:
    """The names of an author list, split as pybtex splits them, when pybtex reads every one
    without error (at most two commas outside braces each); else None, and pybtex decides."""
    if not value:
        return []
    masked = value
    if "{" in value or "}" in value:  # braced text never splits: mask it, keeping offsets
        previous = ""
        while previous != masked:
            previous, masked = masked, _GROUP.sub(lambda m: "x" * len(m.group()), masked)
        if "{" in masked or "}" in masked:
            return None
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _AND.finditer(masked):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(value)))
    if any(masked.count(",", a, b) > 2 for a, b in spans):
        return None
    return [value[a:b].strip() for a, b in spans]
