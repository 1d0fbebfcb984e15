"""Which blind votes count as evidence, and how far the blinding and the confinement held.

Why a rule at all: a vote between two copies no assistant has touched says nothing about the
assistants (issue 11 found "GitHub Copilot won 1 of 1" from exactly that), and one rater clicking
"A is better" five times on the same pair is one opinion, not five. So, per slice of the report:

1. A rater's repeated votes on the same pair version (the comparison and both sides' tree hashes)
   count once: the last one (people change their minds; the last vote is the considered one).
   Votes without a rater (``by``) or without a comparison cannot be told apart and each count.
2. A vote counts as evidence only when both sides carry assistant work: the vote's own
   ``a_worked``/``b_worked`` (recorded since issue 11), else, for older votes, the ledger: a run
   or a session that changed files, a change batch, or an edit, in that side's variant (or by that
   side's assistant when the work names no variant), no later than the vote.
3. The other votes are shown apart, each with why: a repeat, neither side worked, one side only.

Per head-to-head the counted votes also say how many different raters cast them and how often the
optional blinding check ("who do you think made A?") was answered right: near half means the
blinding held, clearly more means raters could tell who made what.

Violations (issue 11: writes outside the variant, found by the confinement or after the fact) are
counted per assistant from the closing events of runs and sessions.

Each part is one SQL query over the engine's views (``aggregates`` describes them) plus one summary
function that turns its rows into the section's JSON.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from sandbox.compare import stats
from sandbox.compare.report.aggregates import Aggregate

if TYPE_CHECKING:
    from sandbox.compare.report.summary import SummaryContext

# The vote and work columns the rules read beyond the core ones ("table.column", schema.EVENT_TABLES).
VOTE_COLUMNS = tuple(f"votes.{c}" for c in (
    "at", "comparison", "a_tree", "b_tree", "a_worked", "b_worked", "guess_correct"))
WORK_COLUMNS = (
    *(f"{table}.{c}" for table in ("runs", "sessions_ended") for c in (
        "at", "files_added", "files_changed", "files_deleted", "lines_added", "lines_removed")),
    "changes.at", "changes.files", "changes.lines_added", "changes.lines_removed",
    "changes.variant", "changes.assistant", "edits.at", "edits.variant", "edits.assistant",
)
VIOLATION_COLUMNS = ("runs.violations", "runs.contained", "sessions_ended.violations", "sessions_ended.contained")

# Why a vote is not evidence, in the words the report uses (status -> text).
SET_APART = {
    "repeat": "a repeated vote by the same rater on the same version of the pair (only the last counts)",
    "neither": "neither side had any assistant work yet (two untouched copies)",
    "one-side": "only one side had assistant work",
}

# The votes with their status: "counted" or one of SET_APART. Shared by the evidence query and the
# cost per blind win (``runs``), so both read the same votes.
JUDGED_VOTES = """
  work AS (
    SELECT project_key, variant, assistant, "at", seq FROM fev
    WHERE (kind IN ('run', 'session_ended')
           AND (len(coalesce(files_added, [])) + len(coalesce(files_changed, [])) + len(coalesce(files_deleted, [])) > 0
                OR coalesce(lines_added, 0) + coalesce(lines_removed, 0) > 0))
       OR (kind = 'change' AND (len(coalesce(files, [])) > 0
                                OR coalesce(lines_added, 0) + coalesce(lines_removed, 0) > 0))
       OR kind = 'edit'),
  -- the first work per variant (and assistant): a few rows per project, so each vote looks up
  -- a handful of rows rather than every change line of its project; within one millisecond the
  -- ledger's order tells which came first
  first_work AS (
    SELECT project_key, variant, assistant, min("at") AS first_at, arg_min(seq, "at") AS first_seq,
           bool_or("at" IS NULL) AS undated
    FROM work GROUP BY ALL),
  cast_votes AS (
    SELECT v.seq, v.project_key, v.a, v.b, v.winner, v."by", v.comparison, v.a_tree, v.b_tree, v.guess_correct,
           coalesce(v.a_worked, EXISTS (SELECT 1 FROM first_work w WHERE w.project_key = v.project_key
               AND (w.variant = v.a_variant OR (w.variant IS NULL AND w.assistant = v.a))
               AND (w.undated OR v."at" IS NULL OR w.first_at < v."at"
                    OR (w.first_at = v."at" AND w.first_seq < v.seq)))) AS a_worked,
           coalesce(v.b_worked, EXISTS (SELECT 1 FROM first_work w WHERE w.project_key = v.project_key
               AND (w.variant = v.b_variant OR (w.variant IS NULL AND w.assistant = v.b))
               AND (w.undated OR v."at" IS NULL OR w.first_at < v."at"
                    OR (w.first_at = v."at" AND w.first_seq < v.seq)))) AS b_worked
    FROM valid_votes v),
  judged AS (
    SELECT *, CASE
        WHEN "by" IS NOT NULL AND (comparison IS NOT NULL OR a_tree IS NOT NULL) AND row_number() OVER (
            PARTITION BY project_key, "by", comparison, a_tree, b_tree, least(a, b), greatest(a, b)
            ORDER BY seq DESC) > 1 THEN 'repeat'
        WHEN a_worked AND b_worked THEN 'counted'
        WHEN a_worked OR b_worked THEN 'one-side'
        ELSE 'neither' END AS status
    FROM cast_votes)"""

# The view ``judged_votes``: every valid vote with its status. The engine creates it before any
# aggregate runs, because every vote statistic of the report (head-to-head, win rates, Bradley-Terry,
# position bias, raters, cost per blind win) counts only the votes whose status is "counted".
JUDGED = Aggregate(
    "judged_votes", f"CREATE OR REPLACE TEMP TABLE judged_votes AS WITH {JUDGED_VOTES} SELECT * FROM judged",
    VOTE_COLUMNS + WORK_COLUMNS)

# Per slice and pair (x before y by id): the counted outcomes, raters, blinding checks, set-apart votes.
EVIDENCE = Aggregate("evidence", """
    WITH pairs AS (
      SELECT *, least(a, b) AS x, greatest(a, b) AS y,
             CASE winner WHEN 'A' THEN a WHEN 'B' THEN b END AS won FROM judged_votes)
    SELECT s.level, s.grp, p.x, p.y,
           count(*) FILTER (WHERE status = 'counted' AND won = x),
           count(*) FILTER (WHERE status = 'counted' AND won = y),
           count(*) FILTER (WHERE status = 'counted' AND winner = 'tie'),
           count(*) FILTER (WHERE status = 'counted' AND winner = 'both-bad'),
           count(DISTINCT "by") FILTER (WHERE status = 'counted'),
           count(*) FILTER (WHERE status = 'counted' AND "by" IS NULL),
           count(guess_correct) FILTER (WHERE status = 'counted'),
           count(*) FILTER (WHERE status = 'counted' AND guess_correct),
           count(*) FILTER (WHERE status = 'repeat'),
           count(*) FILTER (WHERE status = 'neither'),
           count(*) FILTER (WHERE status = 'one-side')
    FROM pairs p JOIN scopes s USING (project_key)
    GROUP BY ALL ORDER BY s.level, s.grp, p.x, p.y""", JUDGED.columns)

# Per slice and assistant: closing events (runs and sessions), those not contained, those with
# violations, and every violation's kind ("write", "ledger", ...).
VIOLATIONS = Aggregate("violations", """
    WITH closed AS (
      SELECT project_key, aid, contained,
             CASE WHEN json_type(violations) = 'ARRAY' THEN json_extract_string(violations, '$[*].what') END AS whats
      FROM aid_events WHERE kind IN ('run', 'session_ended') AND aid IS NOT NULL)
    SELECT s.level, s.grp, c.aid, count(*), count(*) FILTER (WHERE c.contained = false),
           count(*) FILTER (WHERE len(coalesce(c.whats, [])) > 0),
           flatten(list(coalesce(c.whats, []) ORDER BY c.aid))
    FROM closed c JOIN scopes s USING (project_key)
    GROUP BY ALL ORDER BY s.level, s.grp, c.aid""", VIOLATION_COLUMNS)

AGGREGATES = (EVIDENCE, VIOLATIONS)


def _rate(hits: int, trials: int) -> dict[str, float | None]:
    if not trials:
        return {"rate": None, "low": None, "high": None}
    low, high = stats.wilson(hits, trials)
    return {"rate": round(hits / trials, 4), "low": round(low, 4), "high": round(high, 4)}


def blinding_text(correct: int, checked: int) -> str:
    """How the blinding check reads: near half held, clearly more may be broken."""
    if not checked:
        return "No blinding check answered yet."
    low, _ = stats.wilson(correct, checked)
    share = f"raters guessed who made A right {correct} of {checked} times ({correct / checked:.0%})"
    if low > 0.5:
        return f"The blinding may be broken: {share}, more often than chance."
    if checked < 10:
        return f"Too few blinding checks to tell yet: {share}."
    return f"The blinding held: {share}, about what guessing gives."


def evidence_section(rows: list[tuple[Any, ...]], context: SummaryContext) -> dict[str, Any]:
    """The ``evidence`` key of a section: what counted, what was set apart and why, per pair."""
    names, needed = context.names, context.needed
    pairs: list[dict[str, Any]] = []
    apart = dict.fromkeys(SET_APART, 0)
    for x, y, x_wins, y_wins, ties, both_bad, raters, unnamed, checked, correct, repeat, neither, one in rows:
        apart["repeat"] += int(repeat)
        apart["neither"] += int(neither)
        apart["one-side"] += int(one)
        decisive = int(x_wins) + int(y_wins)
        votes = decisive + int(ties) + int(both_bad)
        if not votes:
            continue
        win = _rate(int(x_wins), decisive)
        pairs.append({
            "a": x, "b": y, "a_name": names.get(x, x), "b_name": names.get(y, y),
            "votes": votes, "decisive": decisive, "a_wins": int(x_wins), "b_wins": int(y_wins),
            "ties": int(ties), "both_bad": int(both_bad),
            "a_win_rate": win["rate"], "low": win["low"], "high": win["high"],
            "p_value": round(stats.sign_test(int(x_wins), int(y_wins)), 4) if decisive else None,
            "enough_votes": decisive >= needed,
            "raters": int(raters), "unnamed_votes": int(unnamed),
            "blinding": {"checked": int(checked), "correct": int(correct), **_rate(int(correct), int(checked)),
                         "text": blinding_text(int(correct), int(checked))},
        })
    counted = sum(p["votes"] for p in pairs)
    return {
        "counted": counted,
        "set_apart": sum(apart.values()),
        "set_apart_by_reason": [{"reason": key, "votes": n, "text": SET_APART[key]} for key, n in apart.items() if n],
        "pairs": pairs,
    }


def violations_section(rows: list[tuple[Any, ...]], context: SummaryContext) -> list[dict[str, Any]]:
    """The ``violations`` key: per assistant, runs and sessions closed, not contained, with violations."""
    result = []
    for aid, closed, uncontained, with_violations, whats in rows:
        kinds = Counter(w or "unknown" for w in whats or [])
        result.append({
            "id": aid, "name": context.names.get(aid, aid), "closed": int(closed),
            "not_contained": int(uncontained), "with_violations": int(with_violations),
            "violations": sum(kinds.values()), "by_kind": dict(sorted(kinds.items())),
        })
    return result


SECTIONS = {"evidence": evidence_section, "violations": violations_section}
