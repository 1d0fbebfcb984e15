"""Claude Code's result: ``--output-format json`` (one object) or ``stream-json`` (one per line).

The whole output as one JSON object (or an array of stream events), else the last line that is a
JSON object with a result shape: stream-json ends with ``{"type": "result", ...}`` after any
amount of progress. Only known keys are kept; ``cost_usd`` (older Claude Code) is read as
total_cost_usd. Anything unparsable gives {}.
"""

from __future__ import annotations

import json
from typing import Any

RESULT_KEYS = ("duration_ms", "duration_api_ms", "num_turns", "total_cost_usd", "usage", "session_id",
               "is_error", "subtype")


def parse(output: str) -> dict[str, Any]:
    """The result fields of Claude Code's JSON output; {} when there are none."""
    for data in _candidates(output.strip()):
        if isinstance(data, list):  # stream-json collected into an array
            data = next((d for d in reversed(data) if isinstance(d, dict) and d.get("type") == "result"), None)
        if not isinstance(data, dict):
            continue
        result = {key: data[key] for key in RESULT_KEYS if key in data}
        if "total_cost_usd" not in result and isinstance(data.get("cost_usd"), (int, float)):
            result["total_cost_usd"] = data["cost_usd"]
        if result:
            return result
    return {}


def _candidates(text: str) -> list[Any]:
    """The whole text as JSON, else the JSON-object lines from the end up to the first result-shaped one."""
    if not text:
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    found: list[Any] = []
    for raw in reversed(text.splitlines()):
        line = raw.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        found.append(data)
        if isinstance(data, dict) and (data.get("type") == "result" or any(k in data for k in RESULT_KEYS)):
            break
    return found
