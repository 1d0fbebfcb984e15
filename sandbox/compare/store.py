"""The organisation's shared store: PostgreSQL, filled by ``sandbox sync``, read by ``report --from``.

Why PostgreSQL: every organisation already runs one, its analysts already query it, and it takes
thousands of concurrent writers safely. The tables are the export's tidy tables (``report.schema``,
docs/EXPORT.md) with the event id as primary key, so what an analyst reads in the database is what
a warehouse reads from the Parquet export.

How a sync stays correct from thousands of laptops at once, any number of times:

- Idempotent: every event table is keyed by the event id and rows go in with ``ON CONFLICT DO
  NOTHING``; a project by its key, a rating's score by (id, criterion). Syncing twice, or from two
  clones of one workspace, stores every event once.
- Resumable: each table goes in its own transaction (staged with ``COPY``, then inserted), so a sync
  killed half-way leaves whole tables behind, never half a table; running it again adds the rest.
- No deadlocks between writers: rows are inserted in id order, so two syncs that hold overlapping
  ids wait for each other instead of each holding what the other needs (and a deadlock or
  serialization failure is retried anyway).
- The schema is created and migrated by the sandbox under an advisory lock (one laptop migrates,
  the others wait and then find it done), and its version is recorded in ``sandbox_schema``.

Passwords belong in ``~/.pgpass`` or ``PGPASSWORD``, not in the address: the address is printed in
reports (without any password in it).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.compare.report.model import ReportError
from sandbox.compare.report.schema import EVENT_TABLES, SCHEMA_VERSION, TABLE_NAMES, all_columns

if TYPE_CHECKING:
    import psycopg

    from sandbox.compare.report.sources import Source

MIGRATION_LOCK = 0x5A4D_5053  # the advisory lock every sandbox takes to create or migrate the schema
PG_TYPES = {"VARCHAR": "text", "DOUBLE": "double precision", "BIGINT": "bigint", "BOOLEAN": "boolean",
            "VARCHAR[]": "jsonb"}  # lists are JSON arrays: what every engine reads, and one type for all
RETRIES = 8
PRIMARY_KEYS = {"rating_scores": ("id", "criterion"), "projects": ("project_key",),
                "variants": ("project_key", "variant")}


@dataclass
class SyncResult:
    sent: int  # events read from the sources (one held by two sources counts twice)
    added: int  # of them, new to the database
    schema_version: int


def redacted(url: str) -> str:
    """The address without its password, fit to print in a report."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    import psycopg

    try:
        con = psycopg.connect(url, connect_timeout=10, application_name="sandbox")
    except psycopg.Error as exc:
        raise ReportError(f"cannot reach the database {redacted(url)}: {_first_line(exc)}") from None
    try:
        yield con
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def migrate(con: psycopg.Connection[Any]) -> int:
    """Create or bring the schema up to ``SCHEMA_VERSION``; returns the version now recorded."""
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        con.execute("CREATE TABLE IF NOT EXISTS sandbox_schema (version integer NOT NULL, "
                    "migrated_at timestamptz NOT NULL DEFAULT now(), by_sandbox text)")
        row = con.execute("SELECT max(version) FROM sandbox_schema").fetchone()
        current = row[0] if row and row[0] is not None else 0
        if current > SCHEMA_VERSION:
            raise ReportError(f"the database has schema version {current}; this sandbox knows up to "
                              f"{SCHEMA_VERSION} (update the sandbox)")
        if current < 1:
            for name in TABLE_NAMES:
                con.execute(_create_table(name))
            con.execute("INSERT INTO sandbox_schema (version, by_sandbox) VALUES (%s, %s)",
                        (SCHEMA_VERSION, _sandbox_version()))
        # later versions: one "if current < N:" block each, adding columns (readers select by name)
    return SCHEMA_VERSION


def _create_table(name: str) -> str:
    columns = ", ".join(f'"{c}" {PG_TYPES[t]}' for c, t in all_columns(name))
    key = ", ".join(f'"{c}"' for c in PRIMARY_KEYS.get(name, ("id",)))
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({columns}, PRIMARY KEY ({key}))'


def _sandbox_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"prototype-sandbox {version('prototype-sandbox')}"
    except PackageNotFoundError:
        return "prototype-sandbox"


def sync(url: str, sources: list[Source], *, progress: bool = True) -> SyncResult:
    """Every event of ``sources`` into the database at ``url``, each once, table by table.

    One source at a time: each is exported and pushed before the next is read, so an organisation's
    million events never sit in memory at once (the tables of one workspace do), and an event that
    two sources hold (two clones) is stored once all the same, by its key. ``sent`` counts what each
    source held, so such an event counts once per source."""
    import sys

    from sandbox.compare.export import ExportOptions, export
    from sandbox.compare.report.sources import POSTGRES_SCHEMES

    if not url.startswith(POSTGRES_SCHEMES):
        raise ReportError(f"sync needs a postgresql:// address, not '{url}'")
    sent = added = 0
    with connect(url) as con:
        version = _retrying(lambda: migrate(con))
        for source in sources:
            with tempfile.TemporaryDirectory(prefix="sandbox-sync-") as scratch:
                folder = Path(scratch) / "tables"
                # CSV is what COPY reads fastest; lists are written as JSON text for the jsonb columns
                manifest = export([source], folder, ExportOptions(fmt="csv", with_notes=True))
                sent += int(manifest["events"])
                where = f"{source.root}: " if len(sources) > 1 and hasattr(source, "root") else ""
                for name, info in manifest["tables"].items():
                    csv_file = folder / info["file"]
                    new = _retrying(lambda name=name, csv_file=csv_file: _sync_table(con, name, csv_file))
                    if name in {t.name for t in EVENT_TABLES}:
                        added += new
                    if progress:
                        print(f"sync: {where}{name}: {info['rows']} rows, {new} new", file=sys.stderr, flush=True)
    return SyncResult(sent=sent, added=added, schema_version=version)


def _retrying(step: Any) -> int:
    """Run ``step``; again after a deadlock or serialization failure (other syncs at the same moment)."""
    import psycopg
    from psycopg import errors

    for attempt in range(RETRIES):
        try:
            return int(step())
        except (errors.DeadlockDetected, errors.SerializationFailure):
            time.sleep(0.05 * (attempt + 1))
        except psycopg.Error as exc:
            raise ReportError(f"the database refused the sync: {_first_line(exc)}") from None
    raise ReportError("the database stayed busy (deadlocks on every attempt); run the sync again")


def _sync_table(con: psycopg.Connection[Any], name: str, csv_file: Path) -> int:
    """One table: staged with COPY, inserted in key order, new rows only; one transaction."""
    columns = [c for c, _ in all_columns(name)]
    names = ", ".join(f'"{c}"' for c in columns)
    key = ", ".join(f'"{c}"' for c in PRIMARY_KEYS.get(name, ("id",)))
    with con.transaction():
        # the key-ordered insert sorts the whole table: in memory, not in 4 MB runs on disk
        con.execute("SET LOCAL work_mem = '256MB'")
        con.execute(f'CREATE TEMP TABLE staging (LIKE "{name}") ON COMMIT DROP')
        with con.cursor() as cur:
            with cur.copy(f"COPY staging ({names}) FROM STDIN WITH (FORMAT csv)") as copy, csv_file.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            update = ""
            if name == "projects":  # the count grows as more clones are synced: keep the largest
                update = 'DO UPDATE SET events = greatest("projects".events, excluded.events)'
            cur.execute(
                f'INSERT INTO "{name}" ({names}) SELECT DISTINCT ON ({key}) {names} FROM staging ORDER BY {key} '
                f"ON CONFLICT ({key}) {update or 'DO NOTHING'}"
            )
            new = cur.rowcount
    return max(0, new)


def dump(url: str, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The database's tables into an export-shaped folder (JSON lines) for the report engine.

    Returns its manifest and what the report says about the database (address without password,
    server and schema version, event count)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    with connect(url) as con:
        try:
            row = con.execute("SELECT max(version) FROM sandbox_schema").fetchone()
        except Exception:  # noqa: BLE001 - any failure here means the same thing to the user
            raise ReportError(f"{redacted(url)}: no sandbox tables here (run `sandbox sync {redacted(url)}` "
                              "first)") from None
        version = row[0] if row else None
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise ReportError(f"{redacted(url)}: schema version {version!r}; this sandbox reads up to {SCHEMA_VERSION}")
        import psycopg

        events = 0
        con.rollback()
        con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with con.transaction():  # one snapshot of every table, whatever syncs run meanwhile
            for name in TABLE_NAMES:
                file = f"{name}.jsonl"
                order = ("project, project_key, seq, id" if any(t.name == name for t in EVENT_TABLES)
                         else ", ".join(PRIMARY_KEYS[name]))
                # the events' order: projects by name, then each laptop's own order (its ledger lines)
                columns = ", ".join(f'row_number() OVER (ORDER BY {order}) AS seq' if c == "seq" else f'"{c}"'
                                    for c, _ in all_columns(name))
                # CSV quoting with characters JSON text never holds: each row's JSON, verbatim, per line
                sql = (f'COPY (SELECT row_to_json(t)::text FROM (SELECT {columns} FROM "{name}" ORDER BY {order}) t) '
                       "TO STDOUT WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')")
                rows = 0
                with con.cursor() as cur, cur.copy(sql) as copy, (folder / file).open("wb") as out:
                    for block in copy:
                        out.write(block)
                        rows += bytes(block).count(b"\n")
                tables[name] = {"file": file, "rows": rows}
                if any(t.name == name for t in EVENT_TABLES):
                    events += rows
        server = con.info.parameter_status("server_version")
    manifest = {"schema_version": SCHEMA_VERSION, "format": "jsonl", "tables": tables}
    described = {"database": redacted(url), "server_version": server, "schema_version": version, "events": events,
                 "read_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")}
    return manifest, described
