"""Sessions: spans of time in which one assistant works on one variant, and what it changed.

``start_session`` snapshots the variant (``sandbox.assistants.snapshot``) and records it as open on
disk (``sandbox.assistants.open_state``); ``end_session`` diffs the folder against the snapshot. A
crash between the two loses nothing: the open session is still on disk and can be ended later
(``sandbox session end``), by another process, after a reboot.

While a watcher runs (TUI, ``sandbox preview``), ``record_change_batch`` appends each batch inside
an open session as a ``change`` event, so the time to the first change is known. A batch outside a
session, or a path outside the session's variant, is never attributed to anyone. What counts as
noise is the workspace's one ignore policy (``sandbox.core.ignore``: the defaults plus
``sandbox.yaml``'s ``ignore:``), fixed when the session starts, so the watcher, the change batches
and the final diff agree.

Files written by the sandbox's own re-render during a session (their content equals the render
manifest's hash) are not attributed to the assistant.

Headless runs (``sandbox.assistants.runs``) use the same machinery with ``mode: "run"``: the open
state marks the variant busy and attributes change batches and edits to the run; the run is closed
by a ``run`` event instead of ``session_ended``.

Ledger events written here (field names are part of the contract with report and TUI):

- ``session_started``: variant, assistant, session (id), mode ("session"), files (count),
  lines (total), by.
- ``session_ended``: variant, assistant, session, started_at, seconds (float), files_added,
  files_changed, files_deleted (lists of paths relative to the variant), lines_added,
  lines_removed, score (1-5, optional), note (optional), by.
- ``change``: variant, assistant, session, files (list), lines_added, lines_removed.
- ``edit``: variant, assistant, session, file, tool, source "hook" (from the assistant's own hook).
- the closing events also carry ``attribution``: "hooks" when the assistant's hook reported edits,
  "diff" otherwise, with ``hook_silent: true`` when files changed but a hook-capable assistant
  reported none (its hook could not reach ``sandbox``, or the folder was not trusted).
- ``run``: written by ``sandbox.assistants.runs`` (see there); ``close_stale_run`` writes one with
  ``interrupted: true`` for a run whose process died.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.assistants import confine, open_state, snapshot, spool, violations
from sandbox.core import ledger
from sandbox.core.errors import AssistantError, ProjectError, SandboxError, SessionError
from sandbox.core.fs import sha256_bytes
from sandbox.core.ignore import IgnoreRules, project_rules, settings_patterns
from sandbox.core.ledger import Event
from sandbox.core.processes import process_alive, process_identity

if TYPE_CHECKING:
    from sandbox.workspace import Project

MODE_SESSION = "session"
MODE_RUN = "run"


# --- where a variant is, and what is open on it --------------------------------------------------


def check_variant(project: Project, variant: str) -> Path:
    """The variant's folder, or a one-line error listing the project's variants."""
    root = Path(project.variant_dir(variant))
    if not open_state.plain_name(variant) or not root.is_dir():
        known = ", ".join(project.variant_ids()) or "none"
        raise ProjectError(f"project '{project.slug}' has no variant '{variant}' (variants: {known})")
    return root


def open_session(project: Project, variant: str) -> Event | None:
    """The open session's start event of ``variant`` (for a headless run: a ``run``-mode stand-in)."""
    state = open_state.load_state(project, variant)
    return dict(state["event"]) if state else None


def open_sessions(project: Project, *, damaged: list[SandboxError] | None = None) -> dict[str, Event]:
    """Every open session of the project, by variant (found on disk, so they survive a crash).

    A damaged open-session file is skipped here (the TUI must still list the others); pass
    ``damaged`` to collect those errors, so that ``session list`` can say why a variant is stuck.
    """
    found: dict[str, Event] = {}
    for variant in open_state.open_variants(project):
        try:
            event = open_session(project, variant)
        except SessionError as exc:
            if damaged is not None:
                damaged.append(exc)
            continue
        if event is not None:
            found[variant] = event
    return found


def run_is_stale(event: Event) -> bool:
    """A run-mode open state whose sandbox process is gone (killed, crashed, machine rebooted)."""
    return event.get("mode") == MODE_RUN and not process_alive(
        int(event.get("pid") or 0), event.get("host"), event.get("process")
    )


def ledger_safe_id(value: str) -> bool:
    """Whether ``value`` is a valid assistant id (reports group the ledger by it)."""
    from sandbox.assistants.registry import ID_RE

    return bool(ID_RE.match(value))


# --- the ignore policy of a session ----------------------------------------------------------------


def workspace_patterns(project: Project) -> list[str]:
    """``sandbox.yaml``'s ``ignore:`` patterns of the workspace holding ``project`` (checked, one-line errors)."""
    from sandbox.core.settings import load_settings

    return settings_patterns(load_settings(project.path.parent.parent))  # <workspace>/projects/<slug>


@functools.lru_cache(maxsize=16)
def _rules(patterns: tuple[str, ...]) -> IgnoreRules:
    return project_rules(patterns)  # anchored patterns are relative to each variant, as for the watcher


def state_rules(state: dict[str, Any]) -> IgnoreRules:
    """The ignore policy a session was started with (an older state without patterns: the defaults)."""
    patterns = state.get("ignore")
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        patterns = []
    return _rules(tuple(patterns))


def variant_base(project: Project, variant: str) -> str:
    """Where the variant sits in the project folder ('variants/<id>'): ignore patterns are relative to it."""
    return Path(project.variant_dir(variant)).relative_to(project.path).as_posix()


# --- start and end ----------------------------------------------------------------------------


def begin(
    project: Project,
    variant: str,
    *,
    assistant: str,
    mode: str = MODE_SESSION,
    by: str | None = None,
    extra: dict[str, Any] | None = None,
    confinement: confine.Mode | None = None,
) -> Event:
    """Snapshot ``variant`` and record it as open; returns the start event.

    ``confinement``: how the sandbox is about to start the assistant itself (a run, ``sandbox
    open``). The span then gets a scratch folder for its hook spool, its events say whether it
    was contained, and an unconfined span gets a baseline of everything around the variant, to
    find its violations at the close (``sandbox.assistants.violations``).

    Refuses when a session or run is already open there: overlapping spans would make attribution
    ambiguous. A run-mode state left by a dead process is closed first (as an interrupted run).
    A session's ``session_started`` is appended while the variant is still locked, so another
    process can never record its end (or a change in it) before its start; a run's start is not
    appended (its ``run`` event at the end carries ``started_at``).

    A killed render is completed first (``scaffold.finish_killed_render``): otherwise its
    ``.*.tmp`` files would be in the snapshot, the assistant would meet them, and the files it had
    landed would look edited at the next render.
    """
    from sandbox.make import journal

    if (Path(project.state_dir) / journal.JOURNAL_FILE).exists():  # the scaffolder is loaded only then
        from sandbox.make.scaffold import finish_killed_render

        with contextlib.suppress(OSError):  # a clean-up only: the next render retries it and reports
            finish_killed_render(project.path)
    root = check_variant(project, variant)
    if not ledger_safe_id(assistant):
        raise AssistantError(f"assistant id '{assistant}' must be lowercase letters, digits, '-' or '_'")
    patterns = workspace_patterns(project)
    with open_state.variant_lock(project, variant):
        state = open_state.load_state(project, variant)
        if state is not None and run_is_stale(state["event"]):
            _close_stale_run_locked(project, variant, state)
            state = None
        if state is not None:
            _refuse_overlap(project, variant, state["event"])
        store = open_state.content_store(project, variant)  # unchanged files are not read again
        files = snapshot.take_snapshot(root, _rules(tuple(patterns)), base=variant_base(project, variant),
                                       store=store)
        event = ledger.new_event(
            ledger.SESSION_STARTED if mode == MODE_SESSION else ledger.RUN,
            project=project.slug,
            variant=variant,
            assistant=assistant,
            session=uuid.uuid4().hex[:16],
            mode=mode,
            files=len(files),
            lines=sum(f.lines for f in files.values()),
            by=by,
            **(extra or {}),
            **(confinement.fields() if confinement is not None else {}),
        )
        snapshot.write_stored_pack(open_state.pack_path(project, variant), files, store)
        open_state.save_state(project, variant, {
            "schema": open_state.STATE_SCHEMA,
            "event": {**event, "pid": os.getpid(), "host": socket.gethostname(),
                      "process": process_identity(os.getpid())},
            "files": snapshot.encode_files(files),
            "ignore": patterns,
            **({"scratch": str(confine.scratch_dir(project, event["session"]))} if confinement is not None else {}),
        })
        if confinement is not None and not confinement.contained:
            violations.take_baseline(project, variant)
        if mode == MODE_SESSION:
            try:
                ledger.append_events(project.ledger_path, [event])
            except BaseException:  # not in the ledger: not open either
                open_state.remove_state(project, variant)
                violations.drop(project, variant)
                raise
        return event


def _refuse_overlap(project: Project, variant: str, current: Event) -> None:
    if current.get("mode") == MODE_RUN:  # alive (a dead one was closed first): ending it would fail
        raise SessionError(
            f"a headless run of {current.get('assistant')} is still working on variant '{variant}' of "
            f"'{project.slug}' (since {current.get('at')}); wait for it to finish"
        )
    raise SessionError(
        f"a session of {current.get('assistant')} is already open on variant '{variant}' of "
        f"'{project.slug}' since {current.get('at')}; "
        f"end it first with 'sandbox session end {project.slug} --variant {variant}'"
    )


def render_hashes(project: Project, variant: str) -> dict[str, str]:
    """The render manifest's hashes for ``variant``: content the sandbox itself wrote."""
    try:
        manifest = json.loads((Path(project.state_dir) / "manifest.json").read_text("utf-8"))
        files = manifest["variants"][variant]["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}


def diff_since(project: Project, variant: str, state: dict[str, Any]) -> snapshot.Diff:
    """Compare the variant on disk with the snapshot in ``state``."""
    root = Path(project.variant_dir(variant))
    rules, base = state_rules(state), variant_base(project, variant)
    before = snapshot.decode_files(state.get("files") or {})
    now = snapshot.take_snapshot(root, rules, base=base, previous=before,
                                 store=open_state.content_store(project, variant))
    # Entries the policy ignores now (a newer default list) would otherwise look deleted; only the
    # few missing from ``now`` can be such, so only they are asked about.
    for rel in [rel for rel in before if rel not in now and rules.ignored(f"{base}/{rel}")]:
        del before[rel]
    return snapshot.compare(root, before, now, rendered=render_hashes(project, variant),
                            pack=lambda: snapshot.read_pack(open_state.pack_path(project, variant)))


def _already_ended(project: Project, session_id: str, kind: str) -> bool:
    """After a crash between the ledger append and the cleanup: was this span already closed?"""
    try:
        raw = Path(project.ledger_path).read_bytes()
    except FileNotFoundError:
        return False
    if session_id.encode() not in raw:
        return False
    events = ledger.read(project.ledger_path).events
    return any(e.get("kind") == kind and e.get("session") == session_id for e in events)


def _seconds_since(at: str | None) -> float:
    if not at:
        return 0.0
    try:
        started = ledger.parse_time(at)
    except ValueError:
        return 0.0
    return round(max(0.0, (datetime.now(UTC) - started).total_seconds()), 3)


def _span_fields(event: Event) -> dict[str, Any]:
    return {k: event.get(k) for k in ("variant", "assistant", "session")}


def start_session(
    project: Project, variant: str, *, assistant: str | None = None, by: str | None = None,
    extra: dict[str, Any] | None = None, confinement: confine.Mode | None = None,
) -> Event:
    """Snapshot the variant and append ``session_started``; the assistant defaults to the variant's.

    ``extra`` adds fields to the event (the brief hash and overrides of ``launch.check_fairness``);
    ``confinement`` is given when the sandbox itself launches the assistant (``sandbox open``), see ``begin``.
    """
    return begin(project, variant, assistant=assistant or variant, by=by,
                 extra={k: v for k, v in (extra or {}).items() if v is not None}, confinement=confinement)


def end_session(
    project: Project, variant: str, *, score: int | None = None, note: str | None = None, by: str | None = None
) -> Event:
    """Diff the variant against the session's snapshot and append ``session_ended``.

    Works in a later process than the one that started the session (after a crash or a reboot).
    A headless run whose process died is closed as an interrupted ``run`` instead. A session whose
    variant folder was deleted meanwhile can still be ended (everything shows as deleted), so it
    does not stay open for ever.
    """
    if not (open_state.plain_name(variant) and open_state.state_path(project, variant).is_file()):
        check_variant(project, variant)
    if score is not None and not (1 <= score <= 5):
        raise SessionError(f"--score must be a whole number from 1 to 5, not {score}")
    with open_state.variant_lock(project, variant):
        state = open_state.load_state(project, variant)
        if state is None:
            raise SessionError(
                f"no open session on variant '{variant}' of '{project.slug}'; "
                f"start one with 'sandbox session start {project.slug} --variant {variant}'"
            )
        start = state["event"]
        if start.get("mode") == MODE_RUN:
            if not run_is_stale(start):
                raise SessionError(
                    f"a headless run is still working on variant '{variant}' (process {start.get('pid')}); "
                    "wait for it to finish, or stop it with Ctrl-C where it runs"
                )
            return _close_stale_run_locked(project, variant, state)
        if _already_ended(project, start["session"], ledger.SESSION_ENDED):
            open_state.remove_state(project, variant)
            raise SessionError(f"the session on variant '{variant}' was already ended; nothing to do")
        return _close_locked(project, variant, state, ledger.SESSION_ENDED, {
            "seconds": _seconds_since(start.get("at")),
            "score": score,
            "note": note.strip() if note and note.strip() else None,
            "by": by,
        }, hook_capable=_hook_capable(project, start.get("assistant")))


def _close_locked(
    project: Project, variant: str, state: dict[str, Any], kind: str, fields: dict[str, Any],
    *, hook_capable: bool = False,
) -> Event:
    """Diff against the snapshot, append the closing event, then forget the open state.

    In this order so that a crash in between leaves the state, and ``_already_ended`` finds the
    event; the caller holds the variant lock.
    """
    start = state["event"]
    confine.sweep(str(start.get("session")))  # what outlived the assistant must not write after the diff
    diff = diff_since(project, variant, state)
    changed = diff.fields()
    edits, extra = _spooled(project, variant, state), _confinement_fields(project, variant, start)
    if edits.rejected:
        extra["spool_rejected"] = edits.rejected
    attribution = _attribution(project, str(start.get("session")), changed, hook_capable, spooled=len(edits.events))
    event = ledger.new_event(kind, project=project.slug, **_span_fields(start), started_at=start.get("at"),
                             **{**extra, **fields}, **changed,
                             **{k: v for k, v in attribution.items() if v is not None})
    ledger.append_events(project.ledger_path, [*edits.events, event])
    open_state.remove_state(project, variant)
    violations.drop(project, variant)
    return event


def _spooled(project: Project, variant: str, state: dict[str, Any]) -> spool.Replay:
    """The edits the span's hooks spooled that hold up (``sandbox.assistants.spool``)."""
    scratch = state.get("scratch")
    if not isinstance(scratch, str):
        return spool.Replay()
    root = Path(project.variant_dir(variant))
    rules, base = state_rules(state), variant_base(project, variant)
    return spool.replay(Path(scratch) / confine.SPOOL_FILE, state["event"], inside=lambda path: _inside(root, path),
                        ignored=lambda rel: rules.ignored(f"{base}/{rel}"))


def _confinement_fields(project: Project, variant: str, start: Event) -> dict[str, Any]:
    """``contained``, ``confinement`` and, for an unconfined span, its ``violations`` (docs/EVENTS.md)."""
    fields: dict[str, Any] = {k: start[k] for k in ("contained", "confinement") if k in start}
    if violations.guarded(project, variant):
        fields["violations"] = violations.find_violations(project, variant, start)
    return fields


def close_stale_runs(project: Project) -> list[Event]:
    """Close every run of ``project`` whose sandbox process died, as interrupted (the next command does this)."""
    closed: list[Event] = []
    for variant, start in open_sessions(project).items():
        if not run_is_stale(start):
            continue
        with open_state.variant_lock(project, variant):
            state = open_state.load_state(project, variant)
            if state is not None and run_is_stale(state["event"]):
                closed.append(_close_stale_run_locked(project, variant, state))
    return closed


def finish_run(project: Project, variant: str, fields: dict[str, Any], *, hook_capable: bool = False) -> Event:
    """Close a run-mode state: diff, append the ``run`` event built from ``fields``, clean up."""
    with open_state.variant_lock(project, variant):
        state = open_state.load_state(project, variant)
        if state is None:
            raise SessionError(f"the run on variant '{variant}' lost its snapshot; nothing was recorded")
        return _close_locked(project, variant, state, ledger.RUN, fields, hook_capable=hook_capable)


def _attribution(
    project: Project, session_id: str, changed: dict[str, Any], hook_capable: bool, *, spooled: int = 0
) -> dict[str, Any]:
    """How the span's changes are attributed: by the assistant's hook, or from the diff only.

    ``spooled``: the hook's edits that came through the confinement's spool (not yet in the ledger).
    """
    edits = spooled or _edits_in(project, session_id)
    if edits:
        return {"attribution": "hooks"}
    if not any(changed.get(f"files_{what}") for what in ("added", "changed", "deleted")):
        return {}
    return {"attribution": "diff", "hook_silent": True if hook_capable else None}


def _edits_in(project: Project, session_id: str) -> int:
    """How many ``edit`` events the span's hook recorded."""
    try:
        raw = Path(project.ledger_path).read_bytes()
    except FileNotFoundError:
        return 0
    if session_id.encode() not in raw:
        return 0
    return sum(1 for e in ledger.read(project.ledger_path).events
               if e.get("kind") == ledger.EDIT and e.get("session") == session_id)


def _hook_capable(project: Project, assistant: Any) -> bool:
    """Whether the session's assistant reports edits through a hook (a damaged sandbox.yaml: no)."""
    from sandbox.assistants.registry import load_registry
    from sandbox.core.settings import load_settings

    try:
        registry = load_registry(load_settings(project.path.parent.parent))
    except SandboxError:
        return False
    found = registry.get(str(assistant))
    return bool(found and found.edit_hook)


def _close_stale_run_locked(project: Project, variant: str, state: dict[str, Any]) -> Event:
    """Record a run whose sandbox process died as interrupted, with what it changed until now."""
    start: Event = state["event"]
    if _already_ended(project, start["session"], ledger.RUN):
        open_state.remove_state(project, variant)
        return start
    return _close_locked(project, variant, state, ledger.RUN, {
        "command": start.get("command"),
        "run_id": start.get("run_id"),
        "log": start.get("log"),
        "exit_code": None,
        "seconds": _seconds_since(start.get("at")),
        "timed_out": False,
        "interrupted": True,
        "ok": False,
        "failure": "interrupted",
        "reason": "interrupted: the sandbox stopped before the run ended",
    }, hook_capable=_hook_capable(project, start.get("assistant")))


# --- attribution of live changes ----------------------------------------------------------------


def _inside(root: Path, path: str | os.PathLike[str]) -> str | None:
    """``path`` relative to ``root`` (posix), or None when it is outside it.

    A relative ``path`` is taken relative to the current folder when that lands inside ``root``,
    else relative to ``root`` itself (watchers give absolute paths; people type short ones).
    """
    p = Path(path)
    rel: Path | None = None
    for candidate in ((p,) if p.is_absolute() else (p, root / p)):
        for base, target in ((root, candidate), (root.resolve(), candidate.resolve())):
            try:
                rel = Path(os.path.normpath(target)).relative_to(os.path.normpath(base))
                break
            except ValueError:
                continue
        if rel is not None:
            break
    if rel is None or not rel.parts or ".." in rel.parts:
        return None
    return rel.as_posix()


def _previous_version(
    rel: str, seen: dict[str, Any], before: dict[str, Any], pack: Callable[[], Mapping[str, bytes]]
) -> tuple[str | None, int, bytes | None]:
    """(sha, lines, bytes when kept) of ``rel`` as last seen: the last batch's, else the snapshot's."""
    if rel in seen:
        old_text = seen[rel].get("text")
        return seen[rel]["sha"], int(seen[rel].get("lines") or 0), (
            old_text.encode("latin-1") if isinstance(old_text, str) else None
        )
    if rel in before:
        return before[rel][0], int(before[rel][1]), pack().get(rel)
    return None, 0, None


def record_change_batch(project: Project, variant: str, paths: Iterable[str | os.PathLike[str]]) -> Event | None:
    """Append a ``change`` event for a watcher batch, only inside an open session of ``variant``.

    Lines are counted against the file's previous version: the last batch's (kept in
    ``<variant>.seen.json``) or the session snapshot's. Paths outside the variant or ignored by
    the session's policy, unchanged content (a save without edits) and the sandbox's own
    re-render are not attributed.
    """
    if not open_state.state_path(project, variant).exists():
        return None  # the common case while a watcher runs: no session, nothing to attribute
    root = Path(project.variant_dir(variant))
    inside = sorted({rel for rel in (_inside(root, p) for p in paths) if rel is not None})
    if not inside:
        return None
    with open_state.variant_lock(project, variant):
        state = open_state.load_state(project, variant)
        if state is None:
            return None
        rules, base = state_rules(state), variant_base(project, variant)
        wanted = [rel for rel in inside if not rules.ignored(f"{base}/{rel}")]
        if not wanted:
            return None
        before = state.get("files") or {}
        seen = open_state.load_seen(project, variant)
        rendered = render_hashes(project, variant)
        pack_file = open_state.pack_path(project, variant)
        pack = functools.cache(lambda: snapshot.read_pack(pack_file))  # read only if a snapshot file changed
        files: list[str] = []
        added_total = removed_total = 0
        for rel in wanted:
            data = snapshot.read_file(root / rel)
            new_sha = sha256_bytes(data) if data is not None else None
            old_sha, old_lines, old_data = _previous_version(rel, seen, before, pack)
            if new_sha == old_sha:
                continue
            text = data is not None and snapshot.is_text(data)
            seen[rel] = {
                "sha": new_sha,
                "lines": snapshot.count_lines(data) if data is not None and text else 0,
                "text": data.decode("latin-1") if data is not None and text else None,
            }
            if new_sha is not None and rendered.get(rel) == new_sha:
                continue  # the sandbox's re-render
            files.append(rel)
            added, removed = _batch_delta(data, text, old_sha, old_lines, old_data)
            added_total += added
            removed_total += removed
        open_state.save_seen(project, variant, seen)
        if not files:
            return None
        return project.append(
            ledger.CHANGE, **_span_fields(state["event"]), files=files, lines_added=added_total,
            lines_removed=removed_total,
        )


def _batch_delta(
    data: bytes | None, text: bool, old_sha: str | None, old_lines: int, old_data: bytes | None
) -> tuple[int, int]:
    """(lines added, removed) of one file of a batch against its previous version."""
    if data is None:
        return 0, old_lines  # deleted
    if not text:
        return 0, 0
    if old_sha is None:
        return snapshot.count_lines(data), 0  # new
    if old_data is not None:
        return snapshot.line_delta(old_data, data)
    return snapshot.estimated_delta(old_lines, snapshot.count_lines(data))


def record_edit(
    project: Project, variant: str, file: str | os.PathLike[str], tool: str | None, *, assistant: str | None = None
) -> Event | None:
    """Append an ``edit`` event (from an assistant's own hook) inside an open session only.

    ``assistant``, when given, must be the open session's assistant: a Claude Code hook firing in a
    variant where a session of another assistant is open is not evidence for either of them.
    """
    rel = _inside(Path(project.variant_dir(variant)), file)
    if rel is None:
        return None
    state = open_state.load_state(project, variant)
    if state is None:
        return None
    start: Event = state["event"]
    if (assistant and start.get("assistant") != assistant) or state_rules(state).ignored(
        f"{variant_base(project, variant)}/{rel}"
    ):
        return None
    return project.append(ledger.EDIT, **_span_fields(start), mode=start.get("mode"), file=rel, tool=tool or None,
                          source="hook")
