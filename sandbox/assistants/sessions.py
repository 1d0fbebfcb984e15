"""Sessions: spans of time in which one assistant works on one variant, and what it changed.

Why snapshots and not only a watcher: a designer may start a session, close the laptop and end it
the next day, with no process running in between. So ``start_session`` records the variant's state
on disk (``.sandbox/sessions/<variant>.json``: path -> sha256, line count, size, mtime) plus a
compressed copy of its text files (``<variant>.pack``, needed to count lines added and removed),
and ``end_session`` diffs the folder against it. A crash between the two loses nothing: the open
session is still on disk and can be ended later (``sandbox session end``).

Ending is fast because it re-hashes only files whose (size, mtime_ns) changed since the snapshot
(files modified within a second of the snapshot are "racy", as in git, and always re-hashed).

While a watcher runs (TUI, ``sandbox preview``), ``record_change_batch`` appends each batch inside
an open session as a ``change`` event, so the time to the first change is known. A batch outside a
session, or a path outside the session's variant, is never attributed to anyone.

Files written by the sandbox's own re-render during a session (their content equals the render
manifest's hash) are not attributed to the assistant.

Headless runs (``sandbox.assistants.runs``) use the same machinery with ``mode: "run"``: the open state marks
the variant busy and attributes change batches and edits to the run; the run is closed by a ``run``
event instead of ``session_ended``.

Ledger events written here (field names are part of the contract with report and TUI):

- ``session_started``: variant, assistant, session (id), mode ("session"), files (count),
  lines (total), by.
- ``session_ended``: variant, assistant, session, started_at, seconds (float), files_added,
  files_changed, files_deleted (lists of paths relative to the variant), lines_added,
  lines_removed, score (1-5, optional), note (optional), by.
- ``change``: variant, assistant, session, files (list), lines_added, lines_removed.
- ``edit``: variant, assistant, session, file, tool (from Claude Code's PostToolUse hook).
- ``run``: written by ``sandbox.assistants.runs`` (see there); ``close_stale_run`` writes one with
  ``interrupted: true`` for a run whose process died.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import socket
import struct
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from sandbox.core import ledger
from sandbox.core.errors import AssistantError, ProjectError, SandboxError
from sandbox.core.fs import atomic_write, sha256_bytes, sha256_file
from sandbox.core.processes import pid_alive

SESSIONS_DIR = "sessions"
IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".sandbox", "__pycache__", ".venv"})
# Nobody's work: editor swap/backup files, atomic-write temporaries, the sandbox's own conflict copies
# (``<name>.sandbox-new`` beside a file a re-render could not overwrite).
NOISE_NAMES = ("*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.tmp", ".DS_Store", "*.sandbox-new",
               ".creating-*")
_NOISE_RE = re.compile("|".join(fnmatch.translate(n) for n in NOISE_NAMES))
MAX_TEXT_BYTES = 1 << 20  # larger files are hashed but their lines are not counted
RACY_NS = 1_000_000_000  # a file modified this close to the snapshot is re-hashed at the end
MODE_SESSION = "session"
MODE_RUN = "run"
STATE_SCHEMA = 1


class SessionError(SandboxError):
    """A session cannot be started or ended as asked (already open, none open, unknown variant)."""


# --- snapshots ---------------------------------------------------------------------------------


@dataclass
class FileInfo:
    """What a snapshot knows about one file."""

    sha: str
    lines: int
    size: int
    mtime_ns: int
    text: bool


def _is_text(data: bytes) -> bool:
    return len(data) <= MAX_TEXT_BYTES and b"\0" not in data[:8192]


def count_lines(data: bytes) -> int:
    """Lines as an editor shows them: a last line without a newline still counts."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def walk(root: Path) -> dict[str, os.stat_result]:
    """Every regular file under ``root`` (posix relative path -> stat), skipping ignored folders and noise.

    ``os.scandir`` gives the stat of most entries without extra system calls; symlinks are not
    followed (an assistant's symlink to elsewhere is not its work inside the variant).
    """
    found: dict[str, os.stat_result] = {}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in IGNORED_DIRS:
                            stack.append((entry.path, prefix + entry.name + "/"))
                    elif entry.is_file(follow_symlinks=False) and not _NOISE_RE.match(entry.name):
                        found[prefix + entry.name] = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
    return found


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


def take_snapshot(
    root: Path, previous: dict[str, FileInfo] | None = None, keep: dict[str, bytes] | None = None
) -> dict[str, FileInfo]:
    """Hash every file of ``root``; reuse ``previous`` entries whose size and mtime are unchanged.

    ``keep``, when given, receives the bytes of every text file that was read (for the pack).
    """
    now = time.time_ns()
    snapshot: dict[str, FileInfo] = {}
    base = str(root)
    for rel, st in walk(root).items():
        old = previous.get(rel) if previous else None
        if old is not None and old.size == st.st_size and old.mtime_ns == st.st_mtime_ns and old.mtime_ns >= 0:
            snapshot[rel] = old
            continue
        mtime = st.st_mtime_ns if st.st_mtime_ns < now - RACY_NS else -1  # -1: always re-hash
        if st.st_size > MAX_TEXT_BYTES:  # a big asset: hash it in chunks, never hold it in memory
            digest = sha256_file(Path(base, rel))
            if digest is not None:
                snapshot[rel] = FileInfo(digest, 0, st.st_size, mtime, False)
            continue
        data = _read(os.path.join(base, rel))
        if data is None:
            continue
        text = _is_text(data)
        snapshot[rel] = FileInfo(sha256_bytes(data), count_lines(data) if text else 0, len(data), mtime, text)
        if keep is not None and text:
            keep[rel] = data
    return snapshot


def _encode_files(files: dict[str, FileInfo]) -> dict[str, list[Any]]:
    return {rel: [f.sha, f.lines, f.size, f.mtime_ns, int(f.text)] for rel, f in files.items()}


def _decode_files(data: dict[str, list[Any]]) -> dict[str, FileInfo]:
    return {rel: FileInfo(v[0], int(v[1]), int(v[2]), int(v[3]), bool(v[4])) for rel, v in data.items()}


def write_pack(path: Path, contents: dict[str, bytes]) -> None:
    """One compressed file holding the text files' bytes: a JSON index then the bytes, in order."""
    index = json.dumps([[rel, len(data)] for rel, data in contents.items()]).encode("utf-8")
    body = struct.pack(">I", len(index)) + index + b"".join(contents.values())
    atomic_write(path, zlib.compress(body, 1), fsync=False)


def read_pack(path: Path) -> dict[str, bytes]:
    try:
        body = zlib.decompress(path.read_bytes())
        (length,) = struct.unpack(">I", body[:4])
        index = json.loads(body[4 : 4 + length])
    except (FileNotFoundError, zlib.error, struct.error, ValueError):
        return {}  # lines of changed files are then estimated from line counts
    contents: dict[str, bytes] = {}
    offset = 4 + length
    for rel, size in index:
        contents[rel] = body[offset : offset + size]
        offset += size
    return contents


def line_delta(old: bytes | None, new: bytes | None) -> tuple[int, int]:
    """(lines added, lines removed) between two versions of a text file, like ``git diff --numstat``."""
    a = old.splitlines() if old else []
    b = new.splitlines() if new else []
    if not a or not b:
        return len(b), len(a)
    if len(a) * len(b) <= 4_000_000:
        import difflib

        added = removed = 0
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                removed += i2 - i1
                added += j2 - j1
        return added, removed
    ca, cb = Counter(a), Counter(b)  # very large files: lines that appear more or fewer times
    return sum((cb - ca).values()), sum((ca - cb).values())


# --- open-session state ------------------------------------------------------------------------


def sessions_dir(project: Any) -> Path:
    """Where open sessions live: program state beside the project, so they survive a crash."""
    return Path(project.state_dir) / SESSIONS_DIR


def _state_path(project: Any, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.json"


def _pack_path(project: Any, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.pack"


def _seen_path(project: Any, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.seen.json"


@contextmanager
def variant_lock(project: Any, variant: str) -> Iterator[None]:
    """Serialise start, end and change batches of one variant across processes (flock)."""
    directory = sessions_dir(project)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / f"{variant}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: best effort
            pass
        yield
    finally:
        os.close(fd)


def _load_state(project: Any, variant: str) -> dict[str, Any] | None:
    path = _state_path(project, variant)
    try:
        state = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise SessionError(
            "the open-session file is damaged; delete it to forget that session", path=path
        ) from None
    if not isinstance(state, dict) or not isinstance(state.get("event"), dict):
        raise SessionError("the open-session file is damaged; delete it to forget that session", path=path)
    return state


def _remove_state(project: Any, variant: str) -> None:
    for path in (_state_path(project, variant), _pack_path(project, variant), _seen_path(project, variant)):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _plain_name(variant: str) -> bool:
    """A folder name of its own (no path tricks), so state files stay inside ``.sandbox/sessions``."""
    return bool(variant) and "/" not in variant and "\\" not in variant and not variant.startswith(".")


def check_variant(project: Any, variant: str) -> Path:
    """The variant's folder, or a one-line error listing the project's variants."""
    root = Path(project.variant_dir(variant))
    if not _plain_name(variant) or not root.is_dir():
        known = ", ".join(project.variant_ids()) or "none"
        raise ProjectError(f"project '{project.slug}' has no variant '{variant}' (variants: {known})")
    return root


def open_session(project: Any, variant: str) -> dict[str, Any] | None:
    """The open session's start event of ``variant`` (for a headless run: a ``run``-mode stand-in)."""
    state = _load_state(project, variant)
    return dict(state["event"]) if state else None


def open_sessions(project: Any, *, damaged: list[SandboxError] | None = None) -> dict[str, dict[str, Any]]:
    """Every open session of the project, by variant (found on disk, so they survive a crash).

    A damaged open-session file is skipped here (the TUI must still list the others); pass
    ``damaged`` to collect those errors, so that ``session list`` can say why a variant is stuck.
    """
    directory = sessions_dir(project)
    if not directory.is_dir():
        return {}
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name.endswith(".seen.json"):
            continue
        variant = entry.name[: -len(".json")]
        try:
            event = open_session(project, variant)
        except SessionError as exc:
            if damaged is not None:
                damaged.append(exc)
            continue
        if event is not None:
            found[variant] = event
    return found


def process_identity(pid: int) -> str | None:
    """Boot id and start time of process ``pid`` (Linux ``/proc``), or None where unknown.

    Why: pids are reused, soon after a reboot especially; a run whose sandbox died must not look
    alive because an unrelated process now has its pid (nobody could end it then).
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]  # field 22: starttime
    except (OSError, IndexError):
        return None
    return f"{boot}:{start}"


def _alive(pid: int, host: str | None, identity: str | None = None) -> bool:
    """Whether a process that holds a run is still there (another machine's: assume so)."""
    if host and host != socket.gethostname():
        return True
    if not pid_alive(pid):
        return False
    current = process_identity(pid) if identity else None
    return current is None or current == identity


def run_is_stale(event: dict[str, Any]) -> bool:
    """A run-mode open state whose sandbox process is gone (killed, crashed, machine rebooted)."""
    return event.get("mode") == MODE_RUN and not _alive(
        int(event.get("pid") or 0), event.get("host"), event.get("process")
    )


def begin(
    project: Any,
    variant: str,
    *,
    assistant: str,
    mode: str = MODE_SESSION,
    by: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Snapshot ``variant`` and record it as open; returns the start event.

    Refuses when a session or run is already open there: overlapping spans would make attribution
    ambiguous. A run-mode state left by a dead process is closed first (as an interrupted run).
    A session's ``session_started`` is appended while the variant is still locked, so another
    process can never record its end (or a change in it) before its start; a run's start is not
    appended (its ``run`` event at the end carries ``started_at``).
    """
    root = check_variant(project, variant)
    if not ledger_safe_id(assistant):
        raise AssistantError(f"assistant id '{assistant}' must be lowercase letters, digits, '-' or '_'")
    with variant_lock(project, variant):
        state = _load_state(project, variant)
        if state is not None and run_is_stale(state["event"]):
            _close_stale_run_locked(project, variant, state)
            state = None
        if state is not None:
            current = state["event"]
            if current.get("mode") == MODE_RUN:  # alive (a dead one was closed above): ending it would fail
                raise SessionError(
                    f"a headless run of {current.get('assistant')} is still working on variant '{variant}' of "
                    f"'{project.slug}' (since {current.get('at')}); wait for it to finish"
                )
            raise SessionError(
                f"a session of {current.get('assistant')} is already open on variant '{variant}' of "
                f"'{project.slug}' since {current.get('at')}; "
                f"end it first with 'sandbox session end {project.slug} --variant {variant}'"
            )
        contents: dict[str, bytes] = {}
        snapshot = take_snapshot(root, keep=contents)
        session_id = uuid.uuid4().hex[:16]
        event = ledger.new_event(
            ledger.SESSION_STARTED if mode == MODE_SESSION else ledger.RUN,
            project=project.slug,
            variant=variant,
            assistant=assistant,
            session=session_id,
            mode=mode,
            files=len(snapshot),
            lines=sum(f.lines for f in snapshot.values()),
            by=by,
            **(extra or {}),
        )
        write_pack(_pack_path(project, variant), contents)
        state = {
            "schema": STATE_SCHEMA,
            "event": {**event, "pid": os.getpid(), "host": socket.gethostname(),
                      "process": process_identity(os.getpid())},
            "files": _encode_files(snapshot),
        }
        atomic_write(_state_path(project, variant), json.dumps(state, separators=(",", ":")).encode("utf-8"))
        if mode == MODE_SESSION:
            try:
                ledger.append_events(project.ledger_path, [event])
            except BaseException:  # not in the ledger: not open either
                _remove_state(project, variant)
                raise
        return event


def ledger_safe_id(value: str) -> bool:
    """Whether ``value`` is a valid assistant id (reports group the ledger by it)."""
    from sandbox.assistants.registry import ID_RE

    return bool(ID_RE.match(value))


@dataclass
class Diff:
    """What changed in a variant between a snapshot and now."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    lines_added: int = 0
    lines_removed: int = 0

    @property
    def files(self) -> list[str]:
        return sorted(self.added + self.changed + self.deleted)

    def fields(self) -> dict[str, Any]:
        return {
            "files_added": self.added,
            "files_changed": self.changed,
            "files_deleted": self.deleted,
            "lines_added": self.lines_added,
            "lines_removed": self.lines_removed,
        }


def _render_hashes(project: Any, variant: str) -> dict[str, str]:
    """The render manifest's hashes for ``variant``: content the sandbox itself wrote."""
    try:
        manifest = json.loads((Path(project.state_dir) / "manifest.json").read_text("utf-8"))
        files = manifest["variants"][variant]["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}


def diff_since(project: Any, variant: str, state: dict[str, Any]) -> Diff:
    """Compare the variant on disk with the snapshot in ``state``."""
    root = Path(project.variant_dir(variant))
    before = _decode_files(state.get("files") or {})
    now = take_snapshot(root, previous=before)
    rendered = _render_hashes(project, variant)
    diff = Diff()
    pack: dict[str, bytes] | None = None
    for rel in sorted(set(before) | set(now)):
        old, new = before.get(rel), now.get(rel)
        if old is not None and new is not None and old.sha == new.sha:
            continue
        if new is not None and rendered.get(rel) == new.sha and (old is None or rendered.get(rel) != old.sha):
            continue  # the sandbox's own re-render wrote it, not the assistant
        if old is None:
            diff.added.append(rel)
            diff.lines_added += new.lines if new else 0
        elif new is None:
            diff.deleted.append(rel)
            diff.lines_removed += old.lines
        else:
            diff.changed.append(rel)
            if not (old.text and new.text):
                continue
            if pack is None:
                pack = read_pack(_pack_path(project, variant))
            current = _read(str(root / rel))
            if rel in pack and current is not None:
                added, removed = line_delta(pack[rel], current)
            else:
                added, removed = max(0, new.lines - old.lines), max(0, old.lines - new.lines)
            diff.lines_added += added
            diff.lines_removed += removed
    return diff


def _already_ended(project: Any, session_id: str, kind: str) -> bool:
    """After a crash between the ledger append and the cleanup: was this span already closed?"""
    try:
        raw = Path(project.ledger_path).read_bytes()
    except FileNotFoundError:
        return False
    if session_id.encode() not in raw:
        return False
    return any(e.get("kind") == kind and e.get("session") == session_id for e in ledger.read(project.ledger_path).events)


def _seconds_since(at: str | None) -> float:
    if not at:
        return 0.0
    try:
        started = ledger.parse_time(at)
    except ValueError:
        return 0.0
    from datetime import datetime

    return round(max(0.0, (datetime.now(UTC) - started).total_seconds()), 3)


def _clean_event_fields(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event.get(k) for k in ("variant", "assistant", "session")}


def start_session(project: Any, variant: str, *, assistant: str | None = None, by: str | None = None) -> dict[str, Any]:
    """Snapshot the variant and append ``session_started``; the assistant defaults to the variant's."""
    return begin(project, variant, assistant=assistant or variant, by=by)


def end_session(
    project: Any, variant: str, *, score: int | None = None, note: str | None = None, by: str | None = None
) -> dict[str, Any]:
    """Diff the variant against the session's snapshot and append ``session_ended``.

    Works in a later process than the one that started the session (after a crash or a reboot).
    A headless run whose process died is closed as an interrupted ``run`` instead. A session whose
    variant folder was deleted meanwhile can still be ended (everything shows as deleted), so it
    does not stay open for ever.
    """
    if not (_plain_name(variant) and _state_path(project, variant).is_file()):
        check_variant(project, variant)
    if score is not None and not (1 <= score <= 5):
        raise SessionError(f"--score must be a whole number from 1 to 5, not {score}")
    with variant_lock(project, variant):
        state = _load_state(project, variant)
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
            _remove_state(project, variant)
            raise SessionError(f"the session on variant '{variant}' was already ended; nothing to do")
        return _close_locked(project, variant, state, ledger.SESSION_ENDED, {
            "seconds": _seconds_since(start.get("at")),
            "score": score,
            "note": note.strip() if note and note.strip() else None,
            "by": by,
        })


def _close_locked(
    project: Any, variant: str, state: dict[str, Any], kind: str, fields: dict[str, Any]
) -> dict[str, Any]:
    """Diff against the snapshot, append the closing event, then forget the open state.

    In this order so that a crash in between leaves the state, and ``_already_ended`` finds the
    event; the caller holds the variant lock.
    """
    start = state["event"]
    diff = diff_since(project, variant, state)
    event = project.append(kind, **_clean_event_fields(start), started_at=start.get("at"), **fields, **diff.fields())
    _remove_state(project, variant)
    return event


def finish_run(project: Any, variant: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Close a run-mode state: diff, append the ``run`` event built from ``fields``, clean up."""
    with variant_lock(project, variant):
        state = _load_state(project, variant)
        if state is None:
            raise SessionError(f"the run on variant '{variant}' lost its snapshot; nothing was recorded")
        return _close_locked(project, variant, state, ledger.RUN, fields)


def _close_stale_run_locked(project: Any, variant: str, state: dict[str, Any]) -> dict[str, Any]:
    """Record a run whose sandbox process died as interrupted, with what it changed until now."""
    start = state["event"]
    if _already_ended(project, start["session"], ledger.RUN):
        _remove_state(project, variant)
        return start
    return _close_locked(project, variant, state, ledger.RUN, {
        "command": start.get("command"),
        "run_id": start.get("run_id"),
        "log": start.get("log"),
        "exit_code": None,
        "seconds": _seconds_since(start.get("at")),
        "timed_out": False,
        "interrupted": True,
    })


# --- attribution of live changes ----------------------------------------------------------------


def _relative(root: Path, path: str | os.PathLike[str]) -> str | None:
    """``path`` relative to ``root`` (posix), or None when it is outside or in an ignored folder.

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
    if any(part in IGNORED_DIRS for part in rel.parts) or _NOISE_RE.match(rel.parts[-1]):
        return None
    return rel.as_posix()


def record_change_batch(
    project: Any, variant: str, paths: Iterable[str | os.PathLike[str]]
) -> dict[str, Any] | None:
    """Append a ``change`` event for a watcher batch, only inside an open session of ``variant``.

    Lines are counted against the file's previous version: the last batch's (kept in
    ``<variant>.seen.json``) or the session snapshot's. Paths outside the variant, unchanged
    content (a save without edits) and the sandbox's own re-render are not attributed.
    """
    if not _state_path(project, variant).exists():
        return None  # the common case while a watcher runs: no session, nothing to attribute
    root = Path(project.variant_dir(variant))
    wanted = sorted({rel for rel in (_relative(root, p) for p in paths) if rel is not None})
    if not wanted:
        return None
    with variant_lock(project, variant):
        state = _load_state(project, variant)
        if state is None:
            return None
        start = state["event"]
        before = state.get("files") or {}
        seen_path = _seen_path(project, variant)
        try:
            seen: dict[str, Any] = json.loads(seen_path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            seen = {}
        rendered = _render_hashes(project, variant)
        pack: dict[str, bytes] | None = None
        files: list[str] = []
        added_total = removed_total = 0
        for rel in wanted:
            data = _read(str(root / rel))
            new_sha = sha256_bytes(data) if data is not None else None
            if rel in seen:
                old_sha, old_text = seen[rel]["sha"], seen[rel].get("text")
                old_data = old_text.encode("latin-1") if isinstance(old_text, str) else None
                old_lines = int(seen[rel].get("lines") or 0)
            elif rel in before:
                old_sha, old_lines = before[rel][0], int(before[rel][1])
                if pack is None:
                    pack = read_pack(_pack_path(project, variant))
                old_data = pack.get(rel)
            else:
                old_sha, old_lines, old_data = None, 0, None
            if new_sha == old_sha:
                continue
            text = data is not None and _is_text(data)
            seen[rel] = {
                "sha": new_sha,
                "lines": count_lines(data) if data is not None and text else 0,
                "text": data.decode("latin-1") if data is not None and text else None,
            }
            if new_sha is not None and rendered.get(rel) == new_sha:
                continue  # the sandbox's re-render
            files.append(rel)
            if data is None:
                removed_total += old_lines
            elif not text:
                continue
            elif old_sha is None:
                added_total += count_lines(data)
            elif old_data is not None:
                a, r = line_delta(old_data, data)
                added_total += a
                removed_total += r
            else:
                new_lines = count_lines(data)
                added_total += max(0, new_lines - old_lines)
                removed_total += max(0, old_lines - new_lines)
        atomic_write(seen_path, json.dumps(seen).encode("utf-8"), fsync=False)
        if not files:
            return None
        return project.append(
            ledger.CHANGE,
            **_clean_event_fields(start),
            files=files,
            lines_added=added_total,
            lines_removed=removed_total,
        )


def record_edit(
    project: Any, variant: str, file: str | os.PathLike[str], tool: str | None, *, assistant: str | None = None
) -> dict[str, Any] | None:
    """Append an ``edit`` event (from an assistant's own hook) inside an open session only.

    ``assistant``, when given, must be the open session's assistant: a Claude Code hook firing in a
    variant where a session of another assistant is open is not evidence for either of them.
    """
    root = Path(project.variant_dir(variant))
    rel = _relative(root, file)
    if rel is None:
        return None
    start = open_session(project, variant)
    if start is None or (assistant and start.get("assistant") != assistant):
        return None
    return project.append(ledger.EDIT, **_clean_event_fields(start), file=rel, tool=tool or None)


# --- history in plain words ----------------------------------------------------------------------


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _duration(seconds: Any) -> str:
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return "?"
    if s < 60:
        return f"{s:.0f} s"
    if s < 3600:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def _files_summary(event: dict[str, Any]) -> str:
    added = len(event.get("files_added") or [])
    changed = len(event.get("files_changed") or [])
    deleted = len(event.get("files_deleted") or [])
    parts = [f"{added} added" if added else "", f"{changed} changed" if changed else "",
             f"{deleted} deleted" if deleted else ""]
    files = ", ".join(p for p in parts if p) or "no files changed"
    return f"{files}, +{event.get('lines_added', 0)}/-{event.get('lines_removed', 0)} lines"


def describe_event(event: dict[str, Any]) -> str:
    """One line in plain words for ``sandbox log`` and the TUI's history.

    Free text typed by people (a note, a vote's reason, a title) may hold line breaks; they become
    spaces so that one event stays one line.
    """
    return " ".join(_describe(event).splitlines())


def _describe(event: dict[str, Any]) -> str:
    kind = event.get("kind")
    who = event.get("assistant") or event.get("variant") or ""
    variant = event.get("variant") or ""
    on = f" on {variant}" if variant and variant != who else ""
    by = f" (by {event['by']})" if event.get("by") else ""
    if kind == ledger.CREATED:
        assistants = ", ".join(event.get("assistants") or [])
        return f"created '{event.get('title', '')}' from {event.get('template', '?')} for {assistants}{by}"
    if kind == ledger.RENDERED:
        written, conflicts = len(event.get("files") or []), len(event.get("conflicts") or [])
        extra = f", {_plural(conflicts, 'conflict')} kept for review" if conflicts else ""
        return f"re-rendered from project.yaml: {_plural(written, 'file')} written{extra}{by}"
    if kind == ledger.SESSION_STARTED:
        return f"{who} session started{on} ({_plural(int(event.get('files') or 0), 'file')}){by}"
    if kind == ledger.SESSION_ENDED:
        score = f", scored {event['score']}/5" if event.get("score") is not None else ""
        note = f": {event['note']}" if event.get("note") else ""
        return f"{who} session ended{on} after {_duration(event.get('seconds'))}: {_files_summary(event)}{score}{note}"
    if kind == ledger.CHANGE:
        files = event.get("files") or []
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        return f"{who} changed {shown}{on} (+{event.get('lines_added', 0)}/-{event.get('lines_removed', 0)} lines)"
    if kind == ledger.EDIT:
        tool = f" ({event['tool']})" if event.get("tool") else ""
        return f"{who} edited {event.get('file', '?')}{on}{tool}"
    if kind == ledger.RUN:
        if event.get("interrupted"):
            outcome = "was interrupted"
        elif event.get("timed_out"):
            outcome = "timed out and was stopped"
        elif event.get("exit_code") == 0:
            outcome = "finished"
        else:
            outcome = f"failed (exit code {event.get('exit_code')})"
        result = event.get("result") or {}
        extras = []
        if isinstance(result.get("total_cost_usd"), (int, float)):
            extras.append(f"${result['total_cost_usd']:.2f}")
        if result.get("num_turns") is not None:
            extras.append(f"{result['num_turns']} turns")
        cost = f" [{', '.join(extras)}]" if extras else ""
        return f"{who} headless run{on} {outcome} after {_duration(event.get('seconds'))}: {_files_summary(event)}{cost}"
    if kind == ledger.RATING:
        scores = event.get("scores") or {}
        shown = ", ".join(f"{k} {v}" for k, v in scores.items()) if isinstance(scores, dict) else ""
        return f"{variant or who} rated{by}: {shown}".rstrip(": ")
    if kind == ledger.VOTE:
        return f"blind vote{by}: {event.get('winner', '?')}" + (f" ({event['reason']})" if event.get("reason") else "")
    if kind == ledger.COMPARE:
        return "blind comparison set up" + by
    return f"{kind}{on}{by}"
