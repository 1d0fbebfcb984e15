"""The report as one self-contained HTML page: inline CSS and SVG charts, no JavaScript, no files."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from sandbox.compare.report import plain
from sandbox.compare.report.provenance import input_lines
from sandbox.compare.report.svg import PALETTE, BarRow, bar_chart_svg
from sandbox.compare.report.tables import BT_TITLE, GROUPINGS, rating_cell, same_as_whole, tables
from sandbox.core.text import plural

if TYPE_CHECKING:
    from sandbox.compare.report.model import Report, Section

_CSS = (
    "\n"
    "body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;margin:2rem auto;max-width:1100px;"
    "padding:0 1rem;color:#1d1d1f;background:#fff}\n"
    "h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}"
    "h3{margin-top:1.4rem}\n"
    "table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.9rem}th,td{border:1px solid #ddd;"
    "padding:.3rem .55rem;text-align:left;vertical-align:top}\n"
    "th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "td:first-child{white-space:nowrap}\n"
    ".note{background:#fff7e0;border-left:4px solid #e0a800;padding:.5rem .8rem;margin:.4rem 0}\n"
    ".chart{display:block;margin:.8rem 0;max-width:100%;height:auto}.chart-title{font-weight:600;"
    "font-size:14px}\n"
    ".label,.value,.tick{font-size:12px;fill:#333}.muted{color:#666}\n"
    "@media (prefers-color-scheme: dark){body{background:#16181d;color:#e6e6e6}th{background:#262a33}"
    "th,td{border-color:#3a3f4b}\n"
    ".note{background:#3a3219;color:#f5e6b8}.label,.value,.tick,.chart-title{fill:#ddd}"
    ".whisker{stroke:#eee}}\n"
    "details.statistics{margin-top:2rem}details.statistics>summary{cursor:pointer;font-weight:600;"
    "font-size:1.2rem}\n"
)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i else ''}>{escape(str(c))}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _charts(section: Section, criteria: list[dict[str, str]]) -> list[str]:
    """Win rates, mean ratings (overall, then per criterion) and Bradley-Terry strengths as charts.

    Each assistant keeps its colour across the charts of a section.
    """
    charts = []
    names = [a["name"] for a in section["assistants"]]
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    voted = [a for a in section["assistants"] if a["votes"]["decisive"]]
    if voted:
        charts.append(bar_chart_svg(
            "Blind-vote win rate (decisive votes), 95% Wilson interval",
            [(a["name"], a["votes"]["win_rate"], a["votes"]["low"], a["votes"]["high"]) for a in voted],
            lo=0, hi=1, reference=0.5, percent=True, colors=colors,
        ))
    rated = [a for a in section["assistants"] if a["ratings"]]
    if rated:
        charts.append(bar_chart_svg(
            "Mean rating (1-5, all criteria), 95% interval",
            [(a["name"], *rating_cell(a["overall"])) for a in rated],
            lo=1, hi=5, reference=3, colors=colors,
        ))
        for c in criteria:
            rows: list[BarRow] = [
                (a["name"], *rating_cell(a["criteria"][c["id"]])) for a in rated if a["criteria"][c["id"]]["n"]
            ]
            if rows:
                charts.append(
                    bar_chart_svg(f"{c['label']} (1-5), 95% interval", rows, lo=1, hi=5, reference=3, colors=colors)
                )
    bt = section.get("bradley_terry")
    if bt:
        charts.append(bar_chart_svg(
            "Bradley-Terry strength, 95% bootstrap interval",
            [(s["name"], s["strength"], s["low"], s["high"]) for s in bt["strengths"]],
            lo=0, hi=1, reference=1 / len(bt["strengths"]), colors=colors,
        ))
    return charts


def to_html(report: Report) -> str:
    """A self-contained page: inline CSS and SVG, no JavaScript, no external files."""
    d = report.data
    t = d["totals"]
    scope = f" in category “{d['filter']['category']}”" if d["filter"].get("category") else ""
    out = [
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>Assistant comparison report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Assistant comparison report</h1>",
        f"<p>{plural(t['projects'], 'project')}{escape(scope)}, {plural(t['events'], 'event')}, "
        f"{plural(d['comparisons'], 'blind comparison')}.</p>",
    ]
    out += plain.to_html(d, _html_table)  # headlines first; the statistics in a <details> that opens
    out.append(f"<p class=\"muted\">{escape(d['votes_needed_explained'])}</p>")
    if d["notes"]:
        out.append("<h2>What the numbers can and cannot say</h2>")
        out += [f"<p class=\"note\">{escape(n)}</p>" for n in d["notes"]]
    out += ["<h2>Charts</h2>", *_charts(d, d["criteria"])]
    for title, header, rows in tables(d, d["criteria"], full=True):
        out += [f"<h2>{escape(title)}</h2>", _html_table(header, rows) if rows else "<p class=muted>None yet.</p>"]
        if title == BT_TITLE and d["bradley_terry"]:
            out.append(f"<p class=muted>{escape(d['bradley_terry']['explained'])}</p>")
    out.append(f"<p class=\"note\">{escape(d['position']['text'])}</p>")
    for key, label in GROUPINGS:
        for group in d[key]:
            out.append(
                f"<h2>By {label}: {escape(group['group'])} "
                f"<span class=muted>({plural(group['projects'], 'project')})</span></h2>"
            )
            same = same_as_whole(d, group, label)
            if same:
                out.append(f"<p class=muted>{escape(same)}</p>")
                continue
            out += _charts(group, [])
            for title, header, rows in tables(group, d["criteria"], full=True):
                if rows:
                    out += [f"<h3>{escape(title)}</h3>", _html_table(header, rows)]
            out.append(f"<p class=\"note\">{escape(group['position']['text'])}</p>")
    out.append("</details>")
    if t["duplicates_skipped"] or t["damaged_lines"]:
        out.append(
            f"<p class=muted>Skipped {t['duplicates_skipped']} repeated events (merged ledgers) and "
            f"{t['damaged_lines']} damaged lines.</p>"
        )
    inputs = input_lines(d)
    if inputs:
        out += ["<h2>Inputs</h2>", "<ul class=muted>", *(f"<li>{escape(line)}</li>" for line in inputs), "</ul>"]
    out.append("</body></html>\n")
    return "\n".join(out)
