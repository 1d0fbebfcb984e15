"""Editing ``project.yaml`` from a shell (the TUI's Spec tab): read, check, save, keep copies.

The TUI never touches files itself, so everything the spec editor needs from the disk is here:

- ``read_spec_text`` returns the text and a ``SpecStamp`` (size, mtime, inode) so the editor can
  notice that another editor or an assistant changed the file (``spec_stamp`` is one ``stat``).
- ``check_spec_text`` validates an unsaved buffer exactly like a saved file would be validated
  (``parse_spec`` then ``Workspace.prepare``), so errors carry line and column into the buffer.
- ``save_spec_text`` writes atomically. An invalid buffer is refused unless ``force=True``: the
  person sees the error first and decides; saving anyway is safe because the watcher keeps the last
  good prototype until the spec is fixed, and it never loses what they typed.
- ``keep_copy`` writes a version beside the spec (``project.yaml.mine-20261125-081500``) when the
  buffer and the disk disagree, so neither version is ever silently lost.
"""

from __future__ import annotations

import contextlib
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.core.errors import SandboxError, SpecError
from sandbox.core.fs import atomic_write_text
from sandbox.make.spec import ProjectSpec, parse_spec

if TYPE_CHECKING:
    from sandbox.workspace import Project, Workspace


@dataclass(frozen=True)
class SpecStamp:
    """What a cheap ``stat`` says about project.yaml; any difference means 'it may have changed'."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def missing(cls) -> SpecStamp:
        return cls(-1, -1, -1)


def spec_stamp(project: Project) -> SpecStamp:
    try:
        st = project.spec_path.stat()
    except OSError:
        return SpecStamp.missing()
    return SpecStamp(st.st_size, st.st_mtime_ns, st.st_ino)


def read_spec_text(project: Project) -> tuple[str, SpecStamp]:
    """The spec's text (undecodable bytes replaced, never a crash) and its stamp."""
    stamp = spec_stamp(project)
    try:
        data = project.spec_path.read_bytes()
    except FileNotFoundError:
        return "", SpecStamp.missing()
    except OSError as exc:
        raise SpecError(f"cannot read the file: {exc.strerror}", path=project.spec_path) from None
    return data.decode("utf-8", errors="replace"), stamp


def check_spec_text(workspace: Workspace, project: Project, text: str) -> ProjectSpec:
    """Validate an editor buffer as if it were saved; raises SpecError (or another SandboxError)."""
    spec = parse_spec(text, project.spec_path)
    if spec.slug and spec.slug != project.slug:
        raise spec.error(
            f"'slug' is '{spec.slug}' but this project's folder is '{project.slug}'; "
            f"put back 'slug: {project.slug}' (the folder name cannot change)",
            "slug",
        )
    return workspace.prepare(spec).spec


@dataclass
class SaveResult:
    spec: ProjectSpec | None  # None when saved anyway although invalid
    error: SandboxError | None
    stamp: SpecStamp


def save_spec_text(workspace: Workspace, project: Project, text: str, *, force: bool = False) -> SaveResult:
    """Check ``text`` and write it atomically.

    Invalid text raises the error unless ``force`` is true, in which case it is written anyway and
    the error is returned in the result (the prototype keeps its last good version meanwhile).
    """
    error: SandboxError | None = None
    spec: ProjectSpec | None = None
    try:
        spec = check_spec_text(workspace, project, text)
    except SandboxError as exc:
        if not force:
            raise
        error = exc
    _write_like(project.spec_path, text, project.spec_path)
    return SaveResult(spec=spec, error=error, stamp=spec_stamp(project))


def _write_like(target: Path, text: str, like: Path) -> None:
    """Write atomically and give ``target`` the permissions of ``like`` (0644 when it is missing).

    The atomic write goes through a private temporary file (0600); without this, saving from the
    app would make project.yaml unreadable to teammates sharing the folder.
    """
    try:
        mode = stat.S_IMODE(like.stat().st_mode)
    except OSError:
        mode = 0o644
    atomic_write_text(target, text)
    # A file system without permissions may refuse; the text is written, which is what matters.
    with contextlib.suppress(OSError):
        target.chmod(mode)


def keep_copy(project: Project, text: str, label: str, *, now: datetime | None = None) -> Path:
    """Write ``text`` beside project.yaml as ``project.yaml.<label>-<UTC time>``; returns the path."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    base = project.spec_path
    target = base.with_name(f"{base.name}.{label}-{moment}")
    number = 2
    while target.exists():
        target = base.with_name(f"{base.name}.{label}-{moment}-{number}")
        number += 1
    _write_like(target, text, base)
    return target
