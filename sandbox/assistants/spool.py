"""The hook spool: edit hooks running inside the confinement report here, and the sandbox checks what they say.

Why a spool: the ledger is written by the sandbox alone. A hook (``sandbox log-edit --hook``) runs
as a child of the assistant, inside its confinement, where the ledger is read-only; and whatever
runs there may be hostile, so nothing it writes can be taken at its word. The hook appends one
JSON line per edit to ``$SANDBOX_SPOOL`` (the run's scratch folder, outside the variant); when the
run or session closes, ``replay`` keeps the lines that hold up (the session's own id, its
assistant, a file inside the variant the policy does not ignore, a time within the span) and the
sandbox appends them as ``edit`` events with ``source: "hook"``. What it drops is counted
(``spool_rejected`` on the closing event), never silently trusted.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core import ledger
from sandbox.core.ledger import Event

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_SPOOL_BYTES = 4 << 20  # a spool bigger than this is read up to here: edits are small lines
MAX_EDITS = 10_000


def write(spool: Path, *, session: str | None, assistant: str | None, file: str, tool: str | None) -> None:
    """Append one edit to the spool (called by the hook, inside the confinement); one write, so lines never mix."""
    line = json.dumps({"at": ledger.utc_now(), "session": session, "assistant": assistant, "file": file,
                       "tool": tool}, ensure_ascii=False) + "\n"
    fd = os.open(spool, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


@dataclass
class Replay:
    """The spool's edits that hold up, as ledger events, and how many lines did not."""

    events: list[Event] = field(default_factory=list)
    rejected: int = 0


def replay(
    spool: Path,
    start: Event,
    *,
    inside: Callable[[str], str | None],
    ignored: Callable[[str], bool],
) -> Replay:
    """Check every spooled edit against the open span ``start``; the ``edit`` events to append.

    ``inside(path)`` gives the path relative to the variant (None when outside it), ``ignored(rel)``
    the ignore policy's answer. Repeated edits of a file at the same moment are kept once.
    """
    result = Replay()
    try:
        with spool.open("rb") as handle:
            raw = handle.read(MAX_SPOOL_BYTES)
    except OSError:
        return result
    began = _time(start.get("at"))
    now = datetime.now(UTC)
    seen: set[tuple[str, str]] = set()
    for line in raw.splitlines():
        record = _record(line)
        if record is None or len(result.events) >= MAX_EDITS:
            result.rejected += 1
            continue
        rel = inside(record["file"])
        at = _time(record.get("at"))
        if (
            record.get("session") != start.get("session")
            or (record.get("assistant") and record["assistant"] != start.get("assistant"))
            or rel is None
            or ignored(rel)
            or at is None
            or (began is not None and at < began)
            or at > now
        ):
            result.rejected += 1
            continue
        key = (rel, str(record["at"]))
        if key in seen:
            continue
        seen.add(key)
        tool = record.get("tool")
        result.events.append(ledger.new_event(
            ledger.EDIT,
            at=record["at"],
            project=start.get("project"),
            variant=start.get("variant"),
            assistant=start.get("assistant"),
            session=start.get("session"),
            mode=start.get("mode"),
            file=rel,
            tool=tool if isinstance(tool, str) and tool else None,
            source="hook",
        ))
    return result


def _record(line: bytes) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        return None
    if not isinstance(record, dict) or not isinstance(record.get("file"), str) or not isinstance(record.get("at"), str):
        return None
    return record


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    with contextlib.suppress(ValueError):
        parsed = ledger.parse_time(value)
        return parsed if parsed.tzinfo is not None else None
    return None
