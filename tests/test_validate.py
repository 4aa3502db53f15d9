"""evidence.sources.load_review on small review folders: exact findings, and the Corpus indexes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.findings import sort_findings
from evidence.sources import Loaded, load_review

BASIC = Path(__file__).parent / "sites" / "basic"
C = "content/conditions/example-disease.yaml"
M = "content/mechanisms/example-pathway.yaml"
S = "content/studies/facts.yaml"
BIB = "references.bib"
MECHANISMS = "  - {id: mechanisms, label: Mechanisms, singular: Mechanism, description: How it works.}"
Edit = Callable[[Path], None]


def replace(rel: str, old: str, new: str) -> Edit:
    def apply(root: Path) -> None:
        file = root / rel
        text = file.read_text("utf-8")
        assert text.count(old) == 1, f"{old!r} must occur once in {rel}"
        file.write_text(text.replace(old, new), "utf-8")

    return apply


def write(rel: str, text: str) -> Edit:
    def apply(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")

    return apply


def append(rel: str, text: str) -> Edit:
    def apply(root: Path) -> None:
        with (root / rel).open("a", encoding="utf-8") as f:
            f.write(text)

    return apply


def review(tmp_path: Path, *edits: Edit) -> Loaded:
    """Copy tests/sites/basic into tmp_path, apply the edits, and load it."""
    root = tmp_path / "review"
    shutil.copytree(BASIC, root)
    for edit in edits:
        edit(root)
    return load_review(root)


def lines(loaded: Loaded) -> list[str]:
    return [f.text() for f in sort_findings(loaded.findings)]


def unused(key: str, line: int) -> str:
    return f"{BIB}:{line}:1: W301 reference '{key}' is not cited by any claim or page; cite it or remove it"


def test_clean_basic_site_has_no_findings(tmp_path: Path) -> None:
    loaded = review(tmp_path)
    assert lines(loaded) == []
    assert loaded.corpus is not None
    assert [t.id for t in loaded.corpus.topics] == ["conditions/example-disease", "mechanisms/example-pathway"]
    assert sorted(loaded.corpus.references) == ["doe2020trial", "poe2018mice", "roe2019case", "web2021page"]
    assert loaded.prose["index.md"][1].items == (("roe2019case", "p. 3"), ("doe2020trial", None))


def test_corpus_backlinks_and_topic_links(tmp_path: Path) -> None:
    corpus = review(tmp_path).corpus
    assert corpus is not None
    assert [c.id for c in corpus.claims_citing["doe2020trial"]] == ["example-trial-benefit"]
    assert [c.id for c in corpus.claims_citing["roe2019case"]] == ["example-trial-benefit", "example-web-claim"]
    assert "web2021page" not in corpus.claims_citing  # asserted_by is not a citation
    assert corpus.linked_topics == {
        "conditions/example-disease": ("mechanisms/example-pathway",),
        "mechanisms/example-pathway": ("conditions/example-disease",),
    }
    assert [c.id for c in corpus.claims_about["conditions/example-disease"]] == ["example-pathway-mice"]
    locators = [(c.key, c.locator) for c in corpus.claim_by_id["example-trial-benefit"].cites]
    assert locators == [("doe2020trial", None), ("roe2019case", "Table 2")]


SCENARIOS = [
    (
        "unknown field with did-you-mean",
        [replace(M, "statement: Mice", "statment: Mice")],
        [
            f"{M}:4:5: E203 missing required field 'statement' in 'claims'",
            f"{M}:5:5: E201 unknown field 'statment' in 'claims'; did you mean 'statement'?",
            unused("poe2018mice", 18),
        ],
    ),
    (
        "unknown field without a close match",
        [replace("claims.yaml", "  disclaimer:", "  colour: red\n  disclaimer:")],
        [
            "claims.yaml:4:3: E201 unknown field 'colour' in 'review'; allowed here: "
            "description, disclaimer, last_reviewed, repository, title"
        ],
    ),
    (
        "number where text is expected",
        [replace(C, "outcome: response", "outcome: 1.10")],
        [f"{C}:10:14: E202 expected text in 'outcome', found the number 1.10; put it in quotes to keep it as text: \"1.10\""],
    ),
    (
        "boolean where text is expected",
        [replace("claims.yaml", "title: Scenario review", "title: true")],
        ["claims.yaml:2:10: E202 expected text in 'title', found the boolean true; put it in quotes to keep it as text: \"true\""],
    ),
    (
        "text where a whole number is expected",
        [replace(S, "n: 40", "n: forty")],
        [f"{S}:3:6: E202 expected a whole number in 'n', found the text 'forty'"],
    ),
    (
        "missing required field",
        [replace(M, "    why: Preclinical animal work.\n", "")],
        [f"{M}:4:5: E203 missing required field 'why' in 'claims'", unused("poe2018mice", 18)],
    ),
    (
        "empty cite list",
        [replace(M, "cite: [poe2018mice]", "cite: []")],
        [f"{M}:8:11: E403 claim has no citation; cite at least one reference from references.bib", unused("poe2018mice", 18)],
    ),
    (
        "unknown citation key",
        [replace(C, "cite: [roe2019case]", "cite: [roe2019cas]")],
        [f"{C}:16:12: E404 unknown reference key 'roe2019cas' (claim 'example-web-claim'); did you mean 'roe2019case'?"],
    ),
    ("unknown grade", [replace(C, "grade: low", "grade: lo")], [f"{C}:7:12: E402 unknown grade 'lo'; did you mean 'low'?"]),
    (
        "unknown verdict",
        [replace(C, "verdict: overstated", "verdict: overstatd")],
        [f"{C}:18:14: E402 unknown verdict 'overstatd'; did you mean 'overstated'?"],
    ),
    (
        "unknown design",
        [replace(S, "design: animal", "design: animl")],
        [f"{S}:10:23: E402 unknown design 'animl'; did you mean 'animal'?"],
    ),
    (
        "unknown kind folder",
        [write("content/dosing/how-much.yaml", "title: How much\nsummary: Unknown.\n")],
        ["content/dosing/how-much.yaml:1:1: E402 unknown topic kind (folder under content/) 'dosing'"],
    ),
    (
        "duplicate claim id across files",
        [replace(M, "id: example-pathway-mice", "id: example-trial-benefit")],
        [
            f"{M}:4:9: E401 duplicate claim id 'example-trial-benefit': first at {C}:5:9; claim ids must be unique across the review",
            unused("poe2018mice", 18),
        ],
    ),
    (
        "see names an unknown topic",
        [replace(M, "see: [conditions/example-disease]", "see: [conditions/example-diseas]")],
        [f"{M}:9:11: E406 unknown topic 'conditions/example-diseas'; did you mean 'conditions/example-disease'?"],
    ),
    (
        "related names an unknown topic",
        [replace(C, "related: [mechanisms/example-pathway]", "related: [mechanisms/example-pathwy]")],
        [f"{C}:3:11: E406 unknown topic 'mechanisms/example-pathwy'; did you mean 'mechanisms/example-pathway'?"],
    ),
    (
        "related names itself",
        [replace(C, "related: [mechanisms/example-pathway]", "related: [conditions/example-disease]")],
        [f"{C}:3:11: E406 topic 'conditions/example-disease' lists itself as related"],
    ),
    (
        "grade above the design ceiling",
        [replace(M, "grade: very-low", "grade: low")],
        [
            f"{M}:6:12: E407 grade 'low' is above what the cited designs support (at most very-low from animal 'poe2018mice'); "
            "lower the grade or cite stronger evidence"
        ],
    ),
    (
        "study facts for an unknown key",
        [append(S, "ghost2000x: {design: rct}\n")],
        [f"{S}:12:1: E408 unknown reference key for study facts 'ghost2000x'"],
    ),
    (
        "study facts given twice",
        [write("content/studies/more.yaml", "poe2018mice: {design: animal}\n")],
        [f"content/studies/more.yaml:1:1: E401 study facts for 'poe2018mice' are given twice: first at {S}:10:1"],
    ),
    ("unused reference", [append(BIB, "\n@misc{spare2022,\n  title = {Spare},\n  year = {2022},\n}\n")], [unused("spare2022", 32)]),
    (
        "cited reference without study facts",
        [replace(S, "poe2018mice: {design: animal}\n", "")],
        [
            f"{BIB}:18:1: W302 reference 'poe2018mice' is cited but has no study facts in content/studies/; "
            "add its design so grades can be checked"
        ],
    ),
    (
        "unknown key in a prose page",
        [replace("content/index.md", "see also", "see [@nosuch] also")],
        ["content/index.md:3:50: E405 citation [@nosuch] does not match any reference in references.bib"],
    ),
    (
        "misspelt key in a prose page",
        [replace("content/index.md", "see also", "see [@doe2020trail] also")],
        [
            "content/index.md:3:50: E405 citation [@doe2020trail] does not match any reference in references.bib; "
            "did you mean 'doe2020trial'?"
        ],
    ),
    (
        "malformed prose citation",
        [replace("content/index.md", "see also", "see [@doe2020trial; nope] also")],
        ["content/index.md:3:50: E405 malformed citation [@doe2020trial; nope]: write [@key], [@key, locator] or [@a; @b]"],
    ),
    ("citation inside fenced code is ignored", [append("content/index.md", "\n```\n[@nosuch]\n```\n")], []),
    (
        "unknown key in a topic overview",
        [replace(C, "related:", "overview: See [@nosuch2].\nrelated:")],
        [f"{C}:3:11: E405 citation [@nosuch2] does not match any reference in references.bib"],
    ),
    (
        "verdict without asserted_by",
        [replace(C, "    asserted_by: web2021page\n", "")],
        [f"{C}:17:5: E203 'verdict' needs 'asserted_by' as well in 'claims'", unused("web2021page", 26)],
    ),
    (
        "asserted_by without verdict",
        [replace(C, "    verdict: overstated\n", "")],
        [f"{C}:17:5: E203 'asserted_by' needs 'verdict' as well in 'claims'"],
    ),
    (
        "same key cited twice in a claim",
        [replace(C, "cite: [roe2019case]", "cite: [roe2019case, roe2019case]")],
        [f"{C}:16:25: E411 'roe2019case' is cited twice in claim 'example-web-claim'; cite it once (use a locator for a table or page)"],
    ),
    (
        "enum value with did-you-mean",
        [replace(C, "direction: benefit", "direction: benefits")],
        [f"{C}:9:16: E204 'benefits' is not allowed in 'direction'; did you mean 'benefit'?"],
    ),
    (
        "duplicate YAML key in a topic",
        [replace(M, "summary: Only", "title: Again\nsummary: Only")],
        [f"{M}:2:1: E102 duplicate key 'title': first at line 1, again at line 2; keep only one"],
    ),
    (
        "topic file that is empty",
        [write(C, "---\n")],
        [
            f"{C}:1:1: E106 file is empty; it must hold a mapping",
            f"{M}:9:11: E406 unknown topic 'conditions/example-disease'",
            unused("web2021page", 26),
        ],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [s[1:] for s in SCENARIOS], ids=[s[0] for s in SCENARIOS])
def test_scenario_findings(tmp_path: Path, edits: list[Edit], expected: list[str]) -> None:
    loaded = review(tmp_path, *edits)
    assert lines(loaded) == expected
    assert (loaded.corpus is None) == any(line.startswith("claims.yaml") for line in expected)


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("studies", "study facts (content/studies/)"),
        ("claims", "the all-claims pages (claims/)"),
        ("index", "the all-claims overview (claims/index.md)"),
        ("references", "the reference pages (references/)"),
        ("methods", "the methods page"),
    ],
)
def test_kind_ids_that_would_share_an_address_with_a_generated_page(tmp_path: Path, kind: str, what: str) -> None:
    line = f"{MECHANISMS}\n  - {{id: {kind}, label: X, singular: X, description: X.}}"
    loaded = review(tmp_path, replace("claims.yaml", MECHANISMS, line))
    assert lines(loaded) == [f"claims.yaml:22:10: E204 '{kind}' is reserved for {what}; choose another kind id"]


def test_broken_claims_yaml_gives_no_corpus_but_still_reports_everything(tmp_path: Path) -> None:
    loaded = review(
        tmp_path,
        replace("claims.yaml", "title: Scenario review", "title: 2024"),
        replace(C, "cite: [roe2019case]", "cite: []"),
    )
    assert loaded.corpus is None
    assert lines(loaded) == [
        "claims.yaml:2:10: E202 expected text in 'title', found the number 2024; put it in quotes to keep it as text: \"2024\"",
        f"{C}:16:11: E403 claim has no citation; cite at least one reference from references.bib",
    ]


def test_missing_claims_yaml(tmp_path: Path) -> None:
    loaded = load_review(tmp_path)
    assert loaded.corpus is None
    assert lines(loaded) == ["claims.yaml: E107 no claims.yaml here; run the command in the review's folder or pass its path"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            replace(C, "related: [mechanisms/example-pathway]", "related: 3"),
            f"{C}:3:10: E202 expected a list in 'related', found the number 3",
        ),
        (replace(M, "cite: [poe2018mice]", "cite: 5"), f"{M}:8:11: E202 expected a list in 'cite', found the number 5"),
    ],
    ids=["related", "cite"],
)
def test_scalar_instead_of_list_is_reported_not_raised(tmp_path: Path, edit: Edit, expected: str) -> None:
    assert expected in lines(review(tmp_path, edit))
