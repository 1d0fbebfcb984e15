"""The DuckDB engine gives exactly the report the pure-Python fold gave, on the same events.

The reference (``reference_fold``) is the fold the report used before; both run on generated
workspaces with every kind of event and the damage real ledgers carry, and the reports must be
equal field by field (the engine's "inputs" block, which the old report did not have, aside).
"""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.compare.report import build, parts
from sandbox.compare.report.summary import report_data
from sandbox.workspace import Workspace
from tests.compare.report import reference_fold
from tests.compare.report.generated import write_workspace

REPLICATES = 60  # the bootstrap is seeded: equal counts give equal intervals at any number


def without_new_parts(data: dict[str, Any]) -> dict[str, Any]:
    """The report without the parts the old fold never computed (``parts``: evidence, runs, headlines).

    Every key the old fold had is still compared; the new parts have tests of their own.
    """
    for key in parts.REPORT_KEYS:
        data.pop(key, None)
    for section in [data, *data["by_category"], *data["by_template"]]:
        for key in parts.SECTION_KEYS:
            section.pop(key, None)
    return data


def reference_report(ws: Workspace, category: str | None = None) -> dict[str, Any]:
    counts = reference_fold.to_counts(reference_fold.fold_workspace(ws.root / "projects", category=category))
    return without_new_parts(report_data(
        counts, build._criteria(ws, counts.criteria_seen), build._names(ws), category=category,
        replicates=REPLICATES, group_replicates=REPLICATES, seed=build.BT_SEED,
    ))


def engine_report(ws: Workspace, category: str | None = None) -> dict[str, Any]:
    data = build.build_report(ws, category=category, replicates=REPLICATES, group_replicates=REPLICATES,
                              keep_events=False).data
    assert data.pop("inputs")["events"] == data["totals"]["events"]
    assert all(key in data for key in parts.REPORT_KEYS) and all(key in data for key in parts.SECTION_KEYS)
    return without_new_parts(data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_engine_reports_what_the_old_fold_reported(ws: Workspace, seed: int) -> None:
    write_workspace(ws.root, projects=24, events=1500, seed=seed)
    expected = reference_report(ws)
    got = engine_report(ws)
    assert got["totals"]["duplicates_skipped"] > 0 and got["totals"]["damaged_lines"] > 0
    assert got["totals"] == expected["totals"]
    for key in expected:
        assert got[key] == expected[key], key
    assert got == expected
    # and the vote filter had something to do: each reason set some votes apart, others counted
    evidence = build.build_report(ws, replicates=2, group_replicates=2, keep_events=False).data["evidence"]
    assert evidence["counted"] == sum(h["votes"] for h in got["head_to_head"]) > 0
    assert {r["reason"] for r in evidence["set_apart_by_reason"]} == {"repeat", "one-side", "neither"}


def test_one_category_matches_too(ws: Workspace) -> None:
    write_workspace(ws.root, projects=12, events=600, seed=9)
    assert engine_report(ws, "Finance") == reference_report(ws, "Finance")


def test_the_csv_events_are_the_old_fold_events(ws: Workspace) -> None:
    write_workspace(ws.root, projects=6, events=200, seed=4)
    fold = reference_fold.fold_workspace(ws.root / "projects")
    built = build.build_report(ws, replicates=REPLICATES, group_replicates=REPLICATES)
    assert built.events == fold.events


def test_a_timed_out_that_is_not_a_boolean_is_a_damaged_line(ws: Workspace) -> None:
    """The old fold read any truthy ``timed_out`` ("yes", [true]) as timed out; the engine now reads
    ledgers by the validator's rules (issue 12, ``ledger.read``): such a run is no event at all but
    a damaged line, as ``sandbox log`` reports it, and the boolean one counts (a failed run)."""
    slug = ws.new_project("One", "mini", category="c", assistants=["claude-code", "copilot"]).slug
    ws.project(slug).append("run", variant="claude-code", assistant="claude-code", exit_code=0, timed_out="yes")
    ws.project(slug).append("run", variant="claude-code", assistant="claude-code", exit_code=0, timed_out=True)
    data = engine_report(ws)
    row = next(a for a in data["assistants"] if a["id"] == "claude-code")
    assert (row["runs"], row["runs_ok"]) == (1, 0)
    assert data["totals"]["damaged_lines"] == 1


def test_events_of_a_newer_schema_are_skipped_and_counted(ws: Workspace) -> None:
    """docs/EVENTS.md: a reader skips (and counts) events of a newer major schema, whose fields may
    mean something else; the report says how many, so nobody mistakes them for lost votes."""
    import json

    slug = ws.new_project("One", "mini", category="c", assistants=["claude-code", "copilot"]).slug
    ws.project(slug).append("vote", comparison="c", a="claude-code", b="copilot", a_assistant="claude-code",
                            b_assistant="copilot", winner="A", by="ana")
    newer = {"id": "e" * 32, "at": "2026-03-01T00:00:00.000Z", "kind": "vote", "schema": 2, "comparison": "c",
             "a": "claude-code", "b": "copilot", "a_assistant": "claude-code", "b_assistant": "copilot", "winner": "B"}
    with ws.project(slug).ledger_path.open("a") as f:
        f.write(json.dumps(newer) + "\n")
    data = engine_report(ws)
    assert data["totals"]["newer_schema_skipped"] == 1
    assert data["totals"]["kinds"]["vote"] == 1 and data["totals"]["damaged_lines"] == 0
