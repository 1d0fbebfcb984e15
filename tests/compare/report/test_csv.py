"""The CSV export: one tidy row per event, safe in a spreadsheet, rows follow the project folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sandbox.compare import report
from sandbox.compare.report.csv import to_csv
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add


def test_csv_is_one_tidy_row_per_event(filled: Workspace) -> None:
    add(filled, "one", "rating", variant="copilot", assistant="copilot", scores={"works": 2}, note="=HYPERLINK(1)")
    built = report.build_report(filled)
    rows = list(csv.DictReader(io.StringIO(report.render(built, "csv"))))
    assert len(rows) == built.data["totals"]["events"] == len({r["id"] for r in rows})
    rating = next(r for r in rows if r["kind"] == "rating" and r["score_works"] == "2")
    assert rating["note"] == "'=HYPERLINK(1)"  # never a live formula in a spreadsheet
    assert rating["category"] == "finance" and rating["template"] == "mini" and rating["title"] == "One"
    run = next(r for r in rows if r["kind"] == "run" and r["cost_usd"])
    assert run["cost_usd"] == "0.25"
    assert "score_looks-right" in rows[0]
    with pytest.raises(report.ReportError):
        to_csv(report.build_report(filled, keep_events=False))


def test_csv_rows_follow_the_project_folder(filled: Workspace) -> None:
    """A renamed project folder: its events still say the old slug; the CSV must agree with the tables."""
    old = filled.project("one").path
    old.rename(old.parent / "renamed")
    built = report.build_report(filled)
    rows = list(csv.DictReader(io.StringIO(report.render(built, "csv"))))
    moved = [r for r in rows if r["project"] == "renamed"]
    assert moved and all(r["title"] == "One" and r["category"] == "finance" for r in moved)
    assert not any(r["project"] == "one" for r in rows)
    assert "side" in rows[0]  # blind ratings say which side was scored
    assert len(rows) == built.data["totals"]["events"]


def test_csv_file_opens_in_excel_and_keeps_quoting(filled: Workspace, tmp_path: Path) -> None:
    add(filled, "one", "rating", variant="copilot", assistant="copilot", scores={"works": 2},
        note='Café, "quoted", two\nlines', by="=cmd|' /C calc'!A0")
    built = report.build_report(filled)
    target = tmp_path / "r.csv"
    report.write(built, "csv", target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,at,kind,")  # the BOM tells Excel it is UTF-8
    assert not report.render(built, "csv").startswith("\ufeff")  # printed CSV stays plain
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == built.data["totals"]["events"]
    row = next(r for r in rows if r["note"].startswith("Café"))
    assert row["note"] == 'Café, "quoted", two\nlines' and row["by"] == "'=cmd|' /C calc'!A0"
    assert {len(r) for r in rows} == {len(rows[0])}
