"""A throwaway PostgreSQL server for the tests: its own cluster in a temporary folder, on 127.0.0.1.

Why a real server: the sync's promises (each event once from sixteen writers at once, a killed sync
resumed) are promises about PostgreSQL's locking and transactions, which no fake keeps. ``.ci/run``
installs the Debian package; the binaries are found with ``pg_config`` or under /usr/lib/postgresql.
When they are missing the tests fail, never skip. As root, the server runs as the ``postgres`` user
(initdb refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def bindir() -> Path:
    """Where initdb and pg_ctl are; an AssertionError naming the fix when nowhere."""
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out and (Path(out) / "initdb").is_file():
            return Path(out)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    raise AssertionError("PostgreSQL server binaries are missing: apt-get install postgresql (.ci/run does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[str]:
    """Start a cluster; yields the address of its ``postgres`` database (user ``sandbox``, trust)."""
    bins = bindir()
    root = Path(tempfile.mkdtemp(prefix="sandbox-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*argv: str) -> None:
        subprocess.run([*as_user, *argv], check=True, capture_output=True, text=True, cwd=root)

    try:
        run(str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", "sandbox", "-E", "UTF8", "--no-sync")
        options = f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        run(str(bins / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        try:
            yield f"postgresql://sandbox@127.0.0.1:{port}/postgres"
        finally:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def new_database(server_url: str, name: str) -> str:
    """A fresh empty database on the server; its address."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
