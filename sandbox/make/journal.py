"""A re-render that is killed half-way leaves no false conflicts and no temporary files behind.

The manifest (``.sandbox/manifest.json``) holds the hash of every file as the last render wrote
it; a file whose hash differs is someone's edit and is never overwritten. Written only at the end,
a killed render left files on disk that the manifest did not know, and every later render called
them edits. So before a render replaces a file it appends ``{variant, path, sha256}`` to
``.sandbox/render.journal``; the next render replays the journal first: an entry whose file holds
exactly that hash landed, and the manifest learns it; any other entry did not land and changes
nothing. The same replay removes the temporary files (``.<name>.XXXXXXXX.tmp``) the killed
render's atomic writes left beside those paths, and half-built variant folders.

Renders of one project take turns (``render_lock``), so a replay never runs beside a live render.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sandbox.core.fs import sha256_file, temporary_names
from sandbox.make.paths import containment_problem

JOURNAL_FILE = "render.journal"
LOCK_FILE = "render.lock"


@contextlib.contextmanager
def render_lock(state_dir: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the project's render lock (an ``flock``: released by the kernel if the holder dies).

    Yields True when held; with ``wait=False`` it yields False at once if another process holds it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: renders of one project do not overlap in practice
        yield True
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


class Journal:
    """The render's intentions, appended before each file it replaces (opened on first use)."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / JOURNAL_FILE
        self._fd: int | None = None

    def note(self, variant: str, relative: str, sha256: str | None) -> None:
        """``variant/relative`` is about to hold ``sha256`` (None: a file the manifest does not track)."""
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        line = json.dumps({"variant": variant, "path": relative, "sha256": sha256}, ensure_ascii=False) + "\n"
        os.write(self._fd, line.encode("utf-8", "replace"))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def finish(self) -> None:
        """The manifest now holds everything: forget the journal."""
        self.close()
        self.path.unlink(missing_ok=True)


def recover(state_dir: Path, variants_dir: Path, manifest: dict[str, Any]) -> bool:
    """Replay a killed render's journal into ``manifest`` and remove what it left half-done.

    Returns True when ``manifest`` changed (the caller writes it). Call under ``render_lock``.
    """
    for leftover in temporary_names(state_dir / "manifest.json"):
        leftover.unlink(missing_ok=True)
    _remove_half_built(variants_dir)
    journal = state_dir / JOURNAL_FILE
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        return False
    changed = False
    states: dict[str, Any] = manifest.setdefault("variants", {})
    for variant, relative, sha256 in _entries(raw):
        target = variants_dir / variant / relative
        for leftover in temporary_names(target):
            leftover.unlink(missing_ok=True)
        if sha256 is None or sha256_file(target) != sha256:
            continue  # a conflict copy, or a write that never landed: nothing to learn
        files = states.setdefault(variant, {}).setdefault("files", {})
        if isinstance(files, dict) and files.get(relative) != sha256:
            files[relative] = sha256
            changed = True
    journal.unlink(missing_ok=True)
    return changed


def _entries(raw: bytes) -> Iterator[tuple[str, str, str | None]]:
    """The well-formed entries (a torn last line, or anything pointing outside a variant, is skipped)."""
    for line in raw.split(b"\n"):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        variant, relative, sha256 = entry.get("variant"), entry.get("path"), entry.get("sha256")
        if not isinstance(variant, str) or not isinstance(relative, str) or containment_problem(relative):
            continue
        if "/" in variant or containment_problem(variant) or not (sha256 is None or isinstance(sha256, str)):
            continue
        yield variant, relative, sha256


def _remove_half_built(variants_dir: Path) -> None:
    """Hidden build folders of new variants (``.creating-*``): under the lock, nobody is building one."""
    try:
        entries = list(os.scandir(variants_dir))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".creating-") and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
