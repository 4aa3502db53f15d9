"""`mkdocs serve --dirty`: after an edit, only the generated pages whose Markdown changed are rebuilt.

A dirty build skips files MkDocs considers unmodified; generated pages have no source file, so
without help every one of them is rebuilt after any edit. The glue remembers the previous
build's Markdown and marks identical pages unchanged.
"""

from __future__ import annotations

import logging
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
