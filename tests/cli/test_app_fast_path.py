"""Opening the app does not build the full command parser (and import every command group); a command
imports its own group only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli.main import COMMAND_GROUPS, GROUP_NAMES, app_arguments, build_parser, command_groups


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


def test_the_command_map_names_the_group_that_registers_each_command() -> None:
    for group in GROUP_NAMES:
        sub = next(a for a in build_parser((group,))._actions if a.dest == "command")
        assert sorted(sub.choices) == sorted(c for c, g in COMMAND_GROUPS.items() if g == group)  # type: ignore[arg-type]  # a subparsers action


@pytest.mark.parametrize(
    "argv, groups",
    [(["new", "An idea"], ("projects",)), (["--workspace", "ws", "log", "x"], ("history",)),
     (["--workspace=ws", "session", "start"], ("assistants",)), (["--help"], GROUP_NAMES),
     (["nwe"], GROUP_NAMES), (["--workspace", "ws"], GROUP_NAMES)],
)
def test_a_command_line_registers_only_its_commands_group(argv: list[str], groups: tuple[str, ...]) -> None:
    assert tuple(command_groups(argv)) == groups


def test_a_typo_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from sandbox.cli.main import main

    with pytest.raises(SystemExit) as exit_:
        main(["nwe"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "new" in err and "report" in err and "preview" in err


def test_new_imports_only_what_it_uses(tmp_path: Path) -> None:
    """No other command group, no app, no watcher, no network: a `new` pays for none of them."""
    code = (
        "import sys; import sandbox.cli.main as m; "
        f"assert m.main(['--workspace', {str(tmp_path)!r}, 'new', 'An idea', '-t', 'landing-page']) == 0; "
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'watchdog', 'socket', 'inotify_simple')"
        " or (n.startswith('sandbox.') and n.split('.')[1] in ('cli', 'live', 'tui', 'compare') and n not in "
        "('sandbox.cli', 'sandbox.cli.main', 'sandbox.cli.common', 'sandbox.cli.projects'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Created" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
