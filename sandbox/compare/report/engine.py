"""The report engine: every source's events into DuckDB, de-duplicated, then aggregated in SQL.

Why DuckDB: it is embedded (no server, one wheel), reads JSON lines and Parquet natively on every
core, and spills to disk when an organisation's ten million events do not fit in memory. It is
imported only here, when a report is built, so ``sandbox --help`` and the TUI's start pay nothing.

The steps, each one SQL statement over the last one's table:

1. ``ev``: every line of every ledger (one parse by DuckDB, ``ledgers.scan_sql``), then every
   event of every export or database source, in source order;
2. ``kept``: the first of each event id (``ledgers`` has the rules), with its project's key;
3. ``rating_scores``: the numeric scores of the kept ratings, one row per criterion;
4. the aggregates (``aggregates``) over the kept events of the projects in the report.

The result is ``counts.Counts``: the statistics that need Python (Wilson intervals, the sign test,
Bradley-Terry with its bootstrap) run on those few numbers in ``summary``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from sandbox.compare.report import acceptance, aggregates, evidence, ledger_cache
from sandbox.compare.report.counts import Counts
from sandbox.compare.report.ledgers import LINES_TABLE, Field, lines_sql, scan_sql
from sandbox.compare.report.model import NO_GROUP, ProjectInfo, ReportError
from sandbox.compare.report.schema import COMMON, EVENT_TABLES, Column, event_table
from sandbox.compare.report.sources import ExportSource, LedgerSource, PostgresSource, Source

if TYPE_CHECKING:
    import duckdb

    from sandbox.core.ledger import Event

WORKS_OK = 4  # "Works without errors" at or above this counts as a first working prototype
# Above this much input the engine keeps its tables in a file (in the temporary folder) rather than
# in memory, so ten million events stay within the memory budget.
IN_MEMORY_BYTES = 512 * 1024 * 1024
MEMORY_LIMIT = os.environ.get("SANDBOX_REPORT_MEMORY", "1500MB")

_WORK = ("rating", "session_started", "session_ended", "run")
# The event columns the core aggregates read (schema.find_column says where each is), and the kinds
# they read them for.
CORE_COLUMNS: dict[str, tuple[str, ...] | None] = {
    "id": None, "kind": None, "schema": None, "at": ("created", "rating"),
    "assistant": _WORK, "variant": _WORK, "by": ("vote", "rating"),
    "title": ("created",), "category": ("created",), "template": ("created",), "assistants": ("created",),
    "minutes": ("rating",),
    **dict.fromkeys(("a", "b", "a_assistant", "b_assistant", "winner"), ("vote",)),
    "seconds": ("session_ended", "run"),
    **dict.fromkeys(("exit_code", "timed_out", "ok", "result_total_cost_usd", "result_duration_ms"), ("run",)),
}
# And the ones the CSV format lists besides (it shows one row per event).
CSV_COLUMNS = ("comparison", "side", "winner_assistant", "reason", "note")
SCORES = Column("scores", "object")


def find_column(name: str, table: str | None = None) -> Column:
    """The column called ``name``: a common one, else the first event table's that has it."""
    for column in COMMON:
        if column.name == name:
            return column
    tables = [event_table(table)] if table else list(EVENT_TABLES)
    for t in tables:
        for column in t.columns:
            if column.name == name:
                return column
    raise KeyError(f"no event column '{name}'")


def scan_fields(*, keep_events: bool) -> list[Field]:
    """The columns the engine reads from every event: the core's, the extra aggregates', the CSV's."""
    names: dict[str, Column] = {name: find_column(name) for name in CORE_COLUMNS}
    kinds: dict[str, set[str] | None] = {name: set(k) if k else None for name, k in CORE_COLUMNS.items()}
    for aggregate in (evidence.JUDGED, *aggregates.EXTRA):  # the core vote counts read the judged votes
        for ref in aggregate.columns:
            table, _, name = ref.rpartition(".")
            column = find_column(name, table or None)
            known = names.get(name)
            if known is not None and known != column:
                raise ValueError(f"aggregate {aggregate.name}: column '{name}' means two things")
            names[name] = column
            _widen(kinds, name, event_table(table).kind if table else None)
    if keep_events:  # the CSV reads the line itself; these are for events from exports and databases
        for name in CSV_COLUMNS:
            names[name] = find_column(name)
            _widen(kinds, name, None)
    fields = [Field(name, column, _kinds(kinds[name])) for name, column in names.items()]
    fields.append(Field("scores", SCORES, ("rating",)))
    return fields


def _widen(kinds: dict[str, set[str] | None], name: str, kind: str | None) -> None:
    if name in kinds and kinds[name] is None:
        return
    if kind is None:
        kinds[name] = None
    else:
        kinds.setdefault(name, set())
        found = kinds[name]
        if found is not None:
            found.add(kind)


def _kinds(found: set[str] | None) -> tuple[str, ...] | None:
    return None if found is None else tuple(sorted(found))


@dataclass
class EngineResult:
    """The counts, the events behind them when asked (for CSV) and what the report read."""

    counts: Counts
    events: list[Event] | None = None
    event_projects: list[str] | None = None  # the project key of each event in ``events``
    sources: list[dict[str, Any]] = field(default_factory=list)
    events_digest: str | None = None
    duckdb_version: str = ""


@contextmanager
def connection(input_bytes: int) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection for one report: in memory for a team, in a temporary file for an organisation."""
    import duckdb

    scratch = Path(tempfile.mkdtemp(prefix="sandbox-report-"))
    try:
        database = str(scratch / "report.duckdb") if input_bytes > IN_MEMORY_BYTES else ":memory:"
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": MEMORY_LIMIT, "temp_directory": str(scratch / "spill"),
        }
        try:
            con = duckdb.connect(database, config=config)
        except duckdb.Error as exc:
            raise ReportError(f"cannot start the report engine: {exc}") from None
        try:
            con.execute("SET enable_progress_bar = false")  # a report prints nothing but the report
            yield con
        finally:
            con.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def count_events(
    sources: list[Source], *, category: str | None, keep_events: bool, works_criterion: str
) -> EngineResult:
    """Load every source, keep each event once, and aggregate the projects in the report."""
    import duckdb

    for source in sources:
        source.start_describing()
    fields = scan_fields(keep_events=keep_events)
    with connection(ledger_bytes(sources)) as con:
        try:
            skipped = load_events(con, sources, fields, keep_raw=keep_events)
            result = _aggregate(con, category=category, works_criterion=works_criterion, keep_events=keep_events)
        except duckdb.Error as exc:
            raise ReportError(f"the report engine failed: {str(exc).splitlines()[0]}") from None
        counts = result.counts
        counts.damaged, counts.duplicates, counts.newer = skipped
        result.duckdb_version = duckdb.__version__
    result.sources = [s.describe() for s in sources]
    return result


def load_events(
    con: duckdb.DuckDBPyConnection, sources: list[Source], fields: list[Field], *, keep_raw: bool
) -> Skipped:
    """Tables ``kept`` (each event once), ``rating_scores``, ``file_keys`` and ``projects_in`` from
    every source; returns what was skipped. ``sandbox export`` reads the same tables."""
    with _scratch_folder() as scratch:
        imported = _imports(sources, scratch)
        _load(con, sources, imported, fields, keep_raw=keep_raw)
        return _keep(con)


def ledger_bytes(sources: list[Source]) -> int:
    """How much ledger text the sources hold: above ``IN_MEMORY_BYTES`` the engine works in a file."""
    return sum(_size(path) for s in sources if isinstance(s, LedgerSource) for _, path in s.files)


@contextmanager
def _scratch_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sandbox-import-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _imports(sources: list[Source], scratch: Path) -> dict[int, ExportSource]:
    """Export-shaped folders for the sources that are not ledgers (a database is copied out first)."""
    found: dict[int, ExportSource] = {}
    for index, source in enumerate(sources):
        if isinstance(source, ExportSource):
            found[index] = source
        elif isinstance(source, PostgresSource):
            from sandbox.compare import store

            folder = scratch / f"db-{index}"
            manifest, described = store.dump(source.url, folder)
            source.described = described
            found[index] = ExportSource(folder, manifest)
    return found


def _event_columns_sql(fields: list[Field]) -> str:
    return ", ".join(f'"{f.name}" {_sql_type(f)}' for f in fields)


def _sql_type(f: Field) -> str:
    return f.column.sql_type


def _load(
    con: duckdb.DuckDBPyConnection, sources: list[Source], imported: dict[int, ExportSource],
    fields: list[Field], *, keep_raw: bool,
) -> None:
    """Table ``ev``: every ledger line (valid or not) in its place, then every imported event; and
    ``files``, ``file_keys``, ``projects_in``, ``scores_in``."""
    files: list[str] = []
    file_src: list[int] = []
    file_project: list[str] = []
    cacheable: list[bool] = []  # an unpacked archive is read once: its files are not kept
    for index, source in enumerate(sources):
        if isinstance(source, LedgerSource):
            for slug, path in source.files:
                files.append(str(path))
                file_src.append(index)
                file_project.append(slug)
                cacheable.append(source.archive is None)
    con.execute(
        "CREATE TABLE files AS SELECT unnest(range(len($src))) AS file, unnest($src)::INTEGER AS src, "
        "unnest($project) AS project, unnest(range(len($src))) AS ord",
        {"src": file_src, "project": file_project},
    )
    columns = ("src INTEGER, project_key VARCHAR, file BIGINT, line BIGINT, seq BIGINT, valid BOOLEAN, "
               f"newer BOOLEAN, check_line VARCHAR, {_event_columns_sql(fields)}")
    columns += ", raw VARCHAR" if keep_raw else ""
    con.execute(f"CREATE TABLE ev ({columns})")
    con.execute("CREATE TEMP TABLE file_info (file BIGINT, n BIGINT, first_row BIGINT, created VARCHAR)")
    names = [f.name for f in fields] + (["raw"] if keep_raw else [])
    cache = _open_cache(con, fields, keep_raw=keep_raw) if files else None
    try:
        plan = None
        to_parse = list(range(len(files)))
        paths = [os.path.abspath(f) for f in files]  # noqa: PTH100 - the cache's key, without resolving links
        if cache is not None:
            keys = [ledger_cache.stat_key(p) if ok else None for p, ok in zip(paths, cacheable, strict=True)]
            plan = cache.plan(paths, keys)
            to_parse = plan.misses
            cache.note_hits(plan, "file_info")
        if to_parse:
            _parse(con, [files[i] for i in to_parse], to_parse, fields, keep_raw=keep_raw)
        _file_keys(con)
        if cache is not None and plan is not None and not cache.load(plan, "ev", names, _PLACED):
            cache.detach()  # the kept rows could not be read: parse those files too, keep nothing
            cache = None
            to_parse = list(plan.hits)
            con.execute("DELETE FROM file_info WHERE file IN (SELECT unnest($files))", {"files": to_parse})
            _parse(con, [files[i] for i in to_parse], to_parse, fields, keep_raw=keep_raw)
            con.execute("DROP TABLE file_keys")
            _file_keys(con)
        # the parsed lines into their places: an update of four columns, not a copy of them all
        con.execute("""
            UPDATE ev SET src = k.src, project_key = k.project_key, line = ev.line - k.first_row,
                          seq = k.src::BIGINT * 1099511627776 + k.base + ev.line - k.first_row
            FROM file_keys k WHERE k.file = ev.file AND ev.seq IS NULL""")
        if cache is not None and plan is not None:
            cache.store(plan, paths, "ev", [f.name for f in fields], "file_info")
    finally:
        if cache is not None:
            cache.detach()
    con.execute("CREATE TABLE projects_in (project_key VARCHAR, project VARCHAR, src INTEGER, ord BIGINT)")
    con.execute("CREATE TABLE scores_in (src INTEGER, id VARCHAR, criterion VARCHAR, position BIGINT, score DOUBLE)")
    for index, export in imported.items():
        _import_export(con, index, export, fields)


# A ledger line's place in the report's order: sources as given, then files, then lines (``k`` is
# its file's row of ``file_keys``, ``line`` its place in its file).
_PLACED = ("k.src, k.project_key, k.file, {line} AS line, "
           "k.src::BIGINT * 1099511627776 + k.base + {line} AS seq")


def _parse(
    con: duckdb.DuckDBPyConnection, paths: list[str], indexes: list[int], fields: list[Field], *, keep_raw: bool
) -> None:
    """The lines of ``paths`` (the report's files ``indexes``) into ``ev``, judged, not yet placed
    (``seq`` NULL, ``line`` their row in the read); their files' sizes and first "created" ids
    into ``file_info``."""
    con.execute(lines_sql(), {"files": paths})
    con.execute(f"INSERT INTO ev BY NAME SELECT * REPLACE (($parsed::BIGINT[])[file::BIGINT + 1] AS file) "
                f"FROM ({scan_sql(fields, keep_raw=keep_raw)})", {"parsed": indexes})
    con.execute(f"DROP TABLE {LINES_TABLE}")
    acceptance.settle_unsure(con, "ev")  # the lines the SQL was not sure of, judged by the validator
    con.execute("UPDATE ev SET check_line = NULL WHERE check_line IS NOT NULL")
    con.execute("""
        INSERT INTO file_info
        SELECT file, count(*), min(line), arg_min(id, line) FILTER (WHERE valid AND kind = 'created')
        FROM ev WHERE seq IS NULL AND file IN (SELECT unnest($parsed)) GROUP BY file""", {"parsed": indexes})


def _file_keys(con: duckdb.DuckDBPyConnection) -> None:
    """``file_keys``: each ledger file's source, project, key and first line's place.

    A project's key is its folder and the id of the first "created" line of its ledger, so the same
    project from two clones is one project and two teams' "landing-page" are two. A file's lines
    come after those of the files before it (in the report's order), so its first line's place is
    the count of theirs."""
    con.execute("""
        CREATE TABLE file_keys AS
        SELECT f.file, f.src, f.project, f.ord,
               CASE WHEN i.created IS NULL THEN f.project ELSE f.project || '~' || i.created END AS project_key,
               coalesce(i.first_row, 0) AS first_row,
               coalesce(sum(i.n) OVER (ORDER BY f.file ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::BIGINT
                 AS base
        FROM files f LEFT JOIN file_info i ON i.file = f.file""")


def _open_cache(
    con: duckdb.DuckDBPyConnection, fields: list[Field], *, keep_raw: bool
) -> ledger_cache.LedgerCache | None:
    """The parsed lines kept by earlier reports (``ledger_cache``), when there is a cache to use.

    Not for a CSV report, which reads each line's own text (the cache keeps the parsed fields only)."""
    folder = ledger_cache.cache_folder()
    if folder is None or keep_raw:
        return None
    try:
        sig = cache_signature(fields)
    except OSError:  # the code's own files unreadable: nothing to tie kept rows to
        return None
    return ledger_cache.LedgerCache.attach(con, folder, sig, _event_columns_sql(fields))


def cache_signature(fields: list[Field]) -> str:
    """The signature of the rows a scan of ``fields`` keeps (``ledger_cache.signature``)."""
    import duckdb

    return ledger_cache.signature(scan_sql(fields, keep_raw=False), _event_columns_sql(fields), duckdb.__version__)


def _reader(export: ExportSource, table: str) -> str | None:
    """``read_parquet('...')`` or ``read_json('...')`` for one table of an export, None when absent."""
    info = export.manifest["tables"].get(table)
    if not isinstance(info, dict) or not isinstance(info.get("file"), str):
        return None
    path = export.root / info["file"]
    if not path.is_file():
        raise ReportError(f"{export.root}: the export lacks {info['file']} (its manifest lists it)")
    quoted = str(path).replace("'", "''")
    if export.manifest["format"] == "parquet":
        return f"read_parquet('{quoted}')"
    from sandbox.compare.report.schema import all_columns

    types = "{" + ", ".join(f"'{n}': '{t}'" for n, t in all_columns(table)) + "}"
    return f"read_json('{quoted}', format = 'newline_delimited', columns = {types})"


def _import_export(con: duckdb.DuckDBPyConnection, src: int, export: ExportSource, fields: list[Field]) -> None:
    """One export's events into ``ev`` (in their order), its scores and its projects.

    A table's column fills a field only where the ledger scan would read it: the same column (a
    created event's ``files`` is a count, a change batch's a list) for a kind the field is read for.
    """
    by_name = {f.name: f for f in fields}
    for table in EVENT_TABLES:
        reader = _reader(export, table.name)
        if reader is None:
            continue
        have = [c.name for c in COMMON + table.columns if _reads(by_name.get(c.name), c, table.kind)]
        selected = ", ".join(f'"{n}"' for n in have)
        # an imported event's place: after every line and event before it in ``ev``, in its export's order
        (offset,) = con.execute("SELECT count(*) FROM ev").fetchone() or (0,)
        con.execute(
            f"INSERT INTO ev BY NAME SELECT {src} AS src, project_key, true AS valid, false AS newer, "
            f"{src}::BIGINT * 1099511627776 + {int(offset)} + row_number() OVER (ORDER BY seq) - 1 AS seq, "
            f"{selected} FROM {reader}"
        )
    scores = _reader(export, "rating_scores")
    if scores is not None:
        con.execute(f"INSERT INTO scores_in SELECT {src}, id, criterion, position, score FROM {scores}")
    projects = _reader(export, "projects")
    if projects is not None:
        con.execute(
            f"INSERT INTO projects_in SELECT project_key, project, {src}, row_number() OVER (ORDER BY project, "
            f"project_key) FROM {projects}"
        )


def _reads(found: Field | None, column: Column, kind: str | None) -> bool:
    if found is None or (found.column != column and column not in COMMON):
        return False
    return column in COMMON or found.kinds is None or kind in found.kinds


class Skipped(NamedTuple):
    """The lines a report did not count, and why."""

    damaged: int  # not an event (torn, not an object, no text id or kind)
    duplicates: int  # an event already counted (same id)
    newer: int  # written by a newer sandbox (higher major schema): its shape is not this one's


def _keep(con: duckdb.DuckDBPyConnection) -> Skipped:
    """``kept``: each event once, the first by source and order, this schema's only."""
    # Each event once: the first of its id. Repeats are few (a union merge's copies), so they are
    # found on the narrow columns and deleted from ``ev``, and ``kept`` is a view of what is left:
    # copying the wide table (or ordering it in a window) costs more than all of the aggregates.
    con.execute("""
        CREATE TABLE repeats AS
        SELECT rowid AS rid FROM ev
        WHERE valid AND NOT newer
          AND id IN (SELECT id FROM ev WHERE valid AND NOT newer GROUP BY id HAVING count(*) > 1)
        QUALIFY row_number() OVER (PARTITION BY id ORDER BY seq) > 1""")
    damaged, newer = con.execute(
        "SELECT count(*) FILTER (WHERE NOT valid), count(*) FILTER (WHERE valid AND newer) FROM ev"
    ).fetchone() or (0, 0)
    (repeated,) = con.execute("SELECT count(*) FROM repeats").fetchone() or (0,)
    # what is not kept leaves ``ev`` (a delete only marks rows: far cheaper than a filtered copy)
    con.execute("DELETE FROM ev WHERE NOT valid OR newer OR rowid IN (SELECT rid FROM repeats)")
    con.execute("""
        CREATE TEMP VIEW kept AS
        SELECT src, seq, project_key, * EXCLUDE (src, seq, project_key, file, line, valid, newer, check_line)
        FROM ev""")
    # Scores: each criterion once per rating, in its first place with its last value (as a JSON
    # object with a repeated key reads in Python), numeric values only.
    con.execute(f"""
        CREATE TABLE rating_scores AS
        WITH parts AS (
          SELECT src, id, project_key, unnest(json_keys(scores)) AS criterion,
                 unnest(json_type(scores, '$.*')) AS type, unnest(json_extract_string(scores, '$.*')) AS value,
                 unnest(range(1, len(json_keys(scores)) + 1)) AS position
          FROM kept WHERE kind = 'rating' AND scores IS NOT NULL),
        once AS (
          SELECT src, id, project_key, criterion, min(position) AS position,
                 arg_max(type, position) AS type, arg_max(value, position) AS value
          FROM parts GROUP BY ALL)
        SELECT src, id, project_key, criterion, position, TRY_CAST(value AS DOUBLE) AS score FROM once
        WHERE type IN {aggregates.NUMBER_TYPES_SQL} AND isfinite(TRY_CAST(value AS DOUBLE))
        UNION ALL
        SELECT s.src, s.id, k.project_key, s.criterion, s.position, s.score
        FROM scores_in s JOIN kept k ON k.id = s.id AND k.src = s.src
        WHERE s.score IS NOT NULL AND isfinite(s.score)""")
    return Skipped(int(damaged), int(repeated), int(newer))


def _projects(con: duckdb.DuckDBPyConnection) -> dict[str, ProjectInfo]:
    """Every project of every source, by key, in source then folder order, with its first ``created`` event."""
    rows = con.execute("""
        WITH every AS (
          SELECT project_key, project, src, ord FROM file_keys
          UNION ALL SELECT project_key, project, src, ord FROM projects_in),
        first AS (SELECT project_key, arg_min(project, src::BIGINT * 1000000000 + ord) AS project,
                         min(src::BIGINT * 1000000000 + ord) AS place FROM every GROUP BY project_key),
        created AS (SELECT project_key, title, category, template, "at" FROM kept WHERE kind = 'created'
                    QUALIFY row_number() OVER (PARTITION BY project_key ORDER BY seq) = 1)
        SELECT p.project_key, p.project, c.project_key IS NOT NULL, c.title, c.category, c.template, c."at"
        FROM first p LEFT JOIN created c USING (project_key) ORDER BY p.place""").fetchall()
    projects: dict[str, ProjectInfo] = {}
    for key, slug, has_created, title, category, template, at in rows:
        info = ProjectInfo(slug=slug, key=key)
        if has_created:
            info.title = title or ""
            info.category = category or NO_GROUP
            info.template = template or NO_GROUP
            info.created_at = at
        projects[key] = info
    return projects


def _aggregate(
    con: duckdb.DuckDBPyConnection, *, category: str | None, works_criterion: str, keep_events: bool
) -> EngineResult:
    projects = _projects(con)
    chosen = _chosen(projects, category)
    keys = list(chosen)
    con.execute(
        "CREATE TABLE scopes AS WITH p AS (SELECT unnest($key) AS project_key, unnest($cat) AS cat, "
        "unnest($tpl) AS tpl) SELECT project_key, 'all' AS level, '' AS grp FROM p "
        "UNION ALL SELECT project_key, 'category', cat FROM p UNION ALL SELECT project_key, 'template', tpl FROM p",
        {"key": keys, "cat": [chosen[k].category for k in keys], "tpl": [chosen[k].template for k in keys]},
    )
    if category is None:
        con.execute("CREATE TEMP VIEW fev AS SELECT * FROM kept")
    else:
        con.execute("CREATE TEMP VIEW fev AS SELECT * FROM kept "
                    "WHERE project_key IN (SELECT project_key FROM scopes WHERE level = 'all')")
    con.execute(aggregates.VIEWS)
    con.execute(evidence.JUDGED.sql)
    counts = Counts(projects=chosen)
    for info in chosen.values():  # every slice a chosen project belongs to, even one without events
        counts.scope("category", info.category)
        counts.scope("template", info.template)
    fill_counts(counts, {a.name: con.execute(a.sql).fetchall() for a in aggregates.CORE})
    for aggregate in aggregates.EXTRA:
        for level, grp, *rest in con.execute(aggregate.sql).fetchall():
            counts.scope(level, grp).extra.setdefault(aggregate.name, []).append(tuple(rest))
    counts.kinds = {kind: int(n) for kind, n in con.execute(aggregates.KINDS).fetchall()}
    counts.event_count = sum(counts.kinds.values())
    counts.criteria_seen = [c for (c,) in con.execute(aggregates.CRITERIA_SEEN).fetchall()]
    first = con.execute(aggregates.FIRST_WORKING, {"works": works_criterion, "works_ok": WORKS_OK}).fetchall()
    _first_working(counts, first)
    (digest,) = con.execute("SELECT bit_xor(md5_number(id)) FROM fev").fetchone() or (None,)
    result = EngineResult(counts=counts, events_digest=None if digest is None else f"{int(digest):032x}")
    if keep_events:
        result.events, result.event_projects = _events(con)
    return result


def _chosen(projects: dict[str, ProjectInfo], category: str | None) -> dict[str, ProjectInfo]:
    """The projects in the report: all, or those of one category (named in any case)."""
    if category is None:
        return projects
    wanted = category.strip().lower()
    chosen = {key: info for key, info in projects.items() if info.category.lower() == wanted}
    if not chosen and projects:
        known = ", ".join(sorted({info.category for info in projects.values()}))
        raise ReportError(f"no project has the category '{category}' (categories: {known})")
    return chosen


def fill_counts(counts: Counts, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """The core aggregates' rows into the counts, slice by slice."""
    for level, grp, n in rows["projects"]:
        counts.scope(level, grp).projects = int(n)
    for level, grp, n in rows["comparisons"]:
        counts.scope(level, grp).comparisons = int(n)
    for level, grp, a, b, winner, n in rows["votes"]:
        counts.scope(level, grp).votes[(a, b, winner)] = int(n)
    for level, grp, aid, n in rows["assistant_projects"]:
        counts.scope(level, grp).assistant(aid).projects = int(n)
    for level, grp, aid, n in rows["sessions"]:
        counts.scope(level, grp).assistant(aid).sessions = int(n)
    for level, grp, aid, seconds in rows["session_seconds"]:
        counts.scope(level, grp).assistant(aid).session_seconds = float(seconds)
    for level, grp, aid, n, ok, median, with_cost, cost in rows["runs"]:
        acc = counts.scope(level, grp).assistant(aid)
        acc.runs, acc.runs_ok, acc.run_median_seconds = int(n), int(ok), median
        acc.runs_with_cost, acc.run_cost_usd = int(with_cost), float(cost or 0.0)
    for level, grp, aid, n, minutes, total, total_sq in rows["ratings"]:
        acc = counts.scope(level, grp).assistant(aid)
        acc.ratings, acc.rating_minutes = int(n), float(minutes or 0.0)
        acc.overall = (int(n), float(total), float(total_sq))
    for level, grp, aid, criterion, n, total, total_sq in rows["criteria"]:
        counts.scope(level, grp).assistant(aid).criteria[criterion] = (int(n), float(total), float(total_sq))
    for level, grp, n in rows["raters"]:
        counts.scope(level, grp).raters = int(n)


def _first_working(counts: Counts, rows: list[tuple[Any, ...]]) -> None:
    """Hours from each project's creation to each assistant's first working rating, into its slices."""
    for key, aid, at in sorted(rows, key=lambda r: (r[0], r[1])):
        info = counts.projects.get(key)
        if info is None or not info.created_at:
            continue
        hours = hours_between(info.created_at, at)
        if hours is None:
            continue
        for scope in (counts.overall, counts.by_category[info.category], counts.by_template[info.template]):
            scope.assistant(aid).first_working_hours.append(hours)


def hours_between(start: str, end: str) -> float | None:
    """Hours from ``start`` to ``end`` (ISO times), never negative; None when either is not a time."""
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None
    if (a.tzinfo is None) != (b.tzinfo is None):
        return None
    return max(0.0, (b - a).total_seconds() / 3600)


def _events(con: duckdb.DuckDBPyConnection) -> tuple[list[Event], list[str]]:
    """The kept events in order (for CSV): parsed from their line, or rebuilt from an export's columns."""
    cursor = con.execute("SELECT * EXCLUDE (src, seq, scores) FROM fev ORDER BY seq")
    names = [d[0] for d in cursor.description or ()]
    rows = cursor.fetchall()  # before the next query, which would end this one
    scores: dict[str, dict[str, float]] = {}
    for rid, criterion, score in con.execute(
        "SELECT s.id, s.criterion, s.score FROM rating_scores s SEMI JOIN fev f ON f.id = s.id AND f.src = s.src "
        "ORDER BY s.id, s.position"
    ).fetchall():
        scores.setdefault(rid, {})[criterion] = score
    raw_at = names.index("raw")
    key_at = names.index("project_key")
    events: list[Event] = []
    keys: list[str] = []
    loads = json.loads
    for row in rows:
        raw = row[raw_at]
        if raw is not None:
            event = loads(raw)
        else:
            event = {n: v for n, v in zip(names, row, strict=True) if v is not None and n not in ("raw", "project_key")}
            if event.get("kind") == "rating":
                event["scores"] = scores.get(event["id"], {})
            if "result_total_cost_usd" in event:
                event["result"] = {"total_cost_usd": event.pop("result_total_cost_usd")}
        events.append(event)
        keys.append(row[key_at])
    return events, keys
