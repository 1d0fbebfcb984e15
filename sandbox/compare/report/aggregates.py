"""The report's aggregates: one SQL query each, over the events the engine kept.

Every query runs on these views (``engine`` makes them):

- ``fev``: the kept events of the projects in the report (de-duplicated, category filter applied),
  with ``src`` (the source's place in the list), ``seq`` (the events' order: sources as given,
  project folders by name, ledger lines) and ``project_key``;
- ``aid_events``: the same with ``aid``, the assistant an event is about (its ``assistant``, else
  its ``variant``: variants are named after their assistant);
- ``valid_votes``: votes that name two different assistants and one of the four outcomes, with
  every column of ``fev``, ``a`` and ``b`` the assistants and ``a_variant``, ``b_variant`` the sides' variants;
- ``valid_ratings`` (``src, seq, id, project_key, aid, at, by, minutes, n, mean``): ratings of an
  assistant with at least one numeric score, ``mean`` the mean of those scores;
- ``scored`` (``id, project_key, criterion, position, score``): the numeric scores of those ratings;
- ``scopes`` (``project_key, level, grp``): each project three times, in "all", in its category
  and in its template (``level`` says which, ``grp`` names the category or template).
- ``judged_votes`` (``evidence.JUDGED``): the valid votes with their ``status``; only the "counted"
  ones (both sides carry assistant work, a rater's repeats once) are evidence, and every vote
  statistic here reads those alone (issue 11). The others are listed apart with their reason.
- runs: ``ok_run`` says a run succeeded (its ``ok``; older events: exit code 0, not timed out);
  a failed run counts as a run and in the success rate, but adds no time or cost (issue 10).

A query that groups by ``level, grp`` gives its numbers for the whole report and each slice at once.

Adding a part to the report is one ``Aggregate`` in ``EXTRA`` (its query selects ``level, grp``
first; ``columns`` names the event columns it needs beyond the core ones, as ``table.column``) plus
one function in ``summary.EXTRA_SECTIONS`` under the same name, which gets the rest of each row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Aggregate:
    name: str
    sql: str
    columns: tuple[str, ...] = ()  # "table.column" the scan must read for it (see schema.EVENT_TABLES)


WINNERS_SQL = "('A', 'B', 'tie', 'both-bad')"
NUMBER_TYPES_SQL = "('BIGINT', 'UBIGINT', 'DOUBLE')"

VIEWS = f"""
-- the median as stats.median computes it (lower + (upper - lower) * fraction over the sorted
-- values): DuckDB's median averages the two middle values, which can differ in the last bit and
-- then round to another tenth
CREATE OR REPLACE TEMP MACRO py_median(l) AS CASE WHEN len(l) > 0 THEN
  l[floor((len(l) - 1) * 0.5)::BIGINT + 1] + (l[least(floor((len(l) - 1) * 0.5)::BIGINT + 2, len(l))]
  - l[floor((len(l) - 1) * 0.5)::BIGINT + 1]) * ((len(l) - 1) * 0.5 - floor((len(l) - 1) * 0.5)) END;
CREATE OR REPLACE TEMP VIEW aid_events AS
  SELECT *, coalesce(nullif(assistant, ''), nullif(variant, '')) AS aid FROM fev;
CREATE OR REPLACE TEMP VIEW valid_votes AS
  SELECT * FROM (
    SELECT * REPLACE (coalesce(nullif(a_assistant, ''), nullif(a, '')) AS a,
                      coalesce(nullif(b_assistant, ''), nullif(b, '')) AS b),
           a AS a_variant, b AS b_variant
    FROM fev WHERE kind = 'vote')
  WHERE winner IN {WINNERS_SQL} AND a IS NOT NULL AND b IS NOT NULL AND a <> b;
CREATE OR REPLACE TEMP TABLE scored AS
  SELECT s.id, s.project_key, s.criterion, s.position, s.score, r.aid
  FROM rating_scores s JOIN aid_events r ON r.id = s.id AND r.src = s.src
  WHERE r.kind = 'rating' AND r.aid IS NOT NULL;
CREATE OR REPLACE TEMP TABLE valid_ratings AS
  SELECT r.src, r.seq, r.id, r.project_key, r.aid, r."at", r."by", r.minutes, s.n, s.mean
  FROM aid_events r JOIN (SELECT id, count(*) AS n, fsum(score) / count(*) AS mean FROM scored GROUP BY id) s
    ON s.id = r.id
  WHERE r.kind = 'rating' AND r.aid IS NOT NULL;
"""

# The core aggregates: each fills part of ``counts.Counts`` (engine.fill_counts reads them by name).
CORE = (
    Aggregate("projects", "SELECT level, grp, count(*) FROM scopes GROUP BY ALL"),
    Aggregate("comparisons", """
        SELECT s.level, s.grp, count(*) FROM fev e JOIN scopes s USING (project_key)
        WHERE e.kind = 'compare' GROUP BY ALL"""),
    # in order of each outcome's first vote: the bootstrap draws over the outcomes in this order, so
    # the same events give the same intervals
    Aggregate("votes", """
        SELECT s.level, s.grp, v.a, v.b, v.winner, count(*)
        FROM judged_votes v JOIN scopes s USING (project_key) WHERE v.status = 'counted'
        GROUP BY ALL ORDER BY s.level, s.grp, min(v.seq)"""),
    # the projects each assistant is part of: listed when created, rated, voted on, worked in
    Aggregate("assistant_projects", """
        WITH member AS (
          SELECT DISTINCT project_key, aid FROM (
            SELECT project_key, unnest(assistants) AS aid FROM fev WHERE kind = 'created' AND assistants IS NOT NULL
            UNION ALL SELECT project_key, aid FROM valid_ratings
            UNION ALL SELECT project_key, a FROM valid_votes
            UNION ALL SELECT project_key, b FROM valid_votes
            UNION ALL SELECT project_key, aid FROM aid_events
              WHERE kind IN ('session_started', 'run') AND aid IS NOT NULL))
        SELECT s.level, s.grp, m.aid, count(*) FROM member m JOIN scopes s USING (project_key) GROUP BY ALL"""),
    Aggregate("sessions", """
        SELECT s.level, s.grp, e.aid, count(*) FROM aid_events e JOIN scopes s USING (project_key)
        WHERE e.kind = 'session_started' AND e.aid IS NOT NULL GROUP BY ALL"""),
    Aggregate("session_seconds", """
        SELECT s.level, s.grp, e.aid, fsum(e.seconds) FROM aid_events e JOIN scopes s USING (project_key)
        WHERE e.kind = 'session_ended' AND e.aid IS NOT NULL AND e.seconds IS NOT NULL GROUP BY ALL"""),
    # a run is ok when its event says so (older events: it exited 0 and did not time out); its time
    # is its own, else the assistant's; only ok runs add time and cost (a failed run's are no work)
    Aggregate("runs", """
        SELECT s.level, s.grp, e.aid, count(*), count(*) FILTER (WHERE e.ok_run),
               py_median(list_sort(list(e.wall) FILTER (WHERE e.ok_run AND e.wall IS NOT NULL))),
               count(e.result_total_cost_usd) FILTER (WHERE e.ok_run),
               fsum(e.result_total_cost_usd) FILTER (WHERE e.ok_run)
        FROM (SELECT *, coalesce(ok, exit_code = 0 AND NOT coalesce(timed_out, false), false) AS ok_run,
                     coalesce(seconds, result_duration_ms / 1000) AS wall
              FROM aid_events WHERE kind = 'run' AND aid IS NOT NULL) e JOIN scopes s USING (project_key)
        GROUP BY ALL"""),
    Aggregate("ratings", """
        SELECT s.level, s.grp, r.aid, count(*), fsum(r.minutes), fsum(r.mean), fsum(r.mean * r.mean)
        FROM valid_ratings r JOIN scopes s USING (project_key) GROUP BY ALL"""),
    Aggregate("criteria", """
        SELECT s.level, s.grp, c.aid, c.criterion, count(*), fsum(c.score), fsum(c.score * c.score)
        FROM scored c JOIN scopes s USING (project_key) GROUP BY ALL"""),
    Aggregate("raters", """
        WITH people AS (SELECT project_key, "by" FROM judged_votes WHERE status = 'counted'
                        UNION ALL SELECT project_key, "by" FROM valid_ratings)
        SELECT s.level, s.grp, count(DISTINCT p."by") FROM people p JOIN scopes s USING (project_key)
        GROUP BY ALL"""),
)

# Not by slice: read once for the whole report.
KINDS = "SELECT kind, count(*) FROM fev GROUP BY kind"
# The first rating of each assistant in each project that says it works (score >= 4), as text time.
FIRST_WORKING = """
    SELECT c.project_key, c.aid, min(r."at") FROM scored c JOIN valid_ratings r ON r.id = c.id
    WHERE c.criterion = $works AND c.score >= $works_ok AND r."at" IS NOT NULL GROUP BY ALL"""
# Criterion ids in order of their first appearance (event order, then order within the scores).
CRITERIA_SEEN = """
    SELECT c.criterion FROM scored c JOIN valid_ratings r ON r.id = c.id
    GROUP BY c.criterion ORDER BY min(r.seq::HUGEINT * 1000000 + c.position)"""

# Parts added by later work: see the module's docstring.
EXTRA: list[Aggregate] = []
