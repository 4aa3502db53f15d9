"""What a rebuild in the same process (`mkdocs serve`) reuses from the builds before it.

A generated page is rendered again only when what it is rendered from no longer compares
equal to what it was last rendered from; `topic_inputs` and `reference_inputs` say what that
is. Pages are kept on disk (each file always holds the Markdown its entry names), other
results in memory. Inputs are compared by value, never hashed, and each entry keeps only the
latest inputs, so no earlier review stays in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from .citations import find_markers
from .model import Claim, Corpus, Reference, Study, Topic

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """A generated page as written to disk: its file and the digest of its Markdown."""

    path: Path
    digest: bytes


class Reuse:
    """Earlier results, each with the inputs it came from; pages live as files under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pages: dict[str, tuple[object, Page]] = {}
        self._values: dict[str, tuple[object, object]] = {}
        self._versions: dict[str, tuple[object, int]] = {}
        self._asked: tuple[set[str], set[str]] = (set(), set())
        """The pages and the values asked for since the last `keep`."""

    def version(self, name: str, value: object) -> int:
        """A number that changes whenever `value` stops comparing equal to the last `value` given under `name`.

        Pages that depend on the whole review compare this number instead of the review."""
        stored = self._versions.get(name)
        number = 0 if stored is None else stored[1] if stored[0] == value else stored[1] + 1
        self._versions[name] = (value, number)
        return number

    def page(self, uri: str, inputs: object, render: Callable[[], str]) -> Page:
        """The page at `uri`, rendered only if `inputs` differ from those of the stored page."""
        self._asked[0].add(uri)
        stored = self._pages.get(uri)
        if stored is not None and stored[0] == inputs:
            self._pages[uri] = (inputs, stored[1])
            return stored[1]
        data = render().encode("utf-8")
        page = Page(self.folder / uri, hashlib.blake2b(data, digest_size=16).digest())
        if stored is None or stored[1] != page:
            page.path.parent.mkdir(parents=True, exist_ok=True)
            page.path.write_bytes(data)
        self._pages[uri] = (inputs, page)
        return page

    def value(self, name: str, inputs: object, compute: Callable[[], T]) -> T:
        """`compute()`, or its earlier result while `inputs` compare equal to those it came from."""
        self._asked[1].add(name)
        stored = self._values.get(name)
        result = cast(T, stored[1]) if stored is not None and stored[0] == inputs else compute()
        self._values[name] = (inputs, result)
        return result

    def keep(self) -> None:
        """Forget the pages (their files too) and values not asked for since the last call: the
        build that just ended no longer has them."""
        pages, values = self._asked
        for uri in [u for u in self._pages if u not in pages]:
            self._pages.pop(uri)[1].path.unlink(missing_ok=True)
        for name in [n for n in self._values if n not in values]:
            del self._values[name]
        self._asked = (set(), set())


def topic_inputs(corpus: Corpus, topic: Topic) -> tuple[object, ...]:
    """What a topic's page and its JSON-LD are made from, besides the review's settings: the
    topic, the claims of other topics about it, the title and kind of those topics and of the
    topics it links, and every work it cites or whose assertions it checks, with its study facts."""
    about = corpus.claims_about.get(topic.id, ())
    keys = {c.key for claim in (*topic.claims, *about) for c in claim.cites}
    keys.update(claim.asserted_by for claim in topic.claims if claim.asserted_by is not None)
    for marker in find_markers(topic.overview or ""):
        keys.update(k for k, _ in marker.items)
    named = [c.topic for c in about] + list(corpus.linked_topics.get(topic.id, ()))
    return (
        topic,
        about,
        tuple((t, corpus.topic_by_id[t].title, corpus.topic_by_id[t].kind) for t in named),
        _works(corpus.references, corpus.studies, sorted(keys)),
    )


def reference_inputs(corpus: Corpus, key: str, asserted: Iterable[Claim]) -> tuple[object, ...]:
    """What a reference's page is made from, besides the review's settings: the work, its study
    facts, and the claims that cite it or whose assertion it is, with their topics' titles."""
    claims = (*corpus.claims_citing.get(key, ()), None, *asserted)
    titles = tuple(corpus.topic_by_id[c.topic].title if c is not None else None for c in claims)
    return (_works(corpus.references, corpus.studies, [key]), claims, titles)


def _works(
    references: Mapping[str, Reference], studies: Mapping[str, Study], keys: Iterable[str]
) -> tuple[tuple[str, Reference | None, Study | None], ...]:
    return tuple((k, references.get(k), studies.get(k)) for k in keys)
