"""The project list's summary cache: reused while nothing changed, recomputed the moment anything did."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from sandbox.core import ledger, summary_cache
from sandbox.workspace import SUMMARY_CACHE, Workspace


@pytest.fixture
def ws(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """Three projects, and no racy margin (tests write files and read them back in one tick)."""
    monkeypatch.setattr(summary_cache, "RACY_SECONDS", -1.0)
    for title in ("Alpha idea", "Beta idea", "Gamma idea"):
        ws.new_project(title, "mini", idea="An idea")
    return ws


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every ledger the workspace reads (each one is a project summarised again)."""
    seen: list[Path] = []
    original = ledger.read

    def read(path: Path) -> ledger.LedgerRead:
        seen.append(Path(path))
        return original(path)

    monkeypatch.setattr(ledger, "read", read)
    return seen


def _fresh(ws: Workspace) -> list[dict[str, object]]:
    return [ws.summary(slug).to_dict() for slug in ws.project_slugs()]


def test_an_unchanged_workspace_is_listed_without_reading_a_ledger(ws: Workspace,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    first = [s.to_dict() for s in ws.list_projects()]
    assert first == _fresh(ws)
    reads = _reads(monkeypatch)
    assert [s.to_dict() for s in ws.list_projects()] == first
    assert reads == []


def test_a_new_event_recomputes_that_project_only(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.list_projects()
    ws.project("beta-idea").append(ledger.RATING, variant="claude-code", scores={"works": 4})
    reads = _reads(monkeypatch)
    listed = {s.slug: s for s in Workspace(ws.root).list_projects()}
    assert [p.parent.name for p in reads] == ["beta-idea"]
    assert listed["beta-idea"].ratings == 1 and listed["beta-idea"].average_rating == 4.0
    assert [s.to_dict() for s in listed.values()] == _fresh(ws)


def test_a_spec_edit_shows_at_once(ws: Workspace) -> None:
    ws.list_projects()
    spec = ws.project("alpha-idea").spec_path
    spec.write_text(spec.read_text().replace("title: Alpha idea", "title: Alpha, renamed"))
    assert {s.slug: s.title for s in ws.list_projects()}["alpha-idea"] == "Alpha, renamed"


def test_a_variant_added_or_removed_changes_the_key(ws: Workspace) -> None:
    folder = str(ws.project("alpha-idea").path)
    before = summary_cache.project_key(folder)
    (ws.project("alpha-idea").variants_dir / "new-assistant").mkdir()
    assert summary_cache.project_key(folder) != before


def test_a_union_merge_with_the_same_size_and_mtime_is_still_seen(ws: Workspace,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """git writes the merged ledger as a new file; a tool may even put the old mtime back. The
    inode and the ctime (which nothing can set back) still tell."""
    ws.list_projects()
    path = ws.project("gamma-idea").ledger_path
    old = path.stat()
    events = [json.loads(line) for line in path.read_text().splitlines()]
    events[0]["title"] = "Gamma idea".upper()  # same length: same size
    merged = path.with_name("ledger.merged")
    merged.write_text("".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events))
    assert merged.stat().st_size == old.st_size
    os.replace(merged, path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    reads = _reads(monkeypatch)
    ws.list_projects()
    assert [p.parent.name for p in reads] == ["gamma-idea"]
    # Rewritten in place (the same inode), size and mtime put back: the ctime moved.
    reads.clear()
    with path.open("r+b") as handle:
        handle.write(path.read_bytes())
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
    time.sleep(0.01)
    ws.list_projects()
    assert [p.parent.name for p in reads] == ["gamma-idea"]


def test_inputs_touched_just_now_are_not_vouched_for(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The racy case: a change in the same timestamp tick as the read could keep every number, so a
    summary of inputs touched within the racy margin is computed again next time."""
    monkeypatch.setattr(summary_cache, "RACY_SECONDS", 3600.0)
    ws.list_projects()
    reads = _reads(monkeypatch)
    ws.list_projects()
    assert len(reads) == 3


def test_deleted_projects_leave_the_cache_and_a_moved_workspace_starts_afresh(ws: Workspace, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    ws.list_projects()
    shutil.rmtree(ws.project("beta-idea").path)
    assert [s.slug for s in ws.list_projects()] == ["alpha-idea", "gamma-idea"]
    cached = json.loads((ws.projects_dir / SUMMARY_CACHE).read_text())
    assert sorted(cached["projects"]) == ["alpha-idea", "gamma-idea"]
    moved = tmp_path / "moved"
    shutil.copytree(ws.root, moved)  # the same keys cannot be trusted for another folder's projects
    reads = _reads(monkeypatch)
    assert [s.slug for s in Workspace(moved).list_projects()] == ["alpha-idea", "gamma-idea"]
    assert len(reads) == 2


def test_a_damaged_or_foreign_cache_is_ignored(ws: Workspace) -> None:
    expected = [s.to_dict() for s in ws.list_projects()]
    cache = ws.projects_dir / SUMMARY_CACHE
    cache.write_text("{not json")
    assert [s.to_dict() for s in ws.list_projects()] == expected
    data = json.loads(cache.read_text())
    data["context"] = [*data["context"][:1], "title"]  # written by a program with other summary fields
    cache.write_text(json.dumps(data))
    assert [s.to_dict() for s in ws.list_projects()] == expected


def test_the_workspace_names_the_spec_file_as_the_spec_module_does() -> None:
    from sandbox import workspace
    from sandbox.make import spec

    assert workspace.SPEC_FILE == spec.SPEC_FILE


def test_a_project_whose_spec_does_not_load_is_read_again_each_time(ws: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Its message names project.yaml relative to the current folder, which may differ next time."""
    ws.project("beta-idea").spec_path.write_text("title: [unclosed\n")
    assert {s.slug: s.error is not None for s in ws.list_projects()} == {
        "alpha-idea": False, "beta-idea": True, "gamma-idea": False}
    reads = _reads(monkeypatch)
    assert next(s for s in ws.list_projects() if s.slug == "beta-idea").error
    assert [p.parent.name for p in reads] == ["beta-idea"]


def test_git_never_sees_the_cache(ws: Workspace) -> None:
    """Its keys are this machine's inodes and ctimes: committed, it would only conflict."""
    import subprocess

    ws.list_projects()
    subprocess.run(["git", "init", "-q", str(ws.root)], check=True)
    status = subprocess.run(["git", "-C", str(ws.root), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert "alpha-idea/project.yaml" in status and "summaries" not in status
