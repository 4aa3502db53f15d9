"""Study timelines: the works cited on a topic page, by publication year (across) and design (down).

Designs are drawn in the order of the `designs` scale in claims.yaml (strongest first), so the
age and the weight of the evidence show at a glance. A circle's area grows with n (capped);
reviews count studies rather than people and are drawn as fixed-size diamonds. A work whose
year is declared unverified, or that has no study facts, is never placed by guesswork: it is
left off the plot and listed in the text alternative. Labels are packed into lanes so they never
overlap. The marks link to the reference pages, so the plot is a named `group`, not an `img`
(whose content assistive technology ignores); the table beside it lists the same works.
Pure: entries in, SVG text out, every value escaped by `svg`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import svg
from .exports import Site
from .mdsafe import Md
from .model import Corpus, Design, Reference, Topic

N_CAP = 400
"""Participants at which circles stop growing."""

WIDTH = 640
_PAD = 10
_HEAD = 18
_LANE = 26
_AXIS = 30
_R_MIN, _R_MAX = 2.5, 11.0
_DIAMOND = 6.0
_CHAR = 6.4
"""Generous average width of a character at the label size, for packing."""
_GAP = 8


@dataclass(frozen=True, slots=True)
class Entry:
    """One cited work as the timeline shows it."""

    key: str
    label: str
    href: str
    """Address of its reference page, relative to the page the plot is on."""
    year: int | None
    design: Design | None
    n: int | None
    size: str | None
    """n as a reader reads it: "40 participants", "7 studies"."""

    @property
    def plotted(self) -> bool:
        return self.year is not None and self.design is not None


def publication_year(ref: Reference) -> int | None:
    """The year as written, unless it is declared unverified or is not a plain year."""
    if "year" in ref.unverified:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*", ref.get("year") or "")
    return int(match.group(1)) if match else None


def entries(
    corpus: Corpus, keys: Sequence[str], label: Callable[[Reference], str], href: Callable[[str], str], size: Callable[[str], str | None]
) -> list[Entry]:
    """The works with these keys, labelled, linked (`href(key)`) and sized by the renderer."""
    designs = {d.id: d for d in corpus.review.designs}
    out = []
    for key in keys:
        ref, study = corpus.references.get(key), corpus.studies.get(key)
        if ref is not None:
            design = designs.get(study.design) if study else None
            out.append(Entry(key, label(ref), href(key), publication_year(ref), design, study.n if study else None, size(key)))
    return out


def section(
    corpus: Corpus,
    topic: Topic,
    keys: Sequence[str],
    label: Callable[[Reference], str],
    size: Callable[[str], str | None],
    site: Site,
    src: str,
) -> dict[str, object] | None:
    """The timeline of the page at `src` for a topic whose kind has `map: true`: the works its
    own claims cite (`keys` gives their order), the plot, and the rows of the table beside it."""
    if not any(k.id == topic.kind and k.map for k in corpus.review.kinds):
        return None
    own = {c.key for claim in topic.claims for c in claim.cites}
    page = site.path(src)
    found = entries(corpus, [k for k in keys if k in own], label, lambda k: site.href(site.reference(k), page), size)
    if not found:
        return None
    plot = draw(found, corpus.review.designs, f"timeline-{topic.slug}", f"Studies cited on {topic.title}, by year and design")
    return {"svg": Md(plot) if plot else None, "rows": table_order(found)}


def table_order(entries: Sequence[Entry]) -> list[Entry]:
    """Oldest first; works without a verified year last."""
    return sorted(entries, key=lambda e: (e.year is None, e.year or 0, e.label.lower(), e.key))


def draw(entries: Sequence[Entry], designs: Sequence[Design], plot_id: str, title: str) -> str | None:
    """The timeline as one line of SVG, or None when no entry can be placed."""
    placed = [e for e in entries if e.plotted]
    if not placed:
        return None
    rank = {d.id: i for i, d in enumerate(designs)}
    rows = sorted({e.design.id: e.design for e in placed if e.design}.values(), key=lambda d: (rank.get(d.id, len(rank)), d.id))
    years = [e.year for e in placed if e.year is not None]
    lo, hi = min(years), max(years)
    pad = max(0.6, (hi - lo) * 0.04)
    lo_x, hi_x = lo - pad, hi + pad
    left, right = _PAD + _R_MAX, WIDTH - _PAD - _R_MAX

    def x_of(year: int) -> float:
        return left + (year - lo_x) / (hi_x - lo_x) * (right - left)

    body: list[svg.Node] = []
    marks: list[svg.Node] = []
    top = float(_PAD)
    for design in rows:
        row = table_order([e for e in placed if e.design and e.design.id == design.id])
        lanes = _pack(row, x_of)
        body.append(svg.element("line", {"class": "ev-timeline__rule", "x1": _PAD, "x2": WIDTH - _PAD, "y1": top, "y2": top}))
        body.append(svg.text(_PAD, top + 13, design.label, {"class": "ev-timeline__design"}))
        for entry, (lane, anchor_end) in zip(row, lanes, strict=True):
            marks.append(_mark(entry, x_of(entry.year or 0), top + _HEAD + lane * _LANE + _LANE / 2, anchor_end))
        top += _HEAD + (max(lane for lane, _ in lanes) + 1) * _LANE
    axis = top + 4
    for year in _ticks(lo, hi):
        x = x_of(year)
        body.append(svg.element("line", {"class": "ev-timeline__grid", "x1": x, "x2": x, "y1": _PAD, "y2": axis}))
        body.append(svg.text(x, axis + 16, str(year), {"class": "ev-timeline__year", "text-anchor": "middle"}))
    return svg.Svg(
        plot_id,
        WIDTH,
        axis + _AXIS - 6,
        title=title,
        desc=_describe(entries, placed, rows, lo, hi),
        children=(*body, *marks),
        css_class="ev-timeline__plot",
        role="group",
    ).render()


def radius(n: int | None) -> float:
    """Area proportional to n up to `N_CAP`, never smaller than a visible dot."""
    if n is None or n <= 0:
        return _R_MIN
    return max(_R_MIN, math.sqrt(min(n, N_CAP) / N_CAP) * _R_MAX)


def _pack(row: Sequence[Entry], x_of: Callable[[int], float]) -> list[tuple[int, bool]]:
    """(lane, label on the left) for each entry: the first lane where mark and label fit."""
    ends: list[float] = []
    out: list[tuple[int, bool]] = []
    for entry in row:
        x, r, width = x_of(entry.year or 0), _extent(entry), len(entry.label) * _CHAR
        on_left = x + r + 4 + width > WIDTH - _PAD
        start, end = (x - r - 4 - width, x + r) if on_left else (x - r, x + r + 4 + width)
        lane = next((i for i, e in enumerate(ends) if e + _GAP <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        ends[lane] = end
        out.append((lane, on_left))
    return out


def _extent(entry: Entry) -> float:
    return _DIAMOND if _is_review(entry) else radius(entry.n)


def _is_review(entry: Entry) -> bool:
    return entry.design is not None and entry.design.counts == "studies"


def _mark(entry: Entry, x: float, y: float, on_left: bool) -> svg.Element:
    if _is_review(entry):
        d = _DIAMOND
        points = ((x, y - d), (x + d, y), (x, y + d), (x - d, y))
        shape = svg.element(
            "polygon",
            {"class": "ev-timeline__mark ev-timeline__mark--review", "points": " ".join(f"{svg.num(a)},{svg.num(b)}" for a, b in points)},
        )
    else:
        unknown = " ev-timeline__mark--no-n" if entry.n is None else ""
        shape = svg.element("circle", {"class": f"ev-timeline__mark{unknown}", "cx": x, "cy": y, "r": radius(entry.n)})
    gap = _extent(entry) + 4
    label = svg.text(
        x - gap if on_left else x + gap,
        y + 4,
        entry.label,
        {"class": "ev-timeline__label", "text-anchor": "end" if on_left else None},
    )
    tip = ", ".join(p for p in (entry.label, entry.design.label if entry.design else None, entry.size) if p)
    return svg.element("a", {"href": entry.href, "class": "ev-timeline__study"}, svg.element("title", None, tip), shape, label)


def _ticks(lo: int, hi: int) -> list[int]:
    span = max(hi - lo, 1)
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if span / s <= 8)
    first = -(-lo // step) * step
    ticks = list(range(first, hi + 1, step))
    return ticks or [lo]


def _describe(entries: Sequence[Entry], placed: Sequence[Entry], rows: Sequence[Design], lo: int, hi: int) -> str:
    span = f"in {lo}" if lo == hi else f"from {lo} to {hi}"
    text = (
        f"{len(placed)} cited works published {span}, one mark each: across, the year of publication; down, the design, "
        f"strongest first ({'; '.join(d.label for d in rows)}). Circle area grows with the number of participants "
        f"(capped at {N_CAP})."
    )
    if any(_is_review(e) for e in placed):
        text += " Diamonds are reviews of several studies."
    left_off = len(entries) - len(placed)
    if left_off:
        text += f" {left_off} more without a verified year or known design are listed in the table only."
    return text
