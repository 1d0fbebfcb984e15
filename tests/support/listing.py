"""Which folders a walk lists: ``os.scandir`` recorded, as paths relative to the walk's root.

Why: the walk's promises about speed are promises about listing (an ignored folder is never
entered; an unchanged folder is not listed again), so the tests count the listings themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def record_listings(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    """The folders ``os.scandir`` is asked for from now on, relative to ``root`` ("." for itself)."""
    listed: list[str] = []
    real = os.scandir

    def recording(path: str) -> object:
        listed.append(Path(os.path.relpath(path, root)).as_posix())
        return real(path)

    monkeypatch.setattr(os, "scandir", recording)
    return listed
