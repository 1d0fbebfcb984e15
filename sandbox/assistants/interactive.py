"""Starting an interactive assistant inside a session, confined: one function for ``sandbox open`` and the TUI.

Why one place: every door through which a person hands the terminal to an assistant must give it
the same confinement, the same notice when there is none, and a session whose close replays the
hook spool and looks for violations. ``sandbox open`` uses it; the TUI's launch button should too
(``begin``, then run ``argv`` with ``env`` in ``cwd``, then ``sessions.end_session``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.assistants import confine, launch, sessions

if TYPE_CHECKING:
    from sandbox.core.ledger import Event
    from sandbox.workspace import Project, Workspace


@dataclass(frozen=True)
class Launch:
    """What to start, where and with which environment, for the session ``start`` just opened."""

    argv: list[str]  # already wrapped in the confinement
    shown: list[str]  # the assistant's own command, for messages
    env: dict[str, str]
    cwd: Path
    start: Event
    notice: str | None  # the plain-words warning when there is no confinement (show it once)


def begin(
    workspace: Workspace, project: Project, variant: str, *, by: str | None = None, extra: dict[str, Any] | None = None
) -> Launch:
    """Open a confined session on ``variant`` and return how to start its assistant.

    Raises (one-line SandboxError) before anything is recorded when the assistant cannot be
    launched or ``confinement: required`` cannot be met. Runs whose sandbox died are closed first.
    ``extra`` adds fields to ``session_started`` (the brief hash of ``launch.check_fairness``).
    """
    shown = launch.launch_argv(workspace, project, variant)
    mode = confine.mode_for(workspace)
    sessions.close_stale_runs(project)
    start = sessions.start_session(project, variant, by=by, extra=extra, confinement=mode)
    try:
        jail = confine.jail_for(workspace, project, variant, str(start.get("assistant")), start["session"], mode,
                                interactive=True)
        env = jail.environment(launch.assistant_env(workspace, project, variant, start["session"]))
    except BaseException:  # nothing was started: the session must not stay open
        sessions.end_session(project, variant, by=by)
        raise
    return Launch(jail.command(shown), shown, env, Path(project.variant_dir(variant)), start, mode.notice())
