"""Messages the app's workers and background threads post to the UI.

Workers and watcher threads never change widgets themselves: they post one of these (``post_message``
is thread-safe) and an ``@on`` handler on the screen updates the state.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class ProjectsLoaded(Message):
    """The project list was read (in a worker) from the workspace."""

    def __init__(self, summaries: list[Any], error: str | None = None) -> None:
        super().__init__()
        self.summaries = summaries
        self.error = error


class ProjectCreated(Message):
    """``workspace.new_project`` finished; ``created`` is a scaffold.Created."""

    def __init__(self, created: Any) -> None:
        super().__init__()
        self.created = created


class CreateFailed(Message):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class SpecChecked(Message):
    """The spec buffer was validated; ``error`` is None when it is fine."""

    def __init__(self, text: str, error: Any | None) -> None:
        super().__init__()
        self.text = text
        self.error = error


class FeedReady(Message):
    """Items queued by a background thread in a ``Feed`` are ready to be drained."""

    def __init__(self, feed: Any) -> None:
        super().__init__()
        self.feed = feed


class SessionChanged(Message):
    """A session started or ended (the overview and the assistant tab refresh)."""

    def __init__(self, variant: str, event: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.variant = variant
        self.event = event


class RunFinished(Message):
    def __init__(self, variant: str, event: dict[str, Any] | None, error: str | None) -> None:
        super().__init__()
        self.variant = variant
        self.event = event
        self.error = error
