"""schema.org JSON-LD for topic pages, and the "Cite this page" reference for each of them.

A topic page is a `MedicalWebPage` (about a `MedicalCondition` on condition pages) whose
`citation` lists the works the page cites; each checked popular assertion is a `ClaimReview`
with the verdict on a numeric scale. Pure functions of the `Corpus`; the glue puts the JSON into
the page head with `script_json`, which escapes <, > and & so no text can end the element.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .citations import find_markers
from .exports import Site, identifier_urls, names_of, plain
from .model import Claim, Corpus, Reference, Review, Topic

CONDITION_KINDS = frozenset({"conditions"})
UNRATED_VERDICTS = frozenset({"not-assessable"})
"""Verdicts that say nothing about support, so they get no place on the numeric rating scale."""

_SCHOLARLY = frozenset({"article", "inproceedings", "conference", "incollection", "inbook", "phdthesis", "mastersthesis"})
_HTML_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_BIBTEX_SPECIALS = {
    "\\": "\\textbackslash{}",
    "{": "\\textbraceleft{}",
    "}": "\\textbraceright{}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    **{c: "\\" + c for c in "&%$#_"},
}


@dataclass(frozen=True, slots=True)
class PageCitation:
    """How to cite one topic page: a reference line and a BibTeX @misc entry."""

    text: str
    bibtex: str


def page_jsonld(corpus: Corpus, topic: Topic, site: Site) -> dict[str, Any]:
    """schema.org data for a topic page: MedicalWebPage with its citations, and a ClaimReview
    for each checked assertion. URLs are absolute when the site's address is known."""
    review = corpus.review
    here = site.topic(topic.id)
    root = site.href("", here)
    reviewed = topic.reviewed or review.last_reviewed
    publisher = {"@type": "Organization", "name": review.title, "url": root}
    page: dict[str, Any] = {
        "@type": "MedicalWebPage",
        "@id": site.href(here, here),
        "url": site.href(here, here),
        "name": topic.title,
        "description": topic.summary,
        "lastReviewed": reviewed,
        "isPartOf": {"@type": "WebSite", "name": review.title, "url": root},
        "publisher": publisher,
    }
    if topic.kind in CONDITION_KINDS:
        page["about"] = {
            "@type": "MedicalCondition",
            "name": topic.title,
            **({"alternateName": list(topic.aliases)} if topic.aliases else {}),
        }
    cited = [corpus.references[k] for k in _cited_keys(corpus, topic) if k in corpus.references]
    if cited:
        page["citation"] = [_creative_work(ref) for ref in cited]
    graph = [page]
    for claim in topic.claims:
        if claim.verdict is not None:
            graph.append(_claim_review(corpus, claim, site.href(f"{here}#{claim.id}", here), reviewed, publisher))
    return {"@context": "https://schema.org", "@graph": graph}


def _cited_keys(corpus: Corpus, topic: Topic) -> Iterator[str]:
    """Keys in the order the page numbers them: background first, then claims, then others' claims."""
    keys: dict[str, None] = {}
    for marker in find_markers(topic.overview or ""):
        keys.update(dict.fromkeys(k for k, _ in marker.items))
    for claim in (*topic.claims, *corpus.claims_about.get(topic.id, ())):
        keys.update(dict.fromkeys(c.key for c in claim.cites))
    yield from keys


def _creative_work(ref: Reference) -> dict[str, Any]:
    kind = "ScholarlyArticle" if ref.type in _SCHOLARLY else "Book" if ref.type == "book" else "CreativeWork"
    work: dict[str, Any] = {"@type": kind, "name": plain(ref.get("title") or ref.key)}
    authors = [{"@type": "Organization", "name": n.display} if n.literal else {"@type": "Person", "name": n.display} for n in names_of(ref)]
    if authors:
        work["author"] = authors
    if year := ref.get("year"):
        work["datePublished"] = year
    if journal := ref.get("journal"):
        work["isPartOf"] = {"@type": "Periodical", "name": plain(journal)}
    ids = [(label, ref.get(field)) for label, field in (("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid"))]
    identifiers = [{"@type": "PropertyValue", "propertyID": label, "value": value} for label, value in ids if value]
    if identifiers:
        work["identifier"] = identifiers
    if links := identifier_urls(ref):
        work["sameAs"] = links
    return work


def _claim_review(corpus: Corpus, claim: Claim, url: str, reviewed: str, publisher: dict[str, Any]) -> dict[str, Any]:
    assert claim.verdict is not None
    item: dict[str, Any] = {"@type": "Claim"}
    source = corpus.references.get(claim.asserted_by or "")
    if source is not None:
        appearance: dict[str, Any] = {"@type": "CreativeWork", "name": plain(source.get("title") or source.key)}
        links = identifier_urls(source)
        if links:
            appearance["url"] = source.get("url") if source.get("url") in links else links[0]
        item["appearance"] = appearance
        authors = names_of(source)
        if authors:
            item["author"] = [{"@type": "Organization" if n.literal else "Person", "name": n.display} for n in authors]
    return {
        "@type": "ClaimReview",
        "@id": url,
        "url": url,
        "claimReviewed": claim.statement,
        "datePublished": reviewed,
        "author": publisher,
        "reviewRating": rating(corpus.review, claim.verdict),
        "itemReviewed": item,
    }


def rating(review: Review, verdict_id: str) -> dict[str, Any]:
    """A verdict on a numeric scale: the best-supported verdict highest, the worst 1.

    The scale follows the order of the verdicts in claims.yaml; unrated verdicts keep their
    label only."""
    label = review.verdict(verdict_id).label
    rated = [v.id for v in review.verdicts if v.id not in UNRATED_VERDICTS]
    if verdict_id not in rated:
        return {"@type": "Rating", "alternateName": label}
    return {
        "@type": "Rating",
        "ratingValue": len(rated) - rated.index(verdict_id),
        "bestRating": len(rated),
        "worstRating": 1,
        "alternateName": label,
    }


def script_json(data: object) -> str:
    """JSON for a <script> element: <, > and & escaped so no text can end the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _HTML_UNSAFE[m.group(0)], text)


def page_citation(review: Review, topic: Topic, site: Site) -> PageCitation:
    """ "<review>. <topic>. <url>. Last reviewed <date>." and the same as a BibTeX @misc entry.

    Without a site address the URL is the page's path from the site root."""
    path = site.topic(topic.id)
    url = site.url + path if site.url else path
    reviewed = topic.reviewed or review.last_reviewed
    title = " ".join(topic.title.split())
    text = f"{_sentence(review.title)} {_sentence(title)} {url}. Last reviewed {reviewed}."
    key = "-".join(filter(None, (re.sub(r"[^a-z0-9]+", "", review.title.lower()), *re.split(r"[^a-z0-9]+", topic.id.lower()))))
    fields = [
        ("author", "{" + _bibtex_text(review.title) + "}"),
        ("title", _bibtex_text(title)),
        ("year", reviewed[:4]),
        *([("url", url)] if site.url else []),
        ("note", f"Last reviewed {reviewed}"),
    ]
    entry = "\n".join([f"@misc{{{key},", *(f"  {name} = {{{value}}}," for name, value in fields), "}"])
    return PageCitation(text, entry)


def _sentence(value: str) -> str:
    return value if value.endswith((".", "?", "!")) else value + "."


def _bibtex_text(value: str) -> str:
    return re.sub(r"[\\{}~^&%$#_]", lambda m: _BIBTEX_SPECIALS[m.group(0)], value)
