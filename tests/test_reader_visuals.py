"""The evidence map and the study timelines as a reader meets them, in real Chromium.

The review itself is built once (strict) and served. A map cell on the home page leads to exactly
its claims; the map fits a 375 px phone without widening the page; a timeline is an image with an
accessible name (a named group, since its marks are links), its table beside it, and marks that
open the reference pages from the mouse and the keyboard, in both palettes.
`pytest tests/test_reader_visuals.py --update-goldens` rewrites the README screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import test_browser
from conftest import REPO, build_site
from evidence.evidence_map import build_map
from evidence.sources import load_review

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the Chromium fixture
serve = test_browser.serve

SCREENSHOTS = REPO / ".github" / "screenshots"
ROW, COLUMN = "conditions/crohns-disease", "disease-activity"
TIMELINE_PAGE = "conditions/multiple-sclerosis/"
HIDE_HEADER = ".md-header, .md-tabs { visibility: hidden !important; }"


@pytest.fixture(scope="module")
def review_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    result = build_site(REPO, tmp_path_factory.mktemp("review-visuals") / "site")
    assert result.ok, result.messages
    url, stop = serve(result.site)
    yield url
    stop()


def expected_cell() -> tuple[str, list[str], str]:
    """(anchor, claim ids, grade label) of the Crohn's disease / disease activity cell, from the data."""
    corpus = load_review(REPO).corpus
    assert corpus is not None
    view = build_map(corpus)
    assert view is not None
    row = next(r for r in view.rows if r.topic.id == ROW)
    cell = next(c for c in row.cells if c.domain.id == COLUMN)
    assert cell.best is not None and len(cell.claims) > 1
    return cell.anchor, [c.id for c in cell.claims], cell.best.label


def test_a_map_cell_leads_to_exactly_its_claims(browser: object, review_url: str) -> None:
    anchor, claim_ids, grade = expected_cell()
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(review_url)
    table = page.locator(".ev-map table")
    headers = table.locator("thead th").all_inner_texts()
    column = headers.index("Disease activity")
    row = table.locator("tbody tr", has=page.get_by_role("link", name="Crohn's disease", exact=True))
    cell = row.locator("td").nth(column).locator("a.ev-map__cell")
    assert cell.inner_text().split("\n") == [grade, f"{len(claim_ids)} claims"]
    cell.click()
    page.wait_for_url(f"**/claims/{ROW.split('/')[0]}/#{anchor}")
    target = page.locator(":target")
    assert target.get_attribute("id") == anchor
    assert target.is_visible() and target.evaluate(
        "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )
    links = target.locator("tbody a[href*='#']:not(.ev-grade):not(.ev-verdict)")
    hrefs = [h.rsplit("#", 1)[1] for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert hrefs == claim_ids
    assert all(links.nth(i).is_visible() for i in range(links.count()))
    links.first.click()
    page.wait_for_url(f"**/crohns-disease/#{claim_ids[0]}")
    page.close()


def test_every_cell_is_readable_without_colour(browser: object, review_url: str) -> None:
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(review_url)
        cells = page.evaluate(
            """() => [...document.querySelectorAll('.ev-map .ev-map__cell')].map(c => ({
                text: c.innerText.trim(), link: c.tagName === 'A', title: c.getAttribute('title'),
                pattern: getComputedStyle(c).backgroundImage, colour: getComputedStyle(c).color,
                background: getComputedStyle(c).backgroundColor }))"""
        )
        assert len(cells) == 14 * 7
        empty = [c for c in cells if not c["link"]]
        graded = [c for c in cells if c["link"]]
        assert empty and graded
        assert all(c["text"] == "No claims" and "repeating-linear-gradient" in c["pattern"] for c in empty)
        labels = {"High", "Moderate", "Low", "Very low", "No evidence"}
        for c in graded:
            grade, count = c["text"].split("\n")
            assert grade in labels and count.endswith(("claim", "claims")), c
            assert grade in c["title"]
            assert _contrast(c["colour"], c["background"]) >= 4.5, c
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["theme-script", "no-script"])
def test_map_fits_a_phone_without_widening_the_page(browser: object, review_url: str, javascript: bool) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=javascript)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(review_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.locator(".ev-map").first
    box.scroll_into_view_if_needed()
    before = page.locator(".ev-map tbody tr").first.locator("td").first.bounding_box()
    scrolled = box.evaluate(SCROLL_MAP)
    assert scrolled > 100, "the map scrolls sideways inside its own box"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    first = page.locator(".ev-map tbody tr").first.locator("td").first
    after = first.bounding_box()
    assert before is not None and after is not None
    # Sticky: the condition column stays on screen (at most the box's padding moves) while the grades scroll.
    assert 0 <= after["x"] <= before["x"] and before["x"] - after["x"] < 24, (before, after)
    font = page.locator(".ev-map a.ev-map__cell").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 10
    context.close()


SCROLL_MAP = """el => {
  for (let node = el.querySelector('table'); node && node !== el.parentElement; node = node.parentElement) {
    if (node.scrollWidth > node.clientWidth) { node.scrollLeft = 400; return node.scrollLeft; }
  }
  return 0;
}"""

TIMELINE = """() => {
  const svg = document.querySelector('.ev-timeline svg');
  const box = svg.getBoundingClientRect();
  const details = svg.closest('.ev-timeline').nextElementSibling;
  return {
    width: box.width, height: box.height, role: svg.getAttribute('role'),
    name: document.getElementById(svg.getAttribute('aria-labelledby')).textContent,
    desc: document.getElementById(svg.getAttribute('aria-describedby')).textContent,
    marks: [...svg.querySelectorAll('a.ev-timeline__study')].map(a => {
      const b = a.querySelector('.ev-timeline__mark').getBoundingClientRect();
      return {label: a.querySelector('text').textContent, width: b.width, height: b.height};
    }),
    tag: details.tagName,
    rows: [...details.querySelectorAll('tbody tr')].map(tr => [tr.cells[0].textContent, tr.cells[1].textContent]),
  };
}"""


def test_timeline_is_a_named_drawing_with_a_table_beside_it(browser: object, review_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(review_url + TIMELINE_PAGE)
    plot = page.evaluate(TIMELINE)
    assert plot["role"] == "group" and plot["width"] > 300 and plot["height"] > 100
    assert plot["name"] == "Studies cited on Multiple sclerosis, by year and design"
    assert page.get_by_role("group", name=plot["name"], exact=True).count() == 1
    assert plot["tag"] == "DETAILS"
    dated = [study for year, study in plot["rows"] if year != "year not verified"]
    undated = [study for year, study in plot["rows"] if year == "year not verified"]
    assert undated, "the MS page cites a work whose year is not verified"
    assert sorted(m["label"] for m in plot["marks"]) == sorted(dated)
    assert not set(undated) & {m["label"] for m in plot["marks"]}
    assert all(m["width"] > 3 and m["height"] > 3 for m in plot["marks"])
    assert f"{len(undated)} more without a verified year" in plot["desc"]
    years = [int(year) for year, _ in plot["rows"] if year != "year not verified"]
    assert years == sorted(years)
    page.close()


def test_a_timeline_mark_opens_its_reference_page(browser: object, review_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(review_url + TIMELINE_PAGE)
    mark = page.locator("a.ev-timeline__study").first
    label = mark.locator("text").text_content() or ""
    mark.locator(".ev-timeline__mark").click()
    page.wait_for_url("**/references/*/")
    assert page.locator("h1").inner_text().startswith(label.rsplit(" ", 1)[0])
    page.go_back()
    last = page.locator("a.ev-timeline__study").last
    last.focus()
    assert page.evaluate("document.activeElement.classList.contains('ev-timeline__study')")
    target = last.get_attribute("href") or ""
    page.keyboard.press("Enter")
    page.wait_for_url("**/references/*/")
    assert page.url.endswith(target.replace("../", ""))
    page.close()


def test_timeline_follows_the_light_and_dark_palettes(browser: object, review_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(review_url + TIMELINE_PAGE)
        colours[scheme] = page.evaluate(
            """() => {
              const svg = document.querySelector('.ev-timeline svg');
              const label = svg.querySelector('.ev-timeline__label');
              const mark = svg.querySelector('.ev-timeline__mark');
              return [getComputedStyle(label).fill, getComputedStyle(label.closest('a')).color, getComputedStyle(mark).stroke];
            }"""
        )
        context.close()
    for label, link, _ in colours.values():
        assert label == link, "labels are drawn in the theme's link colour"
    assert colours["light"][0] != colours["dark"][0]
    assert colours["light"][2] != colours["dark"][2]


def test_readme_screenshots_of_the_map_and_a_timeline(browser: object, review_url: str, update_goldens: bool, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)  # type: ignore[attr-defined]
    targets = {}
    for name, path, selector in (("evidence-map.png", "", ".ev-map"), ("study-timeline.png", TIMELINE_PAGE, ".ev-timeline")):
        page.goto(review_url + path)
        page.add_style_tag(content=HIDE_HEADER)
        target = SCREENSHOTS / name if update_goldens else tmp_path / name
        page.locator(selector).first.screenshot(path=str(target))
        targets[name] = target
    page.close()
    for name, target in targets.items():
        assert target.read_bytes().startswith(b"\x89PNG")
        assert (SCREENSHOTS / name).is_file(), "run pytest tests/test_reader_visuals.py --update-goldens to create the README screenshots"


def _contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        parts = [float(p) for p in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
