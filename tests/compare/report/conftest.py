"""Known ledgers for the report tests: two projects in two categories, and helpers to add events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace


def add(ws: Workspace, slug: str, kind: str, **fields: Any) -> dict[str, Any]:
    return ws.project(slug).append(kind, **fields)


def later(event: dict[str, Any], hours: float) -> str:
    at = ledger.parse_time(event["at"]) + timedelta(hours=hours)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def vote(ws: Workspace, slug: str, a: str, b: str, winner: str) -> None:
    """A vote as ``sandbox vote`` records it on a pair where both assistants have worked (evidence)."""
    add(ws, slug, "vote", comparison="c", a=a, b=b, a_assistant=a, b_assistant=b, winner=winner,
        winner_assistant={"A": a, "B": b}.get(winner), a_worked=True, b_worked=True)


@pytest.fixture
def filled(ws: Workspace) -> Workspace:
    """Two projects in two categories with known ratings, sessions, runs and votes."""
    one = ws.new_project("One", "mini", category="finance", assistants=["claude-code", "copilot"]).slug
    two = ws.new_project("Two", "mini", category="support", assistants=["claude-code", "copilot", "codex"]).slug
    created = next(e for e in ws.project(one).events() if e["kind"] == "created")
    # ratings: claude-code works 3 then 4 (2 h after created), copilot works 5 (1 h)
    add(ws, one, "rating", variant="claude-code", assistant="claude-code", scores={"works": 3, "looks-right": 4},
        minutes=10, at=later(created, 0.5))
    add(ws, one, "rating", variant="claude-code", assistant="claude-code", scores={"works": 4, "looks-right": 5},
        at=later(created, 2))
    add(ws, one, "rating", variant="copilot", assistant="copilot", scores={"works": 5, "looks-right": 2},
        at=later(created, 1))
    add(ws, one, "session_started", variant="copilot", assistant="copilot")
    add(ws, one, "session_ended", variant="copilot", assistant="copilot", seconds=600)
    add(ws, one, "session_started", variant="copilot", assistant="copilot")
    add(ws, one, "session_ended", variant="copilot", assistant="copilot", seconds=300)
    add(ws, one, "run", variant="claude-code", assistant="claude-code", exit_code=0, seconds=30, timed_out=False,
        result={"total_cost_usd": 0.25, "duration_ms": 30000})
    add(ws, one, "run", variant="claude-code", assistant="claude-code", exit_code=1, seconds=50, timed_out=False)
    add(ws, one, "run", variant="claude-code", assistant="claude-code", exit_code=0, timed_out=True,
        result={"total_cost_usd": 0.5, "duration_ms": 90000})
    # votes in project one: claude-code beats copilot 14 of 20 decisive, plus 3 ties and 2 both-bad
    for i in range(14):
        vote(ws, one, *(("claude-code", "copilot", "A") if i % 2 else ("copilot", "claude-code", "B")))
    for i in range(6):
        vote(ws, one, *(("claude-code", "copilot", "B") if i % 2 else ("copilot", "claude-code", "A")))
    for _ in range(3):
        vote(ws, one, "claude-code", "copilot", "tie")
    for _ in range(2):
        vote(ws, one, "copilot", "claude-code", "both-bad")
    # project two: codex in play
    vote(ws, two, "codex", "copilot", "A")
    vote(ws, two, "codex", "claude-code", "B")
    vote(ws, two, "copilot", "codex", "tie")
    add(ws, two, "compare", comparison="x", a="codex", b="copilot", a_assistant="codex", b_assistant="copilot")
    return ws


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def host(screen: Any) -> Any:
    """A bare Textual app that shows ``screen`` (the report screens are tested on their own)."""
    from textual.app import App

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    return Host()
