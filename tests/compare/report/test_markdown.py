"""The Markdown (and JSON) report: findings first, the tables, no repeat of the whole per group."""

from __future__ import annotations

import json

from sandbox.compare import report
from sandbox.workspace import Workspace


def test_markdown_and_json(filled: Workspace) -> None:
    built = report.build_report(filled)
    md = report.render(built, "md")
    # the head-to-head table is split to fit 80 columns; each part repeats the pair
    for row in ("| Claude Code vs GitHub Copilot | 20 | 14-6 |", "| Claude Code vs GitHub Copilot | 70% [48%-85%] |",
                "| Claude Code vs GitHub Copilot | 0.115 | 3 | 2 |", "| Claude Code vs GitHub Copilot | no |"):
        assert row in md, row
    assert "## By category: finance" in md and "## By template: mini" in md
    assert "194 decisive votes" in md and "Position bias" in md
    assert json.loads(report.render(built, "json")) == json.loads(json.dumps(built.data))


def test_markdown_puts_findings_first_explains_bt_and_does_not_repeat_the_whole(filled: Workspace) -> None:
    md = report.render(report.build_report(filled), "md")
    assert md.index("## What the numbers can and cannot say") < md.index("## Work per assistant")
    bt = md.index("## Bradley-Terry strength")
    assert md.index("the chance that X beats Y is s_X / (s_X + s_Y)", bt) > bt
    assert "one imaginary tie" in md
    # one template holds every project: its section says so instead of repeating every table
    template = md[md.index("## By template: mini (2 projects)"):]
    assert "All 2 projects are in this template: the tables above apply." in template
    assert "###" not in template
    assert md.count("### Head to head") == 2  # the two categories still get their tables
    html = report.render(report.build_report(filled), "html")
    assert html.index("What the numbers can and cannot say") < html.index("<h2>Charts</h2>")
    assert "one imaginary tie" in html and "All 2 projects are in this template" in html
    one = report.render(report.build_report(filled, category="finance"), "md")
    assert "The only project is in this category: the tables above apply." in one
