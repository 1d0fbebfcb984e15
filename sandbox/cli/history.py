"""``sandbox log``: a project's history in plain words, plus the commits an assistant co-authored."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC
from typing import Any

from sandbox.cli.common import add_command, print_json, workspace_from


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = add_command(sub, "log", "a project's history in plain words, one line per event", cmd_log, listing=True)
    log.add_argument("slug")
    log.add_argument("--no-git", action="store_true", help="do not look for co-authored commits")


BLIND_FIELDS = ("a", "b", "a_assistant", "b_assistant")


def _blind(event: dict[str, Any], voted: set[Any]) -> dict[str, Any]:
    """A comparison waiting for its vote keeps who is A and who is B hidden, even in ``--json``."""
    if event.get("kind") != "compare" or event.get("comparison") in voted:
        return event
    return {k: ("hidden until the vote" if k in BLIND_FIELDS else v) for k, v in event.items()}


def cmd_log(args: argparse.Namespace) -> int:
    from sandbox.assistants.commits import co_authored_commits
    from sandbox.assistants.history import describe_event
    from sandbox.assistants.sessions import close_stale_runs
    from sandbox.core import ledger

    ws = workspace_from(args)
    project = ws.project(args.slug)
    close_stale_runs(project)  # a run whose sandbox was killed shows as interrupted, not as still running
    read = ledger.read(project.ledger_path)
    voted = {e.get("comparison") for e in read.events if e.get("kind") == ledger.VOTE}
    rows: list[dict[str, Any]] = [
        {"at": e.get("at", ""), "kind": e.get("kind"), "text": describe_event(e), "event": _blind(e, voted)}
        for e in read.events
    ]
    if not args.no_git:
        for commit in co_authored_commits(project.path, ws.registry):
            names = ", ".join(ws.registry[a].name for a in commit.assistants if a in ws.registry)
            where = f" in {', '.join(commit.variants)}" if commit.variants else ""
            agrees = ""
            if commit.variants:
                agrees = " (matches the variant)" if set(commit.variants) <= set(commit.assistants) else \
                    " (touches another assistant's variant)"
            at = _utc(commit.at)
            rows.append({
                "at": at, "kind": "commit",
                "text": f"commit {commit.sha[:8]} '{commit.subject}' co-authored by {names}{where}{agrees}",
                "event": commit.to_dict(),
            })
    rows.sort(key=lambda r: r["at"])
    for problem in read.problems:  # on stderr in both modes: skipped lines are never silent
        print(f"sandbox: {problem}", file=sys.stderr)
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("Nothing recorded yet.")
    for row in rows:
        print(f"{_local_time(row['at'])}  {row['text']}")
    return 0


def _local_time(at: Any) -> str:
    """A ledger time (UTC) on the reader's own clock: people match history against their day.

    ``--json`` keeps the UTC original.
    """
    from sandbox.core.ledger import parse_time

    try:
        return parse_time(str(at)).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(at).replace("T", " ")[:16]


def _utc(text: str) -> str:
    """A git ISO date as the ledger's UTC form, so both sort together."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text).astimezone(UTC).isoformat(timespec="milliseconds").replace(
            "+00:00", "Z")
    except ValueError:
        return text
