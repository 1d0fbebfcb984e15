"""The workspace: one facade over the core that the CLI and the TUI call.

A workspace is a folder holding ``projects/`` and, optionally, ``sandbox.yaml`` and ``templates/``.
Everything a shell needs (list, create, check, re-render, read the ledger) goes through here, so the
shells stay thin and never touch files themselves.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core import ledger
from sandbox.core.errors import AnswerError, AssistantError, ProjectError, SandboxError, SpecError, TemplateError
from sandbox.core.summary_cache import INPUTS

if TYPE_CHECKING:
    from sandbox.assistants.doctor import DoctorReport
    from sandbox.assistants.registry import Assistant
    from sandbox.core.settings import Settings
    from sandbox.live.loop import LiveProject
    from sandbox.make.budget import Budget
    from sandbox.make.catalog import Template, TemplateCatalog
    from sandbox.make.scaffold import Created, RenderResult
    from sandbox.make.spec import ProjectSpec

PROJECTS_DIR = "projects"
# sandbox.make.spec.SPEC_FILE, named here without importing the spec parser (and YAML): the app's
# first frame and a cached project list need neither (a test holds the two names equal).
SPEC_FILE = INPUTS[0]
SUMMARY_CACHE = ".sandbox/summaries.json"  # inside projects/: program state, like each project's .sandbox/
WORKSPACE_ENV = "SANDBOX_WORKSPACE"


def default_workspace() -> Path:
    return Path(os.environ.get(WORKSPACE_ENV) or ".")


@dataclass
class Prepared:
    """A spec checked against its template and the registry, ready to render."""

    spec: ProjectSpec
    template: Template
    answers: dict[str, Any]
    assistants: list[Assistant]


@dataclass
class ProjectSummary:
    """One row of the project list; ``error`` is set when project.yaml does not load."""

    slug: str
    title: str
    template: str
    category: str
    assistants: list[str]
    created_at: str | None = None
    last_activity: str | None = None
    events: int = 0
    ratings: int = 0
    average_rating: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class OpenSession:
    """A session that is open on a variant right now: a person working with the assistant
    (``mode`` "session") or the assistant working on its own (``mode`` "run")."""

    mode: str
    started_at: str | None


@dataclass
class VariantOverview:
    """One variant's line on a project's overview, from the ledger, the render manifest and the open sessions."""

    variant: str
    assistant: str  # the assistant's display name
    files: int  # files the template rendered into the variant
    changed: int  # distinct files changed since (watcher batches and sessions), whoever changed them
    conflicts: int  # edited files the last render kept, with its new version beside them (.sandbox-new)
    sessions: int  # sessions that ended
    runs: int  # headless runs
    ratings: int
    average_rating: float | None  # mean of every score of every rating, 1-5
    last_activity: str | None  # the latest event about this variant or the whole project
    open_session: OpenSession | None = None
    violations: int = 0  # changes outside its variant that its last run or session recorded (unconfined)


@dataclass
class ProjectOverview:
    """What a project's overview shows, computed in one pass so a shell reads no ledger or manifest itself."""

    slug: str
    spec: ProjectSpec | None
    spec_error: str | None  # why project.yaml does not load (then ``spec`` is None)
    variants: list[VariantOverview]
    events: int
    problems: list[str]  # damaged ledger lines that were skipped


@dataclass
class Project:
    """Paths of one project and the operations that need only them."""

    slug: str
    path: Path

    @property
    def spec_path(self) -> Path:
        return self.path / SPEC_FILE

    @property
    def ledger_path(self) -> Path:
        return self.path / ledger.LEDGER_FILE

    @property
    def variants_dir(self) -> Path:
        from sandbox.make.layout import VARIANTS_DIR

        return self.path / VARIANTS_DIR

    @property
    def state_dir(self) -> Path:
        from sandbox.make.layout import STATE_DIR

        return self.path / STATE_DIR

    def variant_dir(self, variant: str) -> Path:
        return self.variants_dir / variant

    def variant_ids(self) -> list[str]:
        if not self.variants_dir.is_dir():
            return []
        return sorted(p.name for p in self.variants_dir.iterdir() if p.is_dir() and not p.name.startswith("."))

    def load_spec(self) -> ProjectSpec:
        """The project's spec; its ``slug`` must name this folder (links, ledgers and reports use it)."""
        from sandbox.make.spec import load_spec

        spec = load_spec(self.spec_path)
        if spec.slug != self.slug:
            raise spec.error(
                f"'slug' must stay '{self.slug}' (the project's folder name); to rename a project, "
                "create a new one", "slug",
            )
        return spec

    def events(self) -> list[dict[str, Any]]:
        return ledger.read(self.ledger_path).events

    def append(self, kind: str, **fields: Any) -> dict[str, Any]:
        return ledger.append(self.ledger_path, kind, project=self.slug, **fields)


@dataclass
class CheckResult:
    slug: str
    ok: bool
    error: SandboxError | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "ok": self.ok, "error": self.error.to_dict() if self.error else None}


@dataclass
class Workspace:
    root: Path = field(default_factory=default_workspace)

    @property
    def projects_dir(self) -> Path:
        return self.root / PROJECTS_DIR

    @cached_property
    def settings(self) -> Settings:
        from sandbox.core.settings import load_settings

        return load_settings(self.root)

    @cached_property
    def registry(self) -> dict[str, Assistant]:
        from sandbox.assistants.registry import load_registry

        return load_registry(self.settings)

    @cached_property
    def catalog(self) -> TemplateCatalog:
        from sandbox.make.catalog import TemplateCatalog

        return TemplateCatalog(self.root)

    def reload(self) -> None:
        """Forget cached settings, registry and templates (after sandbox.yaml changed)."""
        for name in ("settings", "registry", "catalog"):
            self.__dict__.pop(name, None)

    # --- templates -------------------------------------------------------------------------
    def templates(self) -> list[Template]:
        return self.catalog.all()

    def template(self, name: str) -> Template:
        return self.catalog.get(name)

    def default_assistants(self) -> list[str]:
        from sandbox.assistants.registry import DEFAULT_ASSISTANTS

        configured = self.settings.section("default_assistants", list, list(DEFAULT_ASSISTANTS))
        return [str(a) for a in configured] or list(DEFAULT_ASSISTANTS)

    # --- projects --------------------------------------------------------------------------
    def project_slugs(self) -> list[str]:
        if not self.projects_dir.is_dir():
            return []
        return sorted(
            entry.name
            for entry in os.scandir(self.projects_dir)
            if entry.is_dir() and not entry.name.startswith(".")
            # os.path.exists is False, Path.exists raises, where this user may not look: list the others
            and os.path.exists(Path(entry.path, SPEC_FILE))  # noqa: PTH110
        )

    def project(self, slug: str) -> Project:
        path = self.projects_dir / slug
        # lexists, not is_file: a project.yaml that is a pipe or a link to a device is this project's
        # error to report (by load_spec), not a reason to say the project does not exist
        if not slug or "/" in slug or "\\" in slug or slug.startswith(".") or not os.path.lexists(path / SPEC_FILE):
            known = ", ".join(self.project_slugs()[:10]) or "none yet; create one with 'sandbox new'"
            raise ProjectError(f"no project '{slug}' in {self.projects_dir} (projects: {known})")
        return Project(slug=slug, path=path)

    def summary(self, slug: str) -> ProjectSummary:
        project = Project(slug=slug, path=self.projects_dir / slug)
        ledger_error = None
        try:
            read = ledger.read(project.ledger_path)
        except SandboxError as exc:  # a ledger that cannot be read still lists the project, with why
            read, ledger_error = ledger.LedgerRead(), str(exc)
        created = next((e for e in read.events if e.get("kind") == ledger.CREATED), {})
        summary = ProjectSummary(
            slug=slug,
            title=str(created.get("title") or slug),
            template=str(created.get("template") or ""),
            category=str(created.get("category") or ""),
            assistants=list(created.get("assistants") or project.variant_ids()),
            created_at=created.get("at"),
            last_activity=max((str(e.get("at", "")) for e in read.events), default=None),
            events=len(read.events),
        )
        try:
            spec = project.load_spec()
            summary.title = spec.title
            summary.template = spec.template
            summary.category = spec.category or summary.category
            summary.assistants = spec.assistants or summary.assistants
        except SandboxError as exc:
            summary.error = str(exc)
        summary.error = summary.error or ledger_error
        scores = [
            float(v)
            for e in read.events
            if e.get("kind") == ledger.RATING
            for v in (e.get("scores") or {}).values()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        summary.ratings = sum(1 for e in read.events if e.get("kind") == ledger.RATING)
        summary.average_rating = round(sum(scores) / len(scores), 2) if scores else None
        return summary

    def list_projects(self) -> list[ProjectSummary]:
        """Every project's summary, sorted by slug; one that cannot be read shows its error and never
        hides the others. Unchanged projects come from the summary cache (``sandbox.core.summary_cache``),
        so only projects that changed since are read again."""
        from sandbox.core.summary_cache import SummaryCache, project_key

        if not self.projects_dir.is_dir():
            return []
        fields = sorted(ProjectSummary.__dataclass_fields__)
        cache = SummaryCache(self.projects_dir / SUMMARY_CACHE, [str(self.projects_dir.resolve()), *fields])
        prefix = f"{self.projects_dir}{os.sep}"
        summaries = []
        for slug in sorted(e.name for e in os.scandir(self.projects_dir) if not e.name.startswith(".") and e.is_dir()):
            key = project_key(prefix + slug)  # taken before anything is read: a later change shows
            if key is None:
                continue  # a folder without project.yaml is not a project
            cached = cache.get(slug, key)
            if cached is not None and len(cached) == len(fields):
                summaries.append(ProjectSummary(**dict(zip(fields, cached, strict=True))))
                continue
            try:
                summary = self.summary(slug)
            except (SandboxError, OSError) as exc:
                summary = ProjectSummary(slug, slug, "", "", [], error=str(exc) or type(exc).__name__)
            if summary.error is None:
                values = summary.to_dict()
                cache.put(slug, key, [values[name] for name in fields])
            else:  # its message names the file as seen from the current folder: read again next time
                cache.forget(slug)
            summaries.append(summary)
        cache.save()
        return summaries

    def render_budget(self) -> Budget:
        """What one render may use (sandbox.yaml's ``render_budget``, else 10 s, 512 MB, 50 MB)."""
        from sandbox.make.budget import budget_from_settings

        return budget_from_settings(self.settings)

    def overview(self, slug: str) -> ProjectOverview:
        """The project's spec (or why it does not load) and, per variant, its files, changes,
        conflicts, sessions, runs and ratings."""
        from sandbox.assistants.sessions import open_sessions
        from sandbox.compare.blind import assistant_name
        from sandbox.make.scaffold import read_manifest

        project = self.project(slug)
        spec: ProjectSpec | None = None
        spec_error = None
        try:
            spec = project.load_spec()
        except SandboxError as exc:
            spec_error = str(exc)
        read = ledger.read(project.ledger_path)
        try:
            manifest: dict[str, Any] = read_manifest(project.path).get("variants", {})
        except (SandboxError, OSError):  # a damaged or unreadable manifest only hides the file counts
            manifest = {}
        try:
            open_by_variant = open_sessions(project)
        except SandboxError:
            open_by_variant = {}
        last_render: dict[str, Any] = next((e for e in reversed(read.events) if e.get("kind") == ledger.RENDERED), {})
        variants = []
        for variant in project.variant_ids():
            events = [e for e in read.events if e.get("variant") == variant]
            kinds = [e.get("kind") for e in events]
            changed: set[str] = set()
            scores: list[float] = []
            for event in events:
                if event.get("kind") == ledger.CHANGE:
                    changed.update(str(f) for f in event.get("files") or [])
                elif event.get("kind") == ledger.SESSION_ENDED:
                    for key in ("files_added", "files_changed"):
                        changed.update(str(f) for f in event.get(key) or [])
                elif event.get("kind") == ledger.RATING:
                    scores.extend(
                        float(v) for v in (event.get("scores") or {}).values()
                        if isinstance(v, (int, float)) and not isinstance(v, bool)
                    )
            started = open_by_variant.get(variant)
            spans = (e for e in reversed(events) if e.get("kind") in (ledger.SESSION_ENDED, ledger.RUN))
            last_span: dict[str, Any] = next(spans, {})
            found = last_span.get("violations")
            variants.append(VariantOverview(
                variant=variant,
                assistant=assistant_name(self, variant),
                files=len((manifest.get(variant) or {}).get("files") or {}),
                changed=len(changed),
                conflicts=sum(1 for c in last_render.get("conflicts") or [] if str(c).startswith(f"{variant}/")),
                sessions=kinds.count(ledger.SESSION_ENDED),
                runs=kinds.count(ledger.RUN),
                ratings=kinds.count(ledger.RATING),
                average_rating=sum(scores) / len(scores) if scores else None,
                last_activity=max(
                    (str(e.get("at", "")) for e in read.events if e.get("variant") in (variant, None)), default=None
                ),
                open_session=OpenSession(str(started.get("mode") or "session"), started.get("at"))
                if started is not None else None,
                violations=len(found) if isinstance(found, list) else 0,
            ))
        return ProjectOverview(slug, spec, spec_error, variants, len(read.events), [str(p) for p in read.problems])

    # --- validation ------------------------------------------------------------------------
    def prepare(self, spec: ProjectSpec) -> Prepared:
        """Check ``spec`` against its template and the registry; errors point into project.yaml."""
        from sandbox.assistants.registry import resolve_assistants
        from sandbox.make.catalog import validate_answers

        try:
            template = self.template(spec.template)
        except TemplateError as exc:
            if exc.path is not None:  # the template itself is broken: point at it
                raise
            raise _located(spec, exc.message, "template") from None
        try:
            answers = validate_answers(template, spec.vars)
        except AnswerError as exc:
            where: tuple[str | int, ...] = ("vars", exc.question) if exc.question in spec.vars else ("vars",)
            raise _located(spec, exc.message, *where) from None
        ids = spec.assistants or self.default_assistants()
        try:
            assistants = resolve_assistants(self.registry, ids)
        except AssistantError as exc:
            bad = next((i for i, a in enumerate(ids) if a not in self.registry), None)
            where = ("assistants", bad) if spec.assistants and bad is not None else ("assistants",)
            raise _located(spec, exc.message, *where) from None
        return Prepared(spec=spec, template=template, answers=answers, assistants=assistants)

    def check(self, slug: str | None = None) -> list[CheckResult]:
        """Validate one project's spec, or every project's."""
        slugs = [slug] if slug else self.project_slugs()
        results = []
        for name in slugs:
            try:
                project = self.project(name)
                self.prepare(project.load_spec())
                results.append(CheckResult(name, True))
            except SandboxError as exc:
                results.append(CheckResult(name, False, exc))
        return results

    # --- create and render -----------------------------------------------------------------
    def new_project(
        self,
        title: str,
        template: str,
        *,
        idea: str = "",
        audience: str = "",
        success: str = "",
        category: str = "",
        assistants: list[str] | None = None,
        answers: dict[str, Any] | None = None,
        slug: str | None = None,
        by: str | None = None,
    ) -> Created:
        """Validate everything first, then create the project atomically."""
        from sandbox.make.scaffold import create, slugify, unique_slug
        from sandbox.make.spec import ProjectSpec, slug_problem

        title = " ".join(title.split())
        if not title:
            raise ProjectError("the title is empty; give the idea a short name like 'Expense approvals'")
        for name, value in (("title", title), ("idea", idea), ("audience", audience), ("success", success),
                            ("category", category), ("slug", slug or ""), *(answers or {}).items()):
            _check_text(str(name), value)
        if slug:
            problem = slug_problem(slug)
            if problem:
                raise ProjectError(f"--slug '{slug}' {problem}")
            if (self.projects_dir / slug).exists():
                raise ProjectError(f"a project called '{slug}' already exists; choose another --slug")
        else:
            base = slugify(title)
            if not base:
                raise ProjectError(
                    f"the title {title!r} has no letters or digits to name a folder after; "
                    "add a word to it or pass --slug"
                )
            slug = unique_slug(self.projects_dir, base)
        chosen = self.template(template)
        spec = ProjectSpec(
            title=title,
            slug=slug,
            template=template,
            idea=idea.strip(),
            audience=audience.strip(),
            success=success.strip(),
            category=(category or chosen.category).strip(),
            assistants=list(assistants) if assistants else self.default_assistants(),
            vars=dict(answers or {}),
        )
        spec = self._as_checked(spec)
        prepared = self.prepare(spec)
        spec.vars = dict(prepared.answers)  # every answer is written out, so users see what to edit
        from sandbox.assistants.hooks import write_edit_hook

        return create(
            self.projects_dir, spec, prepared.template, prepared.answers, prepared.assistants,
            by=by, setup_variant=write_edit_hook, budget=self.render_budget(),
        )

    def _as_checked(self, spec: ProjectSpec) -> ProjectSpec:
        """``spec`` as ``check`` will read it once written: the same text through the same parser, so
        ``new`` refuses exactly what every later command would (a 120 KB title, a bad id)."""
        from sandbox.make.spec import dump_spec, parse_spec

        try:
            checked = parse_spec(dump_spec(spec), self.projects_dir / spec.slug / SPEC_FILE)
        except SpecError as exc:
            raise ProjectError(exc.message) from None  # no file:line yet: the file does not exist
        checked.path = checked.source = None  # later errors name the field, not a line of an unwritten file
        return checked

    def live_project(self, slug: str, **options: Any) -> LiveProject:
        """Watch one project: previews reload on every save and batches inside an open session are
        attributed to its assistant (options as for ``LiveProject``)."""
        from sandbox.assistants.sessions import record_change_batch
        from sandbox.live.loop import LiveProject
        from sandbox.make.scaffold import finish_killed_render

        with contextlib.suppress(OSError):  # a clean-up only: the render after it retries and reports
            finish_killed_render(self.project(slug).path)
        options.setdefault("record_changes", record_change_batch)
        return LiveProject(self, slug, **options)

    def doctor(self) -> DoctorReport:
        """Whether this machine is ready: each assistant's CLI, version, sign-in and hooks; browser,
        file watching, disk (``sandbox doctor``; the TUI shows it on Home when something is missing)."""
        from sandbox.assistants.doctor import diagnose

        return diagnose(self)

    def render(self, slug: str, *, by: str | None = None) -> RenderResult:
        """Re-render a project from its (valid) spec; appends a ``rendered`` event."""
        from sandbox.make.scaffold import render_again

        project = self.project(slug)
        prepared = self.prepare(project.load_spec())
        from sandbox.assistants.hooks import write_edit_hook

        result = render_again(
            project.path, prepared.spec, prepared.template, prepared.answers, prepared.assistants,
            setup_variant=write_edit_hook, budget=self.render_budget(),
        )
        project.append(
            ledger.RENDERED,
            files=result.written,
            conflicts=result.conflicts,
            removed=result.removed,
            new_variants=result.new_variants,
            seconds=round(result.seconds, 4),
            by=by,
        )
        return result


def _check_text(name: str, value: object) -> None:
    """Text typed on a command line can hold undecodable bytes; refuse them before anything is written."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                raise ProjectError(f"'{name}' contains bytes that are not UTF-8 text; retype it") from None


def _located(spec: ProjectSpec, message: str, *keys: str | int) -> SpecError:
    if spec.path is None:
        return SpecError(message)
    return spec.error(message, *keys)

