"""The core never imports Textual, and each stage of the flow imports only the stages before it.

Every module of the package but ``sandbox.tui`` is found by walking the package itself (so a new
module cannot slip past) and imported alone in a fresh interpreter, which must leave Textual out.
The command-line modules are included: ``sandbox --help`` and every subcommand but the app itself must
not pay for Textual.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import sandbox

PACKAGE_DIR = Path(sandbox.__file__).parent


def _all_modules() -> list[str]:
    return sorted(
        info.name for info in pkgutil.walk_packages(sandbox.__path__, prefix="sandbox.")
    )


# __main__ is left out: importing it runs the command (sandbox.cli, which it calls, is checked)
CORE = [name for name in _all_modules() if not name.startswith("sandbox.tui") and name != "sandbox.__main__"]

PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(",".join(bad))
"""


def test_the_walk_finds_every_stage() -> None:
    """The discovery itself works: it sees modules in every package, deep ones included."""
    for expected in ("sandbox.core.ledger", "sandbox.make.render", "sandbox.live.watch",
                     "sandbox.assistants.sessions", "sandbox.compare.report", "sandbox.cli", "sandbox.workspace"):
        assert any(name == expected or name.startswith(expected + ".") for name in CORE), expected
    on_disk = {p for p in PACKAGE_DIR.rglob("*.py") if "tui" not in p.relative_to(PACKAGE_DIR).parts}
    assert len(CORE) == len(on_disk) - 2  # every file but __main__ and the package's own __init__


@pytest.mark.parametrize("name", CORE)
def test_core_module_does_not_import_textual(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, name], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{name} imports {result.stdout.strip()}"


# The flow, in order. A stage imports only the stages before it (imports under TYPE_CHECKING, which
# exist for the type checker alone, are not counted), so the tree reads idea -> make -> live ->
# assistants -> compare, and the shells sit on top. ../shared/DESIGN.md has the table.
FLOW = ("core", "make", "live", "assistants", "compare", "workspace", "cli")
SHELL_MAY_OPEN = {"cli": {"tui.app"}}  # the bare `sandbox` command opens the app


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found |= set().union(*(_imports(n) for n in node.orelse)) if node.orelse else set()
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sandbox."):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sandbox."))
        found |= _imports(node)
    return found


def _stage(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


@pytest.mark.parametrize("stage", FLOW)
def test_each_stage_imports_only_earlier_stages(stage: str) -> None:
    earlier = set(FLOW[: FLOW.index(stage)])
    wrong: list[str] = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR)
        if _stage(relative) != stage:
            continue
        for module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = module.removeprefix("sandbox.")
            top = target.split(".")[0]
            if top in earlier or top == stage or target in SHELL_MAY_OPEN.get(stage, ()):
                continue
            wrong.append(f"{relative} imports sandbox.{target}")
    assert wrong == []


def test_the_rule_sees_a_wrong_import(tmp_path: Path) -> None:
    """The check above can fail: a later stage imported at run time is seen, one under TYPE_CHECKING is not."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from sandbox.compare.report import Report\n"
        "def f():\n    from sandbox.assistants.sessions import start_session\n"
    )
    assert _imports(ast.parse(code)) == {"sandbox.assistants.sessions"}


def test_the_cli_opens_without_textual_for_subcommands() -> None:
    """``sandbox --help`` and the CLI module itself stay Textual-free (only the bare command opens the app)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "sandbox.cli"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
