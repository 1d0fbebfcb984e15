"""The append-only event log of a project: ``projects/<slug>/ledger.jsonl``.

One JSON object per line. Why this shape: a line-oriented file merges cleanly in git
(``merge=union``), survives a crash (at worst a torn last line, which readers skip and writers
step over), and needs no database. The program never rewrites it.

Appends take an exclusive ``flock``, write one whole line with a single ``write`` and ``fsync``, so
concurrent writers (the TUI, a watcher, ``sandbox run``) never interleave. Readers de-duplicate by
``id`` because a union merge can repeat lines.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.core.errors import LedgerError

LEDGER_FILE = "ledger.jsonl"
SCHEMA_VERSION = 1

# Event kinds, one place so every writer and reader agrees on the words.
CREATED = "created"
RENDERED = "rendered"
SESSION_STARTED = "session_started"
SESSION_ENDED = "session_ended"
CHANGE = "change"
RUN = "run"
EDIT = "edit"
RATING = "rating"
VOTE = "vote"
COMPARE = "compare"
EVENT_KINDS = (CREATED, RENDERED, SESSION_STARTED, SESSION_ENDED, CHANGE, RUN, EDIT, RATING, VOTE, COMPARE)

# One parsed ledger line: {"id", "at", "kind", "schema", "project", ...} (docs/EVENTS.md). JSON-shaped
# and written by people and tools alike, so a reader checks each value's type where it uses it.
Event = dict[str, Any]


def utc_now() -> str:
    """UTC ISO 8601 with milliseconds and a 'Z', sortable as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def new_event(kind: str, **fields: Any) -> dict[str, Any]:
    """An event with its unique id, time and schema version; ``fields`` may override ``at``."""
    event: dict[str, Any] = {"id": uuid.uuid4().hex, "at": utc_now(), "kind": kind, "schema": SCHEMA_VERSION}
    event.update({k: v for k, v in fields.items() if v is not None})
    return event


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: single-writer best effort
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def append_events(path: Path, events: Iterable[dict[str, Any]]) -> None:
    """Append whole lines under an exclusive lock, then fsync.

    If the file does not end with a newline (a writer was killed mid-line), a newline is written
    first so our events land on lines of their own and the torn line stays isolated.
    """
    events = list(events)
    payload = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":"), default=str) + "\n" for e in events)
    data = payload.encode("utf-8")
    if not data:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LedgerError(f"cannot open the ledger for writing: {exc.strerror}", path=path) from None
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size:
            with path.open("rb") as reader:
                reader.seek(size - 1)
                if reader.read(1) != b"\n":
                    data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        _note_own_writes(path, events)
    except OSError as exc:
        raise LedgerError(f"cannot write the ledger: {exc.strerror}", path=path) from None
    finally:
        os.close(fd)  # closing releases the lock


# While an assistant works without confinement (issue 11), every line the sandbox appends is noted
# by id, so that a line appended by anyone else shows up as a violation afterwards. The guard folder
# exists only while such a run or session is open (``sandbox.assistants.violations``); otherwise
# this costs one stat per append.
GUARD_DIR = ".sandbox/guard"
OWN_WRITES = ".sandbox/own-writes"


def _note_own_writes(path: Path, events: list[dict[str, Any]]) -> None:
    if not (path.parent / GUARD_DIR).is_dir():
        return
    ids = "".join(f"{e.get('id')}\n" for e in events).encode()
    with contextlib.suppress(OSError):  # the event is written; a lost note is a false alarm, never a lost event
        fd = os.open(path.parent / OWN_WRITES, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, ids)
        finally:
            os.close(fd)


@contextlib.contextmanager
def holding_lock(path: Path) -> Iterator[None]:
    """Hold the ledger's append lock (to read its tail and the notes of own writes as one moment)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield
        return
    try:
        _lock(fd)
        yield
    finally:
        os.close(fd)


def append(path: Path, kind: str, **fields: Any) -> dict[str, Any]:
    """Append one event of ``kind`` and return it."""
    event = new_event(kind, **fields)
    append_events(path, [event])
    return event


@dataclass
class LedgerRead:
    """Events in file order (duplicates removed) and the lines that had to be skipped."""

    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicates: int = 0


def read(path: Path) -> LedgerRead:
    """Read every event, tolerating a torn or damaged line and repeated ids."""
    result = LedgerRead()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return result
    seen: set[str] = set()
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            if not isinstance(event, dict) or not isinstance(event.get("id"), str) or "kind" not in event:
                raise ValueError("not an event")
        except ValueError:
            result.problems.append(f"{path}:{number}: skipped a damaged line (a write was interrupted?)")
            continue
        if event["id"] in seen:
            result.duplicates += 1
            continue
        seen.add(event["id"])
        result.events.append(event)
    return result
