"""Signals while assistants work: what Ctrl-C, a closed terminal (SIGHUP) and SIGTERM do to ``sandbox``.

Headless assistants run in their own process group (so a timeout kills each as a whole), so a
Ctrl-C, a hang-up or a SIGTERM reaches only the sandbox. Dying on it would leave them running with
no timeout; instead the sandbox stops them, records their runs as interrupted, and then exits.

Why the handler only takes note (``StopRequest``) and never raises: Python runs a signal handler
in the main thread between any two bytecodes, so an exception raised there (``KeyboardInterrupt``)
can surface inside ``threading``'s own code, for instance right after ``Condition.__enter__`` took
an Event's lock. That lock then stays taken for ever, and the next ``wait`` or ``set`` on the Event
blocks with no timeout. This is how ``sandbox run`` once outlived a SIGHUP on a loaded machine:
the interrupt landed in the wait for a run's completion Event, the clean-up then waited on that
same Event, and so did the run's thread when it tried to say it was done. Python's documentation
warns about it ("Note on Signal Handlers and Exceptions" in the ``signal`` module). So the handler
sets a flag, and the loop that waits for the runs reads it at a point of its own choosing.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator, Mapping
from types import FrameType

Handler = Callable[[int, FrameType | None], object]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequest:
    """A signal handler that records the first stop signal; ``requested()`` is read by the waiting loop."""

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal is None:  # later signals change nothing: the stop is already under way
            self.signal = signum

    def requested(self) -> bool:
        return self.signal is not None


@contextlib.contextmanager
def handling_signals(handlers: Mapping[int, Handler]) -> Iterator[None]:
    """Install ``handlers`` for the duration, then restore the previous ones.

    A signal the user ignores on purpose (``nohup`` ignores SIGHUP; a shell's background job
    ignores SIGINT) stays ignored.
    """
    previous: dict[int, signal._HANDLER] = {}
    try:
        for signum, handler in handlers.items():
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, handler)
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextlib.contextmanager
def stop_on_signals(signals: tuple[int, ...] = STOP_SIGNALS) -> Iterator[StopRequest]:
    """While inside, ``signals`` are noted in the yielded ``StopRequest`` instead of stopping the program."""
    request = StopRequest()
    with handling_signals(dict.fromkeys(signals, request)):
        yield request
