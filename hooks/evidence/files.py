"""What the review may read from disk: one walk of content/, size limits and hidden characters.

A pull request can add a symlink to a file outside the repository (MkDocs would publish it),
a symlinked folder that loops back on itself, a file too large to read quickly, or text with
characters that hide or reorder what a reviewer sees in the diff. Each is a located finding;
refused files are never opened. Imports only `findings`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .findings import Finding, Location, error

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest source file read; a review's biggest file (references.bib at 3,000 entries) is ~1.5 MB."""

MAX_HIDDEN_REPORTED = 10
"""Hidden characters reported one by one per file; the rest are counted in one more finding."""

HIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL (tab, newline and CR are fine)
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"  # invisible, bidi
    "\ufff9-\ufffb\ufffe\uffff\ue000-\uf8ff\U000e0000-\U000e007f\U000f0000-\U0010ffff\ud800-\udfff]"  # private, tags
)
"""Characters that are invisible, reorder text (bidi controls), or mean nothing in a text file."""


@dataclass(frozen=True, slots=True)
class ContentTree:
    """The files under content/ that may be read, in a stable order, and what was refused."""

    files: tuple[Path, ...]
    findings: tuple[Finding, ...]


def scan_content(content: Path, root: Path) -> ContentTree:
    """Walk content/ once without following symlinks; refuse links that leave the review
    and symlinked folders (they can loop, and MkDocs follows them)."""
    files: list[Path] = []
    findings: list[Finding] = []
    if not content.is_dir():
        return ContentTree((), ())
    base = root.resolve()
    if not _inside(content.resolve(), base):
        findings.append(
            error("E112", Location(display_path(content, root)), "content/ is a link to a folder outside the review; make it a real folder")
        )
        return ContentTree((), tuple(findings))
    for folder, dirs, names in os.walk(content, followlinks=False):
        here = Path(folder)
        dirs.sort()
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)
                findings.append(
                    error(
                        "E112",
                        Location(display_path(here / name, root)),
                        "symlinked folder is not allowed (it can loop or leave the review); copy the files instead",
                    )
                )
        for name in sorted(names):
            path = here / name
            if path.is_symlink():
                problem = _link_problem(path, base)
                if problem:
                    findings.append(error("E112", Location(display_path(path, root)), problem))
                    continue
            files.append(path)
    return ContentTree(tuple(files), tuple(findings))


def check_link(path: Path, root: Path) -> Finding | None:
    """A located finding when a top-level source file (claims.yaml, references.bib) is a bad symlink."""
    if not path.is_symlink():
        return None
    problem = _link_problem(path, root.resolve())
    return error("E112", Location(display_path(path, root)), problem) if problem else None


def read_text(path: Path, shown: str) -> tuple[str | None, list[Finding]]:
    """Read a UTF-8 file; a located finding instead of a traceback for any failure.

    Hidden characters are reported but the text is still returned, so the rest of the file
    is checked in the same run."""
    data, problems = read_bytes(path, shown)
    return (None, problems) if data is None else decode(data, shown)


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Finding]]:
    """A file's bytes, unless it is too large (E109) or cannot be read (E107)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return None, [
                error("E109", Location(shown), f"file is {size / 1048576:.1f} MB; the limit is {limit} MB: split it into several files")
            ]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [error("E107", Location(shown), f"cannot read file: {exc.strerror or exc}")]


def decode(data: bytes, shown: str) -> tuple[str | None, list[Finding]]:
    """The text of a file's bytes as UTF-8 (a byte-order mark dropped), and its hidden characters."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
        msg = f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        return None, [error("E107", Location(shown, line, col), msg)]
    if data.isascii() and not data.translate(None, _VISIBLE_ASCII):  # most files: no scan needed
        return text, []
    text = text.removeprefix("\ufeff")
    return text, hidden_characters(text, shown)


_VISIBLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
"""The ASCII bytes that `HIDDEN` lets through: a file of only these has no hidden character."""


def hidden_characters(text: str, shown: str) -> list[Finding]:
    """E111 for each hidden character in the text of file `shown` (the first few, then a count)."""
    findings: list[Finding] = []
    count = 0
    for match in HIDDEN.finditer(text):
        count += 1
        if count > MAX_HIDDEN_REPORTED:
            continue
        pos = match.start()
        where = Location(shown, text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos))
        findings.append(error("E111", where, f"{describe(match.group())} is not allowed: it is invisible or can reorder text; delete it"))
    if count > MAX_HIDDEN_REPORTED:
        findings.append(error("E111", Location(shown), f"{count - MAX_HIDDEN_REPORTED} more hidden characters in this file"))
    return findings


def describe(char: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`; control characters have no name, so say what they are."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if not name:
        category = unicodedata.category(char)
        name = {"Cc": "control character", "Co": "private-use character", "Cs": "lone surrogate"}.get(category, "unassigned character")
    return f"{code} ({name})"


def display_path(file: Path, root: Path) -> str:
    inside, top = str(file), str(root)
    if top not in (".", "") and inside.startswith(top + os.sep) and ".." not in inside:  # the usual case: no lookups
        return inside[len(top) + 1 :].replace(os.sep, "/")
    try:
        rel = os.path.relpath(file, root)
    except ValueError:
        rel = str(file)
    return rel.replace(os.sep, "/")


def _link_problem(path: Path, base: Path) -> str | None:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken or looping symlink; replace it with the file itself"
    if not _inside(target, base):
        return "symlink to a file outside the review is not allowed; copy the file into the review instead"
    if not target.is_file():
        return "symlink to something that is not a file; replace it with the file itself"
    return None


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents
