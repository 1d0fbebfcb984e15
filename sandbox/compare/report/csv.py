"""The report as CSV: one tidy row per event, for spreadsheets and scripts.

Each row has the event's own fields, its project's context (title, category, template, from the
folder it was read from) and one ``score_<criterion>`` column per criterion. Text a spreadsheet
would run as a formula is defused, so a note like ``=HYPERLINK(...)`` stays text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sandbox.compare.report.model import ReportError

if TYPE_CHECKING:
    from sandbox.compare.report.model import Report

CSV_COLUMNS = [
    "id", "at", "kind", "project", "title", "category", "template", "variant", "assistant", "by",
    "minutes", "seconds", "exit_code", "timed_out", "cost_usd", "comparison", "side", "a", "b", "a_assistant",
    "b_assistant", "winner", "winner_assistant", "reason", "note",
]
_CONTEXT = ("title", "category", "template", "cost_usd")  # columns that are not the event's own fields
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_row(values: list[object]) -> list[object]:
    """Cells for the csv module (which writes None as empty): text a spreadsheet would run as a
    formula gets a leading apostrophe; lists and mappings become JSON; booleans true/false."""
    for i, value in enumerate(values):
        if value is None:  # most cells: nothing to do
            continue
        if isinstance(value, str):
            if value and value[0] in _FORMULA_START:
                values[i] = "'" + value
        elif isinstance(value, bool):
            values[i] = "true" if value else "false"
        elif isinstance(value, list | dict):
            text = json.dumps(value, ensure_ascii=False)
            values[i] = "'" + text if text[:1] in _FORMULA_START else text
    return values


def to_csv(report: Report) -> str:
    """One row per event (tidy): the event's fields, its project's context and one column per criterion."""
    if report.events is None:
        raise ReportError("this report was built without its events; build it with keep_events=True for CSV")
    criteria = [c["id"] for c in report.data["criteria"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + [f"score_{c}" for c in criteria])
    own = [c for c in CSV_COLUMNS if c not in _CONTEXT]
    index = {c: i for i, c in enumerate(CSV_COLUMNS)}
    title_at, category_at, template_at, cost_at = (index[c] for c in _CONTEXT)
    positions = [index[c] for c in own]
    width = len(CSV_COLUMNS)
    projects = report.projects
    empty: dict[str, object] = {}
    folders: Sequence[str | None] = report.event_projects or [None] * len(report.events)
    project_at = index["project"]
    # an organisation report names no one: who rated, and what they wrote, stay out
    withheld = [index[c] for c in ("by", "reason", "note")] if report.organisation else []
    for event, folder in zip(report.events, folders, strict=True):
        row: list[object] = [None] * width
        get = event.get
        for column, at in zip(own, positions, strict=True):
            row[at] = get(column)
        info = projects.get(folder if folder is not None else str(row[project_at] or ""))
        if info is not None:
            row[project_at] = info.slug
            row[title_at], row[category_at], row[template_at] = info.title, info.category, info.template
        result = get("result")
        if type(result) is dict:
            row[cost_at] = result.get("total_cost_usd")
        scores = get("scores")
        if type(scores) is not dict:
            scores = empty
        for at in withheld:
            row[at] = None
        row.extend(scores.get(c) for c in criteria)
        writer.writerow(_csv_row(row))
    return buffer.getvalue()
