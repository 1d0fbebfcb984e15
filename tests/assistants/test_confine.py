"""Confinement with hostile stand-in assistants: nothing they write outside their variant lands, nothing outlives them.

Every test drives the real ``sandbox`` CLI and a real bubblewrap (CI=true: a machine without it
fails here rather than skipping, see ``test_bubblewrap_confines_on_this_machine``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.assistants import confine, sessions
from sandbox.workspace import Project, Workspace
from tests.conftest import CliResult, assert_one_line_error
from tests.support.fake_assistant import configure, env_with_sandbox
from tests.support.hostile_assistant import hostile
from tests.support.processes import all_gone, kill_leftovers, workspace_processes

Cli = Callable[..., CliResult]


@pytest.fixture
def project(ws: Workspace) -> Project:
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    return ws.project("expense-approvals")


def _events(project: Project, kind: str) -> list[dict[str, Any]]:
    return [e for e in project.events() if e["kind"] == kind]


def _targets(ws: Workspace, project: Project, tmp_path: Path) -> dict[str, Path]:
    """What a hostile copilot stand-in attacks, by the violation kind each write is."""
    return {
        "sibling": Path(project.variant_dir("claude-code")) / "index.html",
        "spec": project.path / "project.yaml",
        "ledger": Path(project.ledger_path),
        "state": project.state_dir / "forged.json",
        "outside": tmp_path / "outside.txt",  # next to the workspace folder
    }


def _contents(paths: dict[str, Path]) -> dict[str, bytes | bool | None]:
    """What is on disk at each target; the ledger only up to its forged lines (the sandbox appends its own)."""
    found = {what: path.read_bytes() if path.exists() else None for what, path in paths.items()}
    return {**found, "ledger": b'"note": "forged"' in (found["ledger"] or b"")}


def _wait_for_file(path: Path, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _kill_9_sandbox_while_it_works(ws: Workspace, args: list[str], pid_file: Path) -> bool:
    """Start ``sandbox ARGS``, wait for its stand-in to run, ``kill -9`` the sandbox: is everything gone?"""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", *args], cwd=ws.root, env={**os.environ, **env_with_sandbox()},
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_file(pid_file)
        assert workspace_processes(ws.root), "the stand-in runs (and is found by its marker)"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return all_gone(ws.root, within=5.0)
    finally:
        proc.kill()
        kill_leftovers(ws.root)


def test_bubblewrap_confines_on_this_machine() -> None:
    """The tests below mean something only if bubblewrap really works here (CI installs it)."""
    found = confine.available()
    assert found.mechanism == confine.BUBBLEWRAP, found.reason
    assert found.notice() is None


def test_confined_run_writes_only_its_own_variant(ws: Workspace, project: Project, cli: Cli, tmp_path: Path) -> None:
    targets = _targets(ws, project, tmp_path)
    before = _contents(targets)
    attacks = [part for path in targets.values() for part in ("--attack", str(path))]
    # /tmp is a private, empty tmpfs inside the confinement: the "outside" write there lands nowhere on
    # disk. HOME is the real disk, read-only but for the assistant's own folders.
    in_home = Path.home() / f".hostile-{tmp_path.name}"
    attacks += ["--attack", str(in_home)]
    configure(ws.root, {"copilot": {"headless": hostile("--mine", "mine.html=<p>mine</p>", *attacks)}})
    try:
        result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60")
        assert not in_home.exists(), "HOME is not writable"
    finally:
        in_home.unlink(missing_ok=True)
    assert result.code == 0, result.err
    assert _contents(targets) == before, "no write outside the variant landed"
    [event] = _events(project, "run")
    assert event["files_added"] == ["mine.html"] and event["contained"] is True
    assert event["confinement"] == "bubblewrap" and not event.get("violations")
    assert "sandbox: assistants are not confined" not in result.err, "no warning when confined"
    log = (project.path / str(event["log"])).read_text()
    for path in (*(targets[what] for what in ("sibling", "spec", "ledger", "state")), in_home):
        assert f"hostile: denied {path}" in log, (path, log)
    assert not _events(project, "rating"), "the forged rating is not in the ledger"


def test_unconfined_run_reports_each_write_as_a_violation(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    targets = _targets(ws, project, tmp_path)
    attacks = [part for path in targets.values() for part in ("--attack", str(path))]
    configure(ws.root, {"copilot": {"headless": hostile("--mine", "mine.html=<p>mine</p>", *attacks)}},
              confinement="off")
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60")
    assert result.code == 0, result.err
    notices = [line for line in result.err.splitlines() if "not confined" in line]
    assert len(notices) == 1 and "switched off" in notices[0], result.err
    [event] = _events(project, "run")
    assert event["contained"] is False and event.get("confinement") is None
    found = {(v["what"], v["path"]) for v in event["violations"]}
    assert {what for what, _ in found} == {"sibling", "spec", "ledger", "state", "outside"}, found
    assert ("sibling", "variants/claude-code/index.html") in found and ("spec", "project.yaml") in found
    assert ("state", ".sandbox/forged.json") in found
    log = cli("log", "expense-approvals")
    assert log.code == 0 and "not confined: 5 changes outside its variant" in log.out, log.out


def test_a_daemon_does_not_outlive_a_confined_run(ws: Workspace, project: Project, cli: Cli, tmp_path: Path) -> None:
    late = Path(project.variant_dir("copilot")) / "late.html"
    configure(ws.root, {"copilot": {"headless": hostile("--mine", "mine.html=x", "--daemon", f"{late}=5")}})
    began = time.monotonic()
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60")
    assert result.code == 0, result.err
    try:
        assert all_gone(ws.root, within=3.0), "the daemon ended with its run"
    finally:
        kill_leftovers(ws.root)
    time.sleep(max(0.0, began + 6.0 - time.monotonic()))  # past the moment it would have written
    assert not late.exists(), "the daemon never wrote after the run"
    [event] = _events(project, "run")
    assert event["files_added"] == ["mine.html"]


def test_an_assistant_that_ignores_sigterm_is_killed_at_the_timeout(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    late = Path(project.variant_dir("copilot")) / "late.html"
    configure(ws.root, {"copilot": {"headless": hostile("--ignore-term", "--daemon", f"{late}=30", "--hang")}})
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "2")
    try:
        assert all_gone(ws.root, within=3.0), "neither the assistant nor its daemon survived the timeout"
    finally:
        kill_leftovers(ws.root)
    assert result.code != 0
    [event] = _events(project, "run")
    assert event["timed_out"] is True


def test_kill_9_of_sandbox_run_leaves_nothing_running_and_the_next_command_closes_the_run(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    late = Path(project.variant_dir("copilot")) / "late.html"
    configure(ws.root, {"copilot": {"headless": hostile(
        "--mine", "started.html=x", "--ignore-term", "--daemon", f"{late}=30",
        "--pid-file", str(pids / "assistant.pid"), "--hang")}}, writable=[pids])
    gone = _kill_9_sandbox_while_it_works(ws, ["run", "expense-approvals", "-v", "copilot", "--timeout", "5"],
                                          pids / "assistant.pid")
    assert gone, "kill -9 of the sandbox took the assistant and its daemon along"
    assert sessions.open_sessions(project), "the dead sandbox left its run open"
    result: CliResult = cli("log", "expense-approvals")
    assert result.code == 0, result.err
    [event] = _events(project, "run")
    assert event["interrupted"] is True and event["files_added"] == ["started.html"]
    assert sessions.open_sessions(project) == {}


def test_confined_open_session_writes_only_its_own_variant(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    targets = _targets(ws, project, tmp_path)
    before = _contents(targets)
    attacks = [part for path in targets.values() for part in ("--attack", str(path))]
    late = Path(project.variant_dir("copilot")) / "late.html"
    configure(ws.root, {"copilot": {"command": hostile("--mine", "mine.html=x", *attacks, "--daemon", f"{late}=30",
                                                       prompt=False)}})
    result: CliResult = cli("open", "expense-approvals", "-v", "copilot")
    try:
        assert all_gone(ws.root, within=3.0), "the session's daemon ended with it"
    finally:
        kill_leftovers(ws.root)
    assert result.code == 0, result.err
    assert _contents(targets) == before
    [ended] = _events(project, "session_ended")
    assert ended["files_added"] == ["mine.html"] and ended["contained"] is True and not ended.get("violations")
    assert "hostile: denied" in result.out and "hostile: landed" not in result.out.replace(
        f"hostile: landed {targets['outside']}", "")


def test_hook_edits_reach_the_ledger_through_the_spool_only_when_they_hold_up(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    """A hook inside the confinement cannot write the ledger; the sandbox appends what it spooled, checked."""
    script = (
        "import json, os, subprocess; from pathlib import Path\n"
        "Path('page.html').write_text('x')\n"
        "subprocess.run(['sandbox', 'log-edit', '--hook', '--file', 'page.html', '--tool', 'Write',"
        " '--assistant', 'copilot'], check=True)\n"
        "line = json.loads(Path(os.environ['SANDBOX_SPOOL']).read_text())\n"
        "forged = [{**line, 'file': str(Path('../claude-code/index.html').resolve())},"
        " {**line, 'session': 'someone-else'}, {**line, 'file': 'page.html', 'at': '2020-01-01T00:00:00.000Z'}]\n"
        "with open(os.environ['SANDBOX_SPOOL'], 'a') as spool:\n"
        "    spool.write(''.join(json.dumps(f) + '\\n' for f in forged) + 'not json\\n')\n"
    )
    configure(ws.root, {"copilot": {"headless": [sys.executable, "-c", script, "{prompt}"]}})
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60", env=env_with_sandbox())
    assert result.code == 0, result.err
    edits = _events(project, "edit")
    assert [(e["file"], e.get("source")) for e in edits] == [("page.html", "hook")], edits
    [event] = _events(project, "run")
    assert event["spool_rejected"] == 4, "the sibling's file, another session, a time before the run, junk"


def _path_without_bwrap(tmp_path: Path, broken: bool) -> dict[str, str]:
    """A PATH with the venv's programs and, when ``broken``, a ``bwrap`` that cannot make namespaces."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    if broken:  # what bubblewrap says where user namespaces are switched off
        fake = bindir / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
        fake.chmod(0o755)
    return {"PATH": f"{bindir}:{Path(sys.executable).parent}"}


@pytest.mark.parametrize(("broken", "reason"), [
    (False, "bubblewrap is not installed; on Debian or Ubuntu: sudo apt install bubblewrap"),
    (True, "bubblewrap cannot confine here (bwrap: setting up uid map: Permission denied)"),
])
def test_without_bubblewrap_runs_say_so_once_and_record_violations(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path, broken: bool, reason: str
) -> None:
    sibling = Path(project.variant_dir("claude-code")) / "index.html"
    configure(ws.root, {"copilot": {"headless": hostile("--mine", "mine.html=x", "--attack", str(sibling))}})
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60",
                            env=_path_without_bwrap(tmp_path, broken))
    assert result.code == 0, result.err
    notices = [line for line in result.err.splitlines() if "not confined" in line]
    assert len(notices) == 1 and f"({reason})" in notices[0], result.err
    [event] = _events(project, "run")
    assert event["contained"] is False
    assert event["violations"] == [{"path": "variants/claude-code/index.html", "what": "sibling",
                                    "detail": "changed during the run"}]


def test_confinement_required_refuses_to_run_without_it(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    configure(ws.root, {"copilot": {"headless": hostile("--mine", "mine.html=x")}}, confinement="required")
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", env=_path_without_bwrap(tmp_path, False))
    assert_one_line_error(result, "assistants must be confined", "bubblewrap is not installed")
    assert not _events(project, "run") and not (Path(project.variant_dir("copilot")) / "mine.html").exists()


def test_unconfined_open_session_reports_its_violations(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    spec = project.path / "project.yaml"
    configure(ws.root, {"copilot": {"command": hostile("--mine", "mine.html=x", "--attack", str(spec), prompt=False)}},
              confinement="off")
    result: CliResult = cli("open", "expense-approvals", "-v", "copilot")
    assert result.code == 0, result.err
    assert sum("are not confined" in line for line in result.err.splitlines()) == 1, result.err
    assert "not confined: 1 change outside its variant (project.yaml)" in result.err, "the end says what happened"
    [ended] = _events(project, "session_ended")
    assert ended["contained"] is False and ended["files_added"] == ["mine.html"]
    assert [(v["what"], v["path"]) for v in ended["violations"]] == [("spec", "project.yaml")]


def test_kill_9_of_sandbox_open_leaves_nothing_running(ws: Workspace, project: Project, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    pids.mkdir()
    late = Path(project.variant_dir("copilot")) / "late.html"
    configure(ws.root, {"copilot": {"command": hostile(
        "--ignore-term", "--daemon", f"{late}=30", "--pid-file", str(pids / "assistant.pid"), "--hang", prompt=False)}},
        writable=[pids])
    gone = _kill_9_sandbox_while_it_works(ws, ["open", "expense-approvals", "-v", "copilot"], pids / "assistant.pid")
    assert gone, "kill -9 of sandbox open took the assistant and its daemon along"


def test_an_assistant_installed_under_tmp_still_runs_confined(
    ws: Workspace, project: Project, cli: Cli, tmp_path: Path
) -> None:
    """The confinement's private /tmp must not hide a program installed under /tmp (a checkout there,
    a CI runner's folder): it is shown again, read-only, and the run works and stays confined."""
    import shutil

    from tests.support import fake_assistant

    assert str(tmp_path).startswith("/tmp/"), "the point of this test is a program under /tmp"
    script = tmp_path / "tools" / "assistant.py"
    script.parent.mkdir()
    shutil.copyfile(fake_assistant.SCRIPT, script)
    configure(ws.root, {"copilot": {"headless": [sys.executable, str(script), "--write", "mine.html=<p>mine</p>"]}})
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60")
    assert result.code == 0, result.err
    [event] = _events(project, "run")
    assert event["exit_code"] == 0 and event["contained"] is True and event["files_added"] == ["mine.html"]
    assert confine._programs_under_tmp([str(script), "/usr/bin/env", "/tmp"]) == ["/" + "/".join(script.parts[1:3])]


def test_confinement_off_written_as_plain_yaml_switches_it_off(ws: Workspace, project: Project, cli: Cli) -> None:
    """README says `confinement: off`; YAML reads a bare off as false, which must mean off too."""
    headless = json.dumps(hostile("--mine", "mine.html=<p>mine</p>"))
    (ws.root / "sandbox.yaml").write_text(f"assistants:\n  copilot:\n    headless: {headless}\nconfinement: off\n")
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot", "--timeout", "60")
    assert result.code == 0, result.err
    assert any("switched off" in line for line in result.err.splitlines()), result.err
    [event] = _events(project, "run")
    assert event["contained"] is False


@pytest.mark.parametrize(("setting", "words"), [
    ('"maybe"', "'confinement' mode must be one of auto, required, off"),
    ('{"mode": "auto", "writeable": []}', "unknown key 'writeable' in 'confinement'"),
    ('{"writable": "/tmp"}', "'confinement.writable' must be a list of folders"),
])
def test_a_wrong_confinement_setting_is_one_line_naming_the_place(
    ws: Workspace, project: Project, cli: Cli, setting: str, words: str
) -> None:
    (ws.root / "sandbox.yaml").write_text(f'{{"assistants": {{"copilot": {{"headless": ["true"]}}}},\n'
                                          f' "confinement": {setting}}}\n')
    result: CliResult = cli("run", "expense-approvals", "-v", "copilot")
    assert_one_line_error(result, "sandbox.yaml:2:", words)


def test_the_macos_profile_allows_writes_only_below_the_jail_folders(tmp_path: Path) -> None:
    """Seatbelt cannot run here; its profile is plain text, and what it allows is checked as text."""
    mode = confine.Mode(confine.SEATBELT, program=confine.SANDBOX_EXEC)
    jail = confine.Jail(mode=mode, variant=tmp_path / "v", scratch=tmp_path / "s", workspace=tmp_path,
                        home=(tmp_path / "home/.claude",))
    argv = jail.command(["claude", "-p", "x"])
    profile = argv[argv.index("-p") + 1]
    assert argv[0] == "/usr/bin/sandbox-exec" and argv[-3:] == ["claude", "-p", "x"]
    assert "(deny file-write*)" in profile and "(allow default)" in profile
    defines = dict(argv[i + 1].split("=", 1) for i, part in enumerate(argv) if part == "-D")
    writable = (tmp_path / "v", tmp_path / "s", tmp_path / "home/.claude")
    assert sorted(defines.values()) == sorted(str(p) for p in writable)
    assert str(tmp_path) not in profile, "paths are parameters, never quoted into the profile"
    assert jail.environment({})["TMPDIR"] == str(tmp_path / "s" / "tmp")


def test_the_assistants_home_folders_follow_the_xdg_variables(tmp_path: Path) -> None:
    """Copilot unpacks its program into $XDG_CACHE_HOME/copilot when that is set: that folder is the writable one."""
    home, cache = tmp_path / "home", tmp_path / "elsewhere" / "cache"
    plain = confine.home_folders("copilot", home, env={})
    assert home / ".cache" / "copilot" in plain and home / ".copilot" in plain
    moved = confine.home_folders("copilot", home, env={"XDG_CACHE_HOME": str(cache), "XDG_CONFIG_HOME": "relative"})
    assert cache / "copilot" in moved and cache / "github-copilot" in moved and (cache / "copilot").is_dir()
    assert home / ".cache" / "copilot" not in moved
    assert home / ".config" / "github-copilot" in moved, "a relative XDG path is ignored, as the spec says"


def test_a_confined_node_cli_keeps_its_compile_cache_in_its_own_folder(
    ws: Workspace, project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The private /tmp is empty on every run: Node's compile cache goes to the assistant's own cache folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    mode = confine.mode_for(ws)
    jail = confine.jail_for(ws, project, "copilot", "copilot", "s1", mode)
    env = jail.environment({"PATH": "/usr/bin"})
    cache = Path(os.path.realpath(tmp_path / "home" / ".cache" / "copilot"))
    assert env["NODE_COMPILE_CACHE"] == str(cache / "node-compile-cache") and cache in jail.writable()
    assert jail.environment({"NODE_COMPILE_CACHE": "/mine"})["NODE_COMPILE_CACHE"] == "/mine", "the user's own wins"
    other = confine.jail_for(ws, project, "claude-code", "claude-code", "s2", mode).environment({})
    assert other["NODE_COMPILE_CACHE"].startswith(str(Path(os.path.realpath(tmp_path / "home" / ".cache" / "claude"))))
    off = confine.jail_for(ws, project, "copilot", "copilot", "s3", confine.Mode(None, "off")).environment({})
    assert "NODE_COMPILE_CACHE" not in off, "unconfined, the CLI keeps its own default"
