"""``Workspace.overview``: what a project's Overview tab shows, computed in the core from the ledger,
the render manifest and the open sessions (the TUI reads none of them itself)."""

from __future__ import annotations

import pytest

from sandbox.assistants import sessions
from sandbox.core import ledger
from sandbox.core.errors import ProjectError
from sandbox.make.scaffold import read_manifest
from sandbox.workspace import OpenSession, Workspace


@pytest.fixture
def slug(ws: Workspace) -> str:
    return ws.new_project("Expense approvals", "mini", idea="Approve on the go.",
                          assistants=["claude-code", "copilot"]).slug


def test_a_new_project_lists_its_spec_and_untouched_variants(ws: Workspace, slug: str) -> None:
    overview = ws.overview(slug)
    assert overview.slug == slug and overview.spec is not None and overview.spec_error is None
    assert overview.spec.idea == "Approve on the go."
    assert [v.variant for v in overview.variants] == ["claude-code", "copilot"]
    claude = overview.variants[0]
    assert claude.assistant == "Claude Code"
    rendered = read_manifest(ws.project(slug).path)["variants"]["claude-code"]["files"]
    assert claude.files == len(rendered) > 0
    assert (claude.changed, claude.conflicts, claude.sessions, claude.runs, claude.ratings) == (0, 0, 0, 0, 0)
    assert claude.average_rating is None and claude.open_session is None
    created = ws.project(slug).events()[0]
    assert claude.last_activity == created["at"]  # the project-wide "created" event counts for every variant
    assert overview.events == 1 and overview.problems == []


def test_changes_sessions_runs_and_ratings_are_counted_per_variant(ws: Workspace, slug: str) -> None:
    project = ws.project(slug)
    project.append(ledger.CHANGE, variant="claude-code", files=["index.html", "style.css"])
    project.append(ledger.CHANGE, variant="claude-code", files=["index.html"])  # the same file again: once
    project.append(ledger.SESSION_ENDED, variant="claude-code", files_added=["notes.txt"],
                   files_changed=["style.css"])
    project.append(ledger.RUN, variant="claude-code", exit_code=0)
    project.append(ledger.RUN, variant="claude-code", exit_code=1)
    project.append(ledger.RATING, variant="claude-code", scores={"works": 4, "looks-right": 2})
    # not a score: the validated read turns the whole event into a counted problem (issue 12)
    project.append(ledger.RATING, variant="claude-code", scores={"works": 5, "bogus": True})
    last = project.append(ledger.RATING, variant="copilot", scores={"works": 3})
    overview = ws.overview(slug)
    claude, copilot = overview.variants
    assert claude.changed == 3  # index.html, style.css, notes.txt
    assert (claude.sessions, claude.runs, claude.ratings) == (1, 2, 1)
    assert claude.average_rating == pytest.approx((4 + 2) / 2)
    assert len(overview.problems) == 1 and "'scores'" in overview.problems[0]
    assert (copilot.changed, copilot.runs, copilot.ratings, copilot.average_rating) == (0, 0, 1, 3.0)
    assert copilot.last_activity == last["at"] and claude.last_activity is not None
    assert claude.last_activity <= last["at"]
    assert ws.overview(slug).events == 8


def test_an_open_session_and_a_kept_edit_show_on_their_variant(ws: Workspace, slug: str) -> None:
    project = ws.project(slug)
    started = sessions.start_session(project, "copilot")
    (project.variant_dir("claude-code") / "index.html").write_text("<p>my own page</p>")
    project.spec_path.write_text(project.spec_path.read_text().replace("headline: Hello", "headline: Bye"))
    result = ws.render(slug)
    assert result.conflicts == ["claude-code/index.html"]
    claude, copilot = ws.overview(slug).variants
    assert claude.conflicts == 1 and copilot.conflicts == 0
    assert copilot.open_session == OpenSession("session", started["at"]) and claude.open_session is None
    # once the conflict is resolved, the next render reports none
    (project.variant_dir("claude-code") / "index.html").unlink()
    ws.render(slug)
    assert ws.overview(slug).variants[0].conflicts == 0


def test_a_broken_spec_and_a_damaged_ledger_line_are_reported_not_fatal(ws: Workspace, slug: str) -> None:
    project = ws.project(slug)
    project.spec_path.write_text("title: [unclosed\n")
    with project.ledger_path.open("a") as handle:
        handle.write('{"torn": \n')
    overview = ws.overview(slug)
    assert overview.spec is None and overview.spec_error and "project.yaml" in overview.spec_error
    assert [v.variant for v in overview.variants] == ["claude-code", "copilot"]
    assert len(overview.problems) == 1 and "damaged line" in overview.problems[0]


def test_a_damaged_manifest_only_hides_the_file_counts(ws: Workspace, slug: str) -> None:
    project = ws.project(slug)
    manifest = project.state_dir / "manifest.json"
    manifest.write_text("{not json")
    assert [v.files for v in ws.overview(slug).variants] == [0, 0]


def test_an_unknown_project_is_a_clear_error(ws: Workspace) -> None:
    with pytest.raises(ProjectError, match="no project 'nope'"):
        ws.overview("nope")
