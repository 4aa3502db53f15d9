"""Change history: the editors' `changes` lists and dates, checked, and merged with commits.

The schema checks their shape (YYYY-MM-DD, a summary per entry); this module adds what a
pattern cannot say: that each date exists in the calendar (E414) and that the list runs newest
first (E415), so the page and the changelog read the way the file does. It also merges the
notes with the commits `history` read from git, for the topic pages and the changelog. No I/O:
`evidence check` never needs git.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from . import mdsafe
from .findings import Finding, error
from .load import YamlDoc
from .model import Change, History, Topic

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def read_changes(doc: YamlDoc) -> tuple[tuple[Change, ...], list[Finding]]:
    """The `changes` entries of a topic file, and every problem with them or with `reviewed`."""
    data = doc.data
    if not isinstance(data, dict):
        return (), []
    problems: list[Finding] = []
    reviewed = data.get("reviewed")
    if isinstance(reviewed, str) and not is_calendar_date(reviewed) and _DATE.match(reviewed):
        problems.append(error("E416", doc.loc(("reviewed",)), f"'reviewed' date {reviewed} does not exist in the calendar"))
    raw = data.get("changes")
    changes: list[Change] = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("date"), str) or not isinstance(item.get("summary"), str):
            continue
        date, where = item["date"], doc.loc(("changes", i, "date"))
        if not _DATE.match(date):
            continue  # the schema reports the format
        if not is_calendar_date(date):
            problems.append(error("E416", where, f"change date {date} does not exist in the calendar"))
            continue
        if changes and date > changes[-1].date:
            before = changes[-1]
            line = before.location.line if before.location else "?"
            message = f"changes must be listed newest first: {date} comes after {before.date} (line {line}); move this entry up"
            problems.append(error("E417", where, message))
        for target in mdsafe.unsafe_links(item["summary"]):
            shown = target if len(target) <= 60 else target[:57] + "..."
            message = f"link target '{shown}' is not allowed: links in text must be plain http:// or https:// addresses"
            problems.append(error("E412", doc.loc(("changes", i, "summary")), message))
        changes.append(Change(date, item["summary"], location=where))
    return tuple(changes), problems


def is_calendar_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_DATE.match(text))


# ---- Views for the pages -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the changelog: an editor's note or a commit, and the topics it changed."""

    change: Change
    topics: tuple[str, ...]


def topic_history(topic: Topic, history: History) -> tuple[Change, ...]:
    """The editors' notes and the commits that touched the topic's file, newest first.

    On the same day the notes come first, each kind in its own order (the sort is stable)."""
    merged = [*topic.changes, *history.commits.get(topic.location.path, ())]
    return tuple(sorted(merged, key=lambda c: c.date, reverse=True))


def changelog(topics: Iterable[Topic], history: History) -> list[tuple[str, list[Entry]]]:
    """Every change across the review grouped by date, newest first; a commit is one entry
    naming every topic whose file it touched."""
    notes: list[Entry] = []
    commits: dict[str, tuple[Change, list[str]]] = {}
    for topic in topics:
        notes.extend(Entry(change, (topic.id,)) for change in topic.changes)
        for change in history.commits.get(topic.location.path, ()):
            commits.setdefault(change.commit or "", (change, []))[1].append(topic.id)
    entries = notes + [Entry(change, tuple(ids)) for change, ids in commits.values()]
    days: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.change.date, reverse=True):
        days.setdefault(entry.change.date, []).append(entry)
    return list(days.items())
