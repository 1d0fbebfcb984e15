"""The closing fields of a ``run`` event, the same for every assistant (docs/EVENTS.md).

Put together from the run's output read in its format, its usage file, its telemetry (opt-in),
the CLI version and how the process ended: ``ok``/``failure``/``reason`` (``outcome``),
``cli_version``, ``models``, ``api_seconds``, ``turns``, ``tokens``, ``cost``, ``tools`` and the raw
``result``. The usage and telemetry files are read here and the telemetry file removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.assistants import formats
from sandbox.assistants.formats import outcome
from sandbox.assistants.formats.summary import garbled

if TYPE_CHECKING:
    from sandbox.assistants.launch import RunPlan


def closing_fields(
    plan: RunPlan,
    *,
    run_id: str,
    stdout: str,
    stderr: str,
    exit_code: int | None,
    timed_out: bool,
    interrupted: bool,
    timeout: float,
    variant_root: Path,
) -> dict[str, Any]:
    """Every field the run event gets from the run's own account of itself."""
    fmt = plan.assistant.result_format
    summary = formats.summarise(fmt, stdout, stderr, plan.usage_file)
    tally = None
    if plan.telemetry:  # opt-in: its receiver (http.server) is imported only by runs that capture it
        from sandbox.assistants import telemetry as otel

        if plan.telemetry == otel.CLAUDE:
            tally = otel.receiver().take(run_id)
        elif plan.telemetry == otel.COPILOT and plan.telemetry_file is not None:
            tally = otel.read_copilot_file(plan.telemetry_file, run_id)
    if tally is not None:
        # Copilot's telemetry has tokens but no cost: its cost stays the usage file's premium requests
        reduced = tally.summary("usd")
        summary.merge(reduced)
        summary.result = {**summary.result, "telemetry": {**reduced.fields(), "model_calls": tally.calls}}
    if summary.cli_version is None:
        summary.cli_version = plan.version.get()
    judged = outcome.judge(summary, exit_code=exit_code, timed_out=timed_out, interrupted=interrupted,
                           timeout=timeout, variant_root=variant_root, cli=plan.fields.get("cli") or "the CLI",
                           garbled=fmt in formats.FORMATS and garbled(stdout))
    return {**judged.fields(), **summary.fields(), "result": summary.result or None}
