"""Numbers and spans in the words a designer reads: '1 project', '2,000 events', '25 min'.

One place for these, so the history (``sandbox log``), the report and the app say them alike.
"""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """'1 project', '2 projects', '200,000 events' (grouped: a manager should not count digits)."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def duration(seconds: float | None) -> str:
    """'under a second', '12 s', '25 min', '5.5 h', '3.2 days'; '-' when unknown.

    Why words and not '0.3': a median of 0.3 hours or 1,500 seconds means nothing at a glance.
    """
    if seconds is None:
        return "-"
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
