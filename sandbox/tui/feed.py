"""Hand items from any thread to a widget without flooding the message queue.

A watcher in an event storm or a chatty headless run can call ``push`` thousands of times a second;
only the first push after a drain posts a ``FeedReady`` message, and the handler drains everything
queued so far in one go. Older items beyond ``limit`` are dropped (counted in ``dropped``).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from sandbox.tui.messages import FeedReady


class Feed:
    def __init__(self, target: Any, limit: int = 2000) -> None:
        self.target = target
        self._items: deque[Any] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._posted = False
        self.dropped = 0
        self.limit = limit

    def push(self, item: Any) -> None:
        with self._lock:
            if len(self._items) == self.limit:
                self.dropped += 1
            self._items.append(item)
            if self._posted:
                return
            self._posted = True
        self.target.post_message(FeedReady(self))

    def drain(self) -> list[Any]:
        with self._lock:
            items = list(self._items)
            self._items.clear()
            self._posted = False
        return items
