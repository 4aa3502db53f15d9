"""The review as frozen, typed data: scales, topics, claims, studies and references.

Built by `validate` and read by `render`; no I/O, no Jinja, no MkDocs. Every object keeps its
`Location` so later stages can still point at the source. `Corpus` also owns the derived
indexes (backlinks from references to claims, links between topics), built once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .findings import Location, Place


@dataclass(frozen=True, slots=True)
class Grade:
    id: str
    label: str
    definition: str
    rank: int
    """0 for the highest grade; larger is weaker."""


@dataclass(frozen=True, slots=True)
class Verdict:
    id: str
    label: str
    definition: str


@dataclass(frozen=True, slots=True)
class Design:
    id: str
    label: str
    max_grade: str
    """Highest grade a claim resting on this design alone may have."""
    preclinical: bool = False
    counts: str = "participants"
    """What a study's n counts: participants, or included studies for reviews."""


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    label: str
    singular: str
    description: str
    map: bool = False
    """Topics of this kind are the rows of the evidence map."""
    effect_plots: bool = False
    """Topic pages of this kind draw forest plots of the effects of the studies they cite."""


@dataclass(frozen=True, slots=True)
class Domain:
    """An outcome domain: a column of the evidence map."""

    id: str
    label: str
    description: str


@dataclass(frozen=True, slots=True)
class Review:
    """claims.yaml: the review's settings and scales."""

    title: str
    description: str
    disclaimer: str
    last_reviewed: str
    repository: str | None
    grades: tuple[Grade, ...]
    verdicts: tuple[Verdict, ...]
    designs: tuple[Design, ...]
    kinds: tuple[Kind, ...]
    domains: tuple[Domain, ...] = ()

    def grade(self, grade_id: str) -> Grade:
        return next(g for g in self.grades if g.id == grade_id)

    def verdict(self, verdict_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.id == verdict_id)

    def design(self, design_id: str) -> Design:
        return next(d for d in self.designs if d.id == design_id)

    def kind(self, kind_id: str) -> Kind:
        return next(k for k in self.kinds if k.id == kind_id)

    def domain(self, domain_id: str) -> Domain:
        return next(d for d in self.domains if d.id == domain_id)


@dataclass(frozen=True, slots=True)
class Citation:
    key: str
    locator: str | None
    location: Place


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement with its grade, the reason for it and its sources."""

    id: str
    topic: str
    """Id (kind/slug) of the topic whose file holds the claim."""
    statement: str
    grade: str
    why: str
    cites: tuple[Citation, ...]
    location: Place
    direction: str | None = None
    outcome: str | None = None
    domain: str | None = None
    """Outcome domain id: the claim's column in the evidence map."""
    see: tuple[str, ...] = ()
    asserted_by: str | None = None
    verdict: str | None = None
    finding: str | None = None

    @property
    def topics(self) -> tuple[str, ...]:
        """Every topic the claim belongs to: its own first, then those it names in `see`."""
        return (self.topic, *(t for t in self.see if t != self.topic))


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of a topic's change history: an editor's note, or a commit that touched its file."""

    date: str
    """YYYY-MM-DD: the date the editor wrote, or the commit date."""
    summary: str
    location: Location | None = None
    """Where an editor's note is written; None for commits."""
    commit: str | None = None
    """Full hash of the commit, for entries read from git."""


@dataclass(frozen=True, slots=True)
class History:
    """Commits that touched each topic file (keyed by its path in the review), newest first."""

    commits: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    note: str | None = None
    """Why commit history is missing, when it is."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One YAML file under content/<kind>/: a condition, mechanism, dosing question, ..."""

    id: str
    """kind/slug, also the page address."""
    kind: str
    slug: str
    title: str
    summary: str
    location: Location
    aliases: tuple[str, ...] = ()
    overview: str | None = None
    reviewed: str | None = None
    related: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    changes: tuple[Change, ...] = ()
    """What changed and when, as written by the editors, newest first."""


@dataclass(frozen=True, slots=True)
class Arm:
    """One arm's responders: `events` of `total` people."""

    label: str
    events: int
    total: int


MEASURES = {
    "SMD": "standardised mean difference",
    "MD": "mean difference",
    "RD": "risk difference",
    "RR": "risk ratio",
    "OR": "odds ratio",
    "HR": "hazard ratio",
}
RATIO_MEASURES = frozenset({"RR", "OR", "HR"})
"""Measures whose line of no effect is 1 and whose scale is logarithmic."""


@dataclass(frozen=True, slots=True)
class Effect:
    """One effect estimate with its confidence interval, copied from an outcome's result text.

    Numbers are `Decimal`s so they keep the digits written (and shown) in the result text."""

    measure: str
    """SMD, MD, RR, OR, RD or HR."""
    estimate: Decimal
    low: Decimal
    high: Decimal
    level: Decimal
    """Confidence level in percent, usually 95."""
    comparison: str
    """"A vs B": the difference or ratio is A relative to B."""
    outcome: str
    """What is plotted; effects with the same outcome, measure, unit and comparison share a plot."""
    location: Location
    unit: str | None = None
    better: str | None = None
    """"lower" or "higher": which values are better for patients, when that is known."""
    arms: tuple[Arm, ...] = ()

    @property
    def is_ratio(self) -> bool:
        return self.measure in RATIO_MEASURES

    @property
    def sides(self) -> tuple[str, str]:
        """The two sides of the comparison: ("LDN", "placebo") for "LDN vs placebo"."""
        first, _, second = self.comparison.partition(" vs ")
        return first.strip(), second.strip()


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    result: str
    effect: Effect | None = None


@dataclass(frozen=True, slots=True)
class Study:
    """Facts about one cited work, keyed by its BibTeX key."""

    key: str
    design: str
    location: Place
    n: int | None = None
    population: str | None = None
    intervention: str | None = None
    comparator: str | None = None
    duration: str | None = None
    registration: str | None = None
    outcomes: tuple[Outcome, ...] = ()
    adverse_events: str | None = None
    limitations: str | None = None
    funding: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """One references.bib entry, checked."""

    key: str
    type: str
    fields: dict[str, str]
    authors: tuple[str, ...]
    location: Location
    unverified: tuple[str, ...] = ()

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


@dataclass(frozen=True, slots=True)
class ProseCitation:
    key: str
    location: Location


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything the site is built from, with the indexes pages need."""

    review: Review
    topics: tuple[Topic, ...]
    references: dict[str, Reference]
    studies: dict[str, Study]
    topic_by_id: dict[str, Topic] = field(init=False)
    claim_by_id: dict[str, Claim] = field(init=False)
    claims_citing: dict[str, tuple[Claim, ...]] = field(init=False)
    """Backlinks: reference key to every claim that cites it, in review order."""
    claims_about: dict[str, tuple[Claim, ...]] = field(init=False)
    """Topic id to the claims of other topics that name it in `see`."""
    linked_topics: dict[str, tuple[str, ...]] = field(init=False)
    """Topic id to related topics both ways (its own `related` first)."""

    def __post_init__(self) -> None:
        topic_by_id = {t.id: t for t in self.topics}
        claims = [c for t in self.topics for c in t.claims]
        citing: dict[str, list[Claim]] = {}
        about: dict[str, list[Claim]] = {}
        for claim in claims:
            for key in dict.fromkeys(c.key for c in claim.cites):
                citing.setdefault(key, []).append(claim)
            for other in claim.topics[1:]:
                if other in topic_by_id:
                    about.setdefault(other, []).append(claim)
        links: dict[str, list[str]] = {t.id: [r for r in t.related if r in topic_by_id] for t in self.topics}
        for topic in self.topics:
            for other in links[topic.id]:
                back = links.setdefault(other, [])
                if topic.id not in back:
                    back.append(topic.id)
        set_ = object.__setattr__
        set_(self, "topic_by_id", topic_by_id)
        set_(self, "claim_by_id", {c.id: c for c in claims})
        set_(self, "claims_citing", {k: tuple(v) for k, v in citing.items()})
        set_(self, "claims_about", {k: tuple(v) for k, v in about.items()})
        set_(self, "linked_topics", {k: tuple(dict.fromkeys(v)) for k, v in links.items()})

    @property
    def claims(self) -> tuple[Claim, ...]:
        return tuple(c for t in self.topics for c in t.claims)

    def topics_of_kind(self, kind: str) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics if t.kind == kind)
