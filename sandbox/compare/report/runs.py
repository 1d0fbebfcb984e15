"""Headless runs per assistant, CLI version and model, and what a blind win cost.

Why per CLI version and model: Claude Code 2.1 on one model and 2.2 on another are different
products; a report that mixes them says nothing about either (issue 10). Each row is one
(assistant, CLI, version, model) as the run events record them ("unknown" where they do not).

The rules (issue 10):

- A run succeeded when its event says ``ok``; older events without it: exit code 0 and not timed out.
- A failed run is counted with its reason (``failure``, else timed out / interrupted / its exit code)
  and adds no time, tokens, turns or cost to the figures: those describe the work that finished.
- Cost is kept per native unit (USD for Claude; premium requests or AI credits for Copilot) and
  never summed across units. Old Claude runs that only carry ``result.total_cost_usd`` count in USD.
- Cost per blind win divides an assistant's cost (per unit, successful runs, all its versions) by
  its decisive wins among the votes that count as evidence (``evidence``); absent where either is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.compare.report.aggregates import Aggregate
from sandbox.compare.report.evidence import JUDGED

if TYPE_CHECKING:
    from sandbox.compare.report.model import Section
    from sandbox.compare.report.summary import SummaryContext

UNKNOWN = "unknown"
UNITS = {"usd": "USD", "premium-requests": "premium requests", "ai-credits": "AI credits"}
FAILURES = {
    "not-signed-in": "not signed in",
    "unreachable": "cannot reach the model service",
    "timed-out": "timed out",
    "denied": "denied: a write outside the variant",
    "interrupted": "interrupted",
    "crashed": "crashed",
    "error": "failed",
}

RUN_COLUMNS = tuple(f"runs.{c}" for c in (
    "ok", "failure", "interrupted", "cli", "cli_version", "models", "turns", "tokens_input", "tokens_output",
    "tokens_cache_read", "tokens_cache_write", "cost_amount", "cost_unit", "tools_denied"))

# One row of each run: its group, whether it succeeded, and its figures (NULL when it failed).
_RUN_ROWS = """
  run_rows AS (
    SELECT project_key, aid, coalesce(cli, '') AS cli, coalesce(cli_version, '') AS version,
           coalesce(array_to_string(list_sort(models), ' + '), '') AS model, ok_run,
           CASE WHEN NOT ok_run THEN coalesce(failure, CASE WHEN timed_out THEN 'timed-out'
               WHEN interrupted THEN 'interrupted' WHEN exit_code IS NOT NULL THEN 'exit code ' || exit_code
               ELSE 'error' END) END AS failed_because,
           CASE WHEN ok_run THEN coalesce(seconds, result_duration_ms / 1000) END AS wall,
           CASE WHEN ok_run THEN turns END AS ok_turns,
           CASE WHEN ok_run THEN tokens_input END AS t_in, CASE WHEN ok_run THEN tokens_output END AS t_out,
           CASE WHEN ok_run THEN tokens_cache_read END AS t_cr, CASE WHEN ok_run THEN tokens_cache_write END AS t_cw,
           CASE WHEN ok_run THEN coalesce(cost_amount, result_total_cost_usd) END AS amount,
           CASE WHEN ok_run THEN coalesce(cost_unit, CASE WHEN result_total_cost_usd IS NOT NULL THEN 'usd' END) END
               AS unit,
           tools_denied
    FROM (SELECT *, coalesce(ok, exit_code = 0 AND NOT coalesce(timed_out, false), false) AS ok_run
          FROM aid_events WHERE kind = 'run' AND aid IS NOT NULL))"""

RUNS = Aggregate("runs_by_version", f"""
    WITH {_RUN_ROWS},
    costs AS (
      SELECT level, grp, aid, cli, version, model,
             list({{'unit': unit, 'amount': total, 'runs': n}} ORDER BY unit) AS costs
      FROM (SELECT s.level, s.grp, r.aid, r.cli, r.version, r.model, r.unit, fsum(r.amount) AS total, count(*) AS n
            FROM run_rows r JOIN scopes s USING (project_key)
            WHERE r.amount IS NOT NULL AND r.unit IS NOT NULL GROUP BY ALL)
      GROUP BY ALL),
    grouped AS (
      SELECT s.level, s.grp, r.aid, r.cli, r.version, r.model, count(*) AS runs,
             count(*) FILTER (WHERE r.ok_run) AS ok,
             list(r.failed_because ORDER BY r.failed_because) FILTER (WHERE NOT r.ok_run) AS failures,
             py_median(list_sort(list(r.wall) FILTER (WHERE r.wall IS NOT NULL))) AS median_wall,
             py_median(list_sort(list(r.ok_turns) FILTER (WHERE r.ok_turns IS NOT NULL))) AS median_turns,
             count(r.t_in) + count(r.t_out) AS with_tokens,
             sum(r.t_in), sum(r.t_out), sum(r.t_cr), sum(r.t_cw),
             py_median(list_sort(list(coalesce(r.t_in, 0) + coalesce(r.t_out, 0))
                 FILTER (WHERE r.t_in IS NOT NULL OR r.t_out IS NOT NULL))) AS median_tokens,
             sum(r.tools_denied), count(*) FILTER (WHERE r.tools_denied > 0)
      FROM run_rows r JOIN scopes s USING (project_key) GROUP BY ALL)
    SELECT g.*, c.costs FROM grouped g
    LEFT JOIN costs c USING (level, grp, aid, cli, version, model)
    ORDER BY g.level, g.grp, g.aid, g.cli, g.version, g.model""", RUN_COLUMNS)

# Per slice, assistant and unit: the cost of its successful runs and its decisive wins that count.
COST_PER_WIN = Aggregate("cost_per_blind_win", f"""
    WITH {_RUN_ROWS},
    spent AS (
      SELECT s.level, s.grp, r.aid, r.unit, fsum(r.amount) AS amount
      FROM run_rows r JOIN scopes s USING (project_key)
      WHERE r.amount IS NOT NULL AND r.unit IS NOT NULL GROUP BY ALL),
    wins AS (
      SELECT s.level, s.grp, CASE j.winner WHEN 'A' THEN j.a ELSE j.b END AS aid, count(*) AS wins
      FROM judged_votes j JOIN scopes s USING (project_key)
      WHERE j.status = 'counted' AND j.winner IN ('A', 'B') GROUP BY ALL)
    SELECT c.level, c.grp, c.aid, c.unit, c.amount, w.wins
    FROM spent c JOIN wins w USING (level, grp, aid)
    ORDER BY c.level, c.grp, c.aid, c.unit""", RUN_COLUMNS + JUDGED.columns)

AGGREGATES = (RUNS, COST_PER_WIN)


def failure_text(reason: str) -> str:
    """A failure code in words ("not-signed-in" -> "not signed in"); older reasons as they are."""
    return FAILURES.get(reason, reason)


def unit_text(unit: str) -> str:
    return UNITS.get(unit, unit)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def runs_section(rows: list[tuple[Any, ...]], context: SummaryContext) -> list[dict[str, Any]]:
    """The ``runs_by_version`` key: one row per assistant, CLI, version and model."""
    result = []
    for (aid, cli, version, model, runs, ok, failures, median_wall, median_turns, with_tokens, t_in, t_out, t_cr,
         t_cw, median_tokens, denied, runs_denied, costs) in rows:
        reasons: dict[str, int] = {}
        for reason in failures or []:
            reasons[reason] = reasons.get(reason, 0) + 1
        result.append({
            "id": aid, "name": context.names.get(aid, aid),
            "cli": cli or UNKNOWN, "cli_version": version or UNKNOWN, "model": model or UNKNOWN,
            "runs": int(runs), "ok": int(ok), "success_rate": round(int(ok) / int(runs), 4) if runs else None,
            "failures": [{"reason": r, "text": failure_text(r), "runs": n}
                         for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
            "median_seconds": _round(median_wall),
            "median_turns": _round(median_turns),
            "tokens": None if not with_tokens else {
                "input": int(t_in or 0), "output": int(t_out or 0), "cache_read": int(t_cr or 0),
                "cache_write": int(t_cw or 0), "median_per_run": _round(median_tokens, 0),
            },
            "cost": [{"unit": c["unit"], "amount": round(float(c["amount"]), 4), "runs": int(c["runs"])}
                     for c in costs or []],
            "denials": int(denied or 0), "runs_with_denials": int(runs_denied or 0),
        })
    return result


def cost_per_win_section(rows: list[tuple[Any, ...]], context: SummaryContext) -> list[dict[str, Any]]:
    """The ``cost_per_blind_win`` key: per assistant and unit, only where both cost and wins exist."""
    return [
        {"id": aid, "name": context.names.get(aid, aid), "unit": unit, "cost": round(float(amount), 4),
         "wins": int(wins), "per_win": round(float(amount) / int(wins), 4)}
        for aid, unit, amount, wins in rows if wins
    ]


SECTIONS = {"runs_by_version": runs_section, "cost_per_blind_win": cost_per_win_section}


def run_lines(section: Section) -> list[str]:
    """Plain lines for the runs: per assistant (all versions), runs, success and failure reasons."""
    totals: dict[str, dict[str, Any]] = {}
    for row in section.get("runs_by_version") or []:
        acc = totals.setdefault(row["name"], {"runs": 0, "ok": 0, "failures": {}})
        acc["runs"] += row["runs"]
        acc["ok"] += row["ok"]
        for f in row["failures"]:
            acc["failures"][f["text"]] = acc["failures"].get(f["text"], 0) + f["runs"]
    lines = []
    for name, acc in totals.items():
        line = f"{name}: {acc['ok']} of {acc['runs']} headless runs finished"
        if acc["failures"]:
            why = ", ".join(f"{text}: {n}" for text, n in sorted(acc["failures"].items(), key=lambda kv: -kv[1]))
            line += f"; {acc['runs'] - acc['ok']} failed ({why})"
        lines.append(line + ".")
    return lines
