"""The rubric: the fixed questions every rating answers, and scores checked against them.

Why a fixed rubric: scores only compare when everyone answers the same questions on the same 1-5
scale; a workspace may replace the rubric in ``sandbox.yaml`` (``rubric:``) but not per rating.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.workspace import Workspace

WORKS_CRITERION = "works"  # the criterion behind "time to a first working prototype"
SCORE_MIN, SCORE_MAX = 1, 5


class FeedbackError(SandboxError):
    """A rating or vote cannot be recorded as asked."""


@dataclass(frozen=True)
class Criterion:
    """One rubric question, scored 1 (poor) to 5 (excellent); ``hint`` says what to look at."""

    id: str
    label: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "label": self.label, "hint": self.hint}


DEFAULT_RUBRIC: tuple[Criterion, ...] = (
    Criterion("matches-idea", "Matches the idea", "Does it do what the idea describes, for the audience it names?"),
    Criterion("looks-right", "Looks right", "Is the layout clear, the text readable and the style fitting?"),
    Criterion(WORKS_CRITERION, "Works without errors", "Click through everything: do buttons, forms and links work?"),
    Criterion("easy-to-change", "Easy to change", "Could you (or an assistant) change it quickly and safely?"),
    Criterion("show-users", "Would show it to users", "Would you put it in front of real users tomorrow?"),
)

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _criterion_id(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40]


def rubric(workspace: Workspace) -> list[Criterion]:
    """The workspace's rubric: ``sandbox.yaml``'s ``rubric:`` list, or the defaults.

    Each entry is either a label (``- Loads fast``; its id is derived: ``loads-fast``) or a mapping
    ``{id, label, hint}``. Problems are reported at their line in sandbox.yaml.
    """
    settings = workspace.settings
    entries = settings.section("rubric", list, None)
    if entries is None:
        return list(DEFAULT_RUBRIC)
    if not entries:
        raise settings.error(
            "'rubric' is empty; list at least one criterion or remove it to use the defaults", "rubric"
        )
    criteria: list[Criterion] = []
    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            label, hint, cid = entry.strip(), "", _criterion_id(entry)
        elif isinstance(entry, dict):
            label = str(entry.get("label") or entry.get("id") or "").strip()
            hint = str(entry.get("hint") or "").strip()
            cid = str(entry.get("id") or _criterion_id(label)).strip()
            unknown = set(entry) - {"id", "label", "hint"}
            if unknown:
                raise settings.error(
                    f"rubric entry {index + 1}: unknown field '{sorted(unknown)[0]}' (known: id, label, hint)",
                    "rubric", index,
                )
        else:
            raise settings.error(
                f"rubric entry {index + 1} must be a label or a mapping with id, label, hint", "rubric", index
            )
        if not label or not _ID_RE.match(cid):
            raise settings.error(
                f"rubric entry {index + 1} needs a label, and its id must be lowercase letters, digits, '-' or '_'",
                "rubric", index,
            )
        if any(c.id == cid for c in criteria):
            raise settings.error(f"rubric entry {index + 1}: the id '{cid}' is used twice", "rubric", index)
        criteria.append(Criterion(cid, label, hint))
    return criteria


def parse_scores(pairs: list[str] | Mapping[str, object], criteria: list[Criterion]) -> dict[str, int]:
    """``["works=4", ...]`` or a mapping -> validated ``{criterion id: 1..5}``.

    A criterion may be named by its id, its label, or an unambiguous start of its id.
    """
    raw: list[tuple[str, object]]
    if isinstance(pairs, Mapping):
        raw = list(pairs.items())
    else:
        raw = []
        for pair in pairs:
            name, sep, text = str(pair).partition("=")
            if not sep or not name.strip():
                raise FeedbackError(f"--score {pair!r} must look like CRITERION=N (for example works=4)")
            raw.append((name.strip(), text.strip()))
    known = ", ".join(c.id for c in criteria)
    scores: dict[str, int] = {}
    for key, value in raw:
        criterion = _find_criterion(key, criteria)
        if criterion is None:
            raise FeedbackError(f"unknown criterion '{key}' (criteria: {known})")
        number = _whole_number(value)
        if number is None or not SCORE_MIN <= number <= SCORE_MAX:
            raise FeedbackError(
                f"the score for '{criterion.id}' must be a whole number from {SCORE_MIN} to {SCORE_MAX}, not {value!r}"
            )
        if criterion.id in scores and scores[criterion.id] != number:
            # "works=3 -s works=5" (or "works=3 -s Works without errors=5") is a typo; keeping the
            # last one silently would record a score the rater may not have meant.
            raise FeedbackError(f"'{criterion.id}' is scored twice ({scores[criterion.id]} and {number}); give it once")
        scores[criterion.id] = number
    if not scores:
        raise FeedbackError(f"give at least one score, like --score works=4 (criteria: {known})")
    return scores


def _whole_number(value: object) -> int | None:
    """``4``, ``"4"`` or ``" 4 "`` -> 4; a bool (``True`` is 1 to Python) or other text -> None."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _find_criterion(key: str, criteria: list[Criterion]) -> Criterion | None:
    lowered = key.strip().lower()
    for c in criteria:
        if lowered in (c.id, c.label.lower()):
            return c
    starts = [c for c in criteria if c.id.startswith(lowered)]
    return starts[0] if len(starts) == 1 else None
