"""Small text helpers for the TUI: relative times, ratings, errors with their line, markup escaping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sandbox.core.errors import SandboxError

Clock = Callable[[], datetime]


def utc_clock() -> datetime:
    return datetime.now(UTC)


def parse_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ago(text: str | None, now: datetime) -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '4 days ago', or the date."""
    moment = parse_at(text)
    if moment is None:
        return "-"
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    return moment.strftime("%Y-%m-%d")


def rating(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}/5"


def esc(text: str) -> str:
    """``text`` shown as it is inside Rich markup: a '[' in a title or a path is text, not a style."""
    return text.replace("[", r"\[")


def error_where(error: SandboxError) -> str:
    """'Line 3, column 7: message' for an error in the spec editor (no file path)."""
    message = " ".join(error.message.split())
    if error.line is None:
        return message
    where = f"Line {error.line}" + (f", column {error.column}" if error.column is not None else "")
    return f"{where}: {message}"


def wrap_lines(lines: list[str], width: int, indent: str = "  ") -> list[str]:
    """Fold lines longer than ``width`` at spaces (a Log widget does not wrap, and a cut-off log line
    at 80 columns hides what happened); words such as file names are never split."""
    if width < 20:
        return list(lines)
    import textwrap

    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False,
                                     break_on_hyphens=False) or [""])
    return out


def run_outcome(event: Mapping[str, object]) -> tuple[str, bool]:
    """How a headless run ended, as a phrase after "the assistant" ("finished", "ran out of time"),
    and whether it finished well. The run's own ``reason`` (one plain line) is used when it has one."""
    if event.get("interrupted"):
        return "was stopped", False
    if event.get("timed_out"):
        return "ran out of time", False
    if event.get("ok") is False or event.get("error") or event.get("exit_code") not in (0, None):
        detail = event.get("reason") or event.get("error") or f"exit code {event.get('exit_code')}"
        return f"stopped with a problem ({detail})", False
    return "finished", True
