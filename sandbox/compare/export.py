"""``sandbox export``: a workspace's events as tidy tables, the hand-over format for an organisation.

One table per event kind (``report.schema.EVENT_TABLES``), plus ``rating_scores`` (one row per
rating and criterion), ``projects`` and ``variants``, in Parquet (the default: what Spark, Trino,
BigQuery and DuckDB read) or JSON lines, with ``export.json`` beside them: the schema version, the
format, each file's row count and SHA-256, and what the export left out. ``sandbox report --from``
reads such a folder back, and gives the report of the ledgers it came from.

Privacy: free-text notes and reasons are left out (NULL) unless ``with_notes``; ``salt`` replaces
every rater (``by``) with a salted SHA-256, so an organisation can count distinct raters across
teams without learning who they are. The salt is the organisation's secret: it is never written
into the export (only the fact that one was used), and the same salt gives the same pseudonyms in
every team's export, so the raters of two teams stay apart and one rater stays one.

The events are read by the report engine (``report.engine.load_events``): the same acceptance rules,
the same de-duplication by id, the same project keys as the report.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.compare.report.model import ReportError
from sandbox.compare.report.schema import COMMON, EVENT_TABLES, KNOWN_KINDS, SCHEMA_VERSION, Table

if TYPE_CHECKING:
    import duckdb

    from sandbox.compare.report.ledgers import Field
    from sandbox.compare.report.sources import Source

FORMATS = ("parquet", "jsonl")
# "csv" is internal: what ``sandbox sync`` hands PostgreSQL's COPY (lists as JSON text, no header)
SUFFIX = {"parquet": ".parquet", "jsonl": ".jsonl", "csv": ".csv"}


@dataclass(frozen=True)
class ExportOptions:
    fmt: str = "parquet"
    salt: str | None = None  # pseudonymise raters with this secret
    with_notes: bool = False


def field_name(table: Table, column: str) -> str:
    """A table's own column in the scan: prefixed, since two tables may give one name two types."""
    return f"{table.name}.{column}"


def scan_fields() -> list[Field]:
    """Every column of every event table (common ones once), and the rating scores."""
    from sandbox.compare.report.engine import SCORES
    from sandbox.compare.report.ledgers import Field

    # id and kind first: the scan's acceptance rules read them
    fields = [Field(c.name, c) for c in sorted(COMMON, key=lambda c: c.name not in ("id", "kind"))]
    fields += [Field(field_name(t, c.name), c, (t.kind,)) for t in EVENT_TABLES if t.kind for c in t.columns]
    fields.append(Field("scores", SCORES, ("rating",)))
    return fields


def export(sources: list[Source], out: Path, options: ExportOptions) -> dict[str, Any]:
    """Write the tables of every event in ``sources`` into the folder ``out``; returns the manifest."""
    import duckdb

    from sandbox.compare.report import engine
    from sandbox.compare.report.sources import EXPORT_MANIFEST, LedgerSource

    if options.fmt not in SUFFIX:
        raise ReportError(f"unknown export format '{options.fmt}' (formats: {', '.join(FORMATS)})")
    if options.salt is not None and not options.salt.strip():
        raise ReportError("--pseudonymise needs a salt that is not empty (keep it secret, use it for every team)")
    for source in sources:
        if not isinstance(source, LedgerSource):
            raise ReportError(f"{source.describe().get('path', source.kind)}: export reads ledgers (workspaces or "
                              "project folders); an export or the database is already in tables")
        source.start_describing()
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not (out / EXPORT_MANIFEST).is_file():
        raise ReportError(f"{out} exists and is not an earlier export; give a new folder")
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        with engine.connection(engine.ledger_bytes(sources)) as con:
            try:
                skipped = engine.load_events(con, sources, scan_fields(), keep_raw=False)
                tables = _write_tables(con, partial, options)
            except duckdb.Error as exc:
                raise ReportError(f"the export failed: {str(exc).splitlines()[0]}") from None
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "format": options.fmt,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "pseudonymised": options.salt is not None,
            "with_notes": options.with_notes,
            "events": sum(info["rows"] for name, info in tables.items() if _is_event_table(name)),
            "damaged_lines": skipped.damaged,
            "duplicates_skipped": skipped.duplicates,
            "newer_schema_skipped": skipped.newer,
            "sources": [s.describe() for s in sources],
            "tables": tables,
        }
        (partial / EXPORT_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        partial.rename(out)  # whole or nothing: a reader never sees half an export
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return manifest


def _is_event_table(name: str) -> bool:
    return any(t.name == name for t in EVENT_TABLES)


def _write_tables(con: duckdb.DuckDBPyConnection, folder: Path, options: ExportOptions) -> dict[str, Any]:
    """Each table into its file; (file, rows, sha256) by table name."""
    rater = '"by"' if options.salt is None else 'CASE WHEN "by" IS NOT NULL THEN sha256($salt || chr(0) || "by") END'
    params = {"salt": options.salt} if options.salt is not None else {}
    con.execute("""CREATE TEMP TABLE export_projects AS
        WITH every AS (SELECT project_key, project, src, ord FROM file_keys)
        SELECT project_key, arg_min(project, src::BIGINT * 1000000000 + ord) AS project
        FROM every GROUP BY project_key""")
    selects: dict[str, str] = {}
    for table in EVENT_TABLES:
        common = ", ".join(rater + ' AS "by"' if c.name == "by" else f'k."{c.name}"' for c in COMMON)
        own = "".join(
            f', {"NULL" if c.private and not options.with_notes else _quoted("k", field_name(table, c.name))}'
            f'::{c.sql_type} AS "{c.name}"'
            for c in table.columns
        )
        where = f"k.kind = '{table.kind}'" if table.kind else f"k.kind NOT IN {tuple(KNOWN_KINDS)!r}"
        selects[table.name] = (
            f"SELECT k.seq, p.project, k.project_key, {common}{own} FROM kept k "
            f"JOIN export_projects p USING (project_key) WHERE {where} ORDER BY k.seq"
        )
    selects["rating_scores"] = (
        "SELECT id, project_key, criterion, position, score FROM rating_scores ORDER BY id, position"
    )
    selects["projects"] = """
        WITH created AS (SELECT project_key, "created.title" AS title, "created.category" AS category,
                                "created.template" AS template, "at", "created.assistants" AS assistants
                         FROM kept WHERE kind = 'created'
                         QUALIFY row_number() OVER (PARTITION BY project_key ORDER BY seq) = 1),
             n AS (SELECT project_key, count(*) AS events FROM kept GROUP BY project_key)
        SELECT p.project_key, p.project, c.title, c.category, c.template, c."at" AS created_at, c.assistants,
               coalesce(n.events, 0) AS events
        FROM export_projects p LEFT JOIN created c USING (project_key) LEFT JOIN n USING (project_key)
        ORDER BY p.project, p.project_key"""
    selects["variants"] = """
        WITH listed AS (SELECT project_key, unnest("created.assistants") AS variant FROM kept WHERE kind = 'created'),
             seen AS (SELECT project_key, variant, arg_min(assistant, seq) FILTER (WHERE assistant IS NOT NULL)
                             AS assistant, count(*) AS events
                      FROM kept WHERE variant IS NOT NULL GROUP BY ALL)
        SELECT p.project_key, p.project, v.variant, coalesce(s.assistant, v.variant) AS assistant,
               l.variant IS NOT NULL AS listed, coalesce(s.events, 0) AS events
        FROM (SELECT DISTINCT project_key, variant FROM listed UNION SELECT project_key, variant FROM seen) v
        JOIN export_projects p USING (project_key)
        LEFT JOIN (SELECT DISTINCT project_key, variant FROM listed) l USING (project_key, variant)
        LEFT JOIN seen s USING (project_key, variant)
        ORDER BY p.project, p.project_key, v.variant"""
    tables: dict[str, Any] = {}
    copy = {"parquet": "(FORMAT parquet, COMPRESSION zstd)", "jsonl": "(FORMAT json)",
            "csv": "(FORMAT csv, HEADER false)"}[options.fmt]
    for name, select in selects.items():
        if options.fmt == "csv":
            select = _lists_as_json(name, select)
        file = name + SUFFIX[options.fmt]
        path = folder / file
        quoted = str(path).replace("'", "''")
        con.execute(f"COPY ({select}) TO '{quoted}' {copy}", params if "$salt" in select else {})
        used = params if "$salt" in select else {}
        (rows,) = con.execute(f"SELECT count(*) FROM ({select})", used).fetchone() or (0,)
        tables[name] = {"file": file, "rows": int(rows), "sha256": _sha256(path)}
    return tables


def _lists_as_json(name: str, select: str) -> str:
    from sandbox.compare.report.schema import all_columns

    lists = [c for c, t in all_columns(name) if t.endswith("[]")]
    if not lists:
        return select
    replaced = ", ".join(f'to_json("{c}")::VARCHAR AS "{c}"' for c in lists)
    return f"SELECT * REPLACE ({replaced}) FROM ({select})"


def _quoted(table: str, column: str) -> str:
    return f'{table}."{column}"'


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
