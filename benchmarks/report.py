"""How long does the report take for an organisation, from ledgers, from exports, into PostgreSQL?

For each size in --sizes (default 200,000, 1,000,000 and 10,000,000 events) it generates teams'
workspaces of 200,000 events each (2,000 projects; one workspace at 200,000) with a realistic mix:
created, rendered, sessions, change batches (most of the volume), headless runs, ratings, compare and
vote events, from four assistants over six categories and six templates; about 1% of lines are
repeated (as a git union merge leaves them) and a few are torn.

Then times, in the same run, as whole processes (one warm-up, median of --runs; one run at 10M):
  * `sandbox report --format json` over the teams (the workspace itself at 200,000; the others
    with --from): the DuckDB engine, statistics, bootstrap, JSON out; three ways: the first report
    (nothing kept: SANDBOX_REPORT_CACHE=off, as on a new machine), the same report again (the
    parsed lines and the bootstrap results kept by the first), and a report right after one more
    vote landed in one project (only that ledger is parsed again, only its slices' bootstrap rerun);
  * the old pure-Python report over the same ledgers (tests/compare/report/reference_fold.py, the
    fold the report used before, and the same summary, nothing kept), where it finishes in 10 min;
  * `sandbox report --from EXPORTS` over the teams' Parquet exports;
  * `sandbox sync` of the events into a local PostgreSQL (--sync-size, default 1,000,000; a
    throwaway server of tests/support/postgres.py unless --postgres URL), once.
Peak memory is each process's maximum resident set. Targets (two cores): 200k <= 0.4 s and >= 4x the
old report; 1M <= 3 s; 10M from ledgers <= 25 s and from Parquet <= 5 s; memory <= 2 GB; sync of
1M <= 60 s.

Run: python benchmarks/report.py [--sizes 200000,1000000] [--runs 5] [--sync-size 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sandbox.compare.report import ledger_cache
from sandbox.core.summary_cache import RACY_SECONDS

REPO = Path(__file__).resolve().parent.parent
TEAM_EVENTS = 200_000
TEAM_PROJECTS = 2_000
OLD_LIMIT = 10_000_000  # the old report takes 30-45 s per million events here: 10 million fit in its 10 minutes

ASSISTANTS = ("claude-code", "copilot", "codex", "cursor")
STRENGTH = {"claude-code": 1.6, "copilot": 1.0, "codex": 1.2, "cursor": 0.8}
CATEGORIES = ("marketing", "product", "internal-tools", "research", "finance", "support")
TEMPLATES = ("landing-page", "clickable-mockup", "crud-app", "dashboard", "form-survey", "chat-assistant")
CRITERIA = ("matches-idea", "looks-right", "works", "easy-to-change", "show-users")


def _at(base: datetime, minutes: float) -> str:
    return (base + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _event(kind: str, at: str, slug: str, **fields: object) -> dict[str, object]:
    return {
        "id": uuid.UUID(int=random.getrandbits(128)).hex,
        "at": at,
        "kind": kind,
        "schema": 1,
        "project": slug,
        **fields,
    }


def project_events(slug: str, count: int, rng: random.Random) -> list[dict[str, object]]:
    """``count`` plausible events for one project."""
    assistants = rng.sample(ASSISTANTS, rng.choice((2, 2, 3, 4)))
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 300))
    t = 0.0
    events = [
        _event(
            "created",
            _at(base, t),
            slug,
            title=f"Idea {slug}",
            template=rng.choice(TEMPLATES),
            category=rng.choice(CATEGORIES),
            assistants=assistants,
            files=12,
            by="bench",
        )
    ]
    while len(events) < count:
        t += rng.uniform(0.5, 20)
        at = _at(base, t)
        variant = rng.choice(assistants)
        roll = rng.random()
        if roll < 0.50:
            events.append(
                _event(
                    "change",
                    at,
                    slug,
                    variant=variant,
                    assistant=variant,
                    files=["index.html", "app.js"][: rng.randint(1, 2)],
                    added=rng.randint(0, 80),
                    removed=rng.randint(0, 30),
                    by="bench",
                )
            )
        elif roll < 0.58:
            events.append(_event("session_started", at, slug, variant=variant, assistant=variant, by="bench"))
            events.append(
                _event(
                    "session_ended",
                    _at(base, t + 12),
                    slug,
                    variant=variant,
                    assistant=variant,
                    seconds=rng.uniform(60, 3600),
                    by="bench",
                )
            )
        elif roll < 0.63:
            ok = rng.random() < 0.85
            result = (
                {"total_cost_usd": round(rng.uniform(0.01, 1.5), 4), "duration_ms": rng.randint(5000, 300000)}
                if variant == "claude-code"
                else None
            )
            events.append(
                _event(
                    "run",
                    at,
                    slug,
                    variant=variant,
                    assistant=variant,
                    exit_code=0 if ok else 1,
                    seconds=rng.uniform(5, 300),
                    timed_out=False,
                    result=result,
                    by="bench",
                )
            )
        elif roll < 0.78:
            lift = STRENGTH[variant]
            scores = {c: max(1, min(5, round(rng.gauss(2.6 + lift, 0.9)))) for c in CRITERIA}
            events.append(
                _event(
                    "rating",
                    at,
                    slug,
                    variant=variant,
                    assistant=variant,
                    scores=scores,
                    minutes=rng.randint(1, 30),
                    note="",
                    by="bench",
                )
            )
        elif roll < 0.80:
            events.append(_event("rendered", at, slug, files=["index.html"], conflicts=[], by="bench"))
        elif len(assistants) >= 2:
            a, b = rng.sample(assistants, 2)
            comparison = uuid.UUID(int=rng.getrandbits(128)).hex[:16]
            events.append(_event("compare", at, slug, comparison=comparison, a=a, b=b, a_assistant=a, b_assistant=b))
            sa, sb = STRENGTH[a], STRENGTH[b]
            r = rng.random()
            winner = "tie" if r < 0.12 else "both-bad" if r < 0.17 else ("A" if rng.random() < sa / (sa + sb) else "B")
            win_a = {"A": a, "B": b}.get(winner)
            events.append(
                _event(
                    "vote",
                    _at(base, t + 1),
                    slug,
                    comparison=comparison,
                    a=a,
                    b=b,
                    a_assistant=a,
                    b_assistant=b,
                    winner=winner,
                    winner_assistant=win_a,
                    reason="",
                    by="bench",
                )
            )
    return events[:count]


def generate(root: Path, projects: int, events: int, seed: int = 7) -> int:
    """Write the workspace; returns the number of distinct events written."""
    rng = random.Random(seed)
    random.seed(seed)
    per_project = events // projects
    total = 0
    projects_dir = root / "projects"
    projects_dir.mkdir(parents=True)
    (projects_dir / ".gitattributes").write_text("*/ledger.jsonl merge=union\n")
    for index in range(projects):
        slug = f"idea-{index:05d}"
        folder = projects_dir / slug
        folder.mkdir()
        evs = project_events(slug, per_project + (1 if index < events % projects else 0), rng)
        total += len(evs)
        created = evs[0]
        (folder / "project.yaml").write_text(
            f"title: {created['title']}\nslug: {slug}\ntemplate: {created['template']}\n"
            f"category: {created['category']}\n"
            f"assistants: [{', '.join(str(a) for a in created['assistants'])}]\n"  # type: ignore[attr-defined]
        )
        lines = [json.dumps(e, separators=(",", ":")) for e in evs]
        repeats = [line for line in lines if rng.random() < 0.01]  # what a union merge can leave behind
        torn = ['{"id":"torn","kind":"cha'] if rng.random() < 0.01 else []
        (folder / "ledger.jsonl").write_text("\n".join(lines + repeats + torn) + "\n")
    return total


OLD_REPORT = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from tests.compare.report import reference_fold as rf\n"
    "from sandbox.compare.report.summary import report_data\n"
    "from sandbox.compare.rubric import DEFAULT_RUBRIC\n"
    "reader = rf._LedgerReader(); fold = rf.Fold()\n"
    "for root in sys.argv[2:]:\n"
    "    for slug, path in rf.ledger_paths(Path(root) / 'projects'):\n"
    "        events = reader.read(path)\n"
    "        if events is not None:\n"
    "            fold.add(rf.project_info(slug, events), events)\n"
    "fold.duplicates, fold.damaged = reader.duplicates, reader.damaged\n"
    "counts = rf.to_counts(fold)\n"
    "criteria = [c.to_dict() for c in DEFAULT_RUBRIC]\n"
    "data = report_data(counts, criteria, {}, category=None, replicates=400, group_replicates=200, seed=20240601)\n"
    "sys.stdout.write(json.dumps(data))\n"
)


def run_measured(argv: list[str], env: dict[str, str], timeout: float) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory (bytes) and stdout of one whole process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                raise TimeoutError(" ".join(argv[:4]))
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"exit {proc.returncode}: {' '.join(argv)}")
        out.seek(0)
        return seconds, usage.ru_maxrss * 1024, out.read().decode()


def measure(
    argv: list[str], runs: int, env: dict[str, str], timeout: float = 600, *, warm_up: bool = False
) -> tuple[float, int, str]:
    """Median seconds (after one warm-up when runs > 1 or asked), the largest peak memory, the last output."""
    if runs > 1 or warm_up:
        run_measured(argv, env, timeout)
    samples, peak, out = [], 0, ""
    for _ in range(runs):
        seconds, memory, out = run_measured(argv, env, timeout)
        samples.append(seconds)
        peak = max(peak, memory)
    samples.sort()
    return samples[len(samples) // 2], peak, out


def _numbers(report_json: str) -> dict[str, object]:
    """A JSON report without its "inputs" (which name when it was read): the numbers alone."""
    data: dict[str, object] = json.loads(report_json)
    data.pop("inputs", None)
    return data


def measure_after_appends(argv: list[str], runs: int, env: dict[str, str], team: Path) -> tuple[float, int]:
    """Median seconds and peak memory of a report run right after one more vote lands in one
    project (a different one each run): what a team sees after a `git pull` brought a little news."""
    ledgers = sorted((team / "projects").glob("*/ledger.jsonl"))
    samples, peak = [], 0
    for index in range(runs):
        path = ledgers[(index * 97) % len(ledgers)]
        line = next(raw for raw in path.read_text().splitlines() if '"kind":"vote"' in raw)
        vote = json.loads(line)
        vote["id"] = uuid.uuid4().hex
        with path.open("a") as handle:
            handle.write(json.dumps(vote, separators=(",", ":")) + "\n")
        seconds, memory, _ = run_measured(argv, env, 600)
        samples.append(seconds)
        peak = max(peak, memory)
    samples.sort()
    return samples[len(samples) // 2], peak


def teams_for(root: Path, events: int) -> list[Path]:
    """Generated teams' workspaces holding ``events`` events in all."""
    teams = []
    for index in range(max(1, events // TEAM_EVENTS)):
        team = root / f"team-{index:03d}"
        size = min(TEAM_EVENTS, events)
        generate(team, max(1, size * TEAM_PROJECTS // TEAM_EVENTS), size, seed=7 + index)
        teams.append(team)
    return teams


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200000,1000000,10000000", help="events, comma-separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sync-size", type=int, default=1_000_000, help="events to sync (0: no sync)")
    parser.add_argument("--postgres", default=None, metavar="URL", help="an empty database to sync into")
    parser.add_argument("--keep", type=Path, default=None, help="generate into DIR and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    root = args.keep or Path(tempfile.mkdtemp(prefix="sandbox-report-bench-"))
    env = {**os.environ, ledger_cache.CACHE_ENV: str(root / "cache")}
    env.pop("SANDBOX_WORKSPACE", None)
    sandbox = [sys.executable, "-m", "sandbox"]
    rows, ok = [], True
    try:
        for size in sizes:
            folder = root / f"events-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            teams = teams_for(folder, size)
            runs = 1 if size >= 10_000_000 else max(1, args.runs if size <= 200_000 else 3)
            mb = sum(f.stat().st_size for t in teams for f in (t / "projects").glob("*/ledger.jsonl")) / 1e6
            argv = [*sandbox, "--workspace", str(teams[0]), "report", "--format", "json"]
            for team in teams[1:]:
                argv += ["--from", str(team)]
            time.sleep(RACY_SECONDS)  # the last ledgers written must be old enough to be kept
            cold_env = {**env, ledger_cache.CACHE_ENV: "off"}
            cold_s, cold_mem, out = measure(argv, runs, cold_env)
            counted = json.loads(out)["totals"]["events"]
            warm_s, warm_mem, warm_out = measure(argv, runs, env, warm_up=True)  # the warm-up fills the cache
            same = _numbers(warm_out) == _numbers(out)
            target = {200_000: 0.4, 1_000_000: 3.0, 10_000_000: 25.0}.get(size)
            old_s = None
            if size <= OLD_LIMIT:
                old_argv = [sys.executable, "-c", OLD_REPORT, str(REPO), *map(str, teams)]
                try:
                    old_s, old_mem, _ = measure(old_argv, runs, cold_env)
                    rows.append([f"{size:,}", "old pure-Python report (ledgers)", f"{old_s:.2f} s",
                                 f"{old_mem / 1e6:.0f} MB", "", "", ""])
                except TimeoutError:
                    rows.append([f"{size:,}", "old pure-Python report (ledgers)", "> 600 s", "", "", "", ""])
            wanted = f"<= {target} s" + (", >= 4x" if size == 200_000 else "") if target else ""
            exports = folder / "exports"
            for team in teams:
                subprocess.run([*sandbox, "--workspace", str(team), "export", str(exports / team.name)], env=env,
                               check=True, capture_output=True)
            ex_s, ex_mem, ex_out = measure([*sandbox, "--workspace", str(teams[0]), "report", "--format", "json",
                                            "--no-workspace", "--from", str(exports)], runs, env)
            add_s, add_mem = measure_after_appends(argv, runs, env, teams[-1])  # changes the ledgers: last
            for what, seconds, memory in (
                (f"`sandbox report`, first run (nothing kept yet; {len(teams)} workspaces, {mb:.0f} MB)", cold_s,
                 cold_mem),
                ("`sandbox report` again (lines and bootstrap kept)", warm_s, warm_mem),
                ("`sandbox report` after a new vote in one project", add_s, add_mem),
            ):
                met = (same and (target is None or seconds <= target) and memory <= 2e9
                       and (size != 200_000 or not old_s or old_s / seconds >= 4))
                ok &= met
                rows.append([f"{size:,}", what, f"{seconds:.2f} s", f"{memory / 1e6:.0f} MB",
                             f"{old_s / seconds:.1f}x" if old_s else "", wanted, "ok" if met else "MISSED"])
            same = json.loads(ex_out)["totals"]["events"] == counted
            ex_target = 5.0 if size >= 10_000_000 else None
            met = same and (ex_target is None or ex_s <= ex_target) and ex_mem <= 2e9
            ok &= met
            rows.append([f"{size:,}", "`sandbox report --from` Parquet exports", f"{ex_s:.2f} s",
                         f"{ex_mem / 1e6:.0f} MB", "", f"<= {ex_target} s" if ex_target else "",
                         "ok" if met else "MISSED"])
            if args.keep is None:
                shutil.rmtree(folder, ignore_errors=True)
        if args.sync_size:
            ok &= sync_rows(root, args.sync_size, args.postgres, sandbox, env, rows)
        print(table(["events", "what (whole process)", "median", "peak memory", "vs old", "target", ""], rows))
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


def sync_rows(
    root: Path, size: int, url: str | None, sandbox: list[str], env: dict[str, str], rows: list[list[str]]
) -> bool:
    """One timed `sandbox sync` of ``size`` events into an empty database."""
    from contextlib import nullcontext

    sys.path.insert(0, str(REPO))
    from tests.support.postgres import new_database, server

    folder = root / f"sync-{size}"
    teams = teams_for(folder, size)
    with (nullcontext(url) if url else server()) as server_url:
        target = url if url else new_database(server_url, "bench")
        argv = [*sandbox, "sync", target]
        for team in teams:
            argv += ["--from", str(team)]
        seconds, memory, _ = measure(argv, 1, env)
    met = seconds <= 60 and memory <= 2e9
    rows.append([f"{size:,}", f"`sandbox sync` into PostgreSQL ({len(teams)} workspaces)", f"{seconds:.2f} s",
                 f"{memory / 1e6:.0f} MB", "", "<= 60 s", "ok" if met else "MISSED"])
    return met


if __name__ == "__main__":
    raise SystemExit(main())
