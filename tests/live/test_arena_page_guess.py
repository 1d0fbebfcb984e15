"""The side-by-side page asks "Who do you think made A?" after the vote and its reason, before the
reveal (issues 11 and 13), in real headless Chromium; the guess lands on the page's ``vote`` event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.live.test_arena_page import WAIT_MS, Served, serve_page
from tests.live.test_arena_page import browser as browser

pytestmark = [pytest.mark.browser]


@pytest.fixture
def served(ws: Workspace) -> Iterator[Served]:
    with serve_page(ws, ask_guess=True) as ready:
        yield ready


def vote_until_asked(browser: Any, served: Served) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(served.page.url)
    page.wait_for_function("window.__sandboxArena && window.__sandboxArena.ready")
    assert page.is_hidden("#guess-box")
    # no name anywhere in the page before the vote: not in its HTML, its state, nor what it has fetched
    seen = page.content() + page.evaluate("JSON.stringify(window.__sandboxArena)")
    seen += page.evaluate("fetch('/__sandbox/arena.json').then(r => r.text())")
    assert not any(name in seen for name in ("Claude", "Copilot")), "an assistant named before the vote"
    page.fill("#reason", "B is clearer")
    page.click("button[value=B]")
    page.wait_for_selector("#guess-box", state="visible")
    return context, page


def test_the_page_asks_who_made_a_before_the_reveal_and_records_the_guess(browser: Any, served: Served) -> None:
    context, page = vote_until_asked(browser, served)
    try:
        labels = page.locator("#guess-choices button").all_text_contents()
        assert sorted(labels[:2]) == ["Claude Code", "GitHub Copilot"] and labels[2:] == ["Not sure", "Skip"]
        assert served.votes() == [] and page.evaluate("window.__sandboxArena.result") is None
        page.click(f"#guess-choices button[data-guess='{served.comparison.a_assistant}']")
        page.wait_for_function("window.__sandboxArena.result !== null")
        assert "You preferred B" in page.text_content("#message")
    finally:
        context.close()
    [vote] = served.votes()
    assert vote["via"] == "page" and vote["winner"] == "B" and vote["reason"] == "B is clearer"
    assert vote["guess_a"] == served.comparison.a_assistant and vote["guess_correct"] is True


def test_the_guess_on_the_page_can_be_skipped(browser: Any, served: Served) -> None:
    context, page = vote_until_asked(browser, served)
    try:
        page.click("#guess-choices button[data-guess='']")
        page.wait_for_function("window.__sandboxArena.result !== null")
    finally:
        context.close()
    [vote] = served.votes()
    assert vote["via"] == "page" and "guess" not in vote
    assert [e for e in ledger.read(served.ws.project(served.comparison.project).ledger_path).events
            if e["kind"] == ledger.VOTE] == [vote]
