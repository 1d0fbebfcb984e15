"""The rubric: the default criteria, a workspace's own from sandbox.yaml, mistakes at their line."""

from __future__ import annotations

import pytest

from sandbox.compare import rubric
from sandbox.core.errors import SpecError
from sandbox.workspace import Workspace


def test_default_rubric(ws: Workspace) -> None:
    criteria = rubric.rubric(ws)
    assert [c.label for c in criteria] == [
        "Matches the idea", "Looks right", "Works without errors", "Easy to change", "Would show it to users",
    ]
    assert all(c.hint for c in criteria)
    assert rubric.WORKS_CRITERION in [c.id for c in criteria]


def test_rubric_from_sandbox_yaml(ws: Workspace) -> None:
    (ws.root / "sandbox.yaml").write_text(
        "rubric:\n  - Loads fast\n  - id: works\n    label: Works\n    hint: No errors in the console\n"
    )
    ws.reload()
    assert [(c.id, c.label, c.hint) for c in rubric.rubric(ws)] == [
        ("loads-fast", "Loads fast", ""), ("works", "Works", "No errors in the console"),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("rubric:\n  - Loads fast\n  - 42\n", 3, "must be a label or a mapping"),
        ("rubric:\n  - id: a\n    label: A\n  - id: a\n    label: B\n", 4, "used twice"),
        ("rubric:\n  - id: Bad Id\n    label: A\n", 2, "lowercase"),
        ("rubric:\n  - label: A\n    colour: red\n", 2, "unknown field 'colour'"),
        ("rubric: []\n", 1, "empty"),
    ],
)
def test_bad_rubric_points_at_its_line(ws: Workspace, text: str, line: int, words: str) -> None:
    (ws.root / "sandbox.yaml").write_text(text)
    ws.reload()
    with pytest.raises(SpecError) as caught:
        rubric.rubric(ws)
    assert caught.value.line == line and words in str(caught.value)


def test_scores_from_a_form_are_checked_like_typed_ones(ws: Workspace) -> None:
    """The TUI hands over a mapping of what was picked; the same rules apply as to --score text."""
    criteria = rubric.rubric(ws)
    assert rubric.parse_scores({"works": 4, "Looks right": "5", "easy": " 2 "}, criteria) == {
        "works": 4, "looks-right": 5, "easy-to-change": 2,
    }
    with pytest.raises(rubric.FeedbackError, match="whole number from 1 to 5, not True"):
        rubric.parse_scores({"works": True}, criteria)  # True == 1 to Python, not a score to a person
    with pytest.raises(rubric.FeedbackError, match="unknown criterion 'ma'"):
        rubric.parse_scores(["ma=3"], [rubric.Criterion("matches", "M"), rubric.Criterion("maybe", "Mb")])
