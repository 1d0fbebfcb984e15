"""The shared display text: intervals on the 1-5 scale, spans in human units, grouped counts."""

from __future__ import annotations

from sandbox.compare import report
from sandbox.compare.report import tables
from sandbox.core.text import plural
from sandbox.workspace import Workspace
from tests.compare.report.conftest import by_id


def test_rating_intervals_stay_on_the_1_to_5_scale_when_shown(filled: Workspace) -> None:
    """Two ratings (3, 4) give the t interval [-2.85, 9.85]: JSON keeps it; the tables show no interval
    from fewer than three ratings ("too few ratings"), and the charts clip it to [1.00-5.00]."""
    from sandbox.tui.screens.report import charts_text

    built = report.build_report(filled)
    works = by_id(built.data["assistants"])["claude-code"]["criteria"]["works"]
    assert works["low"] < 1 and works["high"] > 5  # the exact t interval, unchanged in the data
    md = report.render(built, "md")
    assert "3.50 (too few ratings)" in md and "-2.85" not in md and "9.85" not in md
    html = report.render(built, "html")
    assert "3.50 (too few ratings)" in html and "-2.85" not in html
    cell = {"n": 3, "mean": 3.67, "low": -2.07, "high": 9.4}  # three ratings (1, 5, 5): an interval, clipped
    assert tables.rating_text(cell) == "3.67 [1.00-5.00]"
    section = {"assistants": [{"id": "x", "name": "X", "ratings": 2, "votes": {"decisive": 0},
                               "overall": {"n": 2, "mean": 4.5, "low": -1.85, "high": 10.85}}]}
    assert "[1.00-5.00]" in charts_text(section).plain


def test_time_to_first_working_reads_in_human_units(filled: Workspace) -> None:
    md = report.render(report.build_report(filled), "md")
    assert "| Claude Code | 2.0 h (n=1) |" in md  # the work table is split to fit 80 columns
    assert "| GitHub Copilot | 60 min (n=1) |" in md  # copilot: one hour after created
    assert [tables.duration_text(h) for h in (None, 0.001, 0.5, 1.5, 30, 72)] == [
        "-", "under a minute", "30 min", "1.5 h", "30.0 h", "3.0 days",
    ]


def test_big_counts_are_grouped() -> None:
    assert plural(200000, "event") == "200,000 events" and plural(1, "project") == "1 project"
