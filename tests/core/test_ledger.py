"""The ledger survives concurrency, crashes and git union merges."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sandbox.core import ledger

APPENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sandbox.core import ledger
    path, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for n in range(count):
        ledger.append(path, "change", by=who, n=n, files=["index.html"] * (n % 7))
    """
)


def test_eight_processes_appending_500_each_leave_4000_whole_lines(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    procs = [
        subprocess.Popen([sys.executable, "-c", APPENDER, str(path), f"w{i}", "500"]) for i in range(8)
    ]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    events = [json.loads(line) for line in lines[:-1]]
    assert len(events) == 4000
    assert len({e["id"] for e in events}) == 4000
    for writer in range(8):
        mine = [e["n"] for e in events if e["by"] == f"w{writer}"]
        assert mine == list(range(500)), "each writer's events are whole and in order"
    read = ledger.read(path)
    assert len(read.events) == 4000 and not read.problems


KILLED_WRITER = textwrap.dedent(
    """
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b'{"id": "torn", "kind": "cha')
    print("wrote", flush=True)
    time.sleep(60)
    """
)


def test_a_writer_killed_mid_line_does_not_stop_later_appends(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    first = ledger.append(path, "created", project="p")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "wrote"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    started = time.monotonic()
    later = ledger.append(path, "rating", project="p")
    assert time.monotonic() - started < 5, "the dead writer's lock is gone"
    read = ledger.read(path)
    assert [e["id"] for e in read.events] == [first["id"], later["id"]]
    assert len(read.problems) == 1 and read.problems[0].line == 2 and ":2:" in str(read.problems[0])
    assert path.read_bytes().endswith(b"\n")


def test_read_skips_a_torn_last_line_and_deduplicates(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    a = ledger.new_event("created", project="p")
    b = ledger.new_event("vote", project="p", winner="A")
    line_a, line_b = json.dumps(a), json.dumps(b)
    # what a git union merge of two clones can produce: shared history repeated, then each side's lines
    path.write_text(f"{line_a}\n{line_b}\n{line_a}\n{line_b}\n" + '{"id": "x", "ki')
    read = ledger.read(path)
    assert [e["id"] for e in read.events] == [a["id"], b["id"]]
    assert read.duplicates == 2 and len(read.problems) == 1


def test_events_have_id_time_kind_schema(tmp_path: Path) -> None:
    event = ledger.append(tmp_path / "l.jsonl", "rating", project="p", variant="copilot", scores={"looks": 4})
    assert set(event) >= {"id", "at", "kind", "schema", "project", "variant"}
    assert event["at"].endswith("Z") and ledger.parse_time(event["at"]).tzinfo is not None
    assert ledger.read(tmp_path / "l.jsonl").events == [event]


def test_missing_ledger_reads_empty(tmp_path: Path) -> None:
    assert ledger.read(tmp_path / "none.jsonl").events == []


def test_ledger_file_is_only_ever_appended(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    ledger.append(path, "created")
    inode = os.stat(path).st_ino
    before = path.read_bytes()
    ledger.append(path, "rating")
    assert os.stat(path).st_ino == inode and path.read_bytes().startswith(before)
