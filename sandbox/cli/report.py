"""``sandbox report``: every ledger folded into win rates, intervals and plain-words findings."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sandbox.cli.common import add_command, workspace_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = add_command(
        sub, "report", "the comparison report over every project (Markdown, CSV, HTML or JSON)", cmd_report,
        listing=True,
    )
    report.add_argument(
        "--format", "-f", choices=("md", "csv", "html", "json"), default=None,
        help="default: from the --output file's extension (.md, .csv, .html, .json), else md",
    )
    report.add_argument(
        "--output", "-o", type=Path, default=None, metavar="FILE", help="write to FILE instead of printing"
    )
    report.add_argument("--category", default=None, metavar="C", help="only projects of this category")


SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".csv": "csv", ".html": "html", ".htm": "html", ".json": "json"}


def format_for(output: Path | None) -> str | None:
    """The format an output file's extension asks for.

    Why: ``sandbox report -o report.html`` used to write Markdown into report.html (the default
    format), which a browser shows as one grey paragraph; the name says what the user wants.
    """
    if output is None:
        return None
    return SUFFIX_FORMATS.get(output.suffix.lower())


def cmd_report(args: argparse.Namespace) -> int:
    from sandbox.compare import report

    ws = workspace_from(args)
    fmt = args.format or format_for(args.output) or ("json" if args.json else "md")
    built = report.build_report(ws, category=args.category, keep_events=fmt == "csv")
    text = report.write(built, fmt, args.output)
    if text is not None:
        sys.stdout.write(text)
    else:
        print(f"Wrote the {fmt} report to {args.output}", file=sys.stderr)
    return 0
