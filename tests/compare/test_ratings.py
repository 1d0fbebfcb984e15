"""Ratings on the rubric: recorded as events, mistakes refused, blind ratings marked as such."""

from __future__ import annotations

import json

import pytest

from sandbox.compare import blind, ratings, rubric
from sandbox.core.errors import SandboxError
from sandbox.workspace import Workspace
from tests.compare.conftest import NAMES, Cli, kinds
from tests.conftest import assert_one_line_error


def test_rate_records_an_event(ws: Workspace, project: str) -> None:
    event = ratings.rate(
        ws, project, "copilot", ["works=4", "Looks right=5", "match=3"], minutes=12, note=" ok ", by="ann"
    )
    assert event["kind"] == "rating" and event["variant"] == "copilot" and event["assistant"] == "copilot"
    assert event["scores"] == {"works": 4, "looks-right": 5, "matches-idea": 3}
    assert event["minutes"] == 12 and event["note"] == "ok" and event["by"] == "ann"
    assert kinds(ws, project, "rating") == [event]


@pytest.mark.parametrize(
    ("variant", "scores", "words"),
    [
        ("nobody", ["works=4"], "no variant 'nobody'"),
        ("copilot", ["works=6"], "from 1 to 5"),
        ("copilot", ["works=four"], "from 1 to 5"),
        ("copilot", ["speed=3"], "unknown criterion 'speed'"),
        ("copilot", ["works"], "CRITERION=N"),
        ("copilot", [], "at least one score"),
    ],
)
def test_rate_rejects_mistakes(ws: Workspace, project: str, variant: str, scores: list[str], words: str) -> None:
    with pytest.raises(SandboxError) as caught:
        ratings.rate(ws, project, variant, scores)
    assert words in str(caught.value)
    assert kinds(ws, project, "rating") == []


@pytest.mark.parametrize(("minutes", "words"), [("soon", "must be a number, not 'soon'"), (-1, "between 0 and 100000")])
def test_rate_refuses_minutes_that_are_no_time_spent(ws: Workspace, project: str, minutes: object, words: str) -> None:
    with pytest.raises(rubric.FeedbackError, match=words):
        ratings.rate(ws, project, "copilot", ["works=4"], minutes=minutes)  # type: ignore[arg-type]  # typed by a person
    assert kinds(ws, project, "rating") == []
    assert ratings.rate(ws, project, "copilot", ["works=4"], minutes="7.5")["minutes"] == 7.5  # as the TUI sends it


def test_a_criterion_scored_twice_is_refused_not_silently_overwritten(ws: Workspace, project: str, cli: Cli) -> None:
    with pytest.raises(SandboxError, match=r"'works' is scored twice \(3 and 5\); give it once"):
        ratings.rate(ws, project, "copilot", ["works=3", "Works without errors=5"])
    assert kinds(ws, project, "rating") == []
    assert rubric.parse_scores(["works=4", "works=4"], rubric.rubric(ws)) == {"works": 4}  # same value: harmless
    assert_one_line_error(cli("rate", project, "-v", "copilot", "-s", "works=3", "-s", "works=5"), "scored twice")


def test_cli_rates_a_side_blind_before_the_vote(ws: Workspace, project: str, cli: Cli) -> None:
    """"--variant A" scores side A of the waiting comparison without naming it, and records that it was blind."""
    assert_one_line_error(cli("rate", project, "-v", "A", "-s", "works=4"), "no blind comparison is waiting")
    started = json.loads(cli("compare", project, "--json").out)
    rated = cli("rate", project, "-v", "A", "-s", "works=4", "-s", "looks-right=3")
    assert rated.code == 0, rated.err
    assert "Rated side A of the blind comparison" in rated.out and not any(n in rated.out for n in NAMES)
    as_json = cli("rate", project, "-v", "b", "-s", "works=2", "--json")  # either case
    assert json.loads(as_json.out)["side"] == "B" and not any(n in as_json.out for n in NAMES)
    comparison = blind.pending_comparison(ws, project)
    assert comparison is not None and comparison.id == started["comparison"]
    recorded = kinds(ws, project, "rating")
    assert [(r["variant"], r["side"], r["comparison"], r["scores"]) for r in recorded] == [
        (comparison.a, "A", comparison.id, {"works": 4, "looks-right": 3}),
        (comparison.b, "B", comparison.id, {"works": 2}),
    ]
    assert "side" not in ratings.rate(ws, project, "copilot", ["works=5"])  # named ratings stay as they were
    with pytest.raises(SandboxError, match="not part of the blind comparison"):
        other = blind.Comparison("x", project, "claude-code", "claude-code", "claude-code", "claude-code")
        ratings.rate(ws, project, "copilot", ["works=5"], comparison=other)
