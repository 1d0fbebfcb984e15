"""Hand items from any thread to a widget without flooding the message queue.

A watcher in an event storm or a chatty headless run can call ``push`` thousands of times a second;
only the first push after a drain posts a ``FeedReady`` message, and the handler drains everything
queued so far in one go. Older items beyond ``limit`` are dropped (counted in ``dropped``).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

from textual.message_pump import MessagePump

from sandbox.tui.messages import FeedReady

Item = TypeVar("Item")


class Feed(Generic[Item]):
    def __init__(self, target: MessagePump, limit: int = 2000) -> None:
        self.target = target
        self._items: deque[Item] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._posted = False
        self.dropped = 0
        self.limit = limit
        # Counts, for a status line and for the tests: items pushed, messages posted for them (far
        # fewer while a storm lasts) and drains done by the UI.
        self.pushed = 0
        self.posted = 0
        self.drains = 0

    def push(self, item: Item) -> None:
        with self._lock:
            self.pushed += 1
            if len(self._items) == self.limit:
                self.dropped += 1
            self._items.append(item)
            if self._posted:
                return
            self._posted = True
            self.posted += 1
        self.target.post_message(FeedReady(self))

    def drain(self) -> list[Item]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            self._posted = False
            self.drains += 1
        return items
