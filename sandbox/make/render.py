"""Render a template into ``{relative path: bytes}``: pure, sandboxed, contained.

Why a sandbox: templates may come from anyone's workspace, so they render in Jinja2's
``SandboxedEnvironment`` with ``StrictUndefined`` (a typo is an error, not an empty string), and a
template that reaches for Python internals gets a one-line ``RenderError`` naming its file. The
user's own text (title, idea) is passed as data and never compiled as template code. Every rendered
path is checked: absolute paths, ``..``, empty segments and symlinks leading out of the template are
refused, so nothing can be written outside the variant folder. The assets a template takes from
``_shared/`` (see ``sandbox.make.shared``) are rendered with its own files, by the same steps.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import RenderError
from sandbox.make.catalog import Template
from sandbox.make.shared import SHARED_DIR, find_shared

if TYPE_CHECKING:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

AUTOESCAPE_EXTENSIONS = {"html", "htm", "xml", "svg", "xhtml"}
TEMPLATE_SUFFIX = ".j2"
SKIP_NAMES = {".DS_Store", "Thumbs.db", "__pycache__", ".git"}


@dataclass(frozen=True)
class SourceFile:
    """One file a template renders, from its ``files/`` or from a ``_shared/`` folder.

    ``relative`` is the file's path inside ``folder`` (also the Jinja2 name it is loaded by), and
    the variant path it becomes once ``.j2`` is dropped and ``{{ ... }}`` in its name is rendered.
    ``label`` names it in messages, like ``files/index.html.j2`` or ``_shared/base.css``.
    """

    relative: str
    path: Path
    folder: Path
    label: str


_environments: dict[Path, SandboxedEnvironment] = {}
_file_lists: dict[Path, tuple[float, list[SourceFile]]] = {}


def _autoescape(name: str | None) -> bool:
    if not name:
        return False
    base = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    return base.rsplit(".", 1)[-1].lower() in AUTOESCAPE_EXTENSIONS


def sandboxed_environment(
    loader: jinja2.BaseLoader | None = None, autoescape: bool | Callable[[str | None], bool] = _autoescape
) -> SandboxedEnvironment:
    """A Jinja2 environment that treats templates as untrusted code."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from sandbox.make.content import FILTERS

    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        auto_reload=True,
    )
    env.filters.update(FILTERS)  # the built-in templates' helpers: pure functions of their arguments
    return env


def _environment(folder: Path) -> SandboxedEnvironment:
    """One cached environment per source folder: compiled templates are reused between renders.

    ``auto_reload`` makes Jinja2 check each source's mtime, so an edited template is picked up.
    """
    env = _environments.get(folder)
    if env is None:
        from jinja2 import FileSystemLoader

        env = sandboxed_environment(FileSystemLoader(str(folder), followlinks=False))
        _environments[folder] = env
    return env


def source_files(template: Template) -> list[SourceFile]:
    """Every file ``template`` renders: its own ``files/`` (symlinks checked), then its shared assets.

    Shared assets are looked up on every call, so a file added to a workspace's ``_shared/`` (or
    removed from it) counts at the next render although the catalog keeps the parsed template.
    """
    shared = [
        SourceFile(found.asset.name, found.path, found.folder, f"{SHARED_DIR}/{found.asset.name}")
        for found in (
            find_shared(asset, template.shared_folders, template.yaml_path, RenderError) for asset in template.shared
        )
    ]
    return [*_own_files(template), *shared]


def _own_files(template: Template) -> list[SourceFile]:
    """The files in ``files/``, cached by the folder's mtime signature so repeated renders skip the walk."""
    files_dir = template.files_dir
    real_root = files_dir.resolve()
    signature = _tree_signature(files_dir)
    cached = _file_lists.get(files_dir)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(files_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES)
        for dirname in list(dirnames):
            full = Path(dirpath) / dirname
            if full.is_symlink():
                _check_symlink(full, real_root, template)
                dirnames.remove(dirname)  # never follow: a linked folder could be anywhere
        for filename in sorted(filenames):
            if filename in SKIP_NAMES:
                continue
            full = Path(dirpath) / filename
            if full.is_symlink():
                _check_symlink(full, real_root, template)
            if not full.resolve().is_file():
                continue
            relative = full.relative_to(files_dir).as_posix()
            found.append(SourceFile(relative, full, files_dir, f"files/{relative}"))
    _file_lists[files_dir] = (signature, found)
    return found


def _tree_signature(files_dir: Path) -> float:
    total = 0.0
    for dirpath, dirnames, _ in os.walk(files_dir, followlinks=False):
        total += Path(dirpath).stat().st_mtime_ns + len(dirnames)
    return total


def _check_symlink(link: Path, real_root: Path, template: Template) -> None:
    target = link.resolve()
    if target != real_root and real_root not in target.parents:
        rel = link.relative_to(template.root).as_posix()
        raise RenderError(
            f"template '{template.name}': {rel} is a link that leads outside the template; refused",
            path=link,
        )


def render_path(source: SourceFile, context: dict[str, Any], template: Template) -> str:
    """Render ``{{ ... }}`` in each path segment and refuse anything that could leave the folder."""
    segments = source.relative.split("/")
    if segments[-1].endswith(TEMPLATE_SUFFIX):
        segments[-1] = segments[-1][: -len(TEMPLATE_SUFFIX)]
    rendered: list[str] = []
    for segment in segments:
        if "{{" in segment or "{%" in segment:
            try:
                rendered.append(_compiled_segment(segment).render(context))
            except Exception as exc:  # noqa: BLE001 - every failure becomes one line naming the file
                raise _render_failure(exc, template, f"{source.label} (its name)", source.path) from None
        else:
            rendered.append(segment)
    path = "/".join(rendered)
    _check_contained(path, template, source)
    return path


def _check_contained(path: str, template: Template, source: SourceFile) -> None:
    problem = None
    parts = path.split("/")
    if not path or path.startswith("/") or PurePosixPath(path).is_absolute():
        problem = "is absolute"
    elif "\\" in path or "\x00" in path or (len(path) > 1 and path[1] == ":"):
        problem = "contains a backslash, drive letter or NUL"
    elif any(part in ("..", ".", "") for part in parts):
        problem = "contains '..', '.' or an empty folder name"
    if problem:
        raise RenderError(
            f"template '{template.name}': {source.label} renders to the path {path!r}, which {problem}; "
            "a template may only write inside the prototype folder",
            path=source.path,
        )


@functools.lru_cache(maxsize=256)
def _compiled_segment(source: str) -> jinja2.Template:
    """A path segment's compiled template: the same names are rendered again on every re-render."""
    return sandboxed_environment(autoescape=False).from_string(source)


def _render_failure(exc: Exception, template: Template, where: str, path: Path) -> RenderError:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    line = getattr(exc, "lineno", None)
    if isinstance(exc, SecurityError):
        reason = f"tried to reach something the sandbox forbids ({exc})"
    elif isinstance(exc, UndefinedError):
        reason = f"uses something that is not defined: {exc.message}"
    elif isinstance(exc, TemplateSyntaxError):
        reason = f"has a syntax error: {exc.message}"
    elif isinstance(exc, RecursionError):
        reason = "recurses without end"
    else:
        reason = f"failed while rendering: {type(exc).__name__}: {exc}"
    return RenderError(f"template '{template.name}': {where} {reason}", path=path, line=line)


def render_template(template: Template, context: dict[str, Any]) -> dict[str, bytes]:
    """Render every file of ``template`` with ``context``; returns ``{posix path: bytes}``.

    ``context`` holds ``project`` (the idea's texts), ``vars`` (validated answers) and
    ``template``; it is never itself treated as template code. Shared assets go through the same
    steps as the template's own files, so the manifest hashes them and a re-render keeps edits.
    """
    output: dict[str, bytes] = {}
    for source in source_files(template):
        target = render_path(source, context, template)
        if source.relative.endswith(TEMPLATE_SUFFIX):
            try:
                text = _environment(source.folder).get_template(source.relative).render(context)
            except Exception as exc:  # noqa: BLE001 - one line naming the template file
                raise _render_failure(exc, template, source.label, source.path) from None
            data = text.encode("utf-8")
        else:
            data = source.path.read_bytes()
        if target in output:
            raise RenderError(
                f"template '{template.name}': two files render to the same path {target!r}",
                path=source.path,
            )
        output[target] = data
    if template.entry not in output:
        raise RenderError(
            f"template '{template.name}': its entry file '{template.entry}' is not among the files it renders",
            path=template.yaml_path,
        )
    return output


def template_context(template: Template, project: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """The names a template may use, and only those (no assistant: variants are compared blind)."""
    return {
        "project": dict(project),
        "vars": dict(answers),
        "template": {"name": template.name, "title": template.title, "entry": template.entry},
    }
