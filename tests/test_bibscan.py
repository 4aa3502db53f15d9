"""The fast BibTeX reader and the fast author-list split answer exactly as pybtex does, or decline.

`bibscan.scan` and `references.plain_names` stand in for pybtex's pure-Python parser and name
parser on the check path. Each is compared with pybtex on the review, on a generated review (in test_bench),
on generated well-formed entries (which the fast reader must accept) and on random BibTeX-ish
text (where it may decline but never differ).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pybtex.database import Person
from pybtex.database.input.bibtex import NAME_CHARS, LowLevelParser, month_names, split_name_list
from pybtex.scanner import PybtexError

from evidence import bibscan
from evidence.references import plain_names
from test_bibtex_properties import BIBISH

REPO = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pybtex_commands(text: str) -> tuple[list[Any], list[str]]:
    """What pybtex's low-level parser reads, as `bibscan.scan` reports it, and its errors."""
    errors: list[str] = []
    parser = LowLevelParser(text, macros=dict(month_names), handle_error=lambda e: errors.append(str(e)))
    commands: list[Any] = []
    try:
        for name, body in parser:
            start = parser.command_start or 0
            commands.append((name, body, start, max(parser.pos, start + 1)))
    except (PybtexError, RecursionError) as exc:
        errors.append(str(exc))
    return commands, errors


def assert_same_as_pybtex(text: str, must_accept: bool = False) -> None:
    fast = bibscan.scan(text)
    if fast is None:
        assert not must_accept, f"the fast reader declined:\n{text}"
        return
    slow, errors = pybtex_commands(text)
    assert errors == [], f"the fast reader accepted text pybtex refuses: {errors}\n{text}"
    assert fast == slow


def test_the_name_characters_are_pybtex_s() -> None:
    assert bibscan.NAME_CHARS == NAME_CHARS


def test_the_review_bibliography_takes_the_fast_path() -> None:
    assert_same_as_pybtex((REPO / "references.bib").read_text("utf-8"), must_accept=True)


@pytest.mark.parametrize(
    "text",
    [
        "@string{x = {y}} @article{k, title = x}",
        "@preamble{{x}}",
        "@article{k, title = {a} # {b}}",
        "@article{k, month = jan}",
        "@article(k, title = {a})",
        "@article{k, title = {a}",
        "@article{k, title = {a{b}",
        '@article{k, title = "a}b"}',
        "@article{k, title {a}}",
        "@article{, title = {a}}",
        "@article2{k, title = {a}}",
        "% me@example.org\n@article{k, title = {a}}",
        "@article{k, title = " + "{" * 120 + "}" * 120 + "}",
    ],
)
def test_anything_unusual_is_left_to_pybtex(text: str) -> None:
    assert bibscan.scan(text) is None
    assert_same_as_pybtex(text)


SPACE = st.sampled_from(["", " ", "\n", "  \n\t", "\u00a0"])
PLAIN = st.text(alphabet=st.sampled_from([*"aZ09 ,.:;()'/?-_*!<>&`\\[]|~^$=@%\t\n\u00e9#"]), max_size=12)


@st.composite
def braced(draw: st.DrawFn, depth: int = 0) -> str:
    parts = draw(st.lists(PLAIN if depth > 2 else st.one_of(PLAIN, braced(depth + 1)), max_size=3))
    return "{" + "".join(parts) + "}"


@st.composite
def value(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["braced", "quoted", "number"]))
    if kind == "number":
        return draw(st.from_regex(r"[0-9]{1,5}", fullmatch=True))
    if kind == "quoted":
        inner = draw(st.lists(st.one_of(PLAIN.map(lambda s: s.replace('"', "")), braced()), max_size=3))
        return '"' + "".join(inner) + '"'
    return draw(braced())


@st.composite
def entry(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["article", "Misc", "online", "COMMENT"]))
    key = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_:.+{@=-]{0,8}", fullmatch=True))
    fields = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["title", "author", "year", "doi", "x-y", "a.b", "Note2"]))
        fields.append(f"{draw(SPACE)}{name}{draw(SPACE)}={draw(SPACE)}{draw(value())}{draw(SPACE)}")
    comma = draw(st.sampled_from(["", ","]))
    s1, s2 = draw(SPACE), draw(SPACE)
    return f"@{s1}{kind}{s2}{{{draw(SPACE)}{key}," + ",".join(fields) + f"{comma}{draw(SPACE)}}}"


BETWEEN = st.text(alphabet=st.sampled_from([*"ab \n%{}()=,#"]), max_size=10)
WELL_FORMED = st.lists(st.tuples(BETWEEN, entry()), max_size=5).map(lambda pairs: "".join(a + b for a, b in pairs))


@SETTINGS
@given(WELL_FORMED)
def test_well_formed_entries_are_read_as_pybtex_reads_them(text: str) -> None:
    assert_same_as_pybtex(text, must_accept="COMMENT" not in text)


@SETTINGS
@given(BIBISH)
def test_on_any_text_the_fast_reader_declines_or_agrees(text: str) -> None:
    assert_same_as_pybtex(text)


def pybtex_names(value: str) -> list[str] | None:
    try:
        names = split_name_list(value)
        for name in names:
            Person(name)
    except PybtexError:
        return None
    return names


NAMEISH = st.lists(
    st.sampled_from([*"aB ,.{}\\'~-", " and ", " AND ", "and", " aNd", "{\\'i}", "{and}", "O'Brien", "van der", ", Jr., "]), max_size=14
).map("".join)


@SETTINGS
@given(NAMEISH)
def test_author_lists_split_as_pybtex_splits_them(value: str) -> None:
    fast = plain_names(value)
    if fast is not None:
        assert fast == pybtex_names(value)


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Smith, J. P. and van der Berg, Anna", ["Smith, J. P.", "van der Berg, Anna"]),
        ("Garc{\\'i}a, M. D. AND {World Health Organization}", ["Garc{\\'i}a, M. D.", "{World Health Organization}"]),
        ("Doe, Jr., John and {Barnes and Noble}", ["Doe, Jr., John", "{Barnes and Noble}"]),
    ],
)
def test_common_author_lists_take_the_fast_path(value: str, names: list[str]) -> None:
    assert plain_names(value) == names == pybtex_names(value)


@pytest.mark.parametrize("value", ["A, B, C, D", "Smith, {J", "Smith}, J", "{{a}"])
def test_author_lists_pybtex_refuses_or_reads_oddly_are_left_to_it(value: str) -> None:
    assert plain_names(value) is None


def test_a_clean_check_never_imports_pybtex() -> None:
    code = "import sys; from evidence.cli import main; rc = main(['check', sys.argv[1]]); print(rc, 'pybtex' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "0 False"
