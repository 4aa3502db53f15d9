"""A hostile pull request, built and opened in real Chromium: nothing fires, and text that looks
like markup is shown exactly as written, in claims, summaries, previews, bib fields and study facts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import test_browser
from conftest import BuildResult
from evidence.sources import load_review

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the Chromium fixture
serve = test_browser.serve

STATEMENT = "Drug helped <script>alert(1)</script> <img src=x onerror=alert(2)> p < 0.05, a<b, {{ 7*7 }} &lt;b&gt; {% raw %}"
WHY = '"><svg onload=alert(3)> Down two for imprecision { onclick="alert(4)" }'
SUMMARY = "Summary </div><iframe src=javascript:alert(5)></iframe> {{ config }}"
LOCATOR = 'Table 2 " onmouseover="alert(6)" x="'
BIB_TITLE = "A trial of <b onmouseover=alert(7)>the</b> drug {{{{ 7*7 }}}}"
RESULT = "<iframe srcdoc='<script>alert(8)</script>'></iframe> 80% vs 40%"


def hostile(root: Path) -> Path:
    topic = root / "content" / "conditions" / "example-disease.yaml"
    text = topic.read_text("utf-8")
    text = text.replace(
        "statement: In a 12-week trial of 40 adults, 80% on the drug versus 40% on placebo improved.",
        f"statement: {_quoted(STATEMENT)}",
    )
    text = text.replace("why: Starts high; down two for imprecision and risk of bias.", f"why: {_quoted(WHY)}")
    text = text.replace("summary: One small trial found a benefit (low certainty).", f"summary: {_quoted(SUMMARY)}")
    text = text.replace("locator: Table 2", f"locator: {_quoted(LOCATOR)}")
    topic.write_text(text, "utf-8")
    bib = root / "references.bib"
    bib.write_text(bib.read_text("utf-8").replace("title = {A randomised trial of the drug}", f"title = {{{BIB_TITLE}}}"), "utf-8")
    facts = root / "content" / "studies" / "facts.yaml"
    facts.write_text(facts.read_text("utf-8").replace("result: 80% vs 40%", f"result: {_quoted(RESULT)}"), "utf-8")
    return root


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def hostile_site(site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]) -> Iterator[tuple[str, Path]]:
    root = hostile(site_copy("basic"))
    assert [f.text() for f in load_review(root).errors] == []
    result = build(root)
    assert result.ok, result.messages
    url, stop = serve(result.site)
    yield url, result.site
    stop()


def test_hostile_text_is_inert_and_shown_as_written(browser: object, hostile_site: tuple[str, Path]) -> None:
    base, site = hostile_site
    page = browser.new_page()  # type: ignore[attr-defined]
    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: fired.append(f"error: {e}"))

    page.goto(base + "conditions/example-disease/")
    claim = page.locator("#example-trial-benefit")
    statement = claim.locator(".ev-claim__statement").inner_text()
    for shown in ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "p < 0.05, a<b, {{ 7*7 }}", "&lt;b&gt;", "{% raw %}"):
        assert shown in statement
    assert '"><svg onload=alert(3)>' in claim.locator(".ev-claim__why").inner_text()
    assert "{{ config }}" in page.locator(".md-content").inner_text()
    assert page.locator(".md-content script, .md-content iframe, .md-content svg[onload], .md-content img[onerror]").count() == 0

    # Every citation's preview (hover and focus), then every link in the content, followed and back.
    cites = page.locator(".md-content a.ev-cite")
    for i in range(cites.count()):
        cites.nth(i).hover()
        cites.nth(i).focus()
    page.wait_for_timeout(300)
    hrefs = page.eval_on_selector_all(".md-content a[href]", "els => els.map(a => a.getAttribute('href'))")
    assert hrefs, "the topic page has links"
    for href in hrefs:
        assert not href.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
    links = page.locator(".md-content a[href]")
    for i in range(links.count()):
        link = links.nth(i)
        if link.get_attribute("href", timeout=2000).startswith("http") or not link.is_visible():
            continue  # external pages are not fetched in tests; folded tables were checked above
        link.click()
        page.wait_for_load_state("load")
        page.goto(base + "conditions/example-disease/")

    page.goto(base + "references/doe2020trial/")
    assert "<b onmouseover=alert(7)>the</b>" in page.locator(".md-content").inner_text()
    assert "drug 7*7." in page.locator(".md-content").inner_text()  # BibTeX braces group; they are not text
    assert "<script>alert(8)</script>" in page.locator(".md-content").inner_text()
    for path in site.rglob("index.html"):
        page.goto(base + path.relative_to(site).parent.as_posix() + "/")
        assert page.locator(".md-content script, .md-content iframe, [onerror], [onload], [onmouseover], [onclick]").count() == 0
    page.wait_for_timeout(200)
    assert fired == []
    page.close()
