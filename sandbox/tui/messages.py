"""Where the app's messages live, and the one message that has no owner.

The rule (Textual's own: ``Button.Pressed``, ``Input.Changed``): **a message is a dataclass nested in
the widget or screen that posts it**, so a handler names where it comes from
(``@on(PreviewPane.StartRequested)``, ``@on(AssistantPane.SessionChanged)``) and a reader finds the
message next to the code that sends it. Only a message posted by something that is not a widget or a
screen lives here: ``FeedReady``, posted by a ``Feed`` on behalf of whichever widget owns it.

Workers and background threads never change widgets: they post a message (``post_message`` is
thread-safe) and an ``@on`` handler changes the state on the UI thread. A worker's only other way
out is ``notify``, which posts a message itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from sandbox.tui.feed import Feed


@dataclass
class FeedReady(Message):
    """Items queued by a background thread in ``feed`` are ready to be drained (on the UI thread)."""

    feed: Feed[Any]
