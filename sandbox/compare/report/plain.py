"""The report's first part, in plain words: headlines, the votes that count, runs, costs, violations.

Why its own module: Markdown and HTML lay out the same rows (as ``tables`` does for the statistics),
and the layout rules a reader relies on live here: tables that fit an 80-column terminal (a wide
table is split into narrower ones that repeat its first column), sentences wrapped at 80 columns,
the statistics after all of this (Markdown: a "Statistics" section; HTML: a ``<details>`` block).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from sandbox.compare.report.runs import UNKNOWN, unit_text
from sandbox.core.text import plural

if TYPE_CHECKING:
    from sandbox.compare.report.model import Section
    from sandbox.compare.report.tables import Table

WIDTH = 80
STATISTICS = "Statistics"
STATISTICS_SUMMARY = "Statistics: intervals, tests and the tables behind the headlines"


def fit(header: list[str], rows: list[list[str]], width: int = WIDTH) -> list[tuple[list[str], list[list[str]]]]:
    """A table as one or more tables whose Markdown lines fit ``width``, each with the first column.

    Why split rather than cut: a terminal cuts a long line (the issue saw tables cut at 120
    columns) and wraps a Markdown table into noise; a few narrow tables read in any terminal.
    """
    widths = [max([len(str(h))] + [len(str(r[i])) for r in rows]) for i, h in enumerate(header)]
    chunks: list[list[int]] = []
    current = [0]
    for i in range(1, len(header)):
        if len(current) > 1 and 1 + sum(widths[j] + 3 for j in [*current, i]) > width:
            chunks.append(current)
            current = [0]
        current.append(i)
    chunks.append(current)
    return [([header[i] for i in chunk], [[row[i] for i in chunk] for row in rows]) for chunk in chunks]


def wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [first]


def _money(amount: float, unit: str) -> str:
    return f"{amount:,.2f} {unit_text(unit)}"


def _votes_table(section: Section) -> Table:
    header = ["Pair", "Counted", "Wins", "Ties", "Both bad", "Raters", "Guessed who made A"]
    rows = []
    for p in (section.get("evidence") or {}).get("pairs") or []:
        b = p["blinding"]
        guessed = f"{b['correct']} of {b['checked']}" if b["checked"] else "-"
        raters = str(p["raters"]) + (f" (+{p['unnamed_votes']} unnamed)" if p["unnamed_votes"] else "")
        rows.append([f"{p['a_name']} vs {p['b_name']}", str(p["votes"]), f"{p['a_wins']}-{p['b_wins']}",
                     str(p["ties"]), str(p["both_bad"]), raters, guessed])
    return ("Blind votes that count", header, rows)


def version_label(row: dict[str, Any]) -> str:
    """'Claude Code 2.1.0 (claude-sonnet-4)'; the unknown parts left out rather than shown as 'unknown'."""
    label = row["name"]
    if row["cli_version"] != UNKNOWN:
        label += f" {row['cli_version']}"
    if row["model"] != UNKNOWN:
        label += f" ({row['model']})"
    return label if label != row["name"] else f"{label} (version unknown)"


def _runs_table(section: Section) -> Table:
    header = ["Assistant version (model)", "Runs", "OK", "Median", "Turns", "Tokens/run", "Cost", "Denied",
              "Failed because"]
    rows = []
    for r in section.get("runs_by_version") or []:
        tokens = r["tokens"]
        rows.append([
            version_label(r), str(r["runs"]), f"{r['ok']} ({r['success_rate']:.0%})" if r["runs"] else "-",
            "-" if r["median_seconds"] is None else f"{r['median_seconds']:g} s",
            "-" if r["median_turns"] is None else f"{r['median_turns']:g}",
            "-" if not tokens or tokens["median_per_run"] is None else f"{tokens['median_per_run']:,.0f}",
            "; ".join(_money(c["amount"], c["unit"]) for c in r["cost"]) or "-", str(r["denials"]),
            failures_text(r["failures"]) or "-",
        ])
    return ("Headless runs per assistant, CLI version and model", header, rows)


def failures_text(failures: list[dict[str, Any]]) -> str:
    """'not signed in: 2, timed out: 1' (the reason first: "1 exit code 1" reads as a sum)."""
    return ", ".join(f"{f['text']}: {f['runs']}" for f in failures)


def _cost_table(section: Section) -> Table:
    header = ["Assistant", "Cost", "Blind wins", "Cost per blind win"]
    rows = [[c["name"], _money(c["cost"], c["unit"]), str(c["wins"]), _money(c["per_win"], c["unit"])]
            for c in section.get("cost_per_blind_win") or []]
    return ("Cost per blind win", header, rows)


def _violations_table(section: Section) -> Table:
    header = ["Assistant", "Runs and sessions", "Not confined", "With violations", "What"]
    rows = [[v["name"], str(v["closed"]), str(v["not_contained"]), str(v["with_violations"]),
             ", ".join(f"{n} {kind}" for kind, n in v["by_kind"].items()) or "-"]
            for v in section.get("violations") or [] if v["violations"] or v["not_contained"]]
    return ("Writes outside the variant", header, rows)


def plain_tables(section: Section) -> list[Table]:
    """The plain part's tables that have rows (a team without runs sees no empty runs table)."""
    return [t for t in (_votes_table(section), _runs_table(section), _cost_table(section),
                        _violations_table(section)) if t[2]]


def set_apart_lines(section: Section) -> list[str]:
    evidence = section.get("evidence") or {}
    reasons = evidence.get("set_apart_by_reason") or []
    return [f"{plural(r['votes'], 'vote')} not counted: {r['text']}." for r in reasons]


def blinding_lines(section: Section) -> list[str]:
    return [f"{p['a_name']} vs {p['b_name']}: {p['blinding']['text']}"
            for p in (section.get("evidence") or {}).get("pairs") or [] if p["blinding"]["checked"]]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    parts = []
    for head, body in fit([cell(h) for h in header], [[cell(c) for c in row] for row in rows]):
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in body]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def to_markdown(data: Section) -> list[str]:
    """The plain part of the Markdown report: headlines, the votes that count, runs, costs, violations."""
    out = ["## In plain words", ""]
    for headline in data.get("headlines") or []:
        out += wrap(headline["text"], "- ", "  ")
    out.append("")
    for title, header, rows in plain_tables(data):
        out += [f"## {title}", "", markdown_table(header, rows), ""]
        if title == "Blind votes that count":
            notes = set_apart_lines(data) + blinding_lines(data)
            out += [line for note in notes for line in wrap(note, "- ", "  ")] + ([""] if notes else [])
    out += [f"## {STATISTICS}", ""]
    return out


def to_html(data: Section, table: Any) -> list[str]:
    """The plain part of the HTML page (``table`` lays out one table), then the statistics' opening."""
    from html import escape

    out = ["<h2>In plain words</h2>", "<ul class=\"headlines\">"]
    out += [f"<li>{escape(h['text'])}</li>" for h in data.get("headlines") or []]
    out.append("</ul>")
    for title, header, rows in plain_tables(data):
        out += [f"<h2>{escape(title)}</h2>", table(header, rows)]
        if title == "Blind votes that count":
            out += [f"<p class=muted>{escape(n)}</p>" for n in set_apart_lines(data) + blinding_lines(data)]
    out.append(f"<details class=\"statistics\"><summary>{escape(STATISTICS_SUMMARY)}</summary>")
    return out
