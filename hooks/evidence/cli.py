"""The `evidence` command: `evidence check [PATH] [--format text|github|json] [--strict]`.

Loads and validates a review without Jinja or MkDocs, prints every finding, and exits
0 when clean, 1 on errors (or on warnings with --strict), 2 on a usage or I/O problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .findings import format_findings, summary_line
from .sources import CLAIMS_FILE, load_review

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evidence", description="Check and build an evidence review.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser("check", help="validate claims, references and prose; report every problem")
    check.add_argument("path", nargs="?", default=".", help="folder holding claims.yaml (default: current folder)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    args = parser.parse_args(argv)
    if args.command != "check":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return run_check(Path(args.path), args.format, args.strict)


def run_check(root: Path, fmt: str, strict: bool) -> int:
    if not root.is_dir():
        print(f"evidence: {root}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    if not (root / CLAIMS_FILE).is_file():
        print(f"evidence: {root}: no {CLAIMS_FILE} here; pass the folder that holds the review", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_review(root)
    findings = loaded.findings
    report = format_findings(findings, fmt)
    if fmt == "json":
        print(report)
    else:
        if report:
            print(report)
        print(summary_line(findings), file=sys.stderr if fmt == "github" else sys.stdout)
    failed = any(f.is_error for f in findings) or (strict and bool(findings))
    return EXIT_FINDINGS if failed else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
