"""Create projects atomically and re-apply a template without clobbering anyone's edits.

``create`` renders every variant into a hidden folder beside the target and renames it into place,
so a crash or a kill leaves either no project or a whole one. ``render_again`` writes a freshly
rendered file only where the file on disk still has the hash of the last render (kept in
``.sandbox/manifest.json``); a file a person or an assistant changed is never overwritten: the new
render goes beside it as ``<name>.sandbox-new`` and is reported as a conflict. A killed re-render
is made whole by the next one (``sandbox.make.journal``), and a full disk is one plain line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core import ledger
from sandbox.core.errors import ProjectError
from sandbox.core.fs import atomic_write, disk_error, sha256_bytes, sha256_file
from sandbox.make import journal
from sandbox.make.brief import render_brief
from sandbox.make.budget import Budget
from sandbox.make.catalog import Template
from sandbox.make.layout import STATE_DIR, VARIANTS_DIR
from sandbox.make.paths import RESERVED_NAMES, segment_problem
from sandbox.make.render import render_template, template_context
from sandbox.make.spec import SPEC_FILE, ProjectSpec, dump_spec

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant

VariantSetup = Callable[[Path, "Assistant"], object]
"""Called on each new variant folder before it is published (the workspace passes the writer of the
assistants' own configuration, so ``make`` needs to know nothing about assistants)."""

MANIFEST_FILE = "manifest.json"
CONFLICT_SUFFIX = ".sandbox-new"
CREATING_PREFIX = ".creating-"
STATE_GITIGNORE = (
    "# run logs and open-session snapshots stay on this machine; manifest.json is shared\nruns/\nsessions/\n"
    "render.journal\nrender.lock\n"
)
GITATTRIBUTES_LINE = "*/ledger.jsonl merge=union"
MAX_SLUG = 60


def slugify(title: str) -> str:
    """Lowercase ASCII words joined by '-': 'Expense approvals!' -> 'expense-approvals'.

    A title in a script with no ASCII form ('报销审批') still gets a stable name ('idea-3f9c2a'),
    from a hash of the title; only a title of symbols alone gives an empty slug.
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
    slug = slug.strip("-")
    if not slug and any(ch.isalnum() for ch in title):
        import hashlib

        slug = "idea-" + hashlib.sha1(title.strip().encode("utf-8", "replace")).hexdigest()[:6]
    if slug in RESERVED_NAMES:  # 'Con' or 'Nul': folders no Windows clone can check out
        slug += "-idea"
    return slug


def unique_slug(projects_dir: Path, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet."""
    slug, number = base, 2
    while (projects_dir / slug).exists():
        suffix = f"-{number}"
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        number += 1
    return slug


@dataclass
class VariantRender:
    """The files of one variant, as rendered now: template output plus the assistant's brief."""

    assistant: Assistant
    files: dict[str, bytes]


def render_variants(
    template: Template, spec: ProjectSpec, answers: dict[str, Any], assistants: list[Assistant],
    budget: Budget | None = None,
) -> list[VariantRender]:
    """Render the template once (variants start identical: they are compared blind) plus each brief."""
    for assistant in assistants:
        problem = segment_problem(assistant.id)
        if problem is not None:
            raise ProjectError(f"assistant id '{assistant.id}' names the variant's folder, and {problem}; rename it")
    project = spec.project_context()
    shared = render_template(template, template_context(template, project, answers), budget)
    variants = []
    for assistant in assistants:
        files = dict(shared)
        if assistant.instructions:
            files[assistant.instructions] = render_brief(assistant, project, template, answers).encode("utf-8")
        variants.append(VariantRender(assistant, files))
    return variants


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    made: set[Path] = set()
    for relative, data in files.items():
        target = root / relative
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(data)


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder so the final rename publishes data that is really on disk."""
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(Path(dirpath) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(dirpath, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def manifest_for(variants: list[VariantRender], template: Template, spec_text: str) -> dict[str, Any]:
    """Hashes of every rendered file per variant, plus the hash of the spec they were rendered from
    (so a preview started later can tell that project.yaml changed while nobody was watching)."""
    return {
        "schema": 1,
        "template": template.name,
        "spec_sha256": sha256_bytes(spec_text.encode("utf-8")),
        "variants": {
            v.assistant.id: {"files": {path: sha256_bytes(data) for path, data in sorted(v.files.items())}}
            for v in variants
        },
    }


def read_manifest(project_dir: Path) -> dict[str, Any]:
    path = project_dir / STATE_DIR / MANIFEST_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {"schema": 1, "variants": {}}
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("variants"), dict):
        raise ProjectError("the render manifest is damaged; delete it to treat every file as edited", path=path)
    return data


def write_manifest(project_dir: Path, manifest: dict[str, Any]) -> None:
    atomic_write(project_dir / STATE_DIR / MANIFEST_FILE, json.dumps(manifest, indent=1, sort_keys=True).encode())


def ensure_gitattributes(projects_dir: Path) -> None:
    """``projects/.gitattributes`` makes git union-merge ledgers, so teams never get a conflict."""
    path = projects_dir / ".gitattributes"
    try:
        current = path.read_text("utf-8")
    except FileNotFoundError:
        current = ""
    if GITATTRIBUTES_LINE in current.splitlines():
        return
    text = current + ("" if not current or current.endswith("\n") else "\n")
    text += "# Ledgers are append-only: a union merge keeps every event from every branch.\n"
    text += GITATTRIBUTES_LINE + "\n"
    atomic_write(path, text.encode("utf-8"))


def clean_abandoned(projects_dir: Path) -> None:
    """Remove hidden build folders left by a create that was killed (its process is gone)."""
    if not projects_dir.is_dir():
        return
    for entry in projects_dir.iterdir():
        if not entry.name.startswith(CREATING_PREFIX) or not entry.is_dir():
            continue
        try:
            pid = int(entry.name[len(CREATING_PREFIX):].split("-")[0])
        except (IndexError, ValueError):
            pid = -1
        from sandbox.core.processes import pid_alive  # only when a build folder was left (socket is not free)

        if pid_alive(pid) and pid != os.getpid():
            continue
        shutil.rmtree(entry, ignore_errors=True)


@dataclass
class Created:
    slug: str
    path: Path
    variants: list[str]
    files: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "path": str(self.path), "variants": self.variants, "files": self.files,
                "seconds": round(self.seconds, 4)}


def create(
    projects_dir: Path,
    spec: ProjectSpec,
    template: Template,
    answers: dict[str, Any],
    assistants: list[Assistant],
    *,
    by: str | None = None,
    setup_variant: VariantSetup | None = None,
    budget: Budget | None = None,
) -> Created:
    """Write a whole new project at ``projects_dir/spec.slug`` or nothing at all.

    The caller has validated ``spec``, ``answers`` and ``assistants``. An existing project is never
    touched: the final rename refuses to replace it.
    """
    started = time.perf_counter()
    target = projects_dir / spec.slug
    if target.exists():
        raise ProjectError(
            f"a project called '{spec.slug}' already exists; choose another title or --slug", path=target
        )
    projects_dir.mkdir(parents=True, exist_ok=True)
    clean_abandoned(projects_dir)
    variants = render_variants(template, spec, answers, assistants, budget)
    staging = projects_dir / f"{CREATING_PREFIX}{os.getpid()}-{os.urandom(3).hex()}-{spec.slug}"
    try:
        staging.mkdir()
        spec_text = dump_spec(spec)
        (staging / SPEC_FILE).write_text(spec_text, "utf-8")
        file_count = 0
        for variant in variants:
            _write_tree(staging / VARIANTS_DIR / variant.assistant.id, variant.files)
            if setup_variant is not None:
                setup_variant(staging / VARIANTS_DIR / variant.assistant.id, variant.assistant)
            file_count += len(variant.files)
        (staging / STATE_DIR).mkdir()
        (staging / STATE_DIR / MANIFEST_FILE).write_text(
            json.dumps(manifest_for(variants, template, spec_text), indent=1, sort_keys=True), "utf-8"
        )
        (staging / STATE_DIR / ".gitignore").write_text(STATE_GITIGNORE, "utf-8")
        ledger.append(
            staging / ledger.LEDGER_FILE,
            ledger.CREATED,
            project=spec.slug,
            title=spec.title,
            template=template.name,
            category=spec.category or template.category,
            assistants=[a.id for a in assistants],
            files=file_count,
            by=by,
        )
        _fsync_tree(staging)
        if target.exists():
            raise ProjectError(
                f"a project called '{spec.slug}' was created meanwhile; nothing was written", path=target
            )
        staging.rename(target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        plain = disk_error(exc, outcome="nothing was written", path=projects_dir) if isinstance(exc, OSError) else None
        if plain is not None:
            raise plain from None
        raise
    ensure_gitattributes(projects_dir)
    return Created(
        slug=spec.slug,
        path=target,
        variants=[a.id for a in assistants],
        files=file_count,
        seconds=time.perf_counter() - started,
    )


@dataclass
class RenderResult:
    """What ``render_again`` did, per variant, in words the UI and ledger can show."""

    written: list[str] = field(default_factory=list)  # "<variant>/<path>"
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)  # "<variant>/<path>" with a .sandbox-new beside it
    removed: list[str] = field(default_factory=list)
    new_variants: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "removed": self.removed,
            "new_variants": self.new_variants,
            "seconds": round(self.seconds, 4),
        }


def render_again(
    project_dir: Path,
    spec: ProjectSpec,
    template: Template,
    answers: dict[str, Any],
    assistants: list[Assistant],
    *,
    setup_variant: VariantSetup | None = None,
    budget: Budget | None = None,
) -> RenderResult:
    """Re-apply the template after ``project.yaml`` changed, never overwriting edited files.

    Renders of one project take turns; each first completes what a killed one left (journal).
    """
    state_dir = project_dir / STATE_DIR
    with journal.render_lock(state_dir):
        notes = journal.Journal(state_dir)
        try:
            return _render_again_locked(project_dir, spec, template, answers, assistants, setup_variant, budget, notes)
        except OSError as exc:
            notes.close()
            plain = disk_error(
                exc, path=project_dir,
                outcome="the render stopped part-way (what it wrote is recorded); render again when it is fixed",
            )
            if plain is not None:
                raise plain from None
            raise
        finally:
            notes.close()


def finish_killed_render(project_dir: Path) -> bool:
    """Complete what a killed render left, without rendering: the journal into the manifest, its
    temporary files and half-built variants removed. True when there was something to complete.

    Renders do this first themselves; opening a project's previews (CLI and TUI) does it too, so an
    assistant or a browser never meets a killed render's ``.*.tmp`` files. A render running right now
    holds the lock and is left alone (it completes the journal itself).
    """
    state_dir = project_dir / STATE_DIR
    if not (state_dir / journal.JOURNAL_FILE).exists():
        return False
    with journal.render_lock(state_dir, wait=False) as held:
        if not held:
            return False
        manifest = read_manifest(project_dir)
        if journal.recover(state_dir, project_dir / VARIANTS_DIR, manifest):
            write_manifest(project_dir, manifest)
        return True


def _add_variant(root: Path, variant: VariantRender, setup_variant: VariantSetup | None, notes: journal.Journal
                 ) -> dict[str, str]:
    """Build a variant the project did not have in a hidden folder, then rename it into place."""
    staging = root.with_name(f"{CREATING_PREFIX}{os.getpid()}-{root.name}")
    shutil.rmtree(staging, ignore_errors=True)
    _write_tree(staging, variant.files)
    if setup_variant is not None:
        setup_variant(staging, variant.assistant)
    hashes = {p: sha256_bytes(d) for p, d in variant.files.items()}
    for relative, sha in hashes.items():
        notes.note(root.name, relative, sha)  # before the rename: a kill after it loses no hash
    staging.rename(root)
    return hashes


def _render_again_locked(
    project_dir: Path,
    spec: ProjectSpec,
    template: Template,
    answers: dict[str, Any],
    assistants: list[Assistant],
    setup_variant: VariantSetup | None,
    budget: Budget | None,
    notes: journal.Journal,
) -> RenderResult:
    started = time.perf_counter()
    result = RenderResult()
    manifest = read_manifest(project_dir)
    if journal.recover(project_dir / STATE_DIR, project_dir / VARIANTS_DIR, manifest):
        write_manifest(project_dir, manifest)
    rendered = render_variants(template, spec, answers, assistants, budget)
    manifest["template"] = template.name
    manifest["spec_sha256"] = sha256_file(spec.path) if spec.path is not None else None
    variants_state: dict[str, Any] = manifest.setdefault("variants", {})
    for variant in rendered:
        vid = variant.assistant.id
        root = project_dir / VARIANTS_DIR / vid
        if not root.exists():
            variants_state[vid] = {"files": _add_variant(root, variant, setup_variant, notes)}
            result.new_variants.append(vid)
            continue
        old_hashes: dict[str, str] = dict(variants_state.get(vid, {}).get("files", {}))
        new_hashes: dict[str, str] = {}
        for relative, data in variant.files.items():
            new_hash = sha256_bytes(data)
            path = root / relative
            on_disk = sha256_file(path)
            previous = old_hashes.get(relative)
            leftover = path.with_name(path.name + CONFLICT_SUFFIX)
            if on_disk == new_hash or (new_hash == previous and on_disk is not None):
                # Either the file already matches, or the template's output did not change since the
                # last render: whatever is on disk (maybe someone's edit) stays, and is no conflict.
                result.unchanged += 1
                new_hashes[relative] = new_hash
                if leftover.exists():
                    leftover.unlink()  # the conflict was resolved by taking the new version
            elif on_disk is None and previous is not None:
                new_hashes[relative] = previous  # someone deleted it on purpose: leave it deleted
            elif on_disk is None or on_disk == previous:
                notes.note(vid, relative, new_hash)
                atomic_write(path, data, fsync=False)
                result.written.append(f"{vid}/{relative}")
                new_hashes[relative] = new_hash
                if leftover.exists():
                    leftover.unlink()
            else:
                notes.note(vid, relative + CONFLICT_SUFFIX, None)
                atomic_write(leftover, data, fsync=False)
                result.conflicts.append(f"{vid}/{relative}")
                if previous is not None:
                    new_hashes[relative] = previous
        for relative, previous in old_hashes.items():
            if relative in variant.files:
                continue
            path = root / relative
            if sha256_file(path) == previous:
                path.unlink()
                result.removed.append(f"{vid}/{relative}")
        variants_state[vid] = {"files": new_hashes}
    write_manifest(project_dir, manifest)
    notes.finish()
    result.seconds = time.perf_counter() - started
    return result
