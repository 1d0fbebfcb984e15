"""The ``sandbox`` command: argparse over one module per command group.

Each group module (``projects``, ``preview``, ``assistants``, ``history``, ``feedback``, ``report``,
``doctor``, ``share``)
adds its subcommands with their handlers; ``main`` turns every user error into one line and exit 2.
The group modules are imported only when a command line needs the full parser: opening the app
(``sandbox`` or ``sandbox --workspace DIR``) does not pay for them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sandbox.cli.common import EXIT_USER_ERROR, Parser, workspace_from

GROUP_NAMES = ("projects", "preview", "assistants", "history", "feedback", "report", "doctor", "share")
# Which group module registers each command, so a command line imports and registers only its own
# group (a test holds this equal to what the groups register).
COMMAND_GROUPS = {
    **dict.fromkeys(("templates", "new", "list", "check", "render"), "projects"),
    "preview": "preview",
    **dict.fromkeys(("session", "open", "run", "log-edit"), "assistants"),
    "log": "history",
    **dict.fromkeys(("rate", "compare", "vote"), "feedback"),
    **dict.fromkeys(("report", "export", "sync"), "report"),
    "doctor": "doctor",
    "share": "share",
}


def build_parser(groups: Sequence[str] = GROUP_NAMES) -> argparse.ArgumentParser:
    """The command parser with the commands of ``groups`` (all by default: --help lists them all)."""
    parser = Parser(
        prog="sandbox",
        description="Turn an idea into working prototypes, one per AI assistant, and compare them. "
        "Without a command, opens the app.",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        type=Path,
        default=None,
        help="workspace folder holding projects/ (default: $SANDBOX_WORKSPACE or the current folder)",
    )
    from sandbox import __version__

    parser.add_argument("--version", action="version", version=f"sandbox {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    import importlib

    for name in groups:
        importlib.import_module(f"sandbox.cli.{name}").register(sub)
    return parser


def app_arguments(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments when ``argv`` only opens the app (nothing, or ``--workspace DIR``), else None.

    Why a fast path: the app's first frame should cost little more than Textual's own import, and
    building the full parser imports every command group; a command line with anything else in
    it (a command, --help, a typo) goes through the full parser and its messages as before."""
    rest = list(argv)
    workspace: Path | None = None
    if rest[:1] == ["--workspace"] and len(rest) >= 2 and not rest[1].startswith("-"):
        workspace, rest = Path(rest[1]), rest[2:]
    elif rest[:1] and rest[0].startswith("--workspace=") and len(rest[0]) > len("--workspace="):
        workspace, rest = Path(rest[0].split("=", 1)[1]), rest[1:]
    return argparse.Namespace(workspace=workspace, command=None) if not rest else None


def command_groups(argv: Sequence[str]) -> Sequence[str]:
    """Only the group of the command ``argv`` names after the global ``--workspace``, when it names
    one; every group otherwise (--help, --version, a typo: the full parser's messages)."""
    rest = list(argv)
    if rest[:1] == ["--workspace"]:
        rest = rest[2:]
    elif rest[:1] and rest[0].startswith("--workspace="):
        rest = rest[1:]
    group = COMMAND_GROUPS.get(rest[0]) if rest else None
    return (group,) if group else GROUP_NAMES


def open_tui(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    from sandbox.tui.app import run

    return run(ws)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = app_arguments(argv)
    if args is None:
        args = build_parser(command_groups(argv)).parse_args(argv)
    from sandbox.core.errors import SandboxError

    try:
        if args.command is None:
            return open_tui(args)
        handler: Callable[[argparse.Namespace], int] = args.func
        return handler(args)
    except SandboxError as exc:
        from sandbox.make.yaml_hints import plain_error  # a YAML slip: plain words at the line it starts

        print(f"sandbox: {plain_error(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sandbox: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a full disk or a read-only folder is no bug: one plain line (issue 12)
        from sandbox.core.fs import disk_error

        plain = disk_error(exc)
        if plain is None:
            return _internal_error(exc)
        print(f"sandbox: {plain}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, the traceback only on request
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    if os.environ.get("SANDBOX_DEBUG"):
        raise exc
    print(f"sandbox: internal error: {type(exc).__name__}: {exc} (set SANDBOX_DEBUG=1 for details)", file=sys.stderr)
    return 1
