"""The evidence map: outcome domains in claims.yaml, their checks, the map data, the home-page
marker, the all-claims groups the cells link to, and a strict build of the visuals scenario."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SITES, BuildResult
from evidence.evidence_map import MAP_MARKER, build_map, claim_groups, group_anchor, place_map
from evidence.findings import sort_findings
from evidence.model import Corpus
from evidence.render import Renderer
from evidence.sources import load_review

VISUALS = SITES / "visuals"
ALPHA = "content/conditions/alpha-disease.yaml"


def corpus(root: Path = VISUALS) -> Corpus:
    loaded = load_review(root)
    assert loaded.corpus is not None and not loaded.findings, [f.text() for f in loaded.findings]
    return loaded.corpus


def edited(tmp_path: Path, rel: str, old: str, new: str) -> Path:
    root = tmp_path / "visuals"
    shutil.copytree(VISUALS, root)
    file = root / rel
    text = file.read_text("utf-8")
    assert text.count(old) == 1
    file.write_text(text.replace(old, new), "utf-8")
    return root


def findings(root: Path) -> list[str]:
    return [f.text() for f in sort_findings(load_review(root).findings)]


# ---- Map data ------------------------------------------------------------------------------


def test_rows_are_mapped_topics_and_columns_the_domains_in_scale_order() -> None:
    view = build_map(corpus())
    assert view is not None
    assert [d.id for d in view.domains] == ["activity", "pain", "safety"]
    assert [r.topic.id for r in view.rows] == ["conditions/alpha-disease", "conditions/beta-disease"]


def test_cell_holds_its_claims_and_the_best_grade_among_them() -> None:
    view = build_map(corpus())
    assert view is not None
    alpha, beta = view.rows
    cells = {c.domain.id: c for c in alpha.cells}
    assert [c.id for c in cells["activity"].claims] == ["alpha-remission-trial", "alpha-relapse-series"]
    assert cells["activity"].best is not None and cells["activity"].best.id == "moderate"
    assert cells["pain"].best is not None and cells["pain"].best.id == "low"
    beta_cells = {c.domain.id: c for c in beta.cells}
    assert beta_cells["activity"].best is not None and beta_cells["activity"].best.id == "none"
    assert beta_cells["pain"].claims == () and beta_cells["pain"].best is None


def test_assertions_with_a_verdict_are_not_in_any_cell() -> None:
    view = build_map(corpus())
    assert view is not None
    mapped = {c.id for row in view.rows for cell in row.cells for c in cell.claims}
    assert "alpha-web-cure" not in mapped
    assert len(mapped) == 5


def test_no_map_without_domains_or_mapped_kinds(tmp_path: Path) -> None:
    root = edited(tmp_path, "claims.yaml", ", map: true}", "}")
    assert build_map(corpus(root)) is None
    assert build_map(corpus(), kind="mechanisms") is None


def test_claims_page_groups_are_exactly_the_cells_then_the_rest() -> None:
    review = corpus()
    view = build_map(review)
    assert view is not None
    groups = claim_groups(review, review.topic_by_id["conditions/alpha-disease"])
    cells = [cell for cell in view.rows[0].cells if cell.claims]
    assert [(g.anchor, g.claims) for g in groups[:-1]] == [(c.anchor, c.claims) for c in cells]
    assert groups[-1].anchor is None and [c.id for c in groups[-1].claims] == ["alpha-web-cure"]


def test_anchors_cannot_clash_with_slugs_and_carry_only_safe_characters() -> None:
    assert group_anchor("conditions/crohns-disease", "safety") == "conditions--crohns-disease--safety"
    assert group_anchor("a-b/c", "d") != group_anchor("a/b-c", "d")
    assert re.fullmatch("[a-z0-9-]+", group_anchor('x/"><script>', "d e"))


# ---- The marker in hand-written pages -------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "replaced"),
    [
        (f"# Home\n\n{MAP_MARKER}\n\nAfter.\n", True),
        (f"# Home\n\n  {MAP_MARKER}  \n", True),
        (f"# Home\n\nText {MAP_MARKER} inline.\n", False),
        (f"# Home\n\n```\n{MAP_MARKER}\n```\n", False),
        (f"# Home\n\n~~~~md\n{MAP_MARKER}\n~~~~\n", False),
        ("# Home\n\n<!-- evidence:mapx -->\n", False),
    ],
)
def test_only_a_marker_line_outside_code_becomes_the_map(page: str, replaced: bool) -> None:
    out = place_map(page, lambda: "MAP")
    assert ("\nMAP\n" in out) is replaced
    assert (MAP_MARKER in out) is (MAP_MARKER in page and not replaced)


def test_map_is_rendered_only_when_a_marker_asks_for_it() -> None:
    calls: list[int] = []
    place_map("# No marker here\n", lambda: calls.append(1) or "MAP")
    assert calls == []


def test_every_marker_is_replaced() -> None:
    assert place_map(f"{MAP_MARKER}\ntext\n{MAP_MARKER}\n", lambda: "MAP").count("MAP") == 2


# ---- Checks ---------------------------------------------------------------------------------


def test_unknown_domain_is_located_with_a_suggestion(tmp_path: Path) -> None:
    root = edited(tmp_path, ALPHA, "domain: safety", "domain: safty")
    text = (root / ALPHA).read_text("utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if "domain: safty" in t)
    assert findings(root) == [f"{ALPHA}:{line}:13: E402 unknown domain 'safty'; did you mean 'safety'?"]


def test_claim_on_a_mapped_topic_without_domain_is_a_warning(tmp_path: Path) -> None:
    root = edited(tmp_path, ALPHA, "    domain: pain\n", "")
    out = load_review(root)
    (finding,) = out.findings
    assert not finding.is_error
    assert finding.text() == (
        f"{ALPHA}:16:9: W401 claim 'alpha-pain-trial' has no domain, so the evidence map leaves it out; "
        "add domain: one of activity, pain, safety"
    )


def test_map_without_domains_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "visuals"
    shutil.copytree(VISUALS, root)
    claims = root / "claims.yaml"
    claims.write_text(claims.read_text("utf-8").split("domains:")[0], "utf-8")
    for topic in (root / "content" / "conditions").glob("*.yaml"):
        topic.write_text(re.sub(r"\n    domain: \S+", "", topic.read_text("utf-8")), "utf-8")
    assert findings(root) == [
        "claims.yaml:20:91: E204 the evidence map needs outcome domains: add a 'domains' list to claims.yaml",
    ]


def test_duplicate_domain_id(tmp_path: Path) -> None:
    root = edited(tmp_path, "claims.yaml", "  - {id: safety, label: Safety", "  - {id: pain, label: Safety")
    assert any("E401 duplicate id 'pain' in domains: first at line 23" in f for f in findings(root))


def test_the_review_itself_tags_every_graded_condition_claim() -> None:
    review = corpus(Path(__file__).resolve().parent.parent)
    untagged = [c.id for t in review.topics_of_kind("conditions") for c in t.claims if c.domain is None and c.verdict is None]
    assert untagged == []


# ---- Markdown and the built site -----------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "visuals"


def visual_pages() -> dict[str, str]:
    """The Markdown this feature writes for the visuals scenario: the home page with its marker
    replaced, the kind page, the all-claims pages, and the timeline section of a topic page."""
    review = corpus()
    renderer = Renderer(review)
    topic = renderer.topic(review.topic_by_id["conditions/alpha-disease"])
    start = topic.index("## Studies over time")
    return {
        "index.md": renderer.prose_page((VISUALS / "content" / "index.md").read_text("utf-8"), "index.md"),
        "conditions/index.md": renderer.kind_index("conditions"),
        "claims/index.md": renderer.claims_index(),
        "claims/conditions.md": renderer.claims_of_kind("conditions"),
        "conditions/alpha-disease.timeline.md": topic[start : topic.index("\n## ", start) + 1],
    }


def test_golden_markdown_of_the_map_and_a_timeline(update_goldens: bool) -> None:
    """Refresh with `pytest tests/test_evidence_map.py --update-goldens` and review the diff."""
    pages = visual_pages()
    if update_goldens:
        for uri, text in pages.items():
            (GOLDEN / uri).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / uri).write_text(text, "utf-8")
    for uri, text in pages.items():
        assert text == (GOLDEN / uri).read_text("utf-8"), f"{uri} differs from its golden file"


def test_map_markdown_escapes_labels_and_titles() -> None:
    md = Renderer(corpus()).prose_page(f"{MAP_MARKER}\n", "index.md")
    header = next(line for line in md.splitlines() if line.startswith("| Condition"))
    assert header.count("|") == 5, "a '|' in a label must not add a column"
    assert "Pain &#124; &#42;itch&#42; &#38; more" in header
    assert "[Alpha disease &#38; &#91;friends&#93; &#124; &#42;co&#42;](conditions/alpha-disease.md)" in md
    assert '(claims/conditions.md#conditions--alpha-disease--activity "' in md


_CELL = re.compile(r'<(a|span)\b[^>]*?class="(ev-map__cell[^"]*)"[^>]*>')


def map_cells(html: str) -> list[tuple[str | None, str]]:
    """(href or None, class) of each map cell in a built page."""
    region = html[html.index('class="ev-map"') : html.index("ev-map__legend")]
    out = []
    for match in _CELL.finditer(region):
        href = re.search(r'href="([^"]*)"', match.group(0))
        out.append((href.group(1) if href else None, match.group(2)))
    return out


def test_strict_build_puts_the_map_on_the_home_page_with_working_links(
    site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]
) -> None:
    result = build(site_copy("visuals"))
    assert result.ok, result.messages
    home = (result.site / "index.html").read_text("utf-8")
    assert home.count('class="ev-map"') == 1
    assert "&lt;!-- evidence:map --&gt;" in home, "the marker inside a code block stays as written"
    cells = map_cells(home)
    links = [(href, cls) for href, cls in cells if href]
    assert len(cells) == 6 and len(links) == 4
    assert ("claims/conditions/#conditions--alpha-disease--activity", "ev-map__cell ev-map__cell--moderate") in links
    assert ("claims/conditions/#conditions--beta-disease--activity", "ev-map__cell ev-map__cell--none") in links
    claims = (result.site / "claims" / "conditions" / "index.html").read_text("utf-8")
    for href, _ in links:
        anchor = href.split("#")[1]
        assert f'id="{anchor}"' in claims
    group = re.search(r'id="conditions--alpha-disease--activity">(.*?)</div>', claims, re.S)
    assert group is not None
    assert re.findall(r'href="[^"]*/conditions/alpha-disease/#([a-z0-9-]+)"', group.group(1)) == [
        "alpha-remission-trial",
        "alpha-relapse-series",
    ]
    kind_page = (result.site / "conditions" / "index.html").read_text("utf-8")
    assert 'href="../claims/conditions/#conditions--alpha-disease--pain"' in kind_page
