"""`evidence diff`: claim-by-claim changes between two reviews, as Markdown and JSON, from folders or git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_site
from evidence.cli import main
from evidence.diff import MARKER, ReviewDiff, diff_reviews, to_json, to_markdown
from evidence.model import Corpus
from evidence.sources import load_review

C = "content/conditions/example-disease.yaml"
M = "content/mechanisms/example-pathway.yaml"
BIB = "references.bib"
SPARE = "\n@misc{spare2022,\n  title = {Spare},\n  year = {2022},\n}\n"
NEW_CLAIMS = """\
  - id: example-pathway-rats
    statement: Rats given the drug moved more.
    grade: very-low
    why: Preclinical animal work.
    cite: [poe2018mice]
  - id: example-pathway-dogs
    statement: "Dogs: p < 0.05 | see @someone\\nsecond line"
    grade: very-low
    why: Preclinical animal work.
    cite: [poe2018mice]
"""
WEB_CLAIM = "  - id: example-web-claim\n"
TRIAL = "example-trial-benefit"
WEB = "example-web-claim"
DISEASE, PATHWAY = "conditions/example-disease", "mechanisms/example-pathway"
CHANGED_HEAD = ["", "#### Changed claims", "", "| Claim | Change | Before | After |", "|---|---|---|---|"]
ADDED_ROWS = [
    "| `example-pathway-dogs` | `mechanisms/example-pathway` | very-low | Dogs: p &lt; 0.05 \\| see @&#8203;someone<br>second line |",
    "| `example-pathway-rats` | `mechanisms/example-pathway` | very-low | Rats given the drug moved more. |",
]
CLAIMS_TABLE = ["| Claim | Topic | Grade | Statement |", "|---|---|---|---|"]
ADDED_JSON = [
    {
        "id": "example-pathway-dogs",
        "topic": PATHWAY,
        "grade": "very-low",
        "verdict": None,
        "statement": "Dogs: p < 0.05 | see @someone\nsecond line",
        "cites": ["poe2018mice"],
    },
    {
        "id": "example-pathway-rats",
        "topic": PATHWAY,
        "grade": "very-low",
        "verdict": None,
        "statement": "Rats given the drug moved more.",
        "cites": ["poe2018mice"],
    },
]
REFS_HEAD = ["", "#### References", "", "| Reference | Change | Title |", "|---|---|---|"]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `old` by `new` once in one file of one side ("base" or "head"); old "" appends."""

    side: str
    path: str
    old: str
    new: str


def head(path: str, old: str, new: str) -> Edit:
    return Edit("head", path, old, new)


def apply(root: Path, edit: Edit) -> None:
    file = root / edit.path
    text = file.read_text("utf-8")
    if edit.old:
        assert text.count(edit.old) == 1, f"{edit.old!r} must occur once in {edit.path}"
        text = text.replace(edit.old, edit.new)
    else:
        text += edit.new
    file.write_text(text, "utf-8")


def move_web_claim(root: Path) -> None:
    """Cut example-web-claim (the last claim of the condition) and append it to the mechanism."""
    condition, mechanism = root / C, root / M
    kept, moved = condition.read_text("utf-8").split(WEB_CLAIM)
    condition.write_text(kept, "utf-8")
    mechanism.write_text(mechanism.read_text("utf-8") + WEB_CLAIM + moved, "utf-8")


def sides(tmp_path: Path, *edits: Edit) -> tuple[Path, Path]:
    base, new = copy_site("basic", tmp_path / "base"), copy_site("basic", tmp_path / "head")
    for edit in edits:
        apply(base if edit.side == "base" else new, edit)
    return base, new


def corpus(root: Path, errors: int = 0) -> Corpus:
    loaded = load_review(root)
    assert len(loaded.errors) == errors, loaded.errors
    assert loaded.corpus is not None
    return loaded.corpus


def diff_of(base: Path, new: Path) -> ReviewDiff:
    return diff_reviews(corpus(base), corpus(new))


def diff_json(d: ReviewDiff) -> dict[str, object]:
    data: dict[str, object] = json.loads(to_json(d))
    assert list(data) == ["base", "head", "summary", "added", "removed", "changed", "references_added", "references_removed"]
    return data


def grade_change(old: str, new: str, direction: str) -> dict[str, object]:
    return {"grade": {"old": old, "new": new, "direction": direction}}


CASES: dict[str, tuple[list[Edit], list[str], dict[str, object]]] = {
    "grade raised": (
        [head(C, "grade: low", "grade: high")],
        [
            "0 claims added, 0 removed, 1 changed: 1 grade raised; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-trial-benefit` | **⬆ grade raised** | low | high |",
        ],
        {"changed": [{"id": TRIAL, "topic": DISEASE, "changes": grade_change("low", "high", "raised")}]},
    ),
    "grade lowered": (
        [head(C, "grade: low", "grade: very-low")],
        [
            "0 claims added, 0 removed, 1 changed: 1 grade lowered; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-trial-benefit` | ⬇ grade lowered | low | very-low |",
        ],
        {"changed": [{"id": TRIAL, "topic": DISEASE, "changes": grade_change("low", "very-low", "lowered")}]},
    ),
    "verdict changed": (
        [head(C, "verdict: overstated", "verdict: supported")],
        [
            "0 claims added, 0 removed, 1 changed: 1 verdict changed; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-web-claim` | verdict changed | overstated | supported |",
        ],
        {"changed": [{"id": WEB, "topic": DISEASE, "changes": {"verdict": {"old": "overstated", "new": "supported"}}}]},
    ),
    "citation added": (
        [head(C, "cite: [roe2019case]\n", "cite: [roe2019case, poe2018mice]\n")],
        [
            "0 claims added, 0 removed, 1 changed: 1 citation list changed; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-web-claim` | citations +`poe2018mice` | `roe2019case` | `roe2019case`, `poe2018mice` |",
        ],
        {
            "changed": [
                {
                    "id": WEB,
                    "topic": DISEASE,
                    "changes": {
                        "citations": {
                            "old": ["roe2019case"],
                            "new": ["roe2019case", "poe2018mice"],
                            "added": ["poe2018mice"],
                            "removed": [],
                        }
                    },
                }
            ]
        },
    ),
    "citation removed": (
        [head(C, "cite: [doe2020trial, {key: roe2019case, locator: Table 2}]", "cite: [doe2020trial]")],
        [
            "0 claims added, 0 removed, 1 changed: 1 citation list changed; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-trial-benefit` | citations −`roe2019case` | `doe2020trial`, `roe2019case` | `doe2020trial` |",
        ],
        {
            "changed": [
                {
                    "id": TRIAL,
                    "topic": DISEASE,
                    "changes": {
                        "citations": {
                            "old": ["doe2020trial", "roe2019case"],
                            "new": ["doe2020trial"],
                            "added": [],
                            "removed": ["roe2019case"],
                        }
                    },
                }
            ]
        },
    ),
    "statement reworded": (
        [head(C, "the drug versus 40%", "the drug and 40%")],
        [
            "0 claims added, 0 removed, 1 changed: 1 statement reworded; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-trial-benefit` | statement reworded"
            " | In a 12-week trial of 40 adults, 80% on the drug <del>versus</del> 40% on placebo improved."
            " | In a 12-week trial of 40 adults, 80% on the drug <ins>and</ins> 40% on placebo improved. |",
        ],
        {
            "changed": [
                {
                    "id": TRIAL,
                    "topic": DISEASE,
                    "changes": {
                        "statement": {
                            "old": "In a 12-week trial of 40 adults, 80% on the drug versus 40% on placebo improved.",
                            "new": "In a 12-week trial of 40 adults, 80% on the drug and 40% on placebo improved.",
                        }
                    },
                }
            ]
        },
    ),
    "only whitespace of a statement changed": ([head(C, "the drug versus 40%", "the drug  versus   40%")], [], {}),
    "claims added": (
        [head(M, "", NEW_CLAIMS)],
        ["2 claims added, 0 removed, 0 changed; 0 references added, 0 removed.", "", "#### Added claims", "", *CLAIMS_TABLE, *ADDED_ROWS],
        {"added": ADDED_JSON},
    ),
    "claims removed": (
        [Edit("base", M, "", NEW_CLAIMS)],
        ["0 claims added, 2 removed, 0 changed; 0 references added, 0 removed.", "", "#### Removed claims", "", *CLAIMS_TABLE, *ADDED_ROWS],
        {"removed": ADDED_JSON},
    ),
    "reference added": (
        [head(BIB, "", SPARE)],
        ["0 claims added, 0 removed, 0 changed; 1 reference added, 0 removed.", *REFS_HEAD, "| `spare2022` | added | Spare |"],
        {"references_added": [{"key": "spare2022", "title": "Spare"}]},
    ),
    "reference removed": (
        [Edit("base", BIB, "", SPARE)],
        ["0 claims added, 0 removed, 0 changed; 0 references added, 1 removed.", *REFS_HEAD, "| `spare2022` | removed | Spare |"],
        {"references_removed": [{"key": "spare2022", "title": "Spare"}]},
    ),
    "several changes, sorted by claim id": (
        [head(C, "verdict: overstated", "verdict: supported"), head(C, "grade: low", "grade: high"), head(C, "80% on", "75% on")],
        [
            "0 claims added, 0 removed, 2 changed: 1 grade raised, 1 verdict changed, 1 statement reworded; 0 references added, 0 removed.",
            *CHANGED_HEAD,
            "| `example-trial-benefit` | **⬆ grade raised** | low | high |",
            "| `example-trial-benefit` | statement reworded"
            " | In a 12-week trial of 40 adults, <del>80%</del> on the drug versus 40% on placebo improved."
            " | In a 12-week trial of 40 adults, <ins>75%</ins> on the drug versus 40% on placebo improved. |",
            "| `example-web-claim` | verdict changed | overstated | supported |",
        ],
        {
            "changed": [
                {
                    "id": TRIAL,
                    "topic": DISEASE,
                    "changes": {
                        **grade_change("low", "high", "raised"),
                        "statement": {
                            "old": "In a 12-week trial of 40 adults, 80% on the drug versus 40% on placebo improved.",
                            "new": "In a 12-week trial of 40 adults, 75% on the drug versus 40% on placebo improved.",
                        },
                    },
                },
                {"id": WEB, "topic": DISEASE, "changes": {"verdict": {"old": "overstated", "new": "supported"}}},
            ]
        },
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_diff(tmp_path: Path, name: str) -> None:
    edits, body, expected = CASES[name]
    d = diff_of(*sides(tmp_path, *edits))
    lines = to_markdown(d).splitlines()
    assert lines[:3] == [MARKER, "### Evidence diff: base → head", ""]
    assert lines[3:] == (body or ["No change to claims or references."])
    data = diff_json(d)
    empty: dict[str, object] = {"added": [], "removed": [], "changed": [], "references_added": [], "references_removed": []}
    assert {k: data[k] for k in empty} == {**empty, **expected}
    assert data["summary"] == lines[3]


def test_topic_moved(tmp_path: Path) -> None:
    base, new = sides(tmp_path)
    move_web_claim(new)
    d = diff_of(base, new)
    assert to_markdown(d).splitlines()[3:] == [
        "0 claims added, 0 removed, 1 changed: 1 topic moved; 0 references added, 0 removed.",
        *CHANGED_HEAD,
        "| `example-web-claim` | topic moved | `conditions/example-disease` | `mechanisms/example-pathway` |",
    ]
    assert diff_json(d)["changed"] == [{"id": WEB, "topic": PATHWAY, "changes": {"topic": {"old": DISEASE, "new": PATHWAY}}}]


def test_grade_outside_the_scale_is_changed_not_ranked(tmp_path: Path) -> None:
    base, new = sides(tmp_path, head(C, "grade: low", "grade: lo"))
    d = diff_reviews(corpus(base), corpus(new, errors=1))
    assert to_markdown(d).splitlines()[3:] == [
        "0 claims added, 0 removed, 1 changed: 1 grade changed; 0 references added, 0 removed.",
        *CHANGED_HEAD,
        "| `example-trial-benefit` | grade changed | low | lo |",
    ]


def test_missing_side_counts_as_empty(tmp_path: Path) -> None:
    review = corpus(copy_site("basic", tmp_path))
    added, removed = diff_reviews(None, review), diff_reviews(review, None)
    assert [c.id for c in added.added] == ["example-pathway-mice", TRIAL, WEB]
    assert [r.key for r in added.references_added] == ["doe2020trial", "poe2018mice", "roe2019case", "web2021page"]
    assert [c.id for c in removed.removed] == [c.id for c in added.added]
    assert to_markdown(removed).splitlines()[3] == "0 claims added, 3 removed, 0 changed; 0 references added, 4 removed."
    assert to_markdown(diff_reviews(None, None)).splitlines()[3] == "No change to claims or references."


# ---- The command: two folders --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_two_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = sides(tmp_path, head(C, "grade: low", "grade: high"), head(BIB, "", SPARE))
    code, out, err = run(capsys, "diff", str(base), str(new))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        MARKER,
        f"### Evidence diff: {base} → {new}",
        "",
        "0 claims added, 0 removed, 1 changed: 1 grade raised; 1 reference added, 0 removed.",
        *CHANGED_HEAD,
        "| `example-trial-benefit` | **⬆ grade raised** | low | high |",
        *REFS_HEAD,
        "| `spare2022` | added | Spare |",
    ]
    code, out, err = run(capsys, "diff", str(base), str(base), "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "base": {"label": str(base), "errors": 0, "loaded": True},
        "head": {"label": str(base), "errors": 0, "loaded": True},
        "summary": "No change to claims or references.",
        "added": [],
        "removed": [],
        "changed": [],
        "references_added": [],
        "references_removed": [],
    }


def test_errors_on_either_side_are_counted_at_the_top(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, new = sides(tmp_path, head(C, "grade: low", "grade: lo"), Edit("base", "claims.yaml", "grades:", "gradez:"))
    code, out, err = run(capsys, "diff", str(base), str(new))
    assert (code, err) == (0, "")
    assert out.splitlines()[2:7] == [
        "",
        "3 claims added, 0 removed, 0 changed; 4 references added, 0 removed.",
        "",
        "> ⚠️ base has 2 errors and could not be read (its claims count as absent); head has 1 error."
        " Only what loaded is compared; run `evidence check` for details.",
        "",
    ]
    code, out, _ = run(capsys, "diff", str(base), str(new), "--format", "json")
    data = json.loads(out)
    assert (data["base"]["errors"], data["base"]["loaded"], data["head"]["errors"], data["head"]["loaded"]) == (2, False, 1, True)


def test_default_head_is_the_working_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    base, new = sides(tmp_path, head(C, "grade: low", "grade: very-low"))
    monkeypatch.chdir(new)
    code, out, _ = run(capsys, "diff", str(base))
    assert code == 0
    assert out.splitlines()[1] == f"### Evidence diff: {base} → working tree"
    assert "| `example-trial-benefit` | ⬇ grade lowered | low | very-low |" in out.splitlines()


# ---- The command: git revisions ------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env |= {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in (("NAME", "Test"), ("EMAIL", "t@example.org"))}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    return root


@pytest.mark.parametrize("where", ["", "docs/review"])
def test_git_revisions(repo: Path, where: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A review at the top of a repository or in a folder of it: revisions are read at the same place."""
    review = repo / where
    review.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(copy_site("basic", repo.parent / "copy"), review, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "basic site")
    apply(review, head(C, "grade: low", "grade: high"))
    git(repo, "commit", "-q", "-am", "raise a grade")
    monkeypatch.chdir(review)
    code, out, err = run(capsys, "diff", "HEAD~1", "HEAD", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    first, second = (git(repo, "rev-parse", "--short=7", rev).strip() for rev in ("HEAD~1", "HEAD"))
    assert data == {
        "base": {"label": f"HEAD~1 ({first})", "errors": 0, "loaded": True},
        "head": {"label": f"HEAD ({second})", "errors": 0, "loaded": True},
        "summary": "0 claims added, 0 removed, 1 changed: 1 grade raised; 0 references added, 0 removed.",
        "added": [],
        "removed": [],
        "changed": [{"id": TRIAL, "topic": DISEASE, "changes": grade_change("low", "high", "raised")}],
        "references_added": [],
        "references_removed": [],
    }
    code, out, err = run(capsys, "diff", "HEAD~1", "HEAD")
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [
        f"### Evidence diff: HEAD~1 ({first}) → HEAD ({second})",
        "",
        "0 claims added, 0 removed, 1 changed: 1 grade raised; 0 references added, 0 removed.",
        *CHANGED_HEAD,
        "| `example-trial-benefit` | **⬆ grade raised** | low | high |",
    ]
    apply(review, head(C, "verdict: overstated", "verdict: supported"))  # uncommitted: only the working tree has it
    code, out, _ = run(capsys, "diff", "HEAD")
    assert out.splitlines()[3:] == [
        "0 claims added, 0 removed, 1 changed: 1 verdict changed; 0 references added, 0 removed.",
        *CHANGED_HEAD,
        "| `example-web-claim` | verdict changed | overstated | supported |",
    ]


def test_revision_without_the_review_counts_as_empty(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "README").write_text("empty\n", "utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    shutil.copytree(copy_site("basic", repo.parent / "copy"), repo, dirs_exist_ok=True)
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "diff", "HEAD")
    assert code == 0
    assert out.splitlines()[3] == "3 claims added, 0 removed, 0 changed; 4 references added, 0 removed."
    assert out.splitlines()[5].startswith("> ⚠️ base has 1 error and could not be read")


# ---- Usage errors: one line on stderr, exit 2 ----------------------------------------------------


def test_unknown_revision(repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(copy_site("basic", repo.parent / "copy"), repo, dirs_exist_ok=True)
    monkeypatch.chdir(repo)
    message = "evidence: nosuchref: no such folder, and not a git revision of the repository here\n"
    assert run(capsys, "diff", "nosuchref") == (2, "", message)
    assert run(capsys, "diff", "HEAD") == (2, "", message.replace("nosuchref", "HEAD"))  # no commit yet


def test_missing_folder_outside_git(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    missing = tmp_path / "nope"
    expected = f"evidence: {missing}: no such folder, and not a git revision of the repository here\n"
    assert run(capsys, "diff", str(missing), str(copy_site("basic", tmp_path))) == (2, "", expected)


def test_folder_without_claims_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    site = str(copy_site("basic", tmp_path))
    expected = f"evidence: {tmp_path}: no claims.yaml here; pass the folder that holds the review\n"
    assert run(capsys, "diff", site, str(tmp_path)) == (2, "", expected)
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "diff", site) == (2, "", "evidence: .: no claims.yaml here; pass the folder that holds the review\n")


def test_missing_base_is_an_argparse_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["diff"])
    assert exit_info.value.code == 2
    assert "the following arguments are required: BASE" in capsys.readouterr().err
