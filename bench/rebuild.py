"""What `mkdocs serve` does after one edit: a second build in the same process, timed.

`python bench/rebuild.py CONFIG FILE OLD NEW` builds the site once (as `serve` does at start),
replaces the first OLD in FILE with NEW, reloads the configuration and builds again, then prints
both durations as JSON. Hook modules stay imported between the builds, as they do under `serve`.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config


def timed_build(config_file: Path, site_dir: Path) -> float:
    start = time.perf_counter()
    build(load_config(str(config_file), site_dir=str(site_dir), strict=True))
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    config_file, edited, old, new = Path(argv[0]), Path(argv[1]), argv[2], argv[3]
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    text = edited.read_text("utf-8")
    if old not in text:
        print(f"{edited}: {old!r} not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as site:
        first = timed_build(config_file, Path(site))
        edited.write_text(text.replace(old, new, 1), "utf-8")
        try:
            second = timed_build(config_file, Path(site))
        finally:
            edited.write_text(text, "utf-8")
    print(json.dumps({"first": first, "second": second}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
