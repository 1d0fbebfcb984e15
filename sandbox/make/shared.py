"""Template assets kept once in ``templates/_shared/`` and copied into each variant at render time.

Why: the built-in templates use the same stylesheet and the same storage helper. One copy in the
source means a fix reaches every template; each rendered variant still carries its own copy, so it
opens from file:// with nothing to fetch and an assistant can change it like any other file.

A template names what it takes in ``template.yaml`` (``shared: [base.css, storage.js]``). Each name
is looked up in the ``_shared/`` folder beside the template's own folder first, then in the built-in
``_shared/``: a workspace template reuses the built-in assets without copying them, and a file of
the same name in the workspace's ``templates/_shared/`` replaces one for the workspace's templates
only (a built-in template only ever sees the built-in folder). Like ``files/``, a shared file may not
be a link that leads out of its folder.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.core.errors import TemplateError, display_path

SHARED_DIR = "_shared"


@dataclass(frozen=True)
class SharedAsset:
    """One entry of ``shared:`` in template.yaml, with where it is written (for errors found later)."""

    name: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class SharedFile:
    """A shared asset found on disk: the ``_shared/`` folder it came from and the file itself."""

    asset: SharedAsset
    folder: Path
    path: Path


def shared_folders(template_root: Path, builtin_templates: Path) -> tuple[Path, ...]:
    """Where ``template_root``'s shared assets are looked up, in order (without repeats)."""
    folders: list[Path] = []
    for folder in (template_root.parent / SHARED_DIR, builtin_templates / SHARED_DIR):
        if not any(_same_place(folder, seen) for seen in folders):
            folders.append(folder)
    return tuple(folders)


def _same_place(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


def find_shared(
    asset: SharedAsset,
    folders: Sequence[Path],
    template_yaml: Path,
    error_type: type[TemplateError] = TemplateError,
) -> SharedFile:
    """The first of ``folders`` that holds ``asset``; every problem names template.yaml's line.

    ``error_type`` is TemplateError when a template is loaded and RenderError when it is rendered
    (a shared file may be deleted between the two: the catalog keeps loaded templates).
    """

    def fail(message: str) -> TemplateError:
        return error_type(message, path=template_yaml, line=asset.line, column=asset.column)

    for folder in folders:
        candidate = folder / asset.name
        if not os.path.lexists(candidate):
            continue
        if folder.is_symlink():  # a linked _shared/ could be /etc: the folder itself must be real
            raise fail(f"{display_path(folder)} is a link; {SHARED_DIR}/ must be a real folder beside the templates")
        real_folder = folder.resolve()
        target = candidate.resolve()
        if real_folder not in target.parents:
            raise fail(f"shared file '{asset.name}' in {display_path(folder)} is a link that leads outside it; refused")
        if not target.is_file():
            raise fail(f"shared '{asset.name}' in {display_path(folder)} is not a file; name files, not folders")
        return SharedFile(asset=asset, folder=folder, path=candidate)
    looked = " nor in ".join(display_path(folder) for folder in folders)
    raise fail(f"shared file '{asset.name}' is not in {looked}; add it there or remove it from 'shared'")
