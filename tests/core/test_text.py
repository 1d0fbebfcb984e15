"""Plain-words numbers and durations."""

from __future__ import annotations

import pytest

from sandbox.core.text import duration, plural


def test_plural_groups_digits_and_knows_one() -> None:
    assert plural(1, "project") == "1 project"
    assert plural(0, "vote") == "0 votes"
    assert plural(200_000, "event") == "200,000 events"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(None, "-"), (0.2, "under a second"), (12, "12 s"), (1500, "25 min"), (5.5 * 3600, "5.5 h"),
     (3.2 * 86400, "3.2 days")],
)
def test_duration_in_words(seconds: float | None, words: str) -> None:
    assert duration(seconds) == words
