"""The plain-words findings: the words follow both the evidence and the number of votes."""

from __future__ import annotations

import pytest

from sandbox.compare import stats
from sandbox.compare.report import findings


@pytest.mark.parametrize(
    ("x_wins", "y_wins", "says", "never"),
    [
        (10, 0, "X won 10 of 10 decisive votes (100%, 95% interval 72%-100%; p = 0.002). A clear preference, although",
         "hint"),
        (2, 6, ("Y won 6 of 8 decisive votes (75%, 95% interval 41%-93%; p = 0.289), but that is only 8 decisive "
                "votes of the 194 needed"), "clear preference"),
        (130, 120, ("X won 130 of 250 decisive votes (52%, 95% interval 46%-58%; p = 0.569). No clear preference: "
                    "with 250 decisive votes a 60/40 preference would most likely have shown"), "hint"),
        (150, 100, ("X won 150 of 250 decisive votes (60%, 95% interval 54%-66%; p = 0.002). A clear preference, "
                    "from enough votes"), "hint"),
        (4, 4, "X vs Y: split 4-4 (p = 1.000), but that is only 8 decisive votes", "won"),
        (0, 0, "X vs Y: no decisive votes yet", "hint"),
    ],
)
def test_pair_note_words_follow_the_p_value_and_the_count(x_wins: int, y_wins: int, says: str, never: str) -> None:
    """"Treat this as a hint" was said of a 10-0 result too (p = 0.002), and nothing at all was said
    of a pair with enough votes: the words must follow both the evidence and the sample size."""
    decisive = x_wins + y_wins
    low, high = stats.wilson(x_wins, decisive)
    note = findings.pair_note("X", "Y", x_wins, y_wins, low, high, stats.votes_needed())
    assert says in note and never not in note


def test_pair_note_on_a_large_workspace_reads_well() -> None:
    """Thousands of votes: "p < 0.001" (not "p = <0.001"), and a 55/45 result is called small."""
    low, high = stats.wilson(2226, 4022)
    note = findings.pair_note("Codex", "Copilot", 2226, 1796, low, high, 194)
    assert "(55%, 95% interval 54%-57%; p < 0.001). A clear but small preference" in note and "= <" not in note
    low, high = stats.wilson(1644, 2610)
    note = findings.pair_note("Copilot", "Claude", 966, 1644, 1 - high, 1 - low, 194)
    assert "Claude won 1644 of 2610 decisive votes (63%, 95% interval 61%-65%; p < 0.001). A clear preference," in note
