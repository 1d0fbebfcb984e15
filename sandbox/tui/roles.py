"""Roles a screen can take on for the app, as protocols: the app asks "does this screen hold unsaved
work?" with ``isinstance`` instead of guessing at attribute names.

- ``OffersCommands``: extra entries for the command palette while the screen is shown.
- ``ChoosesProject``: the project the screen is about or has selected (``c`` compares it).
- ``HoldsUnsavedWork`` / ``SavesUnsavedWork``: quitting asks first, and can save first.
- ``RunsBackgroundWork``: an assistant working on its own; quitting asks, then stops it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable

Command = tuple[str, Callable[[], object], str]
"""A palette entry: what it is called, what it does, one line of help."""


@runtime_checkable
class OffersCommands(Protocol):
    def palette_commands(self) -> Iterator[Command]: ...


@runtime_checkable
class ChoosesProject(Protocol):
    def selected_slug(self) -> str | None: ...


@runtime_checkable
class HoldsUnsavedWork(Protocol):
    unsaved_what: str  # in words, for the question before quitting

    def has_unsaved_changes(self) -> bool: ...


@runtime_checkable
class SavesUnsavedWork(Protocol):
    def save_unsaved(self) -> bool:
        """Save now; True when saved (or nothing to save)."""
        ...


@runtime_checkable
class RunsBackgroundWork(Protocol):
    def running_work(self) -> str | None:
        """What is still working, in words, or None."""
        ...

    def stop_running_work(self) -> None: ...
