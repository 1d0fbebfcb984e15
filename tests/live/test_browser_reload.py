"""Live reload in real headless Chromium: CSS swaps in place, HTML reloads, spec errors overlay.

In CI (env CI set) a missing Chromium fails the test; on a laptop without it, the test skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.live.loop import LiveProject
from tests.support.browser import chromium
from tests.support.preview import make_live_workspace, wait_for, write_via_rename

pytestmark = [pytest.mark.browser]

WAIT_MS = 15_000
CONNECTED = "window.__sandboxLiveReload && window.__sandboxLiveReload.state === 'open'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Any, LiveProject]]:
    ws, slug = make_live_workspace(tmp_path / "ws")
    project = LiveProject(ws, slug, debounce_ms=30, record_changes=lambda *a: None).start()
    yield ws.project(slug), project
    project.stop()


def color(page: Any) -> str:
    return page.eval_on_selector("#headline", "el => getComputedStyle(el).color")


def test_css_html_and_spec_errors_in_a_real_browser(browser: Any, live: tuple[Any, LiveProject]) -> None:
    project, lp = live
    variant = project.variant_dir("claude-code")
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(lp.start_preview("claude-code"))
        page.wait_for_function(CONNECTED)
        assert color(page) == "rgb(0, 0, 255)"
        assert page.text_content("#headline") == "Hello"

        # CSS: new style applied in place; the page is not reloaded (JS state, form, scroll stay)
        page.fill("#name", "Ada")
        page.evaluate("window.scrollTo(0, 400); window.__marker = 'kept'")
        write_via_rename(variant / "style.css", "h1 { color: rgb(255, 0, 0); }\n")
        page.wait_for_function("getComputedStyle(document.getElementById('headline')).color === 'rgb(255, 0, 0)'")
        assert page.evaluate("window.__marker") == "kept"
        assert page.input_value("#name") == "Ada"
        assert page.evaluate("window.scrollY") == 400
        assert page.evaluate("window.__sandboxLiveReload.swaps") == 1
        assert page.evaluate("document.querySelectorAll('link[rel=stylesheet]').length") == 1

        # HTML: the page reloads and shows the new text
        index = variant / "index.html"
        index.write_text(index.read_text().replace(">Hello<", ">Changed by hand<"))
        page.wait_for_function("document.getElementById('headline').textContent === 'Changed by hand'")
        assert page.evaluate("window.__marker") is None  # it really reloaded
        page.wait_for_function(CONNECTED)

        # a broken project.yaml: overlay with the line number, last good page underneath
        spec = project.spec_path
        good = spec.read_text()
        lines = good.splitlines()
        broken = next(i for i, line in enumerate(lines) if line.startswith("assistants:"))
        lines[broken] = "assistants: [claude-code"
        spec.write_text("\n".join(lines) + "\n")
        overlay = page.locator("sandbox-error-overlay .where")
        overlay.wait_for(state="visible")
        assert lp.error is not None and lp.error["line"]
        assert f"line {lp.error['line']}" in overlay.text_content()
        assert "project.yaml" in overlay.text_content()
        assert page.locator("sandbox-error-overlay .message").text_content().strip()
        assert page.text_content("#headline") == "Changed by hand"

        # a reload while broken keeps the overlay
        page.reload()
        page.locator("sandbox-error-overlay .where").wait_for(state="visible")

        # fixed: overlay gone and the re-rendered text shown (the hand-edited index is kept, so
        # take the new render: delete the edit and let the spec fix re-create it)
        index.write_text((variant / "index.html").read_text().replace(">Changed by hand<", ">Hello<"))
        spec.write_text(good.replace("headline: Hello", "headline: Re-rendered"))
        page.wait_for_function("document.getElementById('headline').textContent === 'Re-rendered'")
        page.locator("sandbox-error-overlay").wait_for(state="detached")
        assert page.locator("sandbox-error-overlay").count() == 0
    finally:
        page.close()


def test_many_tabs_and_a_closed_tab(browser: Any, live: tuple[Any, LiveProject]) -> None:
    project, lp = live
    url = lp.start_preview("copilot")
    server = lp.server("copilot")
    context = browser.new_context()
    try:
        pages = [context.new_page() for _ in range(3)]
        for page in pages:
            page.set_default_timeout(WAIT_MS)
            page.goto(url)
            page.wait_for_function(CONNECTED)
        pages[0].close()
        write_via_rename(project.variant_dir("copilot") / "style.css", "h1 { color: rgb(0, 128, 0); }\n")
        for page in pages[1:]:
            page.wait_for_function(
                "getComputedStyle(document.getElementById('headline')).color === 'rgb(0, 128, 0)'")
        wait_for(lambda: server.client_count == 2)  # the closed tab is no longer counted
    finally:
        context.close()


def test_a_restarted_preview_picks_up_its_new_token(browser: Any, live: tuple[Any, LiveProject]) -> None:
    """`sandbox preview --port N` stopped and started again: open tabs must come back to life."""
    project, lp = live
    url = lp.start_preview("claude-code")
    port = lp.server("claude-code").port
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(url)
        page.wait_for_function(CONNECTED)
        lp.stop_preview("claude-code")
        assert lp.start_preview("claude-code", port=port) == url
        token = lp.server("claude-code").token
        page.wait_for_function(
            f"document.querySelector('script[data-sandbox-token]').dataset.sandboxToken === '{token}'")
        page.wait_for_function(CONNECTED)
        write_via_rename(project.variant_dir("claude-code") / "style.css", "h1 { color: rgb(255, 0, 0); }\n")
        page.wait_for_function("getComputedStyle(document.getElementById('headline')).color === 'rgb(255, 0, 0)'")
    finally:
        page.close()


def test_a_page_whose_first_stream_is_refused_does_not_reload(browser: Any, live: tuple[Any, LiveProject]) -> None:
    """The restart reload happens only after a stream was open: a refusal never loops."""
    _, lp = live
    url = lp.start_preview("claude-code")
    server = lp.server("claude-code")
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.route("**/__sandbox/events*", lambda route: route.fulfill(status=403, body="forbidden"))
        page.goto(url)
        page.evaluate("window.__marker = 'first load'")
        page.wait_for_function("window.__sandboxLiveReload.state === 'closed'")
        page.wait_for_timeout(1500)
        assert page.evaluate("window.__marker") == "first load"
        assert server.client_count == 0
    finally:
        page.close()
