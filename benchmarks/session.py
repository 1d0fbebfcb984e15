"""Benchmark: start and end a session on a 2,000-file variant (target: each under 300 ms).

Run: ``/work/venv/bin/python benchmarks/session.py [--files 2000] [--runs 7]``

Builds a throwaway workspace with one project whose ``claude-code`` variant holds ``--files``
text files (about 40 lines each, in nested folders), ages their mtimes by an hour (a variant
between sessions; files touched in the last second are "racy" and always re-hashed, see
sandbox/sessions.py), and times, as medians of ``--runs`` runs:

- ``start``: snapshot (hash + line count of every file, compressed pack) + ledger append;
- ``end (no change)``: re-scan, reuse unchanged hashes, diff, ledger append;
- ``end (20 files edited)``: the same with 20 edited files whose lines are diffed;
- ``end (fresh tree)``: worst case, every file modified within the last second, so all re-hashed.

Peers measured in the same run on the same tree: ``git status --porcelain`` (a scan against
git's index, the same job as ending a session), ``git add -A`` after 20 edits (hash the changed
files), and ``git add -A`` into an empty index (hash every file, the same job as starting a
session). Ratios are ours / peer.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import table

from sandbox.assistants import sessions
from sandbox.workspace import Project, Workspace


def build(root: Path, files: int) -> tuple[Workspace, Project, Path]:
    ws = Workspace(root)
    ws.new_project("Bench", "landing-page", assistants=["claude-code"])
    project = ws.project("bench")
    variant = project.variant_dir("claude-code")
    existing = sum(1 for p in variant.rglob("*") if p.is_file())
    for i in range(files - existing):
        folder = variant / "src" / f"module{i % 40:02d}" / f"part{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        body = "".join(f"export const value{i}_{n} = {n * i};  // line {n} of a component\n" for n in range(40))
        (folder / f"file{i:04d}.js").write_text(body)
    return ws, project, variant


def age(variant: Path, seconds: float = 3600) -> None:
    old = time.time_ns() - int(seconds * 1e9)
    for dirpath, _, names in os.walk(variant):
        for name in names:
            os.utime(os.path.join(dirpath, name), ns=(old, old))


def timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples)


def git(variant: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@x", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", *args], cwd=variant, env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (at least 5, for a median)")
    args = parser.parse_args()
    runs = max(5, args.runs)
    tmp = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    try:
        _ws, project, variant = build(tmp / "ws", args.files)
        count = sum(1 for p in variant.rglob("*") if p.is_file())
        age(variant)
        starts, ends, ends_edit, ends_fresh = [], [], [], []
        for _ in range(runs):
            starts.append(timed(lambda: sessions.start_session(project, "claude-code")))
            ends.append(timed(lambda: sessions.end_session(project, "claude-code")))
        edited = sorted(variant.rglob("*.js"))[:20]
        for r in range(runs):
            sessions.start_session(project, "claude-code")
            for path in edited:
                with open(path, "a") as handle:
                    handle.write(f"// edit {r}\n")
            ends_edit.append(timed(lambda: sessions.end_session(project, "claude-code")))
        age(variant)
        for _ in range(runs):
            sessions.start_session(project, "claude-code")
            now = time.time_ns()
            for dirpath, _, names in os.walk(variant):
                for name in names:
                    os.utime(os.path.join(dirpath, name), ns=(now, now))
            ends_fresh.append(timed(lambda: sessions.end_session(project, "claude-code")))
        age(variant)

        git(variant, "init", "-q")
        git(variant, "add", "-A")
        git(variant, "commit", "-q", "-m", "base")
        statuses = [timed(lambda: git(variant, "status", "--porcelain")) for _ in range(runs)]
        full_adds = []
        for _ in range(runs):
            (variant / ".git" / "index").unlink()
            full_adds.append(timed(lambda: git(variant, "add", "-A")))
        adds = []
        for r in range(runs):
            for path in edited:
                with open(path, "a") as handle:
                    handle.write(f"// git edit {r}\n")
            adds.append(timed(lambda: git(variant, "add", "-A")))

        start_ms, end_ms = median_ms(starts), median_ms(ends)
        status_ms = median_ms(statuses)
        print(f"variant: {count} files, {runs} runs each, medians (min-max)\n")
        full_ms = median_ms(full_adds)
        rows = [
            ("start session", starts, "git add -A, empty index (hash all)", full_adds),
            ("end session (no change)", ends, "git status --porcelain", statuses),
            ("end session (20 files edited)", ends_edit, "git add -A (20 files edited)", adds),
            ("end session (fresh tree, all re-hashed)", ends_fresh, "git add -A, empty index (hash all)", full_adds),
        ]

        def spread(samples: list[float]) -> str:
            return f"{median_ms(samples):.1f} ({min(samples):.1f}-{max(samples):.1f})"

        print(table(
            ["sandbox", "ms", "peer, same run", "peer ms", "ratio"],
            [(ours, spread(mine), peer, spread(theirs), f"{median_ms(mine) / median_ms(theirs):.2f}x")
             for ours, mine, peer, theirs in rows],
        ))
        print()
        for what, ratio, peer in ((("session start", start_ms / full_ms, "git add -A into an empty index"),
                                   ("session end, no change", end_ms / status_ms, "git status"))):
            print(f"target {what} <= 1.0x {peer} (issue 16): {'met' if ratio <= 1.0 else 'MISSED'} ({ratio:.2f}x)")
        target = 300.0
        ok = all(median_ms(s) < target for s in (starts, ends, ends_edit, ends_fresh))
        print(f"target (start and end under {target:.0f} ms): {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
