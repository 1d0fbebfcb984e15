"""Headless runs and interactive launches, driven through real processes and a stand-in assistant."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.assistants import runs, sessions
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error
from tests.support.fake_assistant import configure, env_with_sandbox, fake
from tests.support.processes import all_gone, kill_leftovers


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    return ws.project("expense-approvals")


def _events(project, kind: str) -> list[dict]:
    return [e for e in project.events() if e["kind"] == kind]


def test_run_records_result_files_lines_and_log(ws: Workspace, project, cli, tmp_path) -> None:
    configure(
        ws.root,
        {
            "claude-code": {
                "headless": fake(
                    "--write",
                    "index.html=<h1>Expenses</h1>\\n<p>Approve</p>\\n",
                    "--write",
                    "notes/todo.md=a\\nb\\nc\\n",
                    "--delete",
                    "config.js",
                    "--stderr",
                    "thinking hard",
                    "--json",
                    "--cost",
                    "0.42",
                    "--prompt-file",
                    str(tmp_path / "prompt.txt"),
                )
            }
        },
        writable=[tmp_path],
    )
    result = cli("run", "expense-approvals", "--variant", "claude-code", "--timeout", "60")
    assert result.code == 0, result.err
    assert "claude-code headless run finished" in result.out and "$0.42" in result.out
    [event] = _events(project, "run")
    assert event["variant"] == event["assistant"] == "claude-code"
    assert event["exit_code"] == 0 and event["timed_out"] is False and event["seconds"] > 0
    assert event["files_added"] == ["notes/todo.md"]
    assert event["files_changed"] == ["index.html"]
    assert event["files_deleted"] == ["config.js"]
    assert event["lines_added"] == 2 + 3 and event["lines_removed"] >= 2
    assert event["result"]["total_cost_usd"] == 0.42 and event["result"]["num_turns"] == 3
    assert event["result"]["session_id"] and event["result"]["usage"]["output_tokens"] == 50
    assert "duration_ms" in event["result"]
    assert event["command"][-1] == "{prompt}", "the long prompt is not copied into the ledger"
    log = (project.path / event["log"]).read_text()
    assert "thinking hard" in log and '"total_cost_usd": 0.42' in log and event["log"].startswith(".sandbox/runs/")
    assert "CLAUDE.md" in (tmp_path / "prompt.txt").read_text(), "the default task points at the brief"
    assert sessions.open_sessions(project) == {}, "the run closed its open state"
    assert not _events(project, "session_ended"), "a run is not a session"


def test_parallel_runs_attribute_every_change_to_the_right_assistant(ws: Workspace, project, cli) -> None:
    configure(
        ws.root,
        {
            "claude-code": {
                "headless": fake(
                    "--hook",
                    "--write",
                    "claude-1.txt=one\\n",
                    "--sleep",
                    "0.3",
                    "--append",
                    "index.html=<!-- claude -->\\n",
                    "--sleep",
                    "0.3",
                    "--write",
                    "claude-2.txt=two\\n",
                    "--json",
                    "--cost",
                    "0.10",
                )
            },
            "copilot": {
                "headless": fake(
                    "--write",
                    "copilot-1.txt=one\\n",
                    "--sleep",
                    "0.3",
                    "--append",
                    "style.css=/* copilot */\\n",
                    "--sleep",
                    "0.3",
                    "--delete",
                    "config.js",
                )
            },
        },
    )
    result = cli("run", "expense-approvals", "--all", "--timeout", "60", env=env_with_sandbox())
    assert result.code == 0, result.err
    runs_by_variant = {e["variant"]: e for e in _events(project, "run")}
    assert set(runs_by_variant) == {"claude-code", "copilot"}
    claude, copilot = runs_by_variant["claude-code"], runs_by_variant["copilot"]
    assert claude["assistant"] == "claude-code" and copilot["assistant"] == "copilot"
    assert claude["files_added"] == ["claude-1.txt", "claude-2.txt"] and claude["files_changed"] == ["index.html"]
    assert claude["files_deleted"] == []
    assert copilot["files_added"] == ["copilot-1.txt"] and copilot["files_changed"] == ["style.css"]
    assert copilot["files_deleted"] == ["config.js"]
    assert claude["lines_added"] == 3 and claude["lines_removed"] == 0
    assert claude["result"]["total_cost_usd"] == 0.10 and "result" not in copilot, "copilot prints text, not JSON"
    # the runs overlapped in time (they ran in parallel)
    assert claude["started_at"] < copilot["at"] and copilot["started_at"] < claude["at"]
    # Claude Code's edit hook recorded each of its edits exactly, in its own variant and run
    edits = _events(project, "edit")
    assert sorted(e["file"] for e in edits) == ["claude-1.txt", "claude-2.txt", "index.html"]
    assert {(e["variant"], e["assistant"], e["session"]) for e in edits} == {
        ("claude-code", "claude-code", claude["session"])
    }
    assert [e["tool"] for e in edits if e["file"] == "index.html"] == ["Edit"]


def test_hanging_assistant_is_killed_at_the_timeout_with_its_partial_work(
    ws: Workspace, project, cli, tmp_path
) -> None:
    child_pid_file = tmp_path / "child.pid"
    configure(
        ws.root,
        {
            "copilot": {
                "headless": fake(
                    "--write",
                    "partial.html=<p>half done</p>\\n",
                    "--spawn-child",
                    str(child_pid_file),
                    "--hang",
                )
            }
        },
        writable=[tmp_path],
    )
    began = time.monotonic()
    result = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "4")
    elapsed = time.monotonic() - began
    assert result.code == 1, result.err
    assert "timed out and was stopped" in result.out
    [event] = _events(project, "run")
    assert event["timed_out"] is True and event["exit_code"] == -signal.SIGTERM
    assert 4 <= event["seconds"] < 4 + runs.KILL_GRACE + 2
    assert event["files_added"] == ["partial.html"] and event["lines_added"] == 1
    assert elapsed < 25
    assert child_pid_file.read_text() and all_gone(ws.root), "the assistant's child was killed with its group"
    assert "working..." in (project.path / event["log"]).read_text()


def test_failing_assistant_is_recorded_with_its_exit_code(ws: Workspace, project, cli) -> None:
    configure(
        ws.root, {"copilot": {"headless": fake("--write", "a.txt=x\\n", "--stderr", "quota exceeded", "--exit", "3")}}
    )
    result = cli("run", "expense-approvals", "-v", "copilot", "--json")
    assert result.code == 1
    [event] = json.loads(result.out)
    assert event["exit_code"] == 3 and event["timed_out"] is False and event["files_added"] == ["a.txt"]
    assert "quota exceeded" in (project.path / event["log"]).read_text()
    assert _events(project, "run")[0]["id"] == event["id"]


def test_prompt_goes_to_stdin_without_a_placeholder(ws: Workspace, project, cli) -> None:
    configure(ws.root, {"copilot": {"headless": fake("--prompt-file", "got.txt", prompt=False)}})
    result = cli("run", "expense-approvals", "-v", "copilot", "--prompt", "Make the header blue")
    assert result.code == 0, result.err
    assert (project.variant_dir("copilot") / "got.txt").read_text() == "Make the header blue"


def test_missing_executable_is_a_one_line_error_with_the_fix(ws: Workspace, project, cli) -> None:
    configure(
        ws.root,
        {
            "claude-code": {
                "headless": ["no-such-assistant-cli", "-p", "{prompt}"],
                "command": ["no-such-assistant-cli"],
            }
        },
    )
    result = cli("run", "expense-approvals", "--all")
    assert_one_line_error(
        result, "no-such-assistant-cli", "npm install -g @anthropic-ai/claude-code", "assistants.claude-code.headless"
    )
    assert not _events(project, "run"), "nothing ran: commands are checked before any starts"
    result = cli("open", "expense-approvals", "-v", "claude-code")
    assert_one_line_error(result, "not found", "assistants.claude-code.command")
    assert sessions.open_sessions(project) == {}
    assert_one_line_error(cli("run", "expense-approvals", "-v", "nope"), "no variant 'nope'")
    assert_one_line_error(cli("run", "expense-approvals", "-v", "copilot", "--timeout", "0"), "--timeout")


def test_open_hands_over_the_terminal_inside_a_session(ws: Workspace, project, cli, tmp_path) -> None:
    env_file = tmp_path / "env.json"
    configure(
        ws.root,
        {
            "copilot": {
                "command": fake("--append", "style.css=/* tweak */\\n", "--env-file", str(env_file), prompt=False)
            }
        },
        writable=[tmp_path],
    )
    result = cli("open", "expense-approvals", "-v", "copilot", "--score", "4", "--note", "nice")
    assert result.code == 0, result.err
    started = _events(project, "session_started")
    [ended] = _events(project, "session_ended")
    assert len(started) == 1 and started[0]["session"] == ended["session"]
    assert ended["assistant"] == "copilot" and ended["files_changed"] == ["style.css"]
    assert ended["lines_added"] == 1 and ended["score"] == 4 and ended["note"] == "nice"
    env = json.loads(env_file.read_text())
    assert env["SANDBOX_VARIANT"] == "copilot" and env["SANDBOX_SESSION"] == ended["session"]
    assert sessions.open_sessions(project) == {}


def test_crashed_open_session_is_ended_later_with_the_right_diff(ws: Workspace, project, cli) -> None:
    # the assistant edits, then the sandbox process dies (SIGKILL): no session_ended is written
    configure(
        ws.root,
        {
            "copilot": {
                "command": fake(
                    "--write",
                    "index.html=<h1>new</h1>\\n",
                    "--write",
                    "extra.js=1\\n2\\n",
                    "--kill-parent",
                    prompt=False,
                )
            }
        },
        confinement="off",  # confined, the stand-in cannot even see the sandbox, let alone kill it
    )
    result = cli("open", "expense-approvals", "-v", "copilot")
    assert result.code == -signal.SIGKILL
    assert not _events(project, "session_ended")
    assert "copilot" in sessions.open_sessions(project)
    listing = cli("session", "list", "--json")
    assert [row["variant"] for row in json.loads(listing.out)] == ["copilot"]
    (project.variant_dir("copilot") / "later.txt").write_text("after the crash\n")
    result = cli("session", "end", "expense-approvals", "-v", "copilot", "--json")
    assert result.code == 0, result.err
    ended = json.loads(result.out)
    assert ended["files_added"] == ["extra.js", "later.txt"] and ended["files_changed"] == ["index.html"]
    assert ended["lines_added"] == 1 + 2 + 1
    assert ended["session"] == _events(project, "session_started")[0]["session"]


def test_run_whose_sandbox_died_is_closed_as_interrupted(ws: Workspace, project, cli) -> None:
    start = sessions.begin(
        project,
        "copilot",
        assistant="copilot",
        mode=sessions.MODE_RUN,
        extra={"run_id": "r1", "command": ["copilot"], "log": ".sandbox/runs/r1.log"},
    )
    (project.variant_dir("copilot") / "half.txt").write_text("x\n")
    state_path = project.state_dir / "sessions" / "copilot.json"
    state = json.loads(state_path.read_text())
    assert_one_line_error(cli("session", "end", "expense-approvals", "-v", "copilot"), "still working")
    state["event"]["pid"] = 2**22 + 12345  # a process that does not exist
    state_path.write_text(json.dumps(state))
    result = cli("session", "end", "expense-approvals", "-v", "copilot", "--json")
    assert result.code == 0, result.err
    event = json.loads(result.out)
    assert event["kind"] == "run" and event["interrupted"] is True and event.get("exit_code") is None
    assert event["session"] == start["session"] and event["files_added"] == ["half.txt"]


def test_cancelled_run_stops_the_assistant_and_is_recorded(ws: Workspace, project, tmp_path) -> None:
    import threading

    child_pid_file = tmp_path / "child.pid"
    configure(
        ws.root,
        {
            "copilot": {
                "headless": fake("--write", "started.txt=yes\\n", "--spawn-child", str(child_pid_file), "--hang")
            }
        },
        writable=[tmp_path],
    )
    ws.reload()
    cancel = threading.Event()
    results: list[dict] = []
    worker = threading.Thread(
        target=lambda: results.append(runs.run_headless(ws, project, "copilot", timeout=60, cancel=cancel))
    )
    worker.start()
    deadline = time.monotonic() + 20
    while not child_pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert child_pid_file.exists()
    assert sessions.open_session(project, "copilot")["mode"] == "run", "the variant is busy during the run"
    cancel.set()
    worker.join(timeout=20)
    [event] = results
    assert event["interrupted"] is True and event["timed_out"] is False and event["files_added"] == ["started.txt"]
    assert all_gone(ws.root)
    assert sessions.open_sessions(project) == {}


def test_ctrl_c_in_the_assistant_still_ends_the_open_session(ws: Workspace, project) -> None:
    """Ctrl-C reaches the whole foreground group: the assistant stops, the sandbox ends the session."""
    configure(ws.root, {"copilot": {"command": fake("--write", "wip.txt=a\\n", "--hang", prompt=False)}})
    proc = _sandbox_in_its_own_session(ws, "open", "expense-approvals", "-v", "copilot")
    target = project.variant_dir("copilot") / "wip.txt"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert target.exists()
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, err
    [ended] = [e for e in project.events() if e["kind"] == "session_ended"]
    assert ended["files_added"] == ["wip.txt"]
    assert sessions.open_sessions(project) == {}


def test_run_all_skips_variants_that_cannot_run_headless(ws: Workspace, cli) -> None:
    ws.new_project("Solo", "mini", assistants=["copilot", "human"])
    configure(ws.root, {"copilot": {"headless": fake("--write", "x.txt=1\\n")}})
    result = cli("run", "solo", "--all", "--quiet")
    assert result.code == 0, result.err
    assert "skipping 'human'" in result.err
    assert [e["variant"] for e in ws.project("solo").events() if e["kind"] == "run"] == ["copilot"]


def _sandbox_in_its_own_session(ws: Workspace, *args: str) -> subprocess.Popen[bytes]:
    """``sandbox ARGS`` started as a terminal would run it, in a session (and process group) of its
    own, so a test can signal it, or its whole group, like a person or a process manager does."""
    return subprocess.Popen([sys.executable, "-m", "sandbox", *args], cwd=ws.root, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_text(path: Path, within: float = 30.0) -> str:
    """The content of a file another process writes, once it is there and not empty."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            text = path.read_text()
        except FileNotFoundError:
            text = ""
        if text.strip():
            return text
        time.sleep(0.02)
    raise AssertionError(f"{path} was not written within {within} s")


def _kill_leftovers(group: int) -> None:
    """A failing test must not leave a hanging stand-in assistant behind (it sleeps for ever)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_stopping_sandbox_run_stops_its_assistants_and_records_the_runs(
    ws: Workspace, project, tmp_path, sig: int
) -> None:
    """Ctrl-C, a closed terminal (SIGHUP) or a SIGTERM reaches only the sandbox: the assistants, in
    their own process group, must not run on unsupervised and without a timeout."""
    pid_file, child_pid_file = tmp_path / "assistant.pid", tmp_path / "child.pid"
    configure(
        ws.root,
        {
            "copilot": {
                "headless": fake(
                    "--write",
                    "started.txt=yes\\n",
                    "--pid-file",
                    str(pid_file),
                    "--spawn-child",
                    str(child_pid_file),
                    "--hang",
                )
            }
        },
        writable=[tmp_path],
    )
    proc = _sandbox_in_its_own_session(ws, "run", "expense-approvals", "-v", "copilot", "--timeout", "600")
    _wait_for_text(pid_file)
    _wait_for_text(child_pid_file)
    try:
        proc.send_signal(sig)  # to the sandbox alone, as a process manager or a hang-up does
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130 and b"interrupted" in err, err
        assert all_gone(ws.root), "the assistant's whole group was stopped"
    finally:
        kill_leftovers(ws.root)
    [event] = _events(project, "run")
    assert event["interrupted"] is True and event["timed_out"] is False and event["files_added"] == ["started.txt"]
    assert sessions.open_sessions(project) == {}


@pytest.mark.parametrize("moment", [0.0, 0.1, 0.2, 0.3, 0.5, 1.0, "working"])
def test_a_hang_up_at_any_moment_ends_sandbox_run_and_leaves_nothing_running(
    ws: Workspace, project, tmp_path, moment: float | str
) -> None:
    """From start-up on, a SIGHUP either ends the sandbox before any assistant started, or stops every
    assistant it started and records the run as interrupted; it never outlives the signal."""
    pid_file = tmp_path / "assistant.pid"
    configure(
        ws.root,
        {"copilot": {"headless": fake("--write", "started.txt=yes\\n", "--pid-file", str(pid_file), "--hang")}},
        writable=[tmp_path],
    )
    proc = _sandbox_in_its_own_session(ws, "run", "expense-approvals", "-v", "copilot", "--timeout", "600")
    try:
        if moment == "working":
            _wait_for_text(pid_file)
        else:
            time.sleep(float(moment))
        proc.send_signal(signal.SIGHUP)
        _, err = proc.communicate(timeout=60)
    finally:
        _kill_leftovers(proc.pid)
        leftovers = not all_gone(ws.root)
        kill_leftovers(ws.root)
    # -SIGHUP: killed by the default action, before the handlers (and so before any assistant) were there
    assert proc.returncode in (130, -signal.SIGHUP), err
    if proc.returncode == 130:
        assert b"interrupted" in err, err
    runs_recorded = _events(project, "run")
    assert all(e["interrupted"] is True for e in runs_recorded), runs_recorded
    assert sessions.open_sessions(project) == {}, "no run is left open"
    if pid_file.exists() and pid_file.read_text():
        assert runs_recorded, "an assistant that started is recorded"
    assert not leftovers, "the assistant was stopped with the sandbox"
    if moment == "working":
        assert proc.returncode == 130 and [e["files_added"] for e in runs_recorded] == [["started.txt"]]


def test_stopping_sandbox_open_stops_the_assistant_and_ends_the_session(ws: Workspace, project, tmp_path) -> None:
    pid_file = tmp_path / "assistant.pid"
    configure(
        ws.root,
        {"copilot": {"command": fake("--write", "wip.txt=a\\n", "--pid-file", str(pid_file), "--hang", prompt=False)}},
        writable=[tmp_path],
    )
    proc = _sandbox_in_its_own_session(ws, "open", "expense-approvals", "-v", "copilot")
    _wait_for_text(pid_file)
    try:
        proc.send_signal(signal.SIGTERM)  # to the sandbox alone
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, err
        assert all_gone(ws.root), "the assistant was told to stop too"
    finally:
        _kill_leftovers(proc.pid)
        kill_leftovers(ws.root)
    [ended] = _events(project, "session_ended")
    assert ended["files_added"] == ["wip.txt"]
    assert sessions.open_sessions(project) == {}


def test_timeout_must_be_a_number_of_seconds(ws: Workspace, project, cli) -> None:
    configure(ws.root, {"copilot": {"headless": fake("--write", "x.txt=1\\n")}})
    assert_one_line_error(cli("run", "expense-approvals", "-v", "copilot", "--timeout", "nan"), "--timeout", "nan")
    assert not _events(project, "run")


def test_an_unexpected_failure_of_one_run_is_reported_not_lost(ws: Workspace, project, monkeypatch) -> None:
    configure(
        ws.root,
        {
            "copilot": {"headless": fake("--write", "x.txt=1\\n")},
            "claude-code": {"headless": fake("--write", "y.txt=1\\n")},
        },
    )
    ws.reload()
    original = runs.run_headless

    def flaky(workspace, project, variant, **kwargs):
        if variant == "copilot":
            raise PermissionError(13, "Permission denied")
        return original(workspace, project, variant, **kwargs)

    monkeypatch.setattr(runs, "run_headless", flaky)
    claude, copilot = runs.run_many(ws, project, ["claude-code", "copilot"], timeout=60)
    assert isinstance(claude, dict) and claude["files_added"] == ["y.txt"]
    assert "PermissionError" in str(copilot) and "Permission denied" in str(copilot) and "copilot" in str(copilot)


def test_timeout_holds_when_the_assistant_never_reads_a_big_prompt(ws: Workspace, project, cli) -> None:
    """A prompt bigger than the pipe, written to an assistant that never reads stdin, must not block
    the sandbox before the timeout is even counted."""
    configure(ws.root, {"copilot": {"headless": fake("--write", "a.txt=1\\n", "--hang", prompt=False)}})
    result = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "2", "--prompt", "x" * 100_000, timeout=40)
    assert result.code == 1, result.err
    [event] = _events(project, "run")
    assert event["timed_out"] is True and event["files_added"] == ["a.txt"]


def test_result_after_long_output_is_still_read(ws: Workspace, project, monkeypatch) -> None:
    """stream-json puts the result last: the kept output is the tail, not the head."""
    configure(ws.root, {"claude-code": {"headless": fake("--noise", "200", "--json", "--cost", "0.77")}})
    ws.reload()
    monkeypatch.setattr(runs, "MAX_KEPT_OUTPUT", 4096)  # 200 lines of ~120 bytes: well over it
    event = runs.run_headless(ws, project, "claude-code", timeout=60)
    assert event["result"]["total_cost_usd"] == 0.77
    assert (project.path / event["log"]).read_text().count('"type": "assistant"') == 200, "the log keeps it all"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times come from /proc")
def test_a_dead_run_whose_pid_was_reused_is_still_seen_as_dead(ws: Workspace, project, cli) -> None:
    """After a crash or a reboot another process may get the run's pid; the run must not stay stuck."""
    start = sessions.begin(
        project,
        "copilot",
        assistant="copilot",
        mode=sessions.MODE_RUN,
        extra={"run_id": "r2", "command": ["copilot"], "log": ".sandbox/runs/r2.log"},
    )
    state_path = project.state_dir / "sessions" / "copilot.json"
    state = json.loads(state_path.read_text())
    assert state["event"]["process"] and not sessions.run_is_stale(state["event"]), "our own run is alive"
    state["event"]["pid"] = 1  # alive, but not the process that started the run
    state_path.write_text(json.dumps(state))
    result = cli("session", "end", "expense-approvals", "-v", "copilot", "--json")
    assert result.code == 0, result.err
    event = json.loads(result.out)
    assert event["kind"] == "run" and event["interrupted"] is True and event["session"] == start["session"]


def test_no_assistant_outlives_a_program_that_exits_mid_run(ws: Workspace, project, tmp_path) -> None:
    """A TUI that quits while a run's worker thread still supervises it must not orphan the assistant."""
    pid_file = tmp_path / "assistant.pid"
    configure(ws.root, {"copilot": {"headless": fake("--write", "a.txt=1\\n", "--pid-file", str(pid_file), "--hang")}},
              writable=[tmp_path])
    code = (
        "import sys, threading, time\n"
        "from pathlib import Path\n"
        "from sandbox.workspace import Workspace\n"
        "from sandbox.assistants import runs\n"
        f"ws = Workspace(Path({str(ws.root)!r}))\n"
        "threading.Thread(target=runs.run_headless, args=(ws, 'expense-approvals', 'copilot'),\n"
        "                 kwargs={'timeout': 600}, daemon=True).start()\n"
        f"pid_file = Path({str(pid_file)!r})\n"
        "deadline = time.monotonic() + 30\n"
        "while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:\n"
        "    time.sleep(0.02)\n"
        "sys.exit(0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    _wait_for_text(pid_file)
    try:
        assert proc.returncode == 0, proc.stderr
        assert all_gone(ws.root), "the assistant was stopped when the program exited"
        assert sessions.run_is_stale(sessions.open_session(project, "copilot")), "closed later as interrupted"
    finally:
        kill_leftovers(ws.root)


def test_a_log_that_cannot_be_written_does_not_stall_the_assistant() -> None:
    """A full disk must not stop us draining the assistant's output (it would block, then time out)."""
    import io
    import threading

    class FullDisk:
        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            raise OSError(28, "No space left on device")

    lines = [f"line {n}\n".encode() for n in range(1000)]
    out = runs._Output(bytearray(), threading.Lock())
    seen: list[str] = []
    runs._pump(io.BytesIO(b"".join(lines)), FullDisk(), out, True, "copilot", lambda _v, line: seen.append(line))
    assert len(seen) == 1000 and bytes(out.stdout).endswith(b"line 999\n")


def test_the_recorded_command_and_the_prompt_are_what_was_configured_and_typed(ws: Workspace, project, cli) -> None:
    configure(
        ws.root,
        {
            "copilot": {
                "headless": fake("--write", "a.txt=1\\n", "--prompt-file", "got.txt", "--env-file", "{variant}.env")
            }
        },
    )
    result = cli("run", "expense-approvals", "-v", "copilot", "--prompt", "a", "--json")
    assert result.code == 0, result.err
    [event] = json.loads(result.out)
    assert event["command"][2:] == [
        "--write",
        "a.txt=1\\n",
        "--prompt-file",
        "got.txt",
        "--env-file",
        "copilot.env",
        "--prompt",
        "{prompt}",
    ], "a short prompt is not mistaken for the other arguments"
    result = cli("run", "expense-approvals", "-v", "copilot", "--prompt", "Name it after {project} and {variant}")
    assert result.code == 0, result.err
    got = (project.variant_dir("copilot") / "got.txt").read_text()
    assert got == "Name it after {project} and {variant}", "placeholders are filled in the command, not the prompt"
