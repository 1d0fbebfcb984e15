"""How fast does ``sandbox`` (the TUI) show its first frame and its project list, and how much memory?

Whole-process measurements, each in a fresh interpreter, medians of ``--runs`` runs (default 7):

- ``import textual.app``: the floor any Textual app pays, measured in the same run (the peer);
- the app with an empty workspace and with ``--projects`` projects, until the first frame
  (``SANDBOX_EXIT_AFTER_FIRST_FRAME=1``: the app runs headless and exits right after the home
  screen's first refresh);
- with ``--projects`` and ``--many`` projects, until the project list is loaded and shown
  (``...=projects``): the list is read in a worker after the first frame; the summary cache was
  filled by an earlier launch (as on any launch but the very first), and a cold row (no cache)
  shows what the first launch costs.

Peak RSS per process comes from ``os.wait4`` (the child's own rusage, ``ru_maxrss``).
Targets (issue 16): first frame <= 1.3x bare ``import textual.app``; 1,000 projects listed <= 400 ms
from launch; 10,000 projects listed <= 2 s.

    python benchmarks/tui_startup.py [--runs 7] [--projects 1000] [--many 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import compile_package, table

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
    """A workspace with ``projects`` projects: one made through the core API, the others copies of
    it with their own slug, title, category, event ids and a rating (fast enough for 10,000)."""
    from sandbox.core import ledger
    from sandbox.workspace import Workspace

    (root / "templates" / "bench" / "files").mkdir(parents=True)
    (root / "templates" / "bench" / "template.yaml").write_text(TEMPLATE)
    (root / "templates" / "bench" / "files" / "index.html.j2").write_text("<h1>{{ vars.headline }}</h1>\n")
    (root / "projects").mkdir()
    if not projects:
        return root
    ws = Workspace(root)
    created = ws.new_project("Idea number 0", "bench", idea="A benchmark idea.", category="c0")
    first = ws.project(created.slug)
    ledger.append(first.ledger_path, ledger.RATING, project=created.slug, variant="claude-code", scores={"works": 1})
    spec = first.spec_path.read_text()
    events = [json.loads(line) for line in first.ledger_path.read_text().splitlines()]
    for i in range(1, projects):
        slug = f"idea-number-{i}"
        target = root / "projects" / slug
        shutil.copytree(first.path, target, symlinks=True)
        (target / "project.yaml").write_text(
            spec.replace(created.slug, slug).replace("Idea number 0", f"Idea number {i}").replace("c0", f"c{i % 7}")
        )
        lines = []
        for event in events:
            copy = {**event, "id": uuid.uuid4().hex, "project": slug}
            if copy.get("kind") == ledger.RATING:
                copy["scores"] = {"works": 1 + i % 5}
            lines.append(json.dumps(copy, separators=(",", ":")) + "\n")
        (target / "ledger.jsonl").write_text("".join(lines))
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
    parser.add_argument("--many", type=int, default=10000, help="a second, bigger workspace (0: skip)")
    args = parser.parse_args()

    from sandbox.core.summary_cache import RACY_SECONDS
    from sandbox.workspace import SUMMARY_CACHE, Workspace

    compile_package()  # as installed: bytecode written once, not compiled in every process
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
    rows: list[tuple[str, str, str, str, str]] = []
    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sandbox-tui-bench-") as tmp:
        empty = make_workspace(Path(tmp) / "empty", 0)
        started = time.perf_counter()
        full = make_workspace(Path(tmp) / "full", args.projects)
        many = make_workspace(Path(tmp) / "many", args.many) if args.many else None
        print(f"created the workspaces in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        time.sleep(RACY_SECONDS + 0.1)  # older than the racy margin, as projects are between launches

        in_process = []
        for root in (full, many):
            if root is None:
                continue
            (root / "projects" / SUMMARY_CACHE).unlink(missing_ok=True)
            began = time.perf_counter()
            count = len(Workspace(root).list_projects())  # cold: the very first launch
            cold = time.perf_counter() - began
            began = time.perf_counter()
            Workspace(root).list_projects()  # warm: every launch after it
            in_process.append((count, cold, time.perf_counter() - began))

        app = [sys.executable, "-m", "sandbox", "--workspace"]
        cases = [
            ("peer: python -c 'import textual.app'", [sys.executable, "-c", "import textual.app"], {}),
            ("sandbox, empty workspace: first frame", [*app, str(empty)], {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "1"}),
            (f"sandbox, {args.projects:,} projects: first frame", [*app, str(full)],
             {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "1"}),
            (f"sandbox, {args.projects:,} projects: list shown", [*app, str(full)],
             {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "projects"}),
        ]
        if many is not None:
            cases.append((f"sandbox, {args.many:,} projects: list shown", [*app, str(many)],
                          {"SANDBOX_EXIT_AFTER_FIRST_FRAME": "projects"}))
        for name, argv, extra in cases:
            seconds, peaks = measure(argv, {**base_env, **extra}, args.runs)
            medians[name] = statistics.median(seconds)
            floor = medians[cases[0][0]]
            rows.append((
                name,
                f"{statistics.median(seconds) * 1000:.0f}",
                f"{min(seconds) * 1000:.0f}-{max(seconds) * 1000:.0f}",
                f"{statistics.median(seconds) / floor:.2f}x",
                f"{statistics.median(peaks):.1f}",
            ))
        if many is not None:  # the first launch of all: no summary cache yet
            (many / "projects" / SUMMARY_CACHE).unlink(missing_ok=True)
            seconds, peaks = measure([*app, str(many)], {**base_env, "SANDBOX_EXIT_AFTER_FIRST_FRAME": "projects"}, 1)
            rows.append((f"sandbox, {args.many:,} projects: list shown, first launch (cold cache)",
                         f"{seconds[0] * 1000:.0f}", "-", f"{seconds[0] / medians[cases[0][0]]:.2f}x",
                         f"{peaks[0]:.1f}"))
    print(table(("case", "median ms", "range ms", "vs import textual.app", "peak RSS MB"), rows))
    print()
    for count, cold, warm in in_process:
        print(f"Workspace.list_projects() with {count:,} projects, in process: {cold * 1000:.0f} ms without the "
              f"summary cache, {warm * 1000:.0f} ms with it")
    print(f"runs per case: {args.runs} (after one warm-up); python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    first = medians[cases[2][0]] / medians[cases[0][0]]
    print(f"target first frame <= 1.3x import textual.app: {'met' if first <= 1.3 else 'NOT met'} ({first:.2f}x)")
    shown = medians[cases[3][0]] * 1000
    verdict = "met" if shown <= 400 else "NOT met"
    print(f"target {args.projects:,} projects listed <= 400 ms: {verdict} ({shown:.0f} ms)")
    if many is not None:
        shown_many = medians[cases[4][0]]
        print(f"target {args.many:,} projects listed <= 2 s: {'met' if shown_many <= 2 else 'NOT met'} "
              f"({shown_many:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
