"""Exact attribution where an assistant offers it, and corroborating evidence from git.

Session diffs say *what changed while an assistant's session was open*. Two better sources exist
for some tools, and this module reads them:

- Claude Code runs project hooks from ``.claude/settings.json``. Variants of assistants with
  ``edit_hook`` get a ``PostToolUse`` hook on file-editing tools that calls ``sandbox log-edit
  --hook``; Claude Code passes the tool call as JSON on stdin, so each edit is recorded as it
  happens (an ``edit`` event, only inside an open session of that assistant).
  The hook never fails Claude's turn: ``|| true`` covers a missing ``sandbox`` on PATH and
  ``log-edit --hook`` always exits 0 (exit 2 would be fed back to Claude as an error).
- Commits whose message carries a co-author trailer naming an assistant (``Co-Authored-By:
  Claude <noreply@anthropic.com>``) are listed by ``sandbox log`` next to the ledger.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.core.errors import SandboxError
from sandbox.core.fs import atomic_write

HOOK_FILE = ".claude/settings.json"
HOOK_MATCHER = "Write|Edit|MultiEdit|NotebookEdit"
MAX_HOOK_INPUT = 1 << 20


def hook_command(assistant_id: str) -> str:
    """The hook's shell command; ``|| true`` so a missing ``sandbox`` never fails Claude's turn."""
    return f"sandbox log-edit --hook --assistant {assistant_id} || true"


def hook_settings(assistant_id: str) -> bytes:
    """The ``.claude/settings.json`` a variant of ``assistant_id`` gets at creation."""
    settings = {
        "hooks": {
            "PostToolUse": [
                {
                    "matcher": HOOK_MATCHER,
                    "hooks": [{"type": "command", "command": hook_command(assistant_id), "timeout": 15}],
                }
            ]
        }
    }
    return (json.dumps(settings, indent=2) + "\n").encode("utf-8")


def write_edit_hook(variant_root: Path, assistant: Any) -> bool:
    """Add the hook file to a freshly created variant of an ``edit_hook`` assistant (never replaces one)."""
    if not getattr(assistant, "edit_hook", False):
        return False
    target = variant_root / HOOK_FILE
    if target.exists():
        return False
    atomic_write(target, hook_settings(assistant.id))  # Claude Code may read it at any moment
    return True


@dataclass
class HookCall:
    """The parts of a Claude Code hook payload we use."""

    tool: str | None
    files: list[str]
    cwd: str | None
    session_id: str | None = None


def parse_hook_payload(text: str) -> HookCall:
    """Claude Code's PostToolUse JSON: tool_name, tool_input.file_path (or notebook_path), cwd."""
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        raise SandboxError("the hook input is not JSON (is this called from a Claude Code hook?)") from None
    if not isinstance(data, dict):
        raise SandboxError("the hook input is not a JSON object")
    tool_input = data.get("tool_input") if isinstance(data.get("tool_input"), dict) else {}
    files = [
        str(tool_input[key]) for key in ("file_path", "notebook_path", "path") if isinstance(tool_input.get(key), str)
    ]
    cwd = data.get("cwd") if isinstance(data.get("cwd"), str) else None
    tool = data.get("tool_name") if isinstance(data.get("tool_name"), str) else None
    session = data.get("session_id") if isinstance(data.get("session_id"), str) else None
    return HookCall(tool=tool, files=files[:1], cwd=cwd, session_id=session)


@dataclass
class VariantLocation:
    """Where a path sits: the workspace root, the project slug, the variant id."""

    workspace: Path
    slug: str
    variant: str


def find_variant(path: str | os.PathLike[str]) -> VariantLocation | None:
    """Walk up from ``path`` to ``<workspace>/projects/<slug>/variants/<variant>/``."""
    p = Path(os.path.abspath(path))
    for candidate in (p, *p.parents):
        parent = candidate.parent
        if parent.name == "variants" and (parent.parent / "project.yaml").is_file():
            project_dir = parent.parent
            if project_dir.parent.name != "projects":
                return None
            return VariantLocation(project_dir.parent.parent, project_dir.name, candidate.name)
    return None


# --- git co-author trailers ----------------------------------------------------------------------


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


def co_authored_commits(project_path: Path, registry: dict[str, Any], *, limit: int = 500) -> list[Commit]:
    """Commits under ``project_path`` with a co-author trailer matching an assistant's ``co_author``.

    Not a git repository, or no git installed: an empty list (git is optional for the sandbox).
    """
    words = {a.id: a.co_author.lower() for a in registry.values() if getattr(a, "co_author", "")}
    if not words:
        return []
    fmt = "%x1e%H%x1f%aI%x1f%an%x1f%s%x1f%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f"
    try:
        proc = subprocess.run(
            ["git", "-C", str(project_path), "log", f"-n{limit}", "--no-color", "--name-only", "--relative", f"--format={fmt}",
             "--", "."],
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
