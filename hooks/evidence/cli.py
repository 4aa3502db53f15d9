"""The `evidence` command: `evidence check [PATH] [--format text|github|json] [--strict]`.

Loads and validates a review without Jinja or MkDocs, prints every finding, and exits
0 when clean, 1 on errors (or on warnings with --strict), 2 on a usage or I/O problem.
`evidence diff BASE [HEAD]` (module `diff`) compares two versions of a review, and
`evidence new topic|claim` (module `scaffold`) writes a skeleton to fill in.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .files import display_path
from .findings import Finding, format_findings, github_annotations, summary_line, summary_markdown
from .parsecache import ParseCache
from .sources import CLAIMS_FILE, load_review, paused_collection

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evidence", description="Check and build an evidence review.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser("check", help="validate claims, references and prose; report every problem")
    check.add_argument("path", nargs="?", default=".", help="folder holding claims.yaml (default: current folder)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text", help="output format (default: text)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--no-cache", action="store_true", help="parse every file again instead of reusing unchanged ones")
    check.add_argument(
        "--changed",
        action="append",
        default=[],
        metavar="FILE",
        help="a file changed by the pull request (repeatable); with --format github its findings are annotated first",
    )
    compare = commands.add_parser("diff", help="compare two versions of the review claim by claim (for pull requests)")
    compare.add_argument("base", metavar="BASE", help="git revision (of the repository here) or folder holding claims.yaml")
    compare.add_argument("head", metavar="HEAD", nargs="?", help="git revision or folder (default: the working tree, this folder)")
    compare.add_argument("--format", choices=("markdown", "json"), default="markdown", help="output format (default: markdown)")
    new = commands.add_parser("new", help="scaffold a topic or a claim with placeholders to fill in")
    new.add_argument("what", choices=("topic", "claim"), help="what to create")
    new.add_argument("topic", metavar="KIND/SLUG", help="the topic, for example conditions/crohns-disease")
    new.add_argument("claim_id", nargs="?", metavar="CLAIM_ID", help="id of the new claim (for `new claim`)")
    new.add_argument("--title", help="title of the new topic (for `new topic`)")
    new.add_argument("--path", default=".", help="folder holding claims.yaml (default: current folder)")
    args = parser.parse_args(argv)
    if args.command == "diff":
        from . import diff  # imported on use: `check`, the command run most, does not need it

        return diff.run(args)
    if args.command == "new":
        return run_new(args)
    if args.command != "check":
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    return run_check(Path(args.path), args.format, args.strict, args.changed, cache=not args.no_cache)


def run_check(root: Path, fmt: str, strict: bool, changed: Sequence[str] = (), cache: bool = True) -> int:
    if not root.is_dir():
        print(f"evidence: {root}: no such folder", file=sys.stderr)
        return EXIT_USAGE
    if not (root / CLAIMS_FILE).is_file():
        print(f"evidence: {root}: no {CLAIMS_FILE} here; pass the folder that holds the review", file=sys.stderr)
        return EXIT_USAGE
    with paused_collection():
        parses = ParseCache.open(root) if cache else None
        loaded = load_review(root, parses)
        if parses is not None:
            parses.save()
    findings = loaded.findings
    if fmt == "github":
        _report_github(findings, changed)
    elif fmt == "json":
        print(format_findings(findings, fmt))
    else:
        report = format_findings(findings, fmt)
        if report:
            print(report)
        print(summary_line(findings))
    failed = any(f.is_error for f in findings) or (strict and bool(findings))
    return EXIT_FINDINGS if failed else EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    from . import scaffold

    root = Path(args.path)
    if not (root / CLAIMS_FILE).is_file():
        print(f"evidence: {root}: no {CLAIMS_FILE} here; pass the folder that holds the review with --path", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.what == "topic":
            if not args.title or args.claim_id:
                print("evidence: usage: evidence new topic KIND/SLUG --title TITLE", file=sys.stderr)
                return EXIT_USAGE
            made = scaffold.new_topic(root, args.topic, args.title)
            what = f"topic '{args.topic}'"
        else:
            if not args.claim_id or args.title:
                print("evidence: usage: evidence new claim KIND/SLUG CLAIM_ID", file=sys.stderr)
                return EXIT_USAGE
            made = scaffold.new_claim(root, args.topic, args.claim_id)
            what = f"claim '{args.claim_id}'"
    except scaffold.ScaffoldError as exc:
        print(f"evidence: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{display_path(made.path, root)}:{made.line}: added {what}; replace each TODO, then run `evidence check`")
    return EXIT_OK


def _report_github(findings: Sequence[Finding], changed: Sequence[str]) -> None:
    """Annotations GitHub will show (changed files first), and every finding in the job summary."""
    for line in github_annotations(findings, changed):
        print(line)
    print(summary_line(findings), file=sys.stderr)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(summary_markdown(findings, changed))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
