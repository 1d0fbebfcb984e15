"""Form edits of project.yaml that leave every other byte as written (``sandbox.make.spec_form``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sandbox.core.errors import SpecError
from sandbox.make.spec_form import update_spec_text

PATH = Path("project.yaml")
TEXT = """\
# Our idea; comments stay
title: 'Expense approvals'   # quoted by hand
idea: |
  Approve expenses
  from your phone.

vars:
  headline: Hello
  seats: 3
  things:
    - one
    - two
audience: Team leads
"""


def test_one_changed_value_changes_one_line() -> None:
    after = update_spec_text(TEXT, PATH, {("vars", "headline"): "Welcome back"})
    changed = [(a, b) for a, b in zip(TEXT.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("  headline: Hello", "  headline: Welcome back")]


def test_values_of_every_kind_round_trip_and_the_rest_stays() -> None:
    changes = {("title",): "Approvals: fast", ("idea",): "Two lines\nof idea", ("vars", "seats"): 5,
               ("vars", "things"): ["a", "b: c"], ("audience",): "yes"}
    after = update_spec_text(TEXT, PATH, changes)
    data = yaml.safe_load(after)
    assert data["title"] == "Approvals: fast" and data["idea"].rstrip("\n") == "Two lines\nof idea"
    assert data["vars"] == {"headline": "Hello", "seats": 5, "things": ["a", "b: c"]}
    assert data["audience"] == "yes"  # a word YAML would read as true stays text
    assert after.startswith("# Our idea; comments stay\n") and "# quoted by hand" in after


def test_a_missing_key_is_added_next_to_its_siblings() -> None:
    after = update_spec_text(TEXT, PATH, {("vars", "color"): "#4f46e5", ("success",): "Half on a phone"})
    data = yaml.safe_load(after)
    assert data["vars"]["color"] == "#4f46e5" and data["success"] == "Half on a phone"
    assert after.startswith(TEXT.split("audience:")[0].split("vars:")[0])


def test_a_file_that_does_not_load_is_refused_with_its_line() -> None:
    with pytest.raises(SpecError) as info:
        update_spec_text("title: [unclosed\nidea: x\n", PATH, {("title",): "x"})
    assert info.value.line is not None
