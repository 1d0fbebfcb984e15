"""How fast does ``sandbox`` (the TUI) show its first frame, and how much memory does it take?

Whole-process measurements, each in a fresh interpreter, medians of ``--runs`` runs (default 7):

- ``import textual.app``: the floor any Textual app pays, measured in the same run;
- the app with an empty workspace and with 1,000 projects, until the first frame
  (``SANDBOX_EXIT_AFTER_FIRST_FRAME=1``: the app runs headless and exits right after the home
  screen's first refresh);
- with 1,000 projects until the project list is loaded and shown (``...=projects``): the list is
  read in a worker after the first frame, so this is when the table is filled.

Peak RSS per process comes from ``os.wait4`` (the child's own rusage, ``ru_maxrss``).
Targets: first frame under 1.0 s with 1,000 projects; peak RSS under 150 MB.

    python benchmarks/tui_startup.py [--runs 7] [--projects 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import table

TEMPLATE = """\
title: Bench page
description: A tiny page for benchmarks
category: bench
entry: index.html
questions:
  - name: headline
    type: str
    default: Hello
"""


def make_workspace(root: Path, projects: int) -> Path:
    """A workspace with ``projects`` projects created through the core API (fsync skipped: test data)."""
    from sandbox.core import ledger
    from sandbox.workspace import Workspace

    (root / "templates" / "bench" / "files").mkdir(parents=True)
    (root / "templates" / "bench" / "template.yaml").write_text(TEMPLATE)
    (root / "templates" / "bench" / "files" / "index.html.j2").write_text("<h1>{{ vars.headline }}</h1>\n")
    (root / "projects").mkdir()
    ws = Workspace(root)
    real_fsync = os.fsync
    os.fsync = lambda fd: None
    try:
        for i in range(projects):
            created = ws.new_project(f"Idea number {i}", "bench", idea="A benchmark idea.", category=f"c{i % 7}")
            project = ws.project(created.slug)
            ledger.append(project.ledger_path, ledger.RATING, project=created.slug, variant="claude-code",
                          scores={"works": 1 + i % 5})
    finally:
        os.fsync = real_fsync
    return root


def measure(argv: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and peak RSS (MB) of ``runs`` runs after one warm-up."""
    seconds, peaks = [], []
    for i in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{err[-2000:]}")
        if i == 0:
            continue  # warm-up: page cache, .pyc files
        seconds.append(elapsed)
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
    return seconds, peaks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--projects", type=int, default=1000)
    args = parser.parse_args()

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    rows = []
    with tempfile.TemporaryDirectory(prefix="sandbox-tui-bench-") as tmp:
        empty = make_workspace(Path(tmp) / "empty", 0)
        started = time.perf_counter()
        full = make_workspace(Path(tmp) / "full", args.projects)
        print(f"created {args.projects} projects in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        from sandbox.workspace import Workspace

        ws = Workspace(full)
        started = time.perf_counter()
        listed = ws.list_projects()
        list_seconds = time.perf_counter() - started
        assert len(listed) == args.projects

        cases = [
            ("python -c 'import textual.app'", [sys.executable, "-c", "import textual.app"], {}),
            ("sandbox, empty workspace: first frame", [sys.executable, "-m", "sandbox", "--workspace", str(empty)],
             {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "1"}),
            (f"sandbox, {args.projects} projects: first frame",
             [sys.executable, "-m", "sandbox", "--workspace", str(full)], {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "1"}),
            (f"sandbox, {args.projects} projects: list shown",
             [sys.executable, "-m", "sandbox", "--workspace", str(full)],
             {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "projects"}),
        ]
        for name, argv, extra in cases:
            seconds, peaks = measure(argv, {**base_env, **extra}, args.runs)
            rows.append((
                name,
                f"{statistics.median(seconds) * 1000:.0f}",
                f"{min(seconds) * 1000:.0f}-{max(seconds) * 1000:.0f}",
                f"{statistics.median(peaks):.1f}",
            ))
    print(table(("case", "median ms", "range ms", "peak RSS MB"), rows))
    print()
    print(f"Workspace.list_projects() with {args.projects} projects, in process: {list_seconds * 1000:.0f} ms")
    print(f"runs per case: {args.runs} (after one warm-up); python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
