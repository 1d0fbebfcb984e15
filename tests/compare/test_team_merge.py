"""A team shares a workspace through git: union-merged ledgers count every event once."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sandbox.workspace import Workspace
from tests.compare.conftest import Cli
from tests.support.browser import require_program
from tests.support.work import give_work


@pytest.fixture(autouse=True)
def _needs_git() -> None:
    require_program("git")


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, capture_output=True, text=True,
    )
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def report(cli: Cli, root: Path) -> dict[str, Any]:
    result = cli("report", "--format", "json", cwd=root)
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


def vote_counts(data: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for pair in data["head_to_head"]:
        for key in ("a_wins", "b_wins", "ties", "both_bad"):
            counts[(pair["a"], pair["b"], key)] += pair[key]
    return counts


def rating_counts(data: dict[str, Any]) -> Counter[str]:
    return Counter({a["id"]: a["ratings"] for a in data["assistants"]})


def work(cli: Cli, root: Path, slug: str, user: str, votes: list[str], ratings: list[tuple[str, str]]) -> None:
    env = {"SANDBOX_USER": user}
    for variant, score in ratings:
        assert cli("rate", slug, "--variant", variant, "--score", score, cwd=root, env=env).code == 0
    for winner in votes:
        started = cli("compare", slug, "--no-serve", cwd=root, env=env)
        assert started.code == 0, started.err
        assert cli("vote", slug, "--winner", winner, cwd=root, env=env).code == 0


def test_two_clones_merge_without_conflict_and_report_the_sum(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    base = ws.root
    for title in ("Expense approvals", "Help desk"):
        created = cli("new", title, "--template", "mini", "-a", "claude-code", "-a", "copilot", "-a", "codex", cwd=base)
        assert created.code == 0
    assert "merge=union" in (base / "projects" / ".gitattributes").read_text()
    for slug in ("expense-approvals", "help-desk"):
        for variant in ("claude-code", "copilot", "codex"):
            give_work(ws, slug, variant)  # an untouched pair is refused (issue 11)
    git(base, "init", "-q", "-b", "main")
    git(base, "add", "-A")
    git(base, "commit", "-q", "-m", "workspace")
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    git(tmp_path, "clone", "-q", str(base), str(alice))
    git(tmp_path, "clone", "-q", str(base), str(bob))
    before = report(cli, base)

    work(cli, alice, "expense-approvals", "alice", ["A", "B", "tie", "A"],
         [("copilot", "works=4"), ("codex", "works=2")])
    work(cli, alice, "help-desk", "alice", ["both-bad"], [])
    work(cli, bob, "expense-approvals", "bob", ["B", "B", "A"],
         [("claude-code", "works=5"), ("copilot", "looks-right=3")])
    work(cli, bob, "help-desk", "bob", ["tie", "A"], [("codex", "works=4")])
    for clone in (alice, bob):
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "feedback")
    part_a, part_b = report(cli, alice), report(cli, bob)

    git(alice, "pull", "-q", "--no-rebase", "--no-edit", str(bob), "main")  # a real merge, both sides appended
    status = git(alice, "status", "--porcelain")
    assert status == "", status  # no conflict, nothing left over
    ledger_text = (alice / "projects" / "expense-approvals" / "ledger.jsonl").read_text()
    assert "<<<<<<<" not in ledger_text and ">>>>>>>" not in ledger_text
    merged = report(cli, alice)

    new_a = part_a["totals"]["events"] - before["totals"]["events"]
    new_b = part_b["totals"]["events"] - before["totals"]["events"]
    assert new_a > 0 and new_b > 0
    assert merged["totals"]["events"] == before["totals"]["events"] + new_a + new_b
    assert merged["totals"]["duplicates_skipped"] == 0 and merged["totals"]["damaged_lines"] == 0
    assert vote_counts(merged) == vote_counts(part_a) + vote_counts(part_b)
    assert sum(vote_counts(merged).values()) == 4 + 1 + 3 + 2
    assert rating_counts(merged) == rating_counts(part_a) + rating_counts(part_b)
    assert merged["comparisons"] == part_a["comparisons"] + part_b["comparisons"] == 10

    # merging the other way, and merging again, changes nothing: every event still counts once
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", str(alice), "main")
    assert report(cli, bob)["totals"] == merged["totals"]
    git(alice, "pull", "-q", "--no-rebase", "--no-edit", str(bob), "main")
    assert report(cli, alice)["head_to_head"] == merged["head_to_head"]

    # a ledger line repeated by a clumsy manual merge is still counted once
    path = alice / "projects" / "help-desk" / "ledger.jsonl"
    path.write_text(path.read_text() * 2)
    doubled = report(cli, alice)
    assert doubled["totals"]["events"] == merged["totals"]["events"]
    assert doubled["head_to_head"] == merged["head_to_head"]
    assert doubled["totals"]["duplicates_skipped"] > 0
