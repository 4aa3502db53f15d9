"""`evidence new`: scaffold a topic file or a claim without disturbing what is already written.

A new claim is inserted as text after the last claim of its topic, so comments and layout stay
as they are; the result is parsed again before anything is written. Placeholders start with
"TODO" and the checker refuses them (E413) until they are filled in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .files import display_path
from .load import YamlDoc, load_yaml, parse_yaml
from .sources import CONTENT_DIR, load_review
from .validate import PLACEHOLDER

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


class ScaffoldError(Exception):
    """A request that cannot be carried out; the message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class Scaffolded:
    path: Path
    line: int
    """Line of the new topic or claim, for the message that points the contributor at it."""


def new_topic(root: Path, topic_id: str, title: str) -> Scaffolded:
    kind, slug = _split_topic(topic_id)
    loaded = load_review(root)
    if loaded.corpus is None:
        raise ScaffoldError("claims.yaml has errors; run `evidence check` and fix them first")
    kinds = [k.id for k in loaded.corpus.review.kinds]
    if kind not in kinds:
        raise ScaffoldError(f"unknown topic kind '{kind}'; claims.yaml defines: {', '.join(kinds)}")
    if "\n" in title or "<" in title or ">" in title or not title.strip():
        raise ScaffoldError("the title must be one line of plain text without < or >")
    path = root / CONTENT_DIR / kind / f"{slug}.yaml"
    if path.exists():
        raise ScaffoldError(f"{display_path(path, root)} already exists")
    text = (
        "# yaml-language-server: $schema=../../hooks/evidence/schema/topic.schema.json\n"
        f"title: {_quote(title)}\n"
        "summary: >-\n"
        f"  {PLACEHOLDER}: two or three plain sentences a patient can read in ten seconds: what was\n"
        "  studied, the best grade, the direction, and what is unknown. No dosing advice.\n"
        f'reviewed: "{loaded.corpus.review.last_reviewed}"\n'
        "related: []\n"
        "claims: []\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return Scaffolded(path, 2)


def new_claim(root: Path, topic_id: str, claim_id: str) -> Scaffolded:
    kind, slug = _split_topic(topic_id)
    if not _SLUG.match(claim_id):
        raise ScaffoldError(f"'{claim_id}' is not a valid claim id: use lowercase letters, digits and single hyphens")
    loaded = load_review(root)
    if loaded.corpus is None:
        raise ScaffoldError("claims.yaml has errors; run `evidence check` and fix them first")
    existing = loaded.corpus.claim_by_id.get(claim_id)
    if existing is not None:
        raise ScaffoldError(f"claim id '{claim_id}' is already used at {existing.location}")
    path = root / CONTENT_DIR / kind / f"{slug}.yaml"
    if not path.is_file():
        raise ScaffoldError(f"no topic {topic_id}; create it with `evidence new topic {topic_id} --title ...`")
    doc, problems = load_yaml(path, display_path(path, root))
    if problems or not isinstance(doc.data, dict):
        raise ScaffoldError(f"{doc.path} has YAML errors; run `evidence check` and fix them first")
    grades = [g.id for g in loaded.corpus.review.grades]
    placeholder_grade = grades[-2] if len(grades) > 1 else grades[0]
    text = path.read_text("utf-8")
    new_text, line = _insert_claim(text, doc, claim_id, placeholder_grade)
    _, after = parse_yaml(new_text, doc.path)
    if after:
        raise ScaffoldError(f"could not add the claim to {doc.path} without breaking it; add it by hand")
    path.write_text(new_text, "utf-8")
    return Scaffolded(path, line)


def _insert_claim(text: str, doc: YamlDoc, claim_id: str, grade: str) -> tuple[str, int]:
    data = doc.data
    assert isinstance(data, dict)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    claims = data.get("claims")
    if isinstance(claims, list) and claims:
        indent = " " * (doc.values[("claims", 0)][1] - 3)
        start = doc.values[("claims",)][0]
        end = next((i for i in range(start, len(lines)) if _TOP_LEVEL_KEY.match(lines[i])), len(lines))
        while end > start and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1  # blank lines and top-level comments after the list stay after it
        block = _claim_block(indent, claim_id, grade)
        lines[end:end] = block
        return "".join(lines), end + 1
    if "claims" in data:
        where = doc.values[("claims",)][0] - 1
        key_line = next(i for i in range(where, -1, -1) if lines[i].startswith("claims"))
        lines[key_line] = "claims:\n"
        insert_at = key_line + 1
        lines[insert_at:insert_at] = _claim_block("  ", claim_id, grade)
        return "".join(lines), insert_at + 1
    lines.append("claims:\n")
    lines.extend(_claim_block("  ", claim_id, grade))
    return "".join(lines), len(lines) - 8


def _claim_block(indent: str, claim_id: str, grade: str) -> list[str]:
    body = indent + "  "
    return [
        f"{indent}- id: {claim_id}\n",
        f"{body}statement: >-\n",
        f"{body}  {PLACEHOLDER}: one finding in one or two sentences: who, what dose, how long,\n",
        f"{body}  compared with what, measured how, how many.\n",
        f"{body}grade: {grade}  # {PLACEHOLDER}: check against the cited designs\n",
        f"{body}why: >-\n",
        f"{body}  {PLACEHOLDER}: the starting level and each domain that lowered it.\n",
        f"{body}cite: [{PLACEHOLDER}]\n",
    ]


def _split_topic(topic_id: str) -> tuple[str, str]:
    kind, _, slug = topic_id.partition("/")
    if not (_SLUG.match(kind) and _SLUG.match(slug)):
        raise ScaffoldError(f"'{topic_id}' is not a topic id: write kind/slug, for example conditions/crohns-disease")
    return kind, slug


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
