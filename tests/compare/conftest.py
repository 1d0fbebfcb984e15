"""Shared by the compare tests: a project with two variants and the ledger events of one kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.conftest import CliResult
from tests.support.work import give_work

# Every way an assistant could be named: none may show before the vote.
NAMES = ("claude-code", "Claude Code", "copilot", "Copilot", "codex", "Codex")

Cli = Callable[..., CliResult]  # the ``cli`` fixture: runs ``python -m sandbox ARGS`` in the workspace


@pytest.fixture
def project(ws: Workspace) -> str:
    slug = str(ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"]).slug)
    for variant in ("claude-code", "copilot"):
        give_work(ws, slug, variant)  # an untouched pair is refused (issue 11)
    return slug


def kinds(ws: Workspace, slug: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in ledger.read(ws.project(slug).ledger_path).events if e["kind"] == kind]
