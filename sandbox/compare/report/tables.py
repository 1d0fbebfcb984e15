"""The report's tables as rows of display text, shared by Markdown, HTML and the TUI.

One place decides how a number reads ("70% [48%-85%]", "2.0 h", "<0.001"), so every format and the
app show the same words; the exporters only lay the rows out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.compare.rubric import SCORE_MAX, SCORE_MIN
from sandbox.core.text import duration

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.compare.report.model import Section

Table = tuple[str, list[str], list[list[str]]]  # (title, header, rows)

BT_TITLE = "Bradley-Terry strength [95% bootstrap]"
SCALE = (float(SCORE_MIN), float(SCORE_MAX))  # the rubric's 1-5 scale
MIN_RATINGS = 3  # fewer ratings than this show their mean without an interval: "too few ratings"
# The breakdowns after the whole workspace's tables: (key in the report data, what a group is called).
GROUPINGS = (("by_category", "category"), ("by_template", "template"))


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def number(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def interval(value: float | None, low: float | None, high: float | None, pct: bool = False, digits: int = 2) -> str:
    """'3.50 [2.10-4.90]' or '70% [48%-85%]'; just the value without both ends, '-' without a value."""
    if value is None:
        return "-"
    fmt: Callable[[float], str] = percent if pct else (lambda v: number(v, digits))
    if low is None or high is None:
        return fmt(value)
    return f"{fmt(value)} [{fmt(low)}-{fmt(high)}]"


def p_value(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def rating_cell(cell: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(mean, low, high) of a rating cell for display, the interval clipped to the 1-5 scale.

    Why: a Student-t interval from two ratings of 4 and 5 runs from -1.85 to 10.85. That is the
    correct t interval, and JSON keeps it, but a mean of 1-5 scores cannot leave 1-5, and a
    manager reading "[-1.85-10.85]" learns nothing but confusion; clipped it reads "[1.00-5.00]":
    the honest "could be anything".
    """
    mean, low, high = cell["mean"], cell["low"], cell["high"]
    if low is not None:
        low = min(max(low, SCALE[0]), SCALE[1])
    if high is not None:
        high = min(max(high, SCALE[0]), SCALE[1])
    return mean, low, high


def duration_text(hours: float | None) -> str:
    """'under a minute', '25 min', '5.5 h', '3.2 days': a median of 0.3 h reads badly as '0.3'.

    Seconds are never shown: the median is kept to 0.01 h (36 s), so "12 s" would claim a
    precision the data does not have.
    """
    if hours is None:
        return "-"
    if hours * 60 < 1:
        return "under a minute"
    return duration(hours * 3600)


def tables(section: Section, criteria: list[dict[str, str]], full: bool) -> list[Table]:
    """The report's tables as (title, header, rows) of strings: shared by Markdown, HTML and the TUI.

    ``full`` adds "Work per assistant" (sessions, runs, cost, time to a first working prototype).
    """
    result = [_work_table(section)] if full else []
    result += [_ratings_table(section, criteria), _votes_table(section), _head_to_head_table(section)]
    bt = section.get("bradley_terry")
    if bt:
        rows = [[s["name"], interval(s["strength"], s["low"], s["high"], digits=3)] for s in bt["strengths"]]
        result.append((BT_TITLE, ["Assistant", "Strength"], rows))
    return result


def _work_table(section: Section) -> Table:
    header = ["Assistant", "Projects", "Sessions", "Session min", "Headless runs", "Run success", "Median run s",
              "Cost USD", "Time to first working (median)"]
    rows = []
    for a in section["assistants"]:
        cost = "-" if a["run_cost_usd"] is None else f"{a['run_cost_usd']:.2f} ({a['runs_with_cost']} runs)"
        fw = a["first_working"]
        rows.append([
            a["name"], str(a["projects"]), str(a["sessions"]), number(a["session_minutes"], 1), str(a["runs"]),
            percent(a["run_success_rate"]), number(a["run_median_seconds"], 1), cost,
            f"{duration_text(fw['median_hours'])} (n={fw['projects']})" if fw["projects"] else "-",
        ])
    return ("Work per assistant", header, rows)


def rating_text(cell: dict[str, Any]) -> str:
    """A rating cell as people read it: '3.50 [2.10-4.90]', or '4.00 (too few ratings)' from one or two.

    Why: an interval from two equal ratings reads "4.00 [4.00-4.00]", which looks certain; from
    fewer than ``MIN_RATINGS`` ratings no interval says anything, so none is shown (JSON keeps it).
    """
    if cell["mean"] is not None and cell["n"] < MIN_RATINGS:
        return f"{number(cell['mean'])} (too few ratings)"
    return interval(*rating_cell(cell))


def _ratings_table(section: Section, criteria: list[dict[str, str]]) -> Table:
    header = ["Assistant", "Ratings", "Overall"] + [c["label"] for c in criteria]
    rows = [
        [a["name"], str(a["ratings"]), rating_text(a["overall"])]
        + [rating_text(a["criteria"][c["id"]]) for c in criteria]
        for a in section["assistants"]
    ]
    return ("Ratings, mean 1-5 [95% interval]", header, rows)


def _votes_table(section: Section) -> Table:
    header = ["Assistant", "Decisive votes", "Wins", "Losses", "Win rate [95% Wilson]", "Sign test p", "Ties",
              "Both bad"]
    rows = [
        [a["name"], str(v["decisive"]), str(v["wins"]), str(v["losses"]),
         interval(v["win_rate"], v["low"], v["high"], pct=True), p_value(v["p_value"]), str(v["ties"]),
         str(v["both_bad"])]
        for a in section["assistants"]
        for v in [a["votes"]]
        if v["decisive"] or v["ties"] or v["both_bad"]
    ]
    return ("Blind votes per assistant", header, rows)


def _head_to_head_table(section: Section) -> Table:
    header = ["Pair", "Decisive", "Wins", "Win rate of first [95% Wilson]", "Sign test p", "Ties", "Both bad",
              "Enough votes"]
    rows = [
        [f"{h['a_name']} vs {h['b_name']}", str(h["decisive"]), f"{h['a_wins']}-{h['b_wins']}",
         interval(h["a_win_rate"], h["low"], h["high"], pct=True), p_value(h["p_value"]), str(h["ties"]),
         str(h["both_bad"]), "yes" if h["enough_votes"] else "no"]
        for h in section["head_to_head"]
    ]
    return ("Head to head", header, rows)


def same_as_whole(report_data: Section, group: Section, label: str) -> str | None:
    """The sentence that replaces a group's tables when the group *is* the whole report.

    Why: with one template (or a report filtered to one category) the breakdown repeated every table
    word for word, doubling the page; a reader then hunts for a difference that is not there.
    """
    total = report_data["totals"]["projects"]
    if group["projects"] != total or not total:
        return None
    every = "The only project" if total == 1 else f"All {total:,} projects"
    return f"{every} {'is' if total == 1 else 'are'} in this {label}: the tables above apply."
