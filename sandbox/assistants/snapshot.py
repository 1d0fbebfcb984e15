"""Snapshots of a variant folder and what changed since one: files added, changed, deleted, lines.

Why snapshots and not only a watcher: a designer may start a session, close the laptop and end it
the next day, with no process running in between. So a session records the folder's state (path ->
sha256, line count, size, mtime) plus a compressed copy of its text files (the *pack*, needed to
count lines added and removed), and its end compares the folder with them.

Comparing is fast because only files whose (size, mtime_ns, inode) changed since the snapshot are
hashed again (files modified within the racy window of the snapshot, as in git, are always
re-hashed: ``racy_window`` says how long it is for the folder's timestamps). Starting is fast for
the same reason: the variant's ``ContentStore`` (``sandbox.assistants.content_store``) keeps the
last snapshot and the text of each version between sessions, so only what changed since is read.
What is noise (``.git``, ``node_modules``, editor swap files, ...) is decided by the one ignore
policy, ``sandbox.core.ignore``, that the watcher uses too.
"""

from __future__ import annotations

import json
import os
import struct
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.fs import atomic_write, sha256_bytes, sha256_file
from sandbox.core.ignore import IgnoreRules

if TYPE_CHECKING:
    from sandbox.assistants.content_store import ContentStore

STORED_PACK_SCHEMA = 2  # a pack that names its texts by hash (``write_stored_pack``)
MAX_TEXT_BYTES = 1 << 20  # larger files are hashed but their lines are not counted
RACY_NS = 1_000_000_000  # a file modified this close to the snapshot is re-hashed at the end
EXACT_DIFF_LIMIT = 4_000_000  # old lines x new lines up to which lines are diffed exactly


@dataclass(slots=True)
class FileInfo:
    """What a snapshot knows about one file; ``mtime_ns`` is -1 for a racy file (always re-hashed).
    ``ino`` is the inode (0 when unknown: a state written before it was kept)."""

    sha: str
    lines: int
    size: int
    mtime_ns: int
    text: bool
    ino: int = 0

    def vouches_for(self, st: os.stat_result) -> bool:
        """True when ``st`` shows the very file this entry describes, unchanged (no need to read it)."""
        return (self.mtime_ns >= 0 and self.mtime_ns == st.st_mtime_ns and self.size == st.st_size
                and self.ino in (0, st.st_ino))


def racy_window(stats: Iterable[os.stat_result]) -> int:
    """How close to a snapshot (ns) a file's mtime must be for the mtime to prove nothing.

    A second where timestamps are fine; twice the granularity where every mtime is a whole
    second (HFS+, some network shares) or a whole two seconds (FAT), since a file changed again
    within the same tick keeps its mtime."""
    coarse_1s = coarse_2s = seen = False
    for st in stats:
        if not seen:
            coarse_1s = coarse_2s = seen = True
        ns = st.st_mtime_ns
        coarse_1s = coarse_1s and ns % 1_000_000_000 == 0
        coarse_2s = coarse_2s and ns % 2_000_000_000 == 0
        if not coarse_1s:
            break
    if coarse_2s:
        return 4 * RACY_NS
    return 2 * RACY_NS if coarse_1s else RACY_NS


def is_text(data: bytes) -> bool:
    """Small enough to count lines in, and no NUL byte near the start (so not an image or a font)."""
    return len(data) <= MAX_TEXT_BYTES and b"\0" not in data[:8192]


def count_lines(data: bytes) -> int:
    """Lines as an editor shows them: a last line without a newline still counts."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def read_file(path: Path) -> bytes | None:
    """The file's bytes, or None when it is gone (or is a folder, or cannot be read)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def take_snapshot(
    root: Path,
    rules: IgnoreRules,
    *,
    base: str = "",
    previous: Mapping[str, FileInfo] | None = None,
    keep: dict[str, bytes] | None = None,
    store: ContentStore | None = None,
) -> dict[str, FileInfo]:
    """Hash every file of ``root`` that ``rules`` do not ignore; reuse the entries of ``previous`` (or,
    without it, of ``store``'s stat cache) whose size, mtime and inode are unchanged.

    ``base`` is where ``root`` sits relative to the rules' folder (see ``IgnoreRules.walk``).
    ``keep``, when given, receives the bytes of every text file that was read (for a pack).
    ``store``, when given, keeps the text of every file read and becomes this snapshot's stat cache.
    """
    now = time.time_ns()
    listings = store.listings() if store is not None else None
    found = rules.walk(root, base=base, listings=listings)
    window = racy_window(found.values())
    reference: Mapping[str, FileInfo] = previous if previous is not None else store.trusted() if store else {}
    snapshot: dict[str, FileInfo] = {}
    prefix = f"{root}{os.sep}"
    read_any = False
    for rel, st in found.items():
        old = reference.get(rel)
        if old is not None and old.vouches_for(st):
            snapshot[rel] = old
            continue
        read_any = True
        mtime = st.st_mtime_ns if st.st_mtime_ns < now - window else -1
        if st.st_size > MAX_TEXT_BYTES:  # a big asset: hash it in chunks, never hold it in memory
            digest = sha256_file(root / rel)
            if digest is not None:
                snapshot[rel] = FileInfo(digest, 0, st.st_size, mtime, False, st.st_ino)
            continue
        data = _read(prefix + rel)
        if data is None:
            continue
        text = is_text(data)
        info = FileInfo(sha256_bytes(data), count_lines(data) if text else 0, len(data), mtime, text, st.st_ino)
        snapshot[rel] = info
        if text:
            if keep is not None:
                keep[rel] = data
            if store is not None:
                store.add(info.sha, data)
    if store is not None and (read_any or len(snapshot) != len(reference) or (previous is None and not reference)
                              or (listings is not None and listings.changed())):
        store.save(snapshot, window=window, listings=listings)
    return snapshot


def _read(path: str) -> bytes | None:
    """``read_file`` for a path string, without building a Path (this runs for every new file)."""
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 - a str path on purpose, see above
            return handle.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def encode_files(files: Mapping[str, FileInfo]) -> dict[str, list[Any]]:
    """A compact JSON form of a snapshot: path -> [sha, lines, size, mtime_ns, text, inode]."""
    return {rel: [f.sha, f.lines, f.size, f.mtime_ns, int(f.text), f.ino] for rel, f in files.items()}


def decode_files(data: Mapping[str, list[Any]]) -> dict[str, FileInfo]:
    """The snapshot back from ``encode_files``'s form (an older state has no inode: 0)."""
    return {rel: FileInfo(str(v[0]), int(v[1]), int(v[2]), int(v[3]), bool(v[4]), int(v[5]) if len(v) > 5 else 0)
            for rel, v in data.items()}


def write_pack(path: Path, contents: Mapping[str, bytes]) -> None:
    """One compressed file holding the text files' bytes: a JSON index then the bytes, in order."""
    index = json.dumps([[rel, len(data)] for rel, data in contents.items()]).encode("utf-8")
    body = struct.pack(">I", len(index)) + index + b"".join(contents.values())
    atomic_write(path, zlib.compress(body, 1), fsync=False)


def write_stored_pack(path: Path, files: Mapping[str, FileInfo], store: ContentStore) -> None:
    """A session's pack that names its texts by hash: their bytes are in ``store`` already."""
    texts = {rel: f.sha for rel, f in files.items() if f.text}
    body = {"schema": STORED_PACK_SCHEMA, "store": store.index_path.name, "texts": texts}
    atomic_write(path, json.dumps(body, separators=(",", ":")).encode("utf-8"), fsync=False)


def _stored_pack(path: Path) -> dict[str, Any] | None:
    """The JSON of a pack written by ``write_stored_pack``, or None (another format, or missing)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(b"{"):
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("schema") != STORED_PACK_SCHEMA:
        return None
    if not isinstance(body.get("texts"), dict):
        return None
    return body


def pack_hashes(path: Path) -> set[str]:
    """The hashes a stored pack needs kept (none for a missing or self-contained pack)."""
    body = _stored_pack(path)
    return {str(sha) for sha in body["texts"].values()} if body else set()


def read_pack(path: Path) -> Mapping[str, bytes]:
    """The text files' bytes kept by ``write_pack`` or ``write_stored_pack`` (read lazily from the
    store); {} when the pack is missing or damaged."""
    stored = _stored_pack(path)
    if stored is not None:
        from sandbox.assistants.content_store import ContentStore, StoredTexts

        name = str(stored.get("store") or "")
        if not name or "/" in name or "\\" in name:
            return {}
        return StoredTexts({str(k): str(v) for k, v in stored["texts"].items()}, ContentStore(path.with_name(name)))
    try:
        body = zlib.decompress(path.read_bytes())
        (length,) = struct.unpack(">I", body[:4])
        index = json.loads(body[4 : 4 + length])
    except (FileNotFoundError, zlib.error, struct.error, ValueError):
        return {}  # lines of changed files are then estimated from line counts
    contents: dict[str, bytes] = {}
    offset = 4 + length
    for rel, size in index:
        contents[rel] = body[offset : offset + size]
        offset += size
    return contents


def line_delta(old: bytes | None, new: bytes | None) -> tuple[int, int]:
    """(lines added, lines removed) between two versions of a text file, like ``git diff --numstat``."""
    a = old.splitlines() if old else []
    b = new.splitlines() if new else []
    if not a or not b:
        return len(b), len(a)
    if len(a) * len(b) <= EXACT_DIFF_LIMIT:
        import difflib

        added = removed = 0
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                removed += i2 - i1
                added += j2 - j1
        return added, removed
    ca, cb = Counter(a), Counter(b)  # very large files: lines that appear more or fewer times
    return sum((cb - ca).values()), sum((ca - cb).values())


def estimated_delta(old_lines: int, new_lines: int) -> tuple[int, int]:
    """(added, removed) from line counts alone, when the old text was not kept."""
    return max(0, new_lines - old_lines), max(0, old_lines - new_lines)


@dataclass
class Diff:
    """What changed in a folder between a snapshot and now (paths relative to the folder)."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    lines_added: int = 0
    lines_removed: int = 0

    @property
    def files(self) -> list[str]:
        return sorted(self.added + self.changed + self.deleted)

    def fields(self) -> dict[str, Any]:
        """The ledger fields of a ``session_ended`` or ``run`` event."""
        return {
            "files_added": self.added,
            "files_changed": self.changed,
            "files_deleted": self.deleted,
            "lines_added": self.lines_added,
            "lines_removed": self.lines_removed,
        }


def compare(
    root: Path,
    before: Mapping[str, FileInfo],
    now: Mapping[str, FileInfo],
    *,
    rendered: Mapping[str, str],
    pack: Callable[[], Mapping[str, bytes]],
) -> Diff:
    """The difference between snapshot ``before`` and snapshot ``now`` of ``root``.

    A file whose new content is what the sandbox's own re-render wrote (``rendered``: path ->
    sha256 of the render manifest) is not counted: the sandbox did it, not whoever worked here.
    ``pack`` gives the old text files' bytes; it is only read when a text file changed.
    """
    diff = Diff()
    old_texts: Mapping[str, bytes] | None = None
    for rel in sorted(set(before) | set(now)):
        old, new = before.get(rel), now.get(rel)
        if old is not None and new is not None and old.sha == new.sha:
            continue
        if new is not None and rendered.get(rel) == new.sha and (old is None or rendered.get(rel) != old.sha):
            continue  # the sandbox's own re-render wrote it, not the assistant
        if old is None:
            diff.added.append(rel)
            diff.lines_added += new.lines if new else 0
        elif new is None:
            diff.deleted.append(rel)
            diff.lines_removed += old.lines
        else:
            diff.changed.append(rel)
            if not (old.text and new.text):
                continue
            if old_texts is None:
                old_texts = pack()
            current = read_file(root / rel)
            if rel in old_texts and current is not None:
                added, removed = line_delta(old_texts[rel], current)
            else:
                added, removed = estimated_delta(old.lines, new.lines)
            diff.lines_added += added
            diff.lines_removed += removed
    return diff
