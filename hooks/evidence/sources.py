"""Reading a whole review from disk: claims.yaml, content/, references.bib and prose pages.

`load_review(root)` is the one entry point that both `evidence check` and the MkDocs glue
call, so the command line and the build report exactly the same findings.
"""

from __future__ import annotations

import contextlib
import gc
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .bibfile import parse_bibtex
from .citations import Marker, find_markers
from .files import ContentTree, check_link, display_path, read_text, scan_content
from .findings import Finding, Location, did_you_mean, error
from .load import STUDIES_DIR, YamlDoc, iter_yaml_files, load_yaml
from .model import Corpus
from .parsecache import ParseCache
from .rawhtml import check_prose_html
from .references import check_references
from .validate import Collector, build_review, build_studies, build_topics, check_usage, cross_check

CLAIMS_FILE = "claims.yaml"
BIB_FILE = "references.bib"
CONTENT_DIR = "content"


@dataclass(frozen=True, slots=True)
class Loaded:
    """The outcome of reading a review: the corpus when it is usable, and every finding."""

    corpus: Corpus | None
    findings: tuple[Finding, ...]
    prose: dict[str, tuple[Marker, ...]] = field(default_factory=dict)
    """Citation markers of each prose page, keyed by its path inside content/."""

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """Pause Python's cycle collector: reading a review builds millions of objects and no cycles
    worth collecting, and each collection pass walks them all (a third of a large check)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_review(root: Path, cache: ParseCache | None = None) -> Loaded:
    """The review at `root`; with a cache, YAML files whose text is unchanged since a clean parse are not parsed again."""
    with paused_collection():
        return _load_review(root, cache)


def _load_review(root: Path, cache: ParseCache | None) -> Loaded:
    out = Collector()
    read_yaml = cache.load_yaml if cache is not None else load_yaml

    def shown(path: Path) -> str:
        return display_path(path, root)

    claims_path = root / CLAIMS_FILE
    bib_path = root / BIB_FILE
    for link in (claims_path, bib_path):
        if (problem := check_link(link, root)) is not None:
            out.findings.append(problem)
            return Loaded(None, tuple(out.findings))
    tree = scan_content(root / CONTENT_DIR, root)
    out.findings.extend(tree.findings)
    if not claims_path.is_file():
        out.error("E107", Location(CLAIMS_FILE), f"no {CLAIMS_FILE} here; run the command in the review's folder or pass its path")
        return Loaded(None, tuple(out.findings))
    claims_doc, problems = read_yaml(claims_path, shown(claims_path))
    out.findings.extend(problems)
    review = build_review(claims_doc, out)

    docs: dict[str, YamlDoc] = {}
    study_docs: list[YamlDoc] = []
    topic_docs: list[tuple[str, str, YamlDoc]] = []
    topic_files: dict[str, str] = {}
    for file in iter_yaml_files(root / CONTENT_DIR, tree.files):
        doc, problems = read_yaml(file, shown(file))
        out.findings.extend(problems)
        docs[doc.path] = doc
        if file.parent.name == STUDIES_DIR:
            study_docs.append(doc)
            continue
        same = _same_name(f"{file.parent.name}/{file.stem}")
        if (first := topic_files.setdefault(same, doc.path)) != doc.path:
            msg = f"this file names the same topic as {first} (file names must differ in more than case or extension); merge them"
            out.error("E401", Location(doc.path, 1, 1), msg)
            continue
        topic_docs.append((file.parent.name, file.stem, doc))
    studies = build_studies(study_docs, review, out)
    topics = build_topics(topic_docs, review, out)

    text, problems = (
        read_text(bib_path, BIB_FILE) if bib_path.is_file() else (None, [error("E107", Location(BIB_FILE), f"no {BIB_FILE} here")])
    )
    out.findings.extend(problems)
    if cache is not None:
        references, problems = cache.read_references(text or "", BIB_FILE)
    else:
        entries, problems = parse_bibtex(text or "", BIB_FILE)
        out.findings.extend(problems)
        references, problems = check_references(entries)
    out.findings.extend(problems)

    prose, prose_keys = _read_prose(tree, root / CONTENT_DIR, root, references, out)
    if review is None:
        return Loaded(None, tuple(out.findings), prose)
    corpus = Corpus(review, tuple(topics), references, studies)
    cross_check(corpus, docs, out)
    for topic in corpus.topics:
        if topic.overview:
            where = docs[topic.location.path].loc(("overview",))
            prose_keys |= _check_markers(find_markers(topic.overview), references, where, out)
    check_usage(corpus, prose_keys, out)
    return Loaded(corpus, tuple(out.findings), prose)


def _read_prose(
    tree: ContentTree, content: Path, root: Path, references: Mapping[str, object], out: Collector
) -> tuple[dict[str, tuple[Marker, ...]], set[str]]:
    prose: dict[str, tuple[Marker, ...]] = {}
    keys: set[str] = set()
    pages: dict[str, str] = {}
    for file in tree.files:
        if file.suffix != ".md":
            continue
        shown = display_path(file, root)
        if (first := pages.setdefault(_same_name(display_path(file, content)), shown)) != shown:
            out.error(
                "E401",
                Location(shown, 1, 1),
                f"this page has the same address as {first} when case and Unicode forms are ignored; rename one",
            )
            continue
        text, problems = read_text(file, shown)
        out.findings.extend(problems)
        if text is None:
            continue
        out.findings.extend(check_prose_html(text, shown))
        markers = tuple(find_markers(text))
        prose[display_path(file, content)] = markers
        for marker in markers:
            where = Location(display_path(file, root), marker.line, marker.col)
            keys |= _check_markers((marker,), references, where, out)
    return prose, keys


def _check_markers(markers: Iterable[Marker], references: Mapping[str, object], where: Location, out: Collector) -> set[str]:
    used: set[str] = set()
    for marker in markers:
        if not marker.items:
            out.error("E405", where, f"malformed citation {marker.raw}: write [@key], [@key, locator] or [@a; @b]")
            continue
        for key, _ in marker.items:
            used.add(key)
            if key not in references:
                hint = did_you_mean(key, references)
                out.error("E405", where, f"citation [@{key}] does not match any reference in {BIB_FILE}{hint}")
    return used


def _same_name(path: str) -> str:
    """Names that some disks or browsers treat as one: case-folded, in Unicode compatibility form."""
    return unicodedata.normalize("NFKC", path).casefold()
