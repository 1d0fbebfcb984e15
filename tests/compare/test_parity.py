"""Only comparisons that mean something: identical pairs refused, one-sided warned, votes pinned to what was seen."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from sandbox.compare import blind, blind_preview, parity
from sandbox.compare.rubric import FeedbackError
from sandbox.core import ledger
from sandbox.core.fs import sha256_bytes
from sandbox.workspace import Workspace
from tests.compare.conftest import Cli, kinds
from tests.conftest import assert_one_line_error
from tests.support.work import give_work


@pytest.fixture
def untouched(ws: Workspace) -> str:
    """A project whose two variants are the template as rendered: no assistant has worked yet."""
    return str(ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"]).slug)


def _variant(ws: Workspace, slug: str, variant: str) -> Path:
    return Path(ws.project(slug).variant_dir(variant))


def test_an_untouched_pair_is_refused_in_plain_words(ws: Workspace, untouched: str, cli: Cli) -> None:
    status = blind.pair_status(ws, untouched, "claude-code", "copilot")
    assert status.status == blind.REFUSED and status.message == blind.IDENTICAL
    with pytest.raises(FeedbackError) as info:
        blind.start_comparison(ws, untouched)
    assert str(info.value) == "nothing to compare yet: neither assistant has changed its prototype"
    assert_one_line_error(cli("compare", untouched, "--no-serve"), "nothing to compare yet")
    assert not kinds(ws, untouched, ledger.COMPARE), "no comparison was recorded"


def test_a_pair_that_differs_only_in_identity_files_is_identical(ws: Workspace, untouched: str) -> None:
    root = _variant(ws, untouched, "copilot")
    for rel in ("CLAUDE.md", "docs/AGENTS.md", ".claude/settings.json", ".github/hooks/edit.json",
                "sub/.github/copilot-instructions.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("made by copilot\n")
    before = parity.variant_hashes(ws, ws.project(untouched), "claude-code")
    after = parity.variant_hashes(ws, ws.project(untouched), "copilot")
    assert before.tree == after.tree and before.brief != after.brief
    assert blind.pair_status(ws, untouched, "claude-code", "copilot").status == blind.REFUSED


def test_tree_hash_is_the_documented_digest(ws: Workspace, untouched: str) -> None:
    """docs/EVENTS.md: sha256 over sorted "<path>\\0<sha256>\\n" lines, identity files left out."""
    root = _variant(ws, untouched, "copilot")
    lines = sorted(
        f"{p.relative_to(root).as_posix()}\0{sha256_bytes(p.read_bytes())}\n"
        for p in root.rglob("*") if p.is_file() and not parity.is_identity(p.relative_to(root).as_posix())
    )
    assert parity.tree_sha256(ws, ws.project(untouched), "copilot") == sha256_bytes("".join(lines).encode())


@pytest.mark.parametrize(("rel", "identity"), [
    ("CLAUDE.md", True), ("a/b/claude.md", True), ("AGENTS.md", True), ("x/AGENTS.md", True),
    (".claude/settings.json", True), ("deep/.claude/x", True), (".github/hooks/h.json", True),
    (".github/copilot-instructions.md", True), (".github/workflows/ci.yml", False), ("index.html", False),
    ("CLAUDE.md.txt", False), ("claude/index.html", False),
])
def test_identity_files_at_any_depth(rel: str, identity: bool) -> None:
    assert parity.is_identity(rel) is identity


def test_a_one_sided_pair_is_warned_and_the_vote_says_so(ws: Workspace, untouched: str, cli: Cli) -> None:
    give_work(ws, untouched, "copilot")
    status = blind.pair_status(ws, untouched, "claude-code", "copilot")
    assert status.status == blind.WARN and status.message == blind.ONE_SIDED
    started = cli("compare", untouched, "--no-serve")
    assert started.code == 0 and blind.ONE_SIDED in started.err, started.err
    assert "copilot" not in started.err and "claude" not in started.err, "the warning names neither side"
    voted = cli("vote", untouched, "--winner", "A", "--json")
    assert voted.code == 0, voted.err
    [vote] = kinds(ws, untouched, ledger.VOTE)
    worked = {vote["a_assistant"]: vote["a_worked"], vote["b_assistant"]: vote["b_worked"]}
    assert worked == {"copilot": True, "claude-code": False}


def test_two_sides_with_work_are_ok(ws: Workspace, project: str) -> None:
    status = blind.pair_status(ws, project, "claude-code", "copilot")
    assert status.status == blind.OK and status.message is None


def test_compare_and_vote_record_the_hashes_of_what_was_seen(ws: Workspace, project: str, cli: Cli) -> None:
    p = ws.project(project)
    p.append(ledger.RUN, variant="copilot", assistant="copilot", session="s1", mode="run", cli_version="1.2.3",
             files_changed=["work.html"])
    comparison = blind.start_comparison(ws, project, rng=random.Random(1))
    [compare] = kinds(ws, project, ledger.COMPARE)
    for side in ("a", "b"):
        hashes = parity.variant_hashes(ws, p, compare[side])
        assert compare[f"{side}_tree"] == hashes.tree and compare[f"{side}_brief"] == hashes.brief
    event = blind.record_vote(ws, comparison, "B", by="ana", guess=comparison.b_assistant, via="tui")
    [vote] = kinds(ws, project, ledger.VOTE)
    assert vote["id"] == event["id"]
    for key in ("a_tree", "b_tree", "a_brief", "b_brief"):
        assert vote[key] == compare[key], key
    assert vote["template_sha256"] == parity.template_sha256(ws, "mini") and len(vote["template_sha256"]) == 64
    versions = {vote["a_assistant"]: vote.get("a_cli_version"), vote["b_assistant"]: vote.get("b_cli_version")}
    assert versions == {"copilot": "1.2.3", "claude-code": None}
    assert vote["a_worked"] is True and vote["b_worked"] is True and vote["via"] == "tui"
    assert vote["guess_a"] == comparison.b_assistant and vote["guess_correct"] is False and vote["guess"] == "B"


def test_blinding_check_right_unsure_and_refused(ws: Workspace, project: str, cli: Cli) -> None:
    comparison = blind.start_comparison(ws, project)
    with pytest.raises(FeedbackError, match="the guess for A must be"):
        blind.record_vote(ws, comparison, "A", guess="codex")
    event = blind.record_vote(ws, comparison, "A", guess=comparison.a_assistant)
    assert event["guess_correct"] is True and event["guess"] == "A"
    assert cli("compare", project, "--no-serve").code == 0
    voted = cli("vote", project, "--winner", "tie", "--guess", "unsure", "--json")
    assert voted.code == 0, voted.err
    last = kinds(ws, project, ledger.VOTE)[-1]
    assert last["guess"] == "unsure" and "guess_correct" not in last and last["via"] == "cli"


def test_a_vote_on_a_pair_that_changed_since_its_previews_opened_is_refused(
    ws: Workspace, project: str, cli: Cli
) -> None:
    comparison = blind.start_comparison(ws, project, rng=random.Random(2))
    (_variant(ws, project, comparison.b) / "work.html").write_text("<p>changed while the rater looked</p>\n")
    with pytest.raises(FeedbackError, match="B changed since this comparison's previews opened"):
        blind.record_vote(ws, comparison, "A")
    assert_one_line_error(cli("vote", project, "--winner", "A"), "the vote is refused", "sandbox compare")
    assert not kinds(ws, project, ledger.VOTE)
    # what the refusal says to do works: a new comparison, not the stale one resumed
    started = json.loads(cli("compare", project, "--no-serve", "--json").out)
    assert started["resumed"] is False and started["comparison"] != comparison.id
    assert cli("vote", project, "--winner", "A").code == 0
    assert [v["comparison"] for v in kinds(ws, project, ledger.VOTE)] == [started["comparison"]]


def test_a_changed_brief_also_refuses_the_vote(ws: Workspace, project: str) -> None:
    comparison = blind.start_comparison(ws, project)
    (_variant(ws, project, comparison.a) / "AGENTS.md").write_text("new brief\n")
    with pytest.raises(FeedbackError, match="A changed"):
        blind.record_vote(ws, comparison, "tie")


def test_automatic_pairing_passes_over_identical_pairs(ws: Workspace) -> None:
    slug = ws.new_project("Three", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    give_work(ws, slug, "codex")
    for _ in range(4):
        comparison = blind.start_comparison(ws, slug)
        assert "codex" in (comparison.a, comparison.b), "claude-code vs copilot is identical"
        blind.vote(ws, slug, "tie")


def test_served_text_naming_an_assistant_warns_that_the_blinding_may_be_broken(
    ws: Workspace, project: str, cli: Cli
) -> None:
    comparison = blind.start_comparison(ws, project)
    assert blind_preview.blinding_warning(ws, comparison) is None, "cursor: pointer and friends name nobody"
    footer = "<footer>Generated by Claude</footer>\n"
    (_variant(ws, project, comparison.a) / "index.html").write_text(footer)
    (_variant(ws, project, comparison.a) / "style.css").write_text("a { cursor: pointer }\n")
    warning = blind_preview.blinding_warning(ws, comparison)
    assert warning == "the blinding may be broken: what is shown names an assistant (A: index.html)"
    assert (_variant(ws, project, comparison.a) / "index.html").read_text() == footer, "not altered"
    started = json.loads(cli("compare", project, "--no-serve", "--json").out)
    # The pair changed since the first comparison, so the CLI started a new one, with its own A and B.
    fresh = kinds(ws, project, "compare")[-1]
    side = "A" if fresh["a"] == comparison.a else "B"
    assert f"the blinding may be broken: what is shown names an assistant ({side}: index.html)" in started["warnings"]
