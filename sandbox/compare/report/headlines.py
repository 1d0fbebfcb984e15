"""The report's first lines: one plain sentence per pair of assistants and category.

Why: the people this is for (designers, product managers) read the first screen and stop. So the
report starts with who was preferred, in how many blind comparisons, of what kind of prototype, and
whether that is enough to be sure, said the way a person would say it ("Claude Code was preferred
in 7 of 10 blind comparisons of finance prototypes; that is not enough to be sure yet: about 40
more votes would tell"). The p-values and intervals behind each sentence are in the statistics.

Every sentence is built from the votes that count as evidence (``evidence``): a vote between
untouched copies or a rater's repeated vote never makes a headline.

"About N more votes would tell" is the number of decisive votes the sign test needs to show the
preference seen so far with 80% power (``stats.votes_needed`` at the observed share), minus the
votes there are, rounded to a figure that does not pretend to precision.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sandbox.compare import stats
from sandbox.compare.report import runs
from sandbox.core.text import plural

if TYPE_CHECKING:
    from sandbox.compare.report.model import Section

ALPHA = 0.05
MANY = 1000  # beyond this many more votes, "the two look close" says more than a number


def about(n: int) -> str:
    """A count rounded as a person would say it: 7, about 40, about 250, about 1,200."""
    if n < 10:
        return str(n)
    digits = 10 ** max(1, int(math.log10(n)) - 1)
    return f"about {round(n / digits) * digits:,}"


def more_votes_needed(wins: int, decisive: int) -> int | None:
    """Decisive votes still needed to be sure of the preference seen so far; None when level."""
    if not decisive or wins * 2 == decisive:
        return None
    share = min(max(wins / decisive, 1 - wins / decisive), 0.99)
    return max(0, stats.votes_needed(p1=share) - decisive)


def certainty(wins: int, losses: int, needed: int) -> str:
    """The second half of a headline: how sure the preference is, and what would make it sure."""
    decisive = wins + losses
    p = stats.sign_test(wins, losses)
    if p < ALPHA:
        if decisive < needed:
            return "that is a clear preference, though how strong it is remains uncertain"
        return "that is a clear preference"
    more = more_votes_needed(wins, decisive)
    if more is None:
        return "so far neither is ahead"
    if decisive >= needed:
        return "no clear preference: any difference is probably smaller than 60/40"
    if more > MANY:
        return f"the two look close: it would take more than {MANY:,} more votes to tell"
    if more == 0:
        return "that is not enough to be sure yet: a few more votes would tell"
    return f"that is not enough to be sure yet: {about(more)} more votes would tell"


def pair_headline(pair: dict[str, Any], needed: int, category: str | None) -> str:
    """One sentence for one pair in one slice (``category`` None for the whole report)."""
    of = f" of {category} prototypes" if category else ""
    x, y = pair["a_name"], pair["b_name"]
    decisive = pair["decisive"]
    others = pair["ties"] + pair["both_bad"]
    rest = ""
    if others:
        parts = [p for p in (plural(pair["ties"], "tie") if pair["ties"] else "",
                             f"{pair['both_bad']} both bad" if pair["both_bad"] else "") if p]
        rest = f" ({' and '.join(parts)} besides)"
    if not decisive:
        return f"{x} and {y}: no blind comparison{of} has picked one yet{rest}."
    if pair["a_wins"] >= pair["b_wins"]:
        leader, other, wins, losses = x, y, pair["a_wins"], pair["b_wins"]
    else:
        leader, other, wins, losses = y, x, pair["b_wins"], pair["a_wins"]
    raters = pair["raters"]
    by = f", from {plural(raters, 'rater')}" if raters else ""
    if wins == losses:
        head = f"{x} and {y} each won {wins} of {decisive} blind comparisons{of}{by}{rest}"
    else:
        head = (f"{leader} was preferred to {other} in {wins} of {decisive} blind comparisons{of}{by}{rest}")
    return f"{head}; {certainty(wins, losses, needed)}."


def _set_apart_line(evidence: dict[str, Any]) -> str | None:
    if not evidence.get("set_apart"):
        return None
    reasons = evidence["set_apart_by_reason"]
    verb = "is" if evidence["set_apart"] == 1 else "are"
    one = len(reasons) == 1
    why = reasons[0]["text"] if one else "; ".join(f"{r['votes']:,} because {r['text']}" for r in reasons)
    return f"{plural(evidence['set_apart'], 'vote')} {verb} not counted as evidence: {why}."


def _violation_lines(section: Section) -> list[str]:
    lines = []
    for row in section.get("violations") or []:
        if row["violations"]:
            what = ", ".join(f"{n} {kind}" for kind, n in row["by_kind"].items())
            lines.append(f"{row['name']} touched files outside its own folder in "
                         f"{row['with_violations']} of {row['closed']} runs and sessions ({what}).")
    return lines


def _pair(section: Section, a: str, b: str) -> dict[str, Any] | None:
    return next((p for p in (section.get("evidence") or {}).get("pairs") or [] if (p["a"], p["b"]) == (a, b)), None)


def headlines(data: Section) -> list[dict[str, Any]]:
    """The report's headlines: per pair for the whole report, then per category, then the caveats.

    Each is ``{"scope": "all" | "category", "category": name | None, "a", "b", "text"}``
    (``a``/``b`` None for a caveat that is about no pair).
    """
    needed = data.get("votes_needed") or stats.votes_needed()
    result: list[dict[str, Any]] = []
    categories = [g for g in data.get("by_category") or [] if g.get("evidence")]
    one_category = len(categories) == 1 and categories[0]["projects"] == data["totals"]["projects"]
    if one_category:
        categories = []  # the whole report is that category: its lines would repeat the report's
    # a pair whose every counted vote is in one category is said once, with the category's name
    in_one = {(p["a"], p["b"]) for g in categories for p in g["evidence"].get("pairs") or []
              if p == _pair(data, p["a"], p["b"])}
    for scope, name, section in [("all", None, data)] + [("category", g["group"], g) for g in categories]:
        evidence = section.get("evidence") or {}
        result.extend({"scope": scope, "category": name, "a": pair["a"], "b": pair["b"],
                       "text": pair_headline(pair, needed, name)} for pair in evidence.get("pairs") or []
                      if scope == "category" or (pair["a"], pair["b"]) not in in_one)
    evidence = data.get("evidence") or {}
    if not evidence.get("pairs"):
        result.append({"scope": "all", "category": None, "a": None, "b": None,
                       "text": "No blind comparison between two assistants' work has been voted on yet."})
    caveats = [_set_apart_line(evidence), *_violation_lines(data), *runs.run_lines(data)]
    result += [{"scope": "all", "category": None, "a": None, "b": None, "text": text} for text in caveats if text]
    return result
