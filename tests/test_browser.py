"""What a reader clicks, in real Chromium: claim -> citation preview -> reference -> backlink.

Runs Debian's chromium through Playwright. Outside CI a machine without chromium skips these
tests with a reason; under CI (CI=true) a missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import BuildResult

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield instance
        instance.close()


def serve(directory: Path) -> tuple[str, Callable[[], None]]:
    """Serve a built site on a free loopback port; returns its base URL and a stop function."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return f"http://127.0.0.1:{server.server_address[1]}/", stop


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def basic_site(site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]) -> Iterator[str]:
    result = build(site_copy("basic"))
    assert result.ok, result.messages
    url, stop = serve(result.site)
    yield url
    stop()


def test_reader_follows_citation_to_reference_and_backlink_to_claim(browser: object, basic_site: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(basic_site + "conditions/example-disease/")
    claim = page.locator("#example-trial-benefit")
    assert "80% on the drug versus 40% on placebo" in claim.inner_text()
    badge = claim.locator("a.ev-grade")
    assert badge.inner_text() == "Low"

    # Keyboard focus on a citation shows its preview (Material's tooltip for the title).
    cite = claim.locator("a.ev-cite").first
    cite.focus()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active, [role=tooltip]:visible").first
    tooltip.wait_for(state="visible", timeout=5000)
    assert "A randomised trial of the drug" in tooltip.inner_text()

    cite.click()
    page.wait_for_url("**/references/doe2020trial/")
    assert page.locator("h1").inner_text() == "Doe and Smith 2020"
    backlink = page.locator("a.ev-backlink")
    assert backlink.count() == 1
    backlink.click()
    page.wait_for_url("**/conditions/example-disease/#example-trial-benefit")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == "example-trial-benefit"
    assert dialogs == []
    page.close()


def test_hovering_a_citation_previews_the_reference(browser: object, basic_site: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(basic_site + "conditions/example-disease/")
    page.locator("#example-trial-benefit a.ev-cite").nth(1).hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active, [role=tooltip]:visible").first
    tooltip.wait_for(state="visible", timeout=5000)
    assert "A case report" in tooltip.inner_text()
    assert "Table 2" in tooltip.inner_text()
    page.close()


@pytest.fixture(scope="module")
def review_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    from conftest import REPO, build_site

    result = build_site(REPO, tmp_path_factory.mktemp("review-browser") / "site")
    assert result.ok, result.messages
    pages = sorted(p.relative_to(result.site).parent.as_posix() for p in result.site.rglob("index.html"))
    url, stop = serve(result.site)
    yield url, pages
    stop()


CONTENT_AUDIT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('.md-content *')) {
    for (const attr of el.attributes) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.startsWith('on')) bad.push(`${el.tagName} ${attr.name}`);
      if ((attr.name === 'href' || attr.name === 'src') && (value.startsWith('javascript:') || value.startsWith('data:')))
        bad.push(`${el.tagName} ${attr.name}=${value.slice(0, 40)}`);
    }
    if (el.tagName === 'SCRIPT' || el.tagName === 'IFRAME' || el.tagName === 'OBJECT') bad.push(el.tagName);
  }
  return bad;
}"""


def test_every_page_of_the_review_loads_without_script_from_content(browser: object, review_site: tuple[str, list[str]]) -> None:
    base, pages = review_site
    assert len(pages) > 100
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    findings = {}
    for path in pages:
        page.goto(base + (path + "/" if path != "." else ""), wait_until="load")
        bad = page.evaluate(CONTENT_AUDIT)
        if bad:
            findings[path] = bad
    page.close()
    assert findings == {}
    assert dialogs == []
    assert errors == []
