"""BibTeX names split into their parts as pybtex splits them, once per name and process.

A work's citation, label and sort key, its CSL-JSON authors and its schema.org authors all
start from the same split, which is the slow part of reading a name.
"""

from __future__ import annotations

import functools

from pybtex.database import Person

PARTS = ("first_names", "middle_names", "prelast_names", "last_names", "lineage_names")


@functools.lru_cache(maxsize=1 << 14)
def name_parts(name: str) -> tuple[tuple[str, ...], ...]:
    """`name` as first, middle, prelast, last and lineage words. Raises PybtexError as `Person` does."""
    parsed = Person(name)
    return tuple(tuple(getattr(parsed, part)) for part in PARTS)
