"""Forest plots in real Chromium: drawn without script, named, described, and matched by their table.

Builds the review itself and opens a condition page whose studies report effect estimates.
`pytest tests/test_effect_plots.py --update-goldens` also refreshes the README's screenshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, build_site
from test_browser import browser, serve

__all__ = ["browser"]

pytestmark = pytest.mark.browser

PAGE = "conditions/fibromyalgia/"
SCREENSHOT = REPO / ".github" / "screenshots" / "forest-plot.png"
SCREENSHOT_PLOT = "Pain: standardised mean difference (SMD), LDN vs placebo"

FIGURES = """() => [...document.querySelectorAll('figure.ev-forest')].map(figure => {
  const svg = figure.querySelector('svg');
  const box = svg.getBoundingClientRect();
  let details = figure.nextElementSibling;
  while (details && details.tagName !== 'DETAILS') details = details.nextElementSibling;
  const heading = figure.previousElementSibling;
  return {
    width: box.width, height: box.height, role: svg.getAttribute('role'),
    title: document.getElementById(svg.getAttribute('aria-labelledby')).textContent,
    desc: document.getElementById(svg.getAttribute('aria-describedby')).textContent,
    heading: heading && heading.tagName === 'H3' ? heading.firstChild.textContent.trim() : null,
    rows: svg.querySelectorAll('.ev-forest__row').length,
    marks: [...svg.querySelectorAll('.ev-forest__point, .ev-forest__pooled')].map(m => {
      const b = m.getBoundingClientRect();
      return {width: b.width, height: b.height, fill: getComputedStyle(m).fill};
    }),
    scripts: figure.querySelectorAll('script, a, foreignObject').length,
    table: details ? [...details.querySelectorAll('tbody tr')].map(tr => ({
      study: tr.cells[0].querySelector('a').textContent,
      href: tr.cells[0].querySelector('a').getAttribute('href'),
      estimate: tr.cells[2].textContent,
      interval: tr.cells[3].textContent,
    })) : [],
  };
})"""


@pytest.fixture(scope="module")
def review_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    result = build_site(REPO, tmp_path_factory.mktemp("review-plots") / "site")
    assert result.ok, result.messages
    url, stop = serve(result.site)
    yield url
    stop()


def test_condition_page_plots_render_with_names_and_matching_tables(browser: object, review_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(review_url + PAGE)
    figures = page.evaluate(FIGURES)
    assert len(figures) >= 4
    titles = [f["title"] for f in figures]
    assert SCREENSHOT_PLOT in titles and len(set(titles)) == len(titles)
    for figure in figures:
        assert figure["role"] == "img" and figure["width"] > 300 and figure["height"] > 60, figure["title"]
        assert figure["heading"] == figure["title"]
        assert figure["scripts"] == 0
        assert figure["rows"] == len(figure["table"]) == len(figure["marks"]) >= 1
        assert all(m["width"] > 4 and m["height"] > 4 and m["fill"] not in ("none", "rgba(0, 0, 0, 0)") for m in figure["marks"])
        for row in figure["table"]:
            assert re.fullmatch(r"\.\./\.\./references/[a-z0-9_]+/", row["href"]), row
            assert f"{row['study']}" in figure["desc"]  # the description reads out the same studies
            assert f"{row['estimate']} ({row['interval']})" in figure["desc"]
    # The accessible name is the title: assistive technology finds the plot by it.
    image = page.get_by_role("img", name=SCREENSHOT_PLOT, exact=True)
    assert image.count() == 1
    smd = next(f for f in figures if f["title"] == SCREENSHOT_PLOT)
    assert [r["study"] for r in smd["table"]][-1] == "Ologunowa et al. 2025"
    assert "-0.50 (95% CI -1.19 to 0.19)" in smd["desc"]
    context.close()


def test_table_beside_a_plot_opens_and_links_to_the_reference(browser: object, review_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(review_url + PAGE)
    details = page.locator("details.ev-forest__data").first
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    link = details.locator("tbody tr a").first
    assert link.is_visible()
    name = link.inner_text()
    link.click()
    page.wait_for_url("**/references/*/")
    assert page.locator("h1").inner_text().startswith(name)
    page.close()


def test_plots_follow_the_light_and_dark_palettes(browser: object, review_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(review_url + PAGE)
        colours[scheme] = page.evaluate(
            """() => {
              const svg = document.querySelector('figure.ev-forest svg');
              const label = svg.querySelector('.ev-forest__study');
              const text = document.querySelector('.md-typeset');
              return [getComputedStyle(label).fill, getComputedStyle(svg).color, getComputedStyle(text).color];
            }"""
        )
        context.close()
    for fill, svg_colour, text_colour in colours.values():
        assert fill == svg_colour == text_colour
    assert colours["light"][0] != colours["dark"][0]


def test_readme_screenshot_of_a_plot(browser: object, review_url: str, update_goldens: bool, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1100, "height": 900}, device_scale_factor=2)  # type: ignore[attr-defined]
    page.goto(review_url + PAGE)
    figure = page.locator("figure.ev-forest", has=page.get_by_role("img", name=SCREENSHOT_PLOT, exact=True))
    target = SCREENSHOT if update_goldens else tmp_path / "forest-plot.png"
    figure.screenshot(path=str(target))
    page.close()
    assert target.read_bytes().startswith(b"\x89PNG")
    assert SCREENSHOT.is_file(), "run pytest tests/test_effect_plots.py --update-goldens to create the README screenshot"
