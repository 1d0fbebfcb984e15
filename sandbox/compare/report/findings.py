"""The report's plain-words findings: what the numbers can and cannot say yet.

Honesty over precision: a manager reads these sentences, not the p-values, so each one says who is
ahead, how sure that is, and whether there are enough votes to tell a small preference from a coin
flip. They are pure functions of counts, so every wording is tested on its own.
"""

from __future__ import annotations

from sandbox.compare import stats

NO_VOTES = "No votes yet: run 'sandbox compare SLUG' and 'sandbox vote SLUG --winner A|B|tie|both-bad'."

BRADLEY_TERRY_EXPLAINED = (
    "Strengths sum to 1; the chance that X beats Y is s_X / (s_X + s_Y), so equal strengths "
    "mean a coin flip. Ties count as half a win each way; both-bad votes are left out. Every pair also gets "
    "one imaginary tie, so an assistant that never won keeps a small strength instead of zero. "
    "95% intervals from a seeded bootstrap over the votes."
)


def votes_needed_text(needed: int) -> str:
    """Honest about its own precision: the number is the normal approximation; the exact sign test
    the tables use has about 76% power at 194 votes and needs a few more (see stats.votes_needed)."""
    return (
        f"About {needed} decisive votes between two assistants are needed to tell a 60/40 preference from a "
        "coin flip (5% significance, 80% power, by the usual normal approximation; the exact sign test used "
        "in the tables needs a few more)."
    )


def many_pairs_caution(tested: int) -> str | None:
    """With three or more pairs tested, one in 20 shows p < 0.05 by chance alone: say so.

    ``tested`` counts only pairs that have decisive votes: the caution is about p-values, and a
    pair of ties has none.
    """
    if tested < 3:
        return None
    return (
        f"{tested} pairs are compared: even if every assistant were equally good, about one pair in 20 would "
        "show p < 0.05 by chance alone, so trust a clear result more when it holds up as votes come in."
    )


def pair_note(x: str, y: str, x_wins: int, y_wins: int, low: float, high: float, needed: int) -> str:
    """One plain sentence per pair: who is ahead, how sure, and whether the votes can tell yet.

    Why four cases: "too few votes" is only half the truth. A 10-0 result is significant with ten
    votes (a large preference shows early), and 250 votes without significance do say something
    (a 60/40 preference would most likely have shown). The sample size needed is for a *small*
    (60/40) preference, so the words depend on both the p-value and the count.
    """
    decisive = x_wins + y_wins
    pair = f"{x} vs {y}"
    if not decisive:
        return f"{pair}: no decisive votes yet, only ties or both-bad, so there is no preference to test."
    p = stats.sign_test(x_wins, y_wins)
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    hi = 0.5
    if x_wins == y_wins:
        result = f"split {x_wins}-{y_wins} ({p_text})"
    else:
        leader, wins, lo, hi = (x, x_wins, low, high) if x_wins > y_wins else (y, y_wins, 1 - high, 1 - low)
        result = (f"{leader} won {wins} of {decisive} decisive votes "
                  f"({wins / decisive:.0%}, 95% interval {lo:.0%}-{hi:.0%}; {p_text})")
    votes = f"{decisive} decisive vote{'s' if decisive != 1 else ''}"
    if decisive < needed:
        if p < 0.05:
            return (f"{pair}: {result}. A clear preference, although {votes} are fewer than the {needed} it takes "
                    "to detect a small (60/40) one, so how large it is remains uncertain.")
        return (f"{pair}: {result}, but that is only {votes} of the {needed} needed to tell a 60/40 preference "
                "from a coin flip: treat this as a hint, not a finding.")
    if p < 0.05 and hi < 0.6:
        return f"{pair}: {result}. A clear but small preference: even the top of the interval is under 60/40."
    if p < 0.05:
        return f"{pair}: {result}. A clear preference, from enough votes to detect even a small (60/40) one."
    return (f"{pair}: {result}. No clear preference: with {votes} a 60/40 preference would most likely have shown, "
            "so any difference is probably smaller than that.")


def position_text(a_wins: int, decisive: int, low: float, high: float, p: float) -> str:
    """Does the side shown first win more often than chance? Positions are random, so it should not."""
    if not decisive:
        return "Position bias: no decisive votes yet."
    share = (f"A won {a_wins} of {decisive} decisive votes ({a_wins / decisive:.0%}, "
             f"95% interval {low:.0%}-{high:.0%}, p = {p:.3g})")
    if p < 0.05:
        return (f"Position bias: {share}. The side shown first wins more or less often than chance; positions "
                "are randomised, so totals stay fair, but look at how prototypes are presented.")
    return f"Position bias: {share}; no sign that the position decides the vote."
