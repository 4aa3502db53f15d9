"""Comparing two versions of a review: `evidence diff BASE [HEAD] [--format markdown|json]`.

Owns the claim-by-claim comparison (`diff_reviews`, matched by claim id), its two formats (Markdown
for one pull-request comment that a workflow updates in place, and stable JSON), and reading each
side from a folder or from a git revision of the repository the command runs in. Never imports
Jinja or MkDocs.
"""

from __future__ import annotations

import argparse
import difflib
import html
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeAlias

from .model import Claim, Corpus
from .sources import BIB_FILE, CLAIMS_FILE, CONTENT_DIR, load_review

MARKER = "<!-- evidence-diff -->"
KINDS = ("grade", "verdict", "citations", "statement", "topic")
"""The ways a claim can change, in report order."""
WORKING_TREE = "working tree"
EXIT_OK, EXIT_USAGE = 0, 2

Value: TypeAlias = "str | tuple[str, ...] | None"


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    """An added or removed claim, as the side that has it states it."""

    id: str
    topic: str
    grade: str
    verdict: str | None
    statement: str
    cites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Change:
    """One way a claim changed. Citations carry key lists; the others carry text or None."""

    kind: str
    old: Value
    new: Value
    direction: str = ""
    """Grade only: raised, lowered, or changed when a grade is not in the scale."""
    added: tuple[str, ...] = ()
    """Citations only: keys cited now and not before, sorted."""
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimChange:
    id: str
    topic: str
    """The claim's topic in head."""
    changes: tuple[Change, ...]


@dataclass(frozen=True, slots=True)
class ReferenceSummary:
    key: str
    title: str


@dataclass(frozen=True, slots=True)
class Side:
    """What one side is (a revision, a folder or the working tree) and how well it loaded."""

    label: str
    errors: int = 0
    loaded: bool = True


@dataclass(frozen=True, slots=True)
class ReviewDiff:
    added: tuple[ClaimSummary, ...]
    removed: tuple[ClaimSummary, ...]
    changed: tuple[ClaimChange, ...]
    references_added: tuple[ReferenceSummary, ...]
    references_removed: tuple[ReferenceSummary, ...]
    base: Side = Side("base")
    head: Side = Side("head")

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.references_added or self.references_removed)


# ---- Comparing ---------------------------------------------------------------------------------


def diff_reviews(base: Corpus | None, head: Corpus | None) -> ReviewDiff:
    """Claims matched by id, references by key; a side that is None counts as an empty review.

    Grades are ordered by head's scale in claims.yaml (base's when head is None): rank 0 is highest.
    """
    old = base.claim_by_id if base else {}
    new = head.claim_by_id if head else {}
    scale = head or base
    rank = {g.id: g.rank for g in scale.review.grades} if scale else {}
    changed = []
    for claim_id in sorted(old.keys() & new.keys()):
        changes = _claim_changes(old[claim_id], new[claim_id], rank)
        if changes:
            changed.append(ClaimChange(claim_id, new[claim_id].topic, changes))
    old_refs = base.references if base else {}
    new_refs = head.references if head else {}
    return ReviewDiff(
        added=tuple(_summary(new[i]) for i in sorted(new.keys() - old.keys())),
        removed=tuple(_summary(old[i]) for i in sorted(old.keys() - new.keys())),
        changed=tuple(changed),
        references_added=tuple(ReferenceSummary(k, new_refs[k].get("title") or "") for k in sorted(new_refs.keys() - old_refs.keys())),
        references_removed=tuple(ReferenceSummary(k, old_refs[k].get("title") or "") for k in sorted(old_refs.keys() - new_refs.keys())),
        base=Side("base", loaded=base is not None),
        head=Side("head", loaded=head is not None),
    )


def _claim_changes(old: Claim, new: Claim, rank: dict[str, int]) -> tuple[Change, ...]:
    changes = []
    if old.grade != new.grade:
        direction = "changed"
        if old.grade in rank and new.grade in rank:
            direction = "raised" if rank[new.grade] < rank[old.grade] else "lowered"
        changes.append(Change("grade", old.grade, new.grade, direction))
    if old.verdict != new.verdict:
        changes.append(Change("verdict", old.verdict, new.verdict))
    old_keys, new_keys = _keys(old), _keys(new)
    added, removed = sorted(set(new_keys) - set(old_keys)), sorted(set(old_keys) - set(new_keys))
    if added or removed:
        changes.append(Change("citations", old_keys, new_keys, added=tuple(added), removed=tuple(removed)))
    if old.statement.split() != new.statement.split():
        changes.append(Change("statement", old.statement, new.statement))
    if old.topic != new.topic:
        changes.append(Change("topic", old.topic, new.topic))
    return tuple(changes)


def _keys(claim: Claim) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.key for c in claim.cites))


def _summary(claim: Claim) -> ClaimSummary:
    return ClaimSummary(claim.id, claim.topic, claim.grade, claim.verdict, claim.statement, _keys(claim))


def summary_line(d: ReviewDiff) -> str:
    """'2 claims added, 1 removed, 3 changed: 1 grade raised, ...; 1 reference added, 0 removed.'"""
    if d.empty:
        return "No change to claims or references."
    line = f"{_plural(len(d.added), 'claim')} added, {len(d.removed)} removed, {len(d.changed)} changed"
    counts = _kind_counts(d.changed)
    if counts:
        line += ": " + ", ".join(counts)
    return f"{line}; {_plural(len(d.references_added), 'reference')} added, {len(d.references_removed)} removed."


_COUNTED = "grade raised, grade lowered, grade changed, verdict changed, citation list changed, statement reworded, topic moved"
_COUNTED_AS = dict(zip(KINDS[1:], _COUNTED.split(", ")[3:], strict=True))


def _kind_counts(changed: Iterable[ClaimChange]) -> list[str]:
    """'1 grade raised', '2 statements reworded', ... in a fixed order, zeros left out."""
    tally: dict[str, int] = {}
    for claim in changed:
        for c in claim.changes:
            label = f"grade {c.direction}" if c.kind == "grade" else _COUNTED_AS[c.kind]
            tally[label] = tally.get(label, 0) + 1
    return [
        f"{_plural(tally[label], label.rsplit(' ', 1)[0])} {label.rsplit(' ', 1)[1]}" for label in _COUNTED.split(", ") if label in tally
    ]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ---- Markdown ----------------------------------------------------------------------------------


def to_markdown(d: ReviewDiff) -> str:
    """One pull-request comment: hidden marker, heading, summary, then a table per section."""
    lines = [MARKER, f"### Evidence diff: {_cell(d.base.label)} → {_cell(d.head.label)}", "", summary_line(d)]
    notice = _error_notice(d)
    if notice:
        lines += ["", notice]
    if d.changed:
        lines += ["", "#### Changed claims", "", "| Claim | Change | Before | After |", "|---|---|---|---|"]
        for claim in d.changed:
            lines += [f"| {_code(claim.id)} | {_change_row(c)} |" for c in claim.changes]
    for title, claims in (("Added claims", d.added), ("Removed claims", d.removed)):
        if claims:
            lines += ["", f"#### {title}", "", "| Claim | Topic | Grade | Statement |", "|---|---|---|---|"]
            lines += [f"| {_code(c.id)} | {_code(c.topic)} | {_cell(c.grade)} | {_cell(c.statement)} |" for c in claims]
    if d.references_added or d.references_removed:
        lines += ["", "#### References", "", "| Reference | Change | Title |", "|---|---|---|"]
        lines += [f"| {_code(r.key)} | added | {_cell(r.title)} |" for r in d.references_added]
        lines += [f"| {_code(r.key)} | removed | {_cell(r.title)} |" for r in d.references_removed]
    return "\n".join(lines) + "\n"


def _error_notice(d: ReviewDiff) -> str:
    if not (d.base.errors or d.head.errors):
        return ""
    parts = []
    for name, side in (("base", d.base), ("head", d.head)):
        text = f"{name} has {_plural(side.errors, 'error')}"
        if not side.loaded:
            text += " and could not be read (its claims count as absent)"
        parts.append(text)
    return f"> ⚠️ {'; '.join(parts)}. Only what loaded is compared; run `evidence check` for details."


def _change_row(c: Change) -> str:
    if c.kind == "grade":
        label = {"raised": "**⬆ grade raised**", "lowered": "⬇ grade lowered"}.get(c.direction, "grade changed")
        return f"{label} | {_value(c.old)} | {_value(c.new)}"
    if c.kind == "citations":
        label = " ".join([*(f"+{_code(k)}" for k in c.added), *(f"−{_code(k)}" for k in c.removed)])
        return f"citations {label} | {_value(c.old)} | {_value(c.new)}"
    if c.kind == "topic":
        return f"topic moved | {_value(c.old, code=True)} | {_value(c.new, code=True)}"
    if c.kind == "statement" and isinstance(c.old, str) and isinstance(c.new, str):
        before, after = _reworded(c.old, c.new)
        return f"statement reworded | {before} | {after}"
    return f"verdict changed | {_value(c.old)} | {_value(c.new)}"


def _reworded(old: str, new: str) -> tuple[str, str]:
    """Both texts word by word, with the words taken out in <del> and the words put in in <ins>."""
    a, b = old.split(), new.split()
    before: list[str] = []
    after: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        gone, came = _cell(" ".join(a[i1:i2])), _cell(" ".join(b[j1:j2]))
        if op == "equal":
            before.append(gone)
            after.append(came)
            continue
        if gone:
            before.append(f"<del>{gone}</del>")
        if came:
            after.append(f"<ins>{came}</ins>")
    return " ".join(before), " ".join(after)


def _value(v: Value, code: bool = False) -> str:
    if v is None or v == ():
        return "—"
    if isinstance(v, tuple):
        return ", ".join(_code(k) for k in v)
    return _code(v) if code else _cell(v)


_NEWLINES = re.compile(r"\r\n|\r|\n")


def _cell(text: str) -> str:
    """Contributor text in a table cell: no live HTML, no row breaks, no @-mentions."""
    text = html.escape(text.strip(), quote=False).replace("|", "\\|").replace("@", "@&#8203;")
    return _NEWLINES.sub("<br>", text)


def _code(text: str) -> str:
    return "`" + _NEWLINES.sub(" ", text).replace("`", "'").replace("|", "\\|") + "`"


# ---- JSON --------------------------------------------------------------------------------------


def to_json(d: ReviewDiff) -> str:
    """A stable object: lists sorted by claim id or reference key, changes keyed by kind."""
    data = {
        "base": _side(d.base),
        "head": _side(d.head),
        "summary": summary_line(d),
        "added": [_claim_dict(c) for c in d.added],
        "removed": [_claim_dict(c) for c in d.removed],
        "changed": [{"id": c.id, "topic": c.topic, "changes": {x.kind: _change_dict(x) for x in c.changes}} for c in d.changed],
        "references_added": [{"key": r.key, "title": r.title} for r in d.references_added],
        "references_removed": [{"key": r.key, "title": r.title} for r in d.references_removed],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def _side(side: Side) -> dict[str, object]:
    return {"label": side.label, "errors": side.errors, "loaded": side.loaded}


def _claim_dict(c: ClaimSummary) -> dict[str, object]:
    return {"id": c.id, "topic": c.topic, "grade": c.grade, "verdict": c.verdict, "statement": c.statement, "cites": list(c.cites)}


def _change_dict(c: Change) -> dict[str, object]:
    out: dict[str, object] = {"old": _plain(c.old), "new": _plain(c.new)}
    if c.kind == "grade":
        out["direction"] = c.direction
    if c.kind == "citations":
        out["added"], out["removed"] = list(c.added), list(c.removed)
    return out


def _plain(v: Value) -> object:
    return list(v) if isinstance(v, tuple) else v


# ---- Command line ------------------------------------------------------------------------------


class UsageError(Exception):
    """A side that is neither a review folder nor a git revision: one line on stderr, exit 2."""


def run(args: argparse.Namespace) -> int:
    try:
        with tempfile.TemporaryDirectory(prefix="evidence-diff-") as tmp:
            base_root, base_label = _resolve(args.base, Path(tmp) / "base")
            head_root, head_label = (Path("."), WORKING_TREE) if args.head is None else _resolve(args.head, Path(tmp) / "head")
            if args.head is None:
                _require_review(head_root, ".")
            base, head = load_review(base_root), load_review(head_root)
    except UsageError as problem:
        print(f"evidence: {problem}", file=sys.stderr)
        return EXIT_USAGE
    d = diff_reviews(base.corpus, head.corpus)
    base_side, head_side = (Side(label, len(x.errors), x.corpus is not None) for label, x in ((base_label, base), (head_label, head)))
    d = replace(d, base=base_side, head=head_side)
    sys.stdout.write(to_json(d) + "\n" if args.format == "json" else to_markdown(d))
    return EXIT_OK


def _resolve(spec: str, dest: Path) -> tuple[Path, str]:
    """A folder as given, or a git revision exported to dest; returns the review root and a label."""
    path = Path(spec)
    if path.is_dir():
        _require_review(path, spec)
        return path, spec
    commit = None if spec.startswith("-") else _git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    if not commit:
        raise UsageError(f"{spec}: no such folder, and not a git revision of the repository here")
    # The review is the folder the command runs in, at the same place in the revision's tree.
    # ls-tree and archive read paths relative to the current folder, so they run from the top.
    top = _git("rev-parse", "--show-toplevel") or "."
    tree = f"{commit}:{(_git('rev-parse', '--show-prefix') or '').rstrip('/')}"
    dest.mkdir(parents=True)
    names = set((_git("-C", top, "ls-tree", "--name-only", tree) or "").splitlines())
    wanted = [n for n in (CLAIMS_FILE, BIB_FILE, CONTENT_DIR) if n in names]
    if wanted:
        archive = _git_bytes("-C", top, "archive", "--format=tar", tree, "--", *wanted)
        if archive is None:
            raise UsageError(f"{spec}: git archive failed")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover - Python without tarfile filters
                tar.extractall(dest)
    return dest, spec if commit.startswith(spec) else f"{spec} ({commit[:7]})"


def _require_review(path: Path, spec: str) -> None:
    if not (path / CLAIMS_FILE).is_file():
        raise UsageError(f"{spec}: no {CLAIMS_FILE} here; pass the folder that holds the review")


def _git(*args: str) -> str | None:
    out = _git_bytes(*args)
    return None if out is None else out.decode("utf-8", "replace").strip()


def _git_bytes(*args: str) -> bytes | None:
    """Output of a git command run in the current folder, or None if it failed or git is missing."""
    try:
        done = subprocess.run(["git", *args], capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
