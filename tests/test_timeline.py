"""Study timelines: years never guessed, designs in scale order, sizes by n, labels packed and
escaped, and the text alternative beside the plot on a built topic page."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SITES, BuildResult
from evidence import timeline
from evidence.findings import Location
from evidence.model import Design, Reference
from evidence.render import Renderer
from evidence.sources import load_review

RCT = Design("rct", "Randomised controlled trial", "high")
SERIES = Design("case-series", "Case series", "very-low")
META = Design("meta-analysis", "Meta-analysis", "high", counts="studies")
DESIGNS = (META, RCT, SERIES)
HOSTILE = '<script>alert(1)</script> & "x" {{ 7*7 }}'


def ref(year: str | None, unverified: tuple[str, ...] = ()) -> Reference:
    fields = {"title": "T"} | ({"year": year} if year is not None else {})
    return Reference("k", "article", fields, ("Doe, Jane",), Location("references.bib", 1, 1), unverified)


def entry(key: str, year: int | None, design: Design | None = RCT, n: int | None = 40, label: str | None = None) -> timeline.Entry:
    return timeline.Entry(key, label or f"{key.title()} {year}", f"../../references/{key}/", year, design, n, None)


class _Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "text":
            self.texts.append(data)


def parse(markup: str) -> _Svg:
    parser = _Svg()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.mark.parametrize(
    ("year", "unverified", "expected"),
    [("2011", (), 2011), (" 2011 ", (), 2011), ("2011", ("year",), None), ("2011a", (), None), ("in press", (), None), (None, (), None)],
)
def test_publication_year_is_never_guessed(year: str | None, unverified: tuple[str, ...], expected: int | None) -> None:
    assert timeline.publication_year(ref(year, unverified)) == expected


def test_circle_area_grows_with_n_up_to_the_cap() -> None:
    r100, r400 = timeline.radius(100), timeline.radius(400)
    assert r400**2 / r100**2 == pytest.approx(4)
    assert timeline.radius(4000) == r400
    assert timeline.radius(1) == timeline.radius(None) > 0


def test_nothing_to_plot_without_a_verified_year_or_a_design() -> None:
    assert timeline.draw([entry("a", None), entry("b", 2010, design=None)], DESIGNS, "t", "T") is None


def test_rows_follow_the_design_scale_and_unverified_years_are_left_off() -> None:
    entries = [entry("series", 2015, SERIES, 6), entry("trial", 2011, RCT, 120), entry("meta", 2020, META, 7), entry("nodate", None)]
    doc = parse(timeline.draw(entries, DESIGNS, "t", "Title") or "")
    assert [t for t in doc.texts if t in {d.label for d in DESIGNS}] == ["Meta-analysis", "Randomised controlled trial", "Case series"]
    assert "Nodate None" not in doc.texts
    links = [a for tag, a in doc.elements if tag == "a"]
    assert sorted(a["href"] or "" for a in links) == ["../../references/meta/", "../../references/series/", "../../references/trial/"]
    assert not any("tabindex" in a for a in links), "marks are real links, reachable from the keyboard"
    assert doc.elements[0][1]["role"] == "group", "an image's content would hide its links from assistive technology"
    reviews = [tag for tag, a in doc.elements if "ev-timeline__mark--review" in (a.get("class") or "")]
    assert reviews == ["polygon"], "a meta-analysis counts studies, so it is a fixed-size diamond"
    markup = timeline.draw(entries, DESIGNS, "t", "Title") or ""
    assert "1 more without a verified year or known design are listed in the table only.</desc>" in markup


def test_later_years_are_further_right() -> None:
    doc = parse(timeline.draw([entry("a", 2001), entry("b", 2011), entry("c", 2021)], DESIGNS, "t", "T") or "")
    xs = [float(a["cx"] or 0) for tag, a in doc.elements if tag == "circle"]
    assert xs == sorted(xs) and len(set(xs)) == 3


def test_labels_in_one_row_never_overlap() -> None:
    entries = [entry(f"s{i}", 2010 + i % 3, SERIES, 5, label=f"Someone et al. {2010 + i % 3}") for i in range(7)]
    doc = parse(timeline.draw(entries, DESIGNS, "t", "T") or "")
    boxes = []
    for tag, a in doc.elements:
        if tag == "text" and a.get("class") == "ev-timeline__label":
            x, y = float(a["x"] or 0), float(a["y"] or 0)
            width = len("Someone et al. 2010") * 6.4
            left = x - width if a.get("text-anchor") == "end" else x
            boxes.append((left, left + width, y))
    assert len(boxes) == 7
    for i, (l1, r1, y1) in enumerate(boxes):
        for l2, r2, y2 in boxes[i + 1 :]:
            assert y1 != y2 or r1 <= l2 or r2 <= l1, "two labels share a lane and overlap"


def test_hostile_labels_and_titles_stay_text() -> None:
    design = Design("rct", HOSTILE, "high")
    markup = timeline.draw([entry("a", 2010, design, label=HOSTILE)], (design,), "t", HOSTILE) or ""
    doc = parse(markup)
    assert [tag for tag, _ in doc.elements if tag in ("script", "foreignobject")] == []
    assert doc.texts.count(HOSTILE) == 2, "design row label and study label"
    assert "<script>" not in markup


def test_drawing_is_deterministic() -> None:
    entries = [entry("a", 2010, n=33), entry("b", 2013, SERIES, None)]
    assert timeline.draw(entries, DESIGNS, "t", "T") == timeline.draw(list(entries), DESIGNS, "t", "T")


def test_topic_page_lists_unverified_years_in_the_table_only() -> None:
    loaded = load_review(SITES / "visuals")
    assert loaded.corpus is not None
    page = Renderer(loaded.corpus).topic(loaded.corpus.topic_by_id["conditions/alpha-disease"])
    svg = re.search(r"<svg .*?</svg>", page)
    assert svg is not None
    assert "Dog 2014" not in svg.group(0) and "Dog n.d." not in svg.group(0)
    table = page[page.index('<details class="ev-timeline__data"') :]
    rows = re.findall(r"^\| (.+?) \| \[(.+?)\]\(", table, re.M)
    assert rows == [("2012", "Ant et al. 2012"), ("2016", "Cat and Dog 2016"), ("2018", "Eel and Fox 2018"), ("2020", "Bee 2020"),
                    ("year not verified", "Dog n.d.")]  # fmt: skip


def test_kinds_without_a_map_get_no_timeline() -> None:
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    page = Renderer(loaded.corpus).topic(loaded.corpus.topic_by_id["mechanisms/example-pathway"])
    assert "ev-timeline" not in page


def test_strict_build_links_every_mark_to_its_reference_page(
    site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]
) -> None:
    result = build(site_copy("visuals"))
    assert result.ok, result.messages
    page_dir = result.site / "conditions" / "alpha-disease"
    html = (page_dir / "index.html").read_text("utf-8")
    svg = re.search(r'<svg [^>]*role="group"[^>]*>.*?</svg>', html, re.S)
    assert svg is not None
    hrefs = re.findall(r'<a href="([^"]+)" class="ev-timeline__study"', svg.group(0))
    assert len(hrefs) == 4, "the work whose year is not verified is left off"
    for href in hrefs:
        assert (page_dir / href / "index.html").resolve().is_file(), href
