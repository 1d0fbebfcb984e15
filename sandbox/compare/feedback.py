"""What people say about the prototypes: ratings on a rubric and blind A/B votes, in one place.

This is the face the shells (``sandbox rate|compare|vote`` and the TUI's Compare screen) call. The
work lives in one module per job, so each can be read and tested alone:

- ``rubric``: the criteria (from ``sandbox.yaml`` or the defaults) and scores checked against them;
- ``ratings``: one variant scored on the rubric, written to the ledger;
- ``blind``: blind pairings with random recorded positions, the vote and the reveal;
- ``blind_preview``: a side shown (link, file URL, local server) without the assistant's name.
"""

from __future__ import annotations

from sandbox.compare.blind import (
    WINNERS,
    Comparison,
    assistant_name,
    normalise_winner,
    pending_comparison,
    record_vote,
    reveal_text,
    start_comparison,
    variant_assistant,
    vote,
)
from sandbox.compare.blind_preview import COMPARE_DIR, blind_file_url, blind_location, entry_file, serve_blind
from sandbox.compare.ratings import rate
from sandbox.compare.rubric import (
    DEFAULT_RUBRIC,
    SCORE_MAX,
    SCORE_MIN,
    WORKS_CRITERION,
    Criterion,
    FeedbackError,
    parse_scores,
    rubric,
)

__all__ = [
    "COMPARE_DIR",
    "DEFAULT_RUBRIC",
    "SCORE_MAX",
    "SCORE_MIN",
    "WINNERS",
    "WORKS_CRITERION",
    "Comparison",
    "Criterion",
    "FeedbackError",
    "assistant_name",
    "blind_file_url",
    "blind_location",
    "entry_file",
    "normalise_winner",
    "parse_scores",
    "pending_comparison",
    "rate",
    "record_vote",
    "reveal_text",
    "rubric",
    "serve_blind",
    "start_comparison",
    "variant_assistant",
    "vote",
]
