"""The report as Markdown, for chat and docs: the plain-words findings first, then the tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.compare.report import plain
from sandbox.compare.report.provenance import input_lines
from sandbox.compare.report.tables import BT_TITLE, GROUPINGS, same_as_whole, tables
from sandbox.core.text import plural

if TYPE_CHECKING:
    from sandbox.compare.report.model import Report


def to_markdown(report: Report) -> str:
    """Markdown for chat and docs: the plain-words findings first, then the tables behind them."""
    d = report.data
    t = d["totals"]
    out = ["# Assistant comparison report", ""]
    scope = f" in category '{d['filter']['category']}'" if d["filter"].get("category") else ""
    out.append(
        f"{plural(t['projects'], 'project')}{scope}, {plural(t['events'], 'event')}, "
        f"{plural(d['comparisons'], 'blind comparison')}."
    )
    out.append("")
    out += plain.to_markdown(d)  # headlines first; the statistics follow
    out += [*plain.wrap(d["votes_needed_explained"]), ""]
    if d["notes"]:
        out += ["## What the numbers can and cannot say", ""]
        out += [line for n in d["notes"] for line in plain.wrap(n, "- ", "  ")] + [""]
    for title, header, rows in tables(d, d["criteria"], full=True):
        out += [f"## {title}", "", _md_table(header, rows) if rows else "_none yet_", ""]
        if title == BT_TITLE and d["bradley_terry"]:
            out += [f"_{d['bradley_terry']['explained']}_", ""]
    out += [f"_{d['position']['text']}_", ""]
    for key, label in GROUPINGS:
        for group in d[key]:
            out += [f"## By {label}: {group['group']} ({plural(group['projects'], 'project')})", ""]
            same = same_as_whole(d, group, label)
            if same:
                out += [f"_{same}_", ""]
                continue
            for title, header, rows in tables(group, d["criteria"], full=True):
                if rows:
                    out += [f"### {title}", "", _md_table(header, rows), ""]
            out += [f"_{group['position']['text']}_", ""]
    if t["duplicates_skipped"] or t["damaged_lines"]:
        out.append(
            f"Skipped {t['duplicates_skipped']} repeated events (merged ledgers) and "
            f"{t['damaged_lines']} damaged lines."
        )
    inputs = input_lines(d)
    if inputs:
        out += ["", "## Inputs", ""] + [f"- {line}" for line in inputs]
    if t.get("newer_schema_skipped"):
        out.append(f"Skipped {t['newer_schema_skipped']} events written by a newer sandbox (update to count them).")
    return "\n".join(out).rstrip() + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table that fits 80 columns (split into narrower tables when wider: ``plain.fit``)."""
    return plain.markdown_table(header, rows)
