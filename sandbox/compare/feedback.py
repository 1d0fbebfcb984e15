"""Ratings on a fixed rubric and blind A/B votes between variants, written to the ledger.

Why a fixed rubric: scores only compare when everyone answers the same questions on the same 1-5
scale; a workspace may replace the rubric in ``sandbox.yaml`` (``rubric:``) but not per rating.

Why blind, randomised A/B: a designer who knows which assistant made a prototype judges the brand,
not the work. ``start_comparison`` picks two variants, flips a coin for which one is shown as A and
records the positions in a ``compare`` event *before* anyone sees them; ``vote`` records the outcome
against those positions and only then returns the names (the reveal). Recording the positions lets
the report check for position bias (does A win more often than chance?).

Variant folders are named after assistants (``variants/claude-code``), so a blind comparison never
shows a variant id or a path that contains it: ``blind_location`` gives a path through
``.sandbox/compare/<id>/A`` (a link to the variant) instead.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core import ledger
from sandbox.core.errors import SandboxError

WORKS_CRITERION = "works"  # the criterion behind "time to a first working prototype"
SCORE_MIN, SCORE_MAX = 1, 5
WINNERS = ("A", "B", "tie", "both-bad")
COMPARE_DIR = "compare"


class FeedbackError(SandboxError):
    """A rating or vote cannot be recorded as asked."""


@dataclass(frozen=True)
class Criterion:
    """One rubric question, scored 1 (poor) to 5 (excellent); ``hint`` says what to look at."""

    id: str
    label: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "hint": self.hint}


DEFAULT_RUBRIC: tuple[Criterion, ...] = (
    Criterion("matches-idea", "Matches the idea", "Does it do what the idea describes, for the audience it names?"),
    Criterion("looks-right", "Looks right", "Is the layout clear, the text readable and the style fitting?"),
    Criterion(WORKS_CRITERION, "Works without errors", "Click through everything: do buttons, forms and links work?"),
    Criterion("easy-to-change", "Easy to change", "Could you (or an assistant) change it quickly and safely?"),
    Criterion("show-users", "Would show it to users", "Would you put it in front of real users tomorrow?"),
)

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _criterion_id(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40]


def rubric(workspace: Any) -> list[Criterion]:
    """The workspace's rubric: ``sandbox.yaml``'s ``rubric:`` list, or the defaults.

    Each entry is either a label (``- Loads fast``; its id is derived: ``loads-fast``) or a mapping
    ``{id, label, hint}``. Problems are reported at their line in sandbox.yaml.
    """
    settings = workspace.settings
    entries = settings.section("rubric", list, None)
    if entries is None:
        return list(DEFAULT_RUBRIC)
    if not entries:
        raise settings.error("'rubric' is empty; list at least one criterion or remove it to use the defaults", "rubric")
    criteria: list[Criterion] = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            label, hint, cid = entry.strip(), "", _criterion_id(entry)
        elif isinstance(entry, dict):
            label = str(entry.get("label") or entry.get("id") or "").strip()
            hint = str(entry.get("hint") or "").strip()
            cid = str(entry.get("id") or _criterion_id(label)).strip()
            unknown = set(entry) - {"id", "label", "hint"}
            if unknown:
                raise settings.error(
                    f"rubric entry {index + 1}: unknown field '{sorted(unknown)[0]}' (known: id, label, hint)", "rubric", index
                )
        else:
            raise settings.error(f"rubric entry {index + 1} must be a label or a mapping with id, label, hint", "rubric", index)
        if not label or not _ID_RE.match(cid):
            raise settings.error(
                f"rubric entry {index + 1} needs a label, and its id must be lowercase letters, digits, '-' or '_'",
                "rubric", index,
            )
        if any(c.id == cid for c in criteria):
            raise settings.error(f"rubric entry {index + 1}: the id '{cid}' is used twice", "rubric", index)
        criteria.append(Criterion(cid, label, hint))
    return criteria


def assistant_name(workspace: Any, assistant_id: str | None) -> str:
    """Display name of an assistant id (the id itself for one the registry does not know)."""
    if not assistant_id:
        return "-"
    try:
        known = workspace.registry.get(assistant_id)
    except SandboxError:
        known = None
    return known.name if known is not None else assistant_id


def _variant_assistant(project: Any, variant: str) -> str:
    """The assistant a variant belongs to: variants are named after their assistant's id."""
    return variant


def parse_scores(pairs: list[str] | Mapping[str, Any], criteria: list[Criterion]) -> dict[str, int]:
    """``["works=4", ...]`` or a mapping -> validated ``{criterion id: 1..5}``.

    A criterion may be named by its id, its label, or an unambiguous start of its id.
    """
    raw: list[tuple[str, Any]]
    if isinstance(pairs, Mapping):
        raw = list(pairs.items())
    else:
        raw = []
        for pair in pairs:
            key, sep, value = str(pair).partition("=")
            if not sep or not key.strip():
                raise FeedbackError(f"--score {pair!r} must look like CRITERION=N (for example works=4)")
            raw.append((key.strip(), value.strip()))
    known = ", ".join(c.id for c in criteria)
    scores: dict[str, int] = {}
    for key, value in raw:
        criterion = _find_criterion(key, criteria)
        if criterion is None:
            raise FeedbackError(f"unknown criterion '{key}' (criteria: {known})")
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            raise FeedbackError(f"the score for '{criterion.id}' must be a whole number from {SCORE_MIN} to {SCORE_MAX}, not {value!r}")
        if criterion.id in scores and scores[criterion.id] != number:
            # "works=3 -s works=5" (or "works=3 -s Works without errors=5") is a typo; keeping the
            # last one silently would record a score the rater may not have meant.
            raise FeedbackError(f"'{criterion.id}' is scored twice ({scores[criterion.id]} and {number}); give it once")
        scores[criterion.id] = number
    if not scores:
        raise FeedbackError(f"give at least one score, like --score works=4 (criteria: {known})")
    return scores


def _find_criterion(key: str, criteria: list[Criterion]) -> Criterion | None:
    lowered = key.strip().lower()
    for c in criteria:
        if lowered in (c.id, c.label.lower()):
            return c
    starts = [c for c in criteria if c.id.startswith(lowered)]
    return starts[0] if len(starts) == 1 else None


def rate(
    workspace: Any,
    slug: str,
    variant: str,
    scores: Mapping[str, Any] | list[str],
    *,
    minutes: float | None = None,
    note: str | None = None,
    by: str | None = None,
    comparison: Comparison | None = None,
) -> dict[str, Any]:
    """Record a ``rating`` of one variant on the rubric; returns the event.

    With ``comparison`` (the blind pairing the rater was looking at), the event also records the
    comparison id and the side (A or B): a score given before the reveal is worth more than one
    given knowing the brand, and the ledger should be able to tell them apart later.
    """
    project = workspace.project(slug)
    variants = project.variant_ids()
    if variant not in variants:
        raise FeedbackError(f"project '{slug}' has no variant '{variant}' (variants: {', '.join(variants) or 'none'})")
    checked = parse_scores(scores, rubric(workspace))
    if minutes is not None:
        try:
            minutes = float(minutes)
        except (TypeError, ValueError):
            raise FeedbackError(f"--minutes must be a number, not {minutes!r}") from None
        if not 0 <= minutes <= 100_000:
            raise FeedbackError("--minutes must be between 0 and 100000")
    blind: dict[str, str] = {}
    if comparison is not None:
        if variant not in (comparison.a, comparison.b):
            raise FeedbackError(f"variant '{variant}' is not part of the blind comparison {comparison.id}")
        blind = {"comparison": comparison.id, "side": "A" if variant == comparison.a else "B"}
    return project.append(
        ledger.RATING,
        variant=variant,
        assistant=_variant_assistant(project, variant),
        scores=checked,
        minutes=minutes,
        note=(note or "").strip() or None,
        by=by,
        **blind,
    )


@dataclass(frozen=True)
class Comparison:
    """A blind pairing: which variant is shown as A and which as B."""

    id: str
    project: str
    a: str
    b: str
    a_assistant: str
    b_assistant: str
    at: str = ""

    def variant(self, side: str) -> str:
        return self.a if side == "A" else self.b

    def assistant(self, side: str) -> str:
        return self.a_assistant if side == "A" else self.b_assistant

    def blind_dict(self) -> dict[str, str]:
        """What may be shown before the vote: no variant ids, no assistant names."""
        return {"comparison": self.id, "project": self.project, "at": self.at}

    def to_dict(self) -> dict[str, str]:
        return {**self.blind_dict(), "a": self.a, "b": self.b, "a_assistant": self.a_assistant, "b_assistant": self.b_assistant}


def _comparison_from(event: Mapping[str, Any], slug: str) -> Comparison | None:
    try:
        return Comparison(
            id=str(event["comparison"]),
            project=slug,
            a=str(event["a"]),
            b=str(event["b"]),
            a_assistant=str(event.get("a_assistant") or event["a"]),
            b_assistant=str(event.get("b_assistant") or event["b"]),
            at=str(event.get("at") or ""),
        )
    except KeyError:
        return None


def pending_comparison(workspace: Any, slug: str) -> Comparison | None:
    """The latest comparison of this project that has no vote yet, if any."""
    project = workspace.project(slug)
    events = project.events()
    voted = {e.get("comparison") for e in events if e.get("kind") == ledger.VOTE}
    for event in reversed(events):
        if event.get("kind") == ledger.COMPARE and event.get("comparison") not in voted:
            comparison = _comparison_from(event, slug)
            if comparison is not None and all(v in project.variant_ids() for v in (comparison.a, comparison.b)):
                return comparison
    return None


def start_comparison(
    workspace: Any, slug: str, variants: list[str] | None = None, *, rng: random.Random | None = None
) -> Comparison:
    """Pair two variants, randomise which is A, and record the pairing in a ``compare`` event.

    Without ``variants``, the pair with the fewest votes so far is chosen (ties at random), so a
    project with three or more variants gets every pair compared in turn.
    """
    rng = rng or random.SystemRandom()
    project = workspace.project(slug)
    available = project.variant_ids()
    if variants:
        chosen = list(dict.fromkeys(variants))
        missing = [v for v in chosen if v not in available]
        if missing:
            raise FeedbackError(f"project '{slug}' has no variant '{missing[0]}' (variants: {', '.join(available) or 'none'})")
        if len(chosen) != 2:
            raise FeedbackError("a comparison needs exactly two different variants")
        pair = chosen
    else:
        if len(available) < 2:
            raise FeedbackError(f"project '{slug}' needs two variants to compare; it has {len(available)}")
        counts: dict[frozenset[str], int] = {}
        for event in project.events():
            if event.get("kind") == ledger.VOTE:
                key = frozenset((str(event.get("a")), str(event.get("b"))))
                counts[key] = counts.get(key, 0) + 1
        pairs = [(x, y) for i, x in enumerate(available) for y in available[i + 1 :]]
        fewest = min(counts.get(frozenset(p), 0) for p in pairs)
        pair = list(rng.choice([p for p in pairs if counts.get(frozenset(p), 0) == fewest]))
    if rng.random() < 0.5:
        pair.reverse()
    a, b = pair
    event = project.append(
        ledger.COMPARE,
        comparison=os.urandom(8).hex(),
        a=a,
        b=b,
        a_assistant=_variant_assistant(project, a),
        b_assistant=_variant_assistant(project, b),
    )
    comparison = _comparison_from(event, slug)
    assert comparison is not None
    return comparison


def normalise_winner(winner: str) -> str:
    """'a', 'B', 'Tie', 'both bad', 'both_bad' -> one of WINNERS."""
    text = str(winner).strip().lower().replace("_", "-").replace(" ", "-")
    mapping = {"a": "A", "b": "B", "tie": "tie", "both-bad": "both-bad", "bothbad": "both-bad", "neither": "both-bad"}
    if text not in mapping:
        raise FeedbackError(f"the vote must be A, B, tie or both-bad, not {winner!r}")
    return mapping[text]


def vote(workspace: Any, slug: str, winner: str, *, reason: str | None = None, by: str | None = None) -> dict[str, Any]:
    """Record the vote on the pending comparison; the returned event reveals who was A and B."""
    outcome = normalise_winner(winner)
    comparison = pending_comparison(workspace, slug)
    if comparison is None:
        raise FeedbackError(f"no comparison is waiting for a vote in '{slug}'; start one with 'sandbox compare {slug}'")
    return record_vote(workspace, comparison, outcome, reason=reason, by=by)


def record_vote(
    workspace: Any, comparison: Comparison, winner: str, *, reason: str | None = None, by: str | None = None
) -> dict[str, Any]:
    """Append the ``vote`` event for ``comparison`` (the TUI holds its comparison and calls this)."""
    outcome = normalise_winner(winner)
    project = workspace.project(comparison.project)
    winner_assistant = {"A": comparison.a_assistant, "B": comparison.b_assistant}.get(outcome)
    return project.append(
        ledger.VOTE,
        comparison=comparison.id,
        a=comparison.a,
        b=comparison.b,
        a_assistant=comparison.a_assistant,
        b_assistant=comparison.b_assistant,
        winner=outcome,
        winner_assistant=winner_assistant,
        reason=(reason or "").strip() or None,
        by=by,
    )


def reveal_text(workspace: Any, comparison: Comparison | Mapping[str, Any], winner: str | None = None) -> str:
    """'A was Claude Code, B was GitHub Copilot. You preferred A (Claude Code).'"""
    if isinstance(comparison, Comparison):
        a_id, b_id = comparison.a_assistant, comparison.b_assistant
    else:
        a_id, b_id = str(comparison.get("a_assistant")), str(comparison.get("b_assistant"))
    a_name, b_name = assistant_name(workspace, a_id), assistant_name(workspace, b_id)
    text = f"A was {a_name}, B was {b_name}."
    if winner == "A":
        text += f" You preferred A ({a_name})."
    elif winner == "B":
        text += f" You preferred B ({b_name})."
    elif winner == "tie":
        text += " You called it a tie."
    elif winner == "both-bad":
        text += " You found both bad."
    return text


def entry_file(workspace: Any, slug: str) -> str:
    """The file a browser opens in a variant (the template's ``entry``, ``index.html`` if unknown)."""
    project = workspace.project(slug)
    try:
        spec = project.load_spec()
        return workspace.template(spec.template).entry or "index.html"
    except SandboxError:
        return "index.html"


def blind_location(workspace: Any, comparison: Comparison, side: str) -> Path:
    """A folder that shows variant ``side`` without its name in the path.

    ``projects/<slug>/.sandbox/compare/<comparison>/<A|B>`` is a symbolic link to the variant, so
    a ``file://`` URL or a served root reveals nothing. Where links cannot be made (some Windows
    setups) the real folder is returned and the caller should warn that its path names it.
    """
    project = workspace.project(comparison.project)
    target = project.variant_dir(comparison.variant(side))
    link = project.state_dir / COMPARE_DIR / comparison.id / side
    try:
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            ignore = link.parent.parent / ".gitignore"
            if not ignore.exists():  # the links are per machine: keep them out of a shared repo
                ignore.write_text("*\n", "utf-8")
            os.symlink(os.path.relpath(target, link.parent), link, target_is_directory=True)
        return link
    except OSError:
        return target


def blind_file_url(workspace: Any, comparison: Comparison, side: str) -> str:
    """``file://`` URL of the entry file of variant ``side`` through its blind link."""
    folder = blind_location(workspace, comparison, side)
    entry = entry_file(workspace, comparison.project)
    return Path(os.path.abspath(folder / entry)).as_uri()


def serve_blind(ws: Any, comparison: Any) -> tuple[dict[str, str], list[Any]]:
    """Serve both sides on local ports; returns ``{side: url}`` and the servers to stop later.

    Names are not in the URLs, and every assistant's brief file (``/CLAUDE.md``, ``/AGENTS.md``,
    ...) answers 404, since it says whose prototype this is.
    """
    from sandbox.live.preview import PreviewServer

    entry = entry_file(ws, comparison.project)
    project = ws.project(comparison.project)
    briefs = {a.instructions for a in ws.registry.values() if a.instructions}
    urls: dict[str, str] = {}
    servers: list[Any] = []
    try:
        for side in ("A", "B"):
            server = PreviewServer(project.variant_dir(comparison.variant(side)), hidden=briefs).start()
            servers.append(server)
            urls[side] = server.url.rstrip("/") + "/" + entry
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return urls, servers
