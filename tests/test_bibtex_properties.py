"""Hostile BibTeX: reading, checking and formatting any text gives findings, never an exception, and finishes fast."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.bibfile import parse_bibtex
from evidence.bibformat import ReferenceFormatter
from evidence.cli import main
from evidence.findings import Finding
from evidence.latex import to_text
from evidence.references import check_references

BASIC = Path(__file__).parent / "sites" / "basic"
TOKENS = [
    *"@{}()%\"\\=,#~$-'` \n\t",
    "@article{",
    "@comment{",
    "@string{",
    "@preamble{",
    "article{k,",
    "k",
    "K",
    "title = {",
    "author = ",
    "year = 2020",
    "crossref = ",
    "jan",
    '\\"o',
    "\\'",
    "\\foo",
    "{\\aa}",
    "\\emph{",
    "\\url{",
    "$x$",
    " and ",
    "others",
    "é",
    "\u00a0",
    "\ue0a1",
    "\x00",
    "doi = {10.1000/x}",
]
BIBISH = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_everything(text: str) -> tuple[list[Finding], float]:
    """Findings, and the seconds `evidence check` would spend on them (formatting comes after, untimed)."""
    started = time.perf_counter()
    entries, found = parse_bibtex(text, "r.bib")
    refs, checked = check_references(entries)
    seconds = time.perf_counter() - started
    fmt = ReferenceFormatter()
    for ref in refs.values():
        assert isinstance(fmt.plain(ref), str)
        assert isinstance(fmt.label(ref), str)
        fmt.sort_key(ref)
    return found + checked, seconds


@SETTINGS
@given(BIBISH)
def test_any_bibtex_ish_text_gives_located_findings_fast(text: str) -> None:
    findings, seconds = read_everything(text)
    last_line = text.count("\n") + 1
    for f in findings:
        assert isinstance(f, Finding) and f.location.path == "r.bib"
        assert 0 <= f.location.line <= last_line and f.code[:2] in ("E3", "W3"), f.text()
    assert seconds < 1, f"{seconds:.2f}s for {len(text)} characters"


@SETTINGS
@given(st.text(alphabet=st.sampled_from([*"\\{}$~-'`%&_^ aé{", "\ue0a1", "\u0301"]), max_size=120))
def test_latex_conversion_never_raises_and_leaves_no_braces(value: str) -> None:
    decoded = to_text(value)
    if "\\" not in value and "$" not in value:
        assert "{" not in decoded.text and "}" not in decoded.text
    assert "\ue0a1" not in decoded.text


BIG = 100_000
ADVERSARIAL = [
    ("unclosed braces", "@article{k, title = " + "{" * BIG),
    ("closing braces", "}" * BIG),
    ("nested braces in a value", "@article{k, title = " + "{" * 90 + "x" + "}" * 90 + "}\n" * 2000),
    ("many @comment openings", "@comment{" * 10_000),
    ("many commented entries", "%@article{k,\n" * 10_000),
    ("many entries without @", "article{k,\n" * 10_000),
    ("many stray fields", "year = 2020,\n" * 10_000),
    ("deep LaTeX", "@misc{k, title = {" + "\\emph{" * 90 + "x" + "}" * 90 + "}}\n"),
    ("many commands", "@misc{k, title = {" + "\\foo{x}" * 10_000 + "}}\n"),
    ("many dollars", "@misc{k, title = {" + "$" * BIG + "}}\n"),
    ("long line of @", "@" * BIG),
]


@pytest.mark.parametrize("text", [a[1] for a in ADVERSARIAL], ids=[a[0] for a in ADVERSARIAL])
def test_adversarial_files_are_checked_fast(text: str) -> None:
    """Linear work: a quadratic step (one search of the entry per finding) took minutes here."""
    _, seconds = read_everything(text)
    assert seconds < 5, f"{seconds:.2f}s"


def test_evidence_check_reports_hostile_bibtex_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "review"
    shutil.copytree(BASIC, root)
    hostile = (
        "\n@comment{ @article{hid, title={T}, year=2020} }\n"
        "% @article{old, title = {T}, year = {2020}}\n"
        "article{lost,\n  title = {T},\n}\n"
        "@article{swallow,\n  title = {A {b}, year = 2020},\n  pmid = {1},\n}\n"
        "@inproceedings{child,\n  title = {T},\n  year = {2020},\n  crossref = {doe2020trial},\n  pmid = {2},\n}\n"
        "@misc{latex,\n  title = {A \\foo{bar} $x$},\n  year = {2020},\n}\n"
    )
    with (root / "references.bib").open("a", encoding="utf-8") as f:
        f.write(hostile)
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr()
    codes = {line.split(" ")[1] for line in out.out.splitlines() if line.startswith("references.bib:")}
    assert {"E312", "E313", "E314", "E315", "W303", "W304"} <= codes
    assert "Traceback" not in out.out + out.err
