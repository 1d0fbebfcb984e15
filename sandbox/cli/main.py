"""The ``sandbox`` command: argparse over one module per command group.

Each group module (``projects``, ``preview``, ``assistants``, ``history``, ``feedback``, ``report``, ``doctor``)
adds its subcommands with their handlers; ``main`` turns every user error into one line and exit 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sandbox.cli import assistants, doctor, feedback, history, preview, projects, report
from sandbox.cli.common import EXIT_USER_ERROR, Parser, workspace_from

GROUPS = (projects, preview, assistants, history, feedback, report, doctor)


def build_parser() -> argparse.ArgumentParser:
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
    for group in GROUPS:
        group.register(sub)
    return parser


def open_tui(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    from sandbox.tui.app import run

    return run(ws)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from sandbox.core.errors import SandboxError

    try:
        if args.command is None:
            return open_tui(args)
        handler: Callable[[argparse.Namespace], int] = args.func
        return handler(args)
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sandbox: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("SANDBOX_DEBUG"):
            raise
        print(
            f"sandbox: internal error: {type(exc).__name__}: {exc} (set SANDBOX_DEBUG=1 for details)", file=sys.stderr
        )
        return 1
