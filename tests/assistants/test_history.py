"""The history in plain words: one line per ledger event, as ``sandbox log`` and the TUI show it."""

from __future__ import annotations

import pytest

from sandbox.assistants.history import describe_event


def test_describe_event_is_one_plain_line() -> None:
    run = {"kind": "run", "variant": "copilot", "assistant": "copilot", "exit_code": 0, "seconds": 75,
           "files_added": ["a"], "files_changed": [], "files_deleted": [], "lines_added": 3, "lines_removed": 0,
           "result": {"total_cost_usd": 0.1234, "num_turns": 7}}
    assert describe_event(run) == (
        "copilot headless run finished after 1 min: 1 added, +3/-0 lines [$0.12, 7 turns]"
    )
    assert "timed out" in describe_event({**run, "timed_out": True, "exit_code": -15})
    assert "failed (exit code 2)" in describe_event({**run, "exit_code": 2})
    assert "\n" not in describe_event({"kind": "something-new", "variant": "x"})
    ended = {"kind": "session_ended", "variant": "copilot", "assistant": "copilot", "seconds": 5,
             "note": "good start\nbut the header\r\nis off"}
    assert describe_event(ended).endswith(": good start but the header is off")
    assert "\n" not in describe_event({"kind": "vote", "winner": "A", "reason": "clearer\nlayout"})


@pytest.mark.parametrize("event, line", [
    ({"kind": "created", "title": "Expense approvals", "template": "mini", "assistants": ["claude-code", "copilot"],
      "by": "ana"}, "created 'Expense approvals' from mini for claude-code, copilot (by ana)"),
    ({"kind": "rendered", "files": ["a", "b"], "conflicts": ["x"], "by": "ana"},
     "re-rendered from project.yaml: 2 files written, 1 conflict kept for review (by ana)"),
    ({"kind": "rendered", "files": ["a"], "conflicts": []}, "re-rendered from project.yaml: 1 file written"),
    ({"kind": "session_started", "variant": "copilot", "assistant": "human", "files": 1, "by": "bo"},
     "human session started on copilot (1 file) (by bo)"),
    ({"kind": "session_started", "variant": "copilot", "assistant": "copilot", "files": 2_000},
     "copilot session started (2,000 files)"),
    ({"kind": "session_ended", "variant": "copilot", "assistant": "copilot", "seconds": 300, "files_added": ["a"],
      "files_changed": ["b", "c"], "files_deleted": ["d"], "lines_added": 4, "lines_removed": 2, "score": 4,
      "note": "ok"}, "copilot session ended after 5 min: 1 added, 2 changed, 1 deleted, +4/-2 lines, scored 4/5: ok"),
    ({"kind": "session_ended", "variant": "copilot", "assistant": "copilot", "seconds": 0.4},
     "copilot session ended after under a second: no files changed, +0/-0 lines"),
    ({"kind": "session_ended", "variant": "copilot", "assistant": "copilot", "seconds": "soon"},
     "copilot session ended after ?: no files changed, +0/-0 lines"),
    ({"kind": "session_ended", "variant": "copilot", "assistant": "copilot", "seconds": 7200},
     "copilot session ended after 2.0 h: no files changed, +0/-0 lines"),
    ({"kind": "change", "variant": "claude-code", "assistant": "claude-code", "files": ["a", "b", "c", "d", "e"],
      "lines_added": 1, "lines_removed": 0}, "claude-code changed a, b, c and 2 more (+1/-0 lines)"),
    ({"kind": "edit", "variant": "claude-code", "assistant": "claude-code", "file": "index.html", "tool": "Write"},
     "claude-code edited index.html (Write)"),
    ({"kind": "run", "variant": "copilot", "assistant": "copilot", "interrupted": True, "seconds": 12},
     "copilot headless run was interrupted after 12 s: no files changed, +0/-0 lines"),
    ({"kind": "rating", "variant": "copilot", "scores": {"looks": 4, "works": 5}, "by": "ana"},
     "copilot rated (by ana): looks 4, works 5"),
    ({"kind": "vote", "winner": "A", "reason": "clearer", "by": "ana"}, "blind vote (by ana): A (clearer)"),
    ({"kind": "compare", "by": "ana"}, "blind comparison set up (by ana)"),
    ({"kind": "mystery", "variant": "x", "by": "ana"}, "mystery (by ana)"),
])
def test_each_kind_reads_as_a_sentence(event: dict, line: str) -> None:
    """The words people read in ``sandbox log``: counts grouped, spans in words, unknown kinds still shown."""
    assert describe_event(event) == line
