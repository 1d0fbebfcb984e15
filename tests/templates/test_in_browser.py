"""Every shipped template, created with `sandbox new`, opens from disk in real Chromium and works.

This is what a designer does first: create a project and double-click index.html. The page must
load with no JavaScript error, show the idea's title, make no network request, and respond.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.workspace import Workspace
from tests.support.browser import chromium

TEMPLATES = ["landing-page", "clickable-mockup", "form-survey", "dashboard", "chat-assistant", "crud-app"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace(tmp_path_factory.mktemp("browser-ws"))
    for name in TEMPLATES:
        ws.new_project(
            f"Expense approvals {name}",
            name,
            idea="Managers approve team expenses from their phone",
            audience="Team leads",
            success="Approve a claim in under 10 seconds",
        )
    return ws


@pytest.mark.browser
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_opens_from_disk_without_errors(browser: Any, created: Workspace, name: str) -> None:
    template = created.template(name)
    for variant in ("claude-code", "copilot"):
        entry = created.project(f"expense-approvals-{name}").variant_dir(variant) / template.entry
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda req, requests=requests: requests.append(req.url))
        page.goto(entry.as_uri())
        page.wait_for_load_state("load")
        assert f"Expense approvals {name}" in page.title()
        assert page.locator("main").first.is_visible()
        assert errors == [], f"{name}/{variant}: {errors}"
        outside = [u for u in requests if not u.startswith(("file://", "data:", "blob:", "about:"))]
        assert outside == [], f"{name} made network requests: {outside}"
        page.close()


@pytest.mark.browser
def test_pages_fit_a_phone_screen(browser: Any, created: Workspace) -> None:
    for name in TEMPLATES:
        entry = created.project(f"expense-approvals-{name}").variant_dir("copilot") / created.template(name).entry
        page = browser.new_page(viewport={"width": 375, "height": 740})
        page.goto(entry.as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} scrolls sideways on a phone ({overflow}px)"
        page.close()
