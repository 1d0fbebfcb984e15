"""``sandbox sync`` into a real PostgreSQL and ``sandbox report --from postgresql://``: every event once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg

from sandbox.compare import store
from sandbox.compare.report import build
from sandbox.compare.report.sources import workspace_source
from sandbox.workspace import Workspace
from tests.compare.report.generated import write_workspace
from tests.conftest import assert_one_line_error, write_mini_template

REPLICATES = 40


def _workspace(root: Path, *, seed: int, projects: int = 6, events: int = 240) -> Workspace:
    root.mkdir(parents=True)
    write_mini_template(root)
    write_workspace(root, projects=projects, events=events, seed=seed)
    return Workspace(root)


def _report(ws: Workspace, sources: list[str], *, workspace: bool = False) -> dict[str, Any]:
    data = build.build_report(ws, replicates=REPLICATES, group_replicates=REPLICATES, keep_events=False,
                              sources=sources, include_workspace=workspace, min_group=0).data
    return data


def _events_in(url: str) -> tuple[int, int]:
    """(rows, distinct ids) over every event table."""
    from sandbox.compare.report.schema import EVENT_TABLES

    union = " UNION ALL ".join(f'SELECT id FROM "{t.name}"' for t in EVENT_TABLES)
    with psycopg.connect(url) as con:
        row = con.execute(f"SELECT count(*), count(DISTINCT id) FROM ({union}) e").fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _sync(url: str, *roots: Path, **kwargs: Any) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "sandbox", "sync", url]
    for root in roots:
        argv += ["--from", str(root)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kwargs)


def test_two_clones_synced_twice_count_every_event_once(tmp_path: Path, postgres: str) -> None:
    one = _workspace(tmp_path / "one", seed=11)
    two_root = tmp_path / "two"
    shutil.copytree(one.root, two_root)  # a clone, which then gets events of its own
    two = Workspace(two_root)
    with (two_root / "projects" / "idea-001" / "ledger.jsonl").open("a") as f:
        f.write(json.dumps({"id": "f" * 32, "at": "2026-02-01T10:00:00.000Z", "kind": "vote", "schema": 1,
                            "comparison": "c", "a": "codex", "b": "copilot", "a_assistant": "codex",
                            "b_assistant": "copilot", "winner": "A", "by": "late-rater"}) + "\n")
    first = store.sync(postgres, [workspace_source(one.root)], progress=False)
    assert first.added == first.sent > 0 and first.schema_version == 1
    again = store.sync(postgres, [workspace_source(one.root)], progress=False)
    assert again.added == 0
    clone = store.sync(postgres, [workspace_source(two.root)], progress=False)
    assert clone.added == 1 and clone.sent == first.sent + 1
    store.sync(postgres, [workspace_source(two.root)], progress=False)
    rows, distinct = _events_in(postgres)
    assert rows == distinct == first.sent + 1
    from_db = _report(one, [postgres])
    from_ledgers = _report(one, [str(one.root), str(two.root)])
    inputs = from_db.pop("inputs")
    assert inputs["sources"][0]["kind"] == "postgresql" and inputs["sources"][0]["schema_version"] == 1
    assert inputs["events_digest"] == from_ledgers.pop("inputs")["events_digest"]
    for key in ("totals", "damaged_lines", "duplicates_skipped"):
        from_db["totals"].pop(key, None), from_ledgers["totals"].pop(key, None)
    assert from_db == from_ledgers


def test_one_sync_of_many_workspaces_pushes_them_one_by_one_and_stores_each_event_once(
    tmp_path: Path, postgres: str
) -> None:
    """Each source is exported and pushed before the next is read (memory holds one workspace's
    tables): two clones and a third team in one sync store the union, each event once."""
    one = _workspace(tmp_path / "one", seed=21)
    shutil.copytree(one.root, tmp_path / "clone")
    other = _workspace(tmp_path / "other", seed=22)
    roots = [one.root, tmp_path / "clone", other.root]
    result = store.sync(postgres, [workspace_source(r) for r in roots], progress=False)
    alone = [store.sync(postgres, [workspace_source(r)], progress=False) for r in roots]  # again: nothing new
    assert all(a.added == 0 for a in alone) and result.sent == sum(a.sent for a in alone)
    rows, distinct = _events_in(postgres)
    assert rows == distinct == result.added == alone[0].sent + alone[2].sent
    from_db = _report(one, [postgres])
    from_ledgers = _report(one, [str(one.root), str(other.root)])
    assert from_db.pop("inputs")["events_digest"] == from_ledgers.pop("inputs")["events_digest"]


def test_sixteen_syncs_at_once_lose_nothing_and_repeat_nothing(tmp_path: Path, postgres: str) -> None:
    base = _workspace(tmp_path / "base", seed=21, projects=4, events=160)
    roots = []
    for index in range(16):  # each team: a clone of the shared base plus its own projects
        root = tmp_path / f"team-{index}"
        shutil.copytree(base.root, root)
        write_workspace(root / "own", projects=2, events=60, seed=100 + index)
        for folder in (root / "own" / "projects").iterdir():
            folder.rename(root / "projects" / f"t{index}-{folder.name}")
        roots.append(root)
    expected = _report(base, [str(r) for r in roots])["totals"]["events"]
    procs = [_sync(postgres, root) for root in roots]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    rows, distinct = _events_in(postgres)
    assert rows == distinct == expected


def test_a_sync_killed_half_way_lands_every_event_once_when_run_again(tmp_path: Path, postgres: str) -> None:
    ws = _workspace(tmp_path / "ws", seed=31, projects=20, events=2000)
    proc = _sync(postgres, ws.root)
    assert proc.stderr is not None
    line = proc.stderr.readline()  # the first table is in: stop it in the middle of the rest
    assert line.startswith("sync: "), line
    proc.kill()
    proc.wait(timeout=60)
    rows, _ = _events_in(postgres)
    total = _report(ws, [str(ws.root)])["totals"]["events"]
    assert 0 < rows < total
    again = _sync(postgres, ws.root)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert _events_in(postgres) == (total, total)


def test_schema_version_recorded_and_errors_are_one_line(tmp_path: Path, postgres: str, ws: Workspace) -> None:
    write_workspace(ws.root, projects=2, events=40, seed=3)
    store.sync(postgres, [workspace_source(ws.root)], progress=False)
    with psycopg.connect(postgres) as con:
        assert con.execute("SELECT version FROM sandbox_schema").fetchall() == [(1,)]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "3"}
    out = subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "sync",
                          "postgresql://nobody:secret@127.0.0.1:1/none"], capture_output=True, text=True, env=env)
    assert_one_line_error(_as_result(out), "cannot reach the database")
    assert "secret" not in out.stderr
    out = subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "sync", "db.example/org"],
                         capture_output=True, text=True, env=env)
    assert_one_line_error(_as_result(out), "sync needs a postgresql:// address")
    empty = postgres.rsplit("/", 1)[0] + "/postgres"
    out = subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "report", "--from", empty],
                         capture_output=True, text=True, env=env)
    assert_one_line_error(_as_result(out), "no sandbox tables here")


def test_redacted_addresses_hide_the_password() -> None:
    assert store.redacted("postgresql://ana:pw@db.example:5432/org") == "postgresql://ana:***@db.example:5432/org"
    assert store.redacted("postgresql://db.example/org") == "postgresql://db.example/org"


def _as_result(proc: subprocess.CompletedProcess[str]) -> Any:
    from tests.conftest import CliResult

    return CliResult(proc.returncode, proc.stdout, proc.stderr)
