"""``sandbox report``, ``export`` and ``sync``: the comparison report, over the workspace's ledgers
and the organisation's sources; the events as tidy tables; the events into the shared database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.cli.common import add_command, workspace_from

if TYPE_CHECKING:
    from sandbox.compare.report.sources import Source


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
    report.add_argument(
        "--from", dest="sources", action="append", default=[], metavar="SOURCE",
        help="also report over SOURCE: another workspace, a project folder, an export folder, a folder or glob "
        "of these, or a postgresql:// address (repeatable); makes it an organisation report",
    )
    report.add_argument(
        "--no-workspace", action="store_true", help="leave this workspace's own ledgers out (only the --from sources)"
    )
    report.add_argument(
        "--min-group", type=int, default=None, metavar="N",
        help="fewest raters a category or template needs to be shown on its own (organisation default 5)",
    )
    register_export(sub)
    register_sync(sub)


def register_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = add_command(
        sub, "export", "the events as tidy tables (Parquet or JSON lines) for the organisation (docs/EXPORT.md)",
        cmd_export,
    )
    export.add_argument("output", type=Path, metavar="FOLDER", help="the folder to write (replaced if an export)")
    export.add_argument("--format", "-f", choices=("parquet", "jsonl"), default="parquet")
    export.add_argument(
        "--pseudonymise", action="store_true",
        help="replace every rater with a salted hash; the salt is read from $SANDBOX_EXPORT_SALT or --salt-file "
        "and never written into the export",
    )
    export.add_argument("--salt-file", type=Path, default=None, metavar="FILE", help="the organisation's salt")
    export.add_argument("--with-notes", action="store_true", help="keep free-text notes and vote reasons")
    export.add_argument(
        "--from", dest="sources", action="append", default=[], metavar="SOURCE",
        help="export these workspaces or project folders instead of this workspace (repeatable)",
    )


def register_sync(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = add_command(
        sub, "sync", "push this workspace's events into the organisation's PostgreSQL (idempotent)", cmd_sync,
    )
    sync.add_argument("url", metavar="postgresql://...", help="the shared database")
    sync.add_argument(
        "--from", dest="sources", action="append", default=[], metavar="SOURCE",
        help="push these workspaces or project folders instead of this workspace (repeatable)",
    )


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
    built = report.build_report(
        ws, category=args.category, keep_events=fmt == "csv", sources=args.sources,
        include_workspace=not args.no_workspace, min_group=args.min_group,
    )
    text = report.write(built, fmt, args.output)
    if text is not None:
        sys.stdout.write(text)
    else:
        print(f"Wrote the {fmt} report to {args.output}", file=sys.stderr)
    return 0


def _salt(args: argparse.Namespace) -> str | None:
    """The organisation's salt, from a file or the environment (never from the command line, which
    other users of the machine can read in the process list)."""
    import os

    from sandbox.core.errors import SandboxError

    if not args.pseudonymise:
        if args.salt_file is not None:
            raise SandboxError("--salt-file is for --pseudonymise")
        return None
    if args.salt_file is not None:
        try:
            return str(args.salt_file.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise SandboxError(f"cannot read the salt file {args.salt_file}: {exc.strerror or exc}") from None
    salt: str | None = os.environ.get("SANDBOX_EXPORT_SALT")
    if not salt:
        raise SandboxError("--pseudonymise needs the organisation's salt: set SANDBOX_EXPORT_SALT or give --salt-file")
    return salt


def _ledger_sources(args: argparse.Namespace) -> list[Source]:
    from sandbox.compare.report.sources import resolve, workspace_source

    if args.sources:
        return resolve(args.sources)
    return [workspace_source(workspace_from(args).root)]


def cmd_export(args: argparse.Namespace) -> int:
    from sandbox.compare.export import ExportOptions, export

    options = ExportOptions(fmt=args.format, salt=_salt(args), with_notes=args.with_notes)
    manifest = export(_ledger_sources(args), args.output, options)
    rows = ", ".join(f"{name} {info['rows']}" for name, info in manifest["tables"].items() if info["rows"])
    print(f"Exported {manifest['events']} events to {args.output} ({args.format}: {rows or 'no events'})",
          file=sys.stderr)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from sandbox.compare.store import sync

    result = sync(args.url, _ledger_sources(args))
    print(
        f"Synced {result.sent} events to the shared database: {result.added} new, {result.sent - result.added} "
        f"already there (schema version {result.schema_version})",
        file=sys.stderr,
    )
    return 0
