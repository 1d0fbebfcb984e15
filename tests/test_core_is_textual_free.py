"""The core never imports Textual: each module, imported alone in a fresh interpreter, leaves it out.

The command-line modules are included: `sandbox --help` and every subcommand but the app itself must
not pay for Textual.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = (
    "spec", "templates", "render", "scaffold", "assistants", "ledger", "workspace", "settings", "yamlio",
    "errors", "fsutil", "spec_edit",
    "watch", "preview", "live", "sessions", "runs", "feedback", "stats", "report", "attribution",
    "cli", "cli_preview", "cli_sessions", "cli_feedback",
)

PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(",".join(bad))
"""


@pytest.mark.parametrize("name", CORE)
def test_core_module_does_not_import_textual(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, f"sandbox.{name}"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"sandbox.{name} imports {result.stdout.strip()}"


def test_the_cli_opens_without_textual_for_subcommands() -> None:
    """``sandbox --help`` and the CLI module itself stay Textual-free (only the bare command opens the app)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "sandbox.cli"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
