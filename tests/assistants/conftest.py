"""Fixtures of the assistant tests: the real CLIs (found once per session; see tests/support/real_clis.py)."""

from __future__ import annotations

import pytest

from tests.support.real_clis import RealClis, find_clis


@pytest.fixture(scope="session")
def real_clis() -> RealClis:
    """Claude Code and the Copilot CLI as .ci/run installs them; a failure in CI when one is missing."""
    return find_clis()
