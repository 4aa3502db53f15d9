"""`evidence new`: scaffolds that keep existing text, and placeholders the checker refuses until filled."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from evidence.findings import sort_findings
from evidence.scaffold import ScaffoldError, new_claim, new_topic
from evidence.sources import load_review


def codes(root: Path) -> list[str]:
    return [f"{f.location.path}:{f.location.line} {f.code}" for f in sort_findings(load_review(root).findings)]


CLAIM_TODO = "TODO: one finding in one or two sentences: who, what dose, how long,\n      compared with what, measured how, how many."
WHY_TODO = "TODO: the starting level and each domain that lowered it."
SUMMARY_TODO = (
    "TODO: two or three plain sentences a patient can read in ten seconds: what was\n"
    "  studied, the best grade, the direction, and what is unknown. No dosing advice."
)


def fill(path: Path, replacements: dict[str, str]) -> None:
    text = path.read_text("utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, "utf-8")


def test_new_claim_keeps_comments_and_fails_until_filled(site_copy: Callable[[str], Path]) -> None:
    root = site_copy("basic")
    topic = root / "content" / "conditions" / "example-disease.yaml"
    topic.write_text("# A comment the contributor wrote\n" + topic.read_text("utf-8") + "# trailing note\n", "utf-8")
    before = topic.read_text("utf-8")
    made = new_claim(root, "conditions/example-disease", "example-new-finding")
    after = topic.read_text("utf-8")
    assert after.startswith(before.removesuffix("# trailing note\n"))
    assert after.endswith("# trailing note\n")
    assert after.splitlines()[made.line - 1] == "  - id: example-new-finding"
    assert codes(root) == [
        "content/conditions/example-disease.yaml:22 E413",
        "content/conditions/example-disease.yaml:26 E413",
        "content/conditions/example-disease.yaml:28 E404",
    ]
    fill(
        topic,
        {
            CLAIM_TODO: "A second trial found the same.",
            WHY_TODO: "Starts high; down for imprecision.",
            "cite: [TODO]": "cite: [doe2020trial]",
        },
    )
    assert codes(root) == []


def test_new_claim_in_a_topic_with_an_empty_list_and_keys_after_it(site_copy: Callable[[str], Path]) -> None:
    root = site_copy("basic")
    topic = root / "content" / "mechanisms" / "example-pathway.yaml"
    text = topic.read_text("utf-8")
    claims_at = text.index("claims:")
    topic.write_text(text[:claims_at] + "claims: []\n", "utf-8")
    new_claim(root, "mechanisms/example-pathway", "example-pathway-new")
    data = load_review(root).corpus
    assert data is not None
    assert [c.id for c in data.topic_by_id["mechanisms/example-pathway"].claims] == ["example-pathway-new"]


def test_new_topic_then_claim_passes_check_once_filled(site_copy: Callable[[str], Path]) -> None:
    root = site_copy("basic")
    made = new_topic(root, "conditions/new-condition", "New condition")
    assert made.path == root / "content" / "conditions" / "new-condition.yaml"
    assert codes(root) == ["content/conditions/new-condition.yaml:3 E413"]
    new_claim(root, "conditions/new-condition", "new-condition-trial")
    fill(
        made.path,
        {
            SUMMARY_TODO: "One trial.",
            CLAIM_TODO: "A trial.",
            WHY_TODO: "Starts high; down two.",
            "cite: [TODO]": "cite: [doe2020trial]",
        },
    )
    assert codes(root) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: new_topic(r, "nosuchkind/x", "X"), "unknown topic kind 'nosuchkind'; claims.yaml defines: conditions, mechanisms"),
        (lambda r: new_topic(r, "conditions/example-disease", "X"), "content/conditions/example-disease.yaml already exists"),
        (
            lambda r: new_topic(r, "conditions/Bad Slug", "X"),
            "'conditions/Bad Slug' is not a topic id: write kind/slug, for example conditions/crohns-disease",
        ),
        (lambda r: new_topic(r, "conditions/x", "<b>x</b>"), "the title must be one line of plain text without < or >"),
        (
            lambda r: new_claim(r, "conditions/example-disease", "example-trial-benefit"),
            "claim id 'example-trial-benefit' is already used at content/conditions/example-disease.yaml:5:9",
        ),
        (
            lambda r: new_claim(r, "conditions/missing", "x"),
            "no topic conditions/missing; create it with `evidence new topic conditions/missing --title ...`",
        ),
        (
            lambda r: new_claim(r, "conditions/example-disease", "Not_A_Slug"),
            "'Not_A_Slug' is not a valid claim id: use lowercase letters, digits and single hyphens",
        ),
    ],
)
def test_refusals_say_why(site_copy: Callable[[str], Path], call: Callable[[Path], object], message: str) -> None:
    root = site_copy("basic")
    with pytest.raises(ScaffoldError) as caught:
        call(root)
    assert str(caught.value) == message


def test_new_from_the_command_line(site_copy: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    from evidence.cli import main

    root = site_copy("basic")
    assert main(["new", "topic", "conditions/new-condition", "--title", "New condition", "--path", str(root)]) == 0
    assert capsys.readouterr().out == (
        "content/conditions/new-condition.yaml:2: added topic 'conditions/new-condition'; replace each TODO, then run `evidence check`\n"
    )
    assert main(["new", "claim", "conditions/example-disease", "example-new-finding", "--path", str(root)]) == 0
    assert capsys.readouterr().out == (
        "content/conditions/example-disease.yaml:20: added claim 'example-new-finding'; replace each TODO, then run `evidence check`\n"
    )
    assert main(["new", "claim", "conditions/example-disease", "example-new-finding", "--path", str(root)]) == 2
    assert capsys.readouterr().err == (
        "evidence: claim id 'example-new-finding' is already used at content/conditions/example-disease.yaml:20:9\n"
    )
    assert main(["new", "topic", "conditions/other", "--path", str(root)]) == 2
    assert capsys.readouterr().err == "evidence: usage: evidence new topic KIND/SLUG --title TITLE\n"
