"""Forest plots: grouping, scale math, accessible SVG with every contributor value escaped, strict build."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SITES, BuildResult
from evidence import plots
from evidence.findings import Location
from evidence.model import Effect
from evidence.render import Renderer
from evidence.sources import load_review

HOSTILE = '<script>alert(1)</script> & "q" {{ 7*7 }} [x](javascript:alert(2)) *em*'


def effect(estimate: str, low: str, high: str, measure: str = "MD", **kw: object) -> Effect:
    fields: dict[str, object] = {"comparison": "LDN vs placebo", "outcome": "Pain", "level": Decimal(95)} | kw
    return Effect(measure=measure, estimate=Decimal(estimate), low=Decimal(low), high=Decimal(high), location=Location("x"), **fields)  # type: ignore[arg-type]


def row(label: str, e: Effect, pooled: bool = False, year: str = "2020") -> plots.Row:
    return plots.Row(key=label.split()[0].lower(), label=label, effect=e, pooled=pooled, size="40 participants", year=year)


class _Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Svg:
    parser = _Svg()
    parser.feed(markup)
    parser.close()
    return parser


# ---- Grouping ------------------------------------------------------------------------------


def test_rows_sharing_outcome_measure_unit_and_comparison_share_a_plot() -> None:
    rows = [
        row("Pooled et al. 2024", effect("-0.86", "-1.20", "-0.51"), pooled=True, year="2024"),
        row("Trial et al. 2022", effect("-0.34", "-0.95", "0.27"), year="2022"),
        row("Other et al. 2021", effect("-0.61", "-1.14", "-0.08", measure="SMD")),
        row("Scaled et al. 2020", effect("-1.2", "-2.0", "-0.4", unit="points on a 0-10 scale")),
        row("Before et al. 2019", effect("-73.3", "-120.2", "-26.4", comparison="year after vs year before")),
        row("Older et al. 2019", effect("-0.2", "-0.5", "0.1", outcome="pain"), year="2019"),
    ]
    groups = plots.group(rows)
    assert [[r.label for r in g.rows] for g in groups] == [
        ["Older et al. 2019", "Trial et al. 2022", "Pooled et al. 2024"],  # single studies by year, pooled last
        ["Other et al. 2021"],
        ["Scaled et al. 2020"],
        ["Before et al. 2019"],
    ]
    assert groups[0].title == "Pain: mean difference (MD), LDN vs placebo"
    assert groups[2].title == "Pain: mean difference (MD, points on a 0-10 scale), LDN vs placebo"


# ---- Scale ---------------------------------------------------------------------------------


def test_linear_axis_covers_every_interval_and_zero_with_round_ticks() -> None:
    plot = plots.group([row("A 2020", effect("-0.61", "-1.14", "-0.08")), row("B 2021", effect("-0.50", "-1.19", "0.19"))])[0]
    axis = plots.axis_for(plot)
    assert [plots.number(t) for t in axis.ticks] == ["-1.5", "-1", "-0.5", "0", "0.5"]
    assert not axis.log
    assert axis.x(Decimal("-1.5")) == plots.PLOT_LEFT and axis.x(Decimal("0.5")) == plots.PLOT_RIGHT
    assert axis.x(Decimal(0)) == pytest.approx(plots.PLOT_LEFT + 0.75 * (plots.PLOT_RIGHT - plots.PLOT_LEFT))


def test_linear_axis_keeps_zero_in_view_when_every_interval_is_on_one_side() -> None:
    axis = plots.axis_for(plots.group([row("A 2020", effect("-73.3", "-120.2", "-26.4"))])[0])
    assert [plots.number(t) for t in axis.ticks] == ["-150", "-100", "-50", "0"]


def test_ratio_axis_is_logarithmic_around_one() -> None:
    axis = plots.axis_for(plots.group([row("A 2020", effect("2.00", "1.10", "3.64", measure="RR"))])[0])
    assert axis.log
    assert [plots.number(t) for t in axis.ticks] == ["1", "2", "5"]
    span = plots.PLOT_RIGHT - plots.PLOT_LEFT
    assert axis.x(Decimal(1)) == plots.PLOT_LEFT
    assert axis.x(Decimal(2)) == pytest.approx(plots.PLOT_LEFT + span * math.log10(2) / math.log10(5))


def test_wide_ratio_axis_shows_only_powers_of_ten() -> None:
    axis = plots.axis_for(plots.group([row("A 2020", effect("1.5", "0.05", "30", measure="OR"))])[0])
    assert [plots.number(t) for t in axis.ticks] == ["0.01", "0.1", "1", "10", "100"]


def test_ratio_below_one_puts_the_line_of_no_effect_on_the_right() -> None:
    plot = plots.group([row("A 2020", effect("0.80", "0.43", "0.99", measure="HR"))])[0]
    axis = plots.axis_for(plot)
    assert [plots.number(t) for t in axis.ticks] == ["0.2", "0.5", "1"]
    assert axis.x(plot.null) == plots.PLOT_RIGHT


# ---- Drawing -------------------------------------------------------------------------------


def test_svg_is_an_image_named_by_its_title_and_described_row_by_row() -> None:
    plot = plots.group(
        [
            row("Trial et al. 2022", effect("-0.34", "-0.95", "0.27", better="lower")),
            row("Pooled et al. 2024", effect("-0.50", "-1.19", "0.19", better="lower"), pooled=True),
        ]
    )[0]
    html = plots.draw(plot, "forest-1")
    parsed = parse(html)
    svg = next(attrs for tag, attrs in parsed.tags if tag == "svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "forest-1-title" and svg["aria-describedby"] == "forest-1-desc"
    assert re.search(r'<title id="forest-1-title">Pain: mean difference \(MD\), LDN vs placebo</title>', html)
    desc = re.search(r'<desc id="forest-1-desc">(.*?)</desc>', html)
    assert desc is not None
    assert "Trial et al. 2022: MD -0.34 (95% CI -0.95 to 0.27)." in desc.group(1)
    assert "Pooled et al. 2024, pooled estimate from 40 participants: MD -0.50 (95% CI -1.19 to 0.19)." in desc.group(1)
    assert "Values below 0 favour LDN; values above favour placebo." in desc.group(1)
    assert [t for t, _ in parsed.tags].count("rect") == 1  # the single study
    assert [t for t, _ in parsed.tags].count("polygon") == 1  # the pooled estimate, a diamond
    assert "-0.50 (-1.19 to 0.19)" in parsed.text  # digits as written, trailing zero kept
    assert "\u2190 Favours LDN" in parsed.text and "Favours placebo \u2192" in parsed.text
    assert "\n" not in html  # one line: Markdown keeps it as a single raw HTML block


def test_favours_labels_follow_the_better_direction_and_need_it() -> None:
    higher = plots.group([row("A 2020", effect("2.00", "1.10", "3.64", measure="RR", better="higher"))])[0]
    text = parse(plots.draw(higher, "p")).text
    assert "\u2190 Favours placebo" in text and "Favours LDN \u2192" in text
    unknown = plots.group([row("A 2020", effect("0.17", "0.08", "0.25"))])[0]
    assert not any("Favours" in t for t in parse(plots.draw(unknown, "p")).text)
    mixed = plots.group([row("A 2020", effect("0.1", "0.0", "0.2", better="lower")), row("B 2021", effect("0.1", "0.0", "0.2"))])[0]
    assert mixed.favours() is None


def test_null_line_sits_at_no_effect() -> None:
    plot = plots.group([row("A 2020", effect("-0.61", "-1.14", "-0.08")), row("B 2021", effect("-0.50", "-1.19", "0.19"))])[0]
    lines = [attrs for tag, attrs in parse(plots.draw(plot, "p")).tags if tag == "line" and attrs.get("class") == "ev-forest__null"]
    assert len(lines) == 1 and lines[0]["x1"] == lines[0]["x2"] == "440"


def test_hostile_labels_and_names_stay_text() -> None:
    e = effect("-1", "-2", "0", outcome=HOSTILE, comparison=f"{HOSTILE} vs </svg><script>x()</script>", unit=HOSTILE, better="lower")
    html = plots.draw(plots.group([row(HOSTILE, e)])[0], "forest-1")
    parsed = parse(html)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "a" not in tags
    assert set(tags) <= {"figure", "svg", "title", "desc", "g", "text", "line", "rect", "polygon"}
    assert all(not name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    assert any("<script>alert(1)</script>" in t for t in parsed.text)  # shown as written
    assert "<script" not in html and html.count("<svg") == 1 and html.count("</svg>") == 1


def test_hostile_effect_text_is_escaped_in_the_topic_page() -> None:
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    corpus = loaded.corpus
    study = corpus.studies["doe2020trial"]
    first = study.outcomes[0]
    assert first.effect is not None
    bad = dataclasses.replace(first, effect=dataclasses.replace(first.effect, outcome=HOSTILE, comparison=f"{HOSTILE} vs <b>x</b>"))
    corpus.studies["doe2020trial"] = dataclasses.replace(study, outcomes=(bad, *study.outcomes[1:]))
    markdown = Renderer(corpus).topic(corpus.topic_by_id["conditions/example-disease"])
    assert "<script" not in markdown and "<b>" not in markdown
    figures = [line for line in markdown.splitlines() if line.startswith('<figure class="ev-forest"')]
    assert len(figures) == 2 and "&lt;script&gt;alert(1)&lt;/script&gt;" in figures[0]  # raw HTML: escaped as HTML
    markdown_lines = [line for line in markdown.splitlines() if line not in figures]
    assert not any("](javascript:" in line or "{{ 7*7 }}" in line for line in markdown_lines)  # Markdown: escaped as Markdown
    assert "### &#60;script&#62;alert(1)&#60;/script&#62;" in markdown


def test_long_labels_are_shortened_in_the_drawing_but_kept_whole_in_the_description() -> None:
    title = "Efficacy and safety of low-dose naltrexone (LDN) in fibromyalgia 2025"
    pooled = plots.Row("k", title, effect("-0.61", "-1.14", "-0.08"), pooled=True, size="5 studies", year="2025")
    assert plots.short_label(pooled) == "Efficacy and safety o\u2026 2025 (pooled)"
    assert len(plots.short_label(pooled)) == plots.LABEL_CHARS
    assert plots.short_label(dataclasses.replace(pooled, label="Smith et al. 2011", pooled=False)) == "Smith et al. 2011"
    html = plots.draw(plots.group([pooled])[0], "p")
    assert "Efficacy and safety o\u2026 2025 (pooled)</text>" in html
    assert f"{title}, pooled estimate from 5 studies: MD -0.61" in html


def test_only_studies_cited_by_the_topics_own_claims_are_plotted() -> None:
    loaded = load_review(SITES / "basic")
    assert loaded.corpus is not None
    corpus = loaded.corpus
    trial = corpus.studies["doe2020trial"].outcomes[0]
    mice = dataclasses.replace(corpus.studies["poe2018mice"], outcomes=(trial,))
    corpus.studies["poe2018mice"] = mice  # cited on the page only by a mechanism claim that names the condition in `see`
    topic = corpus.topic_by_id["conditions/example-disease"]
    markdown = Renderer(corpus).topic(topic)
    assert "Poe 2018" in markdown  # the mechanism claim and its citation are on the page
    effects = markdown[markdown.index("## Effect estimates") : markdown.index("## Studies cited")]
    assert "Doe and Smith 2020" in effects and "Poe 2018" not in effects
    rows = plots.rows(corpus, topic, ["doe2020trial", "poe2018mice"], str, lambda key: None)
    assert [r.key for r in rows] == ["doe2020trial", "doe2020trial"]


def test_drawing_is_deterministic() -> None:
    plot = plots.group([row("A 2020", effect("-0.61", "-1.14", "-0.08")), row("B 2021", effect("2", "1", "3"), pooled=True)])[0]
    assert plots.draw(plot, "p") == plots.draw(plot, "p")


# ---- Built site ----------------------------------------------------------------------------


def test_condition_page_shows_effect_plots_with_a_table_and_strict_build_is_clean(
    site_copy: Callable[[str], Path], build: Callable[[Path], BuildResult]
) -> None:
    result = build(site_copy("basic"))
    assert result.ok, result.messages
    assert result.messages == []
    html = (result.site / "conditions" / "example-disease" / "index.html").read_text("utf-8")
    section = html[html.index('id="effect-estimates"') :]
    figures = re.findall(r'<figure class="ev-forest" id="(forest-\d)-figure"><svg [^>]*role="img"', section)
    assert figures == ["forest-1", "forest-2"]
    assert '<title id="forest-1-title">Pain: mean difference (MD, points on a 0-10 scale), drug vs placebo</title>' in section
    assert '<title id="forest-2-title">Responders: risk ratio (RR), drug vs placebo</title>' in section
    tables = re.findall(r'<details class="ev-forest__data">(.*?)</details>', section, re.S)
    assert len(tables) == 2
    assert '<a href="../../references/doe2020trial/">Doe and Smith 2020</a>' in tables[0]
    assert "95% CI 1.10 to 3.64" in tables[1] and "40 participants; drug 16/20, placebo 8/20" in tables[1]
    assert "ev-forest" not in (result.site / "mechanisms" / "example-pathway" / "index.html").read_text("utf-8")
