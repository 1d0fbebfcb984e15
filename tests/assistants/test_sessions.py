"""Sessions: snapshots, diffs, crash survival, live change batches, and attribution boundaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.assistants import sessions, snapshot
from sandbox.core.errors import SandboxError, SessionError
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    return ws.project("expense-approvals")


def _kinds(project) -> list[str]:
    return [e["kind"] for e in project.events()]


def _age(root: Path, seconds: float = 3600) -> None:
    """Make every file look untouched for an hour (as in a real variant between sessions)."""
    old = time.time_ns() - int(seconds * 1e9)
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))


def test_session_diff_counts_files_and_lines(project) -> None:
    root = project.variant_dir("claude-code")
    (root / "page.txt").write_text("one\ntwo\nthree\n")
    _age(root)
    started = sessions.start_session(project, "claude-code", by="ana")
    assert started["kind"] == "session_started" and started["assistant"] == "claude-code"
    assert started["files"] == len([p for p in root.rglob("*") if p.is_file()])
    assert sessions.open_session(project, "claude-code")["session"] == started["session"]
    (root / "page.txt").write_text("one\n2\nthree\nfour\n")  # 1 line changed, 1 added
    (root / "new" / "deep").mkdir(parents=True)
    (root / "new" / "deep" / "file.js").write_text("a\nb")  # no final newline: still 2 lines
    (root / "config.js").unlink()
    (root / "node_modules" / "pkg").mkdir(parents=True)
    (root / "node_modules" / "pkg" / "x.js").write_text("ignored\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ignored\n")
    (root / ".page.txt.swp").write_bytes(b"vim swap")  # editor noise and the sandbox's conflict copies
    (root / "style.css.sandbox-new").write_text("a re-render's version\n")
    ended = sessions.end_session(project, "claude-code", score=5, note=" great ", by="ana")
    assert ended["files_added"] == ["new/deep/file.js"]
    assert ended["files_changed"] == ["page.txt"]
    assert ended["files_deleted"] == ["config.js"]
    assert ended["lines_added"] == 2 + 2 and ended["lines_removed"] == 1 + 1
    assert ended["session"] == started["session"] and ended["started_at"] == started["at"]
    assert ended["score"] == 5 and ended["note"] == "great" and ended["seconds"] >= 0
    assert sessions.open_session(project, "claude-code") is None
    left = {p.name for p in (project.state_dir / "sessions").glob("claude-code.*")}
    # The open state, its pack and seen versions are gone; the lock and the stat cache (with the
    # kept texts) stay for the next session.
    assert {name for name in left if not name.endswith(".blobs")} == {"claude-code.lock", "claude-code.index"}
    assert _kinds(project) == ["created", "session_started", "session_ended"]


def test_same_size_rewrite_right_after_the_snapshot_is_still_seen(project) -> None:
    """Racy files (modified within a second of the snapshot) are re-hashed, like git does."""
    root = project.variant_dir("copilot")
    target = root / "style.css"
    sessions.start_session(project, "copilot")
    st = target.stat()
    target.write_text(target.read_text().replace("color", "COLOR"))
    assert target.stat().st_size == st.st_size
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    ended = sessions.end_session(project, "copilot")
    assert ended["files_changed"] == ["style.css"] and ended["lines_added"] == 1 and ended["lines_removed"] == 1


def test_unchanged_variant_reuses_hashes_and_reports_nothing(project, monkeypatch) -> None:
    root = project.variant_dir("copilot")
    _age(root)
    sessions.start_session(project, "copilot")
    reads: list[str] = []
    original = snapshot._read

    def read(path: str) -> bytes | None:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(snapshot, "_read", read)
    ended = sessions.end_session(project, "copilot")
    assert reads == [], "files whose size and mtime did not change are not read again"
    assert ended["files_added"] == ended["files_changed"] == ended["files_deleted"] == []
    assert ended["lines_added"] == ended["lines_removed"] == 0


def test_sessions_refuse_overlap_and_need_a_start(project) -> None:
    sessions.start_session(project, "copilot")
    with pytest.raises(SessionError, match="already open"):
        sessions.start_session(project, "copilot", assistant="human")
    with pytest.raises(SessionError, match="no open session"):
        sessions.end_session(project, "claude-code")
    with pytest.raises(SessionError, match="1 to 5"):
        sessions.end_session(project, "copilot", score=9)
    with pytest.raises(Exception, match="no variant 'ghost'"):
        sessions.start_session(project, "ghost")
    with pytest.raises(Exception, match="no variant"):
        sessions.start_session(project, "../copilot")
    assert set(sessions.open_sessions(project)) == {"copilot"}


def test_cli_session_start_and_end_in_separate_processes(ws: Workspace, project, cli) -> None:
    result = cli("session", "start", "expense-approvals", "--variant", "copilot", "--assistant", "human")
    assert result.code == 0, result.err
    assert "human session started on copilot" in result.out
    assert "sandbox session end expense-approvals --variant copilot" in result.err, "says how to finish"
    (project.variant_dir("copilot") / "index.html").write_text("<h1>redone</h1>\n")
    result = cli("session", "end", "expense-approvals", "-v", "copilot", "--score", "3", "--note", "ok", "--json")
    assert result.code == 0, result.err
    ended = json.loads(result.out)
    assert ended["assistant"] == "human" and ended["variant"] == "copilot" and ended["files_changed"] == ["index.html"]
    assert_one_line_error(cli("session", "end", "expense-approvals", "-v", "copilot"), "no open session")
    assert_one_line_error(cli("session", "start", "expense-approvals", "-v", "copilot", "-a", "robot"),
                          "unknown assistant 'robot'")
    assert_one_line_error(cli("session", "start", "nope", "-v", "copilot"), "no project 'nope'")
    log = cli("log", "expense-approvals")
    assert log.code == 0, log.err
    lines = log.out.strip().splitlines()
    assert len(lines) == 3 and "created 'Expense approvals'" in lines[0]
    assert "human session ended on copilot" in lines[2] and "1 changed" in lines[2] and "scored 3/5: ok" in lines[2]
    rows = json.loads(cli("log", "expense-approvals", "--json").out)
    assert [r["kind"] for r in rows] == ["created", "session_started", "session_ended"]


def test_end_survives_a_crash_of_the_process_that_started_it(ws: Workspace, project) -> None:
    """The starting process is killed right after starting; a new process ends the session."""
    code = (
        "import os, signal\n"
        "from pathlib import Path\n"
        "from sandbox.workspace import Workspace\n"
        "from sandbox.assistants import sessions\n"
        f"p = Workspace(Path({str(ws.root)!r})).project('expense-approvals')\n"
        "sessions.start_session(p, 'claude-code')\n"
        "open(os.path.join(p.variant_dir('claude-code'), 'index.html'), 'a').write('<p>edit</p>\\n')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert _kinds(project) == ["created", "session_started"]
    ended = sessions.end_session(project, "claude-code")
    assert ended["files_changed"] == ["index.html"] and ended["lines_added"] == 1 and ended["lines_removed"] == 0


def test_change_batches_are_attributed_only_inside_a_session_and_its_variant(project) -> None:
    claude = project.variant_dir("claude-code")
    copilot = project.variant_dir("copilot")
    (claude / "a.txt").write_text("1\n")
    assert sessions.record_change_batch(project, "claude-code", [claude / "a.txt"]) is None, "no session open"
    started = sessions.start_session(project, "claude-code")
    # changes in the other variant, outside the variants, or in ignored folders are nobody's here
    (copilot / "b.txt").write_text("x\n")
    assert sessions.record_change_batch(project, "claude-code", [copilot / "b.txt"]) is None
    assert sessions.record_change_batch(project, "copilot", [copilot / "b.txt"]) is None
    assert sessions.record_change_batch(project, "claude-code", [project.spec_path, "../copilot/b.txt"]) is None
    (claude / "node_modules").mkdir()
    (claude / "node_modules" / "dep.js").write_text("x\n")
    assert sessions.record_change_batch(project, "claude-code", [claude / "node_modules" / "dep.js"]) is None
    (claude / "a.txt~").write_text("backup\n")
    assert sessions.record_change_batch(project, "claude-code", [claude / "a.txt~"]) is None
    # a save with no edits is not a change
    assert sessions.record_change_batch(project, "claude-code", [claude / "a.txt"]) is None
    (claude / "a.txt").write_text("1\n2\n")
    (claude / "c.txt").write_text("new\n")
    first = sessions.record_change_batch(project, "claude-code", [claude / "a.txt", claude / "c.txt",
                                                                  copilot / "b.txt"])
    assert first is not None and first["kind"] == "change"
    assert first["files"] == ["a.txt", "c.txt"] and first["session"] == started["session"]
    assert (first["lines_added"], first["lines_removed"]) == (2, 0)
    (claude / "a.txt").write_text("one\n2\n")  # counted against the previous batch, not the snapshot
    (claude / "c.txt").unlink()
    second = sessions.record_change_batch(project, "claude-code", ["a.txt", str(claude / "c.txt")])
    assert second["files"] == ["a.txt", "c.txt"] and (second["lines_added"], second["lines_removed"]) == (1, 2)
    ended = sessions.end_session(project, "claude-code")
    assert ended["files_added"] == [] and ended["files_changed"] == ["a.txt"]
    assert sessions.record_change_batch(project, "claude-code", [claude / "a.txt"]) is None, "session over"
    changes = [e for e in project.events() if e["kind"] == "change"]
    assert len(changes) == 2 and all(e["variant"] == e["assistant"] == "claude-code" for e in changes)


def test_the_sandboxs_own_rerender_is_not_the_assistants_work(ws: Workspace, project) -> None:
    root = project.variant_dir("claude-code")
    sessions.start_session(project, "claude-code")
    (root / "mine.txt").write_text("by claude\n")
    spec = project.spec_path.read_text()
    project.spec_path.write_text(spec.replace("Approve on the go", "Approve from anywhere"))
    result = ws.render("expense-approvals")
    assert "claude-code/index.html" in result.written
    batch = sessions.record_change_batch(project, "claude-code", [root / "index.html", root / "mine.txt"])
    assert batch["files"] == ["mine.txt"]
    ended = sessions.end_session(project, "claude-code")
    assert ended["files_changed"] == [] and ended["files_added"] == ["mine.txt"]


def test_edits_from_hooks_need_the_right_session(project) -> None:
    root = project.variant_dir("claude-code")
    assert sessions.record_edit(project, "claude-code", root / "index.html", "Write") is None, "no session"
    started = sessions.start_session(project, "claude-code")
    event = sessions.record_edit(project, "claude-code", root / "index.html", "Edit", assistant="claude-code")
    assert event["kind"] == "edit" and event["file"] == "index.html" and event["session"] == started["session"]
    assert sessions.record_edit(project, "claude-code", root / "x", "Edit", assistant="copilot") is None
    assert sessions.record_edit(project, "claude-code", project.spec_path, "Edit") is None
    assert sessions.record_edit(project, "claude-code", root / ".git" / "config", "Edit") is None


def test_session_start_is_in_the_ledger_before_the_variant_is_unlocked(project, monkeypatch) -> None:
    """Otherwise another process could end the session (or record a change) before its start."""
    import fcntl

    held: list[bool] = []
    original = sessions.ledger.append_events

    def spy(path, events):
        events = list(events)
        if any(e["kind"] == "session_started" for e in events):
            fd = os.open(project.state_dir / "sessions" / "copilot.lock", os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
            except BlockingIOError:
                held.append(True)
            finally:
                os.close(fd)
        return original(path, events)

    monkeypatch.setattr(sessions.ledger, "append_events", spy)
    sessions.start_session(project, "copilot")
    assert held == [True]


def test_a_failed_start_leaves_no_open_session(project, monkeypatch) -> None:
    def broken(path, events):
        raise sessions.ledger.LedgerError("cannot write the ledger: disk full", path=path)

    monkeypatch.setattr(sessions.ledger, "append_events", broken)
    with pytest.raises(SandboxError, match="disk full"):
        sessions.start_session(project, "copilot")
    assert sessions.open_sessions(project) == {}


def test_session_list_says_which_open_session_file_is_damaged(ws: Workspace, project, cli) -> None:
    sessions.start_session(project, "copilot")
    sessions.start_session(project, "claude-code")
    state = project.state_dir / "sessions" / "copilot.json"
    state.write_text("{torn")
    result = cli("session", "list")
    assert result.code == 0, result.err
    assert "No open sessions" not in result.out and "claude-code" in result.out
    assert "copilot.json" in result.err and "damaged" in result.err and len(result.err.strip().splitlines()) == 1
    rows = json.loads(cli("session", "list", "--json").out)
    assert [r["variant"] for r in rows] == ["claude-code"]
    state.unlink()
    (project.state_dir / "sessions" / "claude-code.json").write_text("[]")
    result = cli("session", "list")
    assert "No open sessions" not in result.out and "claude-code.json" in result.err


def test_a_session_whose_variant_folder_was_deleted_can_still_be_ended(project, cli) -> None:
    import shutil

    sessions.start_session(project, "copilot")
    shutil.rmtree(project.variant_dir("copilot"))
    result = cli("session", "end", "expense-approvals", "-v", "copilot", "--json")
    assert result.code == 0, result.err
    ended = json.loads(result.out)
    assert "index.html" in ended["files_deleted"] and ended["files_added"] == ended["files_changed"] == []
    assert sessions.open_sessions(project) == {}
    assert_one_line_error(cli("session", "end", "expense-approvals", "-v", "copilot"), "no variant 'copilot'")
    with pytest.raises(Exception, match="no variant"):
        sessions.end_session(project, "../copilot")


def test_starting_on_a_variant_a_live_run_works_on_says_to_wait(project) -> None:
    sessions.begin(project, "copilot", assistant="copilot", mode=sessions.MODE_RUN)  # our own pid: alive
    with pytest.raises(SessionError, match=r"headless run of copilot is still working .* wait for it") as caught:
        sessions.start_session(project, "copilot")
    assert "session end" not in str(caught.value), "ending a live run is refused, so do not suggest it"


def test_log_reports_damaged_ledger_lines_in_json_mode_too(project, cli) -> None:
    with open(project.ledger_path, "a") as handle:
        handle.write('{"torn": \n')
    result = cli("log", "expense-approvals", "--json", "--no-git")
    assert result.code == 0, result.err
    assert [r["kind"] for r in json.loads(result.out)] == ["created"]
    assert "damaged line" in result.err and "ledger.jsonl:2" in result.err


def test_log_shows_times_on_the_readers_clock(project, cli) -> None:
    from datetime import datetime, timedelta

    [created] = project.events()
    utc = datetime.fromisoformat(created["at"].replace("Z", "+00:00"))
    result = cli("log", "expense-approvals", "--no-git", env={"TZ": "IST-5:30"})  # POSIX TZ: UTC+5:30
    assert result.code == 0, result.err
    expected = (utc + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M")
    assert result.out.startswith(f"{expected}  created 'Expense approvals'"), result.out
    rows = json.loads(cli("log", "expense-approvals", "--no-git", "--json", env={"TZ": "IST-5:30"}).out)
    assert rows[0]["at"] == created["at"], "JSON keeps the UTC original"


def test_the_watcher_the_change_batches_and_the_sessions_diff_agree(ws: Workspace, project) -> None:
    """One ignore policy: what the watcher reports, what the change batches attribute and what the
    session's end counts are the same files (the lists had drifted: *.bak, .idea/ and *.sandbox-new)."""
    import queue

    (ws.root / "sandbox.yaml").write_text("ignore:\n  - '*.log'\n  - '!keep.log'\n  - dist/\n")
    ws.reload()
    root = project.variant_dir("claude-code")
    delivered: queue.Queue[tuple[str, list[Path]]] = queue.Queue()
    recorded: list[dict] = []

    def record(project_, variant: str, paths: list[Path]) -> dict | None:
        delivered.put((variant, list(paths)))
        event = sessions.record_change_batch(project_, variant, paths)
        if event is not None:
            recorded.append(event)
        return event

    _age(root)
    started = sessions.start_session(project, "claude-code")
    live = ws.live_project(project.slug, record_changes=record, debounce_ms=30)
    seen: set[str] = set()
    with live:
        (root / "index.html").write_text("<h1>changed</h1>\n")
        (root / "new.js").write_text("a\nb\n")
        (root / "config.js").unlink()
        (root / "keep.log").write_text("taken back\n")
        noise = ["debug.log", "page.bak", "index.html.sandbox-new", ".idea/workspace.xml", "node_modules/p/i.js",
                 "dist/app.js", "index.html___jb_tmp___", ".#index.html"]
        for relative in noise:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_text("noise\n")
        (root / "zz-last.txt").write_text("the last change\n")  # batches arrive in order: this one comes last
        deadline = time.monotonic() + 30
        while "zz-last.txt" not in seen:
            variant, paths = delivered.get(timeout=max(0.01, deadline - time.monotonic()))
            assert variant == "claude-code"
            seen |= {p.relative_to(root).as_posix() for p in paths if not p.is_dir()}
    ended = sessions.end_session(project, "claude-code")
    counted = set(ended["files_added"] + ended["files_changed"] + ended["files_deleted"])
    assert counted == {"index.html", "new.js", "config.js", "keep.log", "zz-last.txt"}
    assert seen == counted, "the watcher reported exactly what the session counts"
    assert set().union(*(e["files"] for e in recorded)) == counted, "and so did the change batches"
    assert all(e["session"] == started["session"] for e in recorded)
