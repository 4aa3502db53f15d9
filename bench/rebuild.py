"""What `mkdocs serve` does after an edit: another build in the same process, timed.

`python bench/rebuild.py CONFIG FILE OLD NEW [COUNT]` builds the site once (as `serve` does at
start), then COUNT times (default 2) edits FILE (OLD becomes NEW, then back), reloads the
configuration and builds again: first fully, as `mkdocs serve` does, then COUNT more times as
`mkdocs serve --dirty` does. It prints the wall and CPU seconds of each rebuild as JSON. Hook
modules stay imported between the builds, as they do under `serve`; FILE is restored.
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


def timed_build(config_file: Path, site_dir: Path, dirty: bool = False) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    build(load_config(str(config_file), site_dir=str(site_dir), strict=True), dirty=dirty)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str]) -> int:
    config_file, edited, old, new = Path(argv[0]), Path(argv[1]), argv[2], argv[3]
    count = int(argv[4]) if len(argv) > 4 else 2
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    text = edited.read_text("utf-8")
    if old not in text:
        print(f"{edited}: {old!r} not found", file=sys.stderr)
        return 2
    rebuilds: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as site:
        timed_build(config_file, Path(site))
        try:
            for i in range(2 * count):
                edited.write_text(text.replace(old, new, 1) if i % 2 == 0 else text, "utf-8")
                dirty = i >= count
                rebuilds[dirty].append(timed_build(config_file, Path(site), dirty))
        finally:
            edited.write_text(text, "utf-8")
    print(
        json.dumps(
            {
                name: {"wall": [w for w, _ in r], "cpu": [c for _, c in r]}
                for name, r in (("full", rebuilds[False]), ("dirty", rebuilds[True]))
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
