"""The parse cache of `evidence check`: unchanged files are not parsed again, and nothing else changes.

A second check must report exactly what a fresh one reports; an edited file, a file with
findings, a changed reader and a damaged cache file are each parsed afresh; the cache never
lives inside the review and can be turned off.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO
from evidence import parsecache, sources
from evidence.cli import main
from evidence.load import YamlDoc
from evidence.parsecache import ParseCache, cache_file
from evidence.sources import load_review

TOPIC = "content/conditions/example-disease.yaml"


def check(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["check", *extra, str(root)])
    return code, capsys.readouterr().out


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each check really parses (YAML paths, and references.bib)."""
    seen: list[str] = []
    real_yaml, real_bib = parsecache.parse_yaml, parsecache.parse_bibtex

    def yaml_spy(text: str, path: str):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real_yaml(text, path)

    def bib_spy(text: str, path: str):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real_bib(text, path)

    monkeypatch.setattr(parsecache, "parse_yaml", yaml_spy)
    monkeypatch.setattr(parsecache, "parse_bibtex", bib_spy)
    return seen


def test_a_second_check_parses_nothing_and_reports_the_same(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    root = site_copy("basic")
    first = check(root, capsys)
    assert TOPIC in parses and "references.bib" in parses
    parses.clear()
    assert check(root, capsys) == first
    assert parses == []
    assert check(root, capsys, "--no-cache") == first


def test_an_edited_file_is_parsed_again_and_its_findings_reported(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    root = site_copy("basic")
    assert check(root, capsys)[0] == 0
    topic = root / TOPIC
    topic.write_text(topic.read_text("utf-8").replace("cite: [roe2019case]", "cite: [roe2091case]"), "utf-8")
    bib = root / "references.bib"
    bib.write_text(bib.read_text("utf-8").replace("year = {2020}", "year = {20x0}", 1), "utf-8")
    parses.clear()
    code, out = check(root, capsys)
    assert code == 1
    assert "E404 unknown reference key 'roe2091case'" in out
    assert "E304 year '20x0'" in out
    assert sorted(parses) == sorted([TOPIC, "references.bib"])


def test_files_with_findings_are_parsed_on_every_run(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    root = site_copy("basic")
    topic = root / TOPIC
    topic.write_text(topic.read_text("utf-8") + "title: again\n", "utf-8")
    first = check(root, capsys)
    assert "E102 duplicate key 'title'" in first[1]
    parses.clear()
    assert check(root, capsys) == first
    assert parses == [TOPIC]


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"\xe9" * 100])
def test_a_damaged_cache_file_is_ignored_and_replaced(
    damage: bytes, site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], parses: list[str]
) -> None:
    root = site_copy("basic")
    first = check(root, capsys)
    stored = cache_file(root)
    assert stored is not None and stored.is_file()
    stored.write_bytes(damage)
    parses.clear()
    assert check(root, capsys) == first
    assert TOPIC in parses
    parses.clear()
    assert check(root, capsys) == first
    assert parses == []


def test_a_change_to_the_readers_empties_the_cache(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_copy("basic")
    first = check(root, capsys)
    monkeypatch.setattr(parsecache, "_version", lambda: "another version of the readers")
    parses.clear()
    assert check(root, capsys) == first
    assert TOPIC in parses


def test_the_cache_lives_outside_the_review_and_can_be_turned_off(
    site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_copy("basic")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    stored = cache_file(root)
    assert stored is not None and root.resolve() not in stored.resolve().parents
    assert stored.is_relative_to(os.environ["XDG_CACHE_HOME"])
    check(root, capsys, "--no-cache")
    assert not stored.exists()
    monkeypatch.setenv("EVIDENCE_CACHE", "off")
    assert cache_file(root) is None and ParseCache.open(root) is None
    check(root, capsys)
    assert not stored.exists()
    monkeypatch.delenv("EVIDENCE_CACHE")
    check(root, capsys)
    assert stored.is_file()
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_the_review_loads_the_same_from_the_cache() -> None:
    fresh = load_review(REPO)
    warm = ParseCache.open(REPO)
    assert warm is not None
    load_review(REPO, warm)
    warm.save()
    cached = ParseCache.open(REPO)
    assert cached is not None
    again = load_review(REPO, cached)
    assert cached.stored and not cached.changed, "the second load should come from the cache"
    assert again.findings == fresh.findings
    assert again.corpus == fresh.corpus
    assert again.prose == fresh.prose


def test_two_loads_from_memory_compare_equal_without_working_out_locations(
    site_copy: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `mkdocs serve` does: each rebuild loads from the parses the last one left in memory,
    then compares every claim with the one it rendered before (the first rebuild, with those
    of the first build, which parsed every file)."""
    root = site_copy("basic")
    first = ParseCache(None, {})
    parsed = load_review(root, first).corpus
    worked_out: list[object] = []
    real_loc = YamlDoc.loc
    monkeypatch.setattr(YamlDoc, "loc", lambda doc, path: worked_out.append(path) or real_loc(doc, path))
    before, after = (load_review(root, ParseCache(None, first.current)).corpus for _ in range(2))
    assert parsed is not None and before is not None and after is not None and before.claims
    worked_out.clear()
    assert parsed.claims == before.claims
    assert before.claims == after.claims
    assert worked_out == []
    topic = root / TOPIC
    topic.write_text("\n" + topic.read_text("utf-8"), "utf-8")
    moved = load_review(root, ParseCache(None, first.current)).corpus
    assert moved is not None and [c.id for c in moved.claims] == [c.id for c in before.claims]
    assert moved.claims != before.claims, "a claim one line lower is somewhere else"


@pytest.mark.parametrize("enabled", [True, False])
def test_the_cycle_collector_is_paused_only_while_a_review_loads(enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    states: list[bool] = []
    real = sources._load_review
    monkeypatch.setattr(sources, "_load_review", lambda root, cache: states.append(gc.isenabled()) or real(root, cache))
    (gc.enable if enabled else gc.disable)()
    try:
        load_review(REPO / "tests" / "sites" / "basic")
        assert states == [False]
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
