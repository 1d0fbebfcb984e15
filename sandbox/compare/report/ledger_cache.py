"""Ledger lines already parsed, kept between reports, so a report parses only what changed.

Why: parsing and judging every line is most of a report (issue 15: about 2 s of 4.5 for 200,000
events on two cores), yet ledgers only grow and between two reports almost every one is the same.
So the scan's rows (``ev`` without the file's place in this report) are kept per ledger file, in
one DuckDB database in the user's cache folder, with the *key* of the file they were read from.
A file whose key is unchanged is not read again; any other is parsed and its rows replaced.

The key is the file's stat: device, inode, size, mtime and ctime (as ``core.summary_cache``, for
the same reasons: an append changes the size, any write the mtime and ctime, a git merge or
checkout writes a new inode, and no tool sets a ctime back). A file touched within
``RACY_SECONDS`` of the report is parsed but not kept: its stat cannot vouch for it yet.

What is kept is what this version's scan produces: the database records the scan's signature
(its SQL, DuckDB's version, the validator's code), in its name and inside, so a report and an
export (whose scans differ) each keep their own, and a newer sandbox never reads an older one's
rows (a database no report opened for ``UNUSED_DAYS`` is removed). They live in
``$XDG_CACHE_HOME/sandbox`` (``~/.cache/sandbox``), never in a workspace: a workspace is shared and
untrusted, a DuckDB file is not a format to read from strangers. Anything that goes wrong with it
(another report holding it, a damaged or newer file, a full disk) makes the report parse every
line as before and say nothing: a cache is only ever a way to be faster.

``SANDBOX_REPORT_CACHE=off`` turns it off (the benchmark's cold runs, a user who wants none);
``SANDBOX_REPORT_CACHE=FOLDER`` puts it elsewhere (each test its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.core.summary_cache import RACY_SECONDS

if TYPE_CHECKING:
    import duckdb

CACHE_ENV = "SANDBOX_REPORT_CACHE"
FORMAT = 2
PREFIX = "ledgers-"  # one database per scan signature: the report's and the export's scans differ
ALIAS = "ledger_cache"
UNUSED_DAYS = 30  # a file no report has read for this long is forgotten; so is a database

StatKey = tuple[int, int, int, int, int]


def cache_folder() -> Path | None:
    """Where the caches live (``$SANDBOX_REPORT_CACHE``, else ``$XDG_CACHE_HOME/sandbox``), None when off."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sandbox"


def database_path(folder: Path, sig: str) -> Path:
    return folder / f"{PREFIX}{sig[:16]}.duckdb"


def forget_unused(folder: Path, keep: Path) -> None:
    """Remove the databases of other scans (an older sandbox's) that no report opened for ``UNUSED_DAYS``."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if (entry.name.startswith(PREFIX) and entry.path != str(keep)
                    and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                _remove(Path(entry.path))


def stat_key(path: str) -> StatKey | None:
    """The file's key (device, inode, size, mtime, ctime), None when it cannot be read."""
    try:
        st = os.stat(path)  # noqa: PTH116 - a str path on purpose: once per ledger per report
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def signature(scan_sql: str, columns_sql: str, duckdb_version: str) -> str:
    """What the kept rows depend on: the scan that made them, the engine that ran it, and the code
    of the validator that judged the lines the scan was not sure of (``acceptance``)."""
    from sandbox.compare.report import acceptance, ledgers
    from sandbox.core import events, ledger

    digest = hashlib.sha256("\n".join((str(FORMAT), duckdb_version, columns_sql, scan_sql)).encode("utf-8"))
    for module in (events, ledger, acceptance, ledgers):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


@dataclass
class Plan:
    """Which of the report's ledger files (by their index in the report) come from the cache."""

    hits: dict[int, int]  # report file index -> the cache's id for that file
    misses: list[int]  # report file indexes to parse
    keep: dict[int, StatKey]  # of the misses, the ones whose rows may be kept (not racy)


class LedgerCache:
    """The cache attached to one report's connection (as ``ALIAS``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._known: dict[str, tuple[int, StatKey]] = {}  # path -> (its id, its key)
        self._used_day: dict[int, int] = {}  # id -> the day a report last read it
        self._info: dict[int, tuple[int, str | None]] = {}  # id -> its lines, its first "created" id
        self._next_id = 1

    @classmethod
    def attach(cls, con: duckdb.DuckDBPyConnection, folder: Path, sig: str, columns_sql: str) -> LedgerCache | None:
        """The cache in ``folder`` for the scan ``sig``, attached to ``con``; None when unusable."""
        import duckdb

        path = database_path(folder, sig)
        forget_unused(folder, path)
        for attempt in range(2):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                con.execute(f"ATTACH '{_quoted(path)}' AS {ALIAS}")
                break
            except duckdb.IOException as exc:
                if "lock" in str(exc).lower():  # another report is using it: this one goes without
                    return None
                if attempt:
                    return None
                _remove(path)  # damaged, or written by a newer DuckDB: it is only a cache
            except (duckdb.Error, OSError):
                if attempt:
                    return None
                _remove(path)
        cache = cls(con)
        try:
            cache._prepare(sig, columns_sql)
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DETACH {ALIAS}")
            return None
        return cache

    def _prepare(self, sig: str, columns_sql: str) -> None:
        con = self.con
        con.execute(f"CREATE TABLE IF NOT EXISTS {ALIAS}.meta (signature VARCHAR)")
        row = con.execute(f"SELECT signature FROM {ALIAS}.meta").fetchone()
        if row is None or row[0] != sig:
            con.execute("BEGIN")
            con.execute(f"DROP TABLE IF EXISTS {ALIAS}.ev")
            con.execute(f"DROP TABLE IF EXISTS {ALIAS}.files")
            con.execute(f"DELETE FROM {ALIAS}.meta")
            con.execute(f"INSERT INTO {ALIAS}.meta VALUES ($sig)", {"sig": sig})
            con.execute(f"CREATE TABLE {ALIAS}.files (id BIGINT, path VARCHAR, dev BIGINT, ino BIGINT, "
                        "size BIGINT, mtime_ns BIGINT, ctime_ns BIGINT, used_day INTEGER, n BIGINT, created VARCHAR)")
            con.execute(f"CREATE TABLE {ALIAS}.ev (path_id BIGINT, line BIGINT, valid BOOLEAN, newer BOOLEAN, "
                        f"{columns_sql})")
            con.execute("COMMIT")
        for fid, fpath, dev, ino, size, mtime, ctime, day, n, created in con.execute(
            f"SELECT id, path, dev, ino, size, mtime_ns, ctime_ns, used_day, n, created FROM {ALIAS}.files"
        ).fetchall():
            self._known[fpath] = (int(fid), (int(dev), int(ino), int(size), int(mtime), int(ctime)))
            self._used_day[int(fid)] = int(day)
            self._info[int(fid)] = (int(n), created)
            self._next_id = max(self._next_id, int(fid) + 1)

    def plan(self, files: list[str], keys: list[StatKey | None]) -> Plan:
        """Split the report's files into those kept (same key) and those to parse."""
        racy = time.time_ns() - int(RACY_SECONDS * 1e9)
        hits: dict[int, int] = {}
        misses: list[int] = []
        keep: dict[int, StatKey] = {}
        for index, (path, key) in enumerate(zip(files, keys, strict=True)):
            known = self._known.get(path)
            if key is not None and known is not None and known[1] == key:
                hits[index] = known[0]
                continue
            misses.append(index)
            if key is not None and max(key[3], key[4]) < racy:
                keep[index] = key
        return Plan(hits, misses, keep)

    def note_hits(self, plan: Plan, table: str) -> None:
        """Each hit's line count and first "created" id into ``table`` (file, n, first_row, created)."""
        if not plan.hits:
            return
        info = [self._info[fid] for fid in plan.hits.values()]
        self.con.execute(
            f"INSERT INTO {table} SELECT unnest($file), unnest($n), 0, unnest($created)",
            {"file": list(plan.hits), "n": [i[0] for i in info], "created": [i[1] for i in info]})

    def load(self, plan: Plan, target: str, columns: list[str], placed: str) -> bool:
        """The kept rows of the plan's hits into ``target``, placed by ``placed`` (SQL over ``k``,
        the file's row of ``file_keys``, and ``{line}``); False (nothing added) when they cannot be read."""
        import duckdb

        if not plan.hits:
            return True
        con = self.con
        names = ", ".join(f'c."{n}"' for n in columns)
        try:
            con.execute("BEGIN")
            con.execute(
                "CREATE OR REPLACE TEMP TABLE cache_hits AS SELECT unnest($file) AS file, unnest($id) AS path_id",
                {"file": list(plan.hits), "id": list(plan.hits.values())})
            con.execute(
                f"INSERT INTO {target} BY NAME SELECT {placed.format(line='c.line')}, c.valid, c.newer, {names} "
                f"FROM {ALIAS}.ev c JOIN cache_hits h ON h.path_id = c.path_id JOIN file_keys k ON k.file = h.file")
            con.execute("DROP TABLE cache_hits")
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            return False
        return True

    def store(self, plan: Plan, files: list[str], source: str, columns: list[str], info: str) -> None:
        """Replace the kept rows of the parsed files that may be kept with ``source``'s rows for them
        (``file``, ``line`` within the file, ...) and ``info``'s counts; note that the hits were used
        today, and forget files unused for ``UNUSED_DAYS``. Never raises."""
        import duckdb

        today = int(time.time() // 86400)
        stale = [self._known[files[i]][0] for i in plan.misses if files[i] in self._known]
        new = {index: self._new_id() for index in plan.keep}
        con = self.con
        try:
            con.execute("BEGIN")
            if stale:
                con.execute(f"DELETE FROM {ALIAS}.ev WHERE path_id IN (SELECT unnest($ids))", {"ids": stale})
                con.execute(f"DELETE FROM {ALIAS}.files WHERE id IN (SELECT unnest($ids))", {"ids": stale})
            if new:
                keys = [plan.keep[i] for i in new]
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE cache_new AS SELECT unnest($file) AS file, unnest($id) AS path_id, "
                    "unnest($path) AS path, unnest($dev) AS dev, unnest($ino) AS ino, unnest($size) AS size, "
                    "unnest($mtime) AS mtime, unnest($ctime) AS ctime",
                    {"file": list(new), "id": list(new.values()), "path": [files[i] for i in new],
                     **{name: [k[n] for k in keys] for n, name in enumerate(("dev", "ino", "size", "mtime", "ctime"))}})
                con.execute(
                    f"INSERT INTO {ALIAS}.files SELECT c.path_id, c.path, c.dev, c.ino, c.size, c.mtime, c.ctime, "
                    f"$day, coalesce(i.n, 0), i.created FROM cache_new c LEFT JOIN {info} i ON i.file = c.file",
                    {"day": today})
                names = ", ".join(f'e."{n}"' for n in columns)
                con.execute(
                    f"INSERT INTO {ALIAS}.ev BY NAME SELECT c.path_id, e.line, e.valid, e.newer, {names} "
                    f"FROM {source} e JOIN cache_new c ON c.file = e.file")
                con.execute("DROP TABLE cache_new")
            old = [fid for fid in plan.hits.values() if self._used_day.get(fid, 0) < today]
            if old:
                con.execute(f"UPDATE {ALIAS}.files SET used_day = $day WHERE id IN (SELECT unnest($ids))",
                            {"day": today, "ids": old})
            gone = con.execute(f"SELECT id FROM {ALIAS}.files WHERE used_day < $day",
                               {"day": today - UNUSED_DAYS}).fetchall()
            if gone:
                ids = [int(g[0]) for g in gone]
                con.execute(f"DELETE FROM {ALIAS}.ev WHERE path_id IN (SELECT unnest($ids))", {"ids": ids})
                con.execute(f"DELETE FROM {ALIAS}.files WHERE id IN (SELECT unnest($ids))", {"ids": ids})
            con.execute("COMMIT")
        except duckdb.Error:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")

    def detach(self) -> None:
        import duckdb

        with contextlib.suppress(duckdb.Error):
            self.con.execute(f"DETACH {ALIAS}")

    def _new_id(self) -> int:
        fid = self._next_id
        self._next_id += 1
        return fid


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            p.unlink()
