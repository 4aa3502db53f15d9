"""The built review as the Nu Html Checker (vnu) sees it: valid HTML, CSS and SVG apart from a baseline.

vnu starts slowly, so it runs once, over every page, stylesheet and SVG file of one strict build.
Every message must be allowed by an entry of tests/html-baseline.json (theme markup, each with its
reason), and every entry must still allow something. vnu.jar comes from npm's `vnu-jar` (pinned in
package.json, installed by `make vnu`) and runs on Java; outside CI a machine without them skips
these tests with a reason, under CI (CI=true) that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, BuildResult

VNU_JAR = Path(os.environ.get("VNU_JAR", REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))
BASELINE = REPO / "tests" / "html-baseline.json"
CHECKED_SUFFIXES = (".html", ".css", ".svg")


@dataclass(frozen=True)
class Allowance:
    """One baseline entry: a message allowed where the checker's extract of the markup matches too."""

    message: re.Pattern[str]
    extract: re.Pattern[str]
    reason: str


@dataclass(frozen=True)
class Report:
    checked: list[str]
    """Every file vnu says it checked, relative to the site."""
    messages: list[dict[str, Any]]
    site: Path


def load_baseline(path: Path) -> list[Allowance]:
    entries = json.loads(path.read_text("utf-8"))["entries"]
    allowances = []
    for entry in entries:
        assert set(entry) == {"message", "extract", "reason"}, entry
        assert entry["reason"].strip(), f"baseline entry without a reason: {entry['message']}"
        allowances.append(Allowance(re.compile(entry["message"]), re.compile(entry["extract"]), entry["reason"]))
    return allowances


def sort_out(messages: list[dict[str, Any]], baseline: list[Allowance], site: Path) -> tuple[list[str], list[Allowance]]:
    """The messages no entry allows (as `file:line: type: message`), and the entries that allowed nothing."""
    used: set[int] = set()
    unexpected = []
    for m in messages:
        text, extract = m.get("message", ""), m.get("extract", "")
        hit = next((i for i, a in enumerate(baseline) if a.message.search(text) and a.extract.search(extract)), None)
        if hit is None:
            where = m.get("url", "").removeprefix("file:")
            where = os.path.relpath(where, site) if where.startswith(str(site)) else where
            kind = m.get("subType", m.get("type", "?"))
            unexpected.append(f"{where}:{m.get('lastLine', '?')}: {kind}: {text} [{extract.strip()[:160]}]")
        else:
            used.add(hit)
    return unexpected, [a for i, a in enumerate(baseline) if i not in used]


def _require_tools() -> None:
    problem = None
    if shutil.which("java") is None:
        problem = "Java not found; install Debian's default-jre-headless (make vnu does it as root)"
    elif not VNU_JAR.is_file():
        problem = f"vnu.jar not found at {VNU_JAR}; run `make vnu` (npm ci --ignore-scripts)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Report:
    _require_tools()
    site = request.getfixturevalue("built_review").site
    files = sorted(str(p) for p in site.rglob("*") if p.suffix in CHECKED_SUFFIXES and p.is_file())
    command = ["java", "-jar", str(VNU_JAR), "--format", "json", "--verbose", "--also-check-css", "--also-check-svg", *files]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    start = done.stderr.find("{")
    assert start >= 0, done.stderr[-2000:]
    parsed, _ = json.JSONDecoder().raw_decode(done.stderr[start:])
    checked = [os.path.relpath(line, site) for line in done.stdout.splitlines() if line.strip()]
    return Report(checked, parsed["messages"], site)


def test_vnu_checks_every_page_stylesheet_and_svg_file(report: Report, built_review: BuildResult) -> None:
    expected = sorted(p.relative_to(built_review.site).as_posix() for p in built_review.site.rglob("*") if p.suffix in CHECKED_SUFFIXES)
    assert len([f for f in expected if f.endswith(".html")]) > 100
    assert any(f.endswith("evidence.css") for f in expected)
    assert sorted(report.checked) == expected
    assert [m for m in report.messages if m.get("type") == "non-document-error"] == []


def test_every_page_is_valid_apart_from_the_theme_baseline(report: Report) -> None:
    unexpected, _ = sort_out(report.messages, load_baseline(BASELINE), report.site)
    assert unexpected == []


def test_every_baseline_entry_still_matches_a_message(report: Report) -> None:
    _, unused = sort_out(report.messages, load_baseline(BASELINE), report.site)
    assert [a.message.pattern for a in unused] == []


def test_the_baseline_allows_only_the_theme_markup_it_names() -> None:
    """A message the baseline knows, but in markup of ours, is reported; an entry nothing matches is stale."""
    site = Path("/site")
    baseline = load_baseline(BASELINE)
    tabindex = "Bad value “” for attribute “tabindex” on element “label”: The empty string is not a valid integer."
    theme = {
        "type": "error",
        "url": "file:/site/index.html",
        "lastLine": 9,
        "message": tabindex,
        "extract": '<label class="md-nav__link " for="__nav_2" id="__nav_2_label" tabindex="">',
    }
    ours = {**theme, "url": "file:/site/claims/index.html", "extract": '<label class="ev-filter" tabindex="">'}
    new = {"type": "error", "url": "file:/site/about/index.html", "lastLine": 3, "message": "Stray end tag “div”.", "extract": "</div>"}
    unexpected, unused = sort_out([theme, ours, new], baseline, site)
    assert unexpected == [
        f'claims/index.html:9: error: {tabindex} [<label class="ev-filter" tabindex="">]',
        "about/index.html:3: error: Stray end tag “div”. [</div>]",
    ]
    assert [a.message.pattern for a in unused] == [a.message.pattern for a in baseline[1:]]
    assert all(a.reason for a in baseline)
