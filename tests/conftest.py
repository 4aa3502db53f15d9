"""Shared fixtures: scenario review folders, in-process strict MkDocs builds, golden files."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "sites"
HOOK = REPO / "hooks" / "evidence_hooks.py"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def copy_site(name: str, dest: Path) -> Path:
    """Copy tests/sites/<name> to dest, pointing its mkdocs.yml at this repository's hook."""
    root = dest / name
    shutil.copytree(SITES / name, root)
    config = root / "mkdocs.yml"
    text = config.read_text("utf-8").replace("../../../hooks/evidence_hooks.py", HOOK.as_posix())
    config.write_text(text, "utf-8")
    return root


@pytest.fixture
def site_copy(tmp_path: Path) -> Callable[[str], Path]:
    return lambda name: copy_site(name, tmp_path)


@dataclass
class BuildResult:
    ok: bool
    site: Path
    messages: list[str]
    """Every log line from the mkdocs logger tree at WARNING or above, as LEVEL:message."""


def build_site(root: Path, site_dir: Path, caplog: pytest.LogCaptureFixture) -> BuildResult:
    """Build in-process with --strict, like `mkdocs build --strict`, and collect its log."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    caplog.clear()
    ok = True
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        try:
            build(config)
        except Abort:
            ok = False
    messages = [f"{r.levelname}:{r.getMessage()}" for r in caplog.records if r.name.startswith("mkdocs") and r.levelno >= logging.WARNING]
    return BuildResult(ok, site_dir, messages)


@pytest.fixture
def build(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Callable[[Path], BuildResult]:
    counter = iter(range(1000))
    return lambda root: build_site(root, tmp_path / f"site{next(counter)}", caplog)
