"""The arena's build order is recorded by ``blind.start_comparison`` (one writer of ``compare`` events).

Drawn before the assistants build, the pair is two identical renders: it must not be refused as
identical, and it carries ``origin: "build"`` and ``names_shown`` but no tree hashes (they would be
stale by the vote). A blind comparison of the same identical pair is still refused.
"""

from __future__ import annotations

import random

import pytest

from sandbox.compare import arena, blind
from sandbox.compare.rubric import FeedbackError
from sandbox.workspace import Workspace


@pytest.fixture
def slug(ws: Workspace) -> str:
    return ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"]).slug


def _compares(ws: Workspace, slug: str) -> list[dict]:
    return [e for e in ws.project(slug).events() if e["kind"] == "compare"]


def test_the_build_order_is_recorded_before_anything_is_built(ws: Workspace, slug: str) -> None:
    comparison = arena.record_build_order(ws, slug, ["claude-code", "copilot"], names_shown=True, by="ana",
                                          rng=random.Random(7))
    [event] = _compares(ws, slug)
    assert event["origin"] == "build" and event["names_shown"] is True and event["by"] == "ana"
    assert {event["a"], event["b"]} == {"claude-code", "copilot"}
    assert (comparison.id, comparison.a, comparison.b) == (event["comparison"], event["a"], event["b"])
    assert not any(key.endswith(("_tree", "_brief")) for key in event), "no hashes of a tree about to change"
    assert comparison.hashes is None and comparison.warning is None


def test_the_same_seed_draws_the_same_order_as_a_blind_comparison(ws: Workspace, slug: str) -> None:
    built = arena.record_build_order(ws, slug, ["claude-code", "copilot"], rng=random.Random(3))
    again = arena.record_build_order(ws, slug, ["claude-code", "copilot"], rng=random.Random(3))
    assert (built.a, built.b) == (again.a, again.b)
    assert "names_shown" not in _compares(ws, slug)[0], "names hidden is the default and is not written"


def test_a_blind_comparison_of_identical_renders_is_still_refused(ws: Workspace, slug: str) -> None:
    with pytest.raises(FeedbackError):
        blind.start_comparison(ws, slug, ["claude-code", "copilot"])
    assert _compares(ws, slug) == []


def test_a_build_order_needs_two_existing_variants(ws: Workspace, slug: str) -> None:
    with pytest.raises(FeedbackError, match="no variant 'gemini'"):
        arena.record_build_order(ws, slug, ["claude-code", "gemini"])
    with pytest.raises(FeedbackError, match="exactly two"):
        arena.record_build_order(ws, slug, ["claude-code", "claude-code"])
    assert _compares(ws, slug) == []
