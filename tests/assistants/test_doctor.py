"""``sandbox doctor``: each CLI present, missing and signed out, in one screen and as JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.assistants import doctor
from sandbox.workspace import Workspace
from tests.support.real_clis import offline_env

pytestmark = [pytest.mark.timeout(300)]


@pytest.fixture
def clis(real_clis):
    return real_clis


def run_doctor(ws: Workspace, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "doctor", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def by_id(report: dict) -> dict[str, dict]:
    return {a["id"]: a for a in report["assistants"]}


def test_both_clis_present_and_signed_in_is_ready(clis, ws: Workspace, tmp_path: Path) -> None:
    env = offline_env(clis, tmp_path / "home", "http://127.0.0.1:9")
    result = run_doctor(ws, env, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    found = by_id(report)
    assert report["ready"] is True
    for name, check in found.items():
        assert check["path"] and check["version"] and check["signed_in"] is True and check["hooks"] is True, name
    assert found["copilot"]["sign_in"] == "uses the local model provider at http://127.0.0.1:9/v1"
    screen = run_doctor(ws, env)
    assert screen.returncode == 0 and screen.stdout.strip().endswith("Ready."), screen.stdout
    assert f"claude {found['claude-code']['version']}" in screen.stdout


def test_signed_out_clis_say_what_to_do(clis, ws: Workspace, tmp_path: Path) -> None:
    env = offline_env(clis, tmp_path / "home", None, signed_in=False)
    result = run_doctor(ws, env, "--json")
    assert result.returncode == 1
    found = by_id(json.loads(result.stdout))
    assert found["claude-code"]["signed_in"] is False and found["copilot"]["signed_in"] is False
    assert found["claude-code"]["problem"] == "not signed in: run `claude` once and sign in"
    assert found["copilot"]["problem"] == "not signed in: run `copilot` once and sign in"
    screen = run_doctor(ws, env).stdout
    assert "Not ready: Claude Code not signed in: run `claude` once and sign in" in screen, screen


def only_claude_on_path(clis, env: dict[str, str], folder: Path) -> dict[str, str]:
    folder.mkdir()
    (folder / "claude").symlink_to(clis.claude)
    return {**env, "PATH": f"{folder}:/usr/bin:/bin"}


def test_a_missing_cli_gives_its_install_line(clis, ws: Workspace, tmp_path: Path) -> None:
    env = only_claude_on_path(clis, offline_env(clis, tmp_path / "home", "http://127.0.0.1:9"), tmp_path / "bin")
    result = run_doctor(ws, env, "--json")
    assert result.returncode == 1
    found = by_id(json.loads(result.stdout))
    assert found["claude-code"]["path"] and found["claude-code"]["signed_in"] is True
    assert found["copilot"]["path"] is None and found["copilot"]["problem"] == "not installed"
    screen = run_doctor(ws, env).stdout
    assert "missing: install the GitHub Copilot CLI with 'npm install -g @github/copilot'" in screen, screen


def test_an_assistant_nobody_needs_does_not_stop_the_machine_being_ready(clis, ws: Workspace, tmp_path: Path) -> None:
    (ws.root / "sandbox.yaml").write_text("default_assistants: [claude-code]\n")
    env = only_claude_on_path(clis, offline_env(clis, tmp_path / "home", "http://127.0.0.1:9"), tmp_path / "bin")
    report = doctor.diagnose(Workspace(ws.root), env=env)
    needed = {a.id: a.needed for a in report.assistants}
    assert needed == {"claude-code": True, "copilot": False}
    assert report.assistants[1].problem == "not installed" and report.ready is True


def test_hooks_that_cannot_reach_sandbox_are_named(monkeypatch) -> None:
    monkeypatch.setattr(doctor, "sandbox_bin", lambda: None)
    ok, detail = doctor.hooks_reach_sandbox({"PATH": "/nonexistent"})
    assert ok is False and detail.startswith("hooks cannot reach sandbox")
    ok, detail = doctor.hooks_reach_sandbox({"PATH": str(Path(sys.executable).parent)})
    assert ok is True and detail == "hooks reach sandbox"
