"""The fields recorded since docs/EVENTS.md was first written are validated with their types.

``names_shown`` (compare), ``spool_rejected`` (run, session_ended), ``guess`` (its three values),
``via`` and ``template_sha256`` (vote): a right value passes, a wrong type makes the event a counted
problem naming the field, never a crash of a reader.
"""

from __future__ import annotations

import pytest

from sandbox.core import events

BASE = {"id": "e1", "at": "2026-12-01T10:00:00.000Z", "schema": 1, "project": "p"}
SIDES = {"comparison": "c1", "a": "claude-code", "b": "copilot", "a_assistant": "claude-code",
         "b_assistant": "copilot"}
CLOSING = {"session": "s1", "mode": "run", "seconds": 1.5}

GOOD = [
    ("compare", {**SIDES, "origin": "build", "names_shown": True}),
    ("vote", {**SIDES, "winner": "A", "guess": "A", "guess_a": "claude-code", "guess_correct": True, "via": "cli",
              "template_sha256": "ab" * 32}),
    ("vote", {**SIDES, "winner": "tie", "guess": "unsure", "via": "page"}),
    ("vote", {**SIDES, "winner": "B", "guess": "B", "guess_a": "copilot", "guess_correct": False, "via": "tui"}),
    ("run", {**CLOSING, "spool_rejected": 2, "ok": False, "failure": "unreadable-output", "reason": "x"}),
    ("session_ended", {**CLOSING, "mode": "session", "spool_rejected": 0}),
]
BAD = [
    ("compare", {**SIDES, "names_shown": "yes"}, "names_shown"),
    ("vote", {**SIDES, "winner": "A", "guess": "claude-code"}, "guess"),
    ("vote", {**SIDES, "winner": "A", "guess": "a"}, "guess"),
    ("vote", {**SIDES, "winner": "A", "via": 3}, "via"),
    ("vote", {**SIDES, "winner": "A", "template_sha256": ["x"]}, "template_sha256"),
    ("run", {**CLOSING, "spool_rejected": "2"}, "spool_rejected"),
    ("run", {**CLOSING, "spool_rejected": True}, "spool_rejected"),
    ("session_ended", {**CLOSING, "spool_rejected": 1.5}, "spool_rejected"),
]


@pytest.mark.parametrize(("kind", "fields"), GOOD)
def test_the_recorded_fields_pass(kind: str, fields: dict) -> None:
    assert events.problem({**BASE, "kind": kind, **fields}) is None


@pytest.mark.parametrize(("kind", "fields", "field"), BAD)
def test_a_wrong_type_is_a_problem_naming_the_field(kind: str, fields: dict, field: str) -> None:
    found = events.problem({**BASE, "kind": kind, **fields})
    assert found is not None and found.startswith(f"'{field}'"), found
