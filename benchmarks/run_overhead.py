"""Benchmark: the sandbox's overhead on a headless run of both real CLIs (target: at most 10% or 150 ms).

Run: ``python benchmarks/run_overhead.py [--runs 5]`` (needs ``claude`` and ``copilot`` on PATH, or
their folder in ``$SANDBOX_TEST_CLI_BIN`` as ``.ci/run`` sets it).

One throwaway workspace, one project with a ``claude-code`` and a ``copilot`` variant, one stand-in
model server (``tests/support/model_server.py``) scripting the same work for both: create a file,
edit a file, try to write outside the variant. Measured in the same run, alternately, as medians:

- ``sandbox run --all``: the whole command (Python start, fairness check, snapshot, both CLIs in
  parallel, hooks recording each edit, diff, parsing, two ledger events);
- ``confinement: off``: the same command without bubblewrap, so the confinement's own cost shows;
- ``direct``: the same two CLI commands (the very argv and environment the sandbox builds, hooks
  included) started directly in parallel on the same server, waited for together.

The overhead is ``sandbox - direct``; the target is ``max(10% of direct, 150 ms)``. Variants are reset
before every measurement so each does the same edits. The three run back to back in each round, and
the verdicts take the median of the rounds' differences (the difference of the medians is printed
too): the CLIs' own time varies by tenths of a second from round to round, more than the overhead,
and a round's difference cancels that drift. Figures are indicative on a busy machine.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import table

from sandbox.assistants import launch
from sandbox.workspace import Project, Workspace
from tests.support import model_server
from tests.support.model_server import ANTHROPIC, OPENAI, ModelServer
from tests.support.real_clis import find_clis, offline_env

VARIANTS = ("claude-code", "copilot")


def build(root: Path) -> tuple[Workspace, Project]:
    ws = Workspace(root)
    ws.new_project("Overhead", "landing-page", idea="Measure the sandbox", assistants=list(VARIANTS))
    return ws, ws.project("overhead")


def reset(project: Project, originals: dict[str, bytes]) -> None:
    for variant in VARIANTS:
        root = project.variant_dir(variant)
        (root / "index.html").write_bytes(originals[variant])
        (root / "notes.md").unlink(missing_ok=True)


def script(server: ModelServer, project: Project, originals: dict[str, bytes]) -> None:
    for api, variant in ((ANTHROPIC, "claude-code"), (OPENAI, "copilot")):
        root = project.variant_dir(variant).resolve()
        first_line = originals[variant].decode().splitlines()[0]
        server.script(api, [model_server.create(str(root / "notes.md"), "# Notes\n"),
                            model_server.edit(str(root / "index.html"), first_line, first_line + "\n<!-- edited -->"),
                            model_server.create(str(project.path.resolve() / "outside.txt"), "no\n")])


def time_sandbox(ws: Workspace, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "run", "overhead", "--all",
                           "--quiet", "--json"], env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):  # 1: the scripted write outside is denied, as it should be
        raise SystemExit(f"sandbox run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def time_direct(ws: Workspace, project: Project, env: dict[str, str], round_: int) -> float:
    procs = []
    old = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)  # the argv and environment exactly as the sandbox builds them
    try:
        commands = []
        for variant in VARIANTS:
            run_id = f"direct-{round_}-{variant}"
            usage = launch.usage_file_path(project, run_id)
            usage.parent.mkdir(parents=True, exist_ok=True)
            assistant = launch.assistant_for(ws, variant)
            argv, _ = launch.headless_argv(ws, project, variant, launch.default_prompt(assistant, project),
                                           usage_file=usage)
            commands.append((argv, launch.assistant_env(ws, project, variant, run_id), project.variant_dir(variant)))
    finally:
        os.environ.clear()
        os.environ.update(old)
    started = time.perf_counter()
    for argv, run_env, cwd in commands:
        procs.append(subprocess.Popen(argv, cwd=cwd, env=run_env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
    for proc in procs:
        proc.wait(timeout=600)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    clis = find_clis()
    with tempfile.TemporaryDirectory(prefix="sandbox-bench-") as tmp, ModelServer() as server:
        root = Path(tmp) / "ws"
        root.mkdir()
        ws, project = build(root)
        originals = {v: (project.variant_dir(v) / "index.html").read_bytes() for v in VARIANTS}
        script(server, project, originals)
        env = offline_env(clis, Path(tmp) / "home", server.url)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
        ours: list[float] = []
        direct: list[float] = []
        unconfined: list[float] = []
        settings = root / "sandbox.yaml"
        for round_ in range(-1, args.runs):  # one warm-up round of each (first start of the CLIs fills caches)
            reset(project, originals)
            a = time_direct(ws, project, env, round_)
            reset(project, originals)
            b = time_sandbox(ws, env)
            reset(project, originals)
            settings.write_text("confinement: off\n")  # the same run without bubblewrap: what confinement costs
            c = time_sandbox(ws, env)
            settings.unlink()
            if round_ >= 0:
                direct.append(a)
                ours.append(b)
                unconfined.append(c)
        shutil.rmtree(project.path / ".sandbox" / "runs", ignore_errors=True)
    med_direct, med_ours = statistics.median(direct), statistics.median(ours)
    overhead = med_ours - med_direct
    allowed = max(0.10 * med_direct, 0.150)
    print(table(
        ["what", "median (s)", "min (s)", "max (s)"],
        [["both CLIs started directly, in parallel", f"{med_direct:.3f}", f"{min(direct):.3f}", f"{max(direct):.3f}"],
         ["sandbox run --all", f"{med_ours:.3f}", f"{min(ours):.3f}", f"{max(ours):.3f}"],
         ["sandbox run --all, confinement: off", f"{statistics.median(unconfined):.3f}", f"{min(unconfined):.3f}",
          f"{max(unconfined):.3f}"]],
    ))
    # Each round runs the three back to back, so a round's differences cancel the machine's drift
    # (the CLIs' own time varies by +-0.4 s from round to round): the verdicts use their medians.
    paired = statistics.median(b - a for a, b in zip(direct, ours, strict=True))
    confined = statistics.median(b - c for b, c in zip(ours, unconfined, strict=True))
    print(f"\nconfinement costs {confined * 1000:.0f} ms per `run --all` at the median of the rounds' differences "
          f"({(med_ours - statistics.median(unconfined)) * 1000:.0f} ms between the medians): "
          f"{confined * 500:.0f} ms per confined run; target at most 50 ms per run: "
          f"{'within' if confined / 2 <= 0.050 else 'over'}")
    verdict = "within" if paired <= allowed else "over"
    print(f"\noverhead {paired * 1000:.0f} ms ({paired / med_direct:+.1%}) at the median of the rounds' differences "
          f"({overhead * 1000:.0f} ms between the medians); target at most {allowed * 1000:.0f} ms: {verdict} "
          f"({args.runs} runs each, Claude Code and Copilot CLI on the stand-in model server)")
    return 0 if paired <= allowed else 1


if __name__ == "__main__":
    sys.exit(main())
