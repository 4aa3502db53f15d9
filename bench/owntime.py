"""`mkdocs build`, recording the CPU time the evidence layer itself spends in the process.

Usage: `python owntime.py REPORT.json build --strict -q -f mkdocs.yml -d site`. The arguments
after REPORT.json go to MkDocs's own command line, so the build is the one `mkdocs build`
runs; this only wraps our code in timers first. Counted as ours: importing the `evidence`
package (after the MkDocs modules any build imports), every MkDocs event our hooks handle,
and rendering each generated page (which MkDocs asks for while it reads pages). Everything
else in the process is MkDocs and its theme turning Markdown into a site.

Timed in the same process, both parts see the same machine, so `total / (total - ours)`
estimates the build ratio against plain MkDocs without the noise of comparing separate
runs. It leaves out any cost the layer adds to MkDocs's own work (for instance, a larger
heap for the garbage collector to walk), which the fresh-process ratio in `run.py` includes.
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PRELOADED = ("mkdocs.commands.build", "mkdocs.plugins", "mkdocs.structure.files", "mkdocs.structure.pages")
"""What every build imports before it loads hooks: not counted as ours."""

_spent = 0.0
_depth = 0


def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, adding its CPU time to the layer's; a call inside another timed call is not counted twice."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _spent, _depth
        if _depth:
            return fn(*args, **kwargs)
        _depth += 1
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _spent += time.process_time() - start
            _depth -= 1

    return wrapper


def instrument() -> float:
    """Imports and wraps the evidence layer; returns the CPU seconds its import took."""
    for module in PRELOADED:
        importlib.import_module(module)

    start = time.process_time()
    from evidence import glue, render

    imported = time.process_time() - start
    for name in dir(glue):
        if name.startswith("on_"):
            setattr(glue, name, timed(getattr(glue, name)))
    plan = render.Renderer.plan

    def timed_plan(self: render.Renderer, version: Callable[[str, object], int]) -> list[tuple[str, object, Callable[[], str]]]:
        return [(uri, inputs, timed(page)) for uri, inputs, page in plan(self, version)]

    render.Renderer.plan = timed(timed_plan)  # type: ignore[method-assign]
    return imported


def main(argv: list[str]) -> int:
    report, args = Path(argv[0]), argv[1:]
    imported = instrument()
    from mkdocs.__main__ import cli

    try:
        cli.main(args=args, prog_name="mkdocs", standalone_mode=False)
    finally:
        total = time.process_time()  # the whole process, interpreter start-up included
        ours = imported + _spent
        report.write_text(json.dumps({"total": total, "ours": ours, "imports": imported}), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
