"""Blind comparisons: random recorded positions, the fewest-voted pair next, votes with a reveal."""

from __future__ import annotations

import json
import random

import pytest

from sandbox.compare import blind
from sandbox.core.errors import SandboxError
from sandbox.workspace import Workspace
from tests.compare.conftest import NAMES, Cli, kinds
from tests.conftest import assert_one_line_error
from tests.support.work import give_work


def test_positions_are_random_and_recorded(ws: Workspace, project: str) -> None:
    rng = random.Random(1)
    firsts = set()
    for _ in range(12):
        comparison = blind.start_comparison(ws, project, rng=rng)
        firsts.add(comparison.a)
        blind.vote(ws, project, "tie")
    assert firsts == {"claude-code", "copilot"}  # both orders happen
    compares = kinds(ws, project, "compare")
    assert len(compares) == 12
    for event in compares:
        assert {event["a"], event["b"]} == {"claude-code", "copilot"}
        assert event["a_assistant"] == event["a"] and event["b_assistant"] == event["b"]


def test_vote_reveals_and_records_the_pairing(ws: Workspace, project: str) -> None:
    comparison = blind.start_comparison(ws, project, rng=random.Random(4))
    assert blind.pending_comparison(ws, project) == comparison
    hidden = json.dumps(comparison.blind_dict())
    assert not any(name in hidden for name in NAMES)
    event = blind.vote(ws, project, "b", reason="clearer", by="bo")
    assert event["winner"] == "B" and event["winner_assistant"] == comparison.b_assistant
    assert (event["a"], event["b"], event["comparison"]) == (comparison.a, comparison.b, comparison.id)
    assert event["reason"] == "clearer" and event["by"] == "bo"
    text = blind.reveal_text(ws, comparison, "B")
    names = {"claude-code": "Claude Code", "copilot": "GitHub Copilot"}
    assert text == f"A was {names[comparison.a]}, B was {names[comparison.b]}. You preferred B ({names[comparison.b]})."
    assert blind.pending_comparison(ws, project) is None
    with pytest.raises(SandboxError, match="no comparison is waiting"):
        blind.vote(ws, project, "A")
    with pytest.raises(SandboxError, match="A, B, tie or both-bad"):
        blind.normalise_winner("C")
    assert blind.normalise_winner("Both bad") == "both-bad"


def test_fewest_voted_pair_comes_next(ws: Workspace) -> None:
    slug = ws.new_project("Three", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    for variant in ("claude-code", "copilot", "codex"):
        give_work(ws, slug, variant)
    rng = random.Random(9)
    seen = []
    for _ in range(3):
        comparison = blind.start_comparison(ws, slug, rng=rng)
        seen.append(frozenset((comparison.a, comparison.b)))
        blind.vote(ws, slug, "A")
    assert len(set(seen)) == 3  # every pair once before any pair twice
    chosen = blind.start_comparison(ws, slug, ["codex", "copilot"], rng=rng)
    assert {chosen.a, chosen.b} == {"codex", "copilot"}
    with pytest.raises(SandboxError, match="exactly two"):
        blind.start_comparison(ws, slug, ["codex"])


def test_cli_rate_compare_vote(ws: Workspace, project: str, cli: Cli) -> None:
    result = cli("rate", project, "--variant", "copilot", "--score", "works=5", "-s", "looks-right=4", "--minutes", "3")
    assert result.code == 0, result.err
    assert "works=5" in result.out
    assert_one_line_error(cli("rate", project, "--variant", "copilot"), "at least one --score", "works")
    assert_one_line_error(cli("rate", project, "--variant", "copilot", "-s", "works=0"), "from 1 to 5")
    assert_one_line_error(cli("vote", project, "--winner", "A"), "no comparison is waiting")

    started = cli("compare", project)  # not a terminal: prints neutral file links and returns
    assert started.code == 0, started.err
    assert not any(name in started.out for name in NAMES), started.out
    assert "/A/index.html" in started.out and "/B/index.html" in started.out
    again = cli("compare", project, "--json")
    data = json.loads(again.out)
    assert data["resumed"] is True and not any(name in again.out for name in NAMES)

    assert_one_line_error(cli("vote", project, "--winner", "C"), "A, B, tie or both-bad")
    voted = cli("vote", project, "--winner", "A", "--reason", "cleaner", env={"SANDBOX_USER": "ann"})
    assert voted.code == 0, voted.err
    assert "A was " in voted.out and ("Claude Code" in voted.out and "GitHub Copilot" in voted.out)
    vote = kinds(ws, project, "vote")[0]
    assert vote["comparison"] == data["comparison"] and vote["reason"] == "cleaner"
    assert vote["by"] == "ann"


def test_interactive_vote_while_previews_are_served(
    ws: Workspace, project: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sandbox.cli import feedback as cli_feedback

    comparison = blind.start_comparison(ws, project)
    answers = iter(["maybe", "tie", "same quality", "nobody", comparison.a_assistant])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    cli_feedback._vote_here(ws, comparison)
    out = capsys.readouterr().out
    assert "the vote must be A, B, tie or both-bad, not 'maybe'" in out
    assert "answer claude-code or copilot, unsure, or Enter to skip" in out, "the blinding check asks again"
    assert "Recorded tie. A was " in out
    vote = kinds(ws, project, "vote")[0]
    assert (vote["winner"], vote["reason"], vote["comparison"]) == ("tie", "same quality", comparison.id)
    assert vote["guess_correct"] is True and vote["via"] == "cli"
    answers = iter([""])
    blind.start_comparison(ws, project)
    cli_feedback._vote_here(ws, blind.pending_comparison(ws, project))  # Enter alone: vote later
    assert len(kinds(ws, project, "vote")) == 1 and blind.pending_comparison(ws, project) is not None


def test_log_hides_a_waiting_comparison_until_the_vote(ws: Workspace, project: str, cli: Cli) -> None:
    comparison = blind.start_comparison(ws, project)
    hidden = [r["event"] for r in json.loads(cli("log", project, "--json", "--no-git").out) if r["kind"] == "compare"]
    assert hidden and all(hidden[0][k] == "hidden until the vote" for k in ("a", "b", "a_assistant", "b_assistant"))
    assert not any(name in json.dumps(hidden) for name in NAMES)
    blind.vote(ws, project, "A")
    shown = [r["event"] for r in json.loads(cli("log", project, "--json", "--no-git").out) if r["kind"] == "compare"]
    assert shown[0]["a"] == comparison.variant("A")
