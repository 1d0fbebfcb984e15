"""Shared by the compare tests: a project with two variants and the ledger events of one kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One PostgreSQL server for the whole session (each test gets its own database)."""
    from tests.support.postgres import server

    with server() as url:
        yield url


@pytest.fixture
def postgres(postgres_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh database for one test: its postgresql:// address."""
    import re
    import uuid

    from tests.support.postgres import new_database

    name = re.sub(r"\W", "_", request.node.name)[:40].lower() + "_" + uuid.uuid4().hex[:6]
    return new_database(postgres_server, name)
