"""The fold: every ledger once, repeated events skipped, damaged lines counted, one category kept."""

from __future__ import annotations

import gc

import pytest

from sandbox.compare import report
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add, by_id


def test_category_filter(filled: Workspace) -> None:
    data = report.build_report(filled, category="Support").data
    assert data["totals"]["projects"] == 1 and data["filter"] == {"category": "Support"}
    assert {h["a"] + "/" + h["b"] for h in data["head_to_head"]} == {"codex/copilot", "claude-code/codex"}
    known = r"no project has the category 'travel' \(categories: finance, support\)"
    with pytest.raises(report.ReportError, match=known):
        report.build_report(filled, category="travel")


def test_duplicates_and_damage_are_tolerated(filled: Workspace) -> None:
    before = report.build_report(filled).data
    path = filled.project("one").ledger_path
    lines = path.read_text().splitlines()
    # a union merge repeats lines; a crash tears one; another writer left odd but valid events
    odd = ['{"id": "torn", "kind": "vo', "[1, 2]", "  ", '{"no": "id"}']
    path.write_text("\n".join(lines + lines[:10] + odd) + "\n")
    add(filled, "one", "vote", comparison="z", winner="A")  # no pairing: ignored, not a crash
    add(filled, "one", "rating", variant="copilot", scores={"works": "five"})  # refused by the validator
    add(filled, "one", "run", exit_code=0)  # no assistant
    after = report.build_report(filled).data
    assert after["totals"]["duplicates_skipped"] == 10
    # the three odd lines, and the rating whose score is not a number: ledger.read refuses it too
    assert after["totals"]["damaged_lines"] == 4
    assert after["totals"]["events"] == before["totals"]["events"] + 2
    assert after["head_to_head"] == before["head_to_head"]
    assert by_id(after["assistants"])["copilot"]["ratings"] == 1


def test_an_event_without_a_text_kind_is_a_damaged_line_not_a_crash(filled: Workspace) -> None:
    """A kind that is a number, a list or null used to stop the report with a TypeError (it could
    not be counted or sorted beside the others); it is one more damaged line, like a torn one."""
    before = report.build_report(filled).data["totals"]
    with filled.project("one").ledger_path.open("a") as ledger_file:
        ledger_file.write('{"id": "k1", "kind": 5}\n{"id": "k2", "kind": ["vote"]}\n{"id": "k3", "kind": null}\n')
    built = report.build_report(filled)
    after = built.data["totals"]
    assert after["damaged_lines"] == before["damaged_lines"] + 3
    assert after["kinds"] == before["kinds"] and after["events"] == before["events"]
    for fmt in report.FORMATS:
        assert report.render(built, fmt)


def test_the_fold_leaves_nothing_for_the_paused_garbage_collector(ws: Workspace) -> None:
    """``build_report`` pauses the cyclic collector while it folds. A reference cycle per project
    (as bound methods kept on each project's fold once made) would pile up meanwhile and cost one
    long collection afterwards: on 2,000 projects the report took a third longer."""
    projects = 30
    for i in range(projects):
        slug = ws.new_project(f"Idea {i}", "mini", assistants=["claude-code", "copilot"]).slug
        add(ws, slug, "rating", variant="copilot", assistant="copilot", scores={"works": 4})
        add(ws, slug, "vote", comparison="c", a="copilot", b="claude-code", a_assistant="copilot",
            b_assistant="claude-code", winner="A")
    report.build_report(ws, replicates=5, group_replicates=5)  # settings, registry and rubric are read once
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        built = report.build_report(ws, replicates=5, group_replicates=5)
        left_over = gc.collect()
    finally:
        if collecting:
            gc.enable()
    assert built.data["totals"]["projects"] == projects
    assert left_over < projects, f"{left_over} objects in cycles after folding {projects} projects"
