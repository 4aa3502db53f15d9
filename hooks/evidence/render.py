"""Model to Markdown pages: one `Renderer` renders every generated page of a corpus from the
Jinja templates.

Templates produce Markdown (not HTML) so MkDocs resolves and checks every link. Contributor
text is never template source: it reaches templates as values, and `finalize` escapes every
value that is not already `Md`, so forgetting a filter can only over-escape, never inject
(Jinja's HTML autoescaping is off: it would only wrap what `finalize` returns). Macros are
called by the renderer, which marks their output `Md`: grade and verdict badges once per
folder, claim blocks once per claim. The environment, and so each compiled template, is
shared by the renderers of one process.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import links, mdsafe, plots, timeline
from .bibformat import ReferenceFormatter
from .changes import changelog, topic_history
from .citations import find_markers
from .citing import Citations
from .evidence_map import build_map, claim_groups, place_map
from .exports import Site
from .jsonld import page_citation
from .links import (
    CHANGELOG_PAGE,
    CLAIMS_DIR,
    CLAIMS_INDEX,
    METHODS_PAGE,
    REFERENCES_INDEX,
    claims_page,
    identifier_links,
    kind_page,
    reference_page,
    topic_page,
)
from .mdsafe import Md
from .model import Change, Claim, Corpus, History, Topic
from .reuse import reference_inputs, topic_inputs

TEMPLATES = Path(__file__).parent / "templates"
HISTORY_LIMIT = 10
"""Changes listed on a topic page; the changelog lists them all."""


@dataclass(frozen=True, slots=True)
class _Shared:
    """What the pages in one folder write alike (links in them are relative)."""

    grade_badge: Callable[[str], Md]
    verdict_badge: Callable[[str], Md]
    claim_block: Callable[[dict[str, object]], Md]


class Renderer:
    """Renders every generated page of a corpus: `pages()` returns {src_uri: markdown}."""

    def __init__(self, corpus: Corpus, templates: Path = TEMPLATES, site: Site | None = None, history: History | None = None) -> None:
        self.corpus = corpus
        self.site = site or Site()
        self.formatter = ReferenceFormatter()
        self.citations = Citations(corpus, self.formatter)
        self.asserted: dict[str, list[Claim]] = {}  # popular source -> the claims it asserts
        for claim in corpus.claims:
            if claim.asserted_by is not None:
                self.asserted.setdefault(claim.asserted_by, []).append(claim)
        self.history = history or History()
        self.env = _environment(templates)
        review = corpus.review
        self.scales: dict[str, object] = {"review": review, "grade": review.grade, "verdict": review.verdict}
        self._templates: dict[str, jinja2.Template] = {}
        self._shared: dict[str, _Shared] = {}
        self._topic_inputs: dict[str, tuple[object, ...]] = {}

    # ---- Pages -----------------------------------------------------------------------------

    def pages(self) -> dict[str, str]:
        return {uri: render() for uri, _, render in self.plan(lambda name, value: 0)}

    def plan(self, version: Callable[[str, object], int]) -> list[tuple[str, object, Callable[[], str]]]:
        """Every page: its address, what it is rendered from, and how to render it.

        `version(name, value)` numbers the review's settings and its whole collections (see
        `reuse`), which pages that read all of them compare instead of the values."""
        corpus = self.corpus
        settings = version("settings", (self.templates(), self.site, self.history, corpus.review))
        topics = (settings, version("topics", corpus.topics))
        whole = (*topics, version("references", corpus.references), version("studies", corpus.studies))
        plan: list[tuple[str, object, Callable[[], str]]] = []
        plan += [(kind_page(k.id), topics, functools.partial(self.kind_index, k.id)) for k in corpus.review.kinds]
        plan += [(topic_page(t.id), (settings, self.topic_inputs(t)), functools.partial(self.topic, t)) for t in corpus.topics]
        plan.append((REFERENCES_INDEX, whole, self.references_index))
        for key in corpus.references:
            inputs = (settings, reference_inputs(corpus, key, self.asserted.get(key, ())))
            plan.append((reference_page(key), inputs, functools.partial(self.reference, key)))
        for k in corpus.review.kinds:
            plan.append((claims_page(k.id), (settings, corpus.topics_of_kind(k.id)), functools.partial(self.claims_of_kind, k.id)))
        plan += [
            (CLAIMS_INDEX, (settings, self.claim_counts), self.claims_index),
            (METHODS_PAGE, (settings,), self.methods),
            (CHANGELOG_PAGE, topics, self.changelog),
        ]
        return plan

    def topic_inputs(self, topic: Topic) -> tuple[object, ...]:
        """`reuse.topic_inputs`, gathered once per build: the page and its JSON-LD share them."""
        inputs = self._topic_inputs.get(topic.id)
        if inputs is None:
            inputs = self._topic_inputs[topic.id] = topic_inputs(self.corpus, topic)
        return inputs

    def templates(self) -> tuple[jinja2.Template, ...]:
        """Every template as compiled now: a new object when its file has changed."""
        return tuple(self.env.get_template(name) for name in self.env.list_templates())

    def topic(self, topic: Topic) -> str:
        src = topic_page(topic.id)
        numbering: dict[str, int] = {}
        overview = self.citations.prose(topic.overview, src, numbering) if topic.overview else None
        claims = [self._claim_block(c, src, numbering) for c in topic.claims]
        about = [self._claim_block(c, src, numbering) for c in self.corpus.claims_about.get(topic.id, ())]
        cited = list(numbering)
        changes = topic_history(topic, self.history)
        return self._render(
            "topic.md.j2",
            src,
            topic=topic,
            overview=overview,
            kind=self.corpus.review.kind(topic.kind),
            claims=claims,
            about=about,
            studies=[self._study_row(k, src) for k in cited if k in self.corpus.studies],
            effects=self._effect_plots(topic, cited, src),
            bibliography=[
                (numbering[k], links.link(src, reference_page(k)), self.formatter.plain(self.corpus.references[k])) for k in cited
            ],
            related=[self._topic_link(t, src) for t in self.corpus.linked_topics.get(topic.id, ())],
            best=self._best_grade(topic.claims),
            timeline=timeline.section(self.corpus, topic, cited, self.formatter.label, self.citations.size, self.site, src),
            reviewed=topic.reviewed or self.corpus.review.last_reviewed,
            changes=[self._change_row(c) for c in changes[:HISTORY_LIMIT]],
            more=len(changes) - HISTORY_LIMIT,
            history_note=self.history.note,
            cite=self._page_citation(topic),
        )

    def kind_index(self, kind_id: str) -> str:
        src = kind_page(kind_id)
        rows = [
            (self._topic_link(t.id, src), len(t.claims), self._best_grade(t.claims), t.summary) for t in self.corpus.topics_of_kind(kind_id)
        ]
        return self._render("kind_index.md.j2", src, kind=self.corpus.review.kind(kind_id), rows=rows, map=build_map(self.corpus, kind_id))

    def reference(self, key: str) -> str:
        src = reference_page(key)
        ref = self.corpus.references[key]
        citing = self.corpus.claims_citing.get(key, ())
        asserted = self.asserted.get(key, ())
        return self._render(
            "reference.md.j2",
            src,
            ref=ref,
            label=self.formatter.label(ref),
            citation=self.formatter.plain(ref),
            links=identifier_links(ref),
            study=self.corpus.studies.get(key),
            design=self.citations.design_label(key),
            size=self.citations.size(key),
            citing=[self._backlink(c, src) for c in citing],
            asserted=[self._backlink(c, src) for c in asserted],
        )

    def references_index(self) -> str:
        src = REFERENCES_INDEX
        refs = sorted(self.corpus.references.values(), key=lambda r: (self.formatter.sort_key(r), r.key))
        rows = [
            (
                links.link(src, reference_page(r.key)),
                self.formatter.label(r),
                self.formatter.plain(r),
                self.citations.design_label(r.key),
                len(self.corpus.claims_citing.get(r.key, ())),
            )
            for r in refs
        ]
        return self._render("references_index.md.j2", src, rows=rows)

    def claims_index(self) -> str:
        """The claims of every kind counted by grade, each kind linking to its list."""
        src = CLAIMS_INDEX
        counts = self.claim_counts
        total = {g: sum(by_kind[g] for by_kind in counts.values()) for g in self._grade_ids()}
        rows = [(kind, links.link(src, claims_page(kind.id)), counts[kind.id]) for kind in self.corpus.review.kinds]
        return self._render("claims_index.md.j2", src, rows=rows, counts=self._by_grade(total), total=sum(total.values()))

    def claims_of_kind(self, kind_id: str) -> str:
        """Every claim of one kind, topic by topic; a mapped topic's claims in its map cells' groups."""
        src = claims_page(kind_id)
        topics = [t for t in self.corpus.topics_of_kind(kind_id) if t.claims]
        groups = [(self._topic_link(t.id, src), claim_groups(self.corpus, t)) for t in topics]
        counts = self.claim_counts[kind_id]
        return self._render(
            "claims_kind.md.j2",
            src,
            index=CLAIMS_INDEX,
            kind=self.corpus.review.kind(kind_id),
            groups=groups,
            counts=self._by_grade(counts),
            total=sum(counts.values()),
        )

    def _grade_ids(self) -> list[str]:
        return [g.id for g in self.corpus.review.grades]

    @functools.cached_property
    def claim_counts(self) -> dict[str, dict[str, int]]:
        """{kind: {grade: number of claims}}, every grade of the scale present."""
        counts = {k.id: dict.fromkeys(self._grade_ids(), 0) for k in self.corpus.review.kinds}
        for topic in self.corpus.topics:
            by_grade = counts.setdefault(topic.kind, dict.fromkeys(self._grade_ids(), 0))
            for claim in topic.claims:
                by_grade[claim.grade] = by_grade.get(claim.grade, 0) + 1
        return counts

    def _by_grade(self, counts: dict[str, int]) -> Md:
        badge = self._in_folder(CLAIMS_DIR).grade_badge
        return Md(" · ".join(f"{badge(g)} {counts.get(g, 0)}" for g in self._grade_ids()))

    def methods(self) -> str:
        return self._render("methods.md.j2", METHODS_PAGE)

    # ---- Views -----------------------------------------------------------------------------

    def _render(self, template: str, src: str, **context: object) -> str:
        shared = self._in_folder(posixpath.dirname(src))
        badges = {"grade_badge": shared.grade_badge, "verdict_badge": shared.verdict_badge}
        return self._template(template).render(src=src, link=functools.partial(links.link, src), **badges, **self.scales, **context)

    def _template(self, name: str) -> jinja2.Template:
        compiled = self._templates.get(name)
        if compiled is None:
            compiled = self._templates[name] = self.env.get_template(name)
        return compiled

    def _in_folder(self, folder: str) -> _Shared:
        """The badges and claim blocks of pages in `folder`, rendered by the macros of `_badges.md.j2` and `_macros.md.j2`."""
        shared = self._shared.get(folder)
        if shared is None:
            link = functools.partial(links.relative_link, folder)
            badges: Any = self._template("_badges.md.j2").make_module({"link": link, **self.scales})
            grades = {g.id: Md(badges.grade_badge(g.id)) for g in self.corpus.review.grades}
            verdicts = {v.id: Md(badges.verdict_badge(v.id)) for v in self.corpus.review.verdicts}
            parts = {"link": link, "grade_badge": grades.__getitem__, "verdict_badge": verdicts.__getitem__, **self.scales}
            macros: Any = self._template("_macros.md.j2").make_module(parts)
            shared = self._shared[folder] = _Shared(grades.__getitem__, verdicts.__getitem__, lambda view: Md(macros.claim_block(view)))
        return shared

    def prose_page(self, markdown: str, src: str) -> str:
        """A hand-written page: [@key] groups become numbered links, and a reference list is appended.

        The page's own Markdown is the author's; only the markers are replaced (outside code)."""
        markers = list(find_markers(markdown))
        if not markers:
            return place_map(markdown, lambda: self._map(src))
        numbering: dict[str, int] = {}
        out: list[str] = []
        pos = 0
        for marker in markers:
            out.append(markdown[pos : marker.start])
            out.extend(self.citations.cite(src, key, locator, numbering) for key, locator in marker.items)
            pos = marker.end
        out.append(markdown[pos:])
        listing = "\n".join(
            f"{n}. [{mdsafe.text(self.formatter.plain(self.corpus.references[k]))}]({links.link(src, reference_page(k))})"
            for k, n in numbering.items()
        )
        return place_map("".join(out).rstrip() + "\n\n## References { #references }\n\n" + listing + "\n", lambda: self._map(src))

    def _map(self, src: str) -> Md:
        return Md(self._render("evidence_map.md.j2", src, map=build_map(self.corpus)).rstrip())

    def _claim_block(self, claim: Claim, src: str, numbering: dict[str, int]) -> Md:
        cites = Md("".join(self.citations.cite(src, c.key, c.locator, numbering, claim.grade) for c in claim.cites))
        home = self._topic_link(claim.topic, src) if topic_page(claim.topic) != src else None
        return self._in_folder(posixpath.dirname(src)).claim_block({"claim": claim, "cites": cites, "home": home})

    def _page_citation(self, topic: Topic) -> dict[str, Md]:
        """The reference line as text, and the BibTeX as an indented code block inside the admonition."""
        cite = page_citation(self.corpus.review, topic, self.site)
        return {"text": mdsafe.text(cite.text), "bibtex": Md("\n".join(" " * 8 + line for line in cite.bibtex.splitlines()))}

    def changelog(self) -> str:
        src = CHANGELOG_PAGE
        days = [
            (date, [(self._change_row(e.change), self._topic_list(e.topics, src)) for e in entries])
            for date, entries in changelog(self.corpus.topics, self.history)
        ]
        return self._render("changelog.md.j2", src, days=days, note=self.history.note)

    def _change_row(self, change: Change) -> dict[str, object]:
        """An editor's note keeps its inline Markdown; a commit subject is plain text, followed
        by its short hash (linked when the review names its repository)."""
        if change.commit is None:
            return {"date": change.date, "summary": mdsafe.inline(change.summary), "commit": Md("")}
        commit = Md("")
        if re.fullmatch("[0-9a-f]{7,64}", change.commit):
            commit = Md(f" (commit `{change.commit[:7]}`)")
            if repository := self.corpus.review.repository:
                href = quote(f"{repository.rstrip('/')}/commit/{change.commit}", safe="/:._-~")
                commit = Md(f" (commit [`{change.commit[:7]}`]({href}))")
        return {"date": change.date, "summary": mdsafe.text(change.summary), "commit": commit}

    def _topic_list(self, topic_ids: Iterable[str], src: str) -> Md:
        topics = self.corpus.topic_by_id
        return Md(", ".join(f"[{mdsafe.text(topics[t].title)}]({links.link(src, topic_page(t))}#change-history)" for t in topic_ids))

    def _study_row(self, key: str, src: str) -> dict[str, object]:
        return {
            "href": links.link(src, reference_page(key)),
            "label": self.formatter.label(self.corpus.references[key]),
            "study": self.corpus.studies[key],
            "design": self.citations.design_label(key),
            "size": self.citations.size(key),
        }

    def _effect_plots(self, topic: Topic, cited: list[str], src: str) -> list[dict[str, object]]:
        """Forest plots of the effects reported by the works this topic's own claims cite, for kinds that show them."""
        if not self.corpus.review.kind(topic.kind).effect_plots:
            return []
        rows = plots.rows(self.corpus, topic, cited, lambda key: self.formatter.label(self.corpus.references[key]), self.citations.size)
        hrefs = {key: links.link(src, reference_page(key)) for key in cited}
        return [
            {"plot": p, "figure": Md(plots.draw(p, f"forest-{i}")), "table": plots.table(p), "hrefs": hrefs}
            for i, p in enumerate(plots.group(rows), 1)
        ]

    def _backlink(self, claim: Claim, src: str) -> dict[str, object]:
        """A claim on a reference page: the claim, its address and its topic's title (all that `reuse` compares of the topic)."""
        title = self.corpus.topic_by_id[claim.topic].title
        return {"claim": claim, "href": Md(f"{links.link(src, topic_page(claim.topic))}#{claim.id}"), "title": title}

    def _topic_link(self, topic_id: str, src: str) -> dict[str, object]:
        """Another topic named on a page: its title, address and kind (all that `reuse` compares of it)."""
        topic = self.corpus.topic_by_id[topic_id]
        return {"title": topic.title, "href": links.link(src, topic_page(topic_id)), "kind": self.corpus.review.kind(topic.kind)}

    def _best_grade(self, claims: Iterable[Claim]) -> str | None:
        ranks = {g.id: g.rank for g in self.corpus.review.grades}
        known = [c.grade for c in claims if c.grade in ranks and c.verdict is None]
        return min(known, key=ranks.__getitem__) if known else None


@functools.lru_cache(maxsize=4)
def _environment(templates: Path) -> jinja2.Environment:
    """One environment per template folder and process, so templates are compiled once and
    recompiled only when their file changes (`mkdocs serve` watches them)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(text=mdsafe.text, inline=mdsafe.inline, blocks=mdsafe.blocks, attr=mdsafe.attr, slug=mdsafe.slug)
    env.globals["claims_page"] = claims_page
    return env


_PLAIN_TEXT = re.compile(r"(?:[A-Za-z\u2014]|[0-9]+(?![0-9.)]))[A-Za-z0-9,.:;()'/?\u2014-]*(?: [A-Za-z0-9,.:;()'/?\u2014-]+)*\Z")
"""Text that `mdsafe.text` returns unchanged: no markup character, run of spaces or block marker
(a leading number is not followed by the `.` or `)` of a list item)."""


def _finalize(value: object) -> str:
    """Runs on every `{{ }}` value: only `Md` (filters, links, the renderer's macro output) passes as is."""
    if type(value) is str and _PLAIN_TEXT.match(value):  # most values: nothing to escape or collapse
        return value
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if type(value) is int:
        return int.__repr__(value)
    return mdsafe.text(value)
