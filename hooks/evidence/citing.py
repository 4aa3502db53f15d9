"""Citations on generated pages: numbered `[n]` links that preview the work they point to,
contributor prose whose [@key] markers become such links, and the study facts a preview shows.

A preview depends only on the work, the locator and the citing claim's grade, so each is
composed once per build, however many pages cite the work.
"""

from __future__ import annotations

import re

from . import mdsafe
from .bibformat import ReferenceFormatter
from .citations import find_markers
from .links import link, reference_page
from .mdsafe import Md
from .model import Corpus

PREVIEW_SEPARATOR = " · "
_FIELD_NAMES = {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID", "url": "URL", "isbn": "ISBN"}
_HOLE = re.compile("\ue000(\\d+)\ue001")


class Citations:
    """Citation links and previews for the pages of one corpus."""

    def __init__(self, corpus: Corpus, formatter: ReferenceFormatter) -> None:
        self.corpus = corpus
        self.formatter = formatter
        self.designs = {d.id: d for d in corpus.review.designs}
        self._grades = {g.id: g.label for g in corpus.review.grades}
        self._previews: dict[tuple[str, str | None, str | None], str] = {}

    def cite(self, src: str, key: str, locator: str | None, numbering: dict[str, int], grade: str | None = None) -> Md:
        """A numbered citation link whose title previews the work; numbers are shared across the page.

        The preview's parts are joined with `PREVIEW_SEPARATOR`: one line for the tooltip on
        hover and focus, and the lines of the box that `evidence.js` shows on a tap."""
        number = numbering.setdefault(key, len(numbering) + 1)
        preview = self._previews.get((key, locator, grade))
        if preview is None:
            preview = self._previews[key, locator, grade] = mdsafe.attr(PREVIEW_SEPARATOR.join(self.preview(key, locator, grade)))
        return Md(f'[\\[{number}\\]]({link(src, reference_page(key))} "{preview}"){{ .ev-cite }}')

    def preview(self, key: str, locator: str | None, grade: str | None) -> list[str]:
        """Short reference and title; design and n; the claim's grade and the highest grade the
        design allows; the locator; and any detail that could not be verified."""
        ref = self.corpus.references[key]
        parts = [self.formatter.label(ref)]
        if title := self.formatter.title(ref):
            parts.append(title)
        study = self.corpus.studies.get(key)
        design = self.designs.get(study.design) if study else None
        if study is not None:
            parts.append(", ".join(p for p in (self.design_label(key), self.size(key)) if p))
        labels = self._grades
        ceiling = labels.get(design.max_grade) if design else None
        graded = f"Claim graded {labels[grade]}" if grade in labels else None
        allows = f"this design allows up to {ceiling}" if ceiling else None
        if graded or allows:
            text = "; ".join(p for p in (graded, allows) if p)
            parts.append(text[0].upper() + text[1:])
        if locator:
            parts.append(locator)
        if ref.unverified:
            parts.append("Not verified: " + ", ".join(_FIELD_NAMES.get(f, f) for f in ref.unverified))
        return parts

    def prose(self, text: str, src: str, numbering: dict[str, int]) -> Md:
        """Contributor paragraphs (escaped like `mdsafe.blocks`) with [@key] markers linked."""
        out = []
        for paragraph in re.split(r"\n\s*\n", text):
            flat = " ".join(paragraph.split())
            if not flat:
                continue
            links: list[Md] = []
            holed = []
            pos = 0
            for marker in find_markers(flat):
                holed.append(flat[pos : marker.start])
                if marker.items and all(k in self.corpus.references for k, _ in marker.items):
                    links.append(Md("".join(self.cite(src, k, loc, numbering) for k, loc in marker.items)))
                    holed.append(f"\ue000{len(links) - 1}\ue001")
                else:
                    holed.append(marker.raw)
                pos = marker.end
            holed.append(flat[pos:])
            escaped = mdsafe.inline("".join(holed))
            out.append(_fill_holes(escaped, links))
        return Md("\n\n".join(out))

    def size(self, key: str) -> str | None:
        """n as a reader should read it: "40 participants" or "7 studies"."""
        study = self.corpus.studies.get(key)
        if study is None or study.n is None:
            return None
        design = self.designs.get(study.design)
        unit = design.counts if design else "participants"
        return f"{study.n} {unit[:-1] if study.n == 1 else unit}"

    def design_label(self, key: str) -> str | None:
        study = self.corpus.studies.get(key)
        if study is None:
            return None
        design = self.designs.get(study.design)
        return design.label if design else study.design


def _fill_holes(text: str, links: list[Md]) -> str:
    return _HOLE.sub(lambda m: links[int(m.group(1))], text)
