"""What to start for an assistant, and how: its commands resolved, their placeholders, its environment.

Everything here is decided before any process starts, so a missing program or an unknown variant
is a one-line error that names the fix (``sandbox.yaml``'s ``assistants.<id>.command`` or
``.headless``) and nothing half-starts. Supervising a headless run is ``sandbox.assistants.runs``.

Placeholders in a headless command: ``{prompt}`` (the task), ``{brief}`` (the instruction file),
``{variant}``, ``{project}``. Without ``{prompt}`` the task is written to the assistant's stdin.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.assistants import sessions
from sandbox.core.errors import AssistantError, SandboxError

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant
    from sandbox.workspace import Project, Workspace

_PLACEHOLDER_RE = re.compile(r"\{(prompt|brief|variant|project)\}")


def resolve_project(workspace: Workspace, project: Project | str) -> Project:
    """The project itself, given it or its slug."""
    return workspace.project(project) if isinstance(project, str) else project


def assistant_for(workspace: Workspace, variant: str) -> Assistant:
    """The registry entry a variant belongs to (variants are named after their assistant)."""
    registry: Mapping[str, Assistant] = workspace.registry
    if variant not in registry:
        known = ", ".join(sorted(registry))
        raise AssistantError(
            f"variant '{variant}' is not a known assistant, so there is no command to run (known: {known}; "
            f"add it under 'assistants:' in sandbox.yaml)"
        )
    return registry[variant]


def resolve_executable(workspace: Workspace, assistant: Assistant, argv: list[str], field_name: str) -> list[str]:
    """``argv`` with its program found on PATH (or relative to the workspace), else a one-line error."""
    program = argv[0]
    if os.sep in program or (os.altsep and os.altsep in program):
        path = Path(program).expanduser()
        if not path.is_absolute():
            path = Path(workspace.root).resolve() / path
        found = str(path) if path.is_file() and os.access(path, os.X_OK) else None
    else:
        found = shutil.which(program)
    if found is None:
        hint = assistant.install_hint or f"install '{program}'"
        raise AssistantError(
            f"{assistant.name}: '{program}' was not found; {hint}, or set the command in sandbox.yaml "
            f"(assistants.{assistant.id}.{field_name})"
        )
    return [found, *argv[1:]]


def launch_argv(workspace: Workspace, project: Project | str, variant: str) -> list[str]:
    """The interactive command for ``variant``'s assistant, its program resolved."""
    project = resolve_project(workspace, project)
    sessions.check_variant(project, variant)
    assistant = assistant_for(workspace, variant)
    if not assistant.command:
        raise AssistantError(
            f"{assistant.name} has no interactive command; set one in sandbox.yaml (assistants.{assistant.id}.command)"
        )
    return resolve_executable(workspace, assistant, list(assistant.command), "command")


def assistant_env(workspace: Workspace, project: Project, variant: str, session_id: str) -> dict[str, str]:
    """The environment an assistant runs in: ours plus where it is, so its hooks and helpers
    (``sandbox log-edit``) find the workspace, project, variant and session without guessing."""
    return {
        **os.environ,
        "SANDBOX_WORKSPACE": str(Path(workspace.root).resolve()),
        "SANDBOX_PROJECT": project.slug,
        "SANDBOX_VARIANT": variant,
        "SANDBOX_SESSION": session_id,
    }


def default_prompt(assistant: Assistant, project: Project) -> str:
    """The task given to a headless run: read the brief and build what it describes."""
    brief = assistant.instructions
    try:
        title = project.load_spec().title
    except SandboxError:
        title = project.slug
    if brief:
        return (
            f"Read {brief} in this folder: it is the brief for the prototype '{title}'. Build what it describes, "
            f"following its ground rules, by editing the files in this folder. Stop when a person can open it "
            f"in a browser and try the idea."
        )
    return f"Improve the prototype '{title}' in this folder so a person can open it in a browser and try the idea."


def headless_argv(workspace: Workspace, project: Project, variant: str, prompt: str) -> tuple[list[str], bool]:
    """(argv with placeholders filled and program resolved, whether the prompt goes to stdin)."""
    assistant = assistant_for(workspace, variant)
    if not assistant.headless:
        raise AssistantError(
            f"{assistant.name} has no headless command; set one in sandbox.yaml (assistants.{assistant.id}.headless)"
        )
    values = {"prompt": prompt, **placeholders(assistant, project, variant)}
    uses_prompt = any("{prompt}" in part for part in assistant.headless)
    argv = fill(assistant.headless, values)
    return resolve_executable(workspace, assistant, argv, "headless"), not uses_prompt


def placeholders(assistant: Assistant, project: Project, variant: str) -> dict[str, str]:
    """Values of the headless command's placeholders, but the prompt."""
    return {"brief": assistant.instructions or "", "variant": variant, "project": project.slug}


def fill(parts: Iterable[str], values: Mapping[str, str]) -> list[str]:
    """Placeholders replaced in one pass, so that text in the prompt (say "{project}") stays as typed;
    a placeholder without a value stays as it is (the ledger shows ``{prompt}``, not the long task)."""
    return [_PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), part) for part in parts]
