"""The real Claude Code and GitHub Copilot CLIs, driven offline through ``sandbox run``.

Each test starts the stand-in model server (``tests.support.model_server``), which scripts the
tool calls: create a file, edit a file, try to write outside the variant. The CLIs run with a
throwaway HOME and without ``sandbox`` on PATH, so their hooks must find it through
``SANDBOX_BIN``. The assertions are on events and their order, never on speed: the CLIs are big
Node programs on a busy machine, so timeouts are generous and only stop a hang.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.support import model_server
from tests.support.model_server import ANTHROPIC, OPENAI, ModelServer
from tests.support.real_clis import offline_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SLUG = "expense-approvals"


@pytest.fixture
def clis(real_clis):
    return real_clis


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go", assistants=["claude-code", "copilot"])
    return ws.project(SLUG)


def sandbox(ws: Workspace, env: dict[str, str], *args: str, timeout: float = 420) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ws.root)


def script_both(server: ModelServer, project) -> dict[str, Path]:
    """Each assistant: create notes.md, edit index.html, try to write beside the variants; where each tries."""
    outside = {}
    for api, variant in ((ANTHROPIC, "claude-code"), (OPENAI, "copilot")):
        root = project.variant_dir(variant).resolve()
        outside[variant] = project.path.resolve() / f"outside-{variant}.txt"
        server.script(api, [
            model_server.create(str(root / "notes.md"), f"# Notes by {variant}\n"),
            model_server.edit(str(root / "index.html"), "<h1>Hello</h1>", "<h1>Hello from the assistant</h1>"),
            model_server.create(str(outside[variant]), "should never be written\n"),
        ])
    return outside


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_run_all_attributes_every_edit_and_measures_both_alike(clis, ws: Workspace, project, tmp_path) -> None:
    with ModelServer() as server:
        outside = script_both(server, project)
        env = offline_env(clis, tmp_path / "home", server.url)
        assert shutil.which("sandbox", path=env["PATH"]) is None, "the hooks must work with sandbox off PATH"
        result = sandbox(ws, env, "run", SLUG, "--all", "--json", "--prompt", "-make it better (a prompt that looks "
                         "like a flag)")
        assert server.calls(ANTHROPIC).count("Write") == 2 and server.calls(OPENAI).count("create") == 2, server.log
    assert result.returncode == 1, result.stderr  # both runs tried a write outside: not ok
    runs = {e["variant"]: e for e in json.loads(result.stdout)}
    assert set(runs) == {"claude-code", "copilot"}
    units = {"claude-code": "usd", "copilot": "premium-requests"}
    for variant, run in runs.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", run["cli_version"]), run
        assert run["cli"] == ("claude" if variant == "claude-code" else "copilot")
        assert run["models"] and run["turns"] >= 4
        assert run["tokens"]["input"] > 0 and run["tokens"]["output"] > 0
        assert run["cost"]["unit"] == units[variant] and run["cost"]["amount"] >= 0
        assert run["api_seconds"] >= 0
        assert run["ok"] is False and run["failure"] == "denied", run
        assert run["reason"].startswith("denied: a write outside the variant"), run["reason"]
        assert str(outside[variant]) in run["tools"]["denied_paths"] and run["tools"]["accepted"] >= 3
        assert not outside[variant].exists(), "the CLI's permissions must have refused the write"
        assert run["files_added"] == ["notes.md"] and run["files_changed"] == ["index.html"], run
        assert run["attribution"] == "hooks" and "hook_silent" not in run
        assert run["brief_sha256"] and re.fullmatch(r"[0-9a-f]{64}", run["brief_sha256"])
        assert not (project.variant_dir(variant) / f"{run['run_id']}.usage.json").exists()
    usage = project.path / ".sandbox" / "runs" / f"{runs['copilot']['run_id']}.files" / "usage.json"
    assert usage.is_file(), "Copilot's usage file goes under .sandbox/runs/"
    events = ledger.read(project.ledger_path).events
    for variant, run in runs.items():
        edits = [e for e in events if e["kind"] == "edit" and e["session"] == run["session"]]
        assert {e["file"] for e in edits} == {"notes.md", "index.html"}, (variant, edits)
        assert all(e["assistant"] == variant and e["source"] == "hook" for e in edits)
        assert all(e["at"] <= run["at"] for e in edits), "each edit is recorded as it happens, before the run ends"
    assert (project.variant_dir("copilot") / "index.html").read_text().count("Hello from the assistant") == 1
    log = sandbox(ws, env, "log", SLUG)
    assert "denied: a write outside the variant" in log.stdout, log.stdout


def test_a_signed_out_cli_gives_its_one_line_reason(clis, ws: Workspace, project, tmp_path) -> None:
    env = offline_env(clis, tmp_path / "home", None, signed_in=False)
    result = sandbox(ws, env, "run", SLUG, "--all", "--json", "--timeout", "300")
    assert result.returncode == 1, result.stderr
    runs = {e["variant"]: e for e in json.loads(result.stdout)}
    assert runs["claude-code"]["reason"] == "not signed in: run `claude` once and sign in", runs["claude-code"]
    assert runs["copilot"]["reason"] == "not signed in: run `copilot` once and sign in", runs["copilot"]
    assert all(r["failure"] == "not-signed-in" and r["ok"] is False for r in runs.values())
    shown = sandbox(ws, env, "log", SLUG).stdout
    assert shown.count("failed (not signed in: run `") == 2, shown


def test_an_unreachable_model_service_gives_its_one_line_reason(clis, ws: Workspace, project, tmp_path) -> None:
    env = offline_env(clis, tmp_path / "home", closed_port_url())
    result = sandbox(ws, env, "run", SLUG, "--all", "--json", "--timeout", "300")
    assert result.returncode == 1, result.stderr
    for run in json.loads(result.stdout):
        assert run["failure"] == "unreachable" and run["reason"] == "cannot reach the model service", run
        assert run["timed_out"] is False, "the CLI gave up by itself; the reason is not a timeout"


def test_telemetry_is_captured_per_run_without_content(clis, ws: Workspace, project, tmp_path) -> None:
    with ModelServer() as server:
        script_both(server, project)
        env = offline_env(clis, tmp_path / "home", server.url)
        result = sandbox(ws, env, "run", SLUG, "--all", "--json", "--telemetry", "--prompt", "secret-prompt-words")
    runs = {e["variant"]: e for e in json.loads(result.stdout)}
    for variant, run in runs.items():
        assert run["telemetry"] is True, run
        reduced = run["result"]["telemetry"]
        assert reduced["model_calls"] >= 4 and reduced["tokens"]["input"] > 0, (variant, reduced)
        assert not (project.path / ".sandbox" / "runs" / f"{run['run_id']}.files" / "otel.jsonl").exists()
    assert runs["claude-code"]["result"]["telemetry"]["cost"]["unit"] == "usd"
    assert runs["claude-code"]["result"]["telemetry"]["tools"]["accepted"] >= 3
    assert "secret-prompt-words" not in project.ledger_path.read_text(), "no prompt text is ever kept"


def test_a_confined_copilot_starts_on_a_fresh_home_and_keeps_its_unpacked_program(clis, ws: Workspace, project) -> None:
    """On a laptop HOME is not under /tmp, so the confinement shows it read-only: the Copilot CLI unpacks its
    program into ~/.cache/copilot on first start, and with that folder read-only it cannot start at all."""
    base = next((p for p in (Path.home() / ".cache", Path.cwd()) if not str(p.resolve()).startswith("/tmp/")), None)
    assert base is not None, "this test needs a folder outside /tmp for its HOME"
    base.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="sandbox-test-home-", dir=base))
    try:
        with ModelServer() as server:
            root = project.variant_dir("copilot").resolve()
            server.script(OPENAI, [model_server.create(str(root / "notes.md"), "# Notes\n")])
            env = offline_env(clis, home, server.url)
            result = sandbox(ws, env, "run", SLUG, "-v", "copilot", "--json")
        assert result.returncode == 0, result.stderr
        [run] = json.loads(result.stdout)
        assert run["confinement"] == "bubblewrap" and run["ok"] is True, run
        assert run["files_added"] == ["notes.md"], run
        unpacked = list((home / ".cache" / "copilot" / "pkg").glob(f"*/{run['cli_version']}"))
        assert unpacked, "the CLI's program stays unpacked in its cache for the next run"
        compiled = home / ".cache" / "copilot" / "node-compile-cache"
        assert any(p.is_file() for p in compiled.rglob("*")), "its compiled JavaScript is kept for the next run too"
    finally:
        shutil.rmtree(home, ignore_errors=True)
