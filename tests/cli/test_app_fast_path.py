"""Opening the app does not build the full command parser (and import every command group)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli.main import app_arguments


@pytest.mark.parametrize(
    "argv, workspace",
    [([], None), (["--workspace", "ws"], Path("ws")), (["--workspace=ws"], Path("ws"))],
)
def test_only_opening_the_app_takes_the_fast_path(argv: list[str], workspace: Path | None) -> None:
    args = app_arguments(argv)
    assert args is not None and args.command is None and args.workspace == workspace


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["--version"], ["list"], ["--workspace"], ["--workspace", "--help"], ["--workspace=ws", "new"],
     ["--worksp", "ws"], ["--workspace="]],
)
def test_anything_else_goes_through_the_full_parser(argv: list[str]) -> None:
    assert app_arguments(argv) is None


def test_the_app_path_imports_no_command_group(tmp_path: Path) -> None:
    code = (
        "import sys; import sandbox.cli.main as m; import sandbox.tui.app as a; "
        "a.run = lambda ws: 0; "
        f"assert m.main(['--workspace', {str(tmp_path)!r}]) == 0; "
        "print(sorted(n for n in sys.modules if n.startswith('sandbox.cli.') and n not in "
        "('sandbox.cli.main', 'sandbox.cli.common')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
