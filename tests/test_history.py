"""Change history: editors' `changes` lists (checked), commits read from git, topic pages and the changelog."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SITES, BuildResult
from evidence.findings import sort_findings
from evidence.history import NO_GIT, SHALLOW, parse_log, read_history
from evidence.model import Change, History
from evidence.render import CHANGELOG_PAGE, HISTORY_LIMIT, Renderer
from evidence.sources import load_review

TOPIC = "content/conditions/example-disease.yaml"
PATHWAY = "content/mechanisms/example-pathway.yaml"
BASE = len((SITES / "basic" / TOPIC).read_text("utf-8").splitlines())
"""Lines of the scenario topic file; the notes below are appended after them."""
NOTES = """changes:
  - date: "2026-01-01"
    summary: Lowered the trial's grade to *low* for imprecision.
  - date: "2025-06-30"
    summary: First version of this topic.
"""


def git(root: Path, *args: str, date: str = "2001-02-03T04:05:06+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(root.parent),
    }
    done = subprocess.run(["git", "-C", str(root), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout


def commit(root: Path, message: str, date: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, date=date)


@pytest.fixture
def noted(site_copy: Callable[[str], Path]) -> Path:
    """The basic scenario review, its example disease with two editors' notes (lines BASE+1 to BASE+5)."""
    root = site_copy("basic")
    with (root / TOPIC).open("a", encoding="utf-8") as f:
        f.write(NOTES)
    return root


@pytest.fixture
def repo(site_copy: Callable[[str], Path]) -> Path:
    """The basic scenario review as a git repository with three dated commits."""
    root = site_copy("basic")
    git(root, "init", "-q", "-b", "main")
    commit(root, "Start the review", "2001-02-03T10:00:00+00:00")
    with (root / TOPIC).open("a", encoding="utf-8") as f:
        f.write("aliases: [Example illness]\n")
    commit(root, "Add an alias to the example disease", "2002-03-04T10:00:00+00:00")
    (root / "claims.yaml").write_text((root / "claims.yaml").read_text("utf-8") + "\n", "utf-8")
    commit(root, "Touch only claims.yaml", "2003-04-05T10:00:00+00:00")
    return root


# ---- Reading git ---------------------------------------------------------------------------


def test_one_log_gives_each_topic_file_its_commits_newest_first_with_commit_dates(repo: Path) -> None:
    history = read_history(repo)
    assert history.note is None
    topic = [(c.date, c.summary) for c in history.commits[TOPIC]]
    assert topic == [("2002-03-04", "Add an alias to the example disease"), ("2001-02-03", "Start the review")]
    assert [c.summary for c in history.commits[PATHWAY]] == ["Start the review"]
    assert all(re.fullmatch("[0-9a-f]{40}", c.commit or "") for c in history.commits[TOPIC])
    assert not any(path == "claims.yaml" for path in history.commits), "only files under content/ are read"


def test_a_renamed_topic_keeps_the_commits_of_its_old_name(repo: Path) -> None:
    new = "content/conditions/renamed-disease.yaml"
    git(repo, "mv", TOPIC, new)
    commit(repo, "Rename the example disease", "2004-05-06T10:00:00+00:00")
    commits = read_history(repo).commits
    assert TOPIC not in commits
    assert [c.date for c in commits[new]] == ["2004-05-06", "2002-03-04", "2001-02-03"]


def test_parse_log_follows_a_chain_of_renames() -> None:
    def record(sha: str, date: str, subject: str, *entries: str) -> str:
        return f"\x1e{sha}\x1f{date}\x1f{subject}\0\n" + "".join(e + "\0" for e in entries)

    output = (
        record("c" * 40, "2024-03-01", "Second rename", "R100", "content/b.yaml", "content/c.yaml")
        + record("b" * 40, "2024-02-01", "First rename", "R090", "content/a.yaml", "content/b.yaml", "M", "content/x.yaml")
        + record("a" * 40, "2024-01-01", "Add  a", "A", "content/a.yaml")
    )
    commits = parse_log(output)
    assert [c.summary for c in commits["content/c.yaml"]] == ["Second rename", "First rename", "Add a"]
    assert [c.commit for c in commits["content/x.yaml"]] == ["b" * 40]
    assert set(commits) == {"content/c.yaml", "content/x.yaml"}


def test_no_repository_gives_an_empty_history_with_a_note(site_copy: Callable[[str], Path]) -> None:
    assert read_history(site_copy("basic")) == History(note=NO_GIT)


def test_missing_git_gives_an_empty_history_with_a_note(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    assert read_history(repo) == History(note=NO_GIT)


def test_a_shallow_clone_is_not_mistaken_for_history(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True, capture_output=True)
    assert read_history(clone) == History(note=SHALLOW)


# ---- Editors' changes lists ----------------------------------------------------------------


def findings_after(root: Path, old: str, new: str) -> list[str]:
    path = root / TOPIC
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    return [f.text() for f in sort_findings(load_review(root).findings)]


def test_changes_are_read_into_the_topic_newest_first(noted: Path) -> None:
    loaded = load_review(noted)
    assert loaded.findings == ()
    assert loaded.corpus is not None
    changes = loaded.corpus.topic_by_id["conditions/example-disease"].changes
    assert [(c.date, c.summary) for c in changes] == [
        ("2026-01-01", "Lowered the trial's grade to *low* for imprecision."),
        ("2025-06-30", "First version of this topic."),
    ]
    assert changes[0].location is not None and changes[0].location.line == BASE + 2


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'date: "2025-06-30"',
            'date: "2025-02-30"',
            [f"{TOPIC}:{BASE + 4}:11: E416 change date 2025-02-30 does not exist in the calendar"],
        ),
        (
            'date: "2025-06-30"',
            'date: "2026-06-30"',
            [
                f"{TOPIC}:{BASE + 4}:11: E417 changes must be listed newest first: "
                f"2026-06-30 comes after 2026-01-01 (line {BASE + 2}); move this entry up"
            ],
        ),
        ('date: "2025-06-30"', 'date: "30/06/2025"', [f"{TOPIC}:{BASE + 4}:11: E204"]),
        ("    summary: First version", "    when: later\n    summary: First version", [f"{TOPIC}:{BASE + 5}:5: E201"]),
        (
            "summary: First version of this topic.",
            "summary: See [here](javascript:alert(1)).",
            [f"{TOPIC}:{BASE + 5}:14: E412 link target 'javascript:alert(1' is not allowed"],
        ),
        (
            "related: [mechanisms/example-pathway]\n",
            'related: [mechanisms/example-pathway]\nreviewed: "2026-13-01"\n',
            [f"{TOPIC}:4:11: E416"],
        ),
    ],
    ids=["not-a-date", "out-of-order", "format", "unknown-field", "unsafe-link", "reviewed-not-a-date"],
)
def test_changes_mistakes_are_located_findings(noted: Path, old: str, new: str, expected: list[str]) -> None:
    found = findings_after(noted, old, new)
    assert len(found) == len(expected), found
    for line, prefix in zip(found, expected, strict=True):
        assert line.startswith(prefix), found


# ---- Pages ---------------------------------------------------------------------------------


def renderer(root: Path, history: History, repository: str | None = None) -> Renderer:
    loaded = load_review(root)
    assert loaded.corpus is not None
    corpus = loaded.corpus
    if repository:
        corpus = dataclasses.replace(corpus, review=dataclasses.replace(corpus.review, repository=repository))
    return Renderer(corpus, history=history)


def section(page: str, heading: str) -> str:
    return page.split(f"## {heading}", 1)[1].split("\n## ", 1)[0].split("\n??? ", 1)[0]


def test_topic_page_merges_notes_and_commits_newest_first_and_escapes_subjects(noted: Path) -> None:
    sha = "0123456789abcdef0123456789abcdef01234567"
    history = History(
        {
            TOPIC: (
                Change("2026-02-01", "Fix <script>alert(1)</script> *typo*", commit=sha),
                Change("2026-01-01", "Same day", commit="f" * 40),
            )
        }
    )
    r = renderer(noted, history, "https://github.com/example/review")
    page = r.topic(r.corpus.topic_by_id["conditions/example-disease"])
    assert "· [last changed 2026-02-01](#change-history)" in page
    assert section(page, "Change history { #change-history }").strip().splitlines() == [
        "- **2026-02-01** · Fix &#60;script&#62;alert(1)&#60;/script&#62; &#42;typo&#42;"
        f" (commit [`0123456`](https://github.com/example/review/commit/{sha}))",
        "- **2026-01-01** · Lowered the trial's grade to *low* for imprecision.",
        f"- **2026-01-01** · Same day (commit [`fffffff`](https://github.com/example/review/commit/{'f' * 40}))",
        "- **2025-06-30** · First version of this topic.",
    ]


def test_topic_page_caps_its_history_and_points_to_the_changelog(noted: Path) -> None:
    commits = tuple(Change(f"2027-01-{d:02d}", f"Edit {d}", commit=f"{d:040x}") for d in range(20, 0, -1))
    r = renderer(noted, History({TOPIC: commits}))
    page = r.topic(r.corpus.topic_by_id["conditions/example-disease"])
    listed = [x for x in section(page, "Change history { #change-history }").splitlines() if x.startswith("- ")]
    assert len(listed) == HISTORY_LIMIT
    assert listed[0].startswith("- **2027-01-20** · Edit 20")
    assert "12 earlier changes are listed in the [changelog](../changelog.md)." in page


def test_without_commits_the_page_says_why() -> None:
    r = renderer(SITES / "basic", History(note=NO_GIT))
    page = r.topic(r.corpus.topic_by_id["mechanisms/example-pathway"])
    body = section(page, "Change history { #change-history }")
    assert "No changes have been recorded for this topic yet." in body
    assert f"{NO_GIT}\n{{: .ev-history-note }}" in body


def test_changelog_groups_by_date_and_lists_every_topic_a_commit_touched(noted: Path) -> None:
    shared = Change("2026-01-01", "Regrade both topics", commit="a" * 40)
    r = renderer(noted, History({TOPIC: (shared,), PATHWAY: (shared, Change("2020-05-05", "Start", commit="b" * 40))}))
    page = r.pages()[CHANGELOG_PAGE]
    assert re.findall(r"^## (\S+)", page, re.M) == ["2026-01-01", "2025-06-30", "2020-05-05"]
    day = section(page, "2026-01-01 { #changes-2026-01-01 }").strip().splitlines()
    assert day == [
        "- Lowered the trial's grade to *low* for imprecision. — [Example disease](conditions/example-disease.md#change-history)",
        "- Regrade both topics (commit `aaaaaaa`) — [Example disease](conditions/example-disease.md#change-history), "
        "[Example pathway](mechanisms/example-pathway.md#change-history)",
    ]


# ---- Builds --------------------------------------------------------------------------------


def test_strict_build_shows_commits_and_a_changelog_in_the_navigation(repo: Path, build: Callable[[Path], BuildResult]) -> None:
    result = build(repo)
    assert result.ok, result.messages
    html = (result.site / "conditions" / "example-disease" / "index.html").read_text("utf-8")
    assert 'id="change-history"' in html
    assert "<strong>2002-03-04</strong> · Add an alias to the example disease" in html
    assert "<strong>2001-02-03</strong> · Start the review" in html
    changelog = (result.site / "changelog" / "index.html").read_text("utf-8")
    assert 'id="changes-2002-03-04"' in changelog
    assert "Touch only claims.yaml" not in changelog
    assert 'href="changelog/"' in (result.site / "index.html").read_text("utf-8")


def test_strict_build_outside_git_still_succeeds_and_says_why(noted: Path, build: Callable[[Path], BuildResult]) -> None:
    result = build(noted)  # a copy in a temporary folder, outside any repository
    assert result.ok, result.messages
    assert result.messages == []
    html = (result.site / "conditions" / "example-disease" / "index.html").read_text("utf-8")
    assert "First version of this topic." in html
    assert "not a git repository" in html


def test_workflows_fetch_full_history_for_the_build() -> None:
    for name in ("check.yml", "deploy.yml"):
        data = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text("utf-8"))
        for job_name, job in data["jobs"].items():
            runs = "\n".join(str(s.get("run", "")) for s in job.get("steps", []))
            if "mkdocs build" not in runs:
                continue
            checkout = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout"))
            assert checkout.get("with", {}).get("fetch-depth") == 0, f"{name}: {job_name}"


def test_the_check_command_never_loads_the_git_reader() -> None:
    code = "import sys, evidence.cli; print('evidence.history' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
