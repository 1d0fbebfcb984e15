"""Turn raw file-system events under a folder into debounced change batches.

Why a batch and not each event: one editor save is several events (create a temp file, write,
rename it over the original, close), and one render writes many files; the browser should reload
once, after the last of them. A batch is delivered ``debounce_ms`` after the last event, or at the
latest ``max_wait_ms`` after the first (so a never-ending stream, like a package install, still
shows up). Every kind of save is seen because a path counts as changed whatever happened to it:
written, created, deleted, or the source or destination of a move (VS Code and JetBrains write a
temporary file and rename it over the original; Vim renames the original to a backup first).

watchdog is imported only when a watcher starts, so ``sandbox --help`` stays fast. Its handlers run
on watchdog's thread; batches are delivered on our own thread, so a slow ``on_batch`` (a re-render)
never stalls the observer, and events that arrive meanwhile form the next batch.

The watched folder itself can go away (renamed in the Finder, deleted, replaced by a ``git
checkout``): the operating system then stops reporting anything, silently. So while idle the
watcher checks, every ``HEALTH_SECONDS``, that the folder is still the one it started on and that
the observer still runs; if not, it says so once through ``on_status`` (and ``warning``) and
resumes by itself when a folder is back at that path.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core.ignore import IgnoreRules

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_MS = 50
DEFAULT_MAX_WAIT_MS = 2000
POLL_INTERVAL = 0.5
HEALTH_SECONDS = 1.0  # how often an idle watcher checks that its folder is still there

@dataclass(frozen=True)
class ChangeBatch:
    """The paths that changed in one quiet-separated burst; times are ``time.monotonic()`` seconds."""

    paths: frozenset[Path]
    started: float
    ended: float

    @property
    def seconds(self) -> float:
        """How long the burst lasted, from its first event to its last."""
        return self.ended - self.started


# Process-wide on purpose: the limit is per user, so when any watcher in this process is refused a
# watch, new folders anywhere may go unwatched too.
_limit_hits = 0  # how often the OS refused a new inotify watch (see _count_limit_hits)
_hook_lock = threading.Lock()


def _count_limit_hits() -> None:
    """Make watchdog's silent failures at the inotify watch limit visible.

    watchdog adds one watch per folder; past ``fs.inotify.max_user_watches`` it raises only for
    the watched root and silently skips any sub-folder, at start (a big ``node_modules``) or when
    one is created later, so edits there would never be seen. Wrapping ``InotifyFD.add_callback``
    once per process counts those refusals; a Watcher that sees the count grow switches to
    polling and says why. Does nothing where that class or method does not exist.
    """
    try:
        from watchdog.observers import inotify_c
    except Exception:  # noqa: BLE001 - not Linux, or another watchdog layout: nothing to count
        return
    cls: Any = getattr(inotify_c, "InotifyFD", None)
    original = getattr(cls, "add_callback", None)
    if original is None:
        return
    with _hook_lock:
        if getattr(cls.add_callback, "_sandbox_counts_limit", False):
            return

        @functools.wraps(original)
        def add_callback(self: Any, *args: Any, **kwargs: Any) -> Any:
            global _limit_hits
            try:
                return original(self, *args, **kwargs)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EMFILE):
                    _limit_hits += 1
                raise

        add_callback._sandbox_counts_limit = True  # type: ignore[attr-defined]
        cls.add_callback = add_callback


def _watch_limit_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        what = "the limit of inotify watches (fs.inotify.max_user_watches)"
    else:
        what = "the limit of inotify instances (fs.inotify.max_user_instances)"
    return (
        f"this computer reached {what}, so changes are checked every {POLL_INTERVAL:g} s instead of "
        "instantly; raise it with 'sudo sysctl fs.inotify.max_user_watches=524288' or close other watchers"
    )


class Watcher:
    """Watch ``root`` recursively and call ``on_batch(ChangeBatch)`` after each quiet period.

    ``ignore`` adds patterns to the built-in ones, or is the ``IgnoreRules`` to use (the one
    policy of ``sandbox.core.ignore``, so the watcher and a session never disagree about what is
    noise); ignored folders are never polled. When the operating system's
    watch limit is reached, the watcher falls back to polling and says so in ``warning`` instead of
    crashing. ``on_batch`` runs on the watcher's own thread, one batch at a time.

    ``on_status(message)`` (optional, same thread) hears when the folder was moved or deleted
    (``lost`` becomes True) and when watching resumed because it is back.
    """

    def __init__(
        self,
        root: Path,
        on_batch: Callable[[ChangeBatch], None],
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        ignore: Iterable[str] | IgnoreRules = (),
        *,
        max_wait_ms: int = DEFAULT_MAX_WAIT_MS,
        force_polling: bool = False,
        poll_interval: float = POLL_INTERVAL,
        on_status: Callable[[str], None] | None = None,
        health_seconds: float = HEALTH_SECONDS,
    ) -> None:
        self.root = Path(root).resolve()
        self.on_batch = on_batch
        self.debounce = max(0, int(debounce_ms)) / 1000
        self.max_wait = max(self.debounce, max_wait_ms / 1000)
        self.rules = ignore if isinstance(ignore, IgnoreRules) else IgnoreRules(ignore)
        self.force_polling = force_polling
        self.poll_interval = poll_interval
        self.polling = False
        self.warning: str | None = None
        self.on_status = on_status
        self.health_seconds = max(0.05, float(health_seconds))  # 0 would spin
        self.lost = False  # the folder was moved or deleted; nothing is watched until it is back
        self._identity: tuple[int, int] | None = None
        self._hits_seen = 0  # _limit_hits when the current native observer started
        self._observer_lock = threading.Lock()
        self._prefix = str(self.root) + os.sep
        self._cond = threading.Condition()
        self._pending: set[Path] = set()
        self._born: set[Path] = set()  # created during the current burst (maybe a temp file)
        self._first = 0.0
        self._last = 0.0
        self._stopping = False
        self._observer: Any = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> Watcher:
        """Start observing; returns self. Safe to call once."""
        if self._thread is not None:
            return self
        if not self.root.is_dir():
            from sandbox.core.errors import SandboxError

            raise SandboxError(f"cannot watch {self.root}: it is not a folder")
        # watchdog warns (harmlessly) when a folder is created and filled faster than it can add
        # its watch; the events still arrive, so keep the user's terminal clean.
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
        self._stopping = False
        self._identity = self._current_identity()
        self._thread = threading.Thread(target=self._deliver_loop, name="sandbox-watch", daemon=True)
        self._thread.start()
        try:
            self._observer = self._observe()
        except OSError:
            self.stop()
            raise
        return self

    def _observe(self) -> Any:
        """Start an observer, falling back to polling (with a warning) at the watch limit."""
        try:
            return self._start_observer(polling=self.force_polling)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                raise
            self.warning = _watch_limit_message(exc)
            log.warning("%s", self.warning)
            return self._start_observer(polling=True)

    def stop(self) -> None:
        """Stop observing and drop anything not yet delivered. Idempotent, callable from on_batch.

        ``_stopping`` is set first: an observer the delivery thread is restarting right now (the
        folder came back) then either sees it and stops itself, or is already in place to be
        stopped here; none is left running."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._born.clear()
            self._cond.notify_all()
        with self._observer_lock:
            observer, self._observer = self._observer, None
        _stop_observer(observer)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _stop_asked(self) -> bool:
        """``_stopping`` read afresh: ``stop()`` sets it from another thread at any moment."""
        return self._stopping

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start_observer(self, *, polling: bool) -> Any:
        from watchdog import events as ev

        if polling:
            from watchdog.observers.polling import PollingObserverVFS

            # Polling re-lists the whole tree every interval: never walk into what is ignored
            # (a node_modules of 20,000 files is why the watch limit was hit in the first place).
            observer: Any = PollingObserverVFS(os.stat, self._poll_listdir, polling_interval=self.poll_interval)
        else:
            from watchdog.observers import Observer

            _count_limit_hits()
            observer = Observer()
        hits_before = _limit_hits
        handler = _Handler(self._on_raw)
        # Only what can change what a browser shows: no opens, no close-without-write, no
        # directory "modified" noise (a parent's mtime), so a storm costs as little as possible.
        wanted = [
            ev.FileCreatedEvent, ev.FileModifiedEvent, ev.FileDeletedEvent, ev.FileMovedEvent,
            ev.FileClosedEvent, ev.DirCreatedEvent, ev.DirDeletedEvent, ev.DirMovedEvent,
        ]
        observer.schedule(handler, str(self.root), recursive=True, event_filter=wanted)
        try:
            observer.start()
        except BaseException:
            with contextlib.suppress(Exception):  # it did not start: stopping it is only tidying up
                observer.stop()
            raise
        if not polling and _limit_hits > hits_before:
            # The root is watched but some sub-folders could not be: half-watching is worse
            # than polling everything.
            _stop_observer(observer)
            raise OSError(errno.ENOSPC, "inotify watch limit reached for a sub-folder")
        self.polling = polling
        self._hits_seen = _limit_hits
        return observer

    def _poll_listdir(self, path: str | None) -> Iterator[os.DirEntry[str]]:
        """``os.scandir`` for the polling observer, leaving out ignored files and folders."""
        with os.scandir(path) as entries:
            for entry in entries:
                if self._relative(entry.path, is_dir=entry.is_dir(follow_symlinks=False)) is not None:
                    yield entry

    # --- events -----------------------------------------------------------------------------
    def _relative(self, raw: str | bytes, *, is_dir: bool = False) -> str | None:
        """``raw`` relative to the root (posix), or None when it is outside it or ignored."""
        path = os.fsdecode(raw)
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        return None if self.rules.ignored(rel, is_dir=is_dir) else rel

    def _on_raw(self, event: Any) -> None:
        """Called on watchdog's thread for every event: keep it cheap."""
        found = []
        born = None
        is_dir = bool(event.is_directory)
        rel = self._relative(event.src_path, is_dir=is_dir)
        if rel is not None:
            found.append(rel)
            if event.event_type == "created":
                born = rel
        dest = getattr(event, "dest_path", "")
        if dest:
            rel = self._relative(dest, is_dir=is_dir)
            if rel is not None:
                found.append(rel)
        if not found:
            return
        now = time.monotonic()
        with self._cond:
            if self._stopping:
                return
            if not self._pending:
                self._first = now
                self._cond.notify()
            self._last = now
            if born is not None and self.root / born not in self._pending:
                # Only a path whose first event in this burst is its creation can be a temporary
                # file; one that was deleted first and then re-created (and maybe deleted again)
                # existed before the burst, so its fate is a change to report.
                self._born.add(self.root / born)
            self._pending.update(self.root / rel for rel in found)

    # --- the folder itself ------------------------------------------------------------------
    def _current_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the watched folder, or None when no folder is at that path."""
        try:
            info = self.root.stat()
        except OSError:
            return None
        return (info.st_dev, info.st_ino) if stat.S_ISDIR(info.st_mode) else None

    def _healthy(self) -> bool:
        """True while the folder is the one being watched and the observer still runs.

        inotify keeps following a renamed folder (under its old name) and a polling or deleted
        watch just stops: neither says anything, so look.
        """
        if self._current_identity() != self._identity:
            return False
        observer = self._observer
        emitters = getattr(observer, "emitters", ()) if observer is not None else ()
        return all(emitter.is_alive() for emitter in emitters)

    def _check_folder(self) -> None:
        """Called on the delivery thread while idle: notice a lost folder, resume when it is back."""
        if self._stopping:
            return
        if not self.lost:
            if not self.polling and _limit_hits > self._hits_seen:
                self._switch_to_polling()
                return
            if self._healthy():
                return
            with self._observer_lock:
                observer, self._observer = self._observer, None
            _stop_observer(observer)
            self.lost = True
            self.warning = (
                f"the folder {self.root} was moved or deleted, so changes are not seen; "
                "watching resumes when it is back"
            )
            # Said once: through on_status when someone listens (the CLI prints it), else the log.
            log.log(logging.DEBUG if self.on_status is not None else logging.WARNING, "%s", self.warning)
            self._tell(self.warning)
            return
        identity = self._current_identity()
        if identity is None:
            return
        try:
            observer = self._observe()
        except OSError as exc:
            log.debug("cannot watch %s yet: %s", self.root, exc)
            return
        with self._observer_lock:
            if self._stop_asked():
                _stop_observer(observer)
                return
            self._observer = observer
        self._identity = identity
        self.lost = False
        self.warning = None
        self._tell(f"the folder {self.root} is back: watching it again")

    def _switch_to_polling(self) -> None:
        """A folder created while watching could not get its inotify watch: poll from now on."""
        with self._observer_lock:
            observer, self._observer = self._observer, None
        _stop_observer(observer)
        try:
            polling = self._start_observer(polling=True)
        except OSError as exc:
            log.warning("cannot poll %s either: %s", self.root, exc)
            return
        with self._observer_lock:
            if self._stop_asked():
                _stop_observer(polling)
                return
            self._observer = polling
        self.warning = _watch_limit_message(OSError(errno.ENOSPC, "inotify watch limit reached"))
        log.log(logging.DEBUG if self.on_status is not None else logging.WARNING, "%s", self.warning)
        self._tell(self.warning)

    def _tell(self, message: str) -> None:
        if self.on_status is None:
            return
        try:
            self.on_status(message)
        except Exception:
            log.exception("watch status handler failed")

    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                idle_since = time.monotonic()
                while not self._pending and not self._stopping:
                    if time.monotonic() - idle_since >= self.health_seconds:
                        break
                    self._cond.wait(self.health_seconds)
                if self._stopping:
                    return
                idle = not self._pending
            if idle:
                self._check_folder()
                continue
            with self._cond:
                if self._stop_asked():
                    return
                if not self._pending:
                    continue
                deadline = min(self._last + self.debounce, self._first + self.max_wait)
                now = time.monotonic()
                if now < deadline:
                    self._cond.wait(deadline - now)
                    continue
                pending, born = self._pending, self._born
                self._pending, self._born = set(), set()
                first, last = self._first, self._last
            # A file created and gone again within one burst is an editor's temporary file with an
            # unpredictable name (sed -i, some editors): not a change anyone can see.
            paths = frozenset(p for p in pending if p not in born or os.path.lexists(p))
            if not paths:
                continue
            if self._current_identity() != self._identity:
                # The folder itself was deleted or moved: these are the echoes of that (every file
                # "deleted"), not edits. Say what happened instead of reporting them one by one.
                self._check_folder()
                continue
            batch = ChangeBatch(paths, first, last)
            try:
                self.on_batch(batch)
            except Exception:
                log.exception("change batch handler failed")


def _stop_observer(observer: Any) -> None:
    """Stop and join a watchdog observer; never raises (it may have died already)."""
    if observer is None:
        return
    try:
        observer.stop()
        observer.join(timeout=5)
    except Exception:
        log.debug("observer did not stop cleanly", exc_info=True)


class _Handler:
    """A minimal watchdog handler: ``dispatch`` is all the observer calls."""

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self._callback = callback

    def dispatch(self, event: Any) -> None:
        self._callback(event)
