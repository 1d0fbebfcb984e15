"""Fixtures shared by the watcher's tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small folder to watch: a page and its stylesheet."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<h1>one</h1>")
    (root / "style.css").write_text("h1{}")
    return root
