"""Scenario sites built in-process with --strict: pages, links both ways, and located failures."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from conftest import REPO, BuildResult
from evidence.cli import main as cli_main

Build = Callable[[Path], BuildResult]


def read(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text("utf-8") if not page.endswith(".html") else (site / page).read_text("utf-8")


def test_basic_site_builds_with_every_generated_page(site_copy: Callable[[str], Path], build: Build) -> None:
    result = build(site_copy("basic"))
    assert result.ok, result.messages
    assert result.messages == []
    for page in (
        "conditions",
        "conditions/example-disease",
        "mechanisms/example-pathway",
        "references",
        "references/doe2020trial",
        "claims",
        "methods",
    ):
        assert (result.site / page / "index.html").is_file(), page
    assert not list(result.site.rglob("*.yaml")), "YAML sources must not be copied to the site"
    assert [p.relative_to(result.site).as_posix() for p in result.site.rglob("*.bib")] == ["exports/references.bib"], "only the export"
    for name in ("claims", "topic", "studies"):
        published = json.loads((result.site / "schema" / f"{name}.schema.json").read_text("utf-8"))
        assert published == json.loads((REPO / "hooks" / "evidence" / "schema" / f"{name}.schema.json").read_text("utf-8"))


def test_claim_cites_reference_and_reference_links_back(site_copy: Callable[[str], Path], build: Build) -> None:
    result = build(site_copy("basic"))
    topic = read(result.site, "conditions/example-disease")
    claim = re.search(r'<div class="ev-claim" id="example-trial-benefit">(.*?)</div>', topic, re.S)
    assert claim is not None
    cites = re.findall(r'<a class="ev-cite" href="([^"]+)" title="([^"]+)">\[(\d)\]</a>', claim.group(1))
    assert [(href, n) for href, _, n in cites] == [("../../references/doe2020trial/", "1"), ("../../references/roe2019case/", "2")]
    assert "Randomised controlled trial, 40 participants" in cites[0][1]
    assert cites[1][1].endswith(" · Table 2")
    reference = read(result.site, "references/doe2020trial")
    backlinks = re.findall(r'<a class="ev-backlink" href="([^"]+)">', reference)
    assert backlinks == ["../../conditions/example-disease/#example-trial-benefit"]
    assert 'href="https://doi.org/10.1000/trial.2020.1"' in reference
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/12345678/"' in reference


def test_related_topics_and_see_links_show_both_ways(site_copy: Callable[[str], Path], build: Build) -> None:
    result = build(site_copy("basic"))
    mechanism = read(result.site, "mechanisms/example-pathway")
    condition = read(result.site, "conditions/example-disease")
    assert 'href="../../conditions/example-disease/"' in mechanism, "related is shown on the other side too"
    assert 'href="../../mechanisms/example-pathway/"' in condition
    # A mechanism claim that names the condition in `see` appears on the condition page, linked home.
    assert 'id="example-pathway-mice"' in condition
    assert 'href="../../mechanisms/example-pathway/#example-pathway-mice"' in condition


def test_prose_citations_become_numbered_links_outside_code(site_copy: Callable[[str], Path], build: Build) -> None:
    result = build(site_copy("basic"))
    home = (result.site / "index.html").read_text("utf-8")
    assert re.findall(r'class="ev-cite" href="([^"]+)"[^>]*>\[(\d)\]', home) == [
        ("references/doe2020trial/", "1"),
        ("references/roe2019case/", "2"),
        ("references/doe2020trial/", "1"),
    ]
    assert "<code>[@not-a-citation]</code>" in home
    assert '<h2 id="references">References</h2>' in home


def test_data_error_fails_build_with_the_same_located_message_as_check(
    site_copy: Callable[[str], Path], build: Build, capsys: object
) -> None:
    root = site_copy("basic")
    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text(topic.read_text("utf-8").replace("cite: [doe2020trial, ", "cite: [nosuch2099, "), "utf-8")
    result = build(root)
    assert not result.ok
    expected = "content/conditions/example-disease.yaml:11:12: E404 unknown reference key 'nosuch2099' (claim 'example-trial-benefit')"
    assert f"ERROR:evidence: {expected}" in result.messages
    assert cli_main(["check", str(root)]) == 1
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert expected in out.splitlines()


def test_hand_written_page_that_clashes_with_a_generated_one_is_an_error(site_copy: Callable[[str], Path], build: Build) -> None:
    root = site_copy("basic")
    (root / "content" / "methods.md").write_text("# My methods\n", "utf-8")
    result = build(root)
    assert not result.ok
    assert (
        "ERROR:evidence: content/methods.md: E501 this page is generated from the review data; rename or remove the hand-written file"
        in result.messages
    )


def test_rebuild_in_the_same_process_picks_up_edits(site_copy: Callable[[str], Path], build: Build) -> None:
    """`mkdocs serve` keeps the hook module loaded; each build must reread the data."""
    root = site_copy("basic")
    first = build(root)
    assert "Example disease" in read(first.site, "conditions/example-disease")
    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text(topic.read_text("utf-8").replace("title: Example disease", "title: Renamed disease"), "utf-8")
    second = build(root)
    assert second.ok, second.messages
    assert '<h1 id="renamed-disease">Renamed disease</h1>' in read(second.site, "conditions/example-disease")


def test_serve_watches_data_and_templates() -> None:
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    watched = {Path(p).resolve() for p in config.watch}
    assert {REPO / "claims.yaml", REPO / "references.bib", REPO / "hooks" / "evidence" / "templates"} <= watched
    assert Path(config.docs_dir).resolve() == REPO / "content"


def test_contributor_text_is_shown_as_written_never_run(site_copy: Callable[[str], Path], build: Build) -> None:
    root = site_copy("basic")
    topic = root / "content" / "conditions" / "example-disease.yaml"
    hostile = (
        "statement: >-\n      <script>alert(1)</script> p < 0.05 and a<b {{ 7*7 }} {% raw %}"
        ' [x](javascript:alert(1)) <img src=x onerror=alert(2)> {: onclick="alert(3)" }'
    )
    text = topic.read_text("utf-8").replace(
        "statement: In a 12-week trial of 40 adults, 80% on the drug versus 40% on placebo improved.", hostile
    )
    topic.write_text(text, "utf-8")
    result = build(root)
    assert not result.ok, "a javascript: link is rejected by the check"
    assert (
        "ERROR:evidence: content/conditions/example-disease.yaml:6:16: E412 link target 'javascript:alert(1' is not allowed: "
        "links in text must be plain http:// or https:// addresses" in result.messages
    )

    topic.write_text(topic.read_text("utf-8").replace("[x](javascript:alert(1))", "[x](https://example.org/a)"), "utf-8")
    result = build(root)
    assert result.ok, result.messages
    page = read(result.site, "conditions/example-disease")
    claim = re.search(r'<div class="ev-claim" id="example-trial-benefit">(.*?)</div>', page, re.S)
    assert claim is not None
    tags = Elements()
    tags.feed(claim.group(1))
    assert {t for t, _ in tags.found} <= {"p", "a", "span", "strong", "em", "code"}
    assert not [(t, a) for t, attrs in tags.found for a, _ in attrs if a.startswith("on")]
    hrefs = [v for _, attrs in tags.found for a, v in attrs if a == "href"]
    assert all(h and (h.startswith(("https://", "../", "#"))) for h in hrefs), hrefs
    assert "https://example.org/a" in hrefs
    shown = " ".join(tags.text.split())
    assert '<script>alert(1)</script> p < 0.05 and a<b {{ 7*7 }} {% raw %} x <img src=x onerror=alert(2)> {: onclick="alert(3)" }' in shown


class Elements(HTMLParser):
    """Collects every start tag with its attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data
