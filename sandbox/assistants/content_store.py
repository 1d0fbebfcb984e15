"""A variant's stat cache and the text of its files, kept between sessions: git's index and objects.

Why: starting a session used to read and hash every file of the variant and compress all of its
text into a pack, although between two sessions almost nothing changes. Like git's index, the
stat cache (``<variant>.index``) remembers each file's size, mtime and inode with its hash and line
count, so a file whose stat is unchanged is not read again; like git's objects, the text of every
version a session may need to diff against is kept once, by hash, compressed, in one append-only
file (``<variant>.blobs``). A session's pack then only names the hashes of its snapshot's texts.

When timestamps cannot be trusted the cache steps aside, file by file (the racy-git rule): an
entry whose mtime lies within ``window`` of the moment the cache was written vouches for nothing
(a file changed again in that same tick would look unchanged), so that file is read again. The
window is a second on file systems with fine timestamps and twice the granularity on coarse ones
(FAT's 2 s, HFS+'s 1 s), detected from the mtimes themselves; it is measured against the cache
file's own mtime, so a file system whose clock differs from ours (a network share) is judged by
its own clock.

Everything here runs under the variant's lock (``open_state.variant_lock``): one writer at a time.
Unreferenced blobs are dropped when they outweigh the live ones (a rewrite of the blobs file).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.fs import atomic_write, sha256_bytes

if TYPE_CHECKING:
    from sandbox.assistants.snapshot import FileInfo
    from sandbox.core.ignore import Listings

INDEX_SCHEMA = 1
GC_SLACK_BYTES = 1 << 20  # dead blobs are tolerated up to the live size plus this


class ContentStore:
    """The stat cache at ``index`` and the blobs at ``blobs``; ``pinned`` is an open session's pack,
    whose texts must survive a clean-up however the folder changed since."""

    def __init__(self, index: Path, *, pinned: Path | None = None) -> None:
        self.index_path = index
        self.pinned = pinned
        self._loaded: dict[str, Any] | None = None
        self._index_mtime = 0
        self._new: dict[str, bytes] = {}  # sha -> text, not yet written

    # --- reading ------------------------------------------------------------------------------------
    def _index(self) -> dict[str, Any]:
        if self._loaded is None:
            try:
                raw = self.index_path.read_bytes()
                self._index_mtime = self.index_path.stat().st_mtime_ns
                data = json.loads(raw)
            except (OSError, ValueError):
                data = {}
            if not isinstance(data, dict) or data.get("schema") != INDEX_SCHEMA:
                data = {}
            files, blobs = data.get("files"), data.get("blobs")
            name = data.get("blobs_file")
            folders = data.get("folders")
            self._loaded = {
                "folders": folders if isinstance(folders, dict) else {},
                "files": files if isinstance(files, dict) else {},
                "blobs": blobs if isinstance(blobs, dict) else {},
                "window": int(data.get("window") or 0),
                "blobs_file": name if isinstance(name, str) and "/" not in name and name.endswith(".blobs")
                else self.index_path.stem + ".blobs",
            }
        return self._loaded

    @property
    def blobs_path(self) -> Path:
        """Where the blobs are: named by the index, so a clean-up that rewrites them never leaves
        the index pointing into a file it does not describe (even after a crash in between)."""
        return self.index_path.with_name(self._index()["blobs_file"])

    def trusted(self) -> dict[str, FileInfo]:
        """The cached entries whose stat still vouches for their content (racy ones left out)."""
        from sandbox.assistants.snapshot import decode_files

        index = self._index()
        try:
            entries = decode_files(index["files"])
        except (TypeError, ValueError, IndexError):
            return {}
        limit = self._index_mtime - max(index["window"], 0)
        blobs = index["blobs"]
        return {rel: f for rel, f in entries.items() if 0 <= f.mtime_ns < limit and (not f.text or f.sha in blobs)}

    def listings(self) -> Listings:
        """The folder listings kept with the stat cache (``ignore.Listings``), trusted as its entries are."""
        from sandbox.core.ignore import Listings

        index = self._index()
        folders = index["folders"]
        return Listings(folders.get("listings"), folders.get("rules"), self._index_mtime - max(index["window"], 0))

    def text(self, sha: str) -> bytes | None:
        """The text kept under ``sha``, or None when it is not (or no longer) kept."""
        if sha in self._new:
            return self._new[sha]
        where = self._index()["blobs"].get(sha)
        if not isinstance(where, list) or len(where) != 2:
            return None
        offset, length = int(where[0]), int(where[1])
        try:
            with self.blobs_path.open("rb") as handle:
                handle.seek(offset)
                data = zlib.decompress(handle.read(length))
        except (OSError, zlib.error):
            return None
        return data if sha256_bytes(data) == sha else None  # damaged: lines are then estimated

    def has(self, sha: str) -> bool:
        return sha in self._new or sha in self._index()["blobs"]

    # --- writing ------------------------------------------------------------------------------------
    def add(self, sha: str, data: bytes) -> None:
        """Keep ``data`` under ``sha`` (written by ``save``); a text kept already costs nothing."""
        if not self.has(sha):
            self._new[sha] = data

    def save(self, files: Mapping[str, FileInfo], *, window: int, listings: Listings | None = None) -> None:
        """Make ``files`` the stat cache (and ``listings`` its folders'), write the new blobs, and
        drop the blobs nobody needs."""
        from sandbox.assistants.snapshot import encode_files

        index = self._index()
        blobs: dict[str, list[int]] = dict(index["blobs"])
        if self._new:
            self.blobs_path.parent.mkdir(parents=True, exist_ok=True)
            with self.blobs_path.open("ab") as handle:
                offset = handle.seek(0, os.SEEK_END)
                for sha, data in self._new.items():
                    packed = zlib.compress(data, 1)
                    handle.write(packed)
                    blobs[sha] = [offset, len(packed)]
                    offset += len(packed)
            self._new.clear()
        live = {f.sha for f in files.values() if f.text} | set(self._pinned())
        blobs = {sha: where for sha, where in blobs.items() if sha in live}
        old_file = self.blobs_path
        blobs, blobs_file = self._collect(blobs)
        folders = {"rules": listings.key, "listings": _settled(listings.fresh, window)} if listings else {}
        index_data = {"schema": INDEX_SCHEMA, "window": window, "files": encode_files(files), "blobs": blobs,
                      "blobs_file": blobs_file.name, "folders": folders}
        atomic_write(self.index_path, json.dumps(index_data, separators=(",", ":")).encode("utf-8"), fsync=False)
        if blobs_file != old_file:
            with contextlib.suppress(FileNotFoundError):
                old_file.unlink()
        self._loaded = None  # read again (with the new file's mtime) when asked

    def _pinned(self) -> Iterator[str]:
        if self.pinned is None:
            return iter(())
        from sandbox.assistants.snapshot import pack_hashes

        return iter(pack_hashes(self.pinned))

    def _collect(self, blobs: dict[str, list[int]]) -> tuple[dict[str, list[int]], Path]:
        """Copy the live blobs into a new file once the dead ones outweigh them: (blobs, their file)."""
        path = self.blobs_path
        try:
            size = path.stat().st_size
        except OSError:
            return {}, path
        live_bytes = sum(length for _, length in blobs.values())
        if size <= 2 * live_bytes + GC_SLACK_BYTES:
            return blobs, path
        fresh: dict[str, list[int]] = {}
        parts: list[bytes] = []
        offset = 0
        with path.open("rb") as handle:
            for sha, (start, length) in sorted(blobs.items(), key=lambda item: item[1][0]):
                handle.seek(start)
                chunk = handle.read(length)
                parts.append(chunk)
                fresh[sha] = [offset, len(chunk)]
                offset += len(chunk)
        generation = self.index_path.stem + f".{os.getpid()}-{time.time_ns()}.blobs"
        target = path.with_name(generation)
        atomic_write(target, b"".join(parts), fsync=False)
        return fresh, target


def _settled(listings: Mapping[str, object], window: int) -> dict[str, object]:
    """The listings to keep: a folder changed within ``window`` of now is kept with mtime -1, so it
    vouches for nothing (it is listed again, and kept for real once it has settled)."""
    racy = time.time_ns() - max(window, 0)
    settled: dict[str, object] = {}
    for folder, kept in listings.items():
        if isinstance(kept, list) and kept and isinstance(kept[0], int) and kept[0] >= racy:
            kept = [-1, *kept[1:]]
        settled[folder] = kept
    return settled


class StoredTexts(Mapping[str, bytes]):
    """A session's pack read lazily: path -> text, each fetched from the store when asked for."""

    def __init__(self, hashes: Mapping[str, str], store: ContentStore) -> None:
        self._hashes = hashes
        self._store = store
        self._read: dict[str, bytes | None] = {}

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self._read:
            self._read[rel] = self._store.text(self._hashes[rel])
        data = self._read[rel]
        if data is None:
            raise KeyError(rel)  # lost or damaged: the caller estimates from line counts
        return data

    def __contains__(self, rel: object) -> bool:
        if not isinstance(rel, str) or rel not in self._hashes:
            return False
        try:
            self[rel]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)

