"""Ratings: one variant scored on the rubric, written to the project's ledger as a ``rating``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sandbox.compare.blind import variant_assistant
from sandbox.compare.rubric import FeedbackError, parse_scores, rubric
from sandbox.core import ledger

if TYPE_CHECKING:
    from sandbox.compare.blind import Comparison
    from sandbox.core.ledger import Event
    from sandbox.workspace import Workspace

MAX_MINUTES = 100_000


def rate(
    workspace: Workspace,
    slug: str,
    variant: str,
    scores: Mapping[str, object] | list[str],
    *,
    minutes: float | str | None = None,
    note: str | None = None,
    by: str | None = None,
    comparison: Comparison | None = None,
) -> Event:
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
    spent = _minutes(minutes)
    blind: dict[str, str] = {}
    if comparison is not None:
        if variant not in (comparison.a, comparison.b):
            raise FeedbackError(f"variant '{variant}' is not part of the blind comparison {comparison.id}")
        blind = {"comparison": comparison.id, "side": "A" if variant == comparison.a else "B"}
    return project.append(
        ledger.RATING,
        variant=variant,
        assistant=variant_assistant(project, variant),
        scores=checked,
        minutes=spent,
        note=(note or "").strip() or None,
        by=by,
        **blind,
    )


def _minutes(minutes: float | str | None) -> float | None:
    """The rater's time as a number of minutes (the CLI and the TUI hand it over as typed)."""
    if minutes is None:
        return None
    try:
        spent = float(minutes)
    except (TypeError, ValueError):
        raise FeedbackError(f"--minutes must be a number, not {minutes!r}") from None
    if not 0 <= spent <= MAX_MINUTES:
        raise FeedbackError(f"--minutes must be between 0 and {MAX_MINUTES}")
    return spent
