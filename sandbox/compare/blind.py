"""Blind A/B comparisons: pair two variants, record the positions, take the vote, then reveal.

Why blind, randomised A/B: a designer who knows which assistant made a prototype judges the brand,
not the work. ``start_comparison`` picks two variants, flips a coin for which one is shown as A and
records the positions in a ``compare`` event *before* anyone sees them; ``vote`` records the outcome
against those positions and only then returns the names (the reveal). Recording the positions lets
the report check for position bias (does A win more often than chance?).

How a side is *shown* without its name is ``blind_preview``'s job.

Only comparisons that mean something (issue 11, rules in ``parity``): a pair identical apart from
the briefs is refused (``IDENTICAL``); a pair where only one side carries assistant work is
allowed with a warning; the compare event records both sides' tree and brief hashes, and a vote
is refused when either changed since (the rater judged something else than what is recorded).
The vote also records the template's hash, each side's CLI version, whether each side carries
assistant work, and the optional blinding check (``guess``: who the rater thinks made A).
"""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.compare import parity
from sandbox.compare.rubric import FeedbackError
from sandbox.core import ledger
from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.core.ledger import Event
    from sandbox.workspace import Project, Workspace

WINNERS = ("A", "B", "tie", "both-bad")
UNSURE = "unsure"
VIA = ("tui", "cli", "page")
REFUSED, WARN, OK = "refused", "warn", "ok"
IDENTICAL = "nothing to compare yet: neither assistant has changed its prototype"
ONE_SIDED = ("only one of the two prototypes carries assistant work (the other is the template as rendered): "
             "the vote is kept but not counted as evidence")
NO_WORK = ("neither prototype carries assistant work (they differ only by hand): "
           "the vote is kept but not counted as evidence")


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
    # a_tree, b_tree, a_brief, b_brief when the previews opened
    hashes: Mapping[str, str] | None = dataclasses.field(default=None, hash=False)
    # pair_status's warning when it was started (not stored; not part of what the comparison is)
    warning: str | None = dataclasses.field(default=None, compare=False)

    def variant(self, side: str) -> str:
        return self.a if side == "A" else self.b

    def assistant(self, side: str) -> str:
        return self.a_assistant if side == "A" else self.b_assistant

    def blind_dict(self) -> dict[str, str]:
        """What may be shown before the vote: no variant ids, no assistant names."""
        return {"comparison": self.id, "project": self.project, "at": self.at}

    def to_dict(self) -> dict[str, str]:
        return {
            **self.blind_dict(), "a": self.a, "b": self.b, "a_assistant": self.a_assistant,
            "b_assistant": self.b_assistant,
        }


def variant_assistant(project: Project, variant: str) -> str:
    """The assistant a variant belongs to: variants are named after their assistant's id."""
    return variant


def assistant_name(workspace: Workspace, assistant_id: str | None) -> str:
    """Display name of an assistant id (the id itself for one the registry does not know)."""
    if not assistant_id:
        return "-"
    try:
        known = workspace.registry.get(assistant_id)
    except SandboxError:
        known = None
    return str(known.name) if known is not None else assistant_id


def _comparison_from(event: Mapping[str, object], slug: str) -> Comparison | None:
    try:
        return Comparison(
            id=str(event["comparison"]),
            project=slug,
            a=str(event["a"]),
            b=str(event["b"]),
            a_assistant=str(event.get("a_assistant") or event["a"]),
            b_assistant=str(event.get("b_assistant") or event["b"]),
            at=str(event.get("at") or ""),
            hashes={k: str(event[k]) for k in _HASH_FIELDS if isinstance(event.get(k), str)} or None,
        )
    except KeyError:
        return None


_HASH_FIELDS = ("a_tree", "b_tree", "a_brief", "b_brief")


@dataclass(frozen=True)
class PairStatus:
    """Whether a pair may be compared: ``status`` REFUSED, WARN or OK, and the one-line message."""

    status: str
    message: str | None
    a: parity.Side
    b: parity.Side

    def hash_fields(self) -> dict[str, str]:
        return {"a_tree": self.a.hashes.tree, "b_tree": self.b.hashes.tree,
                "a_brief": self.a.hashes.brief, "b_brief": self.b.hashes.brief}


def pair_status(workspace: Workspace, slug: str, a: str, b: str) -> PairStatus:
    """Whether variants ``a`` and ``b`` of ``slug`` are worth a blind vote now (the TUI asks before showing them).

    Refused when their trees are identical apart from the briefs; a warning when only one side (or
    neither) carries assistant work; OK otherwise. Never names which side is which.
    """
    project = workspace.project(slug)
    events = project.events()
    sides = [parity.side(workspace, project, v, variant_assistant(project, v), events) for v in (a, b)]
    first, second = sides
    if first.hashes.tree == second.hashes.tree:
        return PairStatus(REFUSED, IDENTICAL, first, second)
    if first.worked != second.worked:
        return PairStatus(WARN, ONE_SIDED, first, second)
    if not first.worked:
        return PairStatus(WARN, NO_WORK, first, second)
    return PairStatus(OK, None, first, second)


def changed_sides(workspace: Workspace, comparison: Comparison, status: PairStatus | None = None) -> list[str]:
    """The sides ("A", "B") whose tree or brief changed since the comparison's previews opened."""
    before = comparison.hashes or {}
    if not before:
        return []  # recorded before issue 11: nothing to hold it to
    now = (status or pair_status(workspace, comparison.project, comparison.a, comparison.b)).hash_fields()
    return [side for side in ("A", "B") if any(
        before.get(key, now[key]) != now[key] for key in (f"{side.lower()}_tree", f"{side.lower()}_brief"))]


def pending_comparison(workspace: Workspace, slug: str, *, current_only: bool = True) -> Comparison | None:
    """The latest comparison of this project that has no vote yet, if any.

    ``current_only``: pass over comparisons whose pair changed since their previews opened (a vote
    on them is refused, so resuming one would be a dead end); ``vote`` looks at them all, to say why.
    """
    project = workspace.project(slug)
    events = project.events()
    voted = {e.get("comparison") for e in events if e.get("kind") == ledger.VOTE}
    for event in reversed(events):
        if event.get("kind") == ledger.COMPARE and event.get("comparison") not in voted:
            comparison = _comparison_from(event, slug)
            if comparison is None or not all(v in project.variant_ids() for v in (comparison.a, comparison.b)):
                continue
            if current_only and changed_sides(workspace, comparison):
                continue
            return comparison
    return None


def start_comparison(
    workspace: Workspace, slug: str, variants: list[str] | None = None, *, rng: random.Random | None = None,
    origin: str | None = None, names_shown: bool = False, by: str | None = None,
) -> Comparison:
    """Pair two variants, randomise which is A, and record the pairing in a ``compare`` event.

    Without ``variants``, the pair with the fewest votes so far is chosen (ties at random), so a
    project with three or more variants gets every pair compared in turn.

    ``origin``: where the pairing was drawn, recorded on the event; ``"build"`` (the arena) draws it
    before the assistants build, when both variants are still the same render: the pair is not
    held to ``pair_status`` and no tree hashes are recorded (they would be stale at the vote).
    ``names_shown``: the person chose to see the assistants' names (the vote is then not blind).
    """
    rng = rng or random.SystemRandom()
    project = workspace.project(slug)
    available = project.variant_ids()
    if variants:
        chosen = list(dict.fromkeys(variants))
        missing = [v for v in chosen if v not in available]
        if missing:
            raise FeedbackError(
                f"project '{slug}' has no variant '{missing[0]}' (variants: {', '.join(available) or 'none'})"
            )
        if len(chosen) != 2:
            raise FeedbackError("a comparison needs exactly two different variants")
        pair = chosen
        status = pair_status(workspace, slug, *pair) if origin is None else None
    elif origin is None:
        pair, status = _least_voted_pair(workspace, project, available, rng)
    else:
        raise FeedbackError("a comparison drawn before a build needs its two variants named")
    if status is not None and status.status == REFUSED:
        raise FeedbackError(str(status.message))
    if rng.random() < 0.5:
        pair.reverse()
        if status is not None:
            status = PairStatus(status.status, status.message, status.b, status.a)
    a, b = pair
    event = project.append(
        ledger.COMPARE,
        comparison=os.urandom(8).hex(),
        a=a,
        b=b,
        a_assistant=variant_assistant(project, a),
        b_assistant=variant_assistant(project, b),
        origin=origin,
        names_shown=True if names_shown else None,
        by=by,
        **(status.hash_fields() if status is not None else {}),
    )
    comparison = _comparison_from(event, slug)
    assert comparison is not None  # the event was written just above with every field
    return dataclasses.replace(comparison, warning=status.message if status is not None else None)


def _least_voted_pair(
    workspace: Workspace, project: Project, available: list[str], rng: random.Random
) -> tuple[list[str], PairStatus]:
    """The comparable pair with the fewest votes so far (ties at random): every pair gets its turn.

    Pairs identical apart from the briefs are passed over; when every pair is, the answer is the
    refusal of one of them (the caller raises it).
    """
    if len(available) < 2:
        raise FeedbackError(f"project '{project.slug}' needs two variants to compare; it has {len(available)}")
    counts: dict[frozenset[str], int] = {}
    for event in project.events():
        if event.get("kind") == ledger.VOTE:
            key = frozenset((str(event.get("a")), str(event.get("b"))))
            counts[key] = counts.get(key, 0) + 1
    pairs = [(x, y) for i, x in enumerate(available) for y in available[i + 1 :]]
    statuses = {p: pair_status(workspace, project.slug, *p) for p in pairs}
    comparable = [p for p in pairs if statuses[p].status != REFUSED] or pairs
    fewest = min(counts.get(frozenset(p), 0) for p in comparable)
    chosen = rng.choice([p for p in comparable if counts.get(frozenset(p), 0) == fewest])
    return list(chosen), statuses[chosen]


def normalise_winner(winner: str) -> str:
    """'a', 'B', 'Tie', 'both bad', 'both_bad' -> one of WINNERS."""
    text = str(winner).strip().lower().replace("_", "-").replace(" ", "-")
    mapping = {"a": "A", "b": "B", "tie": "tie", "both-bad": "both-bad", "bothbad": "both-bad", "neither": "both-bad"}
    if text not in mapping:
        raise FeedbackError(f"the vote must be A, B, tie or both-bad, not {winner!r}")
    return mapping[text]


def vote(
    workspace: Workspace, slug: str, winner: str, *, reason: str | None = None, by: str | None = None,
    guess: str | None = None, via: str | None = None,
) -> Event:
    """Record the vote on the pending comparison; the returned event reveals who was A and B."""
    outcome = normalise_winner(winner)
    comparison = pending_comparison(workspace, slug, current_only=False)
    if comparison is None:
        raise FeedbackError(
            f"no comparison is waiting for a vote in '{slug}'; start one with 'sandbox compare {slug}'"
        )
    return record_vote(workspace, comparison, outcome, reason=reason, by=by, guess=guess, via=via)


def _guess_fields(comparison: Comparison, guess: str | None) -> dict[str, Any]:
    """The blinding check: ``guess`` is the assistant id the rater thinks made A, or ``unsure``."""
    if guess is None or not guess.strip():
        return {}
    text = guess.strip()
    if text.casefold() == UNSURE:
        return {"guess": UNSURE}
    choices = (comparison.a_assistant, comparison.b_assistant)
    if text not in choices:
        raise FeedbackError(f"the guess for A must be {' or '.join(sorted(choices))} or {UNSURE}, not {text!r}")
    return {"guess": "A" if text == comparison.a_assistant else "B", "guess_a": text,
            "guess_correct": text == comparison.a_assistant}


def record_vote(
    workspace: Workspace, comparison: Comparison, winner: str, *, reason: str | None = None, by: str | None = None,
    guess: str | None = None, via: str | None = None,
) -> Event:
    """Append the ``vote`` event for ``comparison`` (the TUI holds its comparison and calls this).

    Refused (FeedbackError, one line) when either side changed since the comparison's previews
    opened: the rater judged other files than the ones the vote would name. ``guess``: the
    blinding check, the assistant id the rater thinks made A (or ``unsure``), asked after the vote
    and before the reveal. ``via``: where the vote was cast (``tui``, ``cli``, ``page``).
    """
    outcome = normalise_winner(winner)
    if via is not None and via not in VIA:
        raise FeedbackError(f"a vote is cast via {', '.join(VIA)}, not {via!r}")
    guessed = _guess_fields(comparison, guess)
    project = workspace.project(comparison.project)
    status = pair_status(workspace, comparison.project, comparison.a, comparison.b)
    now = status.hash_fields()
    changed = changed_sides(workspace, comparison, status)
    if changed:
        raise FeedbackError(
            f"the vote is refused: {' and '.join(changed)} changed since this comparison's previews opened; "
            f"start a new one with 'sandbox compare {comparison.project}'"
        )
    spec_template = _template_of(project)
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
        **now,
        template_sha256=parity.template_sha256(workspace, spec_template),
        a_cli_version=status.a.cli_version,
        b_cli_version=status.b.cli_version,
        a_worked=status.a.worked,
        b_worked=status.b.worked,
        **guessed,
        via=via,
    )


def _template_of(project: Project) -> str | None:
    try:
        return str(project.load_spec().template)
    except SandboxError:
        return None


def reveal_text(workspace: Workspace, comparison: Comparison | Mapping[str, object], winner: str | None = None) -> str:
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
