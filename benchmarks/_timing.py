"""Shared timing helpers for the benchmark scripts: medians, percentiles and a plain table."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def time_call(fn: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Seconds per call of ``fn`` over ``runs`` calls after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def time_process(
    argv_for_run: Callable[[int], Sequence[str]], runs: int, warmup: int = 1, **kwargs: object
) -> list[float]:
    """Whole-process wall time; ``argv_for_run(i)`` gives the command of run ``i`` (fresh targets)."""
    samples = []
    for i in range(-warmup, runs):
        argv = list(argv_for_run(i))
        started = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr[-2000:]}")
        if i >= 0:
            samples.append(elapsed)
    return samples


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, so the output pastes straight into a closing note."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=False)) + " |"]
    lines.append("| " + " | ".join("-" * w for w in widths) + " |")
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + " |" for row in cells[1:]]
    return "\n".join(lines)


def compile_package() -> None:
    """Write the sandbox package's bytecode, as ``pip install`` does for every user.

    Why: an editable install run with ``PYTHONDONTWRITEBYTECODE=1`` (as on the shared machines)
    compiles every sandbox module from source in every process, while the peers (Textual, Copier,
    Cookiecutter, installed from wheels) load their bytecode; whole-process figures would charge
    sandbox for a cost no installed copy pays."""
    import compileall
    from pathlib import Path

    import sandbox

    compileall.compile_dir(str(Path(sandbox.__file__).parent), quiet=1)
