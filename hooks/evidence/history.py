"""Commit history of the review's files, read with one `git log` for the whole repository.

Only the site build reads it; `evidence check` never needs git. Files are followed through
renames, dates are commit dates (an unchanged repository builds the same pages on any day),
and every problem (no git, not a repository, a shallow clone, git failing) gives an empty
history with a note saying why, never an error: the editors' `changes` lists still show.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .model import Change, History

CONTENT = "content"
TIMEOUT = 120
_FORMAT = "%x1e%H%x1f%cs%x1f%s"

NO_GIT = "Commit history is not shown: git is not installed, or this copy of the review is not a git repository."
SHALLOW = "Commit history is not shown: this is a shallow clone. Build from a full clone (fetch-depth: 0) to list commits."
FAILED = "Commit history is not shown: git log failed."


def read_history(root: Path, folder: str = CONTENT) -> History:
    """Every commit that touched a file under `folder` of the review at `root`, by file."""
    shallow = _git(root, "rev-parse", "--is-shallow-repository")
    if shallow is None:
        return History(note=NO_GIT)
    if shallow.strip() != "false":
        return History(note=SHALLOW)
    log = _git(
        root,
        "-c",
        "log.follow=false",
        "-c",
        "log.showSignature=false",
        "log",
        "--relative",
        "--find-renames",
        "--name-status",
        "-z",
        f"--format={_FORMAT}",
        "--",
        folder,
    )
    if log is None:
        return History(note=FAILED)
    return History(parse_log(log))


def parse_log(output: str) -> dict[str, tuple[Change, ...]]:
    """`git log -z --name-status` output, newest commit first, to the commits of each file.

    Files are keyed by their newest path: walking back in time, a rename sends the older
    path's commits to the file it became."""
    became: dict[str, str] = {}
    commits: dict[str, list[Change]] = {}
    for record in output.split("\x1e")[1:]:
        header, _, body = record.partition("\0")
        fields = header.split("\x1f", 2)
        if len(fields) != 3:
            continue
        sha, date, subject = fields
        change = Change(date.strip(), " ".join(subject.split()), commit=sha.strip())
        touched: list[str] = []
        tokens = body.lstrip("\n").split("\0")
        i = 0
        while i < len(tokens):
            status = tokens[i].strip()
            if not status:
                i += 1
                continue
            if status[0] in "RC" and i + 2 < len(tokens):
                old, new = tokens[i + 1], tokens[i + 2]
                now = became.get(new, new)
                touched.append(now)
                if status[0] == "R":
                    became[old] = now
                i += 3
            elif i + 1 < len(tokens):
                touched.append(became.get(tokens[i + 1], tokens[i + 1]))
                i += 2
            else:
                break
        for path in dict.fromkeys(touched):
            commits.setdefault(path, []).append(change)
    return {path: tuple(changes) for path, changes in commits.items()}


def _git(root: Path, *args: str) -> str | None:
    """Output of git run in `root` (no shell, no pager, no prompts), or None if it failed."""
    env = {**os.environ, "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, timeout=TIMEOUT, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")
