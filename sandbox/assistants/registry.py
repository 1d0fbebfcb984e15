"""The assistant registry and the brief each variant's assistant reads.

Built-in assistants know which instruction file their tool reads (Claude Code: ``CLAUDE.md``,
GitHub Copilot: ``.github/copilot-instructions.md``, Codex and Cursor: ``AGENTS.md``) and how to
start it. A workspace's ``sandbox.yaml`` can add assistants or change any field, so a team can
compare tools we have never heard of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from sandbox.core.errors import AssistantError
from sandbox.core.settings import Settings

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
DEFAULT_ASSISTANTS = ("claude-code", "copilot")


@dataclass(frozen=True)
class Assistant:
    """One AI coding assistant (or a person) that can work on a variant."""

    id: str
    name: str
    instructions: str | None = None  # file the tool reads, relative to the variant; None: no brief
    command: tuple[str, ...] = ()  # interactive launch, run in the variant folder
    headless: tuple[str, ...] = ()  # non-interactive run; "{prompt}" is replaced by the task text
    install_hint: str = ""
    result_format: str = "text"  # "claude-json" when the headless output is Claude Code's JSON result
    co_author: str = ""  # a word found in commit trailers (Co-Authored-By: Claude ...)
    edit_hook: bool = False  # supports a PostToolUse hook that logs each edit as it happens
    hook_style: str = "claude"  # which hook file it reads: "claude" (.claude/settings.json), "copilot" (.github/hooks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "instructions": self.instructions,
            "command": list(self.command),
            "headless": list(self.headless),
            "install_hint": self.install_hint,
        }


BUILTIN_ASSISTANTS: dict[str, Assistant] = {
    a.id: a
    for a in (
        Assistant(
            id="claude-code",
            name="Claude Code",
            instructions="CLAUDE.md",
            command=("claude",),
            # stream-json (with --verbose) shows progress and retries live; "--" keeps a prompt from being a flag
            headless=("claude", "-p", "--output-format", "stream-json", "--verbose", "--permission-mode",
                      "acceptEdits", "--", "{prompt}"),
            install_hint="install Claude Code with 'npm install -g @anthropic-ai/claude-code'",
            result_format="claude-stream-json",
            co_author="claude",
            edit_hook=True,
        ),
        Assistant(
            id="copilot",
            name="GitHub Copilot",
            instructions=".github/copilot-instructions.md",
            command=("copilot",),
            # --trust-folder loads the sandbox's hooks; --allow-tool=write (not --allow-all-tools) and
            # --disallow-temp-dir: file edits inside the variant only; --prompt= keeps a prompt from being a flag
            headless=("copilot", "--prompt={prompt}", "--output-format", "json", "--trust-folder",
                      "--disallow-temp-dir", "--allow-tool=write", "--no-auto-update",
                      "--usage-output-file={usage_file}"),
            install_hint="install the GitHub Copilot CLI with 'npm install -g @github/copilot'",
            result_format="copilot-jsonl",
            co_author="copilot",
            edit_hook=True,
            hook_style="copilot",
        ),
        Assistant(
            id="codex",
            name="OpenAI Codex",
            instructions="AGENTS.md",
            command=("codex",),
            headless=("codex", "exec", "--full-auto", "{prompt}"),
            install_hint="install Codex CLI with 'npm install -g @openai/codex'",
            co_author="codex",
        ),
        Assistant(
            id="cursor",
            name="Cursor",
            instructions="AGENTS.md",
            command=("cursor-agent",),
            headless=("cursor-agent", "-p", "{prompt}"),
            install_hint="install the Cursor CLI (cursor-agent) from cursor.com",
            co_author="cursor",
        ),
        Assistant(id="human", name="A person (no assistant)", instructions=None),
    )
}

_FIELDS: dict[str, type[Any]] = {
    "name": str,
    "instructions": str,
    "command": list,
    "headless": list,
    "install_hint": str,
    "result_format": str,
    "co_author": str,
    "edit_hook": bool,
    "hook_style": str,
}


def load_registry(settings: Settings | None = None) -> dict[str, Assistant]:
    """Built-ins overlaid with ``sandbox.yaml``'s ``assistants:`` section."""
    registry = dict(BUILTIN_ASSISTANTS)
    if settings is None:
        return registry
    section = settings.section("assistants", dict, {})
    for assistant_id, fields in section.items():
        if not isinstance(assistant_id, str) or not ID_RE.match(assistant_id):
            raise settings.error(
                f"assistant id '{assistant_id}' must be lowercase letters, digits, '-' or '_'", "assistants"
            )
        if fields is None:
            fields = {}
        if not isinstance(fields, dict):
            raise settings.error(f"assistant '{assistant_id}' must be a mapping of fields", "assistants", assistant_id)
        changes: dict[str, Any] = {}
        for key, value in fields.items():
            expected = _FIELDS.get(key)
            if expected is None:
                raise settings.error(
                    f"assistant '{assistant_id}': unknown field '{key}' (known: {', '.join(_FIELDS)})",
                    "assistants", assistant_id, key,
                )
            if key in ("command", "headless") and isinstance(value, str):
                import shlex

                value = shlex.split(value)
            if key == "instructions" and value is None:
                changes[key] = None
                continue
            if not isinstance(value, expected):
                raise settings.error(
                    f"assistant '{assistant_id}': '{key}' must be {expected.__name__}", "assistants", assistant_id, key
                )
            if key in ("command", "headless"):
                value = tuple(str(v) for v in value)
            if key == "instructions" and (value.startswith("/") or ".." in value.split("/") or "\\" in value):
                raise settings.error(
                    f"assistant '{assistant_id}': 'instructions' must be a file inside the variant, like AGENTS.md",
                    "assistants", assistant_id, key,
                )
            changes[key] = value
        base = registry.get(assistant_id) or Assistant(id=assistant_id, name=assistant_id, instructions="AGENTS.md")
        registry[assistant_id] = replace(base, **changes)
    return registry


def resolve_assistants(registry: dict[str, Assistant], ids: list[str]) -> list[Assistant]:
    """The assistants for ``ids``; an unknown id is an error that lists the known ones."""
    found = []
    for assistant_id in ids:
        if assistant_id not in registry:
            known = ", ".join(sorted(registry))
            raise AssistantError(
                f"unknown assistant '{assistant_id}'; known assistants: {known} (add others in sandbox.yaml)"
            )
        found.append(registry[assistant_id])
    return found
