"""Claude Code's result: ``--output-format json`` (one object) or the last line of ``stream-json``.

The whole output as one JSON object (or an array of stream events), else the last line that is a
JSON object with a result shape: stream-json ends with ``{"type": "result", ...}`` after any
amount of progress. ``parse`` keeps the known keys as the run's raw ``result`` (``cost_usd`` of
older Claude Code is read as total_cost_usd); ``summarise`` reads the same object into the fields
every assistant shares: per-model tokens and cost from ``modelUsage``, ``permission_denials`` with
the paths they wanted, ``api_error``/``api_error_status``/``terminal_reason`` and the ``result``
text for the reason of a failure. Anything unparsable gives {} (an empty summary).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.assistants.formats.summary import (
    ERROR,
    NOT_SIGNED_IN,
    UNREACHABLE,
    Summary,
    add_tokens,
    first_line,
    json_objects,
    number,
    text,
    tokens,
    whole,
)

RESULT_KEYS = ("duration_ms", "duration_api_ms", "num_turns", "total_cost_usd", "usage", "session_id",
               "is_error", "subtype", "terminal_reason", "api_error_status", "api_error")

# Words of Claude Code's own messages, in the result text or the api_error field.
SIGNED_OUT_WORDS = ("not logged in", "please run /login", "invalid api key", "authentication_failed",
                    "oauth token", "credit balance is too low")
UNREACHABLE_WORDS = ("connection_failed", "connection refused", "econnrefused", "unable to connect",
                     "enotfound", "etimedout", "fetch failed", "network error", "socket hang up")


def parse(output: str) -> dict[str, Any]:
    """The result fields of Claude Code's JSON output; {} when there are none."""
    data = result_object(output)
    if data is None:
        return {}
    result = {key: data[key] for key in RESULT_KEYS if key in data}
    if "total_cost_usd" not in result and isinstance(data.get("cost_usd"), int | float):
        result["total_cost_usd"] = data["cost_usd"]
    return result


def result_object(output: str) -> dict[str, Any] | None:
    """The result-shaped object of the output, or None."""
    for data in _candidates(output.strip()):
        if isinstance(data, list):  # stream-json collected into an array
            data = next((d for d in reversed(data) if isinstance(d, dict) and d.get("type") == "result"), None)
        if isinstance(data, dict) and (data.get("type") == "result" or any(k in data for k in (*RESULT_KEYS,
                                                                                               "cost_usd"))):
            return data
    return None


def summarise(output: str, stderr: str = "") -> Summary:
    """The shared run fields of a ``--output-format json`` result."""
    data = result_object(output)
    summary = Summary() if data is None else from_result(data)
    if data is None and stderr.strip():
        summary.error, summary.message = classify_message(stderr)
    return summary


def from_result(data: dict[str, Any]) -> Summary:
    """A Claude Code result object read into the shared fields."""
    summary = Summary(finished=True, result=parse(json.dumps(data)))
    summary.session_id = text(data.get("session_id"))
    summary.turns = whole(data.get("num_turns"))
    api_ms = number(data.get("duration_api_ms"))
    summary.api_seconds = api_ms / 1000 if api_ms is not None else None
    _read_model_usage(summary, data)
    cost = number(data.get("total_cost_usd"))
    if cost is None:
        cost = number(data.get("cost_usd"))
    if cost is not None:
        summary.cost = {"amount": cost, "unit": "usd"}
    denials = data.get("permission_denials")
    if isinstance(denials, list):
        summary.denied = len(denials)
        summary.denied_paths = [p for p in (_denied_path(d) for d in denials) if p]
    summary.answered = bool(api_ms) or bool(summary.tokens and summary.tokens.get("output"))
    if data.get("is_error") or data.get("subtype") not in (None, "success"):
        message = text(data.get("result")) or text(data.get("subtype")) or "the run failed"
        hints = " ".join(str(data.get(k) or "") for k in ("api_error", "result"))
        summary.error, summary.message = classify_message(hints, message, status=whole(data.get("api_error_status")))
    return summary


def _read_model_usage(summary: Summary, data: dict[str, Any]) -> None:
    usage = data.get("modelUsage")
    if isinstance(usage, dict) and usage:
        for model, per in usage.items():
            if not isinstance(per, dict):
                continue
            summary.models.append(str(model))
            summary.tokens = add_tokens(summary.tokens, tokens(
                per.get("inputTokens"), per.get("outputTokens"), per.get("cacheReadInputTokens"),
                per.get("cacheCreationInputTokens")))
        return
    flat = data.get("usage")
    if isinstance(flat, dict):
        summary.tokens = tokens(flat.get("input_tokens"), flat.get("output_tokens"),
                                flat.get("cache_read_input_tokens"), flat.get("cache_creation_input_tokens"))


def _denied_path(denial: Any) -> str | None:
    if not isinstance(denial, dict):
        return None
    tool_input = denial.get("tool_input")
    if not isinstance(tool_input, dict):
        return None
    return next((tool_input[k] for k in ("file_path", "notebook_path", "path") if isinstance(tool_input.get(k), str)),
                None)


def classify_message(hints: str, message: str | None = None, *, status: int | None = None) -> tuple[str, str]:
    """(error kind, one-line message) from what Claude Code said about a failure."""
    lowered = hints.lower()
    shown = first_line(message if message is not None else hints)
    if status in (401, 403) or any(word in lowered for word in SIGNED_OUT_WORDS):
        return NOT_SIGNED_IN, shown
    if any(word in lowered for word in UNREACHABLE_WORDS):
        return UNREACHABLE, shown
    return ERROR, shown


def _candidates(text_: str) -> list[Any]:
    """The whole text as JSON, else the JSON-object lines from the end up to the first result-shaped one."""
    if not text_:
        return []
    try:
        return [json.loads(text_)]
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        pass
    found: list[Any] = []
    for data in json_objects(reversed(text_.splitlines())):
        found.append(data)
        if isinstance(data, dict) and (data.get("type") == "result" or any(k in data for k in RESULT_KEYS)):
            break
    return found
