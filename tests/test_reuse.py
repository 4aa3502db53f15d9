"""A rebuild reuses a page, an export or a page's JSON-LD only when nothing it is made from changed.

Every text, number and switch of the scenario reviews is changed in turn (one at a time, then
back), and after each change what a long-lived `Reuse` gives must equal a fresh render of the
changed review: a page that depends on something its inputs leave out would come back stale.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from conftest import SITES
from evidence.exports import Site, export_files
from evidence.findings import Location
from evidence.glue import linked_data
from evidence.history import read_history
from evidence.model import Change, Corpus, History
from evidence.render import Renderer
from evidence.reuse import Reuse
from evidence.sources import load_review

SITE = Site("https://example.org/review/")


def edits(value: object) -> Iterator[object]:
    """Copies of `value`, each with one text, number or switch inside it changed."""
    if isinstance(value, bool):
        yield not value
    elif isinstance(value, str):
        yield value + " edited"
    elif isinstance(value, int | Decimal):
        yield value + 1
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            yield from ((*value[:i], edited, *value[i + 1 :]) for edited in edits(item))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from ({**value, key: edited} for edited in edits(item))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type | Location):
        for f in dataclasses.fields(value):
            if f.init:
                yield from (dataclasses.replace(value, **{f.name: edited}) for edited in edits(getattr(value, f.name)))


def made(reuse: Reuse, corpus: Corpus, history: History, site: Site = SITE) -> dict[str, str]:
    renderer = Renderer(corpus, site=site, history=history)
    out = {uri: reuse.page(uri, inputs, render).path.read_text("utf-8") for uri, inputs, render in renderer.plan(reuse.version)}
    out.update(export_files(corpus, site, reuse.value))
    out.update({f"jsonld:{uri}": data for uri, data in linked_data(renderer, reuse).items()})
    return out


def fresh(corpus: Corpus, history: History, site: Site = SITE) -> dict[str, str]:
    renderer = Renderer(corpus, site=site, history=history)
    out = renderer.pages()
    out.update(export_files(corpus, site))
    out.update({f"jsonld:{uri}": data for uri, data in linked_data(renderer, Reuse(Path("unused"))).items()})
    return out


@pytest.mark.parametrize("name", ["basic", "visuals"])
def test_every_edit_to_the_review_reaches_every_page_it_shows_on(name: str, tmp_path: Path) -> None:
    loaded = load_review(SITES / name)
    assert loaded.corpus is not None
    corpus = loaded.corpus
    history = History({topic.location.path: (Change("2024-01-02", "A commit", commit="a" * 40),) for topic in corpus.topics})
    reuse = Reuse(tmp_path)
    original = fresh(corpus, history)
    assert made(reuse, corpus, history) == original
    checked = 0
    variants = [(changed, history, SITE) for changed in edits(corpus)] + [(corpus, changed, SITE) for changed in edits(history)]
    variants += [(corpus, history, Site()), (corpus, history, Site(directory_urls=False))]
    for changed, changed_history, site in variants:
        assert isinstance(changed, Corpus) and isinstance(changed_history, History)
        try:
            expected = fresh(changed, changed_history, site)
        except (KeyError, StopIteration, ValueError, UndefinedError):
            continue  # an edited id that names nothing: the checker refuses such a review before any build
        assert made(reuse, changed, changed_history, site) == expected
        assert made(reuse, corpus, history) == original
        checked += 1
    assert checked > 100


def test_a_template_edit_renders_every_page_again(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for source in (Path(__file__).parent.parent / "hooks" / "evidence" / "templates").iterdir():
        (templates / source.name).write_text(source.read_text("utf-8"), "utf-8")
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    reuse = Reuse(tmp_path / "pages")
    history = read_history(SITES / "basic")

    def pages() -> dict[str, str]:
        renderer = Renderer(loaded.corpus, templates, SITE, history)
        return {uri: reuse.page(uri, inputs, render).path.read_text("utf-8") for uri, inputs, render in renderer.plan(reuse.version)}

    before = pages()
    methods = templates / "methods.md.j2"
    methods.write_text(methods.read_text("utf-8").replace("# Methods:", "# How we grade:"), "utf-8")
    os.utime(methods, ns=(os.stat(methods).st_mtime_ns + 10**9,) * 2)
    after = pages()
    assert after["methods.md"].startswith("# How we grade:")
    assert {uri for uri in before if before[uri] != after[uri]} == {"methods.md"}


def test_editing_a_claim_renders_again_its_kinds_list_of_claims_and_not_the_others(tmp_path: Path) -> None:
    """Each kind's claims are listed on a page of their own, so an edit re-renders (and MkDocs
    converts again) only that list, however many claims the other kinds hold."""
    root = tmp_path / "review"
    shutil.copytree(SITES / "basic", root)
    reuse = Reuse(tmp_path / "pages")

    def rendered() -> list[str]:
        loaded = load_review(root)
        assert loaded.corpus is not None
        calls: list[str] = []
        for uri, inputs, render in Renderer(loaded.corpus, site=SITE).plan(reuse.version):
            reuse.page(uri, inputs, lambda uri=uri, render=render: calls.append(uri) or render())
        return calls

    assert {"claims/index.md", "claims/conditions.md", "claims/mechanisms.md"} <= set(rendered())
    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text(topic.read_text("utf-8").replace("80% on the drug", "79% on the drug"), "utf-8")
    again = rendered()
    assert "claims/conditions.md" in again and "conditions/example-disease.md" in again
    assert "claims/mechanisms.md" not in again and "claims/index.md" not in again
