"""Golden Markdown: the render step's exact output for the basic scenario review.

Refresh after an intended change with `pytest tests/test_render.py --update-goldens` and review
the diff like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SITES
from evidence.render import Renderer
from evidence.sources import load_review

GOLDEN = Path(__file__).parent / "golden" / "basic"


def rendered() -> dict[str, str]:
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None and not loaded.findings
    return Renderer(loaded.corpus).pages()


def test_golden_pages_match(update_goldens: bool) -> None:
    pages = rendered()
    if update_goldens:
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for uri, text in pages.items():
            target = GOLDEN / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, "utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text("utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected)
    for uri, text in pages.items():
        assert text == expected[uri], f"{uri} differs from its golden file"


def test_rendering_is_deterministic() -> None:
    assert rendered() == rendered()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("title", "A & B", "# A &#38; B"),
        ("summary", "Use *care* with `x<y` and <b>bold</b>.", "    Use *care* with `x<y` and &lt;b&gt;bold&lt;/b&gt;."),
        ("summary", "- not a list item", "    \\- not a list item"),
        ("summary", "{{ 7*7 }} stays {% raw %}", "    &#123;&#123; 7*7 &#125;&#125; stays &#123;% raw %&#125;"),
    ],
)
def test_contributor_text_reaches_markdown_escaped(field: str, value: str, expected: str) -> None:
    import dataclasses

    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    corpus = loaded.corpus
    topic = dataclasses.replace(corpus.topic_by_id["conditions/example-disease"], **{field: value})
    changed = dataclasses.replace(corpus, topics=(topic, *corpus.topics[1:]))
    page = Renderer(changed).topic(topic)
    assert expected in page.splitlines()
