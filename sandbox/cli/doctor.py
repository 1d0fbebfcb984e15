"""``sandbox doctor``: one screen saying whether this machine is ready (``--json`` for the IT team's tools).

The checks are ``sandbox.assistants.doctor``; the TUI shows the same report on Home.
"""

from __future__ import annotations

import argparse

from sandbox.cli.common import add_command, print_json, workspace_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(sub, "doctor", "check that the assistants' CLIs, sign-in, hooks, browser and disk are ready",
                cmd_doctor, listing=True)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Exit 0 when everything needed is ready, 1 otherwise."""
    report = workspace_from(args).doctor()
    if args.json:
        print_json(report.to_dict())
    else:
        print("\n".join(report.lines()))
    return 0 if report.ready else 1
