"""Generated workspaces for the engine's equality tests: many projects, every kind, and the damage
real ledgers carry (torn lines, repeated lines from union merges, copied folders, wrong types).

Why generated: the hand-written fixtures pin known numbers; these explore the corners (a rating
without a numeric score, a vote naming one assistant twice, a run without seconds, NaN minutes) where
two implementations of the same rules drift apart.
"""

from __future__ import annotations

import json
import random
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ASSISTANTS = ("claude-code", "copilot", "codex", "cursor")
CATEGORIES = ("marketing", "finance", "support")
TEMPLATES = ("landing-page", "dashboard", "crud-app")
CRITERIA = ("matches-idea", "looks-right", "works", "easy-to-change")
RATERS = tuple(f"rater-{i}" for i in range(9))


def _at(base: datetime, minutes: float) -> str:
    return (base + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _odd(rng: random.Random, value: Any) -> Any:
    """Mostly ``value``; sometimes a wrong type, which every reader treats as absent."""
    roll = rng.random()
    if roll < 0.04:
        return str(value)
    if roll < 0.06:
        return None
    if roll < 0.07:
        return [value]
    return value


def project_events(slug: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    assistants = rng.sample(ASSISTANTS, rng.choice((2, 3, 4)))
    base = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 100))
    t = 0.0

    def event(kind: str, **fields: Any) -> dict[str, Any]:
        return {"id": uuid.UUID(int=rng.getrandbits(128)).hex, "at": _at(base, t), "kind": kind, "schema": 1,
                "project": slug, **fields}

    events = []
    if rng.random() < 0.95:  # a few projects lost their "created" line
        events.append(event("created", title=f"Idea {slug}", template=rng.choice(TEMPLATES),
                            category=_odd(rng, rng.choice(CATEGORIES)), assistants=assistants, files=3))
    while len(events) < count:
        t += rng.uniform(1, 300)
        aid = rng.choice(assistants)
        who = {"variant": aid, "assistant": aid} if rng.random() < 0.9 else {"variant": aid}
        by = rng.choice(RATERS)
        roll = rng.random()
        if roll < 0.3:
            events.append(event("change", **who, files=["a.html"], lines_added=rng.randint(0, 9), lines_removed=1))
        elif roll < 0.4:
            events.append(event("session_started", **who, session="s", mode="session"))
            events.append(event("session_ended", **who, session="s", mode="session",
                                seconds=_odd(rng, round(rng.uniform(10, 900), 3))))
        elif roll < 0.5:
            result = {"total_cost_usd": _odd(rng, round(rng.uniform(0, 2), 4)), "duration_ms": 1000}
            events.append(event("run", **who, exit_code=_odd(rng, rng.choice((0, 0, 0, 1))),
                                seconds=_odd(rng, round(rng.uniform(1, 90), 2)),
                                timed_out=rng.random() < 0.1,  # see test_engine: a truthy non-boolean
                                **({"ok": rng.random() < 0.7} if rng.random() < 0.5 else {}),
                                **({"result": result} if rng.random() < 0.6 else {})))
        elif roll < 0.72:
            scores: dict[str, Any] = {c: rng.randint(1, 5) for c in rng.sample(CRITERIA, rng.randint(0, 4))}
            if scores and rng.random() < 0.1:
                scores[rng.choice(list(scores))] = "five"
            if rng.random() < 0.05:
                scores["retired-criterion"] = 3.5
            events.append(event("rating", **who, by=by, scores=_odd(rng, scores),
                                minutes=_odd(rng, rng.randint(1, 30)), note="private words"))
        else:
            a, b = rng.sample(assistants, 2)
            if rng.random() < 0.03:
                b = a
            winner = rng.choice(("A", "A", "B", "B", "tie", "both-bad", "C"))
            events.append(event("compare", comparison="c", a=a, b=b, a_assistant=a, b_assistant=b))
            # the pair's version (a rater's repeats on one version count once), and sometimes the
            # vote's own word that one side had no assistant work (such a vote is set apart)
            version = {"a_tree": f"t{rng.randrange(6)}", "b_tree": "t"} if rng.random() < 0.8 else {}
            worked = {"a_worked": rng.random() < 0.7} if rng.random() < 0.15 else {}
            events.append(event("vote", comparison="c", a=a, b=b, a_assistant=a, b_assistant=b,
                                winner=_odd(rng, winner), winner_assistant={"A": a, "B": b}.get(winner),
                                reason="because", by=by, **version, **worked))
    return events[:count]


def write_workspace(root: Path, *, projects: int, events: int, seed: int) -> int:
    """A workspace of ``projects`` ledgers (about ``events`` events) with torn, repeated and copied lines."""
    rng = random.Random(seed)
    projects_dir = root / "projects"
    projects_dir.mkdir(parents=True, exist_ok=True)
    written = 0
    for index in range(projects):
        slug = f"idea-{index:03d}"
        evs = project_events(slug, max(2, events // projects + rng.randint(-3, 3)), rng)
        written += len(evs)
        lines = [json.dumps(e, separators=(",", ":")) for e in evs]
        lines += [line for line in lines if rng.random() < 0.05]  # a union merge repeats lines
        if rng.random() < 0.3:
            lines.append('{"id":"torn","kind":"cha')  # a write cut short
        if rng.random() < 0.2:
            lines += ["[1, 2]", '{"id": 7, "kind": "vote"}', "", "   "]
        folder = projects_dir / slug
        folder.mkdir()
        (folder / "ledger.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a project folder copied whole under another name: every event of it is a repeat
    shutil.copytree(projects_dir / "idea-000", projects_dir / "idea-000-copy")
    return written
