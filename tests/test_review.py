"""The LDN review itself: checked clean with --strict, built with --strict, every link resolved."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, BuildResult, build_site
from evidence.cli import main as cli_main
from evidence.sources import load_review


@pytest.fixture(scope="module")
def loaded() -> object:
    return load_review(REPO)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildResult]:
    yield build_site(REPO, tmp_path_factory.mktemp("review") / "site")


def test_review_checks_clean_with_no_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["check", str(REPO), "--strict"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 errors, 0 warnings"


def test_review_builds_strictly(built: BuildResult) -> None:
    assert built.ok, built.messages
    assert built.messages == []


@pytest.mark.parametrize(
    "page", ["conditions/crohns-disease", "conditions/multiple-sclerosis", "dosing/doses-in-trials", "mechanisms/ogf-ogfr-axis"]
)
def test_proof_topics_have_graded_cited_claims(built: BuildResult, page: str) -> None:
    html = (built.site / page / "index.html").read_text("utf-8")
    claims = re.findall(r'<div class="ev-claim" id="([a-z0-9-]+)">(.*?)</div>', html, re.S)
    assert len(claims) >= 2
    for claim_id, body in claims:
        assert re.search(r'class="ev-grade ev-grade--[a-z-]+"', body), claim_id
        assert re.search(r'class="ev-cite" href="\.\./\.\./references/[^"]+/"', body), claim_id
        assert "Why this" in body, claim_id


def test_every_reference_page_lists_the_claims_that_cite_it(loaded: object, built: BuildResult) -> None:
    corpus = loaded.corpus  # type: ignore[attr-defined]
    for key in corpus.references:
        html = (built.site / "references" / key / "index.html").read_text("utf-8")
        backlinks = re.findall(r'<a class="ev-backlink" href="([^"]+)"', html)
        expected = [f"../../{c.topic}/#{c.id}" for c in corpus.claims_citing.get(key, ())]
        assert backlinks[: len(expected)] == expected, key
        for href in backlinks:
            target = (built.site / "references" / key / href.split("#")[0]).resolve()
            assert (target / "index.html").is_file(), href


def test_every_internal_link_and_anchor_in_the_site_resolves(built: BuildResult) -> None:
    anchors: dict[Path, set[str]] = {}
    missing = []
    pages = sorted(p for p in built.site.rglob("*.html") if p.name != "404.html")  # 404 uses site-absolute links
    for page in pages:
        anchors[page] = set(re.findall(r'\sid="([^"]+)"', page.read_text("utf-8")))
    for page in pages:
        for href in re.findall(r'\shref="([^"#:?]*)(#[^"]*)?"', page.read_text("utf-8")):
            path, fragment = href
            if not path and not fragment:
                continue
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                missing.append(f"{page.relative_to(built.site)} -> {path}")
            elif fragment and target.suffix == ".html" and fragment[1:] not in anchors.get(target, set()):
                missing.append(f"{page.relative_to(built.site)} -> {path}{fragment}")
    assert missing == []


def test_lupus_and_ankylosing_spondylitis_say_no_study_exists(loaded: object) -> None:
    corpus = loaded.corpus  # type: ignore[attr-defined]
    for topic_id in ("conditions/lupus", "conditions/ankylosing-spondylitis"):
        grades = {c.grade for c in corpus.topic_by_id[topic_id].claims}
        assert "none" in grades
        assert not grades & {"high", "moderate", "low"}


def test_popular_claims_cover_all_64_seed_assertions(loaded: object) -> None:
    corpus = loaded.corpus  # type: ignore[attr-defined]
    checked = [c for c in corpus.claims if c.verdict is not None]
    assert len(checked) == 64
    assert all(c.see for c in checked), "every checked assertion links to a topic page"


def test_no_preclinical_evidence_alone_supports_more_than_very_low(loaded: object) -> None:
    corpus = loaded.corpus  # type: ignore[attr-defined]
    preclinical = {d.id for d in corpus.review.designs if d.preclinical}
    for claim in corpus.claims:
        designs = {corpus.studies[c.key].design for c in claim.cites if c.key in corpus.studies}
        if designs and designs <= preclinical:
            assert claim.grade in ("very-low", "none"), claim.id


def test_two_builds_with_the_same_source_date_epoch_are_byte_identical(tmp_path: Path) -> None:
    """Separate processes with different hash seeds, so set or dict ordering cannot hide."""
    sites = []
    for seed in ("1", "2"):
        site = tmp_path / f"site{seed}"
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONHASHSEED": seed, "NO_MKDOCS_2_WARNING": "1"}
        cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(REPO / "mkdocs.yml"), "-d", str(site)]
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        sites.append(site)
    first, second = sites
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    different = [str(f) for f in files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []
