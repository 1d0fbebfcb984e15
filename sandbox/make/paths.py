"""Which paths a template may write into a variant, and which names every file system can hold.

Three rules, each a class of problem a hostile or careless template could cause:

- **Contained**: no absolute path, drive letter, backslash, NUL, ``..``, ``.`` or empty segment, so
  nothing lands outside the variant folder.
- **Not a trusted place**: assistants, editors and git run or obey files in certain places
  (``.claude/settings.json`` hooks run shell commands, ``.vscode/tasks.json`` runs tasks,
  ``.git/hooks`` and ``.git/config`` run programs, ``CLAUDE.md`` and ``AGENTS.md`` instruct the
  assistant). A template may not put anything there: the sandbox alone writes an assistant's
  configuration and its brief, the same for every variant, so they stay comparable and harmless.
  Names are compared case-blind, at any depth, because macOS and Windows treat ``.Claude`` as
  ``.claude`` and assistants read nested instruction files too.
- **Portable**: a variant is shared through git, so its names must check out on Windows and macOS
  as well: no device names (``CON``, ``nul.txt``), no trailing dot or space, none of ``<>:"|?*``
  or control characters, segments of at most 255 bytes, and no two paths that differ only in case
  or Unicode form, nor a file where another path needs a folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_SEGMENT_BYTES = 255
MAX_PATH_BYTES = 1024
WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f]')
# Windows reserves these names for devices, with any extension (nul.txt is the device too).
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{device}{n}" for device in ("com", "lpt") for n in (*"0123456789", "¹", "²", "³")]
)

# Folders (at any depth) whose contents an assistant, editor or git runs or trusts, and why.
TRUSTED_FOLDERS = {
    ".git": "git runs its hooks and obeys its config (core.hooksPath, core.fsmonitor)",
    ".claude": "Claude Code runs the hooks in its settings",
    ".vscode": "VS Code runs its tasks and obeys its settings",
    ".idea": "JetBrains IDEs run its run configurations",
    ".devcontainer": "dev containers run its commands",
    ".cursor": "Cursor obeys its rules and runs its MCP servers",
    ".gemini": "Gemini CLI obeys its settings",
    ".codex": "Codex obeys its configuration",
}
# Files (at any depth) an assistant or editor reads as instructions or runs, and why.
TRUSTED_FILES = {
    "claude.md": "it instructs Claude Code (the sandbox writes the brief)",
    "claude.local.md": "it instructs Claude Code",
    "agents.md": "it instructs assistants (the sandbox writes the brief)",
    "agent.md": "it instructs assistants",
    "gemini.md": "it instructs Gemini CLI",
    ".mcp.json": "assistants start the MCP servers it lists",
    ".cursorrules": "it instructs Cursor",
    ".windsurfrules": "it instructs Windsurf",
    ".envrc": "direnv runs it on entering the folder",
    ".devcontainer.json": "dev containers run its commands",
    ".exrc": "Vim runs it",
    ".nvimrc": "Neovim runs it",
    ".nvim.lua": "Neovim runs it",
}
# Inside .github/ (at any depth): what Copilot reads or runs.
TRUSTED_IN_GITHUB = {
    "copilot-instructions.md": "it instructs GitHub Copilot (the sandbox writes the brief)",
    "hooks": "GitHub Copilot runs its hooks",
    "instructions": "it instructs GitHub Copilot",
    "prompts": "it instructs GitHub Copilot",
    "agents": "it configures GitHub Copilot agents",
    "chatmodes": "it instructs GitHub Copilot",
}
SANDBOX_SUFFIX = ".sandbox-new"  # the sandbox's own conflict files (scaffold.CONFLICT_SUFFIX)


def containment_problem(path: str) -> str | None:
    """Why ``path`` (posix, relative) could leave the folder it is written into, or None."""
    if not path or path.startswith("/"):
        return "is absolute"
    if "\\" in path or "\x00" in path or (len(path) > 1 and path[1] == ":"):
        return "contains a backslash, drive letter or NUL"
    if any(part in ("..", ".", "") for part in path.split("/")):
        return "contains '..', '.' or an empty folder name"
    return None


def trusted_place(path: str) -> str | None:
    """Why ``path`` is a place assistants, editors or git run or trust (None when it is not)."""
    parts = [_fold(part) for part in path.split("/")]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part in TRUSTED_FOLDERS:  # as a file too: a .git file points git elsewhere (gitdir:)
            return f"{part}/: {TRUSTED_FOLDERS[part]}"
        if last and part in TRUSTED_FILES:
            return f"{part}: {TRUSTED_FILES[part]}"
        if last and part.endswith(".code-workspace"):
            return f"{part}: VS Code runs the tasks of a workspace file"
        if part == ".github" and not last and parts[index + 1] in TRUSTED_IN_GITHUB:
            inner = parts[index + 1]
            return f".github/{inner}: {TRUSTED_IN_GITHUB[inner]}"
    if parts[-1].endswith(SANDBOX_SUFFIX):
        return f"*{SANDBOX_SUFFIX}: the sandbox puts a re-render's version of an edited file there"
    return None


def segment_problem(segment: str) -> str | None:
    """Why a file or folder name cannot be checked out on every common system, or None."""
    size = len(segment.encode("utf-8", "surrogatepass"))
    if size > MAX_SEGMENT_BYTES:
        return f"has a name of {size} bytes (at most {MAX_SEGMENT_BYTES})"
    forbidden = WINDOWS_FORBIDDEN.search(segment)
    if forbidden is not None:
        return f"has {forbidden.group()!r} in a name, which Windows does not allow"
    if segment.endswith((".", " ")):
        return "has a name ending in a dot or space, which Windows drops"
    if _fold(segment.split(".")[0].rstrip(" ")) in RESERVED_NAMES:
        return f"uses '{segment}', a name Windows reserves for a device"
    try:
        segment.encode("utf-8")
    except UnicodeEncodeError:
        return "has a name that is not valid text"
    return None


def portability_problem(path: str) -> str | None:
    """The first segment problem of ``path``, or a path too long to be useful."""
    if len(path.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return f"is longer than {MAX_PATH_BYTES} bytes"
    for segment in path.split("/"):
        problem = segment_problem(segment)
        if problem is not None:
            return problem
    return None


def path_problem(path: str) -> str | None:
    """Every rule for one path a template writes: contained, not a trusted place, portable."""
    return containment_problem(path) or trusted_place(path) or portability_problem(path)


def clashes(paths: Iterable[str]) -> tuple[str, str, str] | None:
    """``(a, b, why)`` for the first two paths that cannot live side by side on every system.

    A file ``x`` and a file ``x/y`` need ``x`` to be both; ``Read.me`` and ``read.me`` (or two
    Unicode spellings of one name) are one file on macOS and Windows.
    """
    seen: dict[str, str] = {}
    files: dict[str, str] = {}
    for path in paths:
        key = "/".join(_fold(part) for part in path.split("/"))
        if key in seen:
            return seen[key], path, "differ only in case or Unicode form (one file on macOS and Windows)"
        seen[key] = path
        files[key] = path
    for key, path in files.items():
        parts = key.split("/")
        for depth in range(1, len(parts)):
            prefix = "/".join(parts[:depth])
            if prefix in files:
                return files[prefix], path, f"need '{files[prefix]}' to be a file and a folder at once"
    return None


def _fold(name: str) -> str:
    """The form two names share when a case-blind, normalising file system treats them as one."""
    return unicodedata.normalize("NFC", name).casefold()
