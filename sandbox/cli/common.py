"""What every command module shares: the one-line error parser, the workspace, JSON output, the user.

Why argparse and lazy imports: ``sandbox --help`` must answer instantly, so a command module imports
nothing heavier than argparse at its top; each handler imports the core it needs when it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.workspace import Workspace

EXIT_USER_ERROR = 2

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    handler: Handler,
    *,
    listing: bool = False,
) -> argparse.ArgumentParser:
    """A subcommand whose handler argparse keeps (``set_defaults(func=...)``); ``listing`` adds --json."""
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(func=handler)
    if listing:
        parser.add_argument("--json", action="store_true", help="print JSON for other tools")
    return parser


def workspace_from(args: argparse.Namespace) -> Workspace:
    from sandbox.core.errors import SandboxError
    from sandbox.workspace import Workspace, default_workspace

    root = args.workspace if args.workspace is not None else default_workspace()
    if not root.is_dir():
        raise SandboxError(f"the workspace folder {root} does not exist")
    return Workspace(root)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def user() -> str | None:
    """Who is at the keyboard, as written into the ledger's ``by``."""
    return os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None
