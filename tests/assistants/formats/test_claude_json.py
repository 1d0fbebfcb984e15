"""Claude Code's own account of a run: ``--output-format json`` and ``stream-json``."""

from __future__ import annotations

import json

from sandbox.assistants.formats import parse_result


def test_parse_result_reads_what_is_present() -> None:
    full = {
        "type": "result",
        "duration_ms": 10,
        "num_turns": 2,
        "total_cost_usd": 0.5,
        "usage": {"a": 1},
        "session_id": "s",
        "result": "long text",
        "modelUsage": {},
    }
    kept = ("duration_ms", "num_turns", "total_cost_usd", "usage", "session_id")
    assert parse_result(json.dumps(full)) == {k: full[k] for k in kept}
    stream = "\n".join([json.dumps({"type": "system"}), "not json", json.dumps({"type": "result", "num_turns": 4})])
    assert parse_result(stream) == {"num_turns": 4}
    assert parse_result(json.dumps({"cost_usd": 0.2})) == {"total_cost_usd": 0.2}
    assert parse_result(json.dumps([{"type": "system"}, {"type": "result", "duration_ms": 5}])) == {"duration_ms": 5}
    assert parse_result("plain text\nno json here") == {}
    assert parse_result('{"broken": ') == {}
    assert parse_result(json.dumps(full), "text") == {}


def test_the_format_names_which_reader_applies() -> None:
    """'json' is the older name of the same shape; a format nobody reads says nothing."""
    result = json.dumps({"type": "result", "num_turns": 2, "total_cost_usd": 0.3})
    assert (
        parse_result(result, "json") == parse_result(result, "claude-json") == {"num_turns": 2, "total_cost_usd": 0.3}
    )
    assert parse_result(result, "copilot-jsonl") == {}


def test_the_result_line_is_found_after_any_amount_of_progress() -> None:
    progress = [json.dumps({"type": "assistant", "message": {"content": f"step {n}"}}) for n in range(500)]
    output = "\n".join([*progress, json.dumps({"type": "result", "duration_ms": 9, "is_error": False}), ""])
    assert parse_result(output) == {"duration_ms": 9, "is_error": False}
