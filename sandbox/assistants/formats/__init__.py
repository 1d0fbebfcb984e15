"""What an assistant's own output says about its run, one module per output format.

An assistant's ``result_format`` (registry, ``sandbox.yaml``) names how to read what its headless
command printed: ``claude-json`` (``--output-format json``), ``claude-stream-json``
(``--output-format stream-json --verbose``), ``copilot-jsonl`` (``--output-format json``, with its
``--usage-output-file``). Each reader gives the same ``Summary`` (``formats.summary``), so the
``run`` event carries the same fields for every assistant; ``outcome`` says how the run ended.
``parse_result`` keeps the raw summary (the event's ``result``); ``describe_line`` is the live echo.
Output in a format nobody reads ("text") says nothing: {} and an empty summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.assistants.formats import claude_json, claude_stream_json, copilot_jsonl, copilot_usage
from sandbox.assistants.formats.summary import Summary

Parser = Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Format:
    """One output format: its raw parser, its summary, its live echo, whether it has a usage file."""

    parse: Parser
    summarise: Callable[[str, str], Summary]
    describe: Callable[[str], str | None] | None = None
    usage_file: bool = False


FORMATS: dict[str, Format] = {
    "claude-json": Format(claude_json.parse, claude_json.summarise),
    "json": Format(claude_json.parse, claude_json.summarise),  # the name older sandbox.yaml files use
    "claude-stream-json": Format(claude_json.parse, claude_stream_json.summarise, claude_stream_json.describe),
    "copilot-jsonl": Format(copilot_jsonl.parse, copilot_jsonl.summarise, copilot_jsonl.describe, usage_file=True),
}

PARSERS: dict[str, Parser] = {name: fmt.parse for name, fmt in FORMATS.items()}


def parse_result(output: str, result_format: str = "claude-json") -> dict[str, Any]:
    """The ``result`` fields found in ``output`` read as ``result_format`` ({} for an unknown format)."""
    fmt = FORMATS.get(result_format)
    return fmt.parse(output) if fmt is not None else {}


def summarise(result_format: str, stdout: str, stderr: str = "", usage_file: Path | None = None) -> Summary:
    """Everything the run's output (and its usage file, for formats that have one) says."""
    fmt = FORMATS.get(result_format)
    if fmt is None:
        return Summary()
    summary = fmt.summarise(stdout, stderr)
    if fmt.usage_file and usage_file is not None:
        usage = copilot_usage.read(usage_file)
        # the usage file is the better source for models, tokens and cost; the stream for the rest
        summary.models = usage.models or summary.models
        summary.tokens = usage.tokens or summary.tokens
        summary.cost = usage.cost or summary.cost
        summary.merge(usage)
    return summary


def describe_line(result_format: str, line: str, root: Path | None = None) -> str | None:
    """What the live echo shows for one output line (None: nothing); plain formats show the line.

    Paths inside ``root`` (the variant) are shown relative to it: a person reads "Write index.html".
    """
    fmt = FORMATS.get(result_format)
    if fmt is None or fmt.describe is None:
        return line
    shown = fmt.describe(line)
    if shown is not None and root is not None:
        shown = shown.replace(f"{root}/", "")
    return shown


def echo_filter(
    result_format: str, on_output: Callable[[str, str], None] | None, root: Path | None = None
) -> Callable[[str, str], None] | None:
    """``on_output`` seeing the summarised lines of a structured format (plain formats: unchanged)."""
    fmt = FORMATS.get(result_format)
    if on_output is None or fmt is None or fmt.describe is None:
        return on_output
    callback = on_output

    def echo(variant: str, line: str) -> None:
        shown = describe_line(result_format, line, root)
        if shown is not None:
            callback(variant, shown)

    return echo


def has_usage_file(result_format: str) -> bool:
    fmt = FORMATS.get(result_format)
    return fmt is not None and fmt.usage_file
