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


# ---- Text the parser skipped or swallowed --------------------------------------------------------

OK = "@misc{ok, title={O}}\n"
E314_COMMENT = (
    "lies inside the @comment that starts at line 1: BibTeX reads it but other tools skip it, so it is left out; "
    "move it out of the @comment to use it, or delete it"
)
E314_PERCENT = (
    "follows '%' on its line: '%' does not comment out a BibTeX entry (BibTeX reads it, other tools skip it), "
    "so it is left out; delete it, or remove the '%' to use it"
)
E315_YEAR = (
    "E315 the title of 'a' runs on into 'year = …', which looks like another field: a closing brace is probably missing, "
    "so that field is not read; check the braces of title"
)

LOST = [
    (
        "entry inside @comment",
        "@comment{ @article{hid, title={T}, year=2020} }\n" + OK,
        ["ok"],
        [f"r.bib:1:11: E314 entry 'hid' {E314_COMMENT}"],
    ),
    (
        "entry inside a multi-line @comment",
        "@comment{\n  old version:\n  @article{hid,\n    title={T},\n  }\n}\n" + OK,
        ["ok"],
        [f"r.bib:3:3: E314 entry 'hid' {E314_COMMENT}"],
    ),
    (
        "entries after an unclosed @comment",
        "@comment{ never closed\n@misc{a, title={T}}\n@misc{b, title={U}}\n",
        [],
        [
            f"r.bib:{n}:1: E314 entry '{k}' lies inside the @comment that starts at line 1 and is never closed: BibTeX reads it "
            "but other tools skip it, so it is left out; move it out of the @comment to use it, or delete it"
            for n, k in ((2, "a"), (3, "b"))
        ],
    ),
    (
        "entry without @ inside @comment",
        "@comment{ article{x, title={T}} }\n" + OK,
        ["ok"],
        [
            "r.bib:1:11: E314 'article{x,' looks like an entry but is inside the @comment that starts at line 1, so it is not read; "
            "delete it, or move it out of the @comment and write '@article{x,'"
        ],
    ),
    (
        "entry after % on its line",
        "% @article{old, title = {T}, year = {2020}}\n" + OK,
        ["ok"],
        [f"r.bib:1:3: E314 entry 'old' {E314_PERCENT}"],
    ),
    (
        "entry commented out line by line",
        "%@article{old,\n%  title = {T},\n%}\n" + OK,
        ["ok"],
        [
            "r.bib:2:1: E301 BibTeX syntax error: '}' expected (in the entry starting at line 1); "
            "'%' does not comment out a line inside an entry: delete the line instead",
            f"r.bib:1:2: E314 entry 'old' {E314_PERCENT}",
        ],
    ),
    (
        "% line inside an entry",
        "@article{a,\n  title = {T},\n%  year = {2020},\n}\n" + OK,
        ["a", "ok"],
        [
            "r.bib:3:1: E301 BibTeX syntax error: '}' expected (in the entry starting at line 1); "
            "'%' does not comment out a line inside an entry: delete the line instead"
        ],
    ),
    (
        "entry without @",
        "article{lost,\n  title = {T},\n}\n" + OK,
        ["ok"],
        ["r.bib:1:1: E313 'article{lost,' looks like an entry but has no '@', so it is not read; write '@article{lost,'"],
    ),
    (
        "fields left behind by an early closing brace",
        "@article{a,\n  title = {A}},\n  year = 2020,\n  doi = {10.1000/x},\n}\n" + OK,
        ["a", "ok"],
        [
            "r.bib:3:3: E313 'year = …' looks like a field but lies outside every entry, so it is not read; "
            "the entry 'a' probably closes too early; check the braces",
            "r.bib:4:3: E313 'doi = …' looks like a field but lies outside every entry, so it is not read; "
            "the entry 'a' probably closes too early; check the braces",
        ],
    ),
    (
        "entry swallowed by an unclosed one",
        "@article{a,\n  title = {A},\n  year = 2020,\n\n@misc{b, title={O}}\n",
        ["a"],
        [
            "r.bib:5:6: E301 BibTeX syntax error: '=' expected (in the entry starting at line 1)",
            "r.bib:5:1: E313 '@misc' looks like an entry but lies inside the entry 'a' (line 1), so it is not read; close 'a' before it",
        ],
    ),
    (
        "value swallows the next field, no syntax error",
        "@article{a,\n  title = {A {b}, year = 2020},\n  doi = {10.1/x},\n}\n",
        ["a"],
        [f"r.bib:2:3: {E315_YEAR}"],
    ),
    (
        "value swallows the next field and the entry's end",
        "@article{a,\n  title = {A {b},\n  year = 2020,\n}\n\n" + OK,
        ["a", "ok"],
        ["r.bib:6:1: E301 BibTeX syntax error: '}' expected (in the entry starting at line 1)", f"r.bib:2:3: {E315_YEAR}"],
    ),
    (
        "notes, commas, equals signs and @ that are not entries",
        "Notes: see the 2020 update, year = later.\nDraft (v2, unpublished)\n@comment{ status: year = 2020 (draft, v2) }\n"
        "@misc{ok, title={Effect size, d = 0.5}, note={x@y.org (a)}}\n",
        ["ok"],
        [],
    ),
]


@pytest.mark.parametrize(("text", "keys", "expected"), [c[1:] for c in LOST], ids=[c[0] for c in LOST])
def test_text_the_parser_skipped_or_swallowed_is_reported(text: str, keys: list[str], expected: list[str]) -> None:
    entries, findings = parse_bibtex(text, B)
    assert [e.key for e in entries] == keys
    assert lines(findings) == expected


def test_swallowed_field_is_not_silently_part_of_the_title() -> None:
    """Without E315 the year would be lost and the title would read "A b, year = 2020" with no syntax error at all."""
    [entry], findings = parse_bibtex("@article{a,\n  title = {A {b}, year = 2020},\n}\n", B)
    assert "year" not in entry.fields
    assert [f.code for f in findings] == ["E315"]


# ---- crossref and LaTeX in references ---------------------------------------------------------------

CROSSREF = (
    "@inproceedings{k,\n  title = {T},\n  year = {2020},\n  crossref = {conf2020},\n  doi = {10.1000/x},\n}\n"
    "@proceedings{conf2020,\n  title = {Proc},\n  booktitle = {Proceedings of X},\n  publisher = {P},\n"
    "  year = {2020},\n  doi = {10.1000/y},\n}\n"
)


@pytest.mark.parametrize("field", ["crossref", "xdata"])
def test_crossref_is_refused_and_nothing_is_inherited(field: str) -> None:
    entries, syntax = parse_bibtex(CROSSREF.replace("crossref =", f"{field} ="), B)
    assert syntax == []
    refs, findings = check_references(entries)
    assert lines(findings) == [
        f"r.bib:4:3: E312 'k' takes fields from 'conf2020' through {field}, which this site does not follow; "
        f"write the fields it needs (booktitle, editor, publisher, year, ...) into 'k' and remove {field}"
    ]
    assert "booktitle" not in refs["k"].fields and "publisher" not in refs["k"].fields


def test_crossref_to_a_missing_or_own_key_is_refused_too() -> None:
    for target in ("nowhere", "k"):
        entries, _ = parse_bibtex(
            f"@inproceedings{{k,\n  title = {{T}},\n  year = {{2020}},\n  crossref = {{{target}}},\n  doi = {{10.1000/x}},\n}}\n", B
        )
        assert [f.code for f in check_references(entries)[1]] == ["E312"]


W303 = "write the text itself (é is fine)"
W304 = "is shown exactly as written, dollar signs included; write the characters themselves (such as β or ≥), or \\$ for a dollar sign"
LATEX_FINDINGS = [
    ("known accents and commands are fine", '  journal = {Sch{\\"o}n \\emph{x} 1--2 \\& 50\\%},\n', []),
    (
        "unknown command with argument",
        "  journal = {A \\foo{bar} b},\n",
        [f"r.bib:4:16: W303 unknown LaTeX command \\foo in the journal of 'k': the page shows only 'bar'; {W303}"],
    ),
    (
        "unknown command in an author name",
        '  author = {Doe, J\\"{o}\\weird},\n',
        [f"r.bib:4:24: W303 unknown LaTeX command \\weird in the author of 'k': the page leaves it out; {W303}"],
    ),
    (
        "math on a later line of the field",
        "  note = {A\n    $\\alpha$ chain},\n",
        [f"r.bib:5:5: W304 math $\\alpha$ in the note of 'k' {W304}"],
    ),
    ("private-use character", "  note = {a\ue000b},\n", ["r.bib:4:3: W303 private-use character U+E000 in the note of 'k' is left out"]),
    ("identifiers are not read as LaTeX", "  doi = {10.1000/a\\b$x$},\n", []),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in LATEX_FINDINGS], ids=[c[0] for c in LATEX_FINDINGS])
def test_latex_that_cannot_be_shown_faithfully_is_located(body: str, expected: list[str]) -> None:
    entries, syntax = parse_bibtex(entry(body + "  pmid = {1},\n"), B)
    assert syntax == []
    _, findings = check_references(entries)
    assert lines(findings) == expected


def test_repeated_latex_problems_are_reported_once_per_field_and_counted() -> None:
    """A field with thousands of unknown commands gives a handful of warnings, not thousands."""
    many = "".join(f"\\x{c}{{}}" for c in "abcdefg")
    entries, _ = parse_bibtex(entry(f"  note = {{\\foo{{x}} \\foo{{x}} \\foo{{x}}}},\n  journal = {{{many * 100}}},\n  pmid = {{1}},\n"), B)
    findings = lines(check_references(entries)[1])
    assert findings[0] == f"r.bib:4:11: W303 unknown LaTeX command \\foo (3 times) in the note of 'k': the page shows only 'x'; {W303}"
    assert [f.split(": ", 1)[1][:4] for f in findings[1:]] == ["W303"] * 6
    assert "(100 times)" in findings[1]
    assert findings[-1] == "r.bib:5:3: W303 2 more LaTeX commands or formulas in the journal of 'k' cannot be shown as text"


def test_overlong_field_is_refused_and_cut() -> None:
    title = "word " * 2000
    entries, problems = parse_bibtex("@misc{big,\n  title = {" + title + "},\n  year = {2020},\n}\n", "r.bib")
    assert problems == []
    refs, found = check_references(entries)
    assert [f.text() for f in found] == [
        "r.bib:2:3: E316 the title of 'big' is 9,999 characters; a field may hold at most 5,000: shorten it"
    ]
    assert len(refs["big"].fields["title"]) == 5000
