"""How long does `sandbox report --format json` take on a big shared workspace?

Generates a workspace of --projects projects and --events ledger events in total (default 2,000 and
200,000) with a realistic mix: created, rendered, sessions, change batches (most of the volume),
headless runs, ratings, compare and vote events, from four assistants over six categories and six
templates; about 1% of lines are repeated (as a git union merge leaves them) and a few are torn.

Then times, in the same run, as whole processes (one warm-up, median of --runs >= 5):
  * `sandbox report --format json` (parse, de-duplicate, fold, statistics, bootstrap, JSON out);
  * a peer that only reads: `python -c "import json; [json.loads(l) for f in ... for l in open(f)]"`,
    the raw cost of parsing the same ledgers in Python, so the ratio shows what the report adds.
Target: report median < 2 s.

Run: python benchmarks/report.py [--projects 2000] [--events 200000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import median_ms, percentile, table, time_process

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


RAW_READ = (
    "import json, os, sys\n"
    "p = os.path.join(sys.argv[1], 'projects')\n"
    "n = 0\n"
    "for d in sorted(os.listdir(p)):\n"
    "    f = os.path.join(p, d, 'ledger.jsonl')\n"
    "    if os.path.isfile(f):\n"
    "        for l in open(f, 'rb'):\n"
    "            try:\n"
    "                json.loads(l); n += 1\n"
    "            except ValueError:\n"
    "                pass\n"
    "print(n)\n"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, default=None, help="generate into DIR and keep it")
    args = parser.parse_args()
    runs = max(5, args.runs)
    root = args.keep or Path(tempfile.mkdtemp(prefix="sandbox-report-bench-"))
    try:
        if args.keep and (root / "projects").exists():
            shutil.rmtree(root / "projects")
        root.mkdir(parents=True, exist_ok=True)
        written = generate(root, args.projects, args.events)
        size = sum(f.stat().st_size for f in (root / "projects").glob("*/ledger.jsonl"))
        env = {**os.environ}
        env.pop("SANDBOX_WORKSPACE", None)
        report_argv = [sys.executable, "-m", "sandbox", "--workspace", str(root), "report", "--format", "json"]
        report = time_process(lambda i: report_argv, runs, env=env)
        raw = time_process(lambda i: [sys.executable, "-c", RAW_READ, str(root)], runs, env=env)
        import subprocess

        out = subprocess.run(report_argv, capture_output=True, text=True, env=env, check=True).stdout
        totals = json.loads(out)["totals"]
        print(
            f"workspace: {args.projects} projects, {written} events ({size / 1e6:.1f} MB of ledgers), "
            f"report counted {totals['events']} events, skipped {totals['duplicates_skipped']} repeats "
            f"and {totals['damaged_lines']} torn lines; {runs} runs, median (p90)\n"
        )
        rows = [
            [
                "`sandbox report --format json`",
                f"{median_ms(report):.0f} ms",
                f"{percentile(report, 0.9) * 1000:.0f} ms",
                f"{median_ms(report) / median_ms(raw):.2f}x",
                "< 2000 ms",
                "ok" if median_ms(report) < 2000 else "MISSED",
            ],
            [
                "raw read: json.loads per line",
                f"{median_ms(raw):.0f} ms",
                f"{percentile(raw, 0.9) * 1000:.0f} ms",
                "1.00x",
                "",
                "",
            ],
        ]
        print(table(["what (whole process)", "median", "p90", "vs raw read", "target", ""], rows))
        if totals["events"] != written:
            print(f"\nMISMATCH: wrote {written} events, report counted {totals['events']}")
            return 1
        return 0 if median_ms(report) < 2000 else 1
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
