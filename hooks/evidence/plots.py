"""Forest plots of the effect estimates behind a topic page, drawn as static SVG at build time.

A row is one study outcome with an `effect` (see `effects`); rows that share outcome, measure,
unit and comparison form one plot. Estimates and intervals are shown exactly as the result text
writes them; numbers are only turned into positions, never combined. Each plot is an
`<svg role="img">` named by its title and described, row by row, in its `<desc>`, so it needs no
JavaScript and reads out without the picture. Colours come from CSS classes and `currentColor`,
so light and dark palettes both work. Imports only `model` and `svg`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from . import svg
from .model import MEASURES, Corpus, Effect, Topic

WIDTH = 720
LABEL_X = 8
PLOT_LEFT = 260
PLOT_RIGHT = 500
VALUE_X = 516
TOP = 30
ROW = 28
LABEL_CHARS = 36
"""Characters that fit left of the plot area; longer labels are shortened, keeping the year."""
FONT = 13


@dataclass(frozen=True, slots=True)
class Row:
    """One study's estimate for one outcome."""

    key: str
    label: str
    """How the study is named on the page, for example "Smith et al. 2011"."""
    effect: Effect
    pooled: bool = False
    """A meta-analysis' pooled estimate: drawn as a diamond."""
    size: str | None = None
    """The study's n as a reader reads it: "40 participants" or "5 studies"."""
    year: str = ""


@dataclass(frozen=True, slots=True)
class ForestPlot:
    """Rows on one axis: same outcome, measure, unit and comparison."""

    rows: tuple[Row, ...]
    effect: Effect
    """The first of the rows' effects to appear: it names the plot."""

    @property
    def better(self) -> str | None:
        """Which side is better for patients, when every row says the same."""
        values = {r.effect.better for r in self.rows}
        return values.pop() if len(values) == 1 else None

    @property
    def title(self) -> str:
        e = self.effect
        unit = f", {e.unit}" if e.unit else ""
        return f"{e.outcome}: {MEASURES[e.measure]} ({e.measure}{unit}), {e.comparison}"

    @property
    def null(self) -> Decimal:
        """The value of no effect: 1 for ratios, 0 for differences."""
        return Decimal(1) if self.effect.is_ratio else Decimal(0)

    def favours(self) -> tuple[str, str] | None:
        """Who values below and above the line of no effect favour, when the data say so."""
        if self.better is None:
            return None
        first, second = self.effect.sides
        return (first, second) if self.better == "lower" else (second, first)


def group(rows: Iterable[Row]) -> list[ForestPlot]:
    """One plot per outcome, measure, unit and comparison.

    Plots of the same outcome stay together (outcomes in order of first appearance), fuller plots
    first; within a plot, single studies come first, then pooled estimates, each oldest first."""
    groups: dict[tuple[str, str, str | None, str], list[Row]] = {}
    for row in rows:
        e = row.effect
        groups.setdefault((e.outcome.casefold(), e.measure, e.unit, e.comparison.casefold()), []).append(row)
    outcomes = list(dict.fromkeys(outcome for outcome, *_ in groups))
    order = sorted(enumerate(groups.items()), key=lambda item: (outcomes.index(item[1][0][0]), -len(item[1][1]), item[0]))
    return [ForestPlot(tuple(sorted(g, key=lambda r: (r.pooled, r.year, r.label, r.key))), g[0].effect) for _, (_, g) in order]


def rows(corpus: Corpus, topic: Topic, cited: Iterable[str], label: Callable[[str], str], size: Callable[[str], str | None]) -> list[Row]:
    """A row for every outcome with an effect in the study facts of the works the topic's own claims
    cite, in page order (`cited`). Claims from other pages that only mention the topic (`see`) do
    not bring their studies along. Estimates of designs whose n counts included studies
    (meta-analyses) are pooled."""
    designs = {d.id: d for d in corpus.review.designs}
    own = {c.key for claim in topic.claims for c in claim.cites}
    out: list[Row] = []
    for key in (k for k in cited if k in own):
        study, ref = corpus.studies.get(key), corpus.references.get(key)
        if study is None or ref is None:
            continue
        design = designs.get(study.design)
        pooled = design is not None and design.counts == "studies"
        out.extend(Row(key, label(key), o.effect, pooled, size(key), ref.get("year") or "") for o in study.outcomes if o.effect)
    return out


# ---- Scale ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Axis:
    """The horizontal scale: a domain that holds every interval and the line of no effect."""

    lo: Decimal
    hi: Decimal
    ticks: tuple[Decimal, ...]
    log: bool = False

    def x(self, value: Decimal) -> float:
        """Where `value` falls between PLOT_LEFT and PLOT_RIGHT."""
        if self.log:
            lo, hi, v = math.log10(self.lo), math.log10(self.hi), math.log10(value)
        else:
            lo, hi, v = float(self.lo), float(self.hi), float(value)
        return PLOT_LEFT + (v - lo) / (hi - lo) * (PLOT_RIGHT - PLOT_LEFT)


def axis_for(plot: ForestPlot) -> Axis:
    lows = [r.effect.low for r in plot.rows] + [plot.null]
    highs = [r.effect.high for r in plot.rows] + [plot.null]
    return _log_axis(min(lows), max(highs)) if plot.effect.is_ratio else _linear_axis(min(lows), max(highs))


def _linear_axis(lo: Decimal, hi: Decimal) -> Axis:
    """Ticks at 1, 2 or 5 times a power of ten, about five of them, covering [lo, hi]."""
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    rough = (hi - lo) / 4
    power = Decimal(1).scaleb(rough.adjusted())
    step = next(m * power for m in (Decimal(1), Decimal(2), Decimal(5), Decimal(10)) if m * power >= rough)
    first = (lo / step).to_integral_value(ROUND_FLOOR)
    last = (hi / step).to_integral_value(ROUND_CEILING)
    ticks = tuple(_tidy(i * step) for i in range(int(first), int(last) + 1))
    return Axis(ticks[0], ticks[-1], ticks)


def _log_axis(lo: Decimal, hi: Decimal) -> Axis:
    """Ticks at 1, 2 and 5 times powers of ten (only powers of ten when the range is wide)."""
    low_power, high_power = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    for mantissas in ((1, 2, 5), (1,)):
        marks = [Decimal(m).scaleb(p) for p in range(low_power, high_power + 1) for m in mantissas]
        start = max(m for m in marks if m <= lo)
        end = min(m for m in marks if m >= hi)
        ticks = tuple(_tidy(m) for m in marks if start <= m <= end)
        if len(ticks) <= 7:
            break
    return Axis(ticks[0], ticks[-1], ticks, log=True)


def _tidy(value: Decimal) -> Decimal:
    """A tick value without exponent or trailing zeros, and never -0."""
    value = value.normalize()
    if value == 0:
        return Decimal(0)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def number(value: Decimal) -> str:
    """A number as written in the study facts, or a tick value in plain notation."""
    return format(value, "f")


def interval(effect: Effect) -> str:
    return f"{number(effect.level)}% CI {number(effect.low)} to {number(effect.high)}"


def table(plot: ForestPlot) -> list[dict[str, object]]:
    """The plot's rows as text, for the table beside it: study, measure, estimate, interval, size."""
    out: list[dict[str, object]] = []
    for row in plot.rows:
        e = row.effect
        arms = ", ".join(f"{a.label} {a.events}/{a.total}" for a in e.arms)
        size = "; ".join(s for s in (row.size, arms) if s)
        out.append(
            {
                "key": row.key,
                "label": row.label,
                "pooled": row.pooled,
                "measure": e.measure,
                "estimate": number(e.estimate),
                "interval": interval(e),
                "size": size or None,
            }
        )
    return out


# ---- Drawing -------------------------------------------------------------------------------


def draw(plot: ForestPlot, plot_id: str) -> str:
    """The plot as one line of HTML: a `<figure>` around an accessible `<svg role="img">`."""
    axis = axis_for(plot)
    rows = plot.rows
    axis_y = TOP + len(rows) * ROW + 4
    favours = plot.favours()
    height = axis_y + (62 if favours else 44)
    null_x = axis.x(plot.null)
    levels = {r.effect.level for r in rows}
    head = f"{plot.effect.measure} ({number(levels.pop())}% CI)" if len(levels) == 1 else f"{plot.effect.measure} (CI)"
    parts: list[svg.Node] = [
        svg.text(LABEL_X, 18, "Study", {"class": "ev-forest__head", "font-weight": "bold", "font-size": FONT}),
        svg.text(VALUE_X, 18, head, {"class": "ev-forest__head", "font-weight": "bold", "font-size": FONT}),
        _line(null_x, TOP - 4, null_x, axis_y, "ev-forest__null", {"stroke-dasharray": "4 3"}),
        _line(PLOT_LEFT, axis_y, PLOT_RIGHT, axis_y, "ev-forest__axis"),
    ]
    for i, row in enumerate(rows):
        parts.append(_row(row, axis, TOP + i * ROW + ROW / 2))
    for tick in axis.ticks:
        x = axis.x(tick)
        parts.append(_line(x, axis_y, x, axis_y + 5, "ev-forest__tick"))
        parts.append(svg.text(x, axis_y + 18, number(tick), {"class": "ev-forest__tick-label", "text-anchor": "middle", "font-size": 12}))
    scale = MEASURES[plot.effect.measure].capitalize() + (f" ({plot.effect.unit})" if plot.effect.unit else "")
    if plot.effect.is_ratio:
        scale += ", log scale"
    centre = (PLOT_LEFT + PLOT_RIGHT) / 2
    parts.append(svg.text(centre, axis_y + 36, scale, {"class": "ev-forest__scale", "text-anchor": "middle", "font-size": 12}))
    if favours:
        below, above = favours
        attrs: dict[str, svg.Value] = {"class": "ev-forest__favours", "font-size": 12}
        parts.append(svg.text(null_x - 8, axis_y + 54, f"\u2190 Favours {below}", {**attrs, "text-anchor": "end"}))
        parts.append(svg.text(null_x + 8, axis_y + 54, f"Favours {above} \u2192", {**attrs, "text-anchor": "start"}))
    figure = svg.Svg(plot_id, WIDTH, height, plot.title, describe(plot), tuple(parts), css_class="ev-forest__svg")
    return f'<figure class="ev-forest" id="{plot_id}-figure">{figure.render()}</figure>'


def describe(plot: ForestPlot) -> str:
    """What the picture shows, in words: the `<desc>` screen readers announce."""
    e = plot.effect
    sentences = [
        f"Forest plot of {len(plot.rows)} estimate{'s' if len(plot.rows) != 1 else ''}: "
        "each row is a point estimate with its confidence interval; diamonds are pooled estimates of meta-analyses.",
        f"The dashed line marks no difference ({e.measure} {number(plot.null)}).",
    ]
    for row in plot.rows:
        pooled = f", pooled estimate from {row.size or 'several studies'}" if row.pooled else ""
        r = row.effect
        sentences.append(f"{row.label}{pooled}: {r.measure} {number(r.estimate)} ({interval(r)}).")
    favours = plot.favours()
    if favours:
        sentences.append(f"Values below {number(plot.null)} favour {favours[0]}; values above favour {favours[1]}.")
    return " ".join(sentences)


def _row(row: Row, axis: Axis, cy: float) -> svg.Element:
    e = row.effect
    low, mid, high = axis.x(e.low), axis.x(e.estimate), axis.x(e.high)
    shapes: list[svg.Node] = [svg.text(LABEL_X, cy + 4, short_label(row), {"class": "ev-forest__study", "font-size": FONT})]
    if row.pooled:
        points = " ".join(f"{svg.num(x)},{svg.num(y)}" for x, y in ((low, cy), (mid, cy - 7), (high, cy), (mid, cy + 7)))
        shapes.append(svg.element("polygon", {"class": "ev-forest__pooled", "points": points, "fill": "currentColor"}))
    else:
        shapes.append(_line(low, cy, high, cy, "ev-forest__ci", {"stroke-width": 1.5}))
        square: dict[str, svg.Value] = {
            "class": "ev-forest__point",
            "x": mid - 5,
            "y": cy - 5,
            "width": 10,
            "height": 10,
            "fill": "currentColor",
        }
        shapes.append(svg.element("rect", square))
    value = f"{number(e.estimate)} ({number(e.low)} to {number(e.high)})"
    shapes.append(svg.text(VALUE_X, cy + 4, value, {"class": "ev-forest__value", "font-size": FONT}))
    return svg.element("g", {"class": "ev-forest__row"}, *shapes)


def short_label(row: Row) -> str:
    """The row's label within LABEL_CHARS, "(pooled)" included: a long title is cut, its year kept."""
    suffix = " (pooled)" if row.pooled else ""
    if len(row.label) + len(suffix) <= LABEL_CHARS:
        return row.label + suffix
    year = f" {row.year}" if row.year and row.label.endswith(f" {row.year}") else ""
    head = row.label[: len(row.label) - len(year)]
    return head[: LABEL_CHARS - len(year) - len(suffix) - 1].rstrip() + "\u2026" + year + suffix


def _line(x1: float, y1: float, x2: float, y2: float, css: str, extra: dict[str, svg.Value] | None = None) -> svg.Element:
    return svg.element("line", {"class": css, "x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": "currentColor", **(extra or {})})
