"""The benchmark's synthetic reviews are sound: clean, strict builds, and a fair plain twin.

These check the generator, not speed: a tiny review must pass `evidence check --strict`,
build with `--strict`, come out byte-identical from the same seed, and its plain MkDocs twin
must produce exactly the same HTML pages without the hooks.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, build_site
from evidence.cli import run_check
from test_bibscan import assert_same_as_pybtex

sys.path.insert(0, str(REPO / "bench"))
generate = importlib.import_module("generate")
run = importlib.import_module("run")
owntime = importlib.import_module("owntime")

TINY = generate.Size.parse("24/12/6")


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generated_review_is_clean_and_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = generate.generate(tmp_path / "a", TINY)
    assert run_check(first, "text", strict=True) == 0
    assert capsys.readouterr().out.strip().endswith("0 errors, 0 warnings")
    assert tree(first) == tree(generate.generate(tmp_path / "b", TINY))
    claims = sum(p.read_text("utf-8").count("\n- id: ") for p in (first / "content").glob("*/*.yaml"))
    assert claims == TINY.claims
    assert (first / "references.bib").read_text("utf-8").count("\n@") == TINY.references


def test_plain_twin_builds_the_same_pages_without_hooks(tmp_path: Path) -> None:
    review = generate.generate(tmp_path / "review", TINY)
    plain = generate.write_plain(review, tmp_path / "plain")
    assert "hooks" not in (plain / "mkdocs.yml").read_text("utf-8")
    ours = build_site(review, tmp_path / "site")
    twin = build_site(plain, tmp_path / "site-plain")
    assert ours.ok and twin.ok, ours.messages + twin.messages
    pages = {p.relative_to(ours.site).as_posix() for p in ours.site.rglob("*.html")}
    assert pages == {p.relative_to(twin.site).as_posix() for p in twin.site.rglob("*.html")}
    assert any(p.startswith("references/") for p in pages)
    page = "conditions/index.html"
    assert (ours.site / page).read_text("utf-8").count('href="') == (twin.site / page).read_text("utf-8").count('href="')


def test_owntime_builds_like_mkdocs_and_reports_the_layers_share(tmp_path: Path) -> None:
    review = generate.generate(tmp_path / "review", TINY)
    report, site = tmp_path / "own.json", tmp_path / "site"
    command = [sys.executable, str(REPO / "bench" / "owntime.py"), str(report), "build", "--strict", "-q", "-f", str(review / "mkdocs.yml")]
    done = subprocess.run([*command, "-d", str(site)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (site / "claims" / "conditions" / "index.html").is_file()
    times = json.loads(report.read_text("utf-8"))
    assert 0 < times["imports"] < times["ours"] < times["total"]


def test_owntime_counts_a_call_inside_another_once(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(100))
    monkeypatch.setattr(owntime.time, "process_time", lambda: float(next(ticks)))
    monkeypatch.setattr(owntime, "_spent", 0.0)
    inner = owntime.timed(lambda: None)
    outer = owntime.timed(lambda: inner())
    outer()
    assert owntime._spent == 1.0, "one clock reading before and one after the outer call only"


def test_readme_block_is_replaced_in_place(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{run.README_BEGIN}\nold figures\n{run.README_END}\n\nAfter.\n", "utf-8")
    run.update_readme(readme, "new figures\n")
    assert readme.read_text("utf-8") == f"# Title\n\n{run.README_BEGIN}\nnew figures\n{run.README_END}\n\nAfter.\n"
    assert run.table([]).startswith("| Claims / references / topics |")


def test_a_generated_bibliography_takes_the_fast_bibtex_reader(tmp_path: Path) -> None:
    review = generate.generate(tmp_path / "review", generate.Size.parse("60/40/6"))
    assert_same_as_pybtex((review / "references.bib").read_text("utf-8"), must_accept=True)
