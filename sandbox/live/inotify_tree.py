"""Watch a folder tree on Linux with one inotify watch per folder that is not ignored.

Why not watchdog's recursive inotify observer: it places a watch in every folder, ignored or not,
so 20,000 files unpacked into ``node_modules/`` cost 1.4 s of CPU in our process even though
every one of their events is thrown away afterwards; watchfiles (Rust ``notify``) does the same
(0.7 s) and adds its own batching delay (12 ms per event). Watching folder by folder and never
entering an ignored one makes that storm cost 0.02 s (``benchmarks/watchers.py`` measures all
three in one run). The kernel interface is reached through ``inotify_simple`` (a thin, well-kept
wrapper of the three system calls); the strategy on top of it is ours:

- a folder that appears is watched at once and listed, so files created in it before its watch
  existed are still reported; an ignored folder is never watched, however it appears;
- a folder moved away or deleted loses the watches of its whole sub-tree (so a folder renamed to
  an ignored name, or moved out, costs nothing afterwards); moved back in, it is watched again;
- ``resync()`` re-applies the ignore rules to the watches in place (the rules changed): folders now
  ignored lose their watches, folders no longer ignored get theirs;
- the kernel's queue overflowing (events were lost) is reported as ``OVERFLOW``: the caller
  decides what "everything may have changed" means, and the watches are made whole again.

Events go to ``on_changes`` as a list per read of the kernel queue (one save is 3-4 events that
arrive together), on the tree's own thread. Only events that can change what a browser shows are
asked for: no opens, reads, closes without a write, or attribute changes.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inotify_simple import INotify

log = logging.getLogger(__name__)

# Event kinds, shared with the watcher.
CREATED = "created"
MODIFIED = "modified"  # written, but maybe not finished (the writer still has it open)
CLOSED = "closed"  # written and closed: the file is complete
DELETED = "deleted"
MOVED_FROM = "moved_from"
MOVED_TO = "moved_to"
OVERFLOW = "overflow"  # the kernel dropped events: anything may have changed

# inotify(7) bits, spelled out so the mask reads as what we ask for.
IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_EXCL_UNLINK = 0x04000000
IN_ISDIR = 0x40000000

WATCH_MASK = (
    IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF
    | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK
)
_KINDS = ((IN_CLOSE_WRITE, CLOSED), (IN_MOVED_TO, MOVED_TO), (IN_CREATE, CREATED), (IN_MODIFY, MODIFIED),
          (IN_DELETE, DELETED), (IN_MOVED_FROM, MOVED_FROM))
LIMIT_ERRNOS = (errno.ENOSPC, errno.EMFILE)  # out of watches / out of inotify instances


@dataclass(frozen=True, slots=True)
class RawChange:
    """One thing that happened to ``path`` (posix, relative to the watched root)."""

    kind: str
    path: str
    is_dir: bool = False


def available() -> bool:
    """True where this strategy can run: Linux with ``inotify_simple`` installed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import inotify_simple  # noqa: F401 - only asking whether it is there
    except ImportError:
        return False
    return True


class WatchLimitError(OSError):
    """The kernel refused a watch or an instance (``fs.inotify.max_user_watches``/``instances``)."""


class InotifyTree:
    """Watch every folder under ``root`` that ``ignored(relative, is_dir)`` does not exclude.

    ``start()`` raises ``WatchLimitError`` when even the initial folders cannot all be watched
    (half-watching is worse than polling everything: the caller polls instead). A limit hit later,
    for a folder created while watching, calls ``on_limit()`` once and leaves that folder unwatched.
    """

    def __init__(
        self,
        root: str,
        ignored: Callable[[str, bool], bool],
        on_changes: Callable[[list[RawChange]], None],
        on_limit: Callable[[], None] | None = None,
    ) -> None:
        self.root = root
        self._ignored = ignored
        self._on_changes = on_changes
        self._on_limit = on_limit
        self._lock = threading.RLock()  # the maps below: the reader thread and resync() share them
        self._folders: dict[int, str] = {}  # watch descriptor -> folder (relative, "" for the root)
        self._watches: dict[str, int] = {}  # folder -> watch descriptor
        self._inotify: INotify | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None  # a pipe that ends the reader's wait on stop()
        self._stopping = False
        self.limit_hit = False

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> InotifyTree:
        from inotify_simple import INotify

        try:
            self._inotify = INotify()
        except OSError as exc:
            if exc.errno in LIMIT_ERRNOS:
                raise WatchLimitError(exc.errno, exc.strerror) from None
            raise
        try:
            self._add_tree("", report=False, strict=True)
        except BaseException:
            self._close()
            raise
        self._wake = os.pipe()
        self._thread = threading.Thread(target=self._read_loop, name="sandbox-inotify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop reading and release every watch (closing the instance does). Idempotent."""
        self._stopping = True
        if self._wake is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake[1], b"x")
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._close()

    def _close(self) -> None:
        inotify, self._inotify = self._inotify, None
        if inotify is not None:
            with contextlib.suppress(OSError):
                inotify.close()
        wake, self._wake = self._wake, None
        for fd in wake or ():
            with contextlib.suppress(OSError):
                os.close(fd)
        with self._lock:
            self._folders.clear()
            self._watches.clear()

    def _stop_asked(self) -> bool:
        """``_stopping`` read afresh: ``stop()`` sets it from another thread while we wait."""
        return self._stopping

    def alive(self) -> bool:
        """True while the reader thread runs (it ends only on stop() or an unexpected error)."""
        return self._thread is not None and self._thread.is_alive()

    def watched_folders(self) -> list[str]:
        """The folders watched right now, relative and sorted ("" is the root)."""
        with self._lock:
            return sorted(self._watches)

    # --- watches -------------------------------------------------------------------------------------
    def _join(self, folder: str, name: str) -> str:
        return f"{folder}/{name}" if folder else name

    def _path(self, folder: str) -> str:
        """The absolute path of a relative folder (strings, not Path: this runs for every folder)."""
        return f"{self.root}/{folder}" if folder else self.root

    def _add_watch(self, folder: str, *, strict: bool) -> bool:
        """Watch ``folder``; False when it is gone or unreadable. Raises WatchLimitError if ``strict``."""
        inotify = self._inotify
        if inotify is None:
            return False
        path = self._path(folder)
        try:
            wd = int(inotify.add_watch(path, WATCH_MASK))
        except OSError as exc:
            if exc.errno in LIMIT_ERRNOS:
                if strict:
                    raise WatchLimitError(exc.errno, exc.strerror) from None
                self._limit()
            elif not folder:
                raise  # the root itself: the caller says why it cannot watch
            return False  # gone already (ENOENT, ENOTDIR) or not ours to read (EACCES)
        with self._lock:
            old = self._folders.get(wd)
            if old is not None and old != folder:
                self._watches.pop(old, None)  # the same folder under a new name (moved back in)
            self._folders[wd] = folder
            self._watches[folder] = wd
        return True

    def _limit(self) -> None:
        if not self.limit_hit:
            self.limit_hit = True
            if self._on_limit is not None:
                self._on_limit()

    def _add_tree(self, top: str, *, report: bool, strict: bool = False) -> list[RawChange]:
        """Watch ``top`` and every folder below it that is not ignored, listing each once.

        Each folder is watched before it is listed, so a file created in between is seen twice
        rather than not at all. With ``report``, what the listing finds is returned as created:
        the folder appeared while we watched, and its contents may predate its watch.
        """
        found: list[RawChange] = []
        stack = [top]
        while stack:
            folder = stack.pop()
            if not self._add_watch(folder, strict=strict):
                continue
            path = self._path(folder)
            try:
                entries = list(os.scandir(path))
            except OSError:
                continue
            for entry in entries:
                rel = self._join(folder, entry.name)
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if self._ignored(rel, is_dir):
                    continue
                if is_dir:
                    stack.append(rel)
                if report:
                    found.append(RawChange(CREATED, rel, is_dir))
        return found

    def _drop_tree(self, top: str) -> None:
        """Forget (and release) the watches of ``top`` and everything below it."""
        prefix = top + "/"
        inotify = self._inotify
        with self._lock:
            doomed = [(f, wd) for f, wd in self._watches.items() if f == top or f.startswith(prefix)]
            for folder, wd in doomed:
                del self._watches[folder]
                self._folders.pop(wd, None)
        for _, wd in doomed:
            if inotify is not None:
                with contextlib.suppress(OSError):  # EINVAL: the kernel released it already (deleted)
                    inotify.rm_watch(wd)

    def resync(self) -> list[RawChange]:
        """Make the watches match the ignore rules again; returns the folders newly watched, as created."""
        with self._lock:
            watched = list(self._watches)
        for folder in watched:
            if folder and self._ignored(folder, True):
                self._drop_tree(folder)
        found: list[RawChange] = []
        stack = [""]
        while stack:  # find folders that are not ignored (any more) and not watched
            folder = stack.pop()
            path = self._path(folder)
            try:
                entries = [e for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue
            for entry in entries:
                rel = self._join(folder, entry.name)
                if self._ignored(rel, True):
                    continue
                with self._lock:
                    known = rel in self._watches
                if known:
                    stack.append(rel)
                else:
                    found.append(RawChange(CREATED, rel, True))
                    found += self._add_tree(rel, report=True)
        return found

    # --- events --------------------------------------------------------------------------------------
    def _read_loop(self) -> None:
        from inotify_simple import parse_events

        inotify, wake = self._inotify, self._wake
        if inotify is None or wake is None:
            return
        poller = select.poll()
        poller.register(inotify.fileno(), select.POLLIN)
        poller.register(wake[0], select.POLLIN)
        fd = inotify.fileno()
        try:
            while not self._stopping:
                ready = poller.poll()
                if self._stop_asked():
                    return
                if not any(ready_fd == fd for ready_fd, _ in ready):
                    continue
                try:
                    data = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                changes = self._translate(parse_events(data))
                if changes:
                    try:
                        self._on_changes(changes)
                    except Exception:
                        log.exception("inotify change handler failed")
        except OSError:
            if not self._stopping:
                log.warning("inotify stopped reading %s", self.root, exc_info=True)

    def _translate(self, events: list[tuple[int, int, int, str]]) -> list[RawChange]:
        changes: list[RawChange] = []
        for wd, mask, _cookie, name in events:
            if mask & IN_Q_OVERFLOW:
                changes.append(RawChange(OVERFLOW, "", True))
                changes += self.resync()
                continue
            with self._lock:
                folder = self._folders.get(wd)
                if mask & IN_IGNORED and folder is not None:
                    self._folders.pop(wd, None)
                    if self._watches.get(folder) == wd:
                        del self._watches[folder]
            if folder is None or not name:
                continue  # a released watch, or an event about a watched folder itself (its parent tells)
            rel = self._join(folder, name)
            is_dir = bool(mask & IN_ISDIR)
            if self._ignored(rel, is_dir):
                continue
            kind = next((k for bit, k in _KINDS if mask & bit), None)
            if kind is None:
                continue
            if is_dir and kind in (DELETED, MOVED_FROM):
                self._drop_tree(rel)
            changes.append(RawChange(kind, rel, is_dir))
            if is_dir and kind in (CREATED, MOVED_TO):
                changes += self._add_tree(rel, report=True)
        return changes
