"""GitHub Copilot CLI's ``--usage-output-file FILE``: per-model tokens, requests and cost.

Written by the CLI when it ends; the sandbox names the file under ``.sandbox/runs/`` (never inside
the variant, where it would count as the assistant's work). Cost keeps Copilot's own unit:
premium requests (``totalPremiumRequestCost``), or AI credits (``totalNanoAiu`` / 10^9) when the
file says credits are in use; the two are never mixed or converted to money.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.assistants.formats.summary import Summary, add_tokens, mapping, number, text, tokens

MAX_USAGE_FILE = 1 << 20
NANO = 1_000_000_000


def read(path: Path) -> Summary:
    """The usage file's summary; an empty one when it is missing, too big or not JSON."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_USAGE_FILE + 1)
    except OSError:
        return Summary()
    if len(raw) > MAX_USAGE_FILE:
        return Summary()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        return Summary()
    return summarise(data) if isinstance(data, dict) else Summary()


def summarise(data: dict[str, Any]) -> Summary:
    summary = Summary()
    metrics = data.get("modelMetrics")
    requests = 0
    for model, per in (metrics.items() if isinstance(metrics, dict) else []):
        if not isinstance(per, dict):
            continue
        summary.models.append(str(model))
        usage = mapping(per.get("usage"))
        summary.tokens = add_tokens(summary.tokens, tokens(usage.get("inputTokens"), usage.get("outputTokens"),
                                                           usage.get("cacheReadTokens"), usage.get("cacheWriteTokens")))
        count = per.get("requests", {}).get("count") if isinstance(per.get("requests"), dict) else None
        requests += int(number(count) or 0)
    if not summary.models and text(data.get("currentModel")):
        summary.models.append(data["currentModel"])
    api_ms = number(data.get("totalApiDurationMs"))
    summary.api_seconds = api_ms / 1000 if api_ms is not None else None
    credits_on = str(data.get("aiCreditsStatus") or "unavailable") not in ("unavailable", "disabled", "none")
    nano = number(data.get("totalNanoAiu"))
    premium = number(data.get("totalPremiumRequestCost"))
    if credits_on and nano is not None:
        summary.cost = {"amount": nano / NANO, "unit": "ai-credits"}
    elif premium is not None:
        summary.cost = {"amount": premium, "unit": "premium-requests"}
    summary.answered = requests > 0
    summary.result = {"requests": requests} if requests else {}
    return summary
