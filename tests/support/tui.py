"""Shared helpers for the TUI tests: a small workspace template, fixed clocks, waiting on conditions.

The template lives in the test workspace's ``templates/`` folder, so edits to the built-in
templates never change these tests' screens.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FIXED_NOW = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)

MINI_TEMPLATE = """\
title: Mini page
description: A tiny test page with one question of every kind
category: testing
entry: index.html
questions:
  - name: headline
    type: str
    default: Hello
    min: 1
    max: 40
    help: The headline at the top.
  - name: blurb
    type: text
    default: A short blurb.
    help: A sentence under the headline.
  - name: seats
    type: int
    default: 3
    min: 1
    max: 9
    help: How many seats (1 to 9).
  - name: dark
    type: bool
    default: false
    help: Use a dark background.
  - name: layout
    type: choice
    default: wide
    choices: [wide, narrow]
    help: Page width.
  - name: accent
    type: color
    default: "#336699"
    help: Main colour.
  - name: things
    type: list
    default: [One, Two]
    min: 1
    max: 5
    help: Things to list.
"""

MINI_INDEX = """\
<!doctype html>
<html><head><title>{{ project.title }}</title></head>
<body style="--accent: {{ vars.accent }}">
<h1>{{ vars.headline }}</h1>
<p>{{ vars.blurb }}</p>
<ul>{% for item in vars.things %}<li>{{ item }}</li>{% endfor %}</ul>
</body></html>
"""


def make_workspace(root: Path) -> Path:
    """A workspace with the ``mini`` template (and the built-ins next to it)."""
    files = root / "templates" / "mini" / "files"
    files.mkdir(parents=True)
    (root / "templates" / "mini" / "template.yaml").write_text(MINI_TEMPLATE)
    (files / "index.html.j2").write_text(MINI_INDEX)
    (root / "projects").mkdir()
    return root


def add_project(workspace: Any, title: str, *, at: str = "2026-01-01T09:00:00.000Z", **fields: Any) -> Any:
    """Create a project through the core API with a fixed ledger time (for stable screens)."""
    from sandbox.core import ledger

    original = ledger.utc_now
    ledger.utc_now = lambda: at  # type: ignore[assignment]
    try:
        return workspace.new_project(title, fields.pop("template", "mini"), **fields)
    finally:
        ledger.utc_now = original  # type: ignore[assignment]


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Pause the pilot until ``condition()`` is truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


def steady_cursors(app: Any) -> None:
    """No blinking cursor in a snapshot."""
    from textual.widgets import Input, TextArea

    for widget in app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await asyncio.sleep(0)
    await pilot.pause()
