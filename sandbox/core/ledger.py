"""The append-only event log of a project: ``projects/<slug>/ledger.jsonl``.

One JSON object per line. Why this shape: a line-oriented file merges cleanly in git
(``merge=union``), survives a crash (at worst a torn last line, which readers skip and writers
step over), and needs no database. The program never rewrites it.

Appends take an exclusive ``flock``, write whole lines and ``fsync``, so concurrent writers (the
TUI, a watcher, ``sandbox run``) never interleave; a write the disk refuses half-way (full disk) is
cut back to where it began, so an append lands as whole lines or not at all.

``read`` is the one validated way in: every line is either an event that passed the schema of its
kind (``sandbox.core.events``, docs/EVENTS.md) or a counted problem with its line number and
reason, whatever the line holds (a torn write, 100,000 ``[``, ``"scores": "bad"``). Readers
de-duplicate by ``id`` because a union merge can repeat lines.
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

from sandbox.core import events as schema
from sandbox.core.errors import LedgerError, display_path
from sandbox.core.fs import disk_error, read_regular

LEDGER_FILE = "ledger.jsonl"
SCHEMA_VERSION = schema.SCHEMA_VERSION
MAX_LEDGER_BYTES = 512 * 1024 * 1024  # one project's ledger; a team's whole history is far smaller
MAX_LINE_BYTES = 4 * 1024 * 1024  # a run's raw result is the largest event; this is plenty
MAX_DEPTH = 32  # events nest a few levels (a run's result); deeper is no event of ours

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
    first so our events land on lines of their own and the torn line stays isolated. If the disk
    refuses part-way, the file is cut back to its old length: readers never see half an event.
    """
    events = list(events)
    payload = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":"), default=str) + "\n" for e in events)
    data = payload.encode("utf-8", "replace")  # a lone surrogate (undecodable input) becomes "?"
    if not data:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _write_error(exc, path, "cannot open the ledger for writing") from None
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size:
            with path.open("rb") as reader:
                reader.seek(size - 1)
                if reader.read(1) != b"\n":
                    data = b"\n" + data
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        except OSError:
            _cut_back(fd, size)
            raise
        _note_own_writes(path, events)
    except OSError as exc:
        raise _write_error(exc, path, "cannot write the ledger") from None
    finally:
        os.close(fd)  # closing releases the lock


def _cut_back(fd: int, size: int) -> None:
    """Remove a partly written append (we hold the lock, so the bytes after ``size`` are ours)."""
    with contextlib.suppress(OSError):  # not truncatable (a device): readers count the torn line
        os.ftruncate(fd, size)


def _write_error(exc: OSError, path: Path, doing: str) -> LedgerError:
    plain = disk_error(exc, outcome="the event was not recorded", path=path)
    if plain is not None:
        return LedgerError(plain.message, path=path)
    return LedgerError(f"{doing}: {exc.strerror or exc}", path=path)


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


@dataclass(frozen=True)
class LedgerProblem:
    """A line that could not be used: where it is and why, for ``sandbox log`` and the report."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}:{self.line}: {self.reason}"


@dataclass
class LedgerRead:
    """Valid events in file order (duplicates removed), and what had to be left out.

    Every non-blank line is counted exactly once: as an event, a duplicate, a problem or a newer
    event. ``unknown_kinds`` counts the events (kept in ``events``) whose kind this sandbox does not
    know; ``newer`` the events a newer sandbox wrote (higher major schema), which are skipped.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[LedgerProblem] = field(default_factory=list)
    duplicates: int = 0
    unknown_kinds: int = 0
    newer: int = 0


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def parse_line(line: bytes) -> dict[str, Any]:
    """One ledger line as a valid event; ``ValueError`` says in plain words why it is not one.

    An event of a newer schema is returned unjudged (``events.is_newer``): readers skip and count it.
    The report engine and any other reader apply exactly these rules (or this function).
    """
    if len(line) > MAX_LINE_BYTES:
        raise ValueError(f"skipped a line over {MAX_LINE_BYTES // 1024 // 1024} MiB")
    try:
        event = _DECODER.decode(line.decode("utf-8"))
    except RecursionError:
        raise ValueError(f"skipped a line nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:
        raise ValueError("skipped a damaged line (a write was interrupted?)") from None
    if type(event) is not dict:
        raise ValueError("skipped a line that is not an event (a JSON object)")
    if line.count(b"[") + line.count(b"{") > MAX_DEPTH and _depth(event) > MAX_DEPTH:
        raise ValueError(f"skipped an event nested more than {MAX_DEPTH} levels deep")
    if schema.is_newer(event):
        return event  # a newer sandbox's shape: the caller skips and counts it, so it is not judged here
    found = schema.problem(event)
    if found is not None:
        kind = event.get("kind")
        what = f"a '{kind}' event" if type(kind) is str and len(kind) <= 40 else "an event"
        raise ValueError(f"skipped {what}: {found}")
    if (b"\\ud" in line or b"\\uD" in line) and not _encodable(event):
        raise ValueError("skipped an event holding text that is not valid Unicode (a lone surrogate)")
    return event


def _depth(value: object) -> int:
    """How deeply ``value`` nests (iteratively: a deep value must not exhaust the stack here either)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        if type(current) is dict:
            stack.extend((item, level + 1) for item in current.values())
        elif type(current) is list:
            stack.extend((item, level + 1) for item in current)
    return deepest


def _encodable(event: dict[str, Any]) -> bool:
    try:
        json.dumps(event, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read(path: Path) -> LedgerRead:
    """Read every valid event; each other line becomes a counted ``LedgerProblem``.

    A missing ledger reads as empty; one that is not a regular file, is unreadable or is larger
    than 512 MiB raises ``LedgerError`` (one line naming it).
    """
    result = LedgerRead()
    try:
        raw = read_regular(path, MAX_LEDGER_BYTES, LedgerError, what="ledger")
    except LedgerError:
        if not os.path.lexists(path):
            return result
        raise
    seen: set[str] = set()
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            event = parse_line(line)
        except ValueError as exc:
            result.problems.append(LedgerProblem(path, number, str(exc)))
            continue
        if schema.is_newer(event):
            result.newer += 1
            continue
        if event["id"] in seen:
            result.duplicates += 1
            continue
        seen.add(event["id"])
        if not schema.is_known(event["kind"]):
            result.unknown_kinds += 1
        result.events.append(event)
    return result
