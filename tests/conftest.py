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


@pytest.fixture(autouse=True, scope="session")
def _private_parse_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """`evidence check` keeps parses in the user's cache folder; tests keep theirs apart."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


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


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname}:{record.getMessage()}")


def build_site(root: Path, site_dir: Path) -> BuildResult:
    """Build in-process with --strict, like `mkdocs build --strict`, and collect its log."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    ok = True
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        build(config)
    except Abort:
        ok = False
    finally:
        logger.removeHandler(handler)
    return BuildResult(ok, site_dir, handler.lines)


@pytest.fixture
def build(tmp_path: Path) -> Callable[[Path], BuildResult]:
    counter = iter(range(1000))
    return lambda root: build_site(root, tmp_path / f"site{next(counter)}")


@pytest.fixture(scope="session")
def built_review(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The review in this repository, built strictly once per test session (site integrity checks)."""
    result = build_site(REPO, tmp_path_factory.mktemp("built-review") / "site")
    assert result.ok, result.messages
    return result
