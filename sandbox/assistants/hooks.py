"""Exact attribution where an assistant offers it: its own hook reports each edit as it happens.

Session diffs say *what changed while an assistant's session was open*. Claude Code can say more:
it runs project hooks from ``.claude/settings.json``. Variants of assistants with ``edit_hook``
get a ``PostToolUse`` hook on file-editing tools that calls ``sandbox log-edit --hook``; Claude
Code passes the tool call as JSON on stdin, so each edit is recorded as it happens (an ``edit``
event, only inside an open session of that assistant).

The hook never fails Claude's turn: ``|| true`` covers a missing ``sandbox`` on PATH and
``log-edit --hook`` always exits 0 (exit 2 would be fed back to Claude as an error).
Corroborating evidence from git (co-author trailers) is in ``sandbox.assistants.commits``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import SandboxError
from sandbox.core.fs import atomic_write

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant

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


def write_edit_hook(variant_root: Path, assistant: Assistant) -> bool:
    """Add the hook file to a freshly created variant of an ``edit_hook`` assistant (never replaces one)."""
    if not assistant.edit_hook:
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
    raw_input = data.get("tool_input")
    tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
    files = [
        str(tool_input[key]) for key in ("file_path", "notebook_path", "path") if isinstance(tool_input.get(key), str)
    ]
    return HookCall(tool=_text(data, "tool_name"), files=files[:1], cwd=_text(data, "cwd"),
                    session_id=_text(data, "session_id"))


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


@dataclass
class VariantLocation:
    """Where a path sits: the workspace root, the project slug, the variant id."""

    workspace: Path
    slug: str
    variant: str


def find_variant(path: str | os.PathLike[str]) -> VariantLocation | None:
    """Walk up from ``path`` to ``<workspace>/projects/<slug>/variants/<variant>/``."""
    p = Path(os.path.abspath(path))  # noqa: PTH100 - resolve() would follow links out of the workspace
    for candidate in (p, *p.parents):
        parent = candidate.parent
        if parent.name == "variants" and (parent.parent / "project.yaml").is_file():
            project_dir = parent.parent
            if project_dir.parent.name != "projects":
                return None
            return VariantLocation(project_dir.parent.parent, project_dir.name, candidate.name)
    return None
