"""Every YAML file in the repository names its schema in a modeline and validates against it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import REPO

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.M)
REVIEW_YAML = sorted([REPO / "claims.yaml", *(REPO / "content").glob("*/*.yaml")])


def test_there_are_review_files() -> None:
    assert len(REVIEW_YAML) > 100


@pytest.mark.parametrize("path", REVIEW_YAML, ids=lambda p: p.relative_to(REPO).as_posix())
def test_file_names_its_schema_and_validates(path: Path) -> None:
    text = path.read_text("utf-8")
    match = MODELINE.search(text.split("\n", 1)[0])
    assert match, "the first line must be a yaml-language-server modeline"
    schema_path = (path.parent / match.group(1)).resolve()
    expected = "studies" if path.parent.name == "studies" else "claims" if path.name == "claims.yaml" else "topic"
    assert schema_path == REPO / "hooks" / "evidence" / "schema" / f"{expected}.schema.json"
    schema = json.loads(schema_path.read_text("utf-8"))
    errors = list(Draft202012Validator(schema).iter_errors(yaml.safe_load(text)))
    assert errors == []


@pytest.mark.parametrize("name", ["claims", "topic", "studies"])
def test_schemas_are_valid_and_document_every_field(name: str) -> None:
    schema = json.loads((REPO / "hooks" / "evidence" / "schema" / f"{name}.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    undocumented = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for field, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    undocumented.append(f"{where}.{field}")
            for key, sub in node.items():
                walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema, name)
    assert undocumented == [], "editors show these descriptions on hover"
