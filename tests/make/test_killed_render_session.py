"""Issue 12: a killed render is completed when a session or run starts, not only at the next render.

An assistant started on a variant a render was killed in must not meet the render's ``.*.tmp``
files, nor have them counted in its session's snapshot (they would come back as its own edits).
"""

from __future__ import annotations

from sandbox.assistants import sessions
from sandbox.make.scaffold import read_manifest
from sandbox.workspace import Workspace
from tests.make.test_journal import killed_render, leftovers


def test_starting_a_session_completes_a_killed_render(ws: Workspace) -> None:
    project = ws.project(killed_render(ws))

    start = sessions.start_session(project, "claude-code", assistant="claude-code")
    assert leftovers(project.path) == [], "the session start completed the killed render"
    real = [p for p in project.variant_dir("claude-code").rglob("*") if p.is_file()]
    assert start["files"] == len(real), "the snapshot counts only the variant's real files"
    manifest = read_manifest(project.path)["variants"]["claude-code"]["files"]
    assert "page-00.html" in manifest, "what landed before the kill is in the manifest"
    end = sessions.end_session(project, "claude-code")
    assert end is not None
    assert not end.get("files_added") and not end.get("files_changed"), "nothing the render wrote is an edit"
