"""Files a re-render could not update, said and resolved (``sandbox.make.conflicts``).

The story the issue tells: an assistant edited index.html, the designer then changed the headline,
and the new version silently landed beside it in ``index.html.sandbox-new``. The conflict must be
found, its difference shown, and either way out must leave spec edits reaching the file as expected.
"""

from __future__ import annotations

import pytest

from sandbox.core.errors import ProjectError
from sandbox.make.conflicts import Conflict, difference, find_conflicts, keep_edited, take_new
from sandbox.workspace import Project, Workspace


def edit_spec(ws: Workspace, slug: str, old: str, new: str) -> None:
    spec = ws.project(slug).spec_path
    spec.write_text(spec.read_text().replace(old, new))


def conflicted(ws: Workspace) -> Project:
    """A project whose claude-code index.html was edited by the assistant, then re-rendered."""
    ws.new_project("Keep edits", "mini")
    project = ws.project("keep-edits")
    index = project.variant_dir("claude-code") / "index.html"
    index.write_text(index.read_text().replace("<h1>", "<h1 class='mine'>"))
    edit_spec(ws, "keep-edits", "headline: Hello", "headline: Welcome back")
    assert ws.render("keep-edits").conflicts == ["claude-code/index.html"]
    return project


def test_no_conflicts_in_a_fresh_project(ws: Workspace) -> None:
    ws.new_project("Fresh", "mini")
    assert find_conflicts(ws.project("fresh")) == []


def test_a_conflict_is_found_and_its_difference_shows_both_versions(ws: Workspace) -> None:
    project = conflicted(ws)
    assert find_conflicts(project) == [Conflict("claude-code", "index.html")]
    diff = difference(project, Conflict("claude-code", "index.html"))
    assert "index.html (edited)" in diff and "index.html (new version)" in diff
    assert any(line.startswith("-") and "class='mine'" in line for line in diff.splitlines())
    assert any(line.startswith("+") and "Welcome back" in line for line in diff.splitlines())


def test_taking_the_new_version_makes_later_spec_edits_reach_the_file_again(ws: Workspace) -> None:
    project = conflicted(ws)
    index = project.variant_dir("claude-code") / "index.html"
    take_new(project, Conflict("claude-code", "index.html"))
    assert "Welcome back" in index.read_text() and "class='mine'" not in index.read_text()
    assert find_conflicts(project) == []
    edit_spec(ws, "keep-edits", "headline: Welcome back", "headline: Third")
    result = ws.render("keep-edits")
    assert "claude-code/index.html" in result.written and result.conflicts == []
    assert "Third" in index.read_text()


def test_keeping_the_edited_file_drops_the_new_version_and_keeps_it_protected(ws: Workspace) -> None:
    project = conflicted(ws)
    index = project.variant_dir("claude-code") / "index.html"
    keep_edited(project, Conflict("claude-code", "index.html"))
    assert "class='mine'" in index.read_text()
    assert find_conflicts(project) == []
    edit_spec(ws, "keep-edits", "headline: Welcome back", "headline: Third")
    assert ws.render("keep-edits").conflicts == ["claude-code/index.html"]  # still never overwritten
    assert "class='mine'" in index.read_text()


def test_a_conflict_resolved_meanwhile_is_said_plainly(ws: Workspace) -> None:
    project = conflicted(ws)
    conflict = Conflict("claude-code", "index.html")
    keep_edited(project, conflict)
    with pytest.raises(ProjectError, match="no new version waiting"):
        take_new(project, conflict)
