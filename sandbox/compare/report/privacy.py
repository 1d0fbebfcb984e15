"""Privacy in shared reports: no breakdown so small that it points at the people who rated.

Why: in an organisation report a category or template with two raters shows, in effect, what those
two people thought. Below ``MIN_GROUP`` distinct raters (people who voted or rated in it) such a
breakdown is left out and the report says how many were left out and why. The whole report's
numbers are always shown; rater names are never in a report (only in the team's own CSV).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.compare.report.counts import Counts

MIN_GROUP = 5


def suppress(counts: Counts, min_group: int) -> dict[str, int]:
    """Drop the categories and templates with fewer than ``min_group`` raters; how many of each went."""
    dropped = {"by_category": 0, "by_template": 0}
    if min_group <= 0:
        return dropped
    for key, slices in (("by_category", counts.by_category), ("by_template", counts.by_template)):
        for name in [name for name, scope in slices.items() if scope.raters < min_group]:
            del slices[name]
            dropped[key] += 1
    return dropped


def statement(min_group: int, dropped: dict[str, int]) -> dict[str, Any]:
    """The report's privacy block: the threshold, what was left out, and a sentence saying so."""
    parts = []
    if dropped["by_category"]:
        parts.append(f"{dropped['by_category']} categor{'y' if dropped['by_category'] == 1 else 'ies'}")
    if dropped["by_template"]:
        parts.append(f"{dropped['by_template']} template{'' if dropped['by_template'] == 1 else 's'}")
    if parts:
        verb = "is" if sum(dropped.values()) == 1 else "are"
        note = (f"{' and '.join(parts)} with fewer than {min_group} raters {verb} not shown on their own, so no "
                "breakdown points at a few people; their votes and ratings are in the totals.")
    else:
        note = f"Every breakdown shown has at least {min_group} raters."
    return {"min_group": min_group, "suppressed": dropped, "note": note}
