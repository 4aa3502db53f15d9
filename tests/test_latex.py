"""evidence.latex and its use in reference formatting: LaTeX in BibTeX fields shown as Unicode text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.richtext import Text

from conftest import BuildResult
from evidence import bibformat
from evidence.bibfile import parse_bibtex
from evidence.bibformat import ReferenceFormatter
from evidence.latex import Unknown, sort_text, to_text
from evidence.model import Reference
from evidence.references import check_references

NBSP = "\u00a0"

TEXT = [
    ("braced accent", r"Sch{\"o}n", "Schön"),
    ("accent on a group", r"\'{e}t\'e", "été"),
    ("accent without braces", r"na\"ive caf\'e", "naïve café"),
    ("letter accents", r"\v{c}\c{c}\H{o}\k{a}\u{g}\r{u}\={a}\.{z}\d{s}", "čçőąğůāżṣ"),
    ("letter accent with a space", r"Gar\c con", "Garçon"),
    ("accent on dotless i", r"Ros\'{\i}o", "Rosío"),
    ("symbols", r"{\aa}ngstr{\"o}m \AA{}berg {\o}l \ss{} {\ae} {\OE} {\L}\'od\'z", "ångström Åberg øl ß æ Œ Łódź"),
    ("symbol eats the space after it", r"Stra\ss e", "Straße"),
    ("dashes", "1--10, a---b, well-known", "1–10, a—b, well-known"),
    ("tie is a no-break space", "Fig.~2", f"Fig.{NBSP}2"),
    ("quotes", "``cure'' `or' not", "“cure” ‘or' not"),
    ("apostrophe kept", "Crohn's disease", "Crohn's disease"),
    ("escaped specials", r"50\% \& \$5 \#1 a\_b \{x\}", "50% & $5 #1 a_b {x}"),
    ("protective braces go", "{DNA} of {{HIV}}", "DNA of HIV"),
    ("style commands show their argument", r"\emph{in vivo} \textbf{bold} \textit{it} \textsc{Sc}", "in vivo bold it Sc"),
    ("font switches vanish", r"{\em in vivo} {\bf x}", "in vivo x"),
    ("super- and subscripts", r"CD4\textsuperscript{+} CO\textsubscript{2} x\textsuperscript{th}", "CD4⁺ CO₂ xth"),
    ("url kept verbatim", r"\url{https://x.org/a_b~c}", "https://x.org/a_b~c"),
    ("href shows its text", r"\href{https://x.org}{the site}", "the site"),
    ("text-mode Greek", r"\beta-endorphin and \Delta", "β-endorphin and Δ"),
    ("thin space", r"4.5\,mg", "4.5\u202fmg"),
    ("line break", r"a\\b", "a b"),
    ("whitespace collapsed, edges trimmed", "  a \n\t b  ", "a b"),
    ("math kept as written", r"$\alpha$-chain, $p < 0.05$", r"$\alpha$-chain, $p < 0.05$"),
    ("unpaired dollar", "US$ 5", "US$ 5"),
    ("unknown command shows its argument", r"\foo{bar} baz", "bar baz"),
    ("unknown command without argument", r"a \foo b", "a b"),
    ("lone backslash", "a\\", "a"),
    ("sort-order trick hidden", r"{\noopsort{b}}Zeta", "Zeta"),
    ("private-use character dropped", "a\ue0a1b", "ab"),
]


@pytest.mark.parametrize(("value", "expected"), [t[1:] for t in TEXT], ids=[t[0] for t in TEXT])
def test_to_text(value: str, expected: str) -> None:
    assert to_text(value).text == expected


UNKNOWN = [
    ("known commands", r"Sch{\"o}n \emph{x} $", []),
    ("unknown with argument", r"\foo{bar}", [Unknown(r"\foo", "bar")]),
    ("unknown without argument", r"a \relaxx b", [Unknown(r"\relaxx", "")]),
    ("unknown inside a known one", r"\emph{\bar{x}}", [Unknown(r"\bar", "x")]),
    ("two arguments", r"\frac{1}{2}", [Unknown(r"\frac", "1")]),
    ("math", r"$\alpha$ and \(x\)", [Unknown(r"$\alpha$", r"$\alpha$", "math"), Unknown(r"\(x\)", r"\(x\)", "math")]),
    ("private use", "x\ue000", [Unknown("U+E000", "", "character")]),
]


@pytest.mark.parametrize(("value", "expected"), [u[1:] for u in UNKNOWN], ids=[u[0] for u in UNKNOWN])
def test_what_could_not_be_converted_is_reported(value: str, expected: list[Unknown]) -> None:
    assert list(to_text(value).unknown) == expected


def test_sort_text_files_accented_letters_with_their_base() -> None:
    names = ["Zeta", "Åberg", "Schön", "Schmidt", "abel", "Straße"]
    assert sorted(names, key=sort_text) == ["abel", "Åberg", "Schmidt", "Schön", "Straße", "Zeta"]


def test_deep_nesting_is_flattened_not_recursed() -> None:
    deep = "\\emph{" * 300 + "x" + "}" * 300
    decoded = to_text(deep)
    assert decoded.text == "x"
    assert decoded.unknown and decoded.unknown[0].command == "\\emph"


# ---- Through the reference formatter: pages, previews, labels and sorting -----------------------

BIB = r"""@article{k,
  author = {Sch{\"o}n, J{\"u}rgen and M\"uller, Anna and {\AA}berg, Bo},
  title = {Caf\'e --- na\"ive {\aa} \ss{} 1--2 a~b \emph{in vivo} {DNA} ``q'' \& x},
  journal = {Acta Med {\O}rebro},
  volume = {3},
  pages = {1--10},
  year = {2020},
  doi = {10.1000/x},
}
"""


def formatted(bib: str) -> tuple[ReferenceFormatter, dict[str, Reference]]:
    entries, problems = parse_bibtex(bib, "r.bib")
    assert problems == []
    refs, _ = check_references(entries)
    return ReferenceFormatter(), refs


def test_citation_label_and_sort_key_are_unicode() -> None:
    fmt, refs = formatted(BIB)
    ref = refs["k"]
    assert fmt.plain(ref) == (
        f"Jürgen Schön, Anna Müller, and Bo Åberg. Café — naïve å ß 1–2 a{NBSP}b in vivo DNA “q” & x. Acta Med Ørebro, 3:1–10, 2020."
    )
    assert fmt.label(ref) == "Schön et al. 2020"
    assert fmt.sort_key(ref) == ("schon", "2020")


def test_braced_corporate_author_stays_whole_in_the_label() -> None:
    fmt, refs = formatted("@misc{k, author = {{World Health {\\O}rganization}}, title = {T}, year = {2021}}\n")
    assert fmt.label(refs["k"]) == "World Health Ørganization 2021"


def test_label_without_authors_uses_the_decoded_title() -> None:
    fmt, refs = formatted('@misc{k, title = {{\\"U}ber \\emph{alles}}, year = {2021}}\n')
    assert fmt.label(refs["k"]) == "Über alles 2021"
    assert fmt.sort_key(refs["k"]) == ("uber alles", "2021")


def test_literal_specials_survive_pybtex_formatting() -> None:
    fmt, refs = formatted("@misc{k, title = {50\\% of {\\{x\\}} cost \\$5, $x^2$, a\\textasciitilde b -{}- ,{},}, year = {2021}}\n")
    assert fmt.plain(refs["k"]) == "50% of {x} cost $5, $x^2$, a~b -- ,,. 2021."


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"%\\`{}~$',-. aZé'\"#&_^", "\u00a0", "\u2013"]), max_size=40))
def test_shielded_text_passes_through_pybtex_unchanged(value: str) -> None:
    """What `latex` produced is what pybtex renders: it never reads it as LaTeX a second time."""
    text = to_text(value).text
    assert Text.from_latex(bibformat._shield(text)).render_as("text").translate(bibformat._UNSHIELD) == text


# ---- A real strict build ---------------------------------------------------------------------------


def test_accented_reference_builds_as_unicode(site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]) -> None:
    root = site_copy("basic")
    bib = root / "references.bib"
    text = bib.read_text("utf-8")
    text = text.replace("author = {Doe, Jane and Smith, John}", 'author = {Sch{\\"o}n, J{\\"u}rgen and Smith, John}')
    text = text.replace(
        "title = {A randomised trial of the drug}", "title = {A randomised trial of the drug in {\\O}rebro --- \\emph{in vivo}}"
    )
    bib.write_text(text, "utf-8")
    result = build(root)
    assert result.ok, result.messages
    page = (result.site / "references" / "doe2020trial" / "index.html").read_text("utf-8")
    assert "<h1" in page and "Schön and Smith 2020</h1>" in page
    assert "Jürgen Schön and John Smith. A randomised trial of the drug in Ørebro — in vivo." in page
    topic = (result.site / "conditions" / "example-disease" / "index.html").read_text("utf-8")
    preview = re.search(r'<a class="ev-cite" href="../../references/doe2020trial/" title="([^"]+)"', topic)
    assert preview is not None
    assert "Schön and Smith 2020" in preview.group(1)
    assert "A randomised trial of the drug in Ørebro — in vivo" in preview.group(1)
    for html in (page, topic):  # visible text, tooltips and the JSON-LD in the head alike
        assert "\\emph" not in html and "{\\" not in html and "\\O" not in html
