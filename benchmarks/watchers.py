"""Which way of watching a variant folder costs least in a storm? Measured before choosing (issue 16).

Each strategy watches a fresh folder in its own process while another process creates files, and
reports the CPU the watching process spent (``getrusage``, all its threads) and the notices it
would send, medians of ``--runs`` runs:

- ``sandbox (inotify per folder)``: ``sandbox.live.watch.Watcher`` on Linux: one inotify watch per
  folder that is not ignored (``sandbox.live.inotify_tree``), so nothing inside ``node_modules``;
- ``watchdog inotify, recursive``: watchdog's native observer (what the watcher used before):
  a watch in every folder, ignored ones too, each event then filtered by the same ignore rules
  (its "notices" are the raw events left after that filter: it has no debounce of its own);
- ``sandbox, polling``: the watcher's fallback at the watch limit, which never lists an ignored
  folder (0.5 s interval).

Storms: ``--files`` files in ``node_modules/`` (ignored: should cost nothing) and ``--watched``
files in a watched ``assets/`` folder. The peer (python-livereload) is measured on the same storms
in ``benchmarks/live_reload.py``.

    python benchmarks/watchers.py [--runs 3] [--files 20000] [--watched 2000]

Takes a few minutes with the defaults (the file creation dominates); ``--runs 1 --files 5000
--watched 1000`` takes about half a minute.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import compile_package, table

STRATEGIES = ("sandbox (inotify per folder)", "watchdog inotify, recursive", "sandbox, polling")

MAKER = """
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for d in range((count + 99) // 100):
    sub = os.path.join(root, f"d{d}")
    os.makedirs(sub, exist_ok=True)
    for i in range(min(100, count - d * 100)):
        with open(os.path.join(sub, f"f{i}.js"), "w") as f:
            f.write("x")
"""


def child(strategy: str, root: Path, sub: str, count: int) -> None:
    """In the watching process: watch ``root`` with ``strategy`` while another process makes the
    files, wait until quiet, print ``{"cpu": seconds, "notices": n}``."""
    import os
    import resource
    import time

    from sandbox.core.ignore import IgnoreRules

    rules = IgnoreRules(["node_modules/"])
    notices: list[int] = []
    last = [time.monotonic()]

    def note(*_: object) -> None:
        notices.append(1)
        last[0] = time.monotonic()

    watcher: Any
    if strategy.startswith("watchdog"):
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                last[0] = time.monotonic()
                rel = os.path.relpath(os.fsdecode(event.src_path), root)
                if not rules.matches(rel, is_dir=event.is_directory):
                    notices.append(1)

        watcher = Observer()
        watcher.schedule(Handler(), str(root), recursive=True)
        watcher.start()
    else:
        from sandbox.live.watch import Watcher

        watcher = Watcher(root, note, ignore=rules, force_polling="polling" in strategy).start()
    time.sleep(0.3)
    before = resource.getrusage(resource.RUSAGE_SELF)
    subprocess.run([sys.executable, "-c", MAKER, str(root / sub), str(count)], check=True)
    last[0] = time.monotonic()
    while time.monotonic() - last[0] < 1.5:  # quiet: every event handled (polling: three rounds)
        time.sleep(0.1)
    after = resource.getrusage(resource.RUSAGE_SELF)
    watcher.stop()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"cpu": cpu, "notices": len(notices)}))


def run_once(strategy: str, sub: str, count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-watchers-") as tmp:
        root = Path(tmp) / "variant"
        root.mkdir()
        (root / "index.html").write_text("<h1>hi</h1>\n")
        out = subprocess.run(
            [sys.executable, __file__, "--child", strategy, str(root), sub, str(count)],
            capture_output=True, text=True, check=True,
        ).stdout
        result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=20_000, help="files created in the ignored node_modules/")
    parser.add_argument("--watched", type=int, default=2_000, help="files created in a watched folder")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        strategy, root, sub, count = args.child
        child(strategy, Path(root), sub, int(count))
        return 0
    compile_package()
    rows = []
    for strategy in STRATEGIES:
        row = [strategy]
        for sub, count in (("node_modules", args.files), ("assets", args.watched)):
            runs = [run_once(strategy, sub, count) for _ in range(args.runs)]
            row += [f"{statistics.median(r['cpu'] for r in runs):.2f}",
                    f"{statistics.median(r['notices'] for r in runs):.0f}"]
        rows.append(row)
        print(f"measured: {strategy}", file=sys.stderr)
    print(table(["strategy", f"{args.files:,} in node_modules/: CPU s", "notices",
                 f"{args.watched:,} in assets/: CPU s", "notices"], rows))
    print(f"\nmedians of {args.runs} runs; CPU of the watching process only (the files are made by another)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
