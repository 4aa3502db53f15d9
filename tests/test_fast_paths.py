"""The fast paths give exactly what the slow, general code gives.

Formatting articles without pybtex's template engine, and relative links without asking the
OS, are each compared with the code they stand in for: on every reference of the review, and
on generated input. A fast path may decline (and leave the work to the general code); it may
never answer differently.
"""

from __future__ import annotations

import copy as copy_module
import json
import os
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.richtext import String, Text

from evidence import bibformat, exports, mdsafe, render, schema
from evidence.bibfile import parse_bibtex
from evidence.files import display_path
from evidence.findings import Location
from evidence.links import link, relative_link
from evidence.load import load_yaml
from evidence.model import Reference
from evidence.references import check_references
from evidence.render import _PLAIN_TEXT
from evidence.sources import load_review

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
    assert relative_link(folder, target) == expected


@SETTINGS
@given(st.text(alphabet=st.sampled_from([*"ab/.-"]), max_size=10), st.sampled_from(["methods.md", "references/a.md", "x/y/z.md"]))
def test_links_from_a_page_use_its_folder_as_posixpath_does(src: str, target: str) -> None:
    assert link(src, target) == relative_link(posixpath.dirname(src), target)


# ---- Schema: jsonschema-rs decides only what jsonschema would decide the same way ------------

CONTENT = REPO / "content"


def review_docs() -> list[tuple[str, object]]:
    docs = [("claims", load_yaml(REPO / "claims.yaml", "claims.yaml")[0].data)]
    for file in sorted(CONTENT.glob("*/*.yaml")):
        docs.append(("studies" if file.parent.name == "studies" else "topic", load_yaml(file, file.name)[0].data))
    return docs


def test_every_file_of_the_review_passes_the_fast_validator() -> None:
    for name, data in review_docs():
        assert schema.is_valid(data, name)
        assert not list(schema.validator(name).iter_errors(data))


def test_python_space_is_what_re_reads_as_space() -> None:
    assert set(schema.PYTHON_SPACE) == {chr(c) for c in range(0x110000) if re.match(r"\s", chr(c))}


def test_patterns_accept_nothing_that_python_refuses() -> None:
    patterns = sorted({p for name in schema.SCHEMAS for p in _patterns(json.loads(schema.schema_text(name)))})
    chars = [chr(c) for c in range(0x3100)] + ["\U0001f600", "\ufeff", "\ue000"]
    for pattern in patterns:
        fast = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": schema._python_pattern(pattern)})
        for c in chars:
            for text in (c, f"a{c}b", f"{c}x vs y", f"x vs {c}y", f"x{c} vs y", f"http://a{c}b", f"2020-01-0{c}", f"ab\n{c}"):
                if fast.is_valid(text):
                    assert re.search(pattern, text), (pattern, text)


def _patterns(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "pattern" and isinstance(v, str)] + [p for v in node.values() for p in _patterns(v)]
    return [p for v in node for p in _patterns(v)] if isinstance(node, list) else []


def _paths(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    children: list[tuple[object, object]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    return [path, *(p for k, v in children for p in _paths(v, (*path, k)))]


def _replace(node: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    copy = copy_module.deepcopy(node)
    parent = copy
    for key in path[:-1]:
        parent = parent[key]  # type: ignore[index]
    parent[path[-1]] = value  # type: ignore[index]
    return copy


TRICKY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "low", "x-y", "a/b", "doe2020trial", "a\n", "a\x1cb", "LDN vs placebo", "LDN\x1c vs placebo", "<b>", "é" * 201]),
    st.text(max_size=12),
    st.lists(st.sampled_from(["low", 1, None]), max_size=2),
    st.dictionaries(st.sampled_from(["id", "key", "name", "extra"]), st.sampled_from(["low", 1]), max_size=2),
)


@SETTINGS
@given(st.data())
def test_fast_validator_never_accepts_what_jsonschema_refuses(data: st.DataObject) -> None:
    docs = REVIEW_DOCS
    name, doc = docs[data.draw(st.integers(0, len(docs) - 1))]
    paths = _paths(doc)
    changed = _replace(doc, paths[data.draw(st.integers(0, len(paths) - 1))], data.draw(TRICKY))
    if schema.is_valid(changed, name):
        assert not list(schema.validator(name).iter_errors(changed))


REVIEW_DOCS = [d for d in review_docs() if d[1] is not None][::4]


def test_a_clean_check_never_imports_jsonschema() -> None:
    code = "import sys; from evidence.cli import main; rc = main(['check', sys.argv[1]]); print(rc, 'jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "0 False"


@SETTINGS
@given(st.text(alphabet=st.sampled_from([*"aZ0129 ,.:;()'/?-_*#!<>&`\\[]{}|~^$\t\n\u200b\u2014"]), max_size=12))
def test_plain_text_is_what_escaping_leaves_unchanged(value: str) -> None:
    if _PLAIN_TEXT.match(value):
        assert mdsafe.text(value) == value


def test_every_character_the_plain_pattern_allows_is_left_alone_by_escaping() -> None:
    for c in map(chr, range(0x3000)):
        for value in (f"a{c}b", f"a{c}", f"a {c}", f"{c}a", f"a{c}{c}b", c, f"1{c}", f"12{c}a", f"{c}1"):
            if _PLAIN_TEXT.match(value):
                assert mdsafe.text(value) == value, repr(value)


@SETTINGS
@given(st.integers())
def test_numbers_are_what_escaping_leaves_unchanged(value: int) -> None:
    assert mdsafe.text(value) == render._finalize(value) == str(value)


def test_common_values_skip_escaping() -> None:
    common = ("Randomised controlled trial", "Smith et al. 2011", "Low", "Crohn's disease", "2019", "40 participants", "\u2014")
    assert all(_PLAIN_TEXT.match(v) for v in common)
    assert not any(_PLAIN_TEXT.match(v) for v in ("1. item", "12) item", "10.", "1.5 mg"))


@pytest.mark.parametrize(
    ("file", "root"),
    [
        ("/r/content/a.yaml", "/r"),
        ("/r/content/a.yaml", "/r/"),
        ("r/content/a.yaml", "r"),
        ("x/../r/a.yaml", "x"),
        ("/r", "/r"),
        ("/rr/a.yaml", "/r"),
        ("content/a.yaml", "."),
        ("/r/b/../a.yaml", "/r"),
        ("/a.yaml", "/"),
    ],
)
def test_display_paths_are_what_relpath_gives(file: str, root: str) -> None:
    assert display_path(Path(file), Path(root)) == os.path.relpath(Path(file), Path(root)).replace(os.sep, "/")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner) | st.dictionaries(st.integers(), inner),
    max_leaves=30,
)


@SETTINGS
@given(JSON)
def test_exports_indent_json_as_the_standard_library_does(data: object) -> None:
    assert exports._json(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def test_the_exports_of_the_review_indent_as_the_standard_library_does() -> None:
    loaded = load_review(REPO)
    assert loaded.corpus is not None
    for data in (exports.claims_export(loaded.corpus, exports.Site()), exports.csl_items(loaded.corpus)):
        assert exports._json(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
