"""The summary: per-assistant numbers, head to head with Wilson and the sign test, Bradley-Terry, notes."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.compare import report, stats
from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.compare.report.conftest import by_id, vote


def test_per_assistant_numbers(filled: Workspace) -> None:
    data = report.build_report(filled).data
    assert data["totals"]["projects"] == 2
    rows = by_id(data["assistants"])
    cc, cp = rows["claude-code"], rows["copilot"]
    assert cc["projects"] == 2 and rows["codex"]["projects"] == 1
    assert cp["sessions"] == 2 and cp["session_minutes"] == 15.0
    assert cc["runs"] == 3 and cc["runs_ok"] == 1 and cc["run_success_rate"] == 0.3333
    # only the run that finished adds time and cost: the failed (exit 1) and timed-out ones add none
    assert cc["run_median_seconds"] == 30.0
    assert cc["run_cost_usd"] == 0.25 and cc["runs_with_cost"] == 1
    assert cp["runs"] == 0 and cp["run_success_rate"] is None and cp["run_cost_usd"] is None
    assert cc["first_working"] == {"projects": 1, "median_hours": 2.0}
    assert cp["first_working"] == {"projects": 1, "median_hours": 1.0}
    assert cc["ratings"] == 2 and cc["rating_minutes"] == 10
    works = cc["criteria"]["works"]
    _, low, high = stats.mean_ci([3, 4])
    assert low is not None and high is not None
    assert works == {"n": 2, "mean": 3.5, "low": round(low, 2), "high": round(high, 2)}
    assert cp["criteria"]["works"] == {"n": 1, "mean": 5.0, "low": None, "high": None}
    assert cc["criteria"]["show-users"]["n"] == 0
    assert cc["overall"]["mean"] == 4.0  # (3.5 + 4.5) / 2


def test_head_to_head_wilson_sign_test_and_apart_counts(filled: Workspace) -> None:
    data = report.build_report(filled).data
    pair = next(h for h in data["head_to_head"] if (h["a"], h["b"]) == ("claude-code", "copilot"))
    assert (pair["a_wins"], pair["b_wins"], pair["ties"], pair["both_bad"]) == (14, 6, 3, 2)
    assert pair["decisive"] == 20 and pair["votes"] == 25
    assert pair["a_win_rate"] == 0.7 and (pair["low"], pair["high"]) == (0.481, 0.8545)
    assert pair["p_value"] == pytest.approx(0.1153, abs=1e-4)
    assert pair["enough_votes"] is False
    cc = by_id(data["assistants"])["claude-code"]["votes"]
    assert (cc["wins"], cc["losses"], cc["ties"], cc["both_bad"]) == (15, 6, 3, 2)
    assert data["votes_needed"] == 194
    assert any("only 20 decisive votes of the 194 needed" in n for n in data["notes"])
    # position bias: A won 7 + 3 + 1 = ... count directly from the ledgers
    position = data["position"]
    assert position["decisive"] == 22 and position["a_wins"] + position["b_wins"] == 22
    assert position["text"].startswith("Position bias: A won")


def test_bradley_terry_only_with_three_assistants(filled: Workspace) -> None:
    data = report.build_report(filled, replicates=100).data
    bt = data["bradley_terry"]
    assert bt is not None and {s["id"] for s in bt["strengths"]} == {"claude-code", "copilot", "codex"}
    assert sum(s["strength"] for s in bt["strengths"]) == pytest.approx(1, abs=1e-3)
    for s in bt["strengths"]:
        assert s["low"] <= s["strength"] <= s["high"]
    assert data["bradley_terry"] == report.build_report(filled, replicates=100).data["bradley_terry"]  # seeded
    groups = {g["group"]: g for g in data["by_category"]}
    assert set(groups) == {"finance", "support"}
    assert groups["finance"]["bradley_terry"] is None  # two assistants: win rates say it all
    assert groups["support"]["bradley_terry"] is not None
    assert [g["group"] for g in data["by_template"]] == ["mini"]
    assert data["by_template"][0]["head_to_head"] == data["head_to_head"]


def test_empty_workspace(ws: Workspace) -> None:
    data = report.build_report(ws).data
    assert data["totals"]["projects"] == 0 and data["assistants"] == [] and data["bradley_terry"] is None
    assert data["notes"][0].startswith("No votes yet")
    for fmt in report.FORMATS:
        assert report.render(report.build_report(ws), fmt)


WORKED: dict[str, Any] = {"a_worked": True, "b_worked": True}  # both sides carry assistant work: the votes are evidence


def test_enough_votes_still_get_a_sentence_and_many_pairs_a_caution(ws: Workspace) -> None:
    slug = ws.new_project("Big", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    events = [
        {"kind": "vote", "comparison": str(i), "a": "claude-code", "b": "copilot", "a_assistant": "claude-code",
         "b_assistant": "copilot", "winner": "A" if i < 150 else "B", **WORKED}
        for i in range(250)
    ]
    events.append({"kind": "vote", "comparison": "c", "a": "codex", "b": "copilot", "a_assistant": "codex",
                   "b_assistant": "copilot", "winner": "A", **WORKED})
    events.append({"kind": "vote", "comparison": "d", "a": "codex", "b": "claude-code", "a_assistant": "codex",
                   "b_assistant": "claude-code", "winner": "B", **WORKED})
    written = [ledger.new_event(e.pop("kind"), project=slug, **e) for e in events]
    ledger.append_events(ws.project(slug).ledger_path, written)
    data = report.build_report(ws, replicates=20, group_replicates=20).data
    pair = next(h for h in data["head_to_head"] if (h["a"], h["b"]) == ("claude-code", "copilot"))
    assert pair["enough_votes"] is True
    assert any(n.startswith("Claude Code vs GitHub Copilot: Claude Code won 150 of 250") and "clear preference" in n
               for n in data["notes"])
    assert any(n.startswith("OpenAI Codex vs GitHub Copilot: OpenAI Codex won 1 of 1") for n in data["notes"])
    assert any("3 pairs are compared" in n and "one pair in 20" in n for n in data["notes"])


def test_votes_needed_wording_is_honest_about_the_approximation(filled: Workspace) -> None:
    """194 is the normal approximation; the exact sign test has only ~76% power there."""
    text = report.build_report(filled).data["votes_needed_explained"]
    assert text.startswith("About 194 decisive votes") and "normal approximation" in text
    assert "exact sign test" in text and "needs a few more" in text
    assert stats.sign_test_power(194) < 0.8


def test_only_ties_give_no_multiple_testing_caution(ws: Workspace) -> None:
    slug = ws.new_project("Ties", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    for a, b in (("claude-code", "copilot"), ("copilot", "codex"), ("codex", "claude-code")):
        vote(ws, slug, a, b, "tie")
    notes = report.build_report(ws, replicates=20).data["notes"]
    assert len(notes) == 3 and all("no decisive votes yet" in n for n in notes)
    assert not any("pairs are compared" in n for n in notes)  # no p-value, nothing to correct for
