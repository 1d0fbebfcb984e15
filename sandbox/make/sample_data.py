"""The dashboard's ``data.csv``, generated from the metrics the person asked for.

Why generated: a fixed revenue/signups/churn file opened every custom dashboard on a "could not
find the columns" warning. Now every metric gets its own column with a plausible series: counts
grow, percentages stay between 0 and 100, "lower is better" numbers fall, money is in thousands.
The series come from a hash of the title and the column, so a render is reproducible (the
manifest compares hashes) and the page's built-in copy always equals the file.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

PERIODS = tuple(f"2025-{month:02d}" for month in range(1, 13))
CURRENCY_RE = re.compile(r"^[A-Z]{3}$|^[$€£¥]$")
TIME_UNITS = re.compile(r"^(seconds?|secs?|s|minutes?|mins?|hours?|h|days?|ms)$", re.IGNORECASE)


def _noise(seed: str, count: int) -> list[float]:
    """``count`` numbers in [-1, 1), the same for the same seed."""
    digest = b""
    counter = 0
    while len(digest) < count:
        digest += hashlib.sha256(f"{seed}|{counter}".encode()).digest()
        counter += 1
    return [(byte / 128.0) - 1.0 for byte in digest[:count]]


def series(metric: dict[str, Any], seed: str) -> list[float]:
    """Twelve values for one metric, shaped by its unit and direction."""
    unit = str(metric.get("unit", "")).strip()
    noise = _noise(f"{seed}|{metric['column']}", len(PERIODS) + 2)
    growth = 0.02 + (noise[-1] + 1) * 0.025  # 2-7 % a period
    if unit == "%":
        start = 55 + noise[-2] * 20
        step = (-1.1 if metric.get("lowerIsBetter") else 1.1) * (0.5 + (noise[-1] + 1) / 2)
        values = [min(99.0, max(1.0, start + step * i + noise[i] * 1.5)) for i in range(len(PERIODS))]
        return [round(v, 1) for v in values]
    if TIME_UNITS.match(unit):
        start = 40 + noise[-2] * 15
        values = [max(1.0, start * (1 - growth) ** i + noise[i]) for i in range(len(PERIODS))]
        if not metric.get("lowerIsBetter"):
            values.reverse()
        return [round(v, 1) for v in values]
    base = 18000 + noise[-2] * 6000 if CURRENCY_RE.match(unit) else 120 + noise[-2] * 60
    direction = -1 if metric.get("lowerIsBetter") else 1
    values = [base * (1 + direction * growth) ** i * (1 + noise[i] * 0.04) for i in range(len(PERIODS))]
    return [float(round(v)) for v in values]


def _cell(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def dashboard_csv(metrics: list[dict[str, Any]], seed: str) -> str:
    """The CSV text: a ``month`` column, then one column per metric, one row per period."""
    columns = [metric["column"] for metric in metrics]
    data = [series(metric, seed) for metric in metrics]
    lines = [",".join(["month", *columns])]
    for row, period in enumerate(PERIODS):
        lines.append(",".join([period, *(_cell(values[row]) for values in data)]))
    return "\n".join(lines) + "\n"

