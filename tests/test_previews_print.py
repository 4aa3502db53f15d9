"""Citation previews (hover, keyboard, touch) and printed topic pages, in real Chromium.

The previews carry the short reference, design, n, grades and unverified details; on a touch
screen the first tap shows them with a link to the study. Printing drops the navigation chrome
and keeps the numbered references. Uses the Chromium fixtures of `test_browser`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from conftest import SITES, build_site, copy_site
from evidence.citing import PREVIEW_SEPARATOR
from evidence.render import Renderer
from evidence.sources import load_review
from test_browser import browser, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

__all__ = ["browser"]  # the shared Chromium fixture

pytestmark = pytest.mark.browser

TOPIC = "conditions/example-disease/"
FIRST = "#example-trial-benefit a.ev-cite >> nth=0"
SECOND = "#example-trial-benefit a.ev-cite >> nth=1"
TOOLTIP = ".md-tooltip2--active, .md-tooltip--active, [role=tooltip]:visible"
HOSTILE_TITLE = "&lt;img src=x onerror=window.hacked=1&gt;"
"""Entities in a BibTeX title: the theme's tooltip inserts titles as HTML, so they must arrive escaped."""
PHONE = {"has_touch": True, "is_mobile": True, "viewport": {"width": 390, "height": 844}, "device_scale_factor": 2}


# ---- What the preview says -----------------------------------------------------------------


def previews(bib_edit: tuple[str, str] | None = None) -> list[str]:
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    corpus = loaded.corpus
    if bib_edit:
        key, field = bib_edit
        ref = dataclasses.replace(corpus.references[key], unverified=(field,))
        corpus = dataclasses.replace(corpus, references={**corpus.references, key: ref})
    page = Renderer(corpus).topic(corpus.topic_by_id["conditions/example-disease"])
    return re.findall(r'\.md "([^"]*)"\)\{ \.ev-cite \}', page)


def test_preview_names_design_size_grades_and_locator() -> None:
    first, second, *_ = previews()
    assert first.split(PREVIEW_SEPARATOR) == [
        "Doe and Smith 2020",
        "A randomised trial of the drug",
        "Randomised controlled trial, 40 participants",
        "Claim graded Low; this design allows up to High",
    ]
    assert second.split(PREVIEW_SEPARATOR) == [
        "Roe 2019",
        "A case report",
        "Case report, 1 participant",
        "Claim graded Low; this design allows up to Very low",
        "Table 2",
    ]


def test_preview_says_which_identifiers_are_unverified() -> None:
    assert previews(("roe2019case", "doi"))[1].endswith(f"{PREVIEW_SEPARATOR}Not verified: DOI")


# ---- In the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The basic review with the chrome a real site has: tabs, search, palette toggle, a
    collapsible admonition and a link to another site."""
    root = copy_site("basic", tmp_path_factory.mktemp("previews"))
    config_path = root / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text("utf-8"))
    config["theme"]["features"] = ["content.tooltips", "navigation.tabs"]
    config["theme"]["palette"] = [
        {"scheme": "default", "toggle": {"icon": "material/brightness-7", "name": "Dark mode"}},
        {"scheme": "slate", "toggle": {"icon": "material/brightness-4", "name": "Light mode"}},
    ]
    config["plugins"] = ["search"]
    config["markdown_extensions"] = ["admonition", "pymdownx.details"]
    config_path.write_text(yaml.safe_dump(config), "utf-8")
    bib = root / "references.bib"
    bib.write_text(bib.read_text("utf-8").replace("{The drug in mice}", "{The drug in mice " + HOSTILE_TITLE + "}"), "utf-8")
    index = root / "content" / "index.md"
    extra = '\n??? note "Folded"\n\n    Text that is folded on screen.\n\nSee [the example site](https://example.org/).\n'
    index.write_text(index.read_text("utf-8") + extra, "utf-8")
    result = build_site(root, tmp_path_factory.mktemp("previews-site") / "site")
    assert result.ok, result.messages
    url, stop = serve(result.site)
    yield url
    stop()


def new_page(browser: Browser, **context: Any) -> Page:
    return browser.new_context(**context).new_page()


def test_keyboard_focus_shows_the_preview_and_enter_follows_the_citation(browser: Browser, site: str) -> None:
    page = new_page(browser)
    page.goto(site + TOPIC)
    page.locator(FIRST).focus()
    tooltip = page.locator(TOOLTIP).first
    tooltip.wait_for(state="visible", timeout=5000)
    assert "Randomised controlled trial, 40 participants" in tooltip.inner_text()
    assert "Claim graded Low; this design allows up to High" in tooltip.inner_text()
    page.keyboard.press("Enter")
    page.wait_for_url("**/references/doe2020trial/")
    page.context.close()


def test_a_mouse_click_goes_straight_to_the_study(browser: Browser, site: str) -> None:
    page = new_page(browser)
    page.goto(site + TOPIC)
    page.locator(SECOND).click()
    page.wait_for_url("**/references/roe2019case/")
    assert page.locator(".ev-preview").count() == 0
    page.context.close()


def test_a_tap_shows_the_preview_with_a_link_to_the_study(browser: Browser, site: str) -> None:
    page = new_page(browser, **PHONE)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site + TOPIC)
    page.tap(SECOND)
    box = page.locator(".ev-preview")
    box.wait_for(state="visible", timeout=5000)
    assert page.url == site + TOPIC
    lines = box.inner_text().splitlines()
    assert lines[:5] == [
        "Roe 2019",
        "A case report",
        "Case report, 1 participant",
        "Claim graded Low; this design allows up to Very low",
        "Table 2",
    ]
    assert page.locator(SECOND).get_attribute("aria-expanded") == "true"
    bounds = box.bounding_box()
    assert bounds is not None
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 390
    assert page.locator(TOOLTIP).count() == 0 or not page.locator(TOOLTIP).first.is_visible()
    page.tap(".ev-preview a.ev-preview__link")
    page.wait_for_url("**/references/roe2019case/")
    assert errors == []
    page.context.close()


def test_a_second_tap_follows_the_citation_and_a_tap_elsewhere_closes_the_preview(browser: Browser, site: str) -> None:
    page = new_page(browser, **PHONE)
    page.goto(site + TOPIC)
    page.tap(FIRST)
    page.locator(".ev-preview").wait_for(state="visible", timeout=5000)
    page.tap("h1")
    assert page.locator(".ev-preview").count() == 0
    assert page.locator(FIRST).get_attribute("aria-expanded") is None
    page.tap(FIRST)
    page.locator(".ev-preview").wait_for(state="visible", timeout=5000)
    page.tap(FIRST)
    page.wait_for_url("**/references/doe2020trial/")
    page.context.close()


def test_preview_text_is_shown_as_text_never_parsed_as_html(browser: Browser, site: str) -> None:
    page = new_page(browser, **PHONE)
    payload = '<img src=x onerror="window.hacked=1"><b>Doe</b> and Smith 2020'

    def tamper(route: Route) -> None:
        response = route.fetch()
        html = response.text().replace(
            'title="Doe and Smith 2020', 'title="' + payload.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;"), 1
        )
        route.fulfill(response=response, body=html)

    page.route("**/" + TOPIC, tamper)
    page.goto(site + TOPIC)
    page.tap(FIRST)
    box = page.locator(".ev-preview")
    box.wait_for(state="visible", timeout=5000)
    assert box.locator(".ev-preview__title").inner_text() == payload
    assert box.locator("img, b").count() == 0
    page.context.close()


def test_entities_in_contributor_text_stay_text_in_tooltips_and_previews(browser: Browser, site: str) -> None:
    mice = "a.ev-cite[href$='references/poe2018mice/']"
    page = new_page(browser)
    page.goto(site + TOPIC)
    page.locator(mice).first.focus()
    tooltip = page.locator(TOOLTIP).first
    tooltip.wait_for(state="visible", timeout=5000)
    assert "<img src=x onerror=window.hacked=1>" in tooltip.inner_text()
    assert page.evaluate("document.querySelectorAll('img[src=x]').length === 0 && window.hacked === undefined")
    page.context.close()
    page = new_page(browser, **PHONE)
    page.goto(site + TOPIC)
    page.tap(mice)
    box = page.locator(".ev-preview")
    box.wait_for(state="visible", timeout=5000)
    assert HOSTILE_TITLE in box.inner_text()
    assert page.evaluate("document.querySelectorAll('img[src=x]').length === 0 && window.hacked === undefined")
    page.context.close()


def test_without_javascript_a_tap_follows_the_link(browser: Browser, site: str) -> None:
    page = new_page(browser, java_script_enabled=False, **PHONE)
    page.goto(site + TOPIC)
    page.tap(FIRST)
    page.wait_for_url("**/references/doe2020trial/")
    page.context.close()


# ---- Print ---------------------------------------------------------------------------------

CHROME = [
    ".md-header",
    ".md-tabs",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-search",
    ".md-footer",
    "[data-md-component=palette]",
]
SHOWN = """selectors => selectors.map(s => {
  const el = document.querySelector(s);
  return el === null ? s + ': missing' : s + ': ' + (el.checkVisibility() ? 'shown' : 'hidden');
})"""


def test_print_drops_the_navigation_chrome_and_keeps_the_references(browser: Browser, site: str) -> None:
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(site + TOPIC)
    assert page.evaluate(SHOWN, CHROME) == [f"{s}: shown" for s in CHROME]
    page.emulate_media(media="print")
    assert page.evaluate(SHOWN, CHROME) == [f"{s}: hidden" for s in CHROME]
    assert page.evaluate(SHOWN, ["#references + ol", ".ev-claim", "#change-history"]) == [
        "#references + ol: shown",
        ".ev-claim: shown",
        "#change-history: shown",
    ]
    assert not page.locator("a.ev-permalink").first.is_visible()
    claim = "getComputedStyle(document.querySelector('.ev-claim')).breakInside"
    assert page.evaluate(claim) == "avoid"
    page.context.close()


def test_print_opens_folded_sections_and_spells_out_links_to_other_sites(browser: Browser, site: str) -> None:
    page = new_page(browser)
    page.goto(site)
    folded = page.locator("details p")
    assert not folded.is_visible()
    page.emulate_media(media="print")
    assert folded.is_visible()
    after = "getComputedStyle(document.querySelector('a[href=\"https://example.org/\"]'), '::after').content"
    assert "https://example.org/" in page.evaluate(after)
    page.context.close()


def test_a_topic_page_prints_to_a_pdf(browser: Browser, site: str, tmp_path: Path) -> None:
    page = new_page(browser)
    page.goto(site + TOPIC)
    pdf = page.pdf(format="A4", path=str(tmp_path / "topic.pdf"))
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf))
    assert 1 <= pages <= 6, pages
    page.context.close()
