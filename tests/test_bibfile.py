"""evidence.bibfile and evidence.references: located BibTeX parsing and the reference rules."""

from __future__ import annotations

import pytest

from evidence.bibfile import parse_bibtex
from evidence.findings import Location
from evidence.references import check_references

B = "r.bib"


def lines(findings: list) -> list[str]:
    return [f.text() for f in findings]


# ---- parse_bibtex ------------------------------------------------------------------------

TWO = "@article{a1,\n  title = {T},\n  year = 2020,\n}\n\n@Misc{B2, title={X}}\n"

PARSES = [
    ("two entries", TWO, [("a1", "article", 1), ("B2", "misc", 6)], []),
    ("string and comment skipped", "@string{jt = {J}}\n@comment{x}\n@article{a1, title={T}, journal=jt}\n", [("a1", "article", 3)], []),
    ("text between entries ignored", "hello\n@article{a1, title={T}}\n", [("a1", "article", 2)], []),
    (
        "missing comma",
        "@article{a1,\n  title = {T}\n  year = {2020},\n}\n@article{b2, title={U}, year={2021}}\n",
        [("a1", "article", 1), ("b2", "article", 5)],
        ["r.bib:3:3: E301 BibTeX syntax error: '}' expected (in the entry starting at line 1)"],
    ),
    (
        "missing equals sign",
        "@article{a1,\n  title {T},\n}\n@misc{b2, title={U}}\n",
        [("a1", "article", 1), ("b2", "misc", 4)],
        ["r.bib:2:9: E301 BibTeX syntax error: '=' expected (in the entry starting at line 1)"],
    ),
    (
        "unclosed brace",
        "@article{a1,\n  title = {T,\n  year = {2020},\n}\n",
        [("a1", "article", 1)],
        ["r.bib:5:1: E301 BibTeX syntax error: premature end of file (in the entry starting at line 1)"],
    ),
    (
        "no key",
        "@article{,\n title={T}}\n",
        [],
        ["r.bib:1:10: E301 BibTeX syntax error: entry key expected", "r.bib:1:1: E301 @article entry has no key"],
    ),
    (
        "duplicate key",
        "@article{a1, title={T}}\n\n@article{a1, title={U}}\n",
        [("a1", "article", 1)],
        ["r.bib:3:1: E302 duplicate reference key 'a1': first at line 1, again at line 3; keep only one"],
    ),
    (
        "duplicate key ignoring case",
        "@article{Smith2020, title={T}}\n@article{smith2020, title={U}}\n",
        [("Smith2020", "article", 1)],
        [
            "r.bib:2:1: E302 duplicate reference key 'smith2020' (as 'Smith2020': BibTeX keys ignore case): "
            "first at line 1, again at line 2; keep only one"
        ],
    ),
    (
        "duplicate field",
        "@article{a1,\n  title = {T},\n  year = {2020},\n  Title = {U},\n}\n",
        [("a1", "article", 1)],
        ["r.bib:4:3: E309 entry 'a1' has the field 'title' twice; keep only one"],
    ),
    (
        "undefined macro",
        "@article{a1,\n  title = {T},\n  journal = jtrials,\n}\n",
        [("a1", "article", 1)],
        [
            "r.bib:3:20: E301 BibTeX syntax error: undefined macro 'jtrials'; put literal text in braces, "
            "or define it with @string (in the entry starting at line 1)"
        ],
    ),
]


@pytest.mark.parametrize(("text", "entries", "expected"), [p[1:] for p in PARSES], ids=[p[0] for p in PARSES])
def test_parse_bibtex(text: str, entries: list[tuple[str, str, int]], expected: list[str]) -> None:
    got, findings = parse_bibtex(text, B)
    assert [(e.key, e.type, e.location.line) for e in got] == entries
    assert lines(findings) == expected


def test_fields_are_lower_case_normalised_and_macros_expanded() -> None:
    text = "@ARTICLE{k,\n  TITLE = {A  long\n     title},\n  Month = jan,\n  journal = jt,\n}\n"
    entries, findings = parse_bibtex("@string{jt = {J. Trials}}\n" + text, B)
    assert findings == []
    [entry] = entries
    assert entry.type == "article"
    assert entry.fields == {"title": "A long title", "month": "January", "journal": "J. Trials"}
    assert entry.location == Location(B, 2, 1)
    assert entry.field_location("journal") == Location(B, 6, 3)
    assert entry.field_location("missing") == entry.location


def test_duplicate_entry_keeps_the_first_fields() -> None:
    entries, _ = parse_bibtex("@article{a1, title={First}}\n@article{A1, title={Second}}\n", B)
    assert [(e.key, e.fields["title"]) for e in entries] == [("a1", "First")]


# ---- check_references --------------------------------------------------------------------

HEAD = "@{type}{{k,\n  title = {{T}},\n  year = {{2020}},\n"
E305 = "E305 reference 'k' has neither DOI nor PMID; add one, or declare `unverified = {doi, pmid}` if none can be found"
E308 = "E308 url of 'k' must be a plain http:// or https:// address"
NO_PMID = "in 'k': a PMID is a number of up to nine digits"
NO_TITLE = "r.bib:1:1: E303 reference 'k' has no title"
E310_ANY = "cannot be declared unverified in 'k'; use any of: author, doi, pmid, year, url, journal, pages"


def entry(body: str, kind: str = "article", head: bool = True) -> str:
    """An entry of `kind` with key k; with `head`, title T and year 2020 come first (lines 2-3)."""
    start = HEAD.format(type=kind) if head else f"@{kind}{{k,\n"
    return start + body + "}\n"


CHECKS = [
    ("complete with DOI", entry("  doi = {10.1000/x.1},\n"), []),
    ("PMID alone is enough", entry("  pmid = {123},\n"), []),
    ("valid PMCID", entry("  pmid = {123},\n  pmcid = {PMC3381945},\n"), []),
    ("no title", entry("  year = {2020},\n  doi = {10.1000/x.1},\n", head=False), [NO_TITLE]),
    ("empty title", entry("  title = {},\n  year = {2020},\n  doi = {10.1000/x.1},\n", head=False), [NO_TITLE]),
    (
        "no year",
        entry("  title = {T},\n  doi = {10.1000/x.1},\n", head=False),
        ["r.bib:1:1: E304 reference 'k' has no year; add it, or declare `unverified = {year}` if it cannot be found"],
    ),
    ("no year, declared unverified", entry("  title = {T},\n  doi = {10.1000/x.1},\n  unverified = {year},\n", head=False), []),
    (
        "year not four digits",
        entry("  title = {T},\n  year = {20x0},\n  doi = {10.1000/x.1},\n", head=False),
        ["r.bib:3:3: E304 year '20x0' of 'k' is not a four-digit year"],
    ),
    ("neither DOI nor PMID", entry(""), [f"r.bib:1:1: {E305}"]),
    ("only DOI declared unverified", entry("  unverified = {doi},\n"), [f"r.bib:1:1: {E305}"]),
    ("DOI and PMID unverified", entry("  unverified = {doi, pmid},\n"), []),
    ("unverified is case- and order-blind", entry("  unverified = {PMID,DOI},\n"), []),
    ("@misc needs no identifier", entry("", "misc"), []),
    ("@online needs no identifier", entry("", "online"), []),
    ("@techreport needs no identifier", entry("", "techreport"), []),
    (
        "DOI with resolver prefix",
        entry("  doi = {https://doi.org/10.1000/x},\n"),
        [
            "r.bib:4:3: E306 malformed DOI 'https://doi.org/10.1000/x' in 'k': write it bare, "
            "like 10.1007/s10620-011-1653-7 (no https://doi.org/ prefix)"
        ],
    ),
    (
        "DOI without registrant",
        entry("  doi = {10.10/x},\n"),
        ["r.bib:4:3: E306 malformed DOI '10.10/x' in 'k': write it bare, like 10.1007/s10620-011-1653-7 (no https://doi.org/ prefix)"],
    ),
    ("PMID with leading zero", entry("  pmid = {0123},\n"), [f"r.bib:4:3: E307 malformed PMID '0123' {NO_PMID}"]),
    ("PMID with prefix", entry("  pmid = {PMID:123},\n"), [f"r.bib:4:3: E307 malformed PMID 'PMID:123' {NO_PMID}"]),
    (
        "PMID too long",
        entry("  pmid = {1234567890},\n"),
        [f"r.bib:4:3: E307 malformed PMID '1234567890' {NO_PMID}"],
    ),
    (
        "PMCID without PMC",
        entry("  pmid = {123},\n  pmcid = {3381945},\n"),
        ["r.bib:5:3: E307 malformed PMCID '3381945' in 'k': write it like PMC3381945"],
    ),
    ("http url", entry("  url = {http://example.org/a?b=1},\n", "misc"), []),
    (
        "javascript url",
        entry("  url = {javascript:alert(1)},\n", "misc"),
        [f"r.bib:4:3: {E308}"],
    ),
    ("ftp url", entry("  url = {ftp://x.org/a},\n", "misc"), [f"r.bib:4:3: {E308}"]),
    ("url with space", entry("  url = {https://x.org/a b},\n", "misc"), [f"r.bib:4:3: {E308}"]),
    (
        "unknown unverified names",
        entry("  doi = {10.1000/x.1},\n  unverified = {title, colour},\n"),
        [f"r.bib:5:3: E310 'title' {E310_ANY}", f"r.bib:5:3: E310 'colour' {E310_ANY}"],
    ),
    (
        "unverified but given",
        entry("  doi = {10.1000/x.1},\n  unverified = {doi},\n"),
        ["r.bib:5:3: E310 'k' declares 'doi' unverified but also gives it; remove one"],
    ),
    (
        "unreadable author list",
        entry("  author = {Doe, Jane, Jr, Extra},\n  pmid = {1},\n"),
        ["r.bib:4:3: E301 cannot read the author list of 'k': Too many commas in 'Doe, Jane, Jr, Extra'"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CHECKS], ids=[c[0] for c in CHECKS])
def test_check_references(text: str, expected: list[str]) -> None:
    entries, syntax = parse_bibtex(text, B)
    assert syntax == []
    refs, findings = check_references(entries)
    assert lines(findings) == expected
    assert list(refs) == ["k"]


def test_reference_keeps_authors_unverified_and_location() -> None:
    text = entry("  author = {Doe, Jane and Smith, John and {World Health Organization}},\n  unverified = {doi, pmid},\n")
    refs, findings = check_references(parse_bibtex("\n\n" + text, B)[0])
    assert findings == []
    ref = refs["k"]
    assert ref.authors == ("Doe, Jane", "Smith, John", "{World Health Organization}")
    assert ref.unverified == ("doi", "pmid")
    assert ref.type == "article"
    assert ref.location == Location(B, 3, 1)
    assert ref.get("title") == "T"
    assert ref.get("doi") is None


def test_every_entry_is_checked_and_reported_in_file_order() -> None:
    text = entry("") + "\n" + entry("  doi = {nope},\n").replace("{k,", "{j,")
    refs, findings = check_references(parse_bibtex(text, B)[0])
    assert list(refs) == ["k", "j"]
    assert [(f.code, f.location.line) for f in findings] == [("E305", 1), ("E306", 9)]


@pytest.mark.parametrize("key", ["../../escape", "a/b", "-lead", "k?x", "x" * 101])
def test_keys_that_cannot_name_a_page_are_refused(key: str) -> None:
    """A reference key becomes references/<key>.md; path characters would write outside it."""
    entries, problems = parse_bibtex(f"@misc{{{key},\n  title = {{T}},\n  year = {{2000}},\n}}\n", "r.bib")
    assert problems == []
    refs, found = check_references(entries)
    assert refs == {}
    assert [f.text() for f in found] == [
        f"r.bib:1:1: E311 reference key '{key}' may hold only letters, digits and _ : . + - (starting with a letter or digit)"
    ]
