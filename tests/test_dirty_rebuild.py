"""`mkdocs serve --dirty`: after an edit, only the generated pages whose Markdown changed are rebuilt.

A dirty build skips files MkDocs considers unmodified; generated pages have no source file, so
without help every one of them is rebuilt after any edit. The glue remembers the previous
build's Markdown and marks identical pages unchanged.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def build(root: Path, site: Path, dirty: bool) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    mkdocs_build(load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=True), dirty=dirty)


def stamps(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*.html")}


def test_dirty_rebuild_writes_only_the_pages_that_changed(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    root = site_copy("basic")
    site = tmp_path / "site"
    build(root, site, dirty=False)
    before = stamps(site)

    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text(topic.read_text("utf-8").replace("80% on the drug", "81% on the drug"), "utf-8")
    build(root, site, dirty=True)
    after = stamps(site)

    changed = {page for page in before if after[page] != before[page]}
    assert "conditions/example-disease/index.html" in changed
    assert "81% on the drug" in (site / "conditions/example-disease/index.html").read_text("utf-8")
    assert "methods/index.html" not in changed
    assert "mechanisms/example-pathway/index.html" not in changed
    assert len(changed) < len(before) // 2, sorted(changed)


EDITS = [
    ("content/mechanisms/example-pathway.yaml", "title: Example pathway", "title: Renamed pathway", "Renamed pathway"),
    ("content/mechanisms/example-pathway.yaml", "lower levels of a marker", "higher levels of a marker", "higher levels"),
    ("references.bib", "title = {A case report}", "title = {A renamed case report}", "A renamed case report"),
    ("claims.yaml", "label: Very low,", "label: Very uncertain,", "Very uncertain"),
    ("content/studies/facts.yaml", "n: 40", "n: 41", "41 participants"),
]
"""Edits whose effect reaches other pages than the edited one: titles of linked topics, claims
shown on other topics and on reference pages, reference text in previews, scales, study facts."""


def files_of(site: Path) -> dict[str, str]:
    """Every page and download of a built site (the gzipped sitemap holds a build time)."""
    return {p.relative_to(site).as_posix(): p.read_text("utf-8") for p in site.rglob("*") if p.suffix in (".html", ".json", ".bib", ".xml")}


def articles(site: Path) -> dict[str, str]:
    pattern = re.compile(r"<article.*?</article>", re.S)
    return {uri: match.group(0) for uri, text in files_of(site).items() if (match := pattern.search(text))}


def fresh_build(root: Path, site: Path) -> None:
    """A build in a new process: nothing kept from earlier builds can reach it."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
    subprocess.run(command, check=True, capture_output=True)


def test_rebuilds_after_edits_give_what_a_fresh_build_gives(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """Rebuilds in one process, as `mkdocs serve` makes them, reuse what did not change: after
    each edit the site equals a fresh build's. Under --dirty MkDocs leaves unchanged source files
    (and every page's navigation) as they were, so there the generated pages' content is compared."""
    root = site_copy("basic")
    full, dirty = tmp_path / "full", tmp_path / "dirty"
    build(root, full, dirty=False)
    build(root, dirty, dirty=False)
    for i, (name, old, new, shown) in enumerate(EDITS):
        path = root / name
        text = path.read_text("utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), "utf-8")
        build(root, full, dirty=False)
        build(root, dirty, dirty=True)
        fresh_build(root, tmp_path / f"fresh-{i}")
        expected = files_of(tmp_path / f"fresh-{i}")
        assert shown in "".join(expected.values())
        assert files_of(full) == expected, name
        generated = {uri: html for uri, html in articles(tmp_path / f"fresh-{i}").items() if uri != "index.html"}
        assert {uri: html for uri, html in articles(dirty).items() if uri in generated} == generated, name


LONG_SERVE = """
import gc, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from test_dirty_rebuild import build
root, site = Path(sys.argv[1]), Path(sys.argv[2])
topic = root / "content" / "conditions" / "example-disease.yaml"
text = topic.read_text("utf-8")
build(root, site, dirty=False)
frozen = []
for i in range(6):
    topic.write_text(text.replace("80% on the drug", "81% on the drug") if i % 2 == 0 else text, "utf-8")
    build(root, site, dirty=True)
    frozen.append(gc.get_freeze_count())
print(json.dumps(frozen))
"""


def test_serving_for_long_does_not_keep_the_garbage_of_earlier_builds(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    """Each build freezes what it made (so page rendering never walks it) and the next one
    collects it: objects frozen after the fourth rebuild are no more than after the second."""
    root = site_copy("basic")
    run = subprocess.run(
        [sys.executable, "-c", LONG_SERVE, str(root), str(tmp_path / "site"), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    frozen = json.loads(run.stdout)
    assert frozen[1] > 10_000, "each build freezes the review it read"
    assert frozen[5] <= frozen[3] <= frozen[1], frozen
