"""How a run ended, in one plain line: the ``ok``, ``failure`` and ``reason`` of the ``run`` event.

The same words for every assistant, so a report can count failures by cause: "not signed in: run
`claude` once and sign in", "cannot reach the model service", "timed out after 600 s",
"denied: a write outside the variant (../notes.txt)", or the CLI's own message. ``ok`` is true only
for a run that finished and did not fail; a failed run must add no cost and no duration to a
report's averages (the report reads ``ok``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sandbox.assistants.formats.summary import NOT_SIGNED_IN, UNREACHABLE, Summary

NOT_SIGNED_IN_FAILURE = "not-signed-in"
UNREACHABLE_FAILURE = "unreachable"
TIMED_OUT = "timed-out"
DENIED = "denied"
INTERRUPTED = "interrupted"
CRASHED = "crashed"
UNREADABLE = "unreadable-output"
ERROR_FAILURE = "error"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    failure: str | None = None
    reason: str | None = None

    def fields(self) -> dict[str, object]:
        return {"ok": self.ok, "failure": self.failure, "reason": self.reason}


def judge(
    summary: Summary,
    *,
    exit_code: int | None,
    timed_out: bool,
    interrupted: bool,
    timeout: float,
    variant_root: Path,
    cli: str,
    garbled: bool = False,
) -> Outcome:
    """The run's outcome from what the CLI said and how its process ended, causes in order of blame.

    ``garbled``: the output of a structured format had lines nobody can read (binary, one line over
    a megabyte, JSON nested too deep: ``summary.garbled``). Such a run that exited 0 without a
    result line is not a success anyone can vouch for: it fails as ``unreadable-output``. (Plain
    text without a result, as a stand-in or an old CLI prints, keeps the exit code's verdict.)
    """
    if interrupted:
        return Outcome(False, INTERRUPTED, "interrupted")
    if summary.error == NOT_SIGNED_IN:
        return Outcome(False, NOT_SIGNED_IN_FAILURE, f"not signed in: run `{cli}` once and sign in")
    if summary.error == UNREACHABLE or (timed_out and summary.retries and not summary.answered):
        return Outcome(False, UNREACHABLE_FAILURE, "cannot reach the model service")
    if timed_out:
        return Outcome(False, TIMED_OUT, f"timed out after {timeout:g} s")
    outside = outside_paths(summary.denied_paths, variant_root)
    if outside:
        more = f" and {len(outside) - 1} more" if len(outside) > 1 else ""
        return Outcome(False, DENIED, f"denied: a write outside the variant ({outside[0]}{more})")
    if summary.error is not None:
        return Outcome(False, ERROR_FAILURE, summary.message or "the assistant reported an error")
    if exit_code is None:
        return Outcome(False, CRASHED, "ended without an exit code")
    if exit_code < 0:
        return Outcome(False, CRASHED, f"crashed (signal {-exit_code})")
    if exit_code != 0:
        return Outcome(False, CRASHED, f"exited with code {exit_code} without saying why")
    if garbled and not summary.finished:
        return Outcome(False, UNREADABLE, "printed output the sandbox could not read (see the run's log)")
    return Outcome(True)


def outside_paths(paths: list[str], variant_root: Path) -> list[str]:
    """The denied paths that lie outside the variant, shown relative to it (``../x``)."""
    root = os.path.normpath(os.path.abspath(variant_root))  # noqa: PTH100 - no symlink resolution: as named
    found = []
    for path in paths:
        full = os.path.normpath(path if os.path.isabs(path) else os.path.join(root, path))  # noqa: PTH117, PTH118
        if full != root and not full.startswith(root + os.sep):
            found.append(os.path.relpath(full, root))
    return found
