"""The arena: two assistants build the same idea at once, shown as A and B, and one vote decides.

Why the A/B order is drawn *before* the build: the Build view already shows the two variants side
by side, so their positions must be fixed, random and recorded before anyone looks, exactly like a
blind comparison's (``compare`` event, ``origin: "build"``). The Compare step that follows the build
then finds that comparison waiting (``blind.pending_comparison``) and keeps the same A and B.

``cast_vote`` is the one way a vote is cast from a screen (the TUI's Compare screen and the
side-by-side page in the browser): the scores typed for each side are checked first, saved as
ratings of their side, then the vote is recorded. It refuses a second vote on the same comparison,
so a vote made on the page and one made in the app at the same moment land once.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.compare import blind, rubric
from sandbox.compare.ratings import rate
from sandbox.compare.rubric import FeedbackError
from sandbox.core import ledger

if TYPE_CHECKING:
    from sandbox.compare.blind import Comparison
    from sandbox.core.ledger import Event
    from sandbox.workspace import Workspace

SIDES = ("A", "B")
ORIGIN_BUILD = "build"
_vote_lock = threading.Lock()  # the page's server thread and the app may vote at the same moment


def record_build_order(
    workspace: Workspace, slug: str, variants: list[str], *, rng: random.Random | None = None,
    names_shown: bool = False, by: str | None = None,
) -> Comparison:
    """Draw which of two variants is A, and record it as a ``compare`` event with ``origin: "build"``.

    ``names_shown``: the person chose to see the assistants' names while they build (recorded, since
    the vote that follows is then not blind).
    """
    return blind.start_comparison(workspace, slug, variants, rng=rng, origin=ORIGIN_BUILD, names_shown=names_shown,
                                  by=by)


def comparison_event(workspace: Workspace, comparison: Comparison) -> Event | None:
    """The ``compare`` event that recorded ``comparison``."""
    for event in workspace.project(comparison.project).events():
        if event.get("kind") == ledger.COMPARE and event.get("comparison") == comparison.id:
            return event
    return None


def names_shown(workspace: Workspace, comparison: Comparison) -> bool:
    """Whether the person chose to see the names before voting on ``comparison``."""
    event = comparison_event(workspace, comparison)
    return bool(event and event.get("names_shown") is True)


def existing_vote(workspace: Workspace, comparison: Comparison) -> Event | None:
    """The vote already cast on ``comparison``, if any."""
    for event in workspace.project(comparison.project).events():
        if event.get("kind") == ledger.VOTE and event.get("comparison") == comparison.id:
            return event
    return None


@dataclass(frozen=True)
class CastVote:
    """A vote that landed: its event, how many side ratings were saved with it, and who was who."""

    event: Event
    ratings: int
    reveal: str

    def to_dict(self) -> dict[str, Any]:
        return {"winner": self.event.get("winner"), "reveal": self.reveal, "ratings": self.ratings,
                "comparison": self.event.get("comparison")}


def side_scores(raw: object) -> dict[str, dict[str, str]]:
    """``{"A": {criterion: "4"}, "B": {...}}`` from a form or a page, blanks dropped; anything else refused."""
    if raw is None:
        return {side: {} for side in SIDES}
    if not isinstance(raw, Mapping):
        raise FeedbackError("the scores must be given per side (A and B)")
    out: dict[str, dict[str, str]] = {}
    for side in SIDES:
        given = raw.get(side) or {}
        if not isinstance(given, Mapping):
            raise FeedbackError(f"the scores of side {side} must map a criterion to a number from 1 to 5")
        out[side] = {str(k): str(v).strip() for k, v in given.items() if v is not None and str(v).strip()}
    return out


def cast_vote(
    workspace: Workspace, comparison: Comparison, winner: str, *, reason: str | None = None,
    scores: object = None, by: str | None = None, guess: str | None = None, via: str | None = None,
) -> CastVote:
    """Save the scores typed for each side, then the vote; refuse a comparison that has a vote.

    Both sides' scores are checked before anything is written, and the vote is written before the
    ratings, so a refused score or a refused vote leaves nothing half-saved (a retry would save twice).
    ``guess`` (the blinding check) and ``via`` (tui, page) go to ``blind.record_vote``.
    """
    outcome = blind.normalise_winner(winner)
    filled = side_scores(scores)
    criteria = rubric.rubric(workspace)
    for side in SIDES:
        if filled[side]:
            rubric.parse_scores(filled[side], criteria)
    with _vote_lock:
        if existing_vote(workspace, comparison) is not None:
            raise FeedbackError("this comparison already has a vote (cast in the app or on the page)")
        # The vote first: when it is refused (the pair changed, say), no rating is left behind either.
        event = blind.record_vote(workspace, comparison, outcome, reason=reason, by=by, guess=guess, via=via)
        ratings = 0
        for side in SIDES:
            if filled[side]:
                rate(workspace, comparison.project, comparison.variant(side), filled[side], by=by,
                     comparison=comparison)
                ratings += 1
    return CastVote(event, ratings, blind.reveal_text(workspace, comparison, outcome))
