"""A real, tiny disk for tests of full and read-only disks: a tmpfs mounted for the test.

Mounting needs root (CI runs as root); on a laptop without it the tests that need a real disk are
skipped, in CI they fail, like every other test that needs a tool.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def tiny_disk(where: Path, size_kb: int = 512) -> Iterator[Path]:
    """A tmpfs of ``size_kb`` mounted at ``where`` for the duration of the block."""
    where.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        _unavailable("mounting a tmpfs needs root and mount(8)")
    done = subprocess.run([mount, "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        _unavailable(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI runs as root on a machine that can)")
    pytest.skip(why)


def fill(disk: Path, name: str = "filler") -> Path:
    """Write to ``disk`` until it is full; returns the filler file (delete it to make room again)."""
    filler = disk / name
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            try:
                os.write(fd, b"\0" * 4096)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    finally:
        os.close(fd)
    return filler


def remount_read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True, capture_output=True)
