"""The comparison report: every ledger in the workspace -> tables, intervals and exporters.

Why it is shaped like this: one pass over the ledgers folds them into running counts (``fold``), the
counts become the report's sections with their intervals (``summary``) and plain-words findings
(``findings``), and each format lays the same sections out: ``tables`` holds the rows that
Markdown, HTML and the TUI share; ``markdown``, ``csv`` and ``html`` (with ``svg`` charts) write
them. ``build`` ties a workspace to the fold. Nothing here imports Textual or Jinja2.

Honesty over precision: win rates carry Wilson intervals, the sign test gives a p-value, and when a
pair has fewer decisive votes than it takes to tell 60/40 from 50/50, the report says so in words.
"""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.compare.report.build import build_report
from sandbox.compare.report.csv import to_csv
from sandbox.compare.report.html import to_html
from sandbox.compare.report.markdown import to_markdown
from sandbox.compare.report.model import Report, ReportError

__all__ = ["FORMATS", "Report", "ReportError", "build_report", "render", "write"]

FORMATS = ("md", "csv", "html", "json")


def render(report: Report, fmt: str) -> str:
    """The report as text in ``fmt`` (md, csv, html or json)."""
    if fmt == "json":
        return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return to_markdown(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    raise ReportError(f"unknown report format '{fmt}' (formats: {', '.join(FORMATS)})")


def write(report: Report, fmt: str, output: Path | None) -> str | None:
    """Render and write to ``output`` atomically, or return the text for stdout."""
    text = render(report, fmt)
    if output is None:
        return text
    from sandbox.core.fs import atomic_write

    output = Path(output)
    if output.is_dir():
        raise ReportError(f"--output {output} is a folder; give a file name, like {output / ('report.' + fmt)}")
    # A CSV *file* starts with a UTF-8 byte order mark: without it Excel reads the file as the
    # local code page and shows "CafÃ©" for "Café". Printed CSV (for pipes and scripts) has none.
    data = ("\ufeff" + text if fmt == "csv" else text).encode("utf-8")
    try:
        atomic_write(output, data, fsync=False)
    except OSError as exc:
        raise ReportError(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    return None
