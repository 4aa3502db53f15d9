"""axe-core in real Chromium over every kind of page of the review, in both palettes and on a phone.

The review is built once (strict) and served; each page type is opened with the reader's system set
to light (Material's `default` palette) and to dark (`slate`), and the home and a topic page again
at a 375 px phone viewport. axe-core comes from the `axe-playwright-python` package. No violation
of serious or critical impact is allowed, except the entries of tests/axe-baseline.json, each with
its reason: the theme's own markup that neither CSS nor mkdocs.yml can change, and problems in our
markup that are reported and wait for their fix. Contrast is fixed in evidence.css, never listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import test_browser
from conftest import REPO

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the Chromium fixture
serve = test_browser.serve

BASELINE = REPO / "tests" / "axe-baseline.json"
PAGES = {
    "home": "",
    "kind index": "conditions/",
    "condition topic": "conditions/crohns-disease/",
    "dosing topic": "dosing/doses-in-trials/",
    "popular claims": "popular-claims/ldn-autoimmune-management/",
    "reference": "references/smith2011crohn/",
    "claims index": "claims/",
    "claims of a kind": "claims/conditions/",
    "references index": "references/",
    "methods": "methods/",
}
PHONE_PAGES = ("home", "condition topic")
SCHEMES = {"default": "light", "slate": "dark"}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
BLOCKING = ("serious", "critical")


@dataclass(frozen=True)
class Audit:
    scheme: str
    device: str
    page: str
    shown_scheme: str
    width: int
    violations: list[dict[str, Any]]


@dataclass(frozen=True)
class Allowance:
    section: str
    """`theme` (Material's markup, out of reach) or `known` (ours, reported and waiting for its fix)."""
    rule: str
    target: re.Pattern[str]
    reason: str


def load_baseline(path: Path) -> list[Allowance]:
    data = json.loads(path.read_text("utf-8"))
    assert set(data) == {"about", "theme", "known"}, sorted(data)
    allowances = []
    for section in ("theme", "known"):
        for entry in data[section]:
            assert set(entry) == {"rule", "target", "reason"}, entry
            assert entry["reason"].strip(), f"baseline entry without a reason: {entry['rule']}"
            allowances.append(Allowance(section, entry["rule"], re.compile(entry["target"]), entry["reason"]))
    return allowances


def sort_out(audits: list[Audit], baseline: list[Allowance]) -> tuple[list[str], list[Allowance]]:
    """Serious and critical violations no entry allows, one line per element, and the entries that allowed nothing."""
    used: set[int] = set()
    unexpected = []
    for audit in audits:
        for violation in audit.violations:
            if violation.get("impact") not in BLOCKING:
                continue
            for node in violation["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                hit = next((i for i, a in enumerate(baseline) if a.rule == violation["id"] and a.target.search(target)), None)
                if hit is None:
                    detail = next((c["message"] for c in node.get("any", []) + node.get("all", []) + node.get("none", [])), "")
                    where = f"{audit.device} {audit.scheme} /{PAGES[audit.page]}"
                    unexpected.append(f"{where}: {violation['id']} ({violation['impact']}) {target}: {detail}")
                else:
                    used.add(hit)
    return unexpected, [a for i, a in enumerate(baseline) if i not in used]


@pytest.fixture(scope="module")
def audits(browser: object, request: pytest.FixtureRequest) -> list[Audit]:
    from axe_playwright_python.sync_playwright import Axe

    site = request.getfixturevalue("built_review").site
    url, stop = serve(site)
    axe = Axe()
    done = []
    try:
        for scheme, media in SCHEMES.items():
            for device, names in (("desktop", tuple(PAGES)), ("phone", PHONE_PAGES)):
                context = browser.new_context(color_scheme=media, **(PHONE if device == "phone" else {}))  # type: ignore[attr-defined]
                page = context.new_page()
                for name in names:
                    page.goto(url + PAGES[name], wait_until="load")
                    shown = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
                    width = page.evaluate("window.innerWidth")
                    violations = axe.run(page).response["violations"]
                    done.append(Audit(scheme, device, name, shown, width, violations))
                context.close()
    finally:
        stop()
    return done


def test_each_page_type_is_audited_in_both_palettes_and_on_a_phone(audits: list[Audit]) -> None:
    seen = {(a.scheme, a.device, a.page) for a in audits}
    expected = {(s, "desktop", p) for s in SCHEMES for p in PAGES} | {(s, "phone", p) for s in SCHEMES for p in PHONE_PAGES}
    assert seen == expected
    assert [(a.page, a.shown_scheme) for a in audits if a.shown_scheme != a.scheme] == []
    assert {a.width for a in audits if a.device == "phone"} == {375}
    assert min(a.width for a in audits if a.device == "desktop") > 1000


@pytest.mark.parametrize(("scheme", "device"), [("default", "desktop"), ("slate", "desktop"), ("default", "phone"), ("slate", "phone")])
def test_no_serious_or_critical_violations(audits: list[Audit], scheme: str, device: str) -> None:
    mine = [a for a in audits if a.scheme == scheme and a.device == device]
    assert mine
    unexpected, _ = sort_out(mine, load_baseline(BASELINE))
    assert unexpected == [], "\n".join(unexpected)


def test_every_axe_baseline_entry_still_matches_a_violation(audits: list[Audit]) -> None:
    _, unused = sort_out(audits, load_baseline(BASELINE))
    assert [(a.section, a.rule, a.target.pattern) for a in unused] == []


def test_axe_reports_low_contrast_and_colour_only_links_as_serious(browser: object) -> None:
    """The audit can fail: the two problems fixed in evidence.css, on a page of their own."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()  # type: ignore[attr-defined]
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#212121">Read the <a href="#m" style="color:#4051b5;text-decoration:none">methods</a> first.</p>'
        '<p id="m" style="color:#7f7f7f;background:#171717">Made with a theme</p></main></body></html>'
    )
    violations = Axe().run(page).response["violations"]
    page.close()
    found = {(v["id"], v["impact"]) for v in violations}
    assert {("color-contrast", "serious"), ("link-in-text-block", "serious")} <= found
    audit = Audit("default", "desktop", "home", "default", 1280, violations)
    unexpected, _ = sort_out([audit], load_baseline(BASELINE))
    assert any("color-contrast (serious)" in line for line in unexpected)
    assert any("link-in-text-block (serious)" in line for line in unexpected)
