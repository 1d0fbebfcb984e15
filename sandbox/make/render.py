"""Render a template into ``{relative path: bytes}``: pure, sandboxed, contained, within a budget.

Why a sandbox: templates may come from anyone's workspace, so they render in Jinja2's
``SandboxedEnvironment`` with ``StrictUndefined`` (a typo is an error, not an empty string), and a
template that reaches for Python internals gets a one-line ``RenderError`` naming its file. The
user's own text (title, idea) is passed as data and never compiled as template code.

Why a budget: the sandbox does not stop ``10**(10**10)`` or a 1 GB ``format``; so every render
(CLI, preview, TUI: they all come here) runs in a child process with a wall-time, memory and
output limit (``sandbox.make.budget``). Going over is one line naming the template file, and the
caller writes nothing. Jinja2 even evaluates constant expressions while compiling, so compiling
happens in the child too; the compiled code comes back to this process, which hands it to later
children (it never runs it itself), so a re-render does not compile again.

Why the checks around it: only files that passed the containment check can be loaded (``files/``
is a real folder, no link anywhere in it leads out, whatever its name, only regular files), and
every rendered path is checked in this process, where the template has no say
(``sandbox.make.paths``: contained, no place assistants, editors or git trust, portable names).
The assets a template takes from ``_shared/`` (see ``sandbox.make.shared``) go through the same steps.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import RenderError, SandboxError
from sandbox.core.fs import atomic_write, read_regular
from sandbox.make import budget as budgets
from sandbox.make import paths
from sandbox.make.catalog import Template
from sandbox.make.shared import SHARED_DIR, find_shared

if TYPE_CHECKING:
    import jinja2
    from jinja2.bccache import Bucket, FileSystemBytecodeCache
    from jinja2.sandbox import SandboxedEnvironment

CACHE_ENV = "XDG_CACHE_HOME"
# Names what the cached code was compiled for: a new Jinja2 or another environment set-up (bump the
# tag when ``sandboxed_environment`` changes) never loads code compiled for the old one.
BYTECODE_TAG = "sandboxed-strict-v1"
AUTOESCAPE_EXTENSIONS = {"html", "htm", "xml", "svg", "xhtml"}
TEMPLATE_SUFFIX = ".j2"
SKIP_NAMES = {".DS_Store", "Thumbs.db", "__pycache__", ".git"}
MAX_SOURCE_BYTES = 4 * 1024 * 1024  # one ``.j2`` source; copied files count against the output budget
MAX_BYTECODE_BYTES = 64 * 1024 * 1024
BYTECODE_KEY = re.compile(r"[0-9a-f]{40}")  # Jinja2 names an entry by a SHA-1 of its name and file
DEFAULT_BUDGET = budgets.Budget()


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


_file_lists: dict[Path, tuple[float, list[SourceFile]]] = {}
_bytecode: dict[str, bytes] = {}  # compiled sources the children sent back, by Jinja2's bucket key


def _autoescape(name: str | None) -> bool:
    if not name:
        return False
    base = name[: -len(TEMPLATE_SUFFIX)] if name.endswith(TEMPLATE_SUFFIX) else name
    return base.rsplit(".", 1)[-1].lower() in AUTOESCAPE_EXTENSIONS


def sandboxed_environment(
    loader: jinja2.BaseLoader | None = None,
    autoescape: bool | Callable[[str | None], bool] = _autoescape,
    bytecode_cache: jinja2.BytecodeCache | None = None,
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
        bytecode_cache=bytecode_cache,
    )
    env.filters.update(FILTERS)  # the built-in templates' helpers: pure functions of their arguments
    return env


def bytecode_cache(flavour: str) -> FileSystemBytecodeCache | None:
    """Jinja2's compiled code kept between runs, in ``$XDG_CACHE_HOME/sandbox`` (``~/.cache/sandbox``).

    Why: compiling a template's sources is most of what ``sandbox new`` computes (tens of ms for a
    landing page), and the sources rarely change between two runs. Jinja2 keys each entry by the
    template's name and file and checks a hash of its source, so an edited template is compiled
    again. The code is executed when loaded, so the folder must be the user's own and writable by
    nobody else; when it is not (or cannot be made), templates are simply compiled every time.
    ``flavour`` names the environment's set-up (autoescape or not): each has its own folder, so one
    file compiled under two set-ups never shares an entry.
    """
    import jinja2
    from jinja2.bccache import FileSystemBytecodeCache

    class QuietCache(FileSystemBytecodeCache):
        """A cache that cannot be written only costs time: a full disk never fails a render."""

        def dump_bytecode(self, bucket: Bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        base = Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache")
        folder = base / "sandbox" / f"jinja2-{jinja2.__version__}-{BYTECODE_TAG}-{flavour}"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        owned = [folder.stat(), folder.parent.stat()]  # whoever may rename the parent could swap the folder
    except (OSError, RuntimeError):  # RuntimeError: no home folder to be found
        return None
    if any(st.st_uid != os.getuid() or st.st_mode & 0o022 for st in owned):
        return None
    return QuietCache(str(folder))


def source_files(template: Template) -> list[SourceFile]:
    """Every file ``template`` renders: its own ``files/`` (containment checked), then its shared assets.

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
    """The files in ``files/``, cached by the folder's mtime signature so repeated renders skip the walk.

    Every entry is checked, also those whose names are skipped (``.git``, ``__pycache__``): a link
    may not lead out of the template whatever it is called, ``files/`` itself must be a real
    folder, and only regular files are rendered (a pipe or device is refused).
    """
    files_dir = template.files_dir
    if files_dir.is_symlink() or not files_dir.is_dir():
        raise RenderError(
            f"template '{template.name}': files/ must be a real folder inside the template, not a link", path=files_dir
        )
    real_root = files_dir.resolve()
    signature = _tree_signature(files_dir)
    cached = _file_lists.get(files_dir)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(files_dir, followlinks=False):
        for dirname in list(dirnames):
            full = Path(dirpath) / dirname
            if full.is_symlink():
                _check_symlink(full, real_root, template)
                dirnames.remove(dirname)  # never follow: a linked folder could be anywhere
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES)  # real skipped folders: never loaded
        for filename in sorted(filenames):
            full = Path(dirpath) / filename
            if full.is_symlink():
                _check_symlink(full, real_root, template)
            if filename in SKIP_NAMES:
                continue
            _check_regular(full, template)
            relative = full.relative_to(files_dir).as_posix()
            found.append(SourceFile(relative, full, files_dir, f"files/{relative}"))
    _file_lists[files_dir] = (signature, found)
    return found


def _check_regular(path: Path, template: Template) -> None:
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = 0
    if not stat.S_ISREG(mode):
        rel = path.relative_to(template.root).as_posix()
        raise RenderError(
            f"template '{template.name}': {rel} is not a regular file (a pipe, device or broken link); refused",
            path=path,
        )


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
    check_target(path, template, source)
    return path


def check_target(path: str, template: Template, source: SourceFile) -> None:
    """Refuse a rendered path that leaves the folder, lands in a trusted place or is not portable."""
    checks = (
        (paths.containment_problem, "renders to the path {path!r}, which {problem}; "
         "a template may only write inside the prototype folder"),
        (paths.trusted_place, "would write {path!r} ({problem}); only the sandbox "
         "writes assistant and editor configuration: remove the file from the template"),
        (paths.portability_problem, "renders to the path {path!r}, which {problem}; "
         "rename it so every system can check the prototype out"),
    )
    for find, wording in checks:
        problem = find(path)
        if problem:
            raise RenderError(
                f"template '{template.name}': {source.label} " + wording.format(path=path, problem=problem),
                path=source.path,
            )


@functools.lru_cache(maxsize=256)
def _compiled_segment(source: str) -> jinja2.Template:
    """A path segment's compiled template: the same names are rendered again on every re-render."""
    return sandboxed_environment(autoescape=False).from_string(source)


def _render_failure(exc: Exception, template: Template, where: str, path: Path) -> SandboxError:
    from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SandboxError):  # our own loader's refusal already says what and where
        return exc
    line = getattr(exc, "lineno", None)
    if isinstance(exc, SecurityError):
        reason = f"tried to reach something the sandbox forbids ({exc})"
    elif isinstance(exc, TemplateNotFound):
        reason = f"includes '{exc.name}', which is not a file of this template (names start inside files/)"
    elif isinstance(exc, UndefinedError):
        reason = f"uses something that is not defined: {exc.message}"
    elif isinstance(exc, TemplateSyntaxError):
        reason = f"has a syntax error: {exc.message}"
    elif isinstance(exc, RecursionError):
        reason = "recurses without end"
    else:
        reason = f"failed while rendering: {type(exc).__name__}: {exc}"
    return RenderError(f"template '{template.name}': {where} {reason}", path=path, line=line)


def render_template(
    template: Template, context: dict[str, Any], budget: budgets.Budget | None = None
) -> dict[str, bytes]:
    """Render every file of ``template`` with ``context`` within ``budget``; returns ``{posix path: bytes}``.

    ``context`` holds ``project`` (the idea's texts), ``vars`` (validated answers) and
    ``template``; it is never itself treated as template code. Shared assets go through the same
    steps as the template's own files, so the manifest hashes them and a re-render keeps edits.
    Every problem, a budget gone over included, is a ``RenderError`` naming the file.
    """
    sources = source_files(template)
    limits = budget or DEFAULT_BUDGET
    _import_before_fork()
    collector = _Collector(template, sources, limits)
    try:
        budgets.run(functools.partial(_render_in_child, template, sources, context, limits), limits, collector.receive)
    except budgets.BudgetExceeded as exc:
        raise collector.exceeded(exc) from None
    output = collector.output
    clash = paths.clashes(output)
    if clash is not None:
        first, second, why = clash
        raise RenderError(
            f"template '{template.name}': the paths {first!r} and {second!r} {why}; rename one of them",
            path=collector.origin.get(second, template.yaml_path),
        )
    if template.entry not in output:
        raise RenderError(
            f"template '{template.name}': its entry file '{template.entry}' is not among the files it renders",
            path=template.yaml_path,
        )
    return output


def _import_before_fork() -> None:
    """Import what the child needs here, so the forked child starts with it and imports nothing."""
    import jinja2.bccache
    import jinja2.sandbox  # noqa: F401 - imported for the child's sake


class _Collector:
    """The parent's side of a render: checks each file the child sends and gathers the output."""

    def __init__(self, template: Template, sources: list[SourceFile], limits: budgets.Budget) -> None:
        self.template = template
        self.sources = sources
        self.limits = limits
        self.output: dict[str, bytes] = {}
        self.origin: dict[str, Path] = {}
        self.current: SourceFile | None = None

    def receive(self, kind: str, header: dict[str, Any], payload: bytes) -> None:
        if kind == "begin":
            self.current = self._source(header)
        elif kind == "file":
            source = self._source(header)
            target = header.get("path")
            if not isinstance(target, str):
                raise RenderError(
                    f"template '{self.template.name}': {source.label} has no usable name", path=source.path
                )
            check_target(target, self.template, source)  # again here: the child's word is not enough
            if target in self.output:
                raise RenderError(
                    f"template '{self.template.name}': two files render to the same path {target!r}",
                    path=source.path,
                )
            self.output[target] = payload
            self.origin[target] = source.path
        elif kind == "code":
            _keep_bytecode(header.get("key"), payload)
        elif kind == "error":
            line = header.get("line")
            raise RenderError(
                str(header.get("message") or "rendering failed"),
                path=Path(str(header["path"])) if header.get("path") else None,
                line=line if type(line) is int else None,
            )

    def _source(self, header: dict[str, Any]) -> SourceFile:
        index = header.get("index")
        if type(index) is not int or not 0 <= index < len(self.sources):
            raise RenderError(f"template '{self.template.name}': rendering failed (a garbled reply)")
        return self.sources[index]

    def exceeded(self, exc: budgets.BudgetExceeded) -> RenderError:
        """The one line for a budget gone over, naming the file that was being rendered."""
        name, limits = self.template.name, self.limits
        where = self.current.label if self.current is not None else "template.yaml"
        path = self.current.path if self.current is not None else self.template.yaml_path
        reasons = {
            "time": f"took longer than {limits.seconds:g} s to render",
            "memory": f"needed more than {limits.memory_mb} MB of memory to render",
            "output": f"makes the prototype larger than {limits.output_mb} MB",
        }
        reason = reasons.get(exc.what, f"stopped rendering unexpectedly {exc.detail}".strip())
        return RenderError(f"template '{name}': {where} {reason}; nothing was written", path=path)


def _keep_bytecode(key: object, code: bytes) -> None:
    """Remember a child's compiled source for later children and later runs (bounded: the oldest go first).

    The parent writes the on-disk entry, not the child: the child is the untrusted side, so only a key
    of Jinja2's own shape (a SHA-1 in hex) names a file, and the file goes where ``bytecode_cache`` says.
    """
    if not isinstance(key, str) or not BYTECODE_KEY.fullmatch(key):
        return
    disk = bytecode_cache("files")
    if disk is not None:
        with contextlib.suppress(OSError):
            atomic_write(Path(disk.directory) / (disk.pattern % key), code)
    _bytecode.pop(key, None)
    _bytecode[key] = code
    total = sum(len(value) for value in _bytecode.values())
    while total > MAX_BYTECODE_BYTES and _bytecode:
        total -= len(_bytecode.pop(next(iter(_bytecode))))


def _render_in_child(
    template: Template, sources: list[SourceFile], context: dict[str, Any], limits: budgets.Budget,
    channel: budgets.Channel,
) -> None:
    """The child's work: render each source, send its path and bytes; a failure is an "error" frame."""
    environments: dict[Path, SandboxedEnvironment] = {}
    try:
        for index, source in enumerate(sources):
            channel.send("begin", {"index": index})
            target = render_path(source, context, template)
            if source.relative.endswith(TEMPLATE_SUFFIX):
                environment = environments.get(source.folder)
                if environment is None:
                    environment = environments[source.folder] = _child_environment(source.folder, sources, channel)
                try:
                    text = environment.get_template(source.relative).render(context)
                except MemoryError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one line naming the template file
                    raise _render_failure(exc, template, source.label, source.path) from None
                data = text.encode("utf-8", "replace")
            else:
                data = read_regular(source.path, limits.output_bytes, RenderError)
            channel.send("file", {"index": index, "path": target}, data)
    except MemoryError:
        raise
    except SandboxError as exc:
        channel.send("error", {"message": exc.message, "path": str(exc.path) if exc.path else None, "line": exc.line})
    except Exception as exc:  # noqa: BLE001 - whatever went wrong becomes one line
        channel.send("error", {"message": f"template '{template.name}': rendering failed: {type(exc).__name__}: {exc}"})
    channel.send("done")


def _child_environment(folder: Path, sources: list[SourceFile], channel: budgets.Channel) -> SandboxedEnvironment:
    """An environment that loads only the vetted files of ``folder`` and shares compiled code."""
    from jinja2 import BaseLoader, BytecodeCache, TemplateNotFound

    vetted = {source.relative: source.path for source in sources if source.folder == folder}
    disk = bytecode_cache("files")

    class VettedLoader(BaseLoader):
        """Loads a name only if it is one of the files the containment check let through."""

        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            path = vetted.get(template)
            if path is None:
                raise TemplateNotFound(template)
            data = read_regular(path, MAX_SOURCE_BYTES, RenderError)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RenderError(f"is not UTF-8 text (byte {exc.start}); a .j2 file must be text", path=path) from None
            return text, str(path), lambda: True

        def list_templates(self) -> list[str]:
            return sorted(vetted)

    class SharedBytecode(BytecodeCache):
        """Jinja2's compiled code, loaded from what the parent kept and sent back when new."""

        def load_bytecode(self, bucket: Bucket) -> None:
            code = _bytecode.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)  # ignored by Jinja2 when the source changed
            elif disk is not None:
                disk.load_bytecode(bucket)  # an earlier run's, checked against the source the same way

        def dump_bytecode(self, bucket: Bucket) -> None:
            channel.send("code", {"key": bucket.key}, bucket.bytecode_to_string())

    return sandboxed_environment(VettedLoader(), bytecode_cache=SharedBytecode())


def template_context(template: Template, project: dict[str, str], answers: dict[str, Any]) -> dict[str, Any]:
    """The names a template may use, and only those (no assistant: variants are compared blind)."""
    return {
        "project": dict(project),
        "vars": dict(answers),
        "template": {"name": template.name, "title": template.title, "entry": template.entry},
    }
