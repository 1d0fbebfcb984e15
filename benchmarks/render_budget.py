"""What the render budget (issue 12) costs: a forked, limited child per render instead of rendering in process.

Times in the same run:
  * the mechanism alone: `render_template` of a shipped template with the budget's child, and the
    same render in this process (``budget.ISOLATED`` off: no child, only the output size counted);
  * whole process: `sandbox new` of this checkout next to `sandbox new` of an earlier commit (default
    ed24765, the commit before the budget), alternating runs, one warm-up each, median of --runs.
    The earlier commit is exported with `git archive` into a temporary folder and put first on
    PYTHONPATH, so both use the same interpreter and libraries. Byte-code caching is left on for
    both (a user's install has its .pyc files), whatever PYTHONDONTWRITEBYTECODE says here.

Run: python benchmarks/render_budget.py [--template landing-page] [--runs 9] [--before ed24765]
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms, table, time_call, time_process

from sandbox.make import budget
from sandbox.make.catalog import validate_answers
from sandbox.make.render import render_template, template_context
from sandbox.workspace import Workspace

HERE = Path(__file__).resolve().parents[1]
PROJECT = {"title": "Expense approvals", "slug": "expense-approvals", "idea": "Managers approve expenses",
           "audience": "Team leads", "success": "Approve in 10 seconds", "category": "finance"}


def mechanism(template_name: str, runs: int, scratch: Path) -> list[list[object]]:
    ws = Workspace(scratch)
    template = ws.template(template_name)
    context = template_context(template, PROJECT, validate_answers(template, {}))
    rows: list[list[object]] = []
    for isolated, label in ((True, "render in a limited child (after)"), (False, "render in process (before)")):
        budget.ISOLATED = isolated
        try:
            samples = time_call(lambda: render_template(template, context), runs, warmup=2)
        finally:
            budget.ISOLATED = hasattr(os, "fork")
        rows.append([label, f"{median_ms(samples):.1f} ms", f"{min(samples) * 1000:.1f} ms"])
    return rows


def _same(argv: list[str], _run: int) -> list[str]:
    return argv


def whole_process(template_name: str, runs: int, before: str, scratch: Path) -> list[list[object]]:
    old_tree = scratch / "before"
    old_tree.mkdir()
    archive = subprocess.run(["git", "-C", str(HERE), "archive", before], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old_tree)], input=archive, check=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    trees = {f"sandbox new, before ({before})": old_tree, "sandbox new, after (this checkout)": HERE}
    samples: dict[str, list[float]] = {label: [] for label in trees}
    for i in range(-1, runs):  # alternating, so a load change on a busy machine hits both alike
        for label, tree in trees.items():
            target = scratch / f"{tree.name}-{i + 1}"
            target.mkdir()
            argv = [sys.executable, "-m", "sandbox", "--workspace", str(target), "new", PROJECT["title"],
                    "-t", template_name]
            took = time_process(functools.partial(_same, argv), 1, warmup=0, env={**env, "PYTHONPATH": str(tree)},
                                cwd=scratch)
            if i >= 0:  # run -1 is the warm-up (writes the .pyc files)
                samples[label] += took
    rows: list[list[object]] = [
        [label, f"{median_ms(values):.0f} ms", f"{min(values) * 1000:.0f} ms"] for label, values in samples.items()
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="landing-page")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--before", default="ed24765", help="the commit to compare with (before the budget)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        rows = mechanism(args.template, args.runs * 2, scratch)
        rows += whole_process(args.template, args.runs, args.before, scratch)
    print(table(["what", "median", "min"], rows))


if __name__ == "__main__":
    main()
