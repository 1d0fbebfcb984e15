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
"""

from __future__ import annotations

import errno
import fnmatch
import logging
import os
import re
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_MS = 50
DEFAULT_MAX_WAIT_MS = 2000
POLL_INTERVAL = 0.5

# Folders whose contents never matter to a preview (and can hold tens of thousands of files).
IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".sandbox", "__pycache__", ".venv", ".idea"})
# Editor swap, backup and temporary files, plus our own atomic-write temporaries (".name.XXXX.tmp").
IGNORED_NAMES = (
    "*.swp", "*.swo", "*.swx", "*.swpx", "*~", ".#*", "#*#", "4913", "*.tmp", "*.temp", "*.bak",
    "*___jb_tmp___", "*___jb_old___", "*.crdownload", "*.part", ".DS_Store", "Thumbs.db", "*.pyc",
    ".*.kate-swp", ".goutputstream-*", "*.orig", ".creating-*",
)


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


class IgnoreRules:
    """Decide, quickly, whether a path relative to the watched root is noise.

    A pattern without '/' is matched against every path segment (``*.log`` ignores ``a/b.log``;
    ``build`` ignores everything below any ``build`` folder); a pattern with '/' inside or at the
    start is matched against the whole relative path (``assets/*.psd``, ``/ledger.jsonl`` for that
    file at the root only); a trailing '/' just means "a folder" and is dropped.
    """

    def __init__(self, extra: Iterable[str] = (), *, defaults: bool = True) -> None:
        names: list[str] = list(IGNORED_NAMES) if defaults else []
        self.dirs = set(IGNORED_DIRS) if defaults else set()
        paths: list[str] = []
        for raw in extra:
            text = str(raw).strip()
            pattern = text.strip("/")
            if not pattern:
                continue
            if text.startswith("/") or "/" in pattern:
                paths.append(pattern)
            elif any(ch in pattern for ch in "*?["):
                names.append(pattern)
            else:
                self.dirs.add(pattern)
        self._name_re = re.compile("|".join(fnmatch.translate(n) for n in names)) if names else None
        self._path_re = re.compile("|".join(fnmatch.translate(p) for p in paths)) if paths else None

    def ignored(self, relative: str) -> bool:
        """True when ``relative`` (posix, no leading '/') is inside an ignored folder or matches."""
        if not relative:
            return True
        segments = relative.split("/")
        for segment in segments:
            if segment in self.dirs:
                return True
            if self._name_re is not None and self._name_re.match(segment):
                return True
        return self._path_re is not None and bool(self._path_re.match(relative))


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

    ``ignore`` adds patterns (see IgnoreRules) to the built-in ones. When the operating system's
    watch limit is reached, the watcher falls back to polling and says so in ``warning`` instead of
    crashing. ``on_batch`` runs on the watcher's own thread, one batch at a time.
    """

    def __init__(
        self,
        root: Path,
        on_batch: Callable[[ChangeBatch], None],
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        ignore: Iterable[str] = (),
        *,
        max_wait_ms: int = DEFAULT_MAX_WAIT_MS,
        force_polling: bool = False,
        poll_interval: float = POLL_INTERVAL,
    ) -> None:
        self.root = Path(root).resolve()
        self.on_batch = on_batch
        self.debounce = max(0, int(debounce_ms)) / 1000
        self.max_wait = max(self.debounce, max_wait_ms / 1000)
        self.rules = IgnoreRules(ignore)
        self.force_polling = force_polling
        self.poll_interval = poll_interval
        self.polling = False
        self.warning: str | None = None
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
    def start(self) -> "Watcher":
        """Start observing; returns self. Safe to call once."""
        if self._thread is not None:
            return self
        if not self.root.is_dir():
            from sandbox.errors import SandboxError

            raise SandboxError(f"cannot watch {self.root}: it is not a folder")
        # watchdog warns (harmlessly) when a folder is created and filled faster than it can add
        # its watch; the events still arrive, so keep the user's terminal clean.
        warnings.filterwarnings("ignore", message="Callback with id", category=RuntimeWarning)
        self._stopping = False
        self._thread = threading.Thread(target=self._deliver_loop, name="sandbox-watch", daemon=True)
        self._thread.start()
        try:
            self._observer = self._start_observer(polling=self.force_polling)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EMFILE):
                self.stop()
                raise
            self.warning = _watch_limit_message(exc)
            log.warning("%s", self.warning)
            self._observer = self._start_observer(polling=True)
        return self

    def stop(self) -> None:
        """Stop observing and drop anything not yet delivered. Idempotent, callable from on_batch."""
        observer, self._observer = self._observer, None
        if observer is not None:
            try:
                observer.stop()
                observer.join(timeout=5)
            except Exception:  # noqa: BLE001 - stopping must never raise
                log.debug("observer did not stop cleanly", exc_info=True)
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._born.clear()
            self._cond.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def __enter__(self) -> "Watcher":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start_observer(self, *, polling: bool) -> Any:
        from watchdog import events as ev

        if polling:
            from watchdog.observers.polling import PollingObserver

            observer: Any = PollingObserver(timeout=self.poll_interval)
        else:
            from watchdog.observers import Observer

            observer = Observer()
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
            try:
                observer.stop()
            except Exception:  # noqa: BLE001
                pass
            raise
        self.polling = polling
        return observer

    # --- events -----------------------------------------------------------------------------
    def _relative(self, raw: Any) -> str | None:
        path = os.fsdecode(raw)
        if not path.startswith(self._prefix):
            return None
        rel = path[len(self._prefix):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        return None if self.rules.ignored(rel) else rel

    def _on_raw(self, event: Any) -> None:
        """Called on watchdog's thread for every event: keep it cheap."""
        found = []
        born = None
        rel = self._relative(event.src_path)
        if rel is not None:
            found.append(rel)
            if event.event_type == "created":
                born = rel
        dest = getattr(event, "dest_path", "")
        if dest:
            rel = self._relative(dest)
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
            self._pending.update(self.root / rel for rel in found)
            if born is not None:
                self._born.add(self.root / born)

    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
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
            batch = ChangeBatch(paths, first, last)
            try:
                self.on_batch(batch)
            except Exception:  # noqa: BLE001 - a failing consumer must not kill the watcher
                log.exception("change batch handler failed")


class _Handler:
    """A minimal watchdog handler: ``dispatch`` is all the observer calls."""

    def __init__(self, callback: Callable[[Any], None]) -> None:
        self._callback = callback

    def dispatch(self, event: Any) -> None:
        self._callback(event)
