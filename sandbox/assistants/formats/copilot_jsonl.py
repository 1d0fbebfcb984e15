"""GitHub Copilot CLI's ``--output-format json``: JSON lines ending in a ``result`` line.

The lines that matter: ``tool.execution_start`` (the tool and its arguments, so the path a denied
call wanted is known), ``tool.execution_complete`` (``success``, ``error.code: "denied"``,
``fileEdits``), ``assistant.turn_start`` (turns), ``assistant.message`` and
``session.tools_updated`` (the model), ``model.call_failure`` (a retried model call),
``session.error`` (why the session failed) and ``result`` (``sessionId``, ``exitCode``,
``usage.premiumRequests``, ``totalApiDurationMs``, ``sessionDurationMs``, ``codeChanges``).
Tokens are not in this stream: they come from the usage file (``copilot_usage``). A sign-in problem
is only on stderr ("No authentication information found"), so stderr is read too.
"""

from __future__ import annotations

from typing import Any

from sandbox.assistants.formats.claude_stream_json import events
from sandbox.assistants.formats.summary import (
    ERROR,
    NOT_SIGNED_IN,
    UNREACHABLE,
    Summary,
    first_line,
    mapping,
    number,
    text,
    whole,
)

SIGNED_OUT_WORDS = ("no authentication information", "not authenticated", "please run /login", "copilot login",
                    "authentication failed", "unauthorized")
UNREACHABLE_WORDS = ("could not connect", "connection refused", "econnrefused", "tcp connect error",
                     "failed native model http request", "network is unreachable", "timed out connecting")


def parse(output: str) -> dict[str, Any]:
    """The raw ``result`` of the run: the result line's known keys ({} when there is none)."""
    for event in events(output):
        if event.get("type") == "result" and any(k in event for k in ("sessionId", "exitCode", "usage")):
            return {k: event[k] for k in ("sessionId", "exitCode", "usage") if k in event}
    return {}


def summarise(output: str, stderr: str = "") -> Summary:
    """The shared run fields of a Copilot JSON-lines stream (and its stderr)."""
    seen = _Stream()
    for event in events(output):
        seen.read(event)
    summary = Summary(models=list(dict.fromkeys(seen.models)), session_id=seen.session_id, retries=seen.retries,
                      answered=seen.answered, finished=seen.result is not None, result=parse(output))
    summary.turns = seen.turns or None
    summary.accepted = seen.accepted if seen.tool_calls else None
    summary.denied = len(seen.denied) if seen.tool_calls else None
    summary.denied_paths = [p for p in seen.denied if p]
    summary.edited = list(dict.fromkeys(seen.edited))
    if seen.result is not None:
        usage = mapping(seen.result.get("usage"))
        api_ms = number(usage.get("totalApiDurationMs"))
        summary.api_seconds = api_ms / 1000 if api_ms is not None else None
        premium = number(usage.get("premiumRequests"))
        if premium is not None:
            summary.cost = {"amount": premium, "unit": "premium-requests"}
    failed = seen.result is not None and whole(seen.result.get("exitCode")) not in (None, 0)
    if seen.error is not None or failed or (stderr.strip() and seen.result is None):
        summary.error, summary.message = classify_message(" ".join(x for x in (seen.error, stderr) if x),
                                                          seen.error or _first_words(stderr))
        if summary.error == ERROR and seen.retries and not seen.answered:
            summary.error = UNREACHABLE
    return summary


class _Stream:
    def __init__(self) -> None:
        self.models: list[str] = []
        self.session_id: str | None = None
        self.turns = 0
        self.tool_calls = 0
        self.accepted = 0
        self.started: dict[str, str | None] = {}  # tool call id -> the path it named
        self.denied: list[str | None] = []
        self.edited: list[str] = []
        self.retries = 0
        self.answered = False
        self.error: str | None = None
        self.result: dict[str, Any] | None = None

    def read(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        data = mapping(event.get("data"))
        if kind in ("session.tools_updated", "assistant.message", "model.call_start") and text(data.get("model")):
            self.models.append(data["model"])
        if kind == "assistant.turn_start":
            self.turns += 1
        elif kind == "assistant.message":
            self.answered = True
        elif kind == "tool.execution_start":
            arguments = mapping(data.get("arguments"))
            self.started[str(data.get("toolCallId"))] = text(arguments.get("path"))
        elif kind == "tool.execution_complete":
            self._complete(data)
        elif kind == "model.call_failure":
            self.retries += 1
        elif kind == "session.error":
            self.error = first_line(str(data.get("message") or data.get("errorType") or "the session failed"))
        elif kind == "result":
            self.result = event
            self.session_id = text(event.get("sessionId"))

    def _complete(self, data: dict[str, Any]) -> None:
        self.tool_calls += 1
        error = mapping(data.get("error"))
        if data.get("success") is False and error.get("code") == "denied":
            self.denied.append(self.started.get(str(data.get("toolCallId"))))
            return
        self.accepted += 1
        for edit in data.get("fileEdits") or []:
            if isinstance(edit, dict) and text(edit.get("path")):
                self.edited.append(edit["path"])


def classify_message(hints: str, message: str) -> tuple[str, str]:
    lowered = hints.lower()
    if any(word in lowered for word in SIGNED_OUT_WORDS):
        return NOT_SIGNED_IN, first_line(message)
    if any(word in lowered for word in UNREACHABLE_WORDS):
        return UNREACHABLE, first_line(message)
    return ERROR, first_line(message)


def _first_words(stderr: str) -> str:
    return next((line.strip() for line in stderr.splitlines() if line.strip()), "the run failed")


def describe(line: str) -> str | None:
    """The live echo of one line: a short phrase, or None to leave it out."""
    stripped = line.strip()
    if not stripped.startswith("{"):
        return line if stripped else None
    event = next(events(stripped), None)
    if event is None:
        return line
    kind = event.get("type")
    data = mapping(event.get("data"))
    if kind == "tool.execution_start":
        arguments = mapping(data.get("arguments"))
        target = next((str(arguments[k]) for k in ("path", "command", "pattern") if k in arguments), "")
        return f"{data.get('toolName', 'tool')} {first_line(target, 80)}".strip()
    if kind == "tool.execution_complete" and data.get("success") is False:
        error = mapping(data.get("error"))
        if error.get("code") == "denied":
            return "denied: the CLI's permissions refused that call"
        return f"tool failed: {first_line(str(error.get('message')), 100)}"
    if kind == "assistant.message" and text(data.get("content")):
        return first_line(data["content"], 100)
    if kind == "model.call_failure":
        return f"the model service did not answer: retry {data.get('retryAttempt', '?')}"
    if kind == "session.error":
        return f"error: {first_line(str(data.get('message')))}"
    if kind == "result":
        return f"finished with exit code {event.get('exitCode', '?')}"
    return None
