"""Where each generated page lives inside docs/, and the Markdown links between pages.

Pages link thousands of times, so relative links are cached and computed without asking the
OS for the working directory.
"""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import quote

from .mdsafe import Md
from .model import Reference

CLAIMS_DIR = "claims"
CLAIMS_INDEX = f"{CLAIMS_DIR}/index.md"
METHODS_PAGE = "methods.md"
CHANGELOG_PAGE = "changelog.md"
REFERENCES_DIR = "references"
REFERENCES_INDEX = f"{REFERENCES_DIR}/index.md"


def reference_page(key: str) -> str:
    return f"{REFERENCES_DIR}/{key}.md"


def topic_page(topic_id: str) -> str:
    return f"{topic_id}.md"


def kind_page(kind: str) -> str:
    return f"{kind}/index.md"


def claims_page(kind: str) -> str:
    """Every claim of one kind, listed by topic: one page per kind keeps each page a size a
    browser (and a `mkdocs serve` rebuild) can handle."""
    return f"{CLAIMS_DIR}/{kind}.md"


def link(src: str, target: str) -> Md:
    """`target` as a link written on the page at `src`."""
    folder = src.rpartition("/")[0]
    if folder.endswith("/") or src.startswith("/"):  # what `posixpath.dirname` would tidy
        folder = posixpath.dirname(src)
    return relative_link(folder, target)


@functools.lru_cache(maxsize=1 << 16)
def relative_link(folder: str, target: str) -> Md:
    """`target` relative to `folder` (both inside docs/), quoted for a Markdown link.

    `posixpath.relpath` asks the OS for the working directory on each call, so normalised
    paths are compared here and anything else is left to it."""
    here, there = folder.split("/") if folder else [], target.split("/")
    if {"", ".", ".."} & {*here, *there}:
        rel = posixpath.relpath(target, folder or ".")
    else:
        common = 0
        while common < min(len(here), len(there)) and here[common] == there[common]:
            common += 1
        rel = "/".join([".."] * (len(here) - common) + there[common:]) or "."
    return Md(quote(rel, safe="/.-_~#:+"))


def identifier_links(ref: Reference) -> list[tuple[str, Md]]:
    """The work's DOI, PubMed, PMC and source page, as (text, address) pairs."""
    links: list[tuple[str, Md]] = []
    if doi := ref.get("doi"):
        links.append((f"DOI {doi}", Md("https://doi.org/" + quote(doi, safe="/:;._-"))))
    if pmid := ref.get("pmid"):
        links.append((f"PubMed {pmid}", Md(f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")))
    if pmcid := ref.get("pmcid"):
        links.append((pmcid, Md(f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/")))
    if (url := ref.get("url")) and re.match(r"https?://", url):
        links.append(("Source page", Md(quote(url, safe="/:;._-~?=&%#+@!$,"))))
    return links
