"""What an assistant's own output says about its run, one module per output format.

An assistant's ``result_format`` (registry, ``sandbox.yaml``) names how to read what its headless
command printed; each format gives the same ``result`` fields of the ``run`` event (duration_ms,
duration_api_ms, num_turns, total_cost_usd, usage, session_id, is_error, subtype: only the keys
present). Output in a format nobody reads ("text") says nothing: {}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.assistants.formats import claude_json

Parser = Callable[[str], dict[str, Any]]

PARSERS: dict[str, Parser] = {
    "claude-json": claude_json.parse,  # Claude Code's --output-format json (or stream-json)
    "json": claude_json.parse,  # the same shape, under the name older sandbox.yaml files use
}


def parse_result(output: str, result_format: str = "claude-json") -> dict[str, Any]:
    """The ``result`` fields found in ``output`` read as ``result_format`` ({} for an unknown format)."""
    parser = PARSERS.get(result_format)
    return parser(output) if parser is not None else {}
