"""The one shape every output format is read into, so two assistants are measured alike.

Each parser (``claude_json``, ``claude_stream_json``, ``copilot_jsonl``, ``copilot_usage``) fills
what its CLI says and leaves the rest ``None``: absent means unknown, never zero. ``fields()`` gives
the ``run`` event's fields (docs/EVENTS.md): ``cli_version``, ``models``, ``api_seconds``, ``turns``,
``tokens``, ``cost`` (with its unit, never converted or summed across units) and ``tools``.
``error`` and ``message`` are what the CLI itself reported; ``sandbox.assistants.formats.outcome``
turns them, with the exit code and the timeout, into the run's one-line reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

TOKEN_KINDS = ("input", "output", "cache_read", "cache_write")
COST_UNITS = ("usd", "premium-requests", "ai-credits")

# What a CLI can report as the cause of a failed run (``Summary.error``).
NOT_SIGNED_IN = "not-signed-in"
UNREACHABLE = "unreachable"
ERROR = "error"


@dataclass
class Summary:
    """What an assistant's own output said about one run (None: it did not say)."""

    cli_version: str | None = None
    models: list[str] = field(default_factory=list)
    api_seconds: float | None = None
    turns: int | None = None
    tokens: dict[str, int] | None = None
    cost: dict[str, Any] | None = None  # {"amount": float, "unit": one of COST_UNITS}
    accepted: int | None = None  # tool calls that ran
    denied: int | None = None  # tool calls refused by the CLI's permissions
    denied_paths: list[str] = field(default_factory=list)  # files those refused calls wanted to write
    edited: list[str] = field(default_factory=list)  # files the CLI says its tools changed (as it names them)
    error: str | None = None  # NOT_SIGNED_IN, UNREACHABLE or ERROR
    message: str | None = None  # the CLI's own words about the failure, one line
    retries: int = 0  # model calls retried because the service did not answer
    answered: bool = False  # the model service answered at least once
    finished: bool = False  # the final result line was seen
    session_id: str | None = None
    result: dict[str, Any] = field(default_factory=dict)  # the raw summary, kept for forensics

    def merge(self, other: Summary) -> Summary:
        """Fill what this summary lacks from ``other`` (the CLI's own output wins over telemetry)."""
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "result":
                setattr(self, f.name, {**theirs, **mine})
            elif f.name in ("answered", "finished"):
                setattr(self, f.name, mine or theirs)
            elif f.name == "retries":
                setattr(self, f.name, max(mine, theirs))
            elif mine in (None, []) and theirs not in (None, []):
                setattr(self, f.name, theirs)
        return self

    def fields(self) -> dict[str, Any]:
        """The shared ``run`` event fields this summary knows (absent ones left out)."""
        out: dict[str, Any] = {
            "cli_version": self.cli_version,
            "models": list(dict.fromkeys(self.models)) or None,
            "api_seconds": round(self.api_seconds, 3) if self.api_seconds is not None else None,
            "turns": self.turns,
            "tokens": dict(self.tokens) if self.tokens else None,
            "cost": dict(self.cost) if self.cost else None,
        }
        if self.accepted is not None or self.denied is not None or self.denied_paths:
            out["tools"] = {"accepted": self.accepted or 0, "denied": self.denied or len(self.denied_paths),
                            "denied_paths": list(dict.fromkeys(self.denied_paths))}
        return {k: v for k, v in out.items() if v is not None}


def tokens(
    input_: Any = None, output: Any = None, cache_read: Any = None, cache_write: Any = None
) -> dict[str, int] | None:
    """A ``tokens`` field from whatever numbers a CLI gave (None when it gave none)."""
    values = dict(zip(TOKEN_KINDS, (input_, output, cache_read, cache_write), strict=True))
    if not any(isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
        return None
    return {k: int(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0 for k, v in values.items()}


def add_tokens(total: dict[str, int] | None, more: dict[str, int] | None) -> dict[str, int] | None:
    if more is None:
        return total
    if total is None:
        return dict(more)
    return {k: total.get(k, 0) + more.get(k, 0) for k in TOKEN_KINDS}


def number(value: Any) -> float | None:
    """``value`` when it is a real number (JSON booleans are not)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def whole(value: Any) -> int | None:
    n = number(value)
    return int(n) if n is not None else None


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (a CLI's field of the wrong type reads as absent)."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def first_line(value: str, limit: int = 200) -> str:
    """A CLI's message as one line a person reads (long ones cut with an ellipsis)."""
    line = " ".join(value.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def json_objects(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects among ``lines`` (JSON lines output; anything else skipped)."""
    for raw in lines:
        line = raw.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            data = json.loads(line)
        except (ValueError, RecursionError):  # deep nesting: not JSON we read
            continue
        if isinstance(data, dict):
            yield data


MAX_READABLE_LINE = 1 << 20  # characters: longer lines are no CLI's progress or result


def garbled(output: str) -> bool:
    """Whether ``output`` has a line no reader can use: binary (NUL or undecodable bytes), over a
    megabyte long, or JSON-looking but not JSON (nested too deep for Python's parser, cut, broken).
    """
    if "\x00" in output or "\ufffd" in output:
        return True
    for raw in output.splitlines():
        line = raw.strip()
        if len(line) > MAX_READABLE_LINE:
            return True
        if line[:1] in ("{", "["):
            try:
                json.loads(line)
            except (ValueError, RecursionError):
                return True
    return False
