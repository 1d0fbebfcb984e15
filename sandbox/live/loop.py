"""The live loop of one project: watch it, re-render on spec changes, reload the browsers.

``LiveProject`` glues ``watch``, ``workspace.render`` and ``preview`` together so the CLI and the
TUI share one behaviour:

- ``project.yaml`` saved -> validate; valid: re-render every variant (never clobbering edits),
  clear any error overlay, reload the tabs of variants whose files changed; invalid: keep the last
  good prototype and show the error (with line and column) in every tab and as a ``spec_error`` event.
- a file in ``variants/<id>/`` changed -> tell that variant's tabs (CSS only: swap stylesheets in
  place; anything else: reload) and, when a session is open for the variant, record the batch in
  the ledger through ``sessions.record_change_batch``.

Why our own render's writes are "expected": ``render`` writes files inside the variant folders,
which the watcher reports a moment later. Those are not an assistant's work, so they must not be
recorded in a session, and the tabs were already told right after the render; so after each render
we remember the hash of every file it wrote and drop those paths from the next batches while the
file still has that hash (a later edit by anyone changes the hash and is reported as usual). The
ledger file itself is ignored, so appending to it can never trigger another batch.

When the project folder itself is moved or deleted, a ``watch_lost`` event says so (nothing is seen
until it is back); when a folder is back at that path, ``watch_resumed`` follows, the spec is checked
again and every tab reloads, since anything may have changed meanwhile.

``on_event(LiveEvent)`` is called on the watcher's background thread; a UI must hand it over to
its own thread (Textual: ``post_message``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import SandboxError
from sandbox.core.fs import sha256_file
from sandbox.core.ignore import project_rules, settings_patterns

if TYPE_CHECKING:
    from sandbox.live.preview import PreviewServer
    from sandbox.live.watch import ChangeBatch, Watcher
    from sandbox.make.scaffold import RenderResult
    from sandbox.workspace import Prepared, Project, Workspace

log = logging.getLogger(__name__)

EVENT_KINDS = ("batch", "rendered", "spec_error", "spec_fixed", "reload", "css", "conflict", "watch_lost",
               "watch_resumed")
EXPECTED_TTL = 10.0  # seconds an expected (self-written) change waits for the watcher to report it
STYLE_SUFFIXES = (".css",)


@dataclass(frozen=True)
class LiveEvent:
    """Something the live loop did, for a status line or a log.

    kind: one of EVENT_KINDS. at: wall-clock time (``time.time()``). variant: the variant concerned
    (None for the project). paths: changed files relative to the project folder (posix). message:
    one line for people. seconds: from the first file-system event (or the spec save) to the action
    done. clients: how many browser tabs were told (None when no preview is running for it).
    error: ``SandboxError.to_dict()`` for spec_error.
    """

    kind: str
    at: float
    variant: str | None = None
    paths: tuple[str, ...] = ()
    message: str = ""
    seconds: float = 0.0
    clients: int | None = None
    error: dict[str, Any] | None = None


ChangeRecorder = Callable[["Project", str, list[Path]], object]
"""Hears every batch of changes inside a variant (``sessions.record_change_batch`` in the app): the live
loop comes before the assistants in the flow, so whoever starts it says where batches go."""


@dataclass
class _Expected:
    digest: str | None  # None: the render removed the file
    until: float


@dataclass
class _Split:
    spec: bool = False
    variants: dict[str, list[Path]] = field(default_factory=dict)
    other: list[Path] = field(default_factory=list)


class LiveProject:
    """Watch one project and keep its previews live. ``start()`` / ``stop()``; thread-safe previews.

    ``record_changes(project, variant, paths)`` hears every batch inside a variant (the workspace's
    ``live_project`` passes ``sessions.record_change_batch``). ``by`` is written as the author of
    ``rendered`` events.
    """

    def __init__(
        self,
        workspace: Workspace,
        slug: str,
        on_event: Callable[[LiveEvent], None] | None = None,
        debounce_ms: int | None = None,
        *,
        record_changes: ChangeRecorder,
        by: str | None = None,
        force_polling: bool = False,
    ) -> None:
        self.workspace = workspace
        self.slug = slug
        self.project = workspace.project(slug)
        self.on_event = on_event
        settings = workspace.settings
        if debounce_ms is None:
            debounce_ms = settings.section("debounce_ms", int, None)
            if debounce_ms is not None and not 0 <= debounce_ms <= 10_000:
                raise settings.error("'debounce_ms' must be between 0 and 10000 (milliseconds)", "debounce_ms")
        from sandbox.live.watch import DEFAULT_DEBOUNCE_MS

        self.debounce_ms = DEFAULT_DEBOUNCE_MS if debounce_ms is None else int(debounce_ms)
        self.ignore = settings_patterns(settings)
        self.record_changes = record_changes
        self.by = by
        self.force_polling = force_polling
        self.error: dict[str, Any] | None = None
        self.entry = "index.html"
        self._servers: dict[str, PreviewServer] = {}
        self._lock = threading.Lock()
        self._expected: dict[Path, _Expected] = {}
        self._spec_digest: str | None = None  # project.yaml as last validated and rendered
        self._watcher: Watcher | None = None
        self._root = self.project.path.resolve()

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> LiveProject:
        """Check the spec once (so a broken one shows at once) and start watching."""
        if self._watcher is not None:
            return self
        self._check_spec_at_start()
        from sandbox.live.watch import Watcher

        # sandbox.yaml's anchored patterns are relative to each variant; the ledger is appended by
        # renders and sessions, so it is never a change.
        ignore = project_rules(self.ignore, own=["/ledger.jsonl"])
        self._watcher = Watcher(
            self._root, self._on_batch, self.debounce_ms, ignore, force_polling=self.force_polling,
            on_status=self._on_watch_status,
        )
        self._watcher.start()
        return self

    def stop(self) -> None:
        """Stop watching and stop every preview server. Idempotent."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.stop()
        with self._lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            server.stop()

    def __enter__(self) -> LiveProject:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def warning(self) -> str | None:
        """Why changes are polled instead of seen instantly (watch limit reached), or None."""
        return self._watcher.warning if self._watcher is not None else None

    # --- previews -------------------------------------------------------------------------------
    def start_preview(self, variant: str, port: int = 0) -> str:
        """Serve ``variant`` (if not served yet) and return the URL of its entry page."""
        from sandbox.live.preview import PreviewServer

        with self._lock:
            server = self._servers.get(variant)
            if server is None:
                root = self.project.variant_dir(variant)
                if variant not in self.project.variant_ids():
                    known = ", ".join(self.project.variant_ids()) or "none"
                    raise SandboxError(f"project '{self.slug}' has no variant '{variant}' (variants: {known})")
                server = PreviewServer(root, port=port).start()
                if self.error is not None:
                    server.show_error(self.error)
                self._servers[variant] = server
        return server.url + ("" if self.entry == "index.html" else self.entry)

    def stop_preview(self, variant: str) -> None:
        with self._lock:
            server = self._servers.pop(variant, None)
        if server is not None:
            server.stop()

    def server(self, variant: str) -> PreviewServer | None:
        """The running PreviewServer of ``variant``, or None."""
        with self._lock:
            return self._servers.get(variant)

    @property
    def urls(self) -> dict[str, str]:
        with self._lock:
            servers = dict(self._servers)
        return {v: s.url + ("" if self.entry == "index.html" else self.entry) for v, s in servers.items()}

    # --- the loop -------------------------------------------------------------------------------
    def _emit(self, kind: str, **fields: Any) -> LiveEvent:
        event = LiveEvent(kind=kind, at=time.time(), **fields)
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:
                log.exception("live event listener failed")
        return event

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self._root).as_posix()
        except ValueError:
            return path.as_posix()

    def _split(self, paths: Iterable[Path]) -> _Split:
        split = _Split()
        for path in sorted(paths):
            parts = Path(self._relative(path)).parts
            if parts == ("project.yaml",):
                split.spec = True
            elif len(parts) >= 2 and parts[0] == "variants":
                if not parts[1].startswith("."):  # not a render's hidden staging folder
                    split.variants.setdefault(parts[1], []).append(path)
            else:
                split.other.append(path)
        return split

    def _on_batch(self, batch: ChangeBatch) -> None:
        """A leading notice tells the tabs (and renders a saved spec) at once; the final batch of the
        burst records it and tells the tabs again only about what changed after the notice."""
        split = self._split(self._drop_expected(batch.paths))
        if not batch.final:
            for variant, paths in split.variants.items():
                self._tell(variant, paths, batch.started, what="changed")
            if split.spec:
                self._spec_changed(batch.started)
            return
        to_tell = batch.to_tell
        for variant, paths in split.variants.items():
            self._variant_changed(variant, paths, batch.started, tell=[p for p in paths if p in to_tell])
        if split.spec:
            self._spec_changed(batch.started)
        if split.other:
            names = tuple(self._relative(p) for p in split.other)
            self._emit("batch", paths=names, message=f"{', '.join(names[:3])} changed (not part of a variant)",
                       seconds=time.monotonic() - batch.started)

    def _drop_expected(self, paths: Iterable[Path]) -> list[Path]:
        """Paths of this batch that our own render did not write (or that changed again since)."""
        now = time.monotonic()
        with self._lock:
            self._expected = {p: e for p, e in self._expected.items() if e.until > now}
            if not self._expected:
                return list(paths)
            kept = []
            for path in paths:
                expected = self._expected.get(path)
                if expected is not None and sha256_file(path) == expected.digest:
                    continue
                kept.append(path)
            return kept

    def _variant_changed(self, variant: str, paths: list[Path], started: float, *, tell: list[Path]) -> None:
        """Tell the tabs first (that is what the designer waits for), then record the batch.

        ``tell``: the paths the tabs have not heard about yet (a leading notice told the rest)."""
        if tell:
            self._tell(variant, tell, started, what="changed")
        message = ""
        try:
            recorded = self.record_changes(self.project, variant, paths)
            if recorded:
                message = "recorded in the open session"
        except SandboxError as exc:
            message = f"could not record the change: {exc}"
        except Exception as exc:
            log.exception("recording a change batch failed")
            message = f"could not record the change: {exc}"
        self._emit("batch", variant=variant, paths=tuple(self._relative(p) for p in paths), message=message,
                   seconds=time.monotonic() - started, clients=None)

    def _tell(self, variant: str, paths: list[Path], started: float, *, what: str) -> None:
        """Reload (or swap CSS in) the tabs of ``variant``; emits ``reload`` or ``css``."""
        server = self.server(variant)
        if server is None:
            return
        css_only = all(p.suffix.lower() in STYLE_SUFFIXES and p.is_file() for p in paths)
        clients = server.notify_css(paths) if css_only else server.notify_reload(paths)
        names = ", ".join(self._relative(p).split("/", 2)[-1] for p in paths[:3]) + (
            f" and {len(paths) - 3} more" if len(paths) > 3 else ""
        )
        kind = "css" if css_only else "reload"
        verb = "swapped stylesheets" if css_only else "reloaded"
        self._emit(kind, variant=variant, paths=tuple(self._relative(p) for p in paths),
                   message=f"{names} {what}: {verb}", seconds=time.monotonic() - started, clients=clients)

    def _on_watch_status(self, message: str) -> None:
        """The project folder went away or came back (see ``Watcher.on_status``)."""
        watcher = self._watcher
        if watcher is not None and watcher.lost:
            self._emit("watch_lost", message=message)
            return
        started = time.monotonic()
        self._emit("watch_resumed", message=message)
        if self.project.spec_path.is_file():
            self._spec_changed(started)  # renders only if project.yaml differs from the last render
        with self._lock:
            servers = dict(self._servers)
        for variant, server in servers.items():
            clients = server.notify_reload()
            self._emit("reload", variant=variant, message="the project folder is back: reloaded",
                       seconds=time.monotonic() - started, clients=clients)

    # --- the spec -------------------------------------------------------------------------------
    def _validate(self) -> Prepared:
        """The prepared spec, or raises SandboxError pointing into project.yaml."""
        return self.workspace.prepare(self.project.load_spec())

    def _check_spec_at_start(self) -> None:
        digest = sha256_file(self.project.spec_path)
        try:
            prepared = self._validate()
        except SandboxError as exc:
            self._set_error(exc, time.monotonic())
            return
        self.entry = prepared.template.entry or "index.html"
        from sandbox.make.scaffold import read_manifest

        if digest is not None and read_manifest(self.project.path).get("spec_sha256") != digest:
            # project.yaml was edited while nothing watched: bring the prototypes up to date now.
            self._spec_changed(time.monotonic())
            return
        self._spec_digest = digest

    def _set_error(self, exc: SandboxError, started: float) -> None:
        error = exc.to_dict()
        with self._lock:  # together with start_preview's check, no new tab can miss the error
            self.error = error
            servers = list(self._servers.values())
        clients = sum(s.show_error(error) for s in servers)
        self._emit("spec_error", message=str(exc), error=error, seconds=time.monotonic() - started,
                   clients=clients if servers else None, paths=("project.yaml",))

    def _spec_changed(self, started: float) -> None:
        digest = sha256_file(self.project.spec_path)
        if digest is not None and digest == self._spec_digest and self.error is None:
            return  # saved without a change (or reported twice): nothing to render, nothing to log
        try:
            prepared = self._validate()
            result = self.workspace.render(self.slug, by=self.by)
        except SandboxError as exc:
            self._spec_digest = None
            self._set_error(exc, started)
            return
        self._spec_digest = digest
        self.entry = prepared.template.entry or "index.html"
        self._expect(result)
        if self.error is not None:
            with self._lock:
                self.error = None
                servers = list(self._servers.values())
            clients = sum(s.clear_error() for s in servers)
            self._emit("spec_fixed", message="project.yaml is valid again", paths=("project.yaml",),
                       seconds=time.monotonic() - started, clients=clients if servers else None)
        changed = [*result.written, *result.removed]
        self._emit(
            "rendered",
            paths=tuple(f"variants/{p}" for p in changed),
            message=f"re-rendered: {len(result.written)} written, {len(result.removed)} removed, "
            f"{result.unchanged} unchanged, {len(result.conflicts)} conflicts"
            + (f", new variants: {', '.join(result.new_variants)}" if result.new_variants else ""),
            seconds=time.monotonic() - started,
        )
        for path in result.conflicts:
            variant = path.split("/", 1)[0]
            self._emit("conflict", variant=variant, paths=(f"variants/{path}",),
                       message=f"kept your edit of {path}; the new version is beside it as {path}.sandbox-new",
                       seconds=time.monotonic() - started)
        by_variant: dict[str, list[Path]] = {}
        for path in changed:
            variant, _, rest = path.partition("/")
            by_variant.setdefault(variant, []).append(self._root / "variants" / variant / rest)
        for variant, paths in by_variant.items():
            self._tell(variant, paths, started, what="re-rendered")

    def _expect(self, result: RenderResult) -> None:
        """Remember what the render wrote so the watcher's report of it is not taken for a new edit."""
        until = time.monotonic() + EXPECTED_TTL
        expected: dict[Path, _Expected] = {}
        for path in result.written:
            target = self._root / "variants" / path
            expected[target] = _Expected(sha256_file(target), until)
        for path in result.conflicts:
            target = self._root / "variants" / (path + ".sandbox-new")
            expected[target] = _Expected(sha256_file(target), until)
        for path in result.removed:
            expected[self._root / "variants" / path] = _Expected(None, until)
        for variant in result.new_variants:
            folder = self._root / "variants" / variant
            expected[folder] = _Expected(None, until)  # a folder has no hash: sha256_file gives None
            for file in folder.rglob("*"):
                expected[file] = _Expected(sha256_file(file), until)
        with self._lock:
            self._expected.update(expected)

