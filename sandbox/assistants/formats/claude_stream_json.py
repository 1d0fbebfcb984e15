"""Claude Code's ``--output-format stream-json --verbose``: one JSON event per line, live.

Why stream-json for headless runs: with plain ``json`` Claude Code prints nothing until the end, so
a run whose model service is unreachable is silent for minutes; the stream shows each tool call,
each permission denial and each ``api_retry`` as it happens. ``describe`` turns a line into the
short phrase the live echo shows (or None for lines not worth a person's attention), and
``summarise`` reads the whole stream: the final ``result`` line (``claude_json``) plus what only
the stream says (the CLI version and model from ``init``, retries, tool calls and denials, the
files its edit tools changed). A stream cut short (a timeout) still gives what it had.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sandbox.assistants.formats import claude_json
from sandbox.assistants.formats.summary import (
    UNREACHABLE,
    Summary,
    first_line,
    json_objects,
    mapping,
    number,
    text,
    whole,
)

EDIT_TOOLS = ("Write", "Edit", "MultiEdit", "NotebookEdit")


def events(output: str) -> Iterator[dict[str, Any]]:
    """The JSON objects of the stream (other lines skipped)."""
    return json_objects(output.splitlines())


def summarise(output: str, stderr: str = "") -> Summary:
    """The shared run fields of a stream: its result line when there is one, and what the stream showed."""
    seen = _Stream()
    for event in events(output):
        seen.read(event)
    summary = claude_json.from_result(seen.result) if seen.result is not None else Summary()
    summary.cli_version = summary.cli_version or seen.version
    summary.models = summary.models or list(dict.fromkeys(seen.models))
    summary.session_id = summary.session_id or seen.session_id
    summary.retries = seen.retries
    summary.answered = summary.answered or seen.answered
    if summary.turns is None and seen.turns:
        summary.turns = seen.turns
    summary.accepted = max(0, seen.tool_calls - len(seen.denied))
    if summary.denied is None or summary.denied < len(seen.denied):
        summary.denied = len(seen.denied)
    summary.denied_paths = list(dict.fromkeys([*summary.denied_paths, *[p for p in seen.denied.values() if p]]))
    summary.edited = [path for tool_id, path in seen.edits.items() if tool_id not in seen.failed]
    if summary.error is None and seen.result is None:
        if seen.api_error is not None:
            summary.error, summary.message = claude_json.classify_message(seen.api_error)
        elif seen.retries and not seen.answered:
            summary.error, summary.message = UNREACHABLE, seen.last_retry
    return summary


class _Stream:
    """What the events of one stream add up to."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.session_id: str | None = None
        self.models: list[str] = []
        self.retries = 0
        self.last_retry: str | None = None
        self.answered = False
        self.turns = 0
        self.tool_calls = 0
        self.edits: dict[str, str] = {}  # tool_use id -> file
        self.failed: set[str] = set()  # tool_use ids whose result was an error
        self.denied: dict[str, str | None] = {}  # tool_use id -> the path it wanted
        self.api_error: str | None = None
        self.result: dict[str, Any] | None = None

    def read(self, event: dict[str, Any]) -> None:
        kind, subtype = event.get("type"), event.get("subtype")
        if kind == "system" and subtype == "init":
            self.version = text(event.get("claude_code_version"))
            self.session_id = text(event.get("session_id"))
            if text(event.get("model")):
                self.models.append(event["model"])
        elif kind == "system" and subtype == "api_retry":
            self.retries += 1
            self.last_retry = first_line(str(event.get("error") or "the model service did not answer"))
        elif kind == "system" and subtype == "permission_denied":
            tool_id = str(event.get("tool_use_id") or len(self.denied))
            self.denied.setdefault(tool_id, self.edits.get(tool_id))
        elif kind == "assistant":
            self._assistant(event)
        elif kind == "user":
            self._tool_results(event)
        elif kind == "result":
            self.result = event

    def _assistant(self, event: dict[str, Any]) -> None:
        message = mapping(event.get("message"))
        if event.get("is_api_error_message") or event.get("error"):
            self.api_error = " ".join(str(x) for x in (event.get("api_error"), event.get("error"), _text_of(message))
                                      if x)
            return
        self.turns += 1
        self.answered = True
        model = text(message.get("model"))
        if model and model != "<synthetic>":
            self.models.append(model)
        for block in message.get("content") or []:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                self.tool_calls += 1
                tool_input = mapping(block.get("input"))
                path = text(tool_input.get("file_path")) or text(tool_input.get("notebook_path"))
                if block.get("name") in EDIT_TOOLS and path:
                    self.edits[str(block.get("id"))] = path

    def _tool_results(self, event: dict[str, Any]) -> None:
        message = mapping(event.get("message"))
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict) and block.get("type") == "tool_result" and block.get("is_error"):
                tool_id = str(block.get("tool_use_id"))
                self.failed.add(tool_id)
                if "permission" in str(block.get("content")).lower() and tool_id not in self.denied:
                    self.denied[tool_id] = self.edits.get(tool_id)
        for tool_id in list(self.denied):
            if self.denied[tool_id] is None and tool_id in self.edits:
                self.denied[tool_id] = self.edits[tool_id]


def _text_of(message: dict[str, Any]) -> str:
    parts = [b.get("text") for b in message.get("content") or [] if isinstance(b, dict) and b.get("type") == "text"]
    return " ".join(p for p in parts if isinstance(p, str))


def describe(line: str) -> str | None:
    """The live echo of one stream line: a short phrase, or None to leave it out."""
    stripped = line.strip()
    if not stripped.startswith("{"):
        return line if stripped else None
    try:
        event = json.loads(stripped)
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        return line
    if not isinstance(event, dict):
        return None
    kind, subtype = event.get("type"), event.get("subtype")
    if kind == "system" and subtype == "init":
        return f"started: Claude Code {event.get('claude_code_version', '?')}, model {event.get('model', '?')}"
    if kind == "system" and subtype == "api_retry":
        delay = number(event.get("retry_delay_ms"))
        wait = f", next in {delay / 1000:.0f} s" if delay is not None else ""
        return (f"the model service did not answer ({event.get('error_status') or event.get('error') or '?'}): "
                f"retry {event.get('attempt', '?')} of {event.get('max_retries', '?')}{wait}")
    if kind == "system" and subtype == "permission_denied":
        return f"denied: {event.get('tool_name', 'a tool')}"
    if kind == "assistant":
        return _describe_assistant(event)
    if kind == "result":
        if event.get("is_error"):
            return f"failed: {first_line(str(event.get('result') or event.get('subtype') or ''))}"
        turns = whole(event.get("num_turns"))
        return f"finished after {turns} turns" if turns is not None else "finished"
    return None


def _describe_assistant(event: dict[str, Any]) -> str | None:
    message = mapping(event.get("message"))
    if event.get("is_api_error_message"):
        return f"error: {first_line(_text_of(message))}"
    shown = []
    for block in message.get("content") or []:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "tool_use":
            tool_input = mapping(block.get("input"))
            target = next((str(tool_input[k]) for k in ("file_path", "notebook_path", "path", "pattern", "command")
                           if k in tool_input), "")
            shown.append(f"{block.get('name')} {first_line(target, 80)}".strip())
        elif block.get("type") == "text" and isinstance(block.get("text"), str) and block["text"].strip():
            shown.append(first_line(block["text"], 100))
    return "; ".join(shown) or None
