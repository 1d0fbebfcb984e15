"""Files a re-render could not update, and the two ways out: take the new version or keep the edited one.

When someone (usually the variant's assistant) changed a rendered file, a re-render never overwrites
it: the new version goes beside it as ``<name>.sandbox-new`` (``scaffold.render_again``). Until that
is resolved, later spec edits do not reach the file, which a designer takes for "saving did not
work". This module finds those files on disk (the files themselves are the truth: a ledger event
says what happened then, not what is still pending), shows the difference, and resolves them:

- ``take_new``: the new version replaces the edited file. The render manifest learns its hash
  *before* the file is written, so the next render treats it as the sandbox's own (spec edits reach
  it again) and a session open on the variant does not credit the write to its assistant.
- ``keep_edited``: the edited file stays and the new version is dropped; the file stays protected
  (a later render that changes it again puts a new version beside it again).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.core.errors import ProjectError
from sandbox.core.fs import atomic_write, sha256_bytes
from sandbox.make.layout import VARIANTS_DIR
from sandbox.make.scaffold import CONFLICT_SUFFIX, read_manifest, write_manifest

if TYPE_CHECKING:
    from sandbox.workspace import Project

SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})  # and every dot-folder
MAX_DIFF_LINES = 400


@dataclass(frozen=True)
class Conflict:
    """``variant``'s file ``path`` (posix, relative to the variant) has a new version beside it."""

    variant: str
    path: str

    @property
    def new_path(self) -> str:
        return self.path + CONFLICT_SUFFIX


def find_conflicts(project: Project) -> list[Conflict]:
    """Every ``*.sandbox-new`` beside a file in the project's variants, sorted by variant and path."""
    found: list[Conflict] = []
    variants = Path(project.path) / VARIANTS_DIR
    if not variants.is_dir():
        return found
    for variant in sorted(p.name for p in variants.iterdir() if p.is_dir() and not p.name.startswith(".")):
        root = variants / variant
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
            for name in sorted(files):
                if name.endswith(CONFLICT_SUFFIX) and len(name) > len(CONFLICT_SUFFIX):
                    relative = (Path(folder) / name).relative_to(root).as_posix()
                    found.append(Conflict(variant, relative[: -len(CONFLICT_SUFFIX)]))
    return found


def _files(project: Project, conflict: Conflict) -> tuple[Path, Path]:
    root = Path(project.path) / VARIANTS_DIR / conflict.variant
    edited, new = root / conflict.path, root / conflict.new_path
    if not new.is_file():
        raise ProjectError(f"{conflict.variant}/{conflict.path} has no new version waiting any more")
    return edited, new


def difference(project: Project, conflict: Conflict) -> str:
    """A unified diff from the edited file (as it is) to the new version the spec asks for."""
    edited, new = _files(project, conflict)
    try:
        mine = edited.read_text("utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        mine = []
    theirs = new.read_text("utf-8", errors="replace").splitlines()
    lines = list(difflib.unified_diff(mine, theirs, f"{conflict.path} (edited)", f"{conflict.path} (new version)",
                                      lineterm=""))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more lines"]
    return "\n".join(lines) or "The two versions are the same."


def take_new(project: Project, conflict: Conflict) -> None:
    """Replace the edited file with the new version; from now on spec edits reach it again."""
    edited, new = _files(project, conflict)
    data = new.read_bytes()
    manifest = read_manifest(Path(project.path))
    variant = manifest.setdefault("variants", {}).setdefault(conflict.variant, {})
    variant.setdefault("files", {})[conflict.path] = sha256_bytes(data)
    write_manifest(Path(project.path), manifest)  # first: the write below is then the sandbox's own
    atomic_write(edited, data)
    new.unlink()


def keep_edited(project: Project, conflict: Conflict) -> None:
    """Keep the edited file as it is and drop the new version."""
    _, new = _files(project, conflict)
    new.unlink()
