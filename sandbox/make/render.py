"""Render a template into ``{relative path: bytes}``: pure, sandboxed, contained.

Why a sandbox: templates may come from anyone's workspace, so they render in Jinja2's
``SandboxedEnvironment`` with ``StrictUndefined`` (a typo is an error, not an empty string), and a
template that reaches for Python internals gets a one-line ``RenderError`` naming its file. The
user's own text (title, idea) is passed as data and never compiled as template code. Every rendered
path is checked: absolute paths, ``..``, empty segments and symlinks leading out of the template are
refused, so nothing can be written outside the variant folder.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox.core.errors import RenderError
from sandbox.make.catalog import Template

AUTOESCAPE_EXTENSIONS = {"html", "htm", "xml", "svg", "xhtml"}
TEMPLATE_SUFFIX = ".j2"
SKIP_NAMES = {".DS_Store", "Thumbs.db", "__pycache__", ".git"}

_environments: dict[Path, Any] = {}
_file_lists: dict[Path, tuple[float, list[tuple[str, Path]]]] = {}


def _autoescape(name: str | None) -> bool:
    if not name:
        return False
    base = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    return base.rsplit(".", 1)[-1].lower() in AUTOESCAPE_EXTENSIONS


def sandboxed_environment(loader: Any = None, autoescape: Any = _autoescape) -> Any:
    """A Jinja2 environment that treats templates as untrusted code."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        auto_reload=True,
    )


def _environment(files_dir: Path) -> Any:
    """One cached environment per template folder: compiled templates are reused between renders.

    ``auto_reload`` makes Jinja2 check each source's mtime, so an edited template is picked up.
    """
    env = _environments.get(files_dir)
    if env is None:
        from jinja2 import FileSystemLoader

        env = sandboxed_environment(FileSystemLoader(str(files_dir), followlinks=False))
        _environments[files_dir] = env
    return env


def _source_files(template: Template) -> list[tuple[str, Path]]:
    """``(posix relative path, absolute path)`` of every file in ``files/``, symlinks checked.

    Cached by the folder's mtime signature so repeated renders skip the walk.
    """
    files_dir = template.files_dir
    real_root = files_dir.resolve()
    signature = _tree_signature(files_dir)
    cached = _file_lists.get(files_dir)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found: list[tuple[str, Path]] = []
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
            found.append((full.relative_to(files_dir).as_posix(), full))
    _file_lists[files_dir] = (signature, found)
    return found


def _tree_signature(files_dir: Path) -> float:
    total = 0.0
    for dirpath, dirnames, _ in os.walk(files_dir, followlinks=False):
        total += os.stat(dirpath).st_mtime_ns + len(dirnames)
    return total


def _check_symlink(link: Path, real_root: Path, template: Template) -> None:
    target = link.resolve()
    if target != real_root and real_root not in target.parents:
        rel = link.relative_to(template.root).as_posix()
        raise RenderError(
            f"template '{template.name}': {rel} is a link that leads outside the template; refused",
            path=link,
        )


def render_path(relative: str, context: dict[str, Any], template: Template) -> str:
    """Render ``{{ ... }}`` in each path segment and refuse anything that could leave the folder."""
    segments = relative.split("/")
    if segments[-1].endswith(TEMPLATE_SUFFIX):
        segments[-1] = segments[-1][: -len(TEMPLATE_SUFFIX)]
    rendered: list[str] = []
    for segment in segments:
        if "{{" in segment or "{%" in segment:
            segment = _render_string(segment, context, template, f"files/{relative} (its name)")
        rendered.append(segment)
    path = "/".join(rendered)
    _check_contained(path, template, relative)
    return path


def _check_contained(path: str, template: Template, source: str) -> None:
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
            f"template '{template.name}': files/{source} renders to the path {path!r}, which {problem}; "
            "a template may only write inside the prototype folder",
            path=template.files_dir / source,
        )


@functools.lru_cache(maxsize=256)
def _compiled_segment(source: str) -> Any:
    """A path segment's compiled template: the same names are rendered again on every re-render."""
    return sandboxed_environment(autoescape=False).from_string(source)


def _render_string(source: str, context: dict[str, Any], template: Template, where: str) -> str:
    try:
        return _compiled_segment(source).render(context)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line naming the file
        raise _render_failure(exc, template, where, template.root / where.split(" ")[0]) from None


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
    ``template``; it is never itself treated as template code.
    """
    env = _environment(template.files_dir)
    output: dict[str, bytes] = {}
    for relative, full in _source_files(template):
        target = render_path(relative, context, template)
        if relative.endswith(TEMPLATE_SUFFIX):
            try:
                text = env.get_template(relative).render(context)
            except Exception as exc:  # noqa: BLE001 - one line naming the template file
                raise _render_failure(exc, template, f"files/{relative}", full) from None
            data = text.encode("utf-8")
        else:
            data = full.read_bytes()
        if target in output:
            raise RenderError(
                f"template '{template.name}': two files render to the same path {target!r}",
                path=full,
            )
        output[target] = data
    if template.entry not in output:
        raise RenderError(
            f"template '{template.name}': its entry file '{template.entry}' is not among the files it renders",
            path=template.root / "template.yaml",
        )
    return output


def template_context(template: Template, project: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """The names a template may use, and only those (no assistant: variants are compared blind)."""
    return {
        "project": dict(project),
        "vars": dict(answers),
        "template": {"name": template.name, "title": template.title, "entry": template.entry},
    }
