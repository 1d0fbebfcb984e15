"""Runs per assistant, CLI version and model: success with reasons, figures of finished runs, costs per unit."""

from __future__ import annotations

from typing import Any

from sandbox.compare import report
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add

CC, CP = "claude-code", "copilot"


def run(ws: Workspace, slug: str, aid: str, **fields: Any) -> None:
    add(ws, slug, "run", variant=aid, assistant=aid, **fields)


def claude(ws: Workspace, slug: str, version: str, **fields: Any) -> None:
    run(ws, slug, CC, cli="claude", cli_version=version, models=["claude-sonnet-4"], **fields)


def rows(ws: Workspace) -> dict[tuple[str, str, str], dict[str, Any]]:
    data = report.build_report(ws, keep_events=False).data
    return {(r["id"], r["cli_version"], r["model"]): r for r in data["runs_by_version"]}


def test_versions_are_not_mixed_and_failed_runs_add_no_time_or_cost(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    tokens = {"input": 100, "output": 50, "cache_read": 10, "cache_write": 5}
    claude(ws, slug, "2.1.0", ok=True, exit_code=0, seconds=30, turns=4, tokens=tokens,
           cost={"amount": 0.25, "unit": "usd"})
    claude(ws, slug, "2.1.0", ok=True, exit_code=0, seconds=50, turns=6, tokens=tokens,
           cost={"amount": 0.75, "unit": "usd"}, tools={"accepted": 3, "denied": 2, "denied_paths": ["/etc/x"]})
    claude(ws, slug, "2.1.0", ok=False, exit_code=1, seconds=900, turns=1, failure="not-signed-in",
           reason="not signed in: run `claude` once and sign in", cost={"amount": 9.0, "unit": "usd"})
    claude(ws, slug, "2.1.0", ok=False, exit_code=None, timed_out=True, failure="timed-out", seconds=600)
    claude(ws, slug, "2.2.0", ok=True, exit_code=0, seconds=10, cost={"amount": 0.1, "unit": "usd"})
    got = rows(ws)
    old = got[(CC, "2.1.0", "claude-sonnet-4")]
    assert (old["runs"], old["ok"], old["success_rate"]) == (4, 2, 0.5)
    assert {f["reason"]: f["runs"] for f in old["failures"]} == {"not-signed-in": 1, "timed-out": 1}
    assert [f["text"] for f in old["failures"]] == ["not signed in", "timed out"]
    assert old["median_seconds"] == 40.0 and old["median_turns"] == 5.0  # the 900 s failure is not in it
    assert old["cost"] == [{"unit": "usd", "amount": 1.0, "runs": 2}]  # the failed run's $9 is not in it
    assert old["tokens"] == {"input": 200, "output": 100, "cache_read": 20, "cache_write": 10,
                             "median_per_run": 150.0}
    assert (old["denials"], old["runs_with_denials"]) == (2, 1)
    assert got[(CC, "2.2.0", "claude-sonnet-4")]["runs"] == 1


def test_cost_units_are_never_summed_across_units(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    for unit, amount in (("premium-requests", 1.0), ("premium-requests", 2.0), ("ai-credits", 5.0)):
        run(ws, slug, CP, cli="copilot", cli_version="1.0.3", models=["gpt-5"], ok=True, exit_code=0,
            cost={"amount": amount, "unit": unit})
    run(ws, slug, CC, exit_code=0, timed_out=False, result={"total_cost_usd": 0.5})  # an old Claude run
    got = rows(ws)
    assert got[(CP, "1.0.3", "gpt-5")]["cost"] == [
        {"unit": "ai-credits", "amount": 5.0, "runs": 1}, {"unit": "premium-requests", "amount": 3.0, "runs": 2}]
    old = got[(CC, "unknown", "unknown")]
    assert old["cost"] == [{"unit": "usd", "amount": 0.5, "runs": 1}] and old["ok"] == 1


def test_cost_per_blind_win_counts_only_evidence_wins(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    vote = {"comparison": "c", "a": CC, "b": CP, "a_assistant": CC, "b_assistant": CP}
    add(ws, slug, "vote", **vote, winner="A", by="early")  # before any work: not evidence
    claude(ws, slug, "2.1.0", ok=True, exit_code=0, files_changed=["index.html"], cost={"amount": 1.5, "unit": "usd"})
    run(ws, slug, CP, ok=True, exit_code=0, files_added=["app.js"], cost={"amount": 4.0, "unit": "premium-requests"})
    for i in range(3):
        add(ws, slug, "vote", **{**vote, "comparison": f"c{i}"}, winner="A", by=f"r{i}")
    data = report.build_report(ws, keep_events=False).data
    assert data["cost_per_blind_win"] == [
        {"id": CC, "name": "Claude Code", "unit": "usd", "cost": 1.5, "wins": 3, "per_win": 0.5}]
    assert data["evidence"]["pairs"][0]["a_wins"] == 3  # copilot has cost but no win: no row for it


def test_costs_of_one_version_in_two_projects_are_one_sum_per_unit(ws: Workspace) -> None:
    for title in ("One", "Two"):
        slug = ws.new_project(title, "mini", assistants=[CC, CP]).slug
        claude(ws, slug, "2.1.0", ok=True, exit_code=0, cost={"amount": 0.5, "unit": "usd"})
    assert rows(ws)[(CC, "2.1.0", "claude-sonnet-4")]["cost"] == [{"unit": "usd", "amount": 1.0, "runs": 2}]
