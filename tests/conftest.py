"""Shared fixtures: a fresh workspace, a tiny template of our own, and a CLI runner.

Tests that need the shipped templates use them by name; tests of the machinery use the small
``mini`` template written here, so a change to a shipped template's look cannot break them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.workspace import Workspace


def _terminal_signal_dispositions() -> None:
    """Give the suite the signal dispositions a terminal gives a command.

    A suite started by ``nohup`` or as a background job of a non-interactive shell inherits SIGHUP and
    SIGINT as *ignored*, and an ignored signal stays ignored across exec: the sandbox and the stand-in
    assistants it starts would then never hear the Ctrl-C or the hang-up that tests play a person
    giving. A Python handler is reset to the default at exec, so the children start as from a terminal.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    for number in (signal.SIGHUP, signal.SIGTERM):
        if signal.getsignal(number) == signal.SIG_IGN:
            signal.signal(number, signal.SIG_DFL)


_terminal_signal_dispositions()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Collect the last tests' garbage now, then freeze what survives.

    Why: pytest's own clean-up collects five times more, after the session; under pytest-xdist a
    worker is by then reported finished, and execnet interrupts a worker that has not exited 5 s
    later. Over the heap of a worker's thousand tests, on a loaded two-core machine, those collects
    took longer and printed a KeyboardInterrupt traceback after a passing run. Collected here, any
    finaliser's unraisable exception is still reported; frozen, the later collects have little to do.
    """
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _own_report_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own report cache (``compare.report.ledger_cache``), not the user's.

    The cache is keyed so that sharing it would give the same numbers, but a test must not depend
    on what another test (or the person running the suite) left there, and parallel workers would
    otherwise take turns holding one file."""
    folder = tmp_path_factory.mktemp("report-cache")
    monkeypatch.setenv("SANDBOX_REPORT_CACHE", str(folder))


MINI_TEMPLATE_YAML = """\
title: Mini
description: A tiny page for tests
category: product
entry: index.html
provides:
  - One page with the idea
questions:
  - name: headline
    type: str
    default: Hello
    help: The big line at the top
  - name: brand_color
    type: color
    default: "#1a73e8"
  - name: screens
    type: list
    default: [Home, Settings]
    min: 1
  - name: size
    type: int
    default: 3
    min: 1
    max: 9
  - name: layout
    type: choice
    choices: [wide, narrow]
    default: wide
  - name: dark
    type: bool
    default: false
"""

MINI_INDEX = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ project.title }}</title>
<link rel="stylesheet" href="style.css"></head>
<body><main style="--brand: {{ vars.brand_color }}"><h1>{{ vars.headline }}</h1><p>{{ project.idea }}</p>
<ul>{% for s in vars.screens %}<li>{{ s }}</li>{% endfor %}</ul></main></body></html>
"""


def write_mini_template(workspace_root: Path, name: str = "mini") -> Path:
    root = workspace_root / "templates" / name
    (root / "files" / "assets").mkdir(parents=True)
    (root / "template.yaml").write_text(MINI_TEMPLATE_YAML)
    (root / "files" / "index.html.j2").write_text(MINI_INDEX)
    (root / "files" / "style.css").write_text("main { color: var(--brand); }\n")
    (root / "files" / "assets" / "logo.bin").write_bytes(bytes(range(256)))
    (root / "files" / "config.js.j2").write_text('window.HEADLINE = {{ vars.headline | tojson }};\n')
    return root


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """An empty workspace with the mini template."""
    root = tmp_path / "ws"
    root.mkdir()
    write_mini_template(root)
    return Workspace(root)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(ws: Workspace):
    """Run ``python -m sandbox`` as a real process in the workspace, as a user would."""

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> CliResult:
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        full_env.pop("SANDBOX_WORKSPACE", None)
        if env and "SANDBOX_WORKSPACE" in env:
            full_env["SANDBOX_WORKSPACE"] = env["SANDBOX_WORKSPACE"]
        proc = subprocess.run(
            [sys.executable, "-m", "sandbox", *args],
            cwd=cwd or ws.root,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


def assert_one_line_error(result: CliResult, *fragments: str) -> None:
    """A user error: exit 2, exactly one line on stderr, no traceback, the expected words."""
    assert result.code == 2, (result.code, result.out, result.err)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
