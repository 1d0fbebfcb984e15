"""Benchmark: what confining an assistant costs per run (target: at most 50 ms per run).

Run: ``python benchmarks/confine_overhead.py [--runs 15]``

Times, as medians of ``--runs`` runs, starting and waiting for a stand-in assistant
(``python -c pass``, the cheapest real program) plainly and inside the confinement a headless run
gets (``confine.Jail.command``: ``env`` + bubblewrap with its mounts, PID namespace and
``--die-with-parent``), and the probe ``confine.available`` makes once per ``sandbox`` process
(bubblewrap starting ``true``). The cost of one ``sandbox run`` of one assistant is the wrapper's
extra time plus the probe; a batch of several assistants pays the probe once.

The issue-10 helper's ``benchmarks/run_overhead.py`` measures a whole run; the lead merges this
row into it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms, table, time_call

from sandbox.assistants import confine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    mode = confine.available()
    if mode.mechanism != confine.BUBBLEWRAP:
        print(f"no bubblewrap here: {mode.reason}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("ws/projects/p/variants/a", "ws/projects/p/.sandbox/scratch/s"):
            (root / name).mkdir(parents=True)
        jail = confine.Jail(mode=mode, variant=root / "ws/projects/p/variants/a",
                            scratch=root / "ws/projects/p/.sandbox/scratch/s", workspace=root / "ws",
                            home=tuple(confine.home_folders("claude-code", root / "home")))
        plain = [sys.executable, "-c", "pass"]
        wrapped = jail.command(plain)

        def run(argv: list[str]) -> None:
            subprocess.run(argv, check=True, capture_output=True, cwd=jail.variant)

        probe = time_call(confine.available.__wrapped__, args.runs)
        without = time_call(lambda: run(plain), args.runs)
        inside = time_call(lambda: run(wrapped), args.runs)
        true = shutil.which("true") or "/bin/true"
        bare_true = time_call(lambda: run([true]), args.runs)
    extra = median_ms(inside) - median_ms(without)
    best = (min(inside) - min(without)) * 1000

    def row(what: str, samples: list[float]) -> list[str]:
        return [what, f"{median_ms(samples):.1f}", f"{min(samples) * 1000:.1f}"]

    rows = [
        row("stand-in assistant, plain", without),
        row("stand-in assistant, confined", inside),
        ["confinement per run (difference)", f"{extra:.1f}", f"{best:.1f}"],
        row("probe, once per sandbox command", probe),
        ["one `sandbox run` of one assistant (difference + probe)", f"{extra + median_ms(probe):.1f}",
         f"{best + min(probe) * 1000:.1f}"],
        row("peer: `true`, plain", bare_true),
    ]
    # The fastest run is what a quiet machine gives; the median is what this machine gave now.
    print(table([f"what ({args.runs} runs)", "median ms", "fastest ms"], rows))
    return 0 if extra + median_ms(probe) <= 50 else 1


if __name__ == "__main__":
    sys.exit(main())
