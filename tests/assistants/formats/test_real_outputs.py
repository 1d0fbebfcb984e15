"""Each output format read from what the real CLIs printed (recorded against the stand-in model server).

The recordings in ``data/`` come from Claude Code 2.1.332 and the GitHub Copilot CLI 1.0.102 doing
the same three things: create ``notes.md``, edit ``index.html``, try to write ``../../outside.txt``;
and from each failing offline (signed out, model service unreachable). Both must come out as the
same fields, with each CLI's own cost unit.
"""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.assistants import formats, telemetry
from sandbox.assistants.formats import claude_stream_json, copilot_jsonl, copilot_usage, outcome
from sandbox.assistants.formats.summary import NOT_SIGNED_IN, UNREACHABLE, Summary

DATA = Path(__file__).parent / "data"
VARIANTS = Path("/ws/projects/p/variants")
OUTSIDE = "/ws/projects/p/outside.txt"


def _read(name: str) -> str:
    return (DATA / name).read_text("utf-8")


def _judge(summary: Summary, variant: str, **how: object) -> outcome.Outcome:
    args = {"exit_code": 0, "timed_out": False, "interrupted": False, "timeout": 600.0, **how}
    return outcome.judge(summary, variant_root=VARIANTS / variant, cli="x", **args)  # type: ignore[arg-type]


def test_both_clis_doing_the_same_work_give_the_same_fields() -> None:
    claude = formats.summarise("claude-stream-json", _read("claude_stream_success.jsonl"))
    copilot = formats.summarise("copilot-jsonl", _read("copilot_success.jsonl"), "", DATA / "copilot_usage.json")
    assert claude.fields().keys() == copilot.fields().keys() - {"cli_version"} | {"cli_version"}
    for summary in (claude, copilot):
        fields = summary.fields()
        assert fields["turns"] == 5 and fields["tokens"] == {"input": 600, "output": 150, "cache_read": 0,
                                                             "cache_write": 0}
        assert fields["tools"] == {"accepted": 3, "denied": 1, "denied_paths": [OUTSIDE]}
        assert [Path(p).name for p in summary.edited] == ["notes.md", "index.html"]
    assert claude.fields()["cost"] == {"amount": 0.0054, "unit": "usd"}
    assert copilot.fields()["cost"] == {"amount": 0.0, "unit": "premium-requests"}
    assert claude.cli_version == "2.1.332" and claude.models == ["claude-opus-5-5"] and copilot.models == ["gpt-4.1"]
    assert copilot.api_seconds == 0.189 and claude.api_seconds == 0.16
    for summary, variant in ((claude, "claude-code"), (copilot, "copilot")):
        assert _judge(summary, variant) == outcome.Outcome(
            False, "denied", "denied: a write outside the variant (../../outside.txt)")


def test_signed_out_and_unreachable_are_told_apart() -> None:
    signed_out = claude_stream_json.summarise(_read("claude_stream_signed_out.jsonl"))
    assert signed_out.error == NOT_SIGNED_IN and signed_out.message == "Not logged in · Please run /login"
    assert _judge(signed_out, "claude-code", exit_code=1).reason == "not signed in: run `x` once and sign in"
    unreachable = claude_stream_json.summarise(_read("claude_stream_unreachable.jsonl"))
    assert unreachable.error == UNREACHABLE and unreachable.retries == 1
    copilot_down = copilot_jsonl.summarise(_read("copilot_unreachable.jsonl"))
    assert copilot_down.error == UNREACHABLE and copilot_down.retries == 6
    for summary in (unreachable, copilot_down):
        assert _judge(summary, "x", exit_code=1).reason == "cannot reach the model service"
    stderr = "Error: No authentication information found.\n\nCopilot can be authenticated with GitHub ...\n"
    assert copilot_jsonl.summarise("", stderr).error == NOT_SIGNED_IN


def test_a_stream_cut_short_while_retrying_reads_as_unreachable_not_as_a_timeout() -> None:
    retries = [json.dumps({"type": "system", "subtype": "api_retry", "attempt": n, "max_retries": 10,
                           "error": "unknown"}) for n in range(1, 4)]
    summary = claude_stream_json.summarise("\n".join([_read("claude_stream_success.jsonl").splitlines()[0], *retries]))
    assert summary.retries == 3 and not summary.answered and not summary.finished
    assert _judge(summary, "c", exit_code=-15, timed_out=True).failure == "unreachable"
    assert _judge(Summary(), "c", exit_code=-15, timed_out=True).reason == "timed out after 600 s"


def test_the_other_outcomes_in_order_of_blame() -> None:
    assert _judge(Summary(error=UNREACHABLE), "c", interrupted=True).failure == "interrupted"
    assert _judge(Summary(), "c", exit_code=-11).reason == "crashed (signal 11)"
    assert _judge(Summary(), "c", exit_code=3).reason == "exited with code 3 without saying why"
    assert _judge(Summary(error="error", message="Prompt is too long"), "c", exit_code=1).reason == "Prompt is too long"
    assert _judge(Summary(denied_paths=[str(VARIANTS / "c" / "inside.txt")]), "c") == outcome.Outcome(True)


def test_the_live_echo_summarises_instead_of_dumping_json() -> None:
    root = VARIANTS / "claude-code"
    shown = [formats.describe_line("claude-stream-json", line, root)
             for line in _read("claude_stream_success.jsonl").splitlines()]
    assert shown[0] == "started: Claude Code 2.1.332, model claude-opus-5-5"
    assert "Write notes.md" in shown and "Edit index.html" in shown and "denied: Write" in shown
    assert shown[-1] == "finished after 5 turns" and all(s is None or not s.startswith("{") for s in shown)
    retry = json.dumps({"type": "system", "subtype": "api_retry", "attempt": 2, "max_retries": 10,
                        "retry_delay_ms": 4000, "error_status": 529})
    assert formats.describe_line("claude-stream-json", retry) == (
        "the model service did not answer (529): retry 2 of 10, next in 4 s")
    copilot = [s for s in (formats.describe_line("copilot-jsonl", line, VARIANTS / "copilot")
                           for line in _read("copilot_success.jsonl").splitlines()) if s]
    assert copilot[:3] == ["create notes.md", "view index.html", "edit index.html"]
    assert copilot[-1] == "finished with exit code 0"
    assert formats.describe_line("text", "plain words") == "plain words"


def test_the_usage_file_keeps_copilot_units_apart() -> None:
    data = json.loads(_read("copilot_usage.json"))
    assert copilot_usage.summarise(data).cost == {"amount": 0.0, "unit": "premium-requests"}
    credits = {**data, "aiCreditsStatus": "available", "totalNanoAiu": 2_500_000_000}
    assert copilot_usage.summarise(credits).cost == {"amount": 2.5, "unit": "ai-credits"}
    assert copilot_usage.read(DATA / "missing.json").fields() == {}


def test_claude_telemetry_is_reduced_to_numbers_per_run() -> None:
    receiver = telemetry.Receiver()
    try:
        logs = json.loads(_read("claude_otlp_logs.json"))
        for resource in logs["resourceLogs"]:
            for attr in resource["resource"]["attributes"]:
                if attr["key"] == telemetry.RUN_ATTRIBUTE:
                    attr["value"] = {"stringValue": "run-1"}
        receiver.receive("/v1/logs", logs)
        receiver.receive("/v1/logs", {"resourceLogs": [{"resource": {"attributes": []}, "scopeLogs": []}]})
        tally = receiver.take("run-1")
        assert tally is not None and receiver.take("run-1") is None
        summary = tally.summary()
        assert summary.tokens == {"input": 240, "output": 60, "cache_read": 0, "cache_write": 0}
        assert summary.cost == {"amount": 0.00216, "unit": "usd"} and summary.models == ["claude-opus-5-5"]
        assert (summary.accepted, summary.denied) == (1, 0)
        assert "REDACTED" not in repr(tally) and "prompt" not in repr(tally)
    finally:
        receiver.stop()


def test_copilot_telemetry_file_is_read_for_its_run_and_removed(tmp_path: Path) -> None:
    copy = tmp_path / "otel.jsonl"
    copy.write_text(_read("copilot_otel.jsonl").replace('"sandbox.run_id":"RUN2"', '"sandbox.run_id":"run-2"'))
    tally = telemetry.read_copilot_file(copy, "run-2")
    assert tally is not None and not copy.exists()
    assert tally.tokens == {"input": 240, "output": 60, "cache_read": 0, "cache_write": 0}
    assert tally.models == ["gpt-4.1", "gpt-4.1"] and tally.turns == 2 and tally.accepted == 1
    copy.write_text(_read("copilot_otel.jsonl"))
    other = telemetry.read_copilot_file(copy, "another-run")
    assert other is not None and other.tokens is None, "records tagged for another run are not counted"
