"""The report: numbers from known ledgers, de-duplication, exporters, the CLI and the Report screen."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from sandbox.compare import report, stats
from sandbox.core import ledger
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


# --- review: what a manager reads --------------------------------------------------------------
def test_rating_intervals_stay_on_the_1_to_5_scale_when_shown(filled: Workspace) -> None:
    """Two ratings (3, 4) give the t interval [-2.85, 9.85]: JSON keeps it, people see [1.00-5.00]."""
    from sandbox.tui.screens.report import charts_text

    built = report.build_report(filled)
    works = by_id(built.data["assistants"])["claude-code"]["criteria"]["works"]
    assert works["low"] < 1 and works["high"] > 5  # the exact t interval, unchanged in the data
    md = report.render(built, "md")
    assert "3.50 [1.00-5.00]" in md and "-2.85" not in md and "9.85" not in md
    html = report.render(built, "html")
    assert "3.50 [1.00-5.00]" in html and "-2.85" not in html
    section = {"assistants": [{"id": "x", "name": "X", "ratings": 2, "votes": {"decisive": 0},
                               "overall": {"n": 2, "mean": 4.5, "low": -1.85, "high": 10.85}}]}
    assert "[1.00-5.00]" in charts_text(section).plain


@pytest.mark.parametrize(
    ("x_wins", "y_wins", "says", "never"),
    [
        (10, 0, "X won 10 of 10 decisive votes (100%, 95% interval 72%-100%; p = 0.002). A clear preference, although",
         "hint"),
        (2, 6, ("Y won 6 of 8 decisive votes (75%, 95% interval 41%-93%; p = 0.289), but that is only 8 decisive "
                "votes of the 194 needed"), "clear preference"),
        (130, 120, ("X won 130 of 250 decisive votes (52%, 95% interval 46%-58%; p = 0.569). No clear preference: "
                    "with 250 decisive votes a 60/40 preference would most likely have shown"), "hint"),
        (150, 100, ("X won 150 of 250 decisive votes (60%, 95% interval 54%-66%; p = 0.002). A clear preference, "
                    "from enough votes"), "hint"),
        (4, 4, "X vs Y: split 4-4 (p = 1.000), but that is only 8 decisive votes", "won"),
        (0, 0, "X vs Y: no decisive votes yet", "hint"),
    ],
)
def test_pair_note_words_follow_the_p_value_and_the_count(x_wins: int, y_wins: int, says: str, never: str) -> None:
    """"Treat this as a hint" was said of a 10-0 result too (p = 0.002), and nothing at all was said
    of a pair with enough votes: the words must follow both the evidence and the sample size."""
    decisive = x_wins + y_wins
    low, high = stats.wilson(x_wins, decisive)
    note = report._pair_note("X", "Y", x_wins, y_wins, low, high, stats.votes_needed())
    assert says in note and never not in note


def test_enough_votes_still_get_a_sentence_and_many_pairs_a_caution(ws: Workspace) -> None:
    slug = ws.new_project("Big", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    events = [
        {"kind": "vote", "comparison": str(i), "a": "claude-code", "b": "copilot", "a_assistant": "claude-code",
         "b_assistant": "copilot", "winner": "A" if i < 150 else "B"}
        for i in range(250)
    ]
    events.append({"kind": "vote", "comparison": "c", "a": "codex", "b": "copilot", "a_assistant": "codex",
                   "b_assistant": "copilot", "winner": "A"})
    events.append({"kind": "vote", "comparison": "d", "a": "codex", "b": "claude-code", "a_assistant": "codex",
                   "b_assistant": "claude-code", "winner": "B"})
    ledger.append_events(ws.project(slug).ledger_path, [ledger.new_event(e.pop("kind"), project=slug, **e) for e in events])
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


def test_markdown_puts_findings_first_explains_bt_and_does_not_repeat_the_whole(filled: Workspace) -> None:
    md = report.render(report.build_report(filled), "md")
    assert md.index("## What the numbers can and cannot say") < md.index("## Work per assistant")
    bt = md.index("## Bradley-Terry strength")
    assert md.index("the chance that X beats Y is s_X / (s_X + s_Y)", bt) > bt
    assert "one imaginary tie" in md
    # one template holds every project: its section says so instead of repeating every table
    template = md[md.index("## By template: mini (2 projects)"):]
    assert "All 2 projects are in this template: the tables above apply." in template
    assert "###" not in template
    assert md.count("### Head to head") == 2  # the two categories still get their tables
    html = report.render(report.build_report(filled), "html")
    assert html.index("What the numbers can and cannot say") < html.index("<h2>Charts</h2>")
    assert "one imaginary tie" in html and "All 2 projects are in this template" in html
    one = report.render(report.build_report(filled, category="finance"), "md")
    assert "The only project is in this category: the tables above apply." in one


def test_time_to_first_working_reads_in_human_units(filled: Workspace) -> None:
    md = report.render(report.build_report(filled), "md")
    row = next(line for line in md.splitlines() if line.startswith("| Claude Code | 2 |"))
    assert row.endswith("| 2.0 h (n=1) |"), row
    assert "| 60 min (n=1) |" in md  # copilot: one hour after created
    assert [report.duration_text(h) for h in (None, 0.001, 0.5, 1.5, 30, 72)] == [
        "-", "under a minute", "30 min", "1.5 h", "30.0 h", "3.0 days",
    ]


# --- review: CSV for spreadsheets, files for people --------------------------------------------
def test_csv_rows_follow_the_project_folder(filled: Workspace) -> None:
    """A renamed project folder: its events still say the old slug; the CSV must agree with the tables."""
    old = filled.project("one").path
    old.rename(old.parent / "renamed")
    built = report.build_report(filled)
    rows = list(csv.DictReader(io.StringIO(report.render(built, "csv"))))
    moved = [r for r in rows if r["project"] == "renamed"]
    assert moved and all(r["title"] == "One" and r["category"] == "finance" for r in moved)
    assert not any(r["project"] == "one" for r in rows)
    assert "side" in rows[0]  # blind ratings say which side was scored
    assert len(rows) == built.data["totals"]["events"]


def test_csv_file_opens_in_excel_and_keeps_quoting(filled: Workspace, tmp_path) -> None:
    add(filled, "one", "rating", variant="copilot", assistant="copilot", scores={"works": 2},
        note='Café, "quoted", two\nlines', by="=cmd|' /C calc'!A0")
    built = report.build_report(filled)
    target = tmp_path / "r.csv"
    report.write(built, "csv", target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,at,kind,")  # the BOM tells Excel it is UTF-8
    assert not report.render(built, "csv").startswith("\ufeff")  # printed CSV stays plain
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == built.data["totals"]["events"]
    row = next(r for r in rows if r["note"].startswith("Café"))
    assert row["note"] == 'Café, "quoted", two\nlines' and row["by"] == "'=cmd|' /C calc'!A0"
    assert {len(r) for r in rows} == {len(rows[0])}


def test_cli_output_extension_chooses_the_format_and_a_folder_is_refused(filled: Workspace, cli, tmp_path) -> None:
    page = tmp_path / "report.html"
    assert cli("report", "--output", str(page)).code == 0
    assert page.read_text().startswith("<!doctype html>")  # was Markdown in a .html file
    sheet = tmp_path / "report.CSV"
    assert cli("report", "-o", str(sheet)).code == 0 and sheet.read_bytes().startswith(b"\xef\xbb\xbfid,")
    data = tmp_path / "r.json"
    assert cli("report", "-o", str(data)).code == 0 and json.loads(data.read_text())["schema"] == 1
    explicit = tmp_path / "notes.html"
    assert cli("report", "-f", "md", "-o", str(explicit)).code == 0  # an explicit --format wins
    assert explicit.read_text().startswith("# Assistant comparison report")
    assert_one_line_error(cli("report", "-o", str(tmp_path)), "is a folder; give a file name")


async def test_report_screen_shows_notes_first_and_names_as_text(ws: Workspace) -> None:
    """Assistant ids unknown to the registry are shown as-is: "[b]" in one must not turn into markup."""
    from textual.app import App
    from textual.widgets import Static

    from sandbox.tui.screens.report import ReportScreen

    slug = ws.new_project("Odd", "mini", assistants=["claude-code", "copilot"]).slug
    vote(ws, slug, "beta[b]", "copilot", "A")
    screen = ReportScreen(ws)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(screen)

    async with Host().run_test(size=(150, 50)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while screen.data is None:
            assert loop.time() < deadline, "report not shown"
            await pilot.pause(0.02)
        await pilot.pause()
        notes = screen.query_one("#notes", Static)
        assert "beta[b] vs GitHub Copilot: beta[b] won 1 of 1" in str(notes.render())
        order = [child.id for child in screen.query_one("#report-body").children]
        assert order.index("notes") < order.index("charts")
        while not screen.query(".table-title"):
            assert loop.time() < deadline, "tables not shown"
            await pilot.pause(0.02)
        shown = [str(label.render()) for label in screen.query(".table-title")]
        assert "Ratings, mean 1-5 [95% interval]" in shown  # the bracket part was eaten as markup


def test_only_ties_give_no_multiple_testing_caution(ws: Workspace) -> None:
    slug = ws.new_project("Ties", "mini", assistants=["claude-code", "copilot", "codex"]).slug
    for a, b in (("claude-code", "copilot"), ("copilot", "codex"), ("codex", "claude-code")):
        vote(ws, slug, a, b, "tie")
    notes = report.build_report(ws, replicates=20).data["notes"]
    assert len(notes) == 3 and all("no decisive votes yet" in n for n in notes)
    assert not any("pairs are compared" in n for n in notes)  # no p-value, nothing to correct for


def test_pair_note_on_a_large_workspace_reads_well() -> None:
    """Thousands of votes: "p < 0.001" (not "p = <0.001"), and a 55/45 result is called small."""
    low, high = stats.wilson(2226, 4022)
    note = report._pair_note("Codex", "Copilot", 2226, 1796, low, high, 194)
    assert "(55%, 95% interval 54%-57%; p < 0.001). A clear but small preference" in note and "= <" not in note
    low, high = stats.wilson(1644, 2610)
    note = report._pair_note("Copilot", "Claude", 966, 1644, 1 - high, 1 - low, 194)
    assert "Claude won 1644 of 2610 decisive votes (63%, 95% interval 61%-65%; p < 0.001). A clear preference," in note


def test_big_counts_are_grouped() -> None:
    assert report.plural(200000, "event") == "200,000 events" and report.plural(1, "project") == "1 project"


def test_a_broken_rubric_is_reported_not_replaced(ws: Workspace, cli) -> None:
    (ws.root / "sandbox.yaml").write_text("rubric:\n  - {id: looks, colour: red}\n")
    from tests.conftest import assert_one_line_error

    assert_one_line_error(cli("report"), "sandbox.yaml:2:", "unknown field 'colour'")
