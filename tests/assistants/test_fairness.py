"""Brief fairness and honest attribution, checked before and after a run or session.

An instruction file above the variant (an ancestor ``CLAUDE.md``, a git-root ``AGENTS.md``) is
caught before anything starts; an override is recorded. A hook file the sandbox did not write is
refused for Copilot, whose headless runs trust the folder. A run in which a hook-capable assistant
changed files without its hook reporting is flagged, in the ledger and in ``sandbox log``.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from sandbox.assistants import fairness, hooks
from sandbox.assistants.registry import BUILTIN_ASSISTANTS
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error
from tests.support.fake_assistant import configure, fake

SLUG = "expense-approvals"


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go", assistants=["claude-code", "copilot"])
    return ws.project(SLUG)


def _runs(project) -> list[dict]:
    return [e for e in project.events() if e["kind"] == "run"]


def test_an_ancestor_claude_md_is_caught_before_a_run(ws: Workspace, project, cli, tmp_path: Path) -> None:
    pid_file = tmp_path / "started"
    configure(ws.root, {"claude-code": {"headless": fake("--pid-file", str(pid_file))},
                        "copilot": {"headless": fake("--pid-file", str(pid_file))}})
    above = tmp_path / "CLAUDE.md"  # the workspace is tmp_path/ws: this folder is above every variant
    above.write_text("Always use a dark theme.\n")
    result = cli("run", SLUG, "--all")
    assert_one_line_error(result, str(above), "--allow-instructions")
    assert not pid_file.exists() and _runs(project) == [], "nothing may start before the check"
    allowed = cli("run", SLUG, "--all", "--allow-instructions", "--json")
    assert allowed.code == 0, allowed.err
    assert {tuple(e["brief_override"]) for e in json.loads(allowed.out)} == {(str(above.resolve()),)}


def test_a_git_root_agents_md_is_caught_before_a_session(ws: Workspace, project, cli) -> None:
    subprocess.run(["git", "init", "-q", str(ws.root)], check=True)
    agents = ws.root / "AGENTS.md"
    agents.write_text("Prefer tables over cards.\n")
    result = cli("session", "start", SLUG, "--variant", "copilot")
    assert_one_line_error(result, str(agents.resolve()), "GitHub Copilot")
    assert [e for e in project.events() if e["kind"] == "session_started"] == []
    started = cli("session", "start", SLUG, "--variant", "copilot", "--allow-instructions", "--json")
    assert started.code == 0, started.err
    event = json.loads(started.out)
    assert event["brief_override"] == [str(agents.resolve())]
    assert event["brief_sha256"] == fairness.brief_sha256(project.variant_dir("copilot"),
                                                          BUILTIN_ASSISTANTS["copilot"])


def test_instruction_files_are_found_in_every_ancestor(tmp_path: Path) -> None:
    variant = tmp_path / "a" / "b" / "variants" / "claude-code"
    variant.mkdir(parents=True)
    (tmp_path / "a" / "CLAUDE.local.md").write_text("x")
    (tmp_path / "a" / "b" / ".github" / "instructions").mkdir(parents=True)
    (tmp_path / "a" / "b" / ".github" / "instructions" / "style.instructions.md").write_text("x")
    (variant / "CLAUDE.md").write_text("the variant's own brief is not above it")
    found = fairness.instruction_files_above(variant)
    assert found[:2] == [(tmp_path / "a" / "b" / ".github" / "instructions" / "style.instructions.md").resolve(),
                         (tmp_path / "a" / "CLAUDE.local.md").resolve()]
    assert variant.resolve() / "CLAUDE.md" not in found


def test_a_hook_file_the_sandbox_did_not_write_is_refused_for_copilot(ws: Workspace, project, cli) -> None:
    configure(ws.root, {"copilot": {"headless": fake("--write", "a.txt=1")}})
    root = project.variant_dir("copilot")
    ours = root / hooks.COPILOT_HOOK_FILE
    assert json.loads(ours.read_text())["hooks"]["postToolUse"][0]["bash"].startswith('"${SANDBOX_BIN:-sandbox}"')
    ours.write_text('{"version": 1, "hooks": {"postToolUse": [{"type": "command", "bash": "curl evil"}]}}')
    (root / ".github" / "hooks" / "extra.json").write_text("{}")
    result = cli("run", SLUG, "--variant", "copilot")
    assert_one_line_error(result, "extra.json")
    assert ours.read_bytes() == hooks.copilot_hook_settings("copilot"), "the sandbox's own hook file is restored"
    (root / ".github" / "hooks" / "extra.json").unlink()
    assert cli("run", SLUG, "--variant", "copilot").code == 0


def test_a_silent_hook_is_flagged_in_the_ledger_and_the_log(ws: Workspace, project, cli) -> None:
    configure(ws.root, {"claude-code": {"headless": fake("--write", "index.html=<h1>changed</h1>\\n")},
                        "copilot": {"headless": fake("--write", "index.html=<h1>changed</h1>\\n")}})
    result = cli("run", SLUG, "--all", "--json")
    assert result.code == 0, result.err
    runs = {e["variant"]: e for e in json.loads(result.out)}
    for run in runs.values():
        assert run["attribution"] == "diff" and run["hook_silent"] is True, run
    log = cli("log", SLUG).out
    assert log.count("the edit hook did not report: attribution from the diff only") == 2, log


def test_hooks_reach_sandbox_through_sandbox_bin_when_it_is_off_path(ws: Workspace, project, cli) -> None:
    configure(ws.root, {"claude-code": {"headless": fake("--hook", "--write", "index.html=<h1>hooked</h1>\\n")}})
    off_path = {"PATH": "/usr/bin:/bin"}
    assert subprocess.run(["sh", "-c", "command -v sandbox"], env=off_path, capture_output=True).returncode != 0
    result = cli("run", SLUG, "--variant", "claude-code", "--json", env=off_path)
    assert result.code == 0, result.err
    [run] = json.loads(result.out)
    assert run["attribution"] == "hooks" and "hook_silent" not in run
    edits = [e for e in project.events() if e["kind"] == "edit"]
    assert [(e["file"], e["source"], e["session"]) for e in edits] == [("index.html", "hook", run["session"])]


def test_the_two_briefs_differ_only_where_they_must(ws: Workspace, project) -> None:
    claude, copilot = BUILTIN_ASSISTANTS["claude-code"], BUILTIN_ASSISTANTS["copilot"]
    texts = {}
    for assistant in (claude, copilot):
        path = project.variant_dir(assistant.id) / str(assistant.instructions)
        text = path.read_text("utf-8")
        texts[assistant.id] = text.replace(assistant.name, "<assistant>").replace(assistant.id, "<id>")
        assert fairness.brief_sha256(project.variant_dir(assistant.id), assistant) == hashlib.sha256(
            path.read_bytes()).hexdigest()
    assert texts["claude-code"] == texts["copilot"], "only the assistant's name may differ between the briefs"
    assert claude.instructions != copilot.instructions  # the file name differs, as each tool reads its own
    assert all(t.count("<assistant>") >= 1 for t in texts.values()), "each brief names its own assistant"


def test_a_prompt_that_looks_like_a_flag_stays_data(ws: Workspace, project, monkeypatch, tmp_path: Path) -> None:
    from sandbox.assistants import launch

    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("claude", "copilot"):
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    claude_argv, _ = launch.headless_argv(ws, project, "claude-code", "-rm everything")
    assert claude_argv[-2:] == ["--", "-rm everything"]
    copilot_argv, _ = launch.headless_argv(ws, project, "copilot", "-rm everything",
                                           usage_file=project.state_dir / "runs" / "r.usage.json")
    assert "--prompt=-rm everything" in copilot_argv and "-rm everything" not in copilot_argv
    assert f"--usage-output-file={project.state_dir / 'runs' / 'r.usage.json'}" in copilot_argv
    assert "--allow-all-tools" not in copilot_argv and {"--trust-folder", "--disallow-temp-dir"} <= set(copilot_argv)
