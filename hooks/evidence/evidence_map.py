"""The evidence map: mapped topics (rows) by outcome domains (columns), computed from the model.

A kind with `map: true` in claims.yaml (the conditions) gives the rows, the `domains` scale the
columns. A cell holds the graded claims of one topic in one domain (assertions from popular
sources, which carry a verdict, are left out) and the best grade among them. The all-claims
page lists each cell's claims as one group under `group_anchor`, so a cell links to exactly
its claims. Pure data; `render` turns it into Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .citations import prose_lines
from .model import Claim, Corpus, Domain, Grade, Topic

MAP_MARKER = "<!-- evidence:map -->"
"""A line holding only this comment, in a hand-written page, is replaced by the map."""


@dataclass(frozen=True, slots=True)
class Cell:
    domain: Domain
    claims: tuple[Claim, ...]
    best: Grade | None
    """Highest grade among the claims; None when there are none."""
    anchor: str
    """Id of this cell's group on the all-claims page."""


@dataclass(frozen=True, slots=True)
class Row:
    topic: Topic
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class EvidenceMap:
    domains: tuple[Domain, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """Claims of one topic listed together on the all-claims page."""

    claims: tuple[Claim, ...]
    domain: Domain | None = None
    anchor: str | None = None


def group_anchor(topic_id: str, domain_id: str) -> str:
    """`conditions--crohns-disease--safety`: slugs never hold "--", so this cannot clash."""
    return re.sub("[^a-z0-9-]", "-", f"{topic_id.replace('/', '--')}--{domain_id}")


def is_mapped(corpus: Corpus, topic: Topic) -> bool:
    return bool(corpus.review.domains) and any(k.id == topic.kind and k.map for k in corpus.review.kinds)


def build_map(corpus: Corpus, kind: str | None = None) -> EvidenceMap | None:
    """The map of every mapped kind (or of `kind` alone); None when there is nothing to map."""
    review = corpus.review
    kinds = [k.id for k in review.kinds if k.map and kind in (None, k.id)]
    rows = tuple(_row(corpus, t) for k in kinds for t in corpus.topics_of_kind(k))
    if not review.domains or not rows:
        return None
    return EvidenceMap(review.domains, rows)


def claim_groups(corpus: Corpus, topic: Topic) -> tuple[Group, ...]:
    """A mapped topic's claims grouped by domain in scale order (the map's cells), then the rest;
    any other topic's claims as one group."""
    if not is_mapped(corpus, topic):
        return (Group(topic.claims),) if topic.claims else ()
    groups = [Group(cell.claims, cell.domain, cell.anchor) for cell in _row(corpus, topic).cells if cell.claims]
    placed = {c.id for g in groups for c in g.claims}
    rest = tuple(c for c in topic.claims if c.id not in placed)
    return (*groups, Group(rest)) if rest else tuple(groups)


def place_map(markdown: str, rendered: Callable[[], str]) -> str:
    """Each line of a hand-written page that is exactly `MAP_MARKER` (outside fenced code) becomes
    the map; `rendered` is called only when there is such a line."""
    spots = [(offset, len(line)) for _, offset, line, _ in prose_lines(markdown) if line.strip() == MAP_MARKER]
    if not spots:
        return markdown
    view = rendered()
    for offset, length in reversed(spots):
        markdown = f"{markdown[:offset]}\n{view}\n{markdown[offset + length :]}"
    return markdown


def _row(corpus: Corpus, topic: Topic) -> Row:
    grades = {g.id: g for g in corpus.review.grades}
    cells = []
    for domain in corpus.review.domains:
        claims = tuple(c for c in topic.claims if c.domain == domain.id and c.verdict is None)
        known = [grades[c.grade] for c in claims if c.grade in grades]
        best = min(known, key=lambda g: g.rank) if known else None
        cells.append(Cell(domain, claims, best, group_anchor(topic.id, domain.id)))
    return Row(topic, tuple(cells))
