"""Give a variant assistant work, as a run with a hook would leave it: a changed file and an ``edit`` event.

Why: a blind comparison of two untouched copies is refused (issue 11), so every test that compares
needs variants that differ and carry work attributed to their assistants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.core import ledger

if TYPE_CHECKING:
    from sandbox.workspace import Workspace


def give_work(ws: Workspace, slug: str, variant: str, name: str = "work.html", text: str | None = None) -> None:
    """Write ``name`` in ``variant`` (a text that names nobody, different per variant) and record the edit."""
    project = ws.project(slug)
    (project.variant_dir(variant) / name).write_text(text or f"<p>version {sum(map(ord, variant))}</p>\n")
    project.append(ledger.EDIT, variant=variant, assistant=variant, session="test-work", mode="session", file=name,
                   source="hook")
