"""Corroborating evidence from git: commits whose trailers name an assistant.

A commit message carrying ``Co-Authored-By: Claude <noreply@anthropic.com>`` says an assistant
helped with it, whoever committed. ``sandbox log`` lists such commits of the project next to the
ledger, with the variants they touched, so a team can check the sessions against the history it
shares. git is optional: without it (or outside a repository) there is simply nothing to show.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant


@dataclass
class Commit:
    """A commit touching the project whose trailers name one or more assistants."""

    sha: str
    at: str
    author: str
    subject: str
    co_authors: list[str]
    assistants: list[str]
    variants: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def co_authored_commits(project_path: Path, registry: Mapping[str, Assistant], *, limit: int = 500) -> list[Commit]:
    """Commits under ``project_path`` with a co-author trailer matching an assistant's ``co_author``.

    Not a git repository, or no git installed: an empty list (git is optional for the sandbox).
    """
    words = {a.id: a.co_author.lower() for a in registry.values() if a.co_author}
    if not words:
        return []
    fmt = "%x1e%H%x1f%aI%x1f%an%x1f%s%x1f%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f"
    try:
        proc = subprocess.run(
            ["git", "-C", str(project_path), "log", f"-n{limit}", "--no-color", "--name-only", "--relative",
             f"--format={fmt}", "--", "."],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if proc.returncode != 0:
        return []
    commits: list[Commit] = []
    for record in proc.stdout.split("\x1e"):
        parts = record.split("\x1f")
        if len(parts) < 6:
            continue
        sha, at, author, subject, trailers, names = parts[:6]
        co_authors = [t.strip() for t in trailers.split("\x1d") if t.strip()]
        matched = sorted({aid for aid, word in words.items() for c in co_authors if word in c.lower()})
        if not matched:
            continue
        variants = sorted(
            {
                line.split("/")[1]
                for line in names.splitlines()
                if line.startswith("variants/") and line.count("/") >= 2
            }
        )
        commits.append(Commit(sha.strip(), at.strip(), author, subject, co_authors, matched, variants))
    return commits
