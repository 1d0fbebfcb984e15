"""A project's history in plain words: one line per ledger event, for ``sandbox log`` and the TUI.

Written for a designer reading what happened, not for a parser (``--json`` is for tools): names
the assistant, what it changed and how the run ended, in counts and spans people read at a glance
(``sandbox.core.text``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.core import ledger
from sandbox.core.ledger import Event
from sandbox.core.text import duration, plural


def describe_event(event: Event) -> str:
    """One line in plain words for ``sandbox log`` and the TUI's history.

    Free text typed by people (a note, a vote's reason, a title) may hold line breaks; they become
    spaces so that one event stays one line.
    """
    return " ".join(_describe(event).splitlines())


def _took(seconds: Any) -> str:
    """'12 s', '3 min'; '?' when the event does not say (a damaged or hand-written line)."""
    try:
        return duration(float(seconds))
    except (TypeError, ValueError):
        return "?"


def _lines(event: Event) -> str:
    return f"+{event.get('lines_added', 0)}/-{event.get('lines_removed', 0)} lines"


def _files_summary(event: Event) -> str:
    counts = [(len(event.get(f"files_{what}") or []), what) for what in ("added", "changed", "deleted")]
    files = ", ".join(f"{count} {what}" for count, what in counts if count) or "no files changed"
    return f"{files}, {_lines(event)}"


def _run_outcome(event: Event) -> str:
    reason = event.get("reason") if isinstance(event.get("reason"), str) else None
    if event.get("interrupted"):
        return "was interrupted"
    if event.get("timed_out"):
        return "timed out and was stopped" + (
            f" ({reason})" if reason and event.get("failure") == "unreachable" else "")
    if event.get("ok") is False and reason:
        return f"failed ({reason})"
    if event.get("exit_code") == 0:
        return "finished"
    return f"failed (exit code {event.get('exit_code')})"


_UNITS = {"premium-requests": "premium requests", "ai-credits": "AI credits"}


def _cost(event: Event) -> str | None:
    """The cost in its own unit ('$0.12', '3 premium requests'), never converted."""
    cost = event.get("cost")
    if isinstance(cost, dict) and isinstance(cost.get("amount"), int | float):
        amount, unit = cost["amount"], cost.get("unit")
        return f"${amount:.2f}" if unit == "usd" else f"{amount:g} {_UNITS.get(str(unit), unit)}"
    result = event.get("result") or {}
    if isinstance(result, dict) and isinstance(result.get("total_cost_usd"), int | float):
        return f"${result['total_cost_usd']:.2f}"
    return None


def _run_cost(event: Event) -> str:
    """' [$0.12, 7 turns, 900 tokens]' from the assistant's own account, when it gave one."""
    raw = event.get("result")
    result: dict[str, Any] = raw if isinstance(raw, dict) else {}
    extras = [cost] if (cost := _cost(event)) else []
    turns = event.get("turns", result.get("num_turns"))
    if turns is not None:
        extras.append(f"{turns} turns")
    tokens = event.get("tokens")
    if isinstance(tokens, dict) and all(isinstance(tokens.get(k, 0), int) for k in ("input", "output")):
        extras.append(f"{tokens.get('input', 0) + tokens.get('output', 0)} tokens")
    return f" [{', '.join(extras)}]" if extras else ""


HOOK_SILENT = "the edit hook did not report: attribution from the diff only"


def _attribution(event: Event) -> str:
    """'; the edit hook did not report: ...' when files changed but the assistant's hook said nothing."""
    return f"; {HOOK_SILENT}" if event.get("hook_silent") else ""


@dataclass(frozen=True)
class _Subject:
    """Who an event is about, in the words every line uses."""

    who: str  # the assistant (or, without one, the variant)
    variant: str
    on: str  # " on <variant>" when the variant is not named after the assistant
    by: str  # " (by <person>)" when a person is recorded

    @classmethod
    def of(cls, event: Event) -> _Subject:
        who = event.get("assistant") or event.get("variant") or ""
        variant = event.get("variant") or ""
        return cls(
            who=who,
            variant=variant,
            on=f" on {variant}" if variant and variant != who else "",
            by=f" (by {event['by']})" if event.get("by") else "",
        )


def _describe(event: Event) -> str:
    subject = _Subject.of(event)
    describe = _BY_KIND.get(str(event.get("kind")))
    if describe is not None:
        return describe(event, subject)
    return f"{event.get('kind')}{subject.on}{subject.by}"


def _created(event: Event, s: _Subject) -> str:
    assistants = ", ".join(event.get("assistants") or [])
    return f"created '{event.get('title', '')}' from {event.get('template', '?')} for {assistants}{s.by}"


def _rendered(event: Event, s: _Subject) -> str:
    written, conflicts = len(event.get("files") or []), len(event.get("conflicts") or [])
    extra = f", {plural(conflicts, 'conflict')} kept for review" if conflicts else ""
    return f"re-rendered from project.yaml: {plural(written, 'file')} written{extra}{s.by}"


def _session_started(event: Event, s: _Subject) -> str:
    return f"{s.who} session started{s.on} ({plural(int(event.get('files') or 0), 'file')}){s.by}"


def _containment(event: Event) -> str:
    """'; not confined: 2 changes outside its variant (project.yaml, variants/copilot/index.html)' (issue 11)."""
    found = event.get("violations")
    if not isinstance(found, list) or not found:
        return "; not confined" if event.get("contained") is False else ""
    paths = [str(v.get("path")) for v in found if isinstance(v, dict)]
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return f"; not confined: {plural(len(found), 'change')} outside its variant ({shown})"


def _session_ended(event: Event, s: _Subject) -> str:
    score = f", scored {event['score']}/5" if event.get("score") is not None else ""
    note = f": {event['note']}" if event.get("note") else ""
    return (f"{s.who} session ended{s.on} after {_took(event.get('seconds'))}: {_files_summary(event)}{score}"
            f"{_containment(event)}{note}{_attribution(event)}")


def _change(event: Event, s: _Subject) -> str:
    files = event.get("files") or []
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return f"{s.who} changed {shown}{s.on} ({_lines(event)})"


def _edit(event: Event, s: _Subject) -> str:
    tool = f" ({event['tool']})" if event.get("tool") else ""
    return f"{s.who} edited {event.get('file', '?')}{s.on}{tool}"


def _run(event: Event, s: _Subject) -> str:
    took = _took(event.get("seconds"))
    return (f"{s.who} headless run{s.on} {_run_outcome(event)} after {took}: {_files_summary(event)}"
            f"{_run_cost(event)}{_containment(event)}{_attribution(event)}")


def _rating(event: Event, s: _Subject) -> str:
    scores = event.get("scores") or {}
    shown = ", ".join(f"{k} {v}" for k, v in scores.items()) if isinstance(scores, dict) else ""
    return f"{s.variant or s.who} rated{s.by}: {shown}".rstrip(": ")


def _vote(event: Event, s: _Subject) -> str:
    return f"blind vote{s.by}: {event.get('winner', '?')}" + (f" ({event['reason']})" if event.get("reason") else "")


def _compare(event: Event, s: _Subject) -> str:
    return "blind comparison set up" + s.by


_BY_KIND: dict[str, Callable[[Event, _Subject], str]] = {
    ledger.CREATED: _created,
    ledger.RENDERED: _rendered,
    ledger.SESSION_STARTED: _session_started,
    ledger.SESSION_ENDED: _session_ended,
    ledger.CHANGE: _change,
    ledger.EDIT: _edit,
    ledger.RUN: _run,
    ledger.RATING: _rating,
    ledger.VOTE: _vote,
    ledger.COMPARE: _compare,
}
