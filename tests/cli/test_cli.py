"""The `sandbox` command as a user runs it: real processes, one-line errors, exit 2, nothing half-written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox.core.fs import sha256_file
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error


def project_dirs(ws: Workspace) -> list[str]:
    if not ws.projects_dir.exists():
        return []
    return sorted(p.name for p in ws.projects_dir.iterdir() if p.is_dir())


def test_help_is_fast_and_lists_commands(cli) -> None:
    started = time.perf_counter()
    result = cli("--help")
    assert result.code == 0
    for word in ("templates", "new", "list", "check", "render", "--workspace"):
        assert word in result.out
    assert time.perf_counter() - started < 5


def test_templates_json(cli) -> None:
    result = cli("templates", "--json")
    assert result.code == 0
    names = {t["name"] for t in json.loads(result.out)}
    assert {"mini", "landing-page", "clickable-mockup"} <= names


def test_new_list_check_render_flow(cli, ws: Workspace) -> None:
    result = cli(
        "new",
        "Expense approvals",
        "--template",
        "mini",
        "--idea",
        "Approve from a phone",
        "--var",
        "screens=Inbox",
        "--var",
        "screens=Detail",
        "--var",
        "size=5",
        "--assistant",
        "claude-code",
        "--assistant",
        "copilot",
    )
    assert result.code == 0, result.err
    assert "projects/expense-approvals" in result.out
    project = ws.project("expense-approvals")
    spec = project.load_spec()
    assert spec.vars["screens"] == ["Inbox", "Detail"] and spec.vars["size"] == 5
    listed = json.loads(cli("list", "--json").out)
    assert [p["slug"] for p in listed] == ["expense-approvals"]
    assert listed[0]["assistants"] == ["claude-code", "copilot"] and listed[0]["template"] == "mini"
    assert cli("check").code == 0
    assert json.loads(cli("check", "--json").out)[0]["ok"] is True
    rendered = cli("render", "expense-approvals", "--json")
    assert rendered.code == 0 and json.loads(rendered.out)["conflicts"] == []


def test_workspace_flag_and_env(cli, ws: Workspace, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert cli("--workspace", str(ws.root), "new", "Flagged", "-t", "mini", cwd=elsewhere).code == 0
    assert (ws.projects_dir / "flagged").is_dir()
    result = cli("list", "--json", cwd=elsewhere, env={"SANDBOX_WORKSPACE": str(ws.root)})
    assert [p["slug"] for p in json.loads(result.out)] == ["flagged"]
    assert_one_line_error(cli("--workspace", str(tmp_path / "missing"), "list"), "does not exist")


def test_broken_yaml_is_one_line_with_location(cli, ws: Workspace) -> None:
    assert cli("new", "Broken", "-t", "mini").code == 0
    spec = ws.project("broken").spec_path
    spec.write_text(spec.read_text().replace("  - copilot", "  - copilot\nassistants: oops"))
    result = cli("check", "broken")
    assert_one_line_error(result, "projects/broken/project.yaml:")
    spec.write_text("title: Broken\ntemplate: mini\n\n\n\n\nassistants: claude-code\n")
    assert_one_line_error(
        cli("render", "broken"),
        "projects/broken/project.yaml:7:13: 'assistants' must be a list of assistant ids (got a string)",
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["new", "X", "-t", "no-such"], "unknown template 'no-such'"),
        (["new", "X", "-t", "mini", "--var", "brand_color=red"], "colour"),
        (["new", "X", "-t", "mini", "--var", "nope=1"], "not a question"),
        (["new", "X", "-t", "mini", "--var", "size"], "KEY=VALUE"),
        (["new", "%%% ***", "-t", "mini"], "no letters or digits"),
        (["new", "X", "-t", "mini", "--assistant", "gpt-9"], "unknown assistant 'gpt-9'"),
        (["new", "X", "-t", "mini", "--slug", "Bad Slug"], "--slug"),
        (["new", "X"], "--template"),
        (["render", "nothing-here"], "no project 'nothing-here'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_errors_are_one_line_exit_2_and_write_nothing(cli, ws: Workspace, args: list[str], fragment: str) -> None:
    assert_one_line_error(cli(*args), fragment)
    assert project_dirs(ws) == []


def test_existing_slug_is_refused_and_untouched(cli, ws: Workspace) -> None:
    assert cli("new", "First", "-t", "mini", "--slug", "taken").code == 0
    before = (ws.projects_dir / "taken" / "project.yaml").read_bytes()
    assert_one_line_error(cli("new", "Second", "-t", "mini", "--slug", "taken"), "already exists")
    assert (ws.projects_dir / "taken" / "project.yaml").read_bytes() == before


def hostile(ws: Workspace, name: str, files: dict[str, str], questions: str = "") -> None:
    root = ws.root / "templates" / name
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text(f"title: H\ndescription: d\ncategory: c\nentry: index.html\n{questions}")
    for rel, text in files.items():
        (root / "files" / rel).write_text(text)


def test_hostile_templates_are_one_line_and_write_nothing(cli, ws: Workspace) -> None:
    hostile(
        ws, "escape-path", {"{{ vars.to }}.txt": "x"}, "questions:\n  - {name: to, type: str, default: ../../pwned}\n"
    )
    hostile(ws, "escape-sandbox", {"index.html.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}"})
    hostile(ws, "python-tag", {})
    (ws.root / "templates" / "python-tag" / "template.yaml").write_text("title: !!python/object/apply:os.system [id]\n")
    for name, fragment in [
        ("escape-path", "only write inside"),
        ("escape-sandbox", "files/index.html.j2"),
        ("python-tag", "template.yaml:1"),
    ]:
        assert_one_line_error(cli("new", "Evil", "-t", name), fragment)
    assert project_dirs(ws) == []
    assert not (ws.root.parent / "pwned.txt").exists() and not (ws.root / "pwned.txt").exists()


def make_heavy_template(ws: Workspace) -> None:
    root = ws.root / "templates" / "heavy"
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text("title: Heavy\ndescription: d\ncategory: c\nentry: index.html\n")
    (root / "files" / "index.html.j2").write_text("<title>{{ project.title }}</title>")
    blob = os.urandom(64 * 1024)
    for i in range(300):
        (root / "files" / f"asset-{i:03}.bin").write_bytes(blob)


def test_sigkill_during_new_leaves_no_partial_project(cli, ws: Workspace) -> None:
    """Kill `sandbox new` at many moments; each time there is no project or a whole one."""
    make_heavy_template(ws)
    env = {**os.environ}
    env.pop("SANDBOX_WORKSPACE", None)
    outcomes = {"none": 0, "whole": 0}
    for attempt, delay in enumerate([0.05, 0.15, 0.25, 0.35, 0.45, 0.6, 0.8, 1.0, 1.5, 2.5]):
        slug = f"killed-{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "new", f"Killed {attempt}", "-t", "heavy"],
            cwd=ws.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        target = ws.projects_dir / slug
        if not target.exists():
            outcomes["none"] += 1
            continue
        outcomes["whole"] += 1
        manifest = json.loads((target / ".sandbox" / "manifest.json").read_text())
        for variant, state in manifest["variants"].items():
            assert len(state["files"]) >= 301
            for rel, digest in state["files"].items():
                assert sha256_file(target / "variants" / variant / rel) == digest
        assert [e["kind"] for e in Workspace(ws.root).project(slug).events()] == ["created"]
    assert outcomes["none"] >= 1, outcomes
    listed = json.loads(cli("list", "--json").out)
    assert len(listed) == outcomes["whole"]
    # The next create sweeps away hidden leftovers of killed runs.
    assert cli("new", "After", "-t", "mini").code == 0
    assert [p.name for p in ws.projects_dir.iterdir() if p.name.startswith(".creating-")] == []


def test_python_dash_m_and_entry_point_agree(cli) -> None:
    exe = Path(sys.executable).parent / "sandbox"
    if not exe.exists():
        pytest.fail("the 'sandbox' entry point is not installed next to this Python")
    proc = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and proc.stdout.startswith("sandbox ")
    assert cli("--version").out == proc.stdout
