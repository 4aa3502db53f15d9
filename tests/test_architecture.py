"""Imports point one way: load -> validate -> model -> render -> glue; check never needs Jinja or MkDocs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "hooks" / "evidence"

ALLOWED = {
    "findings": set(),
    "files": {"findings"},
    "load": {"files", "findings"},
    "bibscan": set(),
    "bibfile": {"bibscan", "findings"},
    "latex": set(),
    "mdsafe": set(),
    "citations": set(),
    "rawhtml": {"citations", "findings"},
    "model": {"findings"},
    "schema": {"findings", "load"},
    "references": {"bibfile", "findings", "latex", "model"},
    "changes": {"findings", "load", "mdsafe", "model"},
    "effects": {"findings", "load", "model"},
    "validate": {"changes", "effects", "findings", "load", "model", "schema", "mdsafe"},
    "parsecache": {"bibfile", "files", "findings", "load", "model", "references"},
    "sources": {"bibfile", "citations", "files", "findings", "load", "model", "parsecache", "rawhtml", "references", "validate"},
    "names": set(),
    "bibformat": {"latex", "model", "names"},
    "exports": {"latex", "model", "names"},
    "jsonld": {"citations", "exports", "model"},
    "links": {"mdsafe", "model"},
    "citing": {"bibformat", "citations", "links", "mdsafe", "model"},
    "reuse": {"citations", "model"},
    "render": {
        "bibformat",
        "changes",
        "citations",
        "citing",
        "evidence_map",
        "exports",
        "jsonld",
        "links",
        "mdsafe",
        "model",
        "plots",
        "reuse",
        "timeline",
    },
    "diff": {"findings", "model", "sources"},
    "cli": {"diff", "files", "findings", "parsecache", "scaffold", "sources"},
    "scaffold": {"files", "load", "sources", "validate"},
    "glue": {"exports", "findings", "history", "jsonld", "links", "model", "parsecache", "rawhtml", "render", "reuse", "schema", "sources"},
    "history": {"model"},
    "__init__": set(),
    "__main__": {"cli"},
    "svg": set(),
    "evidence_map": {"citations", "model"},
    "timeline": {"exports", "mdsafe", "model", "svg"},
    "plots": {"model", "svg"},
}
THIRD_PARTY_ONLY_IN = {"mkdocs": {"glue"}, "nh3": {"glue"}, "jinja2": {"render"}, "markupsafe": {"render", "mdsafe"}}


def imports(module: str) -> tuple[set[str], set[str]]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text("utf-8"))
    ours, theirs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                ours.update([node.module] if node.module else [a.name for a in node.names])
            elif node.module:
                theirs.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            theirs.update(a.name.split(".")[0] for a in node.names)
    return ours, theirs


def test_every_module_is_listed() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_module_imports_only_what_it_may(module: str) -> None:
    ours, theirs = imports(module)
    assert ours <= ALLOWED[module], f"{module} imports {sorted(ours - ALLOWED[module])}"
    for lib, users in THIRD_PARTY_ONLY_IN.items():
        if lib in theirs:
            assert module in users, f"{module} must not import {lib}"


def test_check_command_never_loads_jinja_or_mkdocs() -> None:
    import subprocess
    import sys

    code = (
        "import sys, evidence.cli; print(sorted(m for m in ('jinja2', 'mkdocs', 'evidence.render', 'evidence.glue') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_modules_stay_small(module: str) -> None:
    assert len((PACKAGE / f"{module}.py").read_text("utf-8").splitlines()) <= 400
