"""The review as downloads for other programs: claims.json, references.bib and CSL-JSON.

Pure functions of the `Corpus` (no MkDocs, no Jinja), so the same exports come out of every
build byte for byte. Claims are exported as written; BibTeX markup becomes plain text only
where the target format expects plain text (CSL-JSON; schema.org in `jsonld`). The
`unverified` field is a note for the review's own checker, so the exported BibTeX leaves it out.
`Site` says where pages end up, so every format links to the same addresses.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pybtex.scanner import PybtexError

from .latex import to_text
from .model import Claim, Corpus, Reference, Topic
from .names import name_parts

EXPORTS_DIR = "exports"
CLAIMS_JSON = f"{EXPORTS_DIR}/claims.json"
BIBTEX = f"{EXPORTS_DIR}/references.bib"
CSL_JSON = f"{EXPORTS_DIR}/references.json"
EXPORT_SCHEMA = "claims-export"
"""Name of the JSON Schema of claims.json, published with the others under schema/."""
INTERNAL_FIELDS = frozenset({"unverified"})
Cached = Callable[[str, object, Callable[[], str]], str]

CSL_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "mastersthesis": "thesis",
    "phdthesis": "thesis",
    "techreport": "report",
    "unpublished": "manuscript",
    "online": "webpage",
}
_CSL_FIELDS = (
    ("journal", "container-title"),
    ("booktitle", "container-title"),
    ("publisher", "publisher"),
    ("volume", "volume"),
    ("number", "issue"),
    ("pages", "page"),
    ("doi", "DOI"),
    ("pmid", "PMID"),
    ("pmcid", "PMCID"),
    ("isbn", "ISBN"),
    ("issn", "ISSN"),
    ("url", "URL"),
    ("howpublished", "note"),
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True, slots=True)
class Site:
    """Where pages end up: MkDocs' `site_url` (absolute addresses when set) and URL style."""

    url: str | None = None
    directory_urls: bool = True

    def __post_init__(self) -> None:
        if self.url is not None:
            object.__setattr__(self, "url", self.url.rstrip("/") + "/" if self.url.strip() else None)

    def path(self, src_uri: str) -> str:
        """A page's address relative to the site root, as MkDocs writes it."""
        stem = src_uri.removesuffix(".md")
        if stem == "index" or stem.endswith("/index"):
            return stem[:-5] if self.directory_urls else f"{stem}.html"
        return f"{stem}/" if self.directory_urls else f"{stem}.html"

    def topic(self, topic_id: str) -> str:
        return self.path(f"{topic_id}.md")

    def reference(self, key: str) -> str:
        return self.path(f"references/{key}.md")

    def href(self, target: str, page: str) -> str:
        """Absolute when the site's address is known, else relative to the page at `page`."""
        if self.url is not None:
            return self.url + target
        path, hash_, fragment = target.partition("#")
        base = page if page.endswith("/") or not page else posixpath.dirname(page)
        rel = posixpath.relpath(path or ".", base or ".")
        if not path or path.endswith("/"):
            rel = "./" if rel == "." else rel + "/"
        return rel + hash_ + fragment


@dataclass(frozen=True, slots=True)
class Name:
    """One author: a person in parts, or an organisation as a literal name."""

    family: str = ""
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: str = ""

    @property
    def display(self) -> str:
        return self.literal or " ".join(p for p in (self.given, self.particle, self.family, self.suffix) if p)


# ---- claims.json ---------------------------------------------------------------------------


def claims_export(corpus: Corpus, site: Site) -> dict[str, Any]:
    """Every claim with its grade, verdict, citations and topic; validates against claims-export."""
    return {**_review_part(corpus, site), "claims": [_claim(corpus, c, site) for c in corpus.claims]}


def claims_json(corpus: Corpus, site: Site, cached: Cached) -> str:
    """`claims_export` as JSON text, each topic's claims written as a piece that `cached` may give
    from an earlier build: after one edit, a rebuild writes out one topic's claims, not all."""
    pieces = [cached(f"{CLAIMS_JSON}#{t.id}", (site, t), functools.partial(_claim_items, corpus, t, site)) for t in corpus.topics]
    return _json({**_review_part(corpus, site), "claims": _Items(p for p in pieces if p)})


def _claim_items(corpus: Corpus, topic: Topic, site: Site) -> str:
    """A topic's claims as items of the top-level "claims" list, each with its leading comma but the first."""
    return ",".join(_CLAIM_INDENT + _indented(_claim(corpus, c, site), _CLAIM_INDENT) for c in topic.claims)


_CLAIM_INDENT = "\n    "
"""The indentation of an item of the "claims" list, two levels down from the top."""


def _review_part(corpus: Corpus, site: Site) -> dict[str, Any]:
    """claims.json without its claims."""
    review = corpus.review
    return {
        "$schema": site.href(f"schema/{EXPORT_SCHEMA}.schema.json", CLAIMS_JSON),
        "review": {
            "title": review.title,
            "description": review.description,
            "last_reviewed": review.last_reviewed,
            "url": site.url,
        },
        "grades": [{"id": g.id, "label": g.label, "definition": g.definition} for g in review.grades],
        "verdicts": [{"id": v.id, "label": v.label, "definition": v.definition} for v in review.verdicts],
        "topics": [
            {"id": t.id, "kind": t.kind, "title": t.title, "url": site.topic(t.id), "reviewed": t.reviewed or review.last_reviewed}
            for t in corpus.topics
        ],
    }


def _claim(corpus: Corpus, claim: Claim, site: Site) -> dict[str, Any]:
    return {
        "id": claim.id,
        "topic": {"id": claim.topic, "title": corpus.topic_by_id[claim.topic].title},
        "url": f"{site.topic(claim.topic)}#{claim.id}",
        "statement": claim.statement,
        "grade": claim.grade,
        "verdict": claim.verdict,
        "direction": claim.direction,
        "outcome": claim.outcome,
        "why": claim.why,
        "finding": claim.finding,
        "citations": [{"key": c.key, "locator": c.locator, "url": site.reference(c.key)} for c in claim.cites],
        "asserted_by": claim.asserted_by,
        "see": list(claim.see),
    }


# ---- BibTeX and CSL-JSON -------------------------------------------------------------------


def bibtex(corpus: Corpus) -> str:
    """references.bib as parsed: same keys, types and field values, minus internal fields."""
    review = corpus.review
    out = [f"% {review.title}: bibliography of the review, last reviewed {review.last_reviewed}.\n"]
    for ref in corpus.references.values():
        fields = [f"  {name} = {{{value}}}," for name, value in ref.fields.items() if name not in INTERNAL_FIELDS]
        out.append("\n".join([f"@{ref.type}{{{ref.key},", *fields, "}"]) + "\n")
    return "\n".join(out)


def csl_items(corpus: Corpus) -> list[dict[str, Any]]:
    return [csl_item(ref) for ref in corpus.references.values()]


def csl_item(ref: Reference) -> dict[str, Any]:
    """One reference as a CSL-JSON item, with plain text in place of BibTeX markup."""
    item: dict[str, Any] = {"id": ref.key, "type": _csl_type(ref)}
    if title := ref.get("title"):
        item["title"] = plain(title)
    names = [_csl_name(n) for n in names_of(ref)]
    if names:
        item["author"] = names
    if issued := _date_parts(ref):
        item["issued"] = {"date-parts": [issued]}
    for field, variable in _CSL_FIELDS:
        value = ref.get(field)
        if value and variable not in item:
            item[variable] = plain(value) if variable not in ("DOI", "URL") else value
    return item


def _csl_type(ref: Reference) -> str:
    if ref.type == "misc":
        return "webpage" if ref.get("url") and not ref.get("doi") else "document"
    return CSL_TYPES.get(ref.type, "document")


def _csl_name(name: Name) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {"family": name.family, "given": name.given, "non-dropping-particle": name.particle, "suffix": name.suffix}
    return {k: v for k, v in parts.items() if v}


def _date_parts(ref: Reference) -> list[int]:
    year = ref.get("year") or ""
    if not re.fullmatch(r"[0-9]{4}", year):
        return []
    month = (ref.get("month") or "").strip().lower()
    number = int(month) if month.isdigit() else _MONTHS.index(month[:3]) + 1 if month[:3] in _MONTHS else 0
    return [int(year), number] if 1 <= number <= 12 else [int(year)]


def names_of(ref: Reference) -> list[Name]:
    """Authors in order; braced names ({LDN Research Trust}) are organisations, "others" is dropped."""
    return list(_names(ref.authors))


@functools.lru_cache(maxsize=1 << 14)
def _names(authors: tuple[str, ...]) -> tuple[Name, ...]:
    """Parsed once per author list and process: every topic page that cites a work names its authors."""
    out: list[Name] = []
    for raw in authors:
        stripped = raw.strip()
        if stripped.lower() == "others":
            continue
        try:
            first, middle, prelast, last, lineage = name_parts(stripped)
        except PybtexError:
            out.append(Name(literal=plain(stripped)))
            continue
        if not (first or middle or prelast or lineage) and len(last) == 1 and stripped.startswith("{") and stripped.endswith("}"):
            out.append(Name(literal=plain(stripped)))
            continue
        given = " ".join(first + middle)
        out.append(
            Name(family=plain(" ".join(last)), given=plain(given), particle=plain(" ".join(prelast)), suffix=plain(" ".join(lineage)))
        )
    return tuple(out)


def plain(value: str) -> str:
    """BibTeX text as a reader sees it (LaTeX read by `latex`), on one line with plain spaces."""
    return " ".join(to_text(value).text.split())


def identifier_urls(ref: Reference) -> list[str]:
    """Where the work can be found: doi.org, PubMed, PubMed Central, then its own URL."""
    links = []
    if doi := ref.get("doi"):
        links.append(f"https://doi.org/{doi}")
    if pmid := ref.get("pmid"):
        links.append(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
    if pmcid := ref.get("pmcid"):
        links.append(f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/")
    if (url := ref.get("url")) and re.match(r"https?://", url):
        links.append(url)
    return links


# ---- Files ---------------------------------------------------------------------------------


def export_files(corpus: Corpus, site: Site, cached: Cached = lambda name, inputs, compute: compute()) -> dict[str, str]:
    """{path in the site: content} for every download. `cached(name, inputs, compute)` may give
    an earlier result of `compute` while what it reads, `inputs`, compares equal (see `reuse`)."""
    return {
        CLAIMS_JSON: claims_json(corpus, site, cached),
        BIBTEX: cached(BIBTEX, (corpus.review, corpus.references), lambda: bibtex(corpus)),
        CSL_JSON: cached(CSL_JSON, corpus.references, lambda: _json(csl_items(corpus))),
    }


def _json(data: object) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)` and a newline, written out: the standard
    library indents through generators in pure Python, slower (the tests compare the two)."""
    return _indented(data, "\n") + "\n"


def _indented(value: object, newline: str) -> str:
    if type(value) is str:
        return _string(value)
    if value is None or type(value) is bool:
        return _CONSTANTS[value]
    if type(value) is int:
        return int.__repr__(value)
    inner = newline + "  "
    if isinstance(value, dict) and all(type(k) is str for k in value):
        if not value:
            return "{}"
        return "{" + ",".join(f"{inner}{_string(k)}: {_indented(v, inner)}" for k, v in value.items()) + newline + "}"
    if type(value) is _Items:
        return "[" + ",".join(value) + newline + "]" if value else "[]"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[" + ",".join(inner + _indented(v, inner) for v in value) + newline + "]"
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return text.replace("\n", newline) if "\n" in text else text


class _Items(tuple[str, ...]):
    """List items already written as JSON text, each with its newline and indentation."""

    __slots__ = ()


_string = json.encoder.encode_basestring
_CONSTANTS = {None: "null", True: "true", False: "false"}
