"""Issue 12: an assistant's output of any shape is recorded as a run with a reason.

A stand-in assistant prints hostile output (JSON nested 100,000 deep, one 50 MB line, binary
garbage, invalid UTF-8, a result line whose fields have the wrong types) in each structured output
format. ``sandbox run`` must end, write the run event with ``ok``/``failure``/``reason``, never show
a traceback, and not hold a 50 MB line in memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sandbox.workspace import Workspace
from tests.support.fake_assistant import configure, fake

FORMATS = ("claude-json", "claude-stream-json", "copilot-jsonl")
SHAPES = ("deep", "huge", "binary", "bad-utf8", "wrong-types")

# Runs `sandbox` as a child and prints the largest resident size (KiB) of it and its descendants.
MEASURE = """
import resource, subprocess, sys
code = subprocess.run([sys.executable, "-m", "sandbox", *sys.argv[1:]], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, text=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(code.returncode)
sys.stderr.write(code.stderr)
"""


@pytest.fixture
def project(ws: Workspace):
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    return ws.project("expense-approvals")


def _run(ws: Workspace, output_format: str, shape: str) -> tuple[int, int, str]:
    """(peak KiB, exit code, stderr) of one ``sandbox run`` whose assistant prints ``shape``."""
    configure(ws.root, {"claude-code": {"headless": fake("--format", output_format, "--emit", shape),
                                        "result_format": output_format}})
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SANDBOX_WORKSPACE", None)
    proc = subprocess.run([sys.executable, "-c", MEASURE, "run", "expense-approvals", "--variant", "claude-code",
                           "--timeout", "120"], cwd=ws.root, env=env, capture_output=True, text=True, timeout=300)
    peak, code = proc.stdout.split()[:2]
    return int(peak), int(code), proc.stderr


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("shape", SHAPES)
def test_output_of_any_shape_is_recorded_as_a_run_with_a_reason(
    ws: Workspace, project, output_format: str, shape: str
) -> None:
    _, code, err = _run(ws, output_format, shape)
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert code in (0, 1), err[-2000:]  # 1: `run` says the run failed; never a crash
    [event] = [e for e in project.events() if e["kind"] == "run"]
    assert event["exit_code"] == 0
    if shape in ("deep", "huge", "binary"):  # unreadable, no result line: not a success anyone can vouch for
        assert (event["ok"], event["failure"]) == (False, "unreadable-output"), event
        assert event["reason"] == "printed output the sandbox could not read (see the run's log)"
    else:  # a result line was read, its wrong-typed fields as absent: ok, or failed with a reason
        assert event["ok"] is True or (event["failure"] and event["reason"]), event
        assert event.get("turns") is None or type(event["turns"]) is int, event
        assert all(type(n) is int for n in (event.get("tokens") or {}).values()), event
        assert event.get("cost") is None or type(event["cost"]["amount"]) is float, event
        assert all(isinstance(m, str) for m in event.get("models") or []), event
    # the next run works: nothing was left stuck open
    configure(ws.root, {"claude-code": {"headless": fake("--json"), "result_format": "claude-json"}})
    again = subprocess.run([sys.executable, "-m", "sandbox", "run", "expense-approvals", "--variant", "claude-code"],
                           cwd=ws.root, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert [e["ok"] for e in project.events() if e["kind"] == "run"] == [event["ok"], True]


def test_a_50_mb_line_is_not_held_in_memory(ws: Workspace, project) -> None:
    small, _, _ = _run(ws, "claude-stream-json", "wrong-types")
    large, _, err = _run(ws, "claude-stream-json", "huge")
    assert "Traceback" not in err, err[-2000:]
    grown_mib = (large - small) / 1024
    assert grown_mib < 25, f"a 50 MB output line grew the peak memory by {grown_mib:.0f} MiB"


def test_the_log_keeps_the_whole_output_even_when_it_is_unreadable(ws: Workspace, project) -> None:
    _run(ws, "claude-json", "bad-utf8")
    [event] = [e for e in project.events() if e["kind"] == "run"]
    log = (project.path / event["log"]).read_bytes()
    assert b"caf\xe9 \xff\xfe" in log, "the log is the assistant's bytes as printed"
    assert json.dumps(event)  # the event itself is valid JSON text (no lone surrogates)


def test_plain_text_without_a_result_keeps_the_exit_codes_verdict() -> None:
    from sandbox.assistants.formats.summary import garbled

    assert not garbled("working...\nDone: the prototype is ready.\n"), "a stand-in or old CLI printing text"
    assert not garbled('{"type": "assistant"}\n[1, 2]\n')
    assert garbled("[" * 100_000)
    assert garbled('{"type": "result", "cut')
    assert garbled("ok\x00\n") and garbled("caf\ufffd\n")
    assert garbled("x" * ((1 << 20) + 1))
