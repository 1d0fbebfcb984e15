"""Turn raw file-system events under a folder into change notices and batches, on the leading edge.

Why the leading edge: a designer saves and looks at the browser; every millisecond between the two
is felt. So the first *finished* change of a burst is delivered at once, as a leading notice
(``ChangeBatch.final`` False), and whatever happens within the next ``debounce_ms`` is merged into
one final batch (``final`` True) delivered once the folder has been quiet that long, or at the
latest ``max_wait_ms`` after the burst began (so a never-ending stream, like a package install,
still shows up). The final batch lists every path of the burst, so whoever records work (the
sessions) sees one batch per burst as before; its ``fresh`` paths are the ones that changed after
the leading notice, so a browser is told again only when there is something new to show. No save
is ever dropped: every event lands in a final batch.

What counts as finished: a file written and closed (inotify's close-after-write), or moved onto
its name (editors that write a temporary file and rename it over the original). A file that was
created during the burst waits ``LEADING_SETTLE_MS`` of quiet first (it may be a temporary file
about to be renamed), and a leading notice is never sent while one of its paths is missing: Vim
first renames the original away, and a browser reloading in that instant would get a 404 page,
which has no live-reload script, and would never update again. A lone deletion is therefore told
by the final batch, ``debounce_ms`` later. A path counts as changed whatever happened to it:
written, created, deleted, or the source or destination of a move.

How the folder is watched (measured in ``benchmarks/watchers.py``): on Linux one inotify watch per
folder that is not ignored (``sandbox.live.inotify_tree``), so a storm in ``node_modules`` costs
nothing; elsewhere watchdog's native observer (FSEvents and ReadDirectoryChangesW watch a whole
tree at no cost per folder); at the watch limit, or when asked, polling that never walks into an
ignored folder. watchdog and inotify are imported only when a watcher starts, so ``sandbox --help``
stays fast. Events arrive on the observer's thread; batches are delivered on our own thread, so a
slow ``on_batch`` (a re-render) never stalls the observer, and events that arrive meanwhile form
the next batch.

The watched folder itself can go away (renamed in the Finder, deleted, replaced by a ``git
checkout``): the operating system then stops reporting anything, silently. So while idle the
watcher checks, every ``HEALTH_SECONDS``, that the folder is still the one it started on and that
the observer still runs; if not, it says so once through ``on_status`` (and ``warning``) and
resumes by itself when a folder is back at that path.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core.ignore import IgnoreRules
from sandbox.live import inotify_tree
from sandbox.live.inotify_tree import CLOSED, CREATED, DELETED, MOVED_FROM, MOVED_TO, OVERFLOW, RawChange

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_MS = 50
DEFAULT_MAX_WAIT_MS = 2000
LEADING_SETTLE_MS = 5  # quiet needed before a leading notice about a file born in this burst
LEADING_SETTLE_MAX_MS = 20  # ... but no longer than this after it was finished
POLL_INTERVAL = 0.5
HEALTH_SECONDS = 1.0  # how often an idle watcher checks that its folder is still there
_FINISHING = (CLOSED, MOVED_TO)  # the kinds after which a file is complete on disk


@dataclass(frozen=True)
class ChangeBatch:
    """Paths that changed in one burst; times are ``time.monotonic()`` seconds.

    ``final`` False: a leading notice, sent as soon as the burst's first change was finished;
    more of the burst may follow. ``final`` True: the whole burst (``paths``), delivered after it
    went quiet. ``fresh`` is what changed after the burst's leading notice (None: no notice was
    sent, so all of ``paths`` is news); ``to_tell`` says which paths nobody has been told about.
    """

    paths: frozenset[Path]
    started: float
    ended: float
    final: bool = True
    fresh: frozenset[Path] | None = None

    @property
    def seconds(self) -> float:
        """How long the burst lasted, from its first event to its last."""
        return self.ended - self.started

    @property
    def to_tell(self) -> frozenset[Path]:
        """The paths a browser has not heard about yet from this burst."""
        return self.paths if self.fresh is None else self.fresh


def _watch_limit_message(exc: OSError) -> str:
    if exc.errno == errno.EMFILE:
        what = "the limit of inotify instances (fs.inotify.max_user_instances)"
    else:
        what = "the limit of inotify watches (fs.inotify.max_user_watches)"
    return (
        f"this computer reached {what}, so changes are checked every {POLL_INTERVAL:g} s instead of "
        "instantly; raise it with 'sudo sysctl fs.inotify.max_user_watches=524288' or close other watchers"
    )


class _Burst:
    """The changes since the last final batch (guarded by the watcher's condition)."""

    def __init__(self) -> None:
        self.pending: set[Path] = set()  # every path of the burst
        self.fresh: set[Path] = set()  # paths changed since the leading notice (all, before it)
        self.born: set[Path] = set()  # created during the burst (maybe a temporary file)
        self.first = 0.0
        self.last = 0.0
        self.led = False  # a leading notice went out for this burst
        self.ready_at: float | None = None  # when a leading notice may go out (a change was finished)
        self.settle = False  # ready_at waits for quiet (the finished file was born in the burst)

    def clear(self) -> None:
        self.pending.clear()
        self.fresh.clear()
        self.born.clear()
        self.led = False
        self.ready_at = None
        self.settle = False


class Watcher:
    """Watch ``root`` recursively and call ``on_batch(ChangeBatch)`` for each burst of changes.

    ``ignore`` adds patterns to the built-in ones, or is the ``IgnoreRules`` to use (the one
    policy of ``sandbox.core.ignore``, so the watcher and a session never disagree about what is
    noise); ignored folders are never watched nor polled, and ``update_ignore`` applies new rules
    to the watches in place. When the operating system's watch limit is reached, the watcher falls
    back to polling and says so in ``warning`` instead of crashing. ``on_batch`` runs on the
    watcher's own thread, one batch at a time: for each burst at most one leading notice, then one
    final batch (see the module's docstring).

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
        self.settle = min(self.debounce, LEADING_SETTLE_MS / 1000)
        self.settle_max = min(self.debounce, LEADING_SETTLE_MAX_MS / 1000)
        self.rules = ignore if isinstance(ignore, IgnoreRules) else IgnoreRules(ignore)
        self.force_polling = force_polling
        self.poll_interval = poll_interval
        self.polling = False
        self.backend = ""  # "inotify", "watchdog" or "polling" once started
        self.warning: str | None = None
        self.on_status = on_status
        self.health_seconds = max(0.05, float(health_seconds))  # 0 would spin
        self.lost = False  # the folder was moved or deleted; nothing is watched until it is back
        self._identity: tuple[int, int] | None = None
        self._limit_reached = False  # a folder created while watching could not get its watch
        self._observer_lock = threading.Lock()
        self._prefix = str(self.root) + os.sep
        self._cond = threading.Condition()
        self._burst = _Burst()
        self._leading_allowed = True  # False while a burst runs on past max_wait: one notice is enough
        self._stopping = False
        self._observer: Any = None  # an InotifyTree or a watchdog observer
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
            if exc.errno not in inotify_tree.LIMIT_ERRNOS:
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
            self._burst.clear()
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

    def update_ignore(self, ignore: Iterable[str] | IgnoreRules) -> None:
        """Use new ignore rules from now on: folders now ignored lose their watches, folders no
        longer ignored are watched (and what they hold is reported as new)."""
        self.rules = ignore if isinstance(ignore, IgnoreRules) else IgnoreRules(ignore)
        observer = self._observer
        if isinstance(observer, inotify_tree.InotifyTree):
            self._note(observer.resync())

    def watched_folders(self) -> list[str] | None:
        """The folders holding a watch (relative, "" the root), or None when the backend does not say."""
        observer = self._observer
        return observer.watched_folders() if isinstance(observer, inotify_tree.InotifyTree) else None

    def _start_observer(self, *, polling: bool) -> Any:
        if not polling and inotify_tree.available():
            self._limit_reached = False
            tree = inotify_tree.InotifyTree(str(self.root), self._tree_ignored, self._note, self._on_limit)
            tree.start()
            self.polling, self.backend = False, "inotify"
            return tree
        if not polling and sys.platform.startswith("linux"):
            # watchdog's inotify observer would place a watch in every folder, ignored ones too,
            # and skip folders past the watch limit without a word: poll instead, and say why.
            self.warning = ("the inotify_simple package is missing, so changes are checked every "
                            f"{self.poll_interval:g} s instead of instantly; reinstall prototype-sandbox")
            log.warning("%s", self.warning)
            polling = True
        from watchdog import events as ev

        if polling:
            from watchdog.observers.polling import PollingObserverVFS

            # Polling re-lists the whole tree every interval: never walk into what is ignored
            # (a node_modules of 20,000 files is why the watch limit was hit in the first place).
            observer: Any = PollingObserverVFS(os.stat, self._poll_listdir, polling_interval=self.poll_interval)
        else:
            from watchdog.observers import Observer

            observer = Observer()
        handler = _Handler(self._on_watchdog)
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
        self.polling, self.backend = polling, "polling" if polling else "watchdog"
        return observer

    def _poll_listdir(self, path: str | None) -> Iterator[os.DirEntry[str]]:
        """``os.scandir`` for the polling observer, leaving out ignored files and folders."""
        with os.scandir(path) as entries:
            for entry in entries:
                if self._relative(entry.path, is_dir=entry.is_dir(follow_symlinks=False)) is not None:
                    yield entry

    def _on_limit(self) -> None:
        """The inotify tree could not watch a new folder: the delivery thread switches to polling."""
        with self._cond:
            self._limit_reached = True
            self._cond.notify()

    # --- events -----------------------------------------------------------------------------
    def _tree_ignored(self, relative: str, is_dir: bool) -> bool:
        return self.rules.ignored(relative, is_dir=is_dir)

    def _relative(self, raw: str | bytes, *, is_dir: bool = False) -> str | None:
        """``raw`` relative to the root (posix), or None when it is outside it or ignored."""
        path = os.fsdecode(raw)
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        return None if self.rules.ignored(rel, is_dir=is_dir) else rel

    def _on_watchdog(self, event: Any) -> None:
        """A watchdog event (its thread) in our terms. Without inotify there is no close-after-write,
        so a "modified" or "created" is as finished as a change gets (FSEvents and polling report
        them after the write); a created file still waits for the settle time like any new file."""
        is_dir = bool(event.is_directory)
        kind = {"created": CREATED, "deleted": DELETED, "closed": CLOSED, "moved": MOVED_FROM,
                "modified": CLOSED}.get(event.event_type)
        if kind is None:
            return
        changes = []
        rel = self._relative(event.src_path, is_dir=is_dir)
        if rel is not None:
            changes.append(RawChange(kind, rel, is_dir))
            if kind == CREATED and not is_dir:
                changes.append(RawChange(CLOSED, rel))  # no later "closed" will say it is complete
        dest = getattr(event, "dest_path", "")
        if dest:
            rel = self._relative(dest, is_dir=is_dir)
            if rel is not None:
                changes.append(RawChange(MOVED_TO, rel, is_dir))
        if changes:
            self._note(changes)

    def _note(self, changes: list[RawChange]) -> None:
        """Add changes (already filtered by the ignore rules) to the burst. Called on the observer's
        thread for every read: keep it cheap."""
        if not changes:
            return
        now = time.monotonic()
        with self._cond:
            if self._stopping:
                return
            burst = self._burst
            if not burst.pending:
                burst.first = now
            for change in changes:
                if change.kind == OVERFLOW:
                    # The kernel lost events: anything may have changed. Every file modified since
                    # the burst began (with a second's margin) is the best guess there is.
                    burst.pending.update(self._recent_files(burst.first))
                    continue
                path = self.root / change.path
                if change.kind == CREATED and path not in burst.pending:
                    # Only a path whose first event in this burst is its creation can be a temporary
                    # file; one that was deleted first and then re-created (and maybe deleted again)
                    # existed before the burst, so its fate is a change to report.
                    burst.born.add(path)
                burst.pending.add(path)
                burst.fresh.add(path)
                if change.kind in _FINISHING and not change.is_dir and not burst.led and self._leading_allowed:
                    settle = path in burst.born
                    if burst.ready_at is None or not settle:
                        burst.ready_at, burst.settle = now, settle
            burst.last = now
            self._cond.notify()

    def _recent_files(self, since: float) -> set[Path]:
        cutoff = time.time() - (time.monotonic() - since) - 1.0
        return {self.root / rel for rel, st in self.rules.walk(self.root).items() if st.st_mtime >= cutoff}

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
        if isinstance(observer, inotify_tree.InotifyTree):
            return observer.alive()
        emitters = getattr(observer, "emitters", ()) if observer is not None else ()
        return all(emitter.is_alive() for emitter in emitters)

    def _check_folder(self) -> None:
        """Called on the delivery thread while idle: notice a lost folder, resume when it is back."""
        if self._stopping:
            return
        if not self.lost:
            if not self.polling and self._limit_reached:
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
        self._limit_reached = False
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

    # --- delivery ---------------------------------------------------------------------------
    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                idle_since = time.monotonic()
                while not self._burst.pending and not self._stopping and not self._limit_reached:
                    if time.monotonic() - idle_since >= self.health_seconds:
                        break
                    self._cond.wait(self.health_seconds)
                if self._stopping:
                    return
                idle = not self._burst.pending
            if idle or (self._limit_reached and not self.polling):
                self._check_folder()
                continue
            batch = self._next_batch()
            if batch is None:
                continue
            if self._current_identity() != self._identity:
                # The folder itself was deleted or moved: these are the echoes of that (every file
                # "deleted"), not edits. Say what happened instead of reporting them one by one.
                self._check_folder()
                continue
            try:
                self.on_batch(batch)
            except Exception:
                log.exception("change batch handler failed")

    def _next_batch(self) -> ChangeBatch | None:
        """Wait for the burst's leading notice or its end; None when there is nothing to deliver yet."""
        with self._cond:
            burst = self._burst
            if self._stop_asked() or not burst.pending:
                return None
            now = time.monotonic()
            final_at = min(burst.last + self.debounce, burst.first + self.max_wait)
            lead_at = None
            if burst.ready_at is not None and not burst.led:
                lead_at = burst.ready_at
                if burst.settle:
                    lead_at = min(burst.last + self.settle, burst.ready_at + self.settle_max)
            if lead_at is not None and lead_at < final_at and now >= lead_at:
                return self._leading(now)
            if now < final_at:
                self._cond.wait(min(final_at, lead_at if lead_at is not None else final_at) - now)
                return None
            # A burst cut short by max_wait goes on: its next part gets no leading notice of its own.
            self._leading_allowed = burst.last + self.debounce <= now
            pending, fresh, born, led = set(burst.pending), set(burst.fresh), set(burst.born), burst.led
            first, last = burst.first, burst.last
            burst.clear()
        # A file created and gone again within one burst is an editor's temporary file with an
        # unpredictable name (sed -i, some editors): not a change anyone can see.
        paths = frozenset(p for p in pending if p not in born or os.path.lexists(p))
        if not paths:
            return None
        told = frozenset(p for p in fresh if p in paths) if led else None
        return ChangeBatch(paths, first, last, final=True, fresh=told)

    def _leading(self, now: float) -> ChangeBatch | None:
        """The leading notice (the condition is held): every path of it must be on disk.

        A missing path (an editor between renaming the original away and writing the new one)
        means the burst's final batch tells instead; temporary files born and gone are left out."""
        burst = self._burst
        burst.ready_at = None
        present = {p: os.path.lexists(p) for p in burst.fresh}
        if not all(there for p, there in present.items() if p not in burst.born):
            return None
        paths = frozenset(p for p, there in present.items() if there)
        if not paths:
            return None
        burst.led = True
        burst.fresh.clear()
        return ChangeBatch(paths, burst.first, burst.last, final=False, fresh=paths)


def _stop_observer(observer: Any) -> None:
    """Stop (and join) an inotify tree or a watchdog observer; never raises (it may have died already)."""
    if observer is None:
        return
    try:
        observer.stop()
        if not isinstance(observer, inotify_tree.InotifyTree):
            observer.join(timeout=5)
    except Exception:
        log.debug("observer did not stop cleanly", exc_info=True)


class _Handler:
    """A minimal watchdog handler: ``dispatch`` is all the observer calls."""

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self._callback = callback

    def dispatch(self, event: Any) -> None:
        self._callback(event)
