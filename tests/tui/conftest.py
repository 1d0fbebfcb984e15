"""Fixtures of the app's tests: a workspace with the small ``mini`` template of ``tests.support.tui``.

The helpers that drive the app (``make_app``, ``press``, ``click``, ``wait_for``, ``open_project``...)
are in ``tests/support/tui.py``: every test file imports them from there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.workspace import Workspace
from tests.support.tui import make_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace with the ``mini`` template (one question of every kind) and the built-ins."""
    return Workspace(make_workspace(tmp_path / "ws"))
