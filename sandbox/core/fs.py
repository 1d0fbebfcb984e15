"""Small file-system helpers shared by the core: bounded reads, atomic writes, hashes, disk errors.

Why bounded reads: the files the sandbox reads (specs, templates, ledgers) arrive from other
people, and a name can hold a pipe, a device or a link to ``/dev/zero``. ``read_regular`` opens
without blocking, refuses anything but a regular file and never reads more than its limit, so such
a file is one clear error instead of a hang or an exhausted memory.

Why ``disk_error``: a full disk, a read-only folder or a missing permission is not a bug in the
sandbox, and a person should read one plain line ("the disk is full; nothing was written"), not
an internal error.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from sandbox.core.errors import DiskError, SandboxError

# Every errno that means "the disk or its permissions refused", with the words a person reads.
_DISK_REFUSALS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """Hash of the file's bytes, or None when it does not exist or is not a regular file.

    Opened without blocking and checked before reading: a pipe someone left under a variant's file
    name must not stop a render forever.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    finally:
        os.close(fd)


def read_regular(path: Path, limit: int, error_type: type[SandboxError], *, what: str = "file") -> bytes:
    """The bytes of the regular file at ``path`` (links followed), at most ``limit`` of them.

    Refused with ``error_type`` naming the file: a missing file, a folder, a pipe or device, a file
    over ``limit`` bytes (checked before reading, and again while reading, for a file that grows),
    and a file that cannot be read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise error_type(f"{what} not found", path=path) from None
    except IsADirectoryError:
        raise error_type(f"is a folder; a {what} is expected here", path=path) from None
    except OSError as exc:
        raise error_type(f"cannot be read: {exc.strerror or exc}", path=path) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error_type(f"is a folder; a {what} is expected here", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise error_type(
                "is not a regular file (a pipe, socket or device); only plain files are read", path=path
            )
        if info.st_size > limit:
            raise error_type(f"is {_size(info.st_size)}; files over {_size(limit)} are refused", path=path)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise error_type(f"is over {_size(limit)} (it grew while being read); refused", path=path)
        return b"".join(chunks)
    except OSError as exc:
        raise error_type(f"cannot be read: {exc.strerror or exc}", path=path) from None
    finally:
        os.close(fd)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.1f} MiB".replace(".0 MiB", " MiB")
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"


def disk_error(exc: OSError, *, outcome: str = "nothing was written", path: Path | None = None) -> DiskError | None:
    """The one-line error for a full, read-only or forbidden disk, or None for any other OSError.

    ``outcome`` says what state the operation left behind, in the caller's words.
    """
    reason = _DISK_REFUSALS.get(exc.errno or 0)
    if reason is None:
        return None
    where = path if path is not None else (Path(exc.filename) if isinstance(exc.filename, str) else None)
    if exc.errno in (errno.EACCES, errno.EPERM) and where is not None:
        reason = "permission denied (check who may write to this folder)"
    return DiskError(f"{reason}; {outcome}", path=where)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once at import (os.umask can only be read by setting it, which is not thread-safe later).
_UMASK = _current_umask()
TEMP_SUFFIX = ".tmp"


def temporary_names(path: Path) -> list[Path]:
    """The temporary files ``atomic_write(path, ...)`` may have left beside ``path`` when it was killed."""
    prefix = f".{path.name}."
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    return [
        entry
        for entry in entries
        if entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)
        and len(entry.name) == len(prefix) + 8 + len(TEMP_SUFFIX)  # mkstemp's eight random characters
    ]


def atomic_write(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A reader (the preview server, an editor, the watcher) sees either the old file or the new one,
    never half of it, and a crash leaves the old file intact (and at worst a ``.<name>.XXXXXXXX.tmp``
    beside it, which ``temporary_names`` finds for the next command to remove).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        # mkstemp makes owner-only files; keep the file's mode, or give a new one the usual mode,
        # so teammates sharing the folder can still read what the sandbox wrote.
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))
