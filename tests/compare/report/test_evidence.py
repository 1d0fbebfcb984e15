"""Which votes the report counts as evidence: both sides worked, a rater's repeats once, the rest apart."""

from __future__ import annotations

from typing import Any

from sandbox.compare import report
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add

CC, CP = "claude-code", "copilot"


def cast(ws: Workspace, slug: str, winner: str, *, by: str | None = "ann", comparison: str = "c1",
         a: str = CC, b: str = CP, **fields: Any) -> None:
    add(ws, slug, "vote", comparison=comparison, a=a, b=b, a_assistant=a, b_assistant=b, winner=winner,
        **({"by": by} if by else {}), **fields)


def worked(ws: Workspace, slug: str, aid: str) -> None:
    add(ws, slug, "change", variant=aid, assistant=aid, session="s", mode="session", files=["index.html"],
        lines_added=3, lines_removed=0)


def evidence(ws: Workspace) -> dict[str, Any]:
    found: dict[str, Any] = report.build_report(ws, keep_events=False).data["evidence"]
    return found


def test_votes_on_untouched_copies_are_kept_out_and_say_why(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    cast(ws, slug, "B", by="ann")  # nobody has worked yet: the "Copilot won 1 of 1"
    worked(ws, slug, CC)
    cast(ws, slug, "A", by="bob")  # only Claude Code has worked
    data = report.build_report(ws, keep_events=False).data
    ev = data["evidence"]
    assert ev["counted"] == 0 and ev["pairs"] == []
    assert {r["reason"]: r["votes"] for r in ev["set_apart_by_reason"]} == {"neither": 1, "one-side": 1}
    texts = [h["text"] for h in data["headlines"]]
    assert "2 votes are not counted" in " ".join(texts)
    assert any("neither side had any assistant work" in t for t in texts)
    assert not any("was preferred" in t for t in texts)
    # every vote statistic counts evidence only: no head-to-head, no win rate from these two
    assert data["head_to_head"] == [] and data["bradley_terry"] is None
    assert all(a["votes"]["decisive"] == 0 for a in data["assistants"])


def test_work_after_the_vote_does_not_make_an_old_vote_count(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    cast(ws, slug, "A")
    worked(ws, slug, CC)
    worked(ws, slug, CP)
    ev = evidence(ws)
    assert ev["counted"] == 0 and ev["set_apart_by_reason"][0]["reason"] == "neither"


def test_recorded_worked_flags_win_over_the_ledger(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    cast(ws, slug, "A", by="ann", a_worked=True, b_worked=True)  # a new vote says so itself
    worked(ws, slug, CC)
    worked(ws, slug, CP)
    cast(ws, slug, "B", by="bob", comparison="c2", a_worked=True, b_worked=False)
    ev = evidence(ws)
    assert ev["counted"] == 1 and ev["pairs"][0]["a_wins"] == 1
    assert [r["reason"] for r in ev["set_apart_by_reason"]] == ["one-side"]


def test_runs_and_edits_count_as_work_by_variant_or_assistant(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    add(ws, slug, "run", variant=CC, assistant=CC, exit_code=0, files_changed=["index.html"], lines_added=2)
    add(ws, slug, "edit", assistant=CP, session="s", mode="session", file="index.html")  # no variant named
    add(ws, slug, "run", variant="other", assistant="other", exit_code=0)  # no changes: not work
    cast(ws, slug, "B")
    assert evidence(ws)["counted"] == 1


def test_a_raters_repeated_votes_count_once_the_last(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    worked(ws, slug, CC)
    worked(ws, slug, CP)
    for winner in ("A", "A", "B"):  # ann changed her mind on the same pair version
        cast(ws, slug, winner, by="ann", a_tree="t1", b_tree="t2")
    cast(ws, slug, "A", by="ann", a_tree="t1", b_tree="t3")  # the pair changed: a new version
    cast(ws, slug, "A", by="bob", a_tree="t1", b_tree="t2")
    cast(ws, slug, "A", by=None, a_tree="t1", b_tree="t2")  # no rater: cannot be told apart
    cast(ws, slug, "A", by=None, a_tree="t1", b_tree="t2")
    ev = evidence(ws)
    pair = ev["pairs"][0]
    assert (pair["a"], pair["b"]) == (CC, CP)
    assert (pair["a_wins"], pair["b_wins"]) == (4, 1)  # ann's last (B), ann on t3, bob, two unnamed
    assert pair["raters"] == 2 and pair["unnamed_votes"] == 2
    assert ev["set_apart_by_reason"] == [{"reason": "repeat", "votes": 2, "text": ev["set_apart_by_reason"][0]["text"]}]


def test_blinding_check_rate_per_pair(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    worked(ws, slug, CC)
    worked(ws, slug, CP)
    for i in range(12):
        cast(ws, slug, "A", by=f"r{i}", comparison=f"c{i}", guess_a=CC, guess_correct=i < 11)
    cast(ws, slug, "B", by="late", comparison="c99")  # no check answered
    blinding = evidence(ws)["pairs"][0]["blinding"]
    assert (blinding["checked"], blinding["correct"]) == (12, 11)
    assert blinding["rate"] == round(11 / 12, 4)
    assert blinding["text"].startswith("The blinding may be broken")


def test_violations_per_assistant_reach_the_report(ws: Workspace) -> None:
    slug = ws.new_project("Idea", "mini", assistants=[CC, CP]).slug
    add(ws, slug, "run", variant=CP, assistant=CP, exit_code=0, contained=False,
        violations=[{"path": "../claude-code/index.html", "what": "sibling"}, {"path": "../../ledger.jsonl",
                                                                               "what": "ledger"}])
    add(ws, slug, "run", variant=CC, assistant=CC, exit_code=0, contained=True, violations=[])
    data = report.build_report(ws, keep_events=False).data
    rows = {r["id"]: r for r in data["violations"]}
    assert rows[CP]["violations"] == 2 and rows[CP]["by_kind"] == {"ledger": 1, "sibling": 1}
    assert rows[CP]["not_contained"] == 1 and rows[CC]["violations"] == 0
    assert any(h["text"].startswith("GitHub Copilot touched files outside its own folder in 1 of 1")
               for h in data["headlines"])
