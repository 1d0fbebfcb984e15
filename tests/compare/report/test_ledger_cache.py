"""The report keeps parsed ledger lines between runs and parses only what changed (``ledger_cache``),
and remembers its bootstrap results (``stats_memo``): every report it gives is the one the old fold gives.

Files written by a test are seconds old, which the cache treats as too fresh to vouch for (the racy
case); the tests that need a warm cache move that window out of the way, one test keeps it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from sandbox.compare import stats
from sandbox.compare.report import engine, ledger_cache, stats_memo
from sandbox.workspace import Workspace
from tests.compare.report.generated import write_workspace
from tests.compare.report.test_engine import engine_report, reference_report


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The ledger files each report parsed (one list per ``_parse`` call)."""
    calls: list[list[str]] = []
    real = engine._parse

    def spy(con: Any, paths: list[str], *args: Any, **kwargs: Any) -> None:
        calls.append([Path(p).parent.name for p in paths])
        real(con, paths, *args, **kwargs)

    monkeypatch.setattr(engine, "_parse", spy)
    return calls


@pytest.fixture
def not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files the test has just written count as settled (they would be, two seconds later)."""
    monkeypatch.setattr(ledger_cache, "RACY_SECONDS", -3600.0)


def cache_file() -> Path:
    """The report's cache database (one per scan signature: the report's scan here)."""
    folder = ledger_cache.cache_folder()
    assert folder is not None
    return ledger_cache.database_path(folder, engine.cache_signature(engine.scan_fields(keep_events=False)))


def kept_files() -> dict[str, int]:
    """The cache's files (project folder -> lines kept), read as another process would."""
    con = duckdb.connect(str(cache_file()), read_only=True)
    try:
        rows = con.execute("SELECT path, n FROM files").fetchall()
        lines = con.execute("SELECT path_id, count(*) FROM ev GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert sum(n for _, n in rows) == sum(n for _, n in lines)
    return {Path(path).parent.name: int(n) for path, n in rows}


def ledger(ws: Workspace, slug: str) -> Path:
    return ws.root / "projects" / slug / "ledger.jsonl"


def ledger_count(ws: Workspace) -> int:
    return sum(1 for p in (ws.root / "projects").iterdir() if (p / "ledger.jsonl").exists())


@pytest.mark.usefixtures("not_racy")
def test_a_second_report_parses_nothing_and_reports_the_same(ws: Workspace, parsed: list[list[str]]) -> None:
    write_workspace(ws.root, projects=12, events=700, seed=5)
    expected = reference_report(ws)
    assert engine_report(ws) == expected
    slugs = sorted(p.name for p in (ws.root / "projects").iterdir() if (p / "ledger.jsonl").exists())
    assert sorted(parsed[0]) == slugs
    assert sorted(kept_files()) == slugs
    parsed.clear()
    assert engine_report(ws) == expected
    assert parsed == []  # every line came from the cache


@pytest.mark.usefixtures("not_racy")
def test_an_appended_event_is_read_from_its_ledger_alone(ws: Workspace, parsed: list[list[str]]) -> None:
    write_workspace(ws.root, projects=8, events=400, seed=6)
    engine_report(ws)
    slug = next(s for s in sorted(kept_files()) if '"winner":"A"' in ledger(ws, s).read_text())
    before = kept_files()[slug]
    events = [json.loads(line) for line in ledger(ws, slug).read_text().splitlines() if '"kind":"vote"' in line]
    vote = next(e for e in events if isinstance(e, dict) and e.get("winner") in ("A", "B"))
    with ledger(ws, slug).open("a") as handle:  # one more vote by a new rater, as `sandbox vote` appends it
        handle.write(json.dumps({**vote, "id": "f" * 32, "by": "new-rater"}) + "\n")
    parsed.clear()
    assert engine_report(ws) == reference_report(ws)
    assert parsed == [[slug]]
    assert kept_files()[slug] == before + 1


@pytest.mark.usefixtures("not_racy")
def test_a_ledger_rewritten_to_the_same_size_is_read_again(ws: Workspace, parsed: list[list[str]]) -> None:
    write_workspace(ws.root, projects=6, events=300, seed=7)
    engine_report(ws)
    slug = next(s for s in sorted(kept_files()) if '"winner":"A"' in ledger(ws, s).read_text())
    path = ledger(ws, slug)
    text = path.read_text()
    same_size = text.replace('"winner":"A"', '"winner":"B"')
    assert len(same_size) == len(text) and same_size != text
    inode = path.stat().st_ino
    with path.open("r+") as handle:  # in place: same inode, same size; only mtime and ctime move
        handle.write(same_size)
    assert path.stat().st_ino == inode
    parsed.clear()
    assert engine_report(ws) == reference_report(ws)
    assert parsed == [[slug]]


def test_a_ledger_written_moments_ago_is_parsed_every_time(ws: Workspace, parsed: list[list[str]]) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=8)
    expected = reference_report(ws)
    assert engine_report(ws) == expected
    assert kept_files() == {}  # too fresh for its stat to vouch for it
    assert engine_report(ws) == expected
    assert len(parsed) == 2


@pytest.mark.usefixtures("not_racy")
def test_rows_kept_by_another_scan_are_not_used(
    ws: Workspace, parsed: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=9)
    engine_report(ws)
    before = cache_file()
    monkeypatch.setattr(ledger_cache, "FORMAT", ledger_cache.FORMAT + 1)  # as a newer sandbox would differ
    assert cache_file() != before
    parsed.clear()
    assert engine_report(ws) == reference_report(ws)
    assert len(parsed) == 1 and len(parsed[0]) == len(kept_files()) == ledger_count(ws)
    os.utime(before, (1, 1))  # a month unused: the next report removes the other scan's database
    engine_report(ws)
    assert not before.exists() and cache_file().exists()


@pytest.mark.usefixtures("not_racy")
def test_an_export_keeps_its_own_rows_and_leaves_the_reports(
    ws: Workspace, parsed: list[list[str]], tmp_path: Path
) -> None:
    from sandbox.compare.export import ExportOptions, export
    from sandbox.compare.report.sources import workspace_source

    write_workspace(ws.root, projects=4, events=120, seed=15)
    engine_report(ws)
    export([workspace_source(ws.root)], tmp_path / "out", ExportOptions(fmt="jsonl"))
    parsed.clear()
    engine_report(ws)
    assert parsed == []  # the export's wider scan kept its rows apart
    folder = ledger_cache.cache_folder()
    assert folder is not None and len(list(folder.glob(f"{ledger_cache.PREFIX}*.duckdb"))) == 2


@pytest.mark.usefixtures("not_racy")
def test_a_damaged_cache_is_rebuilt(ws: Workspace) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=10)
    cache_file().parent.mkdir(parents=True, exist_ok=True)
    cache_file().write_bytes(b"not a database\n" * 500)
    assert engine_report(ws) == reference_report(ws)
    assert len(kept_files()) == ledger_count(ws)


@pytest.mark.usefixtures("not_racy")
def test_a_cache_held_by_another_report_is_gone_without(ws: Workspace, parsed: list[list[str]]) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=11)
    engine_report(ws)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "sys.stdin.read()", str(cache_file())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        parsed.clear()
        assert engine_report(ws) == reference_report(ws)
        assert len(parsed) == 1 and len(parsed[0]) == ledger_count(ws)  # the kept rows were out of reach
    finally:
        holder.communicate("", timeout=30)


@pytest.mark.usefixtures("not_racy")
def test_no_cache_when_it_is_turned_off(ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=12)
    monkeypatch.setenv(ledger_cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert engine_report(ws) == reference_report(ws)
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


@pytest.mark.usefixtures("not_racy")
def test_the_same_project_from_two_clones_still_counts_once(
    ws: Workspace, tmp_path: Path, parsed: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One clone's ledgers come from the cache, the other's are parsed: union-merge repeats and the
    shared project keys still resolve as when both are parsed."""
    from sandbox.compare.report import build

    write_workspace(ws.root, projects=5, events=200, seed=13)
    build.build_report(ws, replicates=4, group_replicates=4, keep_events=False)  # this clone is kept
    other = tmp_path / "clone"
    subprocess.run(["cp", "-a", str(ws.root), str(other)], check=True)
    parsed.clear()
    data = build.build_report(ws, sources=[str(other)], replicates=4, group_replicates=4, keep_events=False).data
    again = build.build_report(ws, sources=[str(other)], replicates=4, group_replicates=4, keep_events=False).data
    assert [len(p) for p in parsed][:1] == [ledger_count(ws)]  # the clone, not the workspace
    with monkeypatch.context() as off:
        off.setenv(ledger_cache.CACHE_ENV, "off")
        uncached = build.build_report(ws, sources=[str(other)], replicates=4, group_replicates=4,
                                      keep_events=False).data
    for report in (data, again, uncached):
        report.pop("inputs")
    assert data == uncached == again
    assert data["totals"]["duplicates_skipped"] >= uncached["totals"]["events"] // 2


def test_the_bootstrap_is_remembered_and_recomputed_only_for_changed_slices(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_workspace(ws.root, projects=12, events=700, seed=14)
    fits: list[int] = []
    real = stats.bootstrap_bradley_terry

    def counting(*args: Any, **kwargs: Any) -> Any:
        fits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats, "bootstrap_bradley_terry", counting)
    first = engine_report(ws)
    computed = len(fits)
    assert computed >= 3
    fits.clear()
    stats._T_CACHE.clear()  # as in a new process
    assert engine_report(ws) == first
    assert fits == []
    folder = ledger_cache.cache_folder()
    assert folder is not None
    memo_path = folder / stats_memo.MEMO_FILE
    memo_path.write_text("{broken")
    assert engine_report(ws) == first == reference_report(ws)
    assert len(fits) == computed  # an unreadable memo is an empty one


def test_a_remembered_result_is_the_computed_one_bit_for_bit(tmp_path: Path) -> None:
    counts = {("a", "b", 1.0): 7, ("b", "c", 0.5): 3, ("a", "c", 0.0): 4, ("c", "b", 1.0): 5}
    memo = stats_memo.StatsMemo(tmp_path / "memo.json")
    fresh = memo.bootstrap(["a", "b", "c"], counts, replicates=50, seed=3, prior=0.5)
    memo.save()
    again = stats_memo.StatsMemo(tmp_path / "memo.json").bootstrap(["a", "b", "c"], counts, replicates=50, seed=3,
                                                                   prior=0.5)
    assert again == fresh == stats.bootstrap_bradley_terry(["a", "b", "c"], counts, replicates=50, seed=3, prior=0.5)
    other = stats_memo.StatsMemo(tmp_path / "memo.json").bootstrap(["a", "b", "c"], counts, replicates=50, seed=4,
                                                                   prior=0.5)
    assert other.seed == 4 and other != fresh
