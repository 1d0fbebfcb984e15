"""The report: numbers from known ledgers, de-duplication, exporters, the CLI and the Report screen."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from sandbox import ledger, report, stats
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error


def add(ws: Workspace, slug: str, kind: str, **fields: Any) -> dict[str, Any]:
    return ws.project(slug).append(kind, **fields)


def later(event: dict[str, Any], hours: float) -> str:
    at = ledger.parse_time(event["at"]) + timedelta(hours=hours)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def vote(ws: Workspace, slug: str, a: str, b: str, winner: str) -> None:
    add(ws, slug, "vote", comparison="c", a=a, b=b, a_assistant=a, b_assistant=b, winner=winner,
        winner_assistant={"A": a, "B": b}.get(winner))


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


def test_per_assistant_numbers(filled: Workspace) -> None:
    data = report.build_report(filled).data
    assert data["totals"]["projects"] == 2
    rows = by_id(data["assistants"])
    cc, cp = rows["claude-code"], rows["copilot"]
    assert cc["projects"] == 2 and rows["codex"]["projects"] == 1
    assert cp["sessions"] == 2 and cp["session_minutes"] == 15.0
    assert cc["runs"] == 3 and cc["runs_ok"] == 1 and cc["run_success_rate"] == 0.3333
    assert cc["run_median_seconds"] == 50.0  # 30, 50 and 90 (from duration_ms)
    assert cc["run_cost_usd"] == 0.75 and cc["runs_with_cost"] == 2
    assert cp["runs"] == 0 and cp["run_success_rate"] is None and cp["run_cost_usd"] is None
    assert cc["first_working"] == {"projects": 1, "median_hours": 2.0}
    assert cp["first_working"] == {"projects": 1, "median_hours": 1.0}
    assert cc["ratings"] == 2 and cc["rating_minutes"] == 10
    works = cc["criteria"]["works"]
    mean, low, high = stats.mean_ci([3, 4])
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


def test_category_filter(filled: Workspace) -> None:
    data = report.build_report(filled, category="Support").data
    assert data["totals"]["projects"] == 1 and data["filter"] == {"category": "Support"}
    assert {h["a"] + "/" + h["b"] for h in data["head_to_head"]} == {"codex/copilot", "claude-code/codex"}
    with pytest.raises(report.ReportError, match=r"no project has the category 'travel' \(categories: finance, support\)"):
        report.build_report(filled, category="travel")


def test_duplicates_and_damage_are_tolerated(filled: Workspace) -> None:
    before = report.build_report(filled).data
    path = filled.project("one").ledger_path
    lines = path.read_text().splitlines()
    # a union merge repeats lines; a crash tears one; another writer left odd but valid events
    path.write_text("\n".join(lines + lines[:10] + ['{"id": "torn", "kind": "vo', "[1, 2]", "  ", '{"no": "id"}']) + "\n")
    add(filled, "one", "vote", comparison="z", winner="A")  # no pairing: ignored, not a crash
    add(filled, "one", "rating", variant="copilot", scores={"works": "five"})  # not a number
    add(filled, "one", "run", exit_code=0)  # no assistant
    after = report.build_report(filled).data
    assert after["totals"]["duplicates_skipped"] == 10
    assert after["totals"]["damaged_lines"] == 3
    assert after["totals"]["events"] == before["totals"]["events"] + 3
    assert after["head_to_head"] == before["head_to_head"]
    assert by_id(after["assistants"])["copilot"]["ratings"] == 1


def test_empty_workspace(ws: Workspace) -> None:
    data = report.build_report(ws).data
    assert data["totals"]["projects"] == 0 and data["assistants"] == [] and data["bradley_terry"] is None
    assert data["notes"][0].startswith("No votes yet")
    for fmt in report.FORMATS:
        assert report.render(report.build_report(ws), fmt)


def test_markdown_and_json(filled: Workspace) -> None:
    built = report.build_report(filled)
    md = report.render(built, "md")
    assert "| Claude Code vs GitHub Copilot | 20 | 14-6 | 70% [48%-85%] | 0.115 | 3 | 2 | no |" in md
    assert "## By category: finance" in md and "## By template: mini" in md
    assert "194 decisive votes" in md and "Position bias" in md
    assert json.loads(report.render(built, "json")) == json.loads(json.dumps(built.data))


def test_csv_is_one_tidy_row_per_event(filled: Workspace) -> None:
    add(filled, "one", "rating", variant="copilot", assistant="copilot", scores={"works": 2}, note="=HYPERLINK(1)")
    built = report.build_report(filled)
    rows = list(csv.DictReader(io.StringIO(report.render(built, "csv"))))
    assert len(rows) == built.data["totals"]["events"] == len({r["id"] for r in rows})
    rating = next(r for r in rows if r["kind"] == "rating" and r["score_works"] == "2")
    assert rating["note"] == "'=HYPERLINK(1)"  # never a live formula in a spreadsheet
    assert rating["category"] == "finance" and rating["template"] == "mini" and rating["title"] == "One"
    run = next(r for r in rows if r["kind"] == "run" and r["cost_usd"])
    assert run["cost_usd"] == "0.25"
    assert "score_looks-right" in rows[0]
    with pytest.raises(report.ReportError):
        report.to_csv(report.build_report(filled, keep_events=False))


def test_html_is_self_contained_and_escaped(ws: Workspace) -> None:
    slug = ws.new_project("X", "mini", category="<script>alert(1)</script>", assistants=["claude-code", "copilot"]).slug
    vote(ws, slug, "claude-code", "copilot", "A")
    add(ws, slug, "rating", variant="copilot", assistant="copilot", scores={"works": 4})
    html = report.render(report.build_report(ws), "html")
    assert "<svg" in html and "<script" not in html.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert html.count('class="whisker"') >= 2


def test_cli_report(filled: Workspace, cli, tmp_path) -> None:
    out = cli("report", "--format", "json")
    assert out.code == 0, out.err
    assert json.loads(out.out)["totals"]["projects"] == 2
    assert json.loads(cli("report", "--json").out)["votes_needed"] == 194
    md = cli("report")
    assert md.out.startswith("# Assistant comparison report")
    target = tmp_path / "r.html"
    written = cli("report", "--format", "html", "--output", str(target), "--category", "finance")
    assert written.code == 0 and "Wrote the html report" in written.err
    assert "<svg" in target.read_text()
    rows = cli("report", "--format", "csv").out.splitlines()
    assert rows[0].startswith("id,at,kind,project")
    assert_one_line_error(cli("report", "--format", "pdf"), "invalid choice")
    assert_one_line_error(cli("report", "--category", "travel"), "no project has the category 'travel'")


def test_report_imports_nothing_heavy(filled: Workspace) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from sandbox.cli import main; main(['--workspace', sys.argv[1], 'report', '--format', 'json']);"
        "sys.stderr.write(repr([m for m in ('textual', 'jinja2', 'watchdog', 'numpy') if m in sys.modules]))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(filled.root)], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr


# --- the Report screen -----------------------------------------------------------------------
async def test_report_screen_shows_tables_and_charts(filled: Workspace) -> None:
    from textual.app import App
    from textual.widgets import DataTable, Select, Static

    from sandbox.tui.screens.report import ReportScreen, bar_line

    screen = ReportScreen(filled)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    app = Host()
    async with app.run_test(size=(150, 60)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while screen.data is None or not screen.query(DataTable):
            assert loop.time() < deadline, "report not shown"
            await pilot.pause(0.02)
        charts = str(screen.query_one("#charts", Static).content)
        assert "Blind-vote win rate" in charts and "Bradley-Terry" in charts and "█" in charts
        titles = [str(label.content) for label in screen.query(".table-title")]
        assert "Head to head" in titles and "Work per assistant" in titles
        select = screen.query_one("#group", Select)
        select.value = "category:finance"
        while screen.group != "category:finance" or "Bradley-Terry" in str(screen.query_one("#charts", Static).content):
            assert loop.time() < deadline + 30
            await pilot.pause(0.02)
        rows = [table.get_row_at(i) for table in screen.query(DataTable) for i in range(table.row_count)]
        assert not any("Codex" in str(row) for row in rows)  # codex only worked on the support project
        await pilot.press("h")
        target = filled.root / "report.html"
        while not target.exists():
            assert loop.time() < deadline + 60
            await pilot.pause(0.02)
        assert "<svg" in target.read_text()
    line = bar_line("X", 0.7, 0.48, 0.85, lo=0, hi=1, color="red", percent=True, width=21).plain
    assert line == "X" + " " * 18 + "█" * 10 + "▓" * 5 + "──" + "┤" + "···" + " 70% [48%-85%]"
