"""What to start for an assistant, and how: its commands resolved, their placeholders, its environment.

Everything here is decided before any process starts, so a missing program or an unknown variant
is a one-line error that names the fix (``sandbox.yaml``'s ``assistants.<id>.command`` or
``.headless``) and nothing half-starts. Supervising a headless run is ``sandbox.assistants.runs``.

Placeholders in a headless command: ``{prompt}`` (the task), ``{brief}`` (the instruction file),
``{variant}``, ``{project}``, ``{usage_file}`` (where a CLI writes its usage, under
``.sandbox/runs/``, never inside the variant). Without ``{prompt}`` the task is written to the
assistant's stdin. Prompts are always data: the built-in commands put ``{prompt}`` after ``--``
(Claude Code) or inside ``--prompt=`` (Copilot), so a brief starting with ``-`` is never a flag.

The environment hands the assistant the sandbox's own executable (``SANDBOX_BIN``, and its folder
first on PATH), so its edit hooks reach the same ``sandbox`` wherever it is installed
(``sandbox.assistants.hooks`` says why).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sandbox.assistants import sessions
from sandbox.core.errors import AssistantError, SandboxError

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant
    from sandbox.workspace import Project, Workspace

_T = TypeVar("_T")
_PLACEHOLDER_RE = re.compile(r"\{(prompt|brief|variant|project|usage_file)\}")
RUNS_DIR = "runs"


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


def sandbox_bin() -> str | None:
    """The ``sandbox`` executable running now, or None when it cannot be told.

    ``sandbox`` started by its entry point: that script. Started as ``python -m sandbox`` (or from
    the TUI inside such a process): the entry point installed beside this interpreter, which is
    the same installation.
    """
    candidates = [Path(sys.argv[0]) if sys.argv and sys.argv[0] else None, Path(sys.executable).parent / "sandbox"]
    for candidate in candidates:
        if candidate is None or candidate.name != "sandbox":
            continue
        path = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return os.path.normpath(path)
    return None


def assistant_env(
    workspace: Workspace, project: Project, variant: str, session_id: str, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment an assistant runs in: ours plus where it is, so its hooks and helpers
    (``sandbox log-edit``) find the sandbox, the workspace, project, variant and session without guessing."""
    env = {
        **os.environ,
        "SANDBOX_WORKSPACE": str(Path(workspace.root).resolve()),
        "SANDBOX_PROJECT": project.slug,
        "SANDBOX_VARIANT": variant,
        "SANDBOX_SESSION": session_id,
        **(extra or {}),
    }
    executable = sandbox_bin()
    if executable is not None:
        env["SANDBOX_BIN"] = executable
        folder = str(Path(executable).parent)
        rest = [p for p in env.get("PATH", os.defpath).split(os.pathsep) if p and p != folder]
        env["PATH"] = os.pathsep.join([folder, *rest])
    return env


def default_prompt(assistant: Assistant, project: Project) -> str:
    """The task given to a headless run: read the brief and build what it describes."""
    brief = assistant.instructions
    title = _title(project)
    if brief:
        return (
            f"Read {brief} in this folder: it is the brief for the prototype '{title}'. Build what it describes, "
            f"following its ground rules, by editing the files in this folder. Stop when a person can open it "
            f"in a browser and try the idea."
        )
    return f"Improve the prototype '{title}' in this folder so a person can open it in a browser and try the idea."


def _title(project: Project) -> str:
    """The spec's title (its slug when the spec cannot be read), through YAML only when its line is not plain."""
    from sandbox.core.fs import read_regular
    from sandbox.core.yamlio import MAX_YAML_BYTES
    from sandbox.make.title import plain_title

    try:  # bounded, regular files only, as the YAML loader reads it: the spec is untrusted input
        title = plain_title(read_regular(project.spec_path, MAX_YAML_BYTES, SandboxError).decode("utf-8"))
    except (SandboxError, UnicodeDecodeError):
        title = None
    if title is not None:
        return title
    try:
        return project.load_spec().title
    except SandboxError:
        return project.slug


def run_files_dir(project: Project, run_id: str) -> Path:
    """The folder a run's CLI may write its own records in (usage, telemetry): beside the run's log,
    never inside the variant, and the one folder outside it the confinement lets the CLI write."""
    return Path(project.state_dir) / RUNS_DIR / f"{run_id}.files"


def usage_file_path(project: Project, run_id: str) -> Path:
    """Where a run's CLI writes its usage file: in a folder of its own, so the CLI may write it any way it likes."""
    return run_files_dir(project, run_id) / "usage.json"


def uses_usage_file(assistant: Assistant) -> bool:
    return any("{usage_file}" in part for part in assistant.headless)


def headless_argv(
    workspace: Workspace, project: Project, variant: str, prompt: str, *, usage_file: Path | None = None
) -> tuple[list[str], bool]:
    """(argv with placeholders filled and program resolved, whether the prompt goes to stdin)."""
    assistant = assistant_for(workspace, variant)
    if not assistant.headless:
        raise AssistantError(
            f"{assistant.name} has no headless command; set one in sandbox.yaml (assistants.{assistant.id}.headless)"
        )
    values = {"prompt": prompt, **placeholders(assistant, project, variant)}
    if usage_file is not None:
        values["usage_file"] = str(usage_file)
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


# --- a headless run, planned before anything starts ----------------------------------------------


@dataclass
class RunPlan:
    """Everything decided before a headless run starts, and what its event will record up front."""

    assistant: Assistant
    argv: list[str]
    prompt_on_stdin: bool
    shown: list[str]  # the command for the ledger and the log, the prompt shown as {prompt}
    usage_file: Path | None
    telemetry: str | None  # telemetry.CLAUDE / telemetry.COPILOT when captured
    telemetry_file: Path | None
    env_extra: dict[str, str]
    fields: dict[str, Any]  # cli, brief_sha256, brief_override, telemetry
    version: _Background[str | None]


class _Background(Generic[_T]):
    """A value worked out in a thread while the run goes on (a CLI's ``--version`` takes seconds)."""

    def __init__(self, work: Callable[[], _T]) -> None:
        self._value: list[_T] = []
        self._thread = threading.Thread(target=lambda: self._value.append(work()), daemon=True)
        self._thread.start()

    def get(self, timeout: float = 30.0) -> _T | None:
        self._thread.join(timeout)
        return self._value[0] if self._value else None


def telemetry_wanted(workspace: Workspace, requested: bool | None) -> bool:
    """``--telemetry`` when given, else ``telemetry: true`` in sandbox.yaml (off by default)."""
    if requested is not None:
        return requested
    settings = workspace.settings
    return bool(settings.section("telemetry", bool, False))


def check_fairness(project: Project, variant: str, assistant: Assistant, *, allow: bool) -> dict[str, Any]:
    """The brief fields of a run or session (hash, overrides); refuses an unfair start in one line.

    Also puts the sandbox's own Copilot hook file in place (a template's or a teammate's is replaced).
    """
    from sandbox.assistants import fairness, hooks

    root = Path(project.variant_dir(variant))
    hooks.ensure_copilot_hook(root, assistant)
    overridden = fairness.check(root, assistant, allow=allow)
    return {"brief_sha256": fairness.brief_sha256(root, assistant), "brief_override": overridden or None}


def plan_run(
    workspace: Workspace,
    project: Project,
    variant: str,
    task: str,
    run_id: str,
    *,
    allow_instructions: bool = False,
    telemetry: bool | None = None,
) -> RunPlan:
    """The argv, environment and up-front event fields of one headless run (one-line errors)."""
    from sandbox.assistants import versions

    assistant = assistant_for(workspace, variant)
    usage_file = usage_file_path(project, run_id) if uses_usage_file(assistant) else None
    argv, prompt_on_stdin = headless_argv(workspace, project, variant, task, usage_file=usage_file)
    fields = check_fairness(project, variant, assistant, allow=allow_instructions)
    kind = None
    env_extra: dict[str, str] = {}
    telemetry_file = None
    if telemetry_wanted(workspace, telemetry):  # opt-in: http.server and friends are imported only then
        from sandbox.assistants import telemetry as otel

        kind = otel.kind_for(assistant.result_format)
        if kind == otel.CLAUDE:
            env_extra = otel.claude_env(otel.receiver().endpoint, run_id)
        elif kind == otel.COPILOT:
            telemetry_file = run_files_dir(project, run_id) / "otel.jsonl"
            env_extra = otel.copilot_env(telemetry_file, run_id)
    executable = argv[0]
    return RunPlan(
        assistant=assistant,
        argv=argv,
        prompt_on_stdin=prompt_on_stdin,
        shown=fill(assistant.headless, placeholders(assistant, project, variant)),
        usage_file=usage_file,
        telemetry=kind,
        telemetry_file=telemetry_file,
        env_extra=env_extra,
        fields={**fields, "cli": Path(executable).name, "telemetry": True if kind else None},
        version=_Background(lambda: versions.cli_version(executable)),
    )


def run_env(workspace: Workspace, project: Project, variant: str, session_id: str, plan: RunPlan) -> dict[str, str]:
    """The environment of a planned run: ``assistant_env`` plus its telemetry, never with content capture."""
    env = assistant_env(workspace, project, variant, session_id, plan.env_extra)
    if not plan.telemetry:
        return env
    from sandbox.assistants import telemetry as otel

    return otel.base_env(env)


def open_hint(workspace: Workspace, variant: str) -> str | None:
    """The one line ``sandbox open`` adds for an assistant whose hooks need a trusted folder."""
    from sandbox.assistants import hooks

    assistant = workspace.registry.get(variant)
    if assistant is None or not assistant.edit_hook or assistant.hook_style != hooks.STYLE_COPILOT:
        return None
    return (f"when {assistant.name} asks whether to trust this folder, say yes: trusting it is what turns on "
            f"exact attribution of its edits (its hooks in {hooks.COPILOT_HOOK_FILE})")
