"""A side of a blind comparison shown without its name: links, file URLs and served previews."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sandbox.compare import blind, blind_preview
from sandbox.workspace import Workspace
from tests.compare.conftest import NAMES


def test_blind_file_url_names_nobody(ws: Workspace, project: str) -> None:
    comparison = blind.start_comparison(ws, project)
    for side in ("A", "B"):
        url = blind_preview.blind_file_url(ws, comparison, side)
        assert url.startswith("file://") and url.endswith(f"/{side}/index.html")
        assert not any(name in url for name in NAMES)
        path = Path(url.removeprefix("file://"))
        assert path.resolve() == (ws.project(project).variant_dir(comparison.variant(side)) / "index.html").resolve()
    assert (ws.project(project).state_dir / "compare" / ".gitignore").read_text() == "*\n"


def test_blind_previews_hide_the_briefs_that_name_the_assistant(ws: Workspace, project: str) -> None:
    import urllib.error
    import urllib.request

    # Every identity marker (issue 11), at any depth; the other files of the same folders are served.
    identity = ("CLAUDE.md", "AGENTS.md", ".github/copilot-instructions.md", "docs/AGENTS.md", "pages/claude.md",
                ".claude/settings.json", ".github/hooks/edit.json")
    for variant in ("claude-code", "copilot"):
        folder = ws.project(project).variant_dir(variant)
        for rel in identity:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(f"{variant}\n")
        (folder / "docs" / "notes.txt").write_text("plain notes\n")
    comparison = blind.start_comparison(ws, project, rng=random.Random(3))
    urls, servers = blind_preview.serve_blind(ws, comparison)
    try:
        for side, url in urls.items():
            assert "claude" not in url and "copilot" not in url
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
            root = url.rsplit("/", 1)[0]
            with urllib.request.urlopen(f"{root}/docs/notes.txt", timeout=10) as response:
                assert response.status == 200
            for brief in identity:
                with pytest.raises(urllib.error.HTTPError) as info:
                    urllib.request.urlopen(f"{root}/{brief}", timeout=10)
                assert info.value.code == 404, (side, brief)
    finally:
        for server in servers:
            server.stop()


def test_a_blind_link_survives_moving_the_workspace(ws: Workspace, project: str, tmp_path: Path) -> None:
    """The link is relative: a workspace moved (or synced to another path) still shows side A."""
    comparison = blind.start_comparison(ws, project)
    link = blind_preview.blind_location(ws, comparison, "A")
    assert link.is_symlink() and not any(name in str(link) for name in NAMES)
    moved = tmp_path / "moved"
    ws.root.rename(moved)
    shown = moved / link.relative_to(ws.root) / "index.html"
    assert shown.read_text() == (Workspace(moved).project(project).variant_dir(comparison.a) / "index.html").read_text()
