"""The app's live projects: one watcher per project opened, kept running while the app runs.

Why the app keeps them and not the project screen: a designer opens a preview, goes back to the
list, opens the project again and expects the browser tab to go on working. A preview server that
stopped with the screen came back on another port, so the open tab was dead. Here the live project
(watcher and preview servers) outlives its screen; a screen *attaches* to hear its events and
*detaches* when it closes, and the next screen of the same project gets the same servers, on the
same addresses. Everything stops when the app ends (``stop_all``).

Starting a watcher blocks (it walks the folder), so ``attach`` is called from a worker thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.live.loop import LiveEvent, LiveProject
    from sandbox.workspace import Workspace

Listener = Callable[["LiveEvent"], None]


class _Entry:
    """One live project and whoever listens to it now (events with nobody listening are dropped:
    the screen that attaches next reloads what it shows anyway)."""

    def __init__(self) -> None:
        self.live: LiveProject | None = None
        self.listener: Listener | None = None
        self.lock = threading.Lock()

    def dispatch(self, event: LiveEvent) -> None:
        listener = self.listener
        if listener is not None:
            listener(event)


class LiveProjects:
    """``attach(slug, listener) -> LiveProject`` (started on first use), ``detach``, ``stop_all``."""

    def __init__(self, workspace: Workspace, *, by: str | None = None) -> None:
        self.workspace = workspace
        self.by = by
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._closed = False

    def attach(self, slug: str, listener: Listener) -> LiveProject:
        """The running live project of ``slug`` (started now if needed), telling ``listener`` its events."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the app is closing")
            entry = self._entries.setdefault(slug, _Entry())
        with entry.lock:
            entry.listener = listener
            if entry.live is None:
                live = self.workspace.live_project(slug, on_event=entry.dispatch, by=self.by)
                live.start()
                entry.live = live
            return entry.live

    def detach(self, slug: str, listener: Listener) -> None:
        """``listener`` no longer hears ``slug``'s events; its watcher and previews keep running."""
        entry = self._entries.get(slug)
        if entry is not None and entry.listener is listener:
            entry.listener = None

    def running(self, slug: str) -> LiveProject | None:
        entry = self._entries.get(slug)
        return entry.live if entry is not None else None

    def stop(self, slug: str) -> None:
        """Stop ``slug``'s watcher and previews (before a render that must not race the watcher's)."""
        with self._lock:
            entry = self._entries.pop(slug, None)
        if entry is not None:
            with entry.lock:
                live, entry.live = entry.live, None
            if live is not None:
                with contextlib.suppress(Exception):  # stopping is best effort
                    live.stop()

    def stop_all(self) -> None:
        """Stop every watcher and preview server (the app is ending). Idempotent."""
        with self._lock:
            self._closed = True
            slugs = list(self._entries)
        for slug in slugs:
            self.stop(slug)
