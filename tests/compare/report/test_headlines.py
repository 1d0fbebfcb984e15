"""The report in plain words first: one headline per pair and category, tables within 80 columns."""

from __future__ import annotations

import json

from sandbox.compare import report
from sandbox.compare.report import headlines
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add
from tests.compare.report.generated import write_workspace

CC, CP, CX = "claude-code", "copilot", "codex"


def both_worked(ws: Workspace, slug: str, *aids: str) -> None:
    for aid in aids:
        add(ws, slug, "change", variant=aid, assistant=aid, session="s", mode="session", files=["index.html"],
            lines_added=1, lines_removed=0)


def votes(ws: Workspace, slug: str, a: str, b: str, a_wins: int, b_wins: int, ties: int = 0) -> None:
    outcomes = ["A"] * a_wins + ["B"] * b_wins + ["tie"] * ties
    for i, winner in enumerate(outcomes):
        add(ws, slug, "vote", comparison=f"{slug}-{i}", a=a, b=b, a_assistant=a, b_assistant=b, winner=winner,
            by=f"rater-{i % 4}")


def arena(ws: Workspace) -> Workspace:
    """Claude Code preferred 7 of 10 in finance; Copilot 10 of 10 against Codex in support."""
    finance = ws.new_project("Budget", "mini", category="finance", assistants=[CC, CP]).slug
    support = ws.new_project("Helpdesk", "mini", category="support", assistants=[CP, CX]).slug
    both_worked(ws, finance, CC, CP)
    both_worked(ws, support, CP, CX)
    votes(ws, finance, CC, CP, 7, 3, ties=2)
    votes(ws, support, CX, CP, 0, 10)
    return ws


def test_one_headline_per_pair_and_category_in_plain_words(ws: Workspace) -> None:
    data = report.build_report(arena(ws), keep_events=False).data
    texts = {(h["scope"], h["category"], h["a"], h["b"]): h["text"] for h in data["headlines"]}
    assert texts[("category", "finance", CC, CP)] == (
        "Claude Code was preferred to GitHub Copilot in 7 of 10 blind comparisons of finance prototypes, "
        "from 4 raters (2 ties besides); that is not enough to be sure yet: about 40 more votes would tell.")
    assert texts[("category", "support", CX, CP)].startswith(
        "GitHub Copilot was preferred to OpenAI Codex in 10 of 10 blind comparisons of support prototypes")
    assert texts[("category", "support", CX, CP)].endswith("that is a clear preference, though how strong it is "
                                                           "remains uncertain.")
    # each pair was compared in one category only: said once, with the category's name
    assert [h["scope"] for h in data["headlines"] if h["a"]] == ["category", "category"]


def test_a_pair_compared_in_two_categories_gets_the_whole_and_each_category(ws: Workspace) -> None:
    arena(ws)
    marketing = ws.new_project("Launch", "mini", category="marketing", assistants=[CC, CP]).slug
    both_worked(ws, marketing, CC, CP)
    votes(ws, marketing, CC, CP, 1, 4)
    data = report.build_report(ws, keep_events=False).data
    pairs = [(h["scope"], h["category"]) for h in data["headlines"] if (h["a"], h["b"]) == (CC, CP)]
    assert pairs == [("all", None), ("category", "finance"), ("category", "marketing")]
    whole = next(h["text"] for h in data["headlines"] if (h["scope"], h["a"]) == ("all", CC))
    assert whole.startswith("Claude Code was preferred to GitHub Copilot in 8 of 15 blind comparisons, from 4")


def test_a_report_of_one_category_does_not_repeat_its_headlines(ws: Workspace) -> None:
    data = report.build_report(arena(ws), category="finance", keep_events=False).data
    assert [h["scope"] for h in data["headlines"] if h["a"]] == ["all"]


def test_headline_wording_for_level_close_and_settled_pairs() -> None:
    assert headlines.certainty(5, 5, 194) == "so far neither is ahead"
    assert headlines.certainty(110, 100, 194) == "no clear preference: any difference is probably smaller than 60/40"
    assert headlines.certainty(130, 70, 194) == "that is a clear preference"
    assert headlines.certainty(6, 5, 194) == "that is not enough to be sure yet: about 940 more votes would tell"
    assert [headlines.about(n) for n in (7, 37, 251, 1234)] == ["7", "about 40", "about 250", "about 1,200"]


def test_text_report_puts_plain_words_before_statistics_and_fits_80_columns(ws: Workspace) -> None:
    md = report.render(report.build_report(arena(ws)), "md")
    plain_end = md.index("## Statistics")
    assert md.index("## In plain words") < md.index("## Blind votes that count") < plain_end
    for statistic in ("Sign test p", "95% Wilson", "## What the numbers can and cannot say", "194 decisive votes"):
        assert md.index(statistic) > plain_end, statistic
    assert "| Claude Code vs GitHub Copilot | 12 | 7-3 | 2 | 0 | 4 |" in md  # counted, wins, ties, bad, raters
    wide = [line for line in md.splitlines() if line.startswith("|") and len(line) > 80]
    assert wide == []


def test_generated_ledgers_give_tables_within_80_columns_and_new_json_keys(ws: Workspace) -> None:
    write_workspace(ws.root, projects=10, events=400, seed=5)
    built = report.build_report(ws)
    md = report.render(built, "md")
    assert [line for line in md.splitlines() if line.startswith("|") and len(line) > 80] == []
    data = json.loads(report.render(built, "json"))
    for key in ("headlines", "evidence", "violations", "runs_by_version", "cost_per_blind_win"):
        assert key in data, key
    assert all("evidence" in group and "runs_by_version" in group for group in data["by_category"])
    # every valid vote is either evidence or set apart with its reason, nothing lost on the way
    evidence = data["evidence"]
    assert evidence["counted"] > 0 and evidence["set_apart"] > 0
    assert evidence["counted"] == sum(h["votes"] for h in data["head_to_head"])  # the table shows evidence only
    assert evidence["set_apart"] == sum(r["votes"] for r in evidence["set_apart_by_reason"])


def test_html_shows_headlines_then_folds_the_statistics(ws: Workspace) -> None:
    html = report.render(report.build_report(arena(ws)), "html")
    details = html.index('<details class="statistics">')
    assert html.index("<h2>In plain words</h2>") < details
    assert html.index("was preferred to GitHub Copilot in 7 of 10") < details
    assert details < html.index("<h2>Head to head</h2>") < html.index("</details>")
