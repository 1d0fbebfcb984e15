"""Ratings on the rubric, blind comparisons with random recorded positions, votes with a reveal."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from sandbox.compare import feedback
from sandbox.core import ledger
from sandbox.core.errors import SandboxError, SpecError
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error

NAMES = ("claude-code", "Claude Code", "copilot", "Copilot", "codex", "Codex")


@pytest.fixture
def project(ws: Workspace) -> str:
    return ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"]).slug


def kinds(ws: Workspace, slug: str, kind: str) -> list[dict]:
    return [e for e in ledger.read(ws.project(slug).ledger_path).events if e["kind"] == kind]


def test_default_rubric(ws: Workspace) -> None:
    criteria = feedback.rubric(ws)
    assert [c.label for c in criteria] == [
        "Matches the idea", "Looks right", "Works without errors", "Easy to change", "Would show it to users",
    ]
    assert all(c.hint for c in criteria)
    assert feedback.WORKS_CRITERION in [c.id for c in criteria]


def test_rubric_from_sandbox_yaml(ws: Workspace) -> None:
    (ws.root / "sandbox.yaml").write_text(
        "rubric:\n  - Loads fast\n  - id: works\n    label: Works\n    hint: No errors in the console\n"
    )
    ws.reload()
    assert [(c.id, c.label, c.hint) for c in feedback.rubric(ws)] == [
        ("loads-fast", "Loads fast", ""), ("works", "Works", "No errors in the console"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rubric:\n  - Loads fast\n  - 42\n", 3, "must be a label or a mapping"),
        ("rubric:\n  - id: a\n    label: A\n  - id: a\n    label: B\n", 4, "used twice"),
        ("rubric:\n  - id: Bad Id\n    label: A\n", 2, "lowercase"),
        ("rubric:\n  - label: A\n    colour: red\n", 2, "unknown field 'colour'"),
        ("rubric: []\n", 1, "empty"),
    ],
)
def test_bad_rubric_points_at_its_line(ws: Workspace, text: str, line: int, words: str) -> None:
    (ws.root / "sandbox.yaml").write_text(text)
    ws.reload()
    with pytest.raises(SpecError) as caught:
        feedback.rubric(ws)
    assert caught.value.line == line and words in str(caught.value)


def test_rate_records_an_event(ws: Workspace, project: str) -> None:
    event = feedback.rate(ws, project, "copilot", ["works=4", "Looks right=5", "match=3"], minutes=12, note=" ok ", by="ann")
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
        feedback.rate(ws, project, variant, scores)
    assert words in str(caught.value)
    assert kinds(ws, project, "rating") == []


def test_positions_are_random_and_recorded(ws: Workspace, project: str) -> None:
    rng = random.Random(1)
    firsts = set()
    for _ in range(12):
        comparison = feedback.start_comparison(ws, project, rng=rng)
        firsts.add(comparison.a)
        feedback.vote(ws, project, "tie")
    assert firsts == {"claude-code", "copilot"}  # both orders happen
    compares = kinds(ws, project, "compare")
    assert len(compares) == 12
    for event in compares:
        assert {event["a"], event["b"]} == {"claude-code", "copilot"}
        assert event["a_assistant"] == event["a"] and event["b_assistant"] == event["b"]


def test_vote_reveals_and_records_the_pairing(ws: Workspace, project: str) -> None:
    comparison = feedback.start_comparison(ws, project, rng=random.Random(4))
    assert feedback.pending_comparison(ws, project) == comparison
    blind = json.dumps(comparison.blind_dict())
    assert not any(name in blind for name in NAMES)
    event = feedback.vote(ws, project, "b", reason="clearer", by="bo")
    assert event["winner"] == "B" and event["winner_assistant"] == comparison.b_assistant
    assert (event["a"], event["b"], event["comparison"]) == (comparison.a, comparison.b, comparison.id)
    assert event["reason"] == "clearer" and event["by"] == "bo"
    text = feedback.reveal_text(ws, comparison, "B")
    names = {"claude-code": "Claude Code", "copilot": "GitHub Copilot"}
    assert text == f"A was {names[comparison.a]}, B was {names[comparison.b]}. You preferred B ({names[comparison.b]})."
    assert feedback.pending_comparison(ws, project) is None
    with pytest.raises(SandboxError, match="no comparison is waiting"):
        feedback.vote(ws, project, "A")
    with pytest.raises(SandboxError, match="A, B, tie or both-bad"):
        feedback.normalise_winner("C")
    assert feedback.normalise_winner("Both bad") == "both-bad"


def test_fewest_voted_pair_comes_next(ws: Workspace) -> None:
    slug = ws.new_project("Three", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    rng = random.Random(9)
    seen = []
    for _ in range(3):
        comparison = feedback.start_comparison(ws, slug, rng=rng)
        seen.append(frozenset((comparison.a, comparison.b)))
        feedback.vote(ws, slug, "A")
    assert len(set(seen)) == 3  # every pair once before any pair twice
    chosen = feedback.start_comparison(ws, slug, ["codex", "copilot"], rng=rng)
    assert {chosen.a, chosen.b} == {"codex", "copilot"}
    with pytest.raises(SandboxError, match="exactly two"):
        feedback.start_comparison(ws, slug, ["codex"])


def test_blind_file_url_names_nobody(ws: Workspace, project: str) -> None:
    comparison = feedback.start_comparison(ws, project)
    for side in ("A", "B"):
        url = feedback.blind_file_url(ws, comparison, side)
        assert url.startswith("file://") and url.endswith(f"/{side}/index.html")
        assert not any(name in url for name in NAMES)
        path = Path(url.removeprefix("file://"))
        assert path.resolve() == (ws.project(project).variant_dir(comparison.variant(side)) / "index.html").resolve()
    assert (ws.project(project).state_dir / "compare" / ".gitignore").read_text() == "*\n"


def test_cli_rate_compare_vote(ws: Workspace, project: str, cli) -> None:
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


def test_interactive_vote_while_previews_are_served(ws: Workspace, project: str, monkeypatch, capsys) -> None:
    from sandbox.cli import feedback as cli_feedback

    comparison = feedback.start_comparison(ws, project)
    answers = iter(["maybe", "tie", "same quality"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    cli_feedback._vote_here(ws, comparison)
    out = capsys.readouterr().out
    assert "the vote must be A, B, tie or both-bad, not 'maybe'" in out
    assert "Recorded tie. A was " in out
    vote = kinds(ws, project, "vote")[0]
    assert (vote["winner"], vote["reason"], vote["comparison"]) == ("tie", "same quality", comparison.id)
    answers = iter([""])
    feedback.start_comparison(ws, project)
    cli_feedback._vote_here(ws, feedback.pending_comparison(ws, project))  # Enter alone: vote later
    assert len(kinds(ws, project, "vote")) == 1 and feedback.pending_comparison(ws, project) is not None


def test_blind_previews_hide_the_briefs_that_name_the_assistant(ws: Workspace, project: str) -> None:
    import urllib.error
    import urllib.request

    comparison = feedback.start_comparison(ws, project, rng=random.Random(3))
    urls, servers = feedback.serve_blind(ws, comparison)
    try:
        for side, url in urls.items():
            assert "claude" not in url and "copilot" not in url
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
            root = url.rsplit("/", 1)[0]
            for brief in ("CLAUDE.md", "AGENTS.md", ".github/copilot-instructions.md"):
                with pytest.raises(urllib.error.HTTPError) as info:
                    urllib.request.urlopen(f"{root}/{brief}", timeout=10)
                assert info.value.code == 404, (side, brief)
    finally:
        for server in servers:
            server.stop()


def test_a_criterion_scored_twice_is_refused_not_silently_overwritten(ws: Workspace, project: str, cli) -> None:
    with pytest.raises(SandboxError, match=r"'works' is scored twice \(3 and 5\); give it once"):
        feedback.rate(ws, project, "copilot", ["works=3", "Works without errors=5"])
    assert kinds(ws, project, "rating") == []
    assert feedback.parse_scores(["works=4", "works=4"], feedback.rubric(ws)) == {"works": 4}  # same value: harmless
    assert_one_line_error(cli("rate", project, "-v", "copilot", "-s", "works=3", "-s", "works=5"), "scored twice")


def test_cli_rates_a_side_blind_before_the_vote(ws: Workspace, project: str, cli) -> None:
    """"--variant A" scores side A of the waiting comparison without naming it, and records that it was blind."""
    assert_one_line_error(cli("rate", project, "-v", "A", "-s", "works=4"), "no blind comparison is waiting")
    started = json.loads(cli("compare", project, "--json").out)
    rated = cli("rate", project, "-v", "A", "-s", "works=4", "-s", "looks-right=3")
    assert rated.code == 0, rated.err
    assert "Rated side A of the blind comparison" in rated.out and not any(n in rated.out for n in NAMES)
    as_json = cli("rate", project, "-v", "b", "-s", "works=2", "--json")  # either case
    assert json.loads(as_json.out)["side"] == "B" and not any(n in as_json.out for n in NAMES)
    comparison = feedback.pending_comparison(ws, project)
    assert comparison is not None and comparison.id == started["comparison"]
    ratings = kinds(ws, project, "rating")
    assert [(r["variant"], r["side"], r["comparison"], r["scores"]) for r in ratings] == [
        (comparison.a, "A", comparison.id, {"works": 4, "looks-right": 3}),
        (comparison.b, "B", comparison.id, {"works": 2}),
    ]
    assert "side" not in feedback.rate(ws, project, "copilot", ["works=5"])  # named ratings stay as they were
    with pytest.raises(SandboxError, match="not part of the blind comparison"):
        other = feedback.Comparison("x", project, "claude-code", "claude-code", "claude-code", "claude-code")
        feedback.rate(ws, project, "copilot", ["works=5"], comparison=other)


def test_log_hides_a_waiting_comparison_until_the_vote(ws: Workspace, project: str, cli) -> None:
    comparison = feedback.start_comparison(ws, project)
    hidden = [r["event"] for r in json.loads(cli("log", project, "--json", "--no-git").out) if r["kind"] == "compare"]
    assert hidden and all(hidden[0][k] == "hidden until the vote" for k in ("a", "b", "a_assistant", "b_assistant"))
    assert not any(name in json.dumps(hidden) for name in NAMES)
    feedback.vote(ws, project, "A")
    shown = [r["event"] for r in json.loads(cli("log", project, "--json", "--no-git").out) if r["kind"] == "compare"]
    assert shown[0]["a"] == comparison.variant("A")
