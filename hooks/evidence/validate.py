"""Raw documents to a checked `Corpus`, collecting every finding on the way.

Structure is checked against the JSON Schemas (`schema`); this module adds what a schema cannot
say: ids unique across files, values that must name an entry of a scale in claims.yaml,
citations that must resolve, grades that their cited designs cannot support, and unused
references. It never stops at the first problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import mdsafe, schema
from .changes import read_changes
from .effects import build_outcomes
from .findings import Finding, Location, Place, did_you_mean, error, warning
from .load import JsonPath, YamlDoc
from .model import (
    Citation,
    Claim,
    Corpus,
    Design,
    Domain,
    Grade,
    Kind,
    Review,
    Study,
    Topic,
    Verdict,
)

RESERVED_KINDS = {
    "studies": "study facts (content/studies/)",
    "claims": "the all-claims pages (claims/)",
    "index": "the all-claims overview (claims/index.md)",
    "references": "the reference pages (references/)",
    "methods": "the methods page",
    "changelog": "the changelog page",
}
"""Kind ids whose pages (`<kind>/index.md`, `claims/<kind>.md`) would share an address with a generated page."""

PLACEHOLDER = "TODO"
"""How `evidence new` marks text a contributor must still write."""


@dataclass
class Collector:
    findings: list[Finding] = field(default_factory=list)

    def error(self, code: str, where: Place, message: str) -> None:
        self.findings.append(error(code, where, message))

    def warning(self, code: str, where: Place, message: str) -> None:
        self.findings.append(warning(code, where, message))


# ---- claims.yaml ---------------------------------------------------------------------------


def build_review(doc: YamlDoc, out: Collector) -> Review | None:
    problems = schema.check(doc, "claims")
    out.findings.extend(problems)
    data = doc.data
    if problems or not isinstance(data, dict):
        return None
    for section in ("grades", "verdicts", "designs", "kinds", "domains"):
        _unique_ids(doc, section, data.get(section, []), out)
    grades = tuple(Grade(g["id"], g["label"], g["definition"], i) for i, g in enumerate(data["grades"]))
    grade_ids = [g.id for g in grades]
    for i, d in enumerate(data["designs"]):
        if d["max_grade"] not in grade_ids:
            _unknown(out, "E402", doc.loc(("designs", i, "max_grade")), "grade", d["max_grade"], grade_ids)
    for i, k in enumerate(data["kinds"]):
        if k["id"] in RESERVED_KINDS:
            out.error("E204", doc.loc(("kinds", i, "id")), f"'{k['id']}' is reserved for {RESERVED_KINDS[k['id']]}; choose another kind id")
        if k.get("map") and not data.get("domains"):
            out.error("E204", doc.loc(("kinds", i, "map")), "the evidence map needs outcome domains: add a 'domains' list to claims.yaml")
    r = data["review"]
    return Review(
        title=r["title"],
        description=r["description"],
        disclaimer=r["disclaimer"],
        last_reviewed=r["last_reviewed"],
        repository=r.get("repository"),
        grades=grades,
        verdicts=tuple(Verdict(v["id"], v["label"], v["definition"]) for v in data["verdicts"]),
        designs=tuple(
            Design(d["id"], d["label"], d["max_grade"], bool(d.get("preclinical")), d.get("counts", "participants"))
            for d in data["designs"]
        ),
        kinds=tuple(
            Kind(k["id"], k["label"], k["singular"], k["description"], bool(k.get("map")), effect_plots=bool(k.get("effect_plots")))
            for k in data["kinds"]
        ),
        domains=tuple(Domain(d["id"], d["label"], d["description"]) for d in data.get("domains", [])),
    )


def _unique_ids(doc: YamlDoc, section: str, items: list[dict[str, Any]], out: Collector) -> None:
    seen: dict[str, Location] = {}
    for i, item in enumerate(items):
        where = doc.loc((section, i, "id"))
        first = seen.setdefault(item["id"], where)
        if first is not where:
            out.error("E401", where, f"duplicate id '{item['id']}' in {section}: first at line {first.line}")


# ---- Study facts ---------------------------------------------------------------------------


def build_studies(docs: Iterable[YamlDoc], review: Review | None, out: Collector) -> dict[str, Study]:
    studies: dict[str, Study] = {}
    design_ids = [d.id for d in review.designs] if review else []
    for doc in docs:
        problems = schema.check(doc, "studies")
        out.findings.extend(problems)
        if not isinstance(doc.data, dict):
            continue
        for key, facts in doc.data.items():
            where = doc.key_place((key,))
            if not isinstance(facts, dict) or "design" not in facts:
                continue
            first = studies.get(key)
            if first is not None:
                out.error("E401", where, f"study facts for '{key}' are given twice: first at {first.location}")
                continue
            if review and facts["design"] not in design_ids:
                _unknown(out, "E402", doc.loc((key, "design")), "design", str(facts["design"]), design_ids)
            studies[key] = Study(
                key=key,
                design=str(facts["design"]),
                location=where,
                n=_whole(facts.get("n")),
                population=_opt(facts, "population"),
                intervention=_opt(facts, "intervention"),
                comparator=_opt(facts, "comparator"),
                duration=_opt(facts, "duration"),
                registration=_opt(facts, "registration"),
                outcomes=build_outcomes(doc, key, facts.get("outcomes"), out.findings),
                adverse_events=_opt(facts, "adverse_events"),
                limitations=_opt(facts, "limitations"),
                funding=_opt(facts, "funding"),
            )
    return studies


# ---- Topics and claims ---------------------------------------------------------------------


def build_topics(docs: Iterable[tuple[str, str, YamlDoc]], review: Review | None, out: Collector) -> list[Topic]:
    """Topics from (kind, slug, doc) triples; claim ids are checked for uniqueness across files."""
    kind_ids = [k.id for k in review.kinds] if review else []
    topics: list[Topic] = []
    claim_seen: dict[str, Place] = {}
    for kind, slug, doc in docs:
        out.findings.extend(schema.check(doc, "topic"))
        file_loc = Location(doc.path, 1, 1)
        if review and kind not in kind_ids:
            _unknown(out, "E402", file_loc, "topic kind (folder under content/)", kind, kind_ids)
            continue
        if not _is_slug(slug):
            out.error("E204", file_loc, f"file name '{slug}' is not a valid topic slug: use lowercase letters, digits and single hyphens")
            continue
        data = doc.data
        if not isinstance(data, dict) or not isinstance(data.get("title"), str) or not isinstance(data.get("summary"), str):
            continue
        topic_id = f"{kind}/{slug}"
        changes, problems = read_changes(doc)
        out.findings.extend(problems)
        claims: list[Claim] = []
        for i, raw in enumerate(_items(data.get("claims"))):
            claim = _build_claim(doc, ("claims", i), raw, topic_id)
            if claim is None:
                continue
            first = claim_seen.setdefault(claim.id, claim.location)
            if first is not claim.location:
                out.error(
                    "E401", claim.location, f"duplicate claim id '{claim.id}': first at {first}; claim ids must be unique across the review"
                )
                continue
            claims.append(claim)
        topics.append(
            Topic(
                id=topic_id,
                kind=kind,
                slug=slug,
                title=data["title"],
                summary=data["summary"],
                location=file_loc,
                aliases=tuple(a for a in _items(data.get("aliases")) if isinstance(a, str)),
                overview=_opt(data, "overview"),
                reviewed=_opt(data, "reviewed"),
                related=tuple(r for r in _items(data.get("related")) if isinstance(r, str)),
                claims=tuple(claims),
                changes=changes,
            )
        )
    return topics


def _build_claim(doc: YamlDoc, path: JsonPath, raw: object, topic_id: str) -> Claim | None:
    if not isinstance(raw, dict):
        return None
    needed = ("id", "statement", "grade", "why")
    if not all(isinstance(raw.get(k), str) for k in needed):
        return None
    cites: list[Citation] = []
    for j, c in enumerate(_items(raw.get("cite"))):
        where = doc.place((*path, "cite", j))
        if isinstance(c, str):
            cites.append(Citation(c, None, where))
        elif isinstance(c, dict) and isinstance(c.get("key"), str):
            locator = c.get("locator")
            cites.append(Citation(c["key"], locator if isinstance(locator, str) else None, where))
    return Claim(
        id=raw["id"],
        topic=topic_id,
        statement=raw["statement"],
        grade=raw["grade"],
        why=raw["why"],
        cites=tuple(cites),
        location=doc.place((*path, "id")),
        direction=_opt(raw, "direction"),
        outcome=_opt(raw, "outcome"),
        domain=_opt(raw, "domain"),
        see=tuple(s for s in _items(raw.get("see")) if isinstance(s, str)),
        asserted_by=_opt(raw, "asserted_by"),
        verdict=_opt(raw, "verdict"),
        finding=_opt(raw, "finding"),
    )


# ---- Cross-checks --------------------------------------------------------------------------


def cross_check(corpus: Corpus, docs: dict[str, YamlDoc], out: Collector) -> None:
    """Everything that needs the whole corpus: scales, citations, links, grade ceilings."""
    review = corpus.review
    grade_ids = [g.id for g in review.grades]
    verdict_ids = [v.id for v in review.verdicts]
    domain_ids = [d.id for d in review.domains]
    mapped = {k.id for k in review.kinds if k.map}
    keys = list(corpus.references)
    topic_ids = list(corpus.topic_by_id)
    ranks = {g.id: g.rank for g in review.grades}
    designs = {d.id: d for d in review.designs}
    for topic in corpus.topics:
        doc = docs[topic.location.path]
        for i, ref in enumerate(topic.related):
            if ref == topic.id:
                out.error("E406", doc.loc(("related", i)), f"topic '{topic.id}' lists itself as related")
            elif ref not in corpus.topic_by_id:
                _unknown(out, "E406", doc.loc(("related", i)), "topic", ref, topic_ids)
        for i, claim in enumerate(topic.claims):
            path: JsonPath = ("claims", i)
            if claim.grade not in grade_ids:
                _unknown(out, "E402", doc.loc((*path, "grade")), "grade", claim.grade, grade_ids)
            if claim.verdict is not None and claim.verdict not in verdict_ids:
                _unknown(out, "E402", doc.loc((*path, "verdict")), "verdict", claim.verdict, verdict_ids)
            if claim.domain is not None and claim.domain not in domain_ids:
                _unknown(out, "E402", doc.loc((*path, "domain")), "domain", claim.domain, domain_ids)
            elif claim.domain is None and claim.verdict is None and topic.kind in mapped and domain_ids:
                hint = f"add domain: one of {', '.join(domain_ids)}"
                out.warning("W401", claim.location, f"claim '{claim.id}' has no domain, so the evidence map leaves it out; {hint}")
            if claim.asserted_by is not None and claim.asserted_by not in corpus.references:
                _unknown(out, "E404", doc.loc((*path, "asserted_by")), "reference key", claim.asserted_by, keys)
            for j, ref in enumerate(claim.see):
                if ref not in corpus.topic_by_id:
                    _unknown(out, "E406", doc.loc((*path, "see", j)), "topic", ref, topic_ids)
            seen: set[str] = set()
            for cite in claim.cites:
                if cite.key in seen:
                    out.error(
                        "E411",
                        cite.location,
                        f"'{cite.key}' is cited twice in claim '{claim.id}'; cite it once (use a locator for a table or page)",
                    )
                seen.add(cite.key)
                if cite.key not in corpus.references:
                    _unknown(out, "E404", cite.location, "reference key", cite.key, keys, f" (claim '{claim.id}')")
            if (problem := _above_ceiling(corpus, claim, ranks, designs)) is not None:
                out.error("E407", doc.loc((*path, "grade")), problem)
            for name in ("statement", "why", "finding"):
                for code, message in _text_problems(getattr(claim, name), name):
                    out.error(code, doc.loc((*path, name)), message)
        for name in ("summary", "overview"):
            for code, message in _text_problems(getattr(topic, name), name):
                out.error(code, doc.loc((name,)), message)


def _text_problems(text: str | None, name: str) -> list[tuple[str, str]]:
    """Codes and messages for a placeholder left in, and for unsafe link targets."""
    if not text:
        return []
    found = []
    if text.lstrip().startswith(PLACEHOLDER):
        found.append(("E413", f"'{name}' still holds the placeholder from `evidence new`; write the real text"))
    for target in mdsafe.unsafe_links(text):
        shown = target if len(target) <= 60 else target[:57] + "..."
        found.append(("E412", f"link target '{shown}' is not allowed: links in text must be plain http:// or https:// addresses"))
    return found


def _above_ceiling(corpus: Corpus, claim: Claim, ranks: dict[str, int], designs: dict[str, Design]) -> str | None:
    """Why the claim's grade is above what its cited designs allow, or None."""
    if claim.grade not in ranks:
        return None
    best: tuple[int, str] | None = None
    for cite in claim.cites:
        if cite.key not in corpus.references:
            return None  # reported already; the ceiling is unknowable
        study = corpus.studies.get(cite.key)
        design = designs.get(study.design) if study else None
        cap = design.max_grade if design else "very-low"
        rank = ranks.get(cap, len(ranks))
        label = f"{design.id} '{cite.key}'" if design else f"'{cite.key}' (no study facts)"
        if best is None or rank < best[0]:
            best = (rank, f"{cap} from {label}")
    if best is not None and ranks[claim.grade] < best[0]:
        return (
            f"grade '{claim.grade}' is above what the cited designs support (at most {best[1]}); lower the grade or cite stronger evidence"
        )
    return None


def check_usage(corpus: Corpus, prose_keys: set[str], out: Collector) -> None:
    """Warnings: references nothing cites, cited works without study facts, facts for no reference."""
    cited = set(corpus.claims_citing) | prose_keys | {c.asserted_by for c in corpus.claims if c.asserted_by}
    for key, ref in corpus.references.items():
        if key not in cited:
            out.warning("W301", ref.location, f"reference '{key}' is not cited by any claim or page; cite it or remove it")
    for key in corpus.claims_citing:
        if key in corpus.references and key not in corpus.studies:
            out.warning(
                "W302",
                corpus.references[key].location,
                f"reference '{key}' is cited but has no study facts in content/studies/; add its design so grades can be checked",
            )
    for key, study in corpus.studies.items():
        if key not in corpus.references:
            _unknown(out, "E408", study.location, "reference key for study facts", key, list(corpus.references))


# ---- Helpers -------------------------------------------------------------------------------


def _unknown(out: Collector, code: str, where: Place, what: str, value: str, options: list[str], suffix: str = "") -> None:
    out.error(code, where, f"unknown {what} '{value}'{suffix}{did_you_mean(value, options)}")


def _items(value: object) -> list[Any]:
    """A list field's items; anything else was already reported by the schema check."""
    return value if isinstance(value, list) else []


def _whole(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value)


def _opt(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) else None


def _is_slug(text: str) -> bool:
    parts = text.split("-")
    return bool(text) and len(text) <= 80 and all(p and p.isascii() and p.isalnum() and p == p.lower() for p in parts)
