"""README's commands work as written, from a fresh shell, and its sandbox.yaml example loads.

Why a fresh shell: the old install line left ``sandbox`` off ``PATH``, so every ``sandbox ...`` line
of the README failed in a new terminal. Here a shell with an empty environment (no profile, no rc,
only /usr/bin:/bin on ``PATH``) runs the README's "new terminal" line (activate the virtual
environment), then every command of its blocks, in order, in an empty folder: each must succeed.
The virtual environment is the one running the tests (CI creates it with the README's test
command), linked in as the clone's ``.venv``; ``pip install -e .`` itself is CI's own first step.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace

README = Path(__file__).parents[1] / "README.md"


def block(marker: str, language: str = "sh") -> str:
    """The fenced block right after ``<!-- marker -->`` in README.md."""
    text = README.read_text(encoding="utf-8")
    after = text.split(f"<!-- {marker} -->\n", 1)
    assert len(after) == 2, f"README has no <!-- {marker} --> block"
    fence = f"```{language}\n"
    assert after[1].startswith(fence), f"the block after <!-- {marker} --> is not {language}"
    return after[1][len(fence):].split("```", 1)[0]


def from_idea_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## From idea to prototype in one command", 1)[1]
    return section.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_install_activates_the_environment_before_it_runs_sandbox() -> None:
    lines = block("install").strip().splitlines()
    assert lines[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e .")
    assert lines[1:] == ["sandbox"]  # found on PATH: the line before activated the environment
    assert block("new-shell").strip() == ". .venv/bin/activate"


def test_every_readme_command_works_from_a_fresh_shell(tmp_path: Path) -> None:
    activate = Path(sys.prefix) / "bin" / "activate"
    if not activate.is_file():
        pytest.fail("run the tests from a virtual environment, as README's test command does")
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(sys.prefix)
    home = tmp_path / "home"
    home.mkdir()
    script = "\n".join([
        "set -eu",
        block("new-shell"),
        'test "$(command -v sandbox)" = "$VIRTUAL_ENV/bin/sandbox"',
        "sandbox --version",  # the install block's bare `sandbox` opens the app: tests/tui/test_tmux.py drives it
        from_idea_block(),
        block("walkthrough"),
    ])
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "dumb"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], cwd=clone, env=env,
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, f"a README command failed:\n{result.stdout}\n{result.stderr}"
    assert "Recorded A for expense-approvals" in result.stdout
    events = ledger.read(clone / "projects" / "expense-approvals" / "ledger.jsonl").events
    kinds = [e["kind"] for e in events]
    for kind in ("created", "session_started", "session_ended", "rating", "compare", "vote"):
        assert kind in kinds, kind
    header, *rows = (clone / "votes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert "score_works" in header.split(",") and any(",vote," in row for row in rows)


def test_the_sandbox_yaml_example_loads_as_written(tmp_path: Path) -> None:
    from sandbox.compare.rubric import rubric
    from sandbox.core.ignore import settings_patterns

    root = tmp_path / "ws"
    root.mkdir()
    (root / "sandbox.yaml").write_text(block("sandbox-yaml", "yaml"), encoding="utf-8")
    ws = Workspace(root)
    assert ws.default_assistants() == ["claude-code", "copilot"]
    aider = ws.registry["aider"]
    assert aider.name == "Aider" and aider.instructions == "CONVENTIONS.md" and "{prompt}" in aider.headless
    claude = ws.registry["claude-code"]
    assert claude.name == "Claude Code" and claude.headless[:2] == ("claude", "-p")
    assert [(c.id, c.label) for c in rubric(ws)] == [("loads-fast", "Loads fast"),
                                                     ("works", "Works without errors")]
    assert settings_patterns(ws.settings) == ["*.log", "tmp/"]
    assert ws.settings.section("debounce_ms", int, None) == 150
    created = ws.new_project("With settings", "landing-page")
    assert created.variants == ["claude-code", "copilot"]


def test_the_template_example_makes_a_working_template(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    readme = README.read_text(encoding="utf-8")
    template_yaml = readme.split("`template.yaml` in brief", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    files = root / "templates" / "pitch" / "files"
    files.mkdir(parents=True)
    (root / "templates" / "pitch" / "template.yaml").write_text(template_yaml, encoding="utf-8")
    (files / "index.html.j2").write_text(block("template-index", "html"), encoding="utf-8")
    ws = Workspace(root)
    created = ws.new_project("My idea", "pitch", idea="Approve expenses from a phone", audience="Team leads")
    variant = ws.project(created.slug).variant_dir("claude-code")
    page = (variant / "index.html").read_text(encoding="utf-8")
    assert "<h1>My idea</h1>" in page and "Approve expenses from a phone" in page and "For Team leads." in page
    assert "--accent: #4f46e5" in page  # the question's default answer
    assert (variant / "base.css").is_file() and (variant / "storage.js").is_file()  # the shared files
