"""The fast paths give exactly what the slow, general code gives.

Formatting articles without pybtex's template engine, and relative links without asking the
OS, are each compared with the code they stand in for: on every reference of the review, and
on generated input. A fast path may decline (and leave the work to the general code); it may
never answer differently.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.richtext import String, Text

from evidence import bibformat
from evidence.bibfile import parse_bibtex
from evidence.findings import Location
from evidence.model import Reference
from evidence.references import check_references
from evidence.render import _relative_link

REPO = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def slow(ref: Reference, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(bibformat, "_article", lambda *args: None)
        return bibformat.ReferenceFormatter()._format(ref)


def test_every_reference_of_the_review_formats_as_pybtex_does(monkeypatch: pytest.MonkeyPatch) -> None:
    entries, _ = parse_bibtex((REPO / "references.bib").read_text("utf-8"), "references.bib")
    refs, _ = check_references(entries)
    fast = 0
    for ref in refs.values():
        formatter = bibformat.ReferenceFormatter()
        assert formatter._format(ref) == slow(ref, monkeypatch), ref.key
        fields = {k: bibformat._shield(bibformat._clean(v)) for k, v in ref.fields.items()}
        fast += bibformat._article(ref.type, fields, [bibformat._person(a) for a in ref.authors]) is not None
    assert fast >= len([r for r in refs.values() if r.type == "article"]) // 2, "the fast path should cover most articles"


def test_a_plain_article_takes_the_fast_path() -> None:
    fields = {"title": "A trial", "journal": "Gut", "year": "2011", "volume": "56", "number": "7", "pages": "2088-2097"}
    people = [bibformat._person("Smith, J. P."), bibformat._person("van der Berg, Anna"), bibformat._person("Doe, Jr., John")]
    text = bibformat._article("article", fields, people)
    assert text == "J. P. Smith, Anna van der Berg, and John Doe, Jr. A trial. Gut, 56(7):2088-2097, 2011."


ARTICLES = [
    ({"title": "Does it work?", "journal": "Gut", "year": "2011"}, ["Smith, J. P."]),
    ({"title": "It works!", "journal": "Gut", "year": "2011", "pages": "e058358"}, ["Smith, J. P.", "Roe, A."]),
    ({"title": "Done.", "journal": "Gut", "year": "2011", "volume": "3", "pages": "1-9", "month": "March"}, ["A, B", "C, D", "E, F"]),
    ({"title": "T", "journal": "J", "year": "2011", "volume": "3", "number": "2", "pages": "1-9", "note": "In press"}, ["others"]),
    ({"title": "T", "journal": "J", "year": "2011", "volume": "3"}, ["de la Cruz, Maria", "Doe, Jr., John"]),
]


@pytest.mark.parametrize(("fields", "authors"), ARTICLES)
def test_article_branches_take_the_fast_path_and_match(fields: dict[str, str], authors: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ref = Reference("k", "article", fields, tuple(authors), Location("references.bib", 1, 1))
    assert bibformat._article("article", fields, [bibformat._person(a) for a in authors]) is not None
    assert bibformat.ReferenceFormatter()._format(ref) == slow(ref, monkeypatch)


CHARS = st.sampled_from([*"abcXYZ019 .,;:()'\"-/?!&+=*#<>_^", "--", "''", "{", "}", "\\", "~", "`", "$", "%", "\\'e", "é", "\u00a0", "  "])
VALUE = st.one_of(st.lists(CHARS, max_size=8).map("".join), st.lists(st.sampled_from([*"abc XY09.?!-:(),'"]), max_size=10).map("".join))
NAME = st.one_of(
    st.sampled_from(["Smith, J. P.", "van der Berg, Anna", "Doe, Jr., John", "others", "{World Health Organization}", 'M{\\"u}ller, K.']),
    st.tuples(VALUE, VALUE).map(lambda p: f"{p[0]}, {p[1]}"),
)


@SETTINGS
@given(
    kind=st.sampled_from(["article", "article", "misc", "book"]),
    fields=st.one_of(
        st.fixed_dictionaries(
            {"title": VALUE, "journal": VALUE, "year": VALUE}, optional={k: VALUE for k in bibformat._ARTICLE_FIELDS[3:]}
        ),
        st.dictionaries(st.sampled_from(bibformat._ARTICLE_FIELDS), VALUE, max_size=8),
    ),
    authors=st.lists(NAME, max_size=4),
)
def test_generated_articles_format_as_pybtex_does(kind: str, fields: dict[str, str], authors: list[str]) -> None:
    ref = Reference("k", kind, fields, tuple(authors), Location("references.bib", 1, 1))
    with pytest.MonkeyPatch.context() as m:
        assert bibformat.ReferenceFormatter()._format(ref) == slow(ref, m)


@SETTINGS
@given(VALUE)
def test_literal_text_is_what_pybtex_reads_back(value: str) -> None:
    if bibformat._literal(value):
        assert Text.from_latex(value) == (Text(String(value)) if value else Text())


FOLDERS = st.sampled_from(["", "conditions", "references", "a/b", "conditions/x", ".", "a/../b", "a//b"])
TARGETS = st.sampled_from(
    ["index.md", "claims.md", "conditions/index.md", "references/k.md", "a/b/c.md", "a b/é.md", "methods.md#grades", "../x.md"]
)


@SETTINGS
@given(FOLDERS, TARGETS)
def test_relative_links_match_posixpath(folder: str, target: str) -> None:
    expected = quote(posixpath.relpath(target, folder or "."), safe="/.-_~#:+")
    assert _relative_link(folder, target) == expected
