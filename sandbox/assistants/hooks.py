"""Exact attribution where an assistant offers it: its own hook reports each edit as it happens.

Session diffs say *what changed while an assistant's session was open*. Claude Code and the GitHub
Copilot CLI can say more: they run project hooks after each tool call, passing the call as JSON on
stdin. Variants of assistants with ``edit_hook`` get such a hook, written by the sandbox (never taken
from a template): Claude Code a ``PostToolUse`` hook on its file-editing tools in
``.claude/settings.json``; Copilot a ``postToolUse`` hook in ``.github/hooks/sandbox.json`` (which
Copilot loads in ``-p`` mode only with ``--trust-folder``, and interactively once the folder is
trusted). Both call ``sandbox log-edit --hook``, so each edit becomes an ``edit`` event, only
inside an open session of that assistant.

Why ``$SANDBOX_BIN``: installed as README says (``.venv/bin/sandbox``), ``sandbox`` is not on PATH,
and a bare ``sandbox`` in the hook fails silently. The sandbox hands its own executable to the
assistant's environment (``SANDBOX_BIN``, and its folder first on PATH, ``launch.assistant_env``),
and the hook command names the variable, not a path: hook files are shared through git, and an
absolute path of one person's laptop would be wrong on every other.

The hook never fails the assistant's turn: ``|| true`` covers a missing ``sandbox`` and
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
COPILOT_HOOKS_DIR = ".github/hooks"
COPILOT_HOOK_FILE = f"{COPILOT_HOOKS_DIR}/sandbox.json"
HOOK_MATCHER = "Write|Edit|MultiEdit|NotebookEdit"
# Copilot's postToolUse has no matcher: log-edit keeps only the tools that change files.
COPILOT_EDIT_TOOLS = frozenset({"create", "edit", "str_replace_editor", "write", "apply_patch", "str_replace"})
CLAUDE_EDIT_TOOLS = frozenset(HOOK_MATCHER.split("|"))
MAX_HOOK_INPUT = 1 << 20
STYLE_CLAUDE = "claude"
STYLE_COPILOT = "copilot"


def hook_command(assistant_id: str) -> str:
    """The hook's shell command: the sandbox the assistant was started by, else ``sandbox`` on PATH."""
    return f'"${{SANDBOX_BIN:-sandbox}}" log-edit --hook --assistant {assistant_id} || true'


def hook_settings(assistant_id: str) -> bytes:
    """The ``.claude/settings.json`` a Claude Code variant gets."""
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


def copilot_hook_settings(assistant_id: str) -> bytes:
    """The ``.github/hooks/sandbox.json`` a Copilot variant gets (Copilot's own hook format, version 1)."""
    settings = {
        "version": 1,
        "hooks": {"postToolUse": [{"type": "command", "bash": hook_command(assistant_id), "timeoutSec": 15}]},
    }
    return (json.dumps(settings, indent=2) + "\n").encode("utf-8")


def hook_file(assistant: Assistant) -> tuple[str, bytes] | None:
    """(path in the variant, content) of the hook ``assistant`` gets, or None for one without hooks."""
    if not assistant.edit_hook:
        return None
    if assistant.hook_style == STYLE_COPILOT:
        return COPILOT_HOOK_FILE, copilot_hook_settings(assistant.id)
    return HOOK_FILE, hook_settings(assistant.id)


def write_edit_hook(variant_root: Path, assistant: Assistant) -> bool:
    """Add the hook file to a freshly created variant of an ``edit_hook`` assistant (never replaces one)."""
    wanted = hook_file(assistant)
    if wanted is None:
        return False
    target = variant_root / wanted[0]
    if target.exists():
        return False
    atomic_write(target, wanted[1])  # the assistant may read it at any moment
    return True


def ensure_copilot_hook(variant_root: Path, assistant: Assistant) -> bool:
    """Before a run or session: the sandbox's own Copilot hook file, exactly as the sandbox writes it.

    A template or a teammate may have put another version there; Copilot trusts the folder's hooks
    with ``--trust-folder``, so only the content the sandbox wrote may be in that file. Claude's
    ``.claude/settings.json`` is the user's too (permissions, other hooks) and is left alone.
    Returns whether the file was (re)written.
    """
    wanted = hook_file(assistant)
    if wanted is None or wanted[0] != COPILOT_HOOK_FILE:
        return False
    target = variant_root / wanted[0]
    try:
        if target.read_bytes() == wanted[1]:
            return False
    except OSError:
        pass
    atomic_write(target, wanted[1])
    return True


def foreign_copilot_hooks(variant_root: Path) -> list[str]:
    """Hook files in ``.github/hooks/`` the sandbox did not write (they would run trusted)."""
    folder = variant_root / COPILOT_HOOKS_DIR
    if not folder.is_dir():
        return []
    return sorted(f"{COPILOT_HOOKS_DIR}/{p.name}" for p in folder.glob("*.json") if p.name != "sandbox.json")


@dataclass
class HookCall:
    """The parts of a hook payload we use."""

    tool: str | None
    files: list[str]
    cwd: str | None
    session_id: str | None = None
    succeeded: bool = True  # False: the tool call failed or was refused (nothing was edited)


def parse_hook_payload(text: str) -> HookCall:
    """A PostToolUse payload, in Claude Code's shape or Copilot's.

    Claude Code: ``tool_name``, ``tool_input.file_path`` (or notebook_path), ``session_id``, ``cwd``.
    Copilot: ``toolName``, ``toolArgs.path`` (an object, or that object as a JSON string),
    ``sessionId``, ``cwd``, ``toolResult.resultType``. Copilot also accepts hooks written in
    Claude's nested shape, so both readings are tried.
    """
    try:
        data = json.loads(text) if text.strip() else {}
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        raise SandboxError("the hook input is not JSON (is this called from an assistant's hook?)") from None
    if not isinstance(data, dict):
        raise SandboxError("the hook input is not a JSON object")
    if "toolName" in data or "toolArgs" in data:
        return _copilot_call(data)
    raw_input = data.get("tool_input")
    tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
    files = [
        str(tool_input[key]) for key in ("file_path", "notebook_path", "path") if isinstance(tool_input.get(key), str)
    ]
    response = data.get("tool_response")
    failed = isinstance(response, dict) and response.get("success") is False
    return HookCall(tool=_text(data, "tool_name"), files=files[:1], cwd=_text(data, "cwd"),
                    session_id=_text(data, "session_id"), succeeded=not failed)


def _copilot_call(data: dict[str, Any]) -> HookCall:
    args: Any = data.get("toolArgs")
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except (ValueError, RecursionError):  # deep nesting: not JSON we read
            args = {}
    arguments: dict[str, Any] = args if isinstance(args, dict) else {}
    result = data.get("toolResult")
    kind = result.get("resultType") if isinstance(result, dict) else None
    path = arguments.get("path") or arguments.get("file_path")
    tool = _text(data, "toolName")
    return HookCall(
        tool=tool,
        files=[path] if isinstance(path, str) else [],
        cwd=_text(data, "cwd"),
        session_id=_text(data, "sessionId"),
        succeeded=kind in (None, "success") and (tool is None or tool in COPILOT_EDIT_TOOLS),
    )


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
