"""Atomic writes: readers never see half a file, and the file keeps the permissions people expect."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sandbox.core.fs import atomic_write, sha256_file


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_get_the_usual_mode_not_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    os.umask(old)
    target = tmp_path / "index.html"
    atomic_write(target, b"<p>hi</p>")
    assert target.read_bytes() == b"<p>hi</p>"
    assert mode(target) == 0o666 & ~old, "teammates sharing the folder must be able to read it"


def test_rewrites_keep_the_existing_mode_and_leave_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old")
    target.chmod(0o750)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["run.sh"]


def test_sha256_file_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert sha256_file(tmp_path / "nope") is None
    assert sha256_file(tmp_path) is None
