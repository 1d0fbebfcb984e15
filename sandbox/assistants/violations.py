"""After the fact: what an unconfined assistant changed outside its variant while it worked.

Without confinement (``sandbox.assistants.confine``) nothing stops an assistant writing into the
sibling variant, ``project.yaml``, the ledger or ``.sandbox/``; the least the sandbox owes the
comparison is to notice. ``take_baseline`` records, when the run or session starts, the state of
everything around the variant; ``find_violations`` at its close lists what changed since, as the
``violations`` of the closing event: ``[{"path", "what", "detail"}]`` with ``what`` one of

- ``sibling``: a file of another variant (a sibling that had its own run or session open meanwhile
  is left out: its own record attributes that change);
- ``spec``: ``project.yaml``;
- ``ledger``: a line the sandbox did not write (every sandbox process notes the ids it appends
  while a guard is up, ``sandbox.core.ledger.OWN_WRITES``), or earlier lines changed;
- ``state``: ``.sandbox/`` (the open state of this very span, the render manifest without a
  re-render, anything outside the folders the sandbox itself keeps busy);
- ``write``: any other file of the project outside the variant;
- ``outside``: the workspace outside this project, and the folder holding the workspace.

Any change counts, whoever made it: a person editing a sibling by hand meanwhile shows too (the
detail says "changed during the run"). Writes elsewhere on the disk cannot be seen afterwards;
the notice at the start says so.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.assistants import open_state
from sandbox.core import ledger
from sandbox.core.fs import atomic_write, sha256_bytes, sha256_file
from sandbox.core.ignore import IgnoreRules

if TYPE_CHECKING:
    from sandbox.workspace import Project

MAX_OUTSIDE_FILES = 20_000  # a workspace bigger than this is checked up to here
# Folders of .sandbox/ that sandbox processes write all the time (other variants' sessions, run logs,
# scratch folders, blind links, the guard itself): not evidence of anything.
_BUSY_STATE = ("runs/", "scratch/", "compare/", "guard/", "sessions/", "own-writes")

Violation = dict[str, str]


def _guard(project: Project) -> Path:
    return Path(project.path) / ledger.GUARD_DIR


def _baseline_path(project: Project, variant: str) -> Path:
    return open_state.sessions_dir(project) / f"{variant}.baseline"


def _own_state(variant: str) -> tuple[str, ...]:
    return (f"sessions/{variant}.json", f"sessions/{variant}.pack")


def _hashes(root: Path, rules: IgnoreRules, *, base: str = "", skip: tuple[str, ...] = ()) -> dict[str, str]:
    found: dict[str, str] = {}
    for rel in rules.walk(root, base=base):
        if any(rel == s or rel.startswith(s) for s in skip):
            continue
        digest = sha256_file(root / rel)
        if digest is not None:
            found[rel] = digest
    return found


def _project_files(project: Project, variant: str) -> dict[str, str]:
    """Every file of the project outside the variant, ``.sandbox/`` and the ledger: path -> sha256."""
    rules = IgnoreRules()  # defaults only: .git, node_modules and .sandbox are never walked
    return _hashes(Path(project.path), rules, skip=(f"variants/{variant}/", ledger.LEDGER_FILE))


def _state_files(project: Project, variant: str) -> dict[str, str]:
    root = Path(project.state_dir)
    found: dict[str, str] = {}
    if not root.is_dir():
        return found
    own = _own_state(variant)
    for path in root.rglob("*"):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or (rel.startswith(_BUSY_STATE) and rel not in own):
            continue
        digest = sha256_file(path)
        if digest is not None:
            found[rel] = digest
    return found


def _stats(root: Path, *, recursive: bool, skip: tuple[str, ...]) -> dict[str, list[int]]:
    """path -> [size, mtime_ns] of files (folders: [-1, 0], so a new one shows), up to MAX_OUTSIDE_FILES."""
    found: dict[str, list[int]] = {}
    if recursive:
        for rel, st in IgnoreRules().walk(root).items():
            if len(found) >= MAX_OUTSIDE_FILES:
                break
            if not any(rel == s or rel.startswith(s) for s in skip) and not rel.endswith(f"/{ledger.LEDGER_FILE}"):
                found[rel] = [st.st_size, st.st_mtime_ns]
        return found
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            if entry.name in skip:
                continue
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                found[entry.name] = [-1, 0] if entry.is_dir() else [st.st_size, st.st_mtime_ns]
    return found


def _bytes_of(path: Path) -> bytes:
    """The file's bytes; a ledger not written yet is empty."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def _ledger_mark(project: Project) -> dict[str, Any]:
    path = Path(project.ledger_path)
    own = Path(project.path) / ledger.OWN_WRITES
    with ledger.holding_lock(path):
        data = _bytes_of(path)
        try:
            noted = own.stat().st_size
        except FileNotFoundError:
            noted = 0
    return {"size": len(data), "prefix": sha256_bytes(data), "noted": noted}


def _workspace_of(project: Project) -> Path:
    return Path(project.path).resolve().parent.parent  # <workspace>/projects/<slug>; resolved: the CLI's is "."


def take_baseline(project: Project, variant: str) -> None:
    """Record everything around ``variant`` now, and raise the guard (the caller holds the variant lock)."""
    guard = _guard(project)
    for _ in range(5):  # another span's close may remove the empty folder between the two steps
        guard.mkdir(parents=True, exist_ok=True)
        try:
            (guard / variant).write_text(variant, "utf-8")
            break
        except FileNotFoundError:
            continue
    workspace = _workspace_of(project)
    project_rel = Path(project.path).resolve().relative_to(workspace).as_posix() + "/"
    parent = workspace.parent
    baseline = {
        "project": _project_files(project, variant),
        "state": _state_files(project, variant),
        "ledger": _ledger_mark(project),
        "workspace": _stats(workspace, recursive=True, skip=(project_rel,)),
        "parent": None if parent == Path.home() else _stats(parent, recursive=False, skip=(workspace.name,)),
    }
    atomic_write(_baseline_path(project, variant), json.dumps(baseline).encode("utf-8"), fsync=False)


def guarded(project: Project, variant: str) -> bool:
    """Whether the open span on ``variant`` has a baseline (it runs without confinement)."""
    return _baseline_path(project, variant).is_file()


def drop(project: Project, variant: str) -> None:
    """Forget the baseline and lower this span's guard (the folder goes when no other span holds it)."""
    _baseline_path(project, variant).unlink(missing_ok=True)
    (_guard(project) / variant).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _guard(project).rmdir()


def find_violations(project: Project, variant: str, start: ledger.Event) -> list[Violation]:
    """Everything outside ``variant`` that changed since ``take_baseline`` (see the module docstring)."""
    try:
        baseline = json.loads(_baseline_path(project, variant).read_text("utf-8"))
    except (OSError, ValueError):
        return [{"path": ".sandbox/", "what": "state", "detail": "the record of the project before the run is gone"}]
    found: list[Violation] = []
    new_lines = _ledger_violations(project, baseline.get("ledger") or {}, found)
    busy = _busy_siblings(project, variant, new_lines, start)
    _project_violations(project, variant, baseline.get("project") or {}, busy, found)
    _state_violations(project, variant, baseline.get("state") or {}, new_lines, found)
    workspace = _workspace_of(project)
    project_rel = Path(project.path).resolve().relative_to(workspace).as_posix() + "/"
    now = _stats(workspace, recursive=True, skip=(project_rel,))
    _changed(baseline.get("workspace") or {}, now, "outside", found, prefix=f"{workspace.name}/")
    if isinstance(baseline.get("parent"), dict):  # None: the workspace is in HOME, too busy to watch
        now_parent = _stats(workspace.parent, recursive=False, skip=(workspace.name,))
        _changed(baseline["parent"], now_parent, "outside", found, prefix=f"{workspace.parent}/")
    return found


def _ledger_violations(project: Project, mark: dict[str, Any], found: list[Violation]) -> list[ledger.Event]:
    """Lines appended since the mark that no sandbox process noted; the new events, for the other checks."""
    path = Path(project.ledger_path)
    own_path = Path(project.path) / ledger.OWN_WRITES
    size, noted = int(mark.get("size") or 0), int(mark.get("noted") or 0)
    with ledger.holding_lock(path):
        data = _bytes_of(path)
        try:
            with own_path.open("rb") as handle:
                handle.seek(noted)
                own = set(handle.read().decode("ascii", "replace").split())
        except FileNotFoundError:
            own = set()
    if len(data) < size or sha256_bytes(data[:size]) != mark.get("prefix"):
        found.append({"path": ledger.LEDGER_FILE, "what": "ledger", "detail": "earlier lines were changed or removed"})
        return []
    events: list[ledger.Event] = []
    for line in data[size:].splitlines():
        try:
            event = json.loads(line) if line.strip() else None
        except (ValueError, RecursionError):  # deep nesting: not JSON we read
            event = None
        if not isinstance(event, dict):
            if line.strip():
                found.append({"path": ledger.LEDGER_FILE, "what": "ledger", "detail": "a line that is not an event"})
            continue
        if event.get("id") not in own:
            found.append({"path": ledger.LEDGER_FILE, "what": "ledger",
                          "detail": f"a '{event.get('kind')}' line the sandbox did not write"})
            continue
        events.append(event)
    return events


def _busy_siblings(project: Project, variant: str, new: list[ledger.Event], start: ledger.Event) -> set[str]:
    """Siblings with a run or session of their own during this span: their changes are theirs."""
    busy = {v for v in open_state.open_variants(project) if v != variant}
    closing = (ledger.RUN, ledger.SESSION_ENDED, ledger.SESSION_STARTED)
    mine = start.get("session")
    busy |= {str(e.get("variant")) for e in new if e.get("kind") in closing and e.get("session") != mine}
    return busy


def _project_violations(
    project: Project, variant: str, before: dict[str, str], busy: set[str], found: list[Violation]
) -> None:
    now = _project_files(project, variant)
    for rel in sorted(set(before) | set(now)):
        if before.get(rel) == now.get(rel):
            continue
        parts = rel.split("/")
        if rel == "project.yaml":
            what = "spec"
        elif parts[0] == "variants" and len(parts) > 2:
            if parts[1] in busy:
                continue
            what = "sibling"
        else:
            what = "write"
        found.append({"path": rel, "what": what, "detail": _how(before.get(rel), now.get(rel))})


def _state_violations(
    project: Project, variant: str, before: dict[str, str], new: list[ledger.Event], found: list[Violation]
) -> None:
    rerendered = any(e.get("kind") == ledger.RENDERED for e in new)
    now = _state_files(project, variant)
    for rel in sorted(set(before) | set(now)):
        if before.get(rel) == now.get(rel) or (rel == "manifest.json" and rerendered):
            continue
        found.append({"path": f".sandbox/{rel}", "what": "state", "detail": _how(before.get(rel), now.get(rel))})


def _changed(before: dict[str, Any], now: dict[str, Any], what: str, found: list[Violation], *, prefix: str) -> None:
    found.extend({"path": prefix + rel, "what": what, "detail": _how(before.get(rel), now.get(rel))}
                 for rel in sorted(set(before) | set(now)) if before.get(rel) != now.get(rel))


def _how(before: object, now: object) -> str:
    if before is None:
        return "created during the run"
    if now is None:
        return "deleted during the run"
    return "changed during the run"
