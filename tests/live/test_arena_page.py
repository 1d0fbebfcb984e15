"""The side-by-side page in real headless Chromium: both frames load, one width switch sizes both,
no assistant name anywhere before the vote, a vote from the page lands in the ledger once (the same
``vote`` event the app records), and a request without the token or from another origin is refused.

The page is wired as the Compare screen wires it: blind previews for the frames and
``arena.cast_vote`` for the vote. In CI a missing Chromium fails the test (``tests.support.browser``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.compare import arena, blind, blind_preview, rubric
from sandbox.compare.blind import Comparison
from sandbox.core import ledger
from sandbox.live.arena_page import TOKEN_HEADER, VOTE_PATH, ArenaPage
from sandbox.live.preview import PreviewServer
from sandbox.workspace import Workspace
from tests.support.browser import chromium

pytestmark = [pytest.mark.browser]

WAIT_MS = 15_000
NAMES = ("claude", "copilot", "codex", "github")  # looked for case-insensitively
REVEAL = {"claude-code": "Claude Code", "copilot": "GitHub Copilot"}


@dataclass
class Served:
    ws: Workspace
    comparison: Comparison
    page: ArenaPage
    frames: dict[str, str]
    previews: list[PreviewServer]

    def votes(self) -> list[dict[str, Any]]:
        path = self.ws.project(self.comparison.project).ledger_path
        return [e for e in ledger.read(path).events if e["kind"] == ledger.VOTE]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


@pytest.fixture
def served(ws: Workspace) -> Iterator[Served]:
    with serve_page(ws) as ready:
        yield ready


@contextmanager
def serve_page(ws: Workspace, *, ask_guess: bool = False) -> Iterator[Served]:
    """A pair and its page, as the Compare screen wires them (``ask_guess``: who made A? is asked)."""
    created = ws.new_project("Expense approvals", "mini", assistants=["claude-code", "copilot"])
    comparison = arena.record_build_order(ws, created.slug, created.variants)
    frames, previews = blind_preview.serve_blind(ws, comparison)

    def on_vote(payload: dict[str, Any]) -> dict[str, Any]:
        return arena.cast_vote(ws, comparison, str(payload.get("winner") or ""),
                               reason=str(payload.get("reason") or "") or None, scores=payload.get("scores"),
                               guess=str(payload.get("guess") or "") or None, via="page").to_dict()

    criteria = [c.to_dict() for c in rubric.rubric(ws)]
    ids = (comparison.b_assistant, comparison.a_assistant)
    guess = [{"id": i, "label": blind.assistant_name(ws, i)} for i in ids] if ask_guess else None
    page = ArenaPage(frames, criteria, on_vote, title="Expense approvals", guess=guess)
    page.start()
    try:
        yield Served(ws, comparison, page, frames, previews)
    finally:
        page.stop()
        for server in previews:
            server.stop()


def post_vote(url: str, *, token: str | None, origin: str | None, host: str | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers[TOKEN_HEADER] = token
    if origin is not None:
        headers["Origin"] = origin
    if host is not None:
        headers["Host"] = host
    request = urllib.request.Request(url.rstrip("/") + VOTE_PATH, method="POST", headers=headers,
                                     data=json.dumps({"winner": "A", "reason": "sneaky"}).encode())
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def frame_widths(page: Any) -> list[float]:
    return [page.eval_on_selector(f"#frame-{side}", "el => el.getBoundingClientRect().width") for side in "ab"]


def test_both_frames_one_width_switch_no_names_and_a_vote_that_lands_once(browser: Any, served: Served) -> None:
    context = browser.new_context(viewport={"width": 1900, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(served.page.url)
        page.wait_for_function("window.__sandboxArena && window.__sandboxArena.ready")
        # Both frames load their prototype (the blind previews, served).
        for side in ("A", "B"):
            frame = page.locator(f"#frame-{side.lower()}").element_handle().content_frame()
            assert frame is not None
            frame.wait_for_load_state("load")
            assert frame.url == served.frames[side]
            frame.wait_for_function("document.body && document.body.innerText.trim().length > 0")

        # No assistant name anywhere: the page, its state, both frames.
        texts = [page.content(), json.dumps(served.page.state())]
        texts += [frame.content() for frame in page.frames if frame is not page.main_frame]
        assert len(texts) == 4
        for text in texts:
            for name in NAMES:
                assert name not in text.lower(), f"{name!r} in the page before the vote"

        # One width switch, applied to both frames.
        desktop = frame_widths(page)
        assert desktop[0] == desktop[1] and desktop[0] > 768
        page.click("button[data-width=phone]")
        page.wait_for_function("window.__sandboxArena.width === 'phone'")
        assert frame_widths(page) == [390, 390]
        page.click("button[data-width=tablet]")
        assert frame_widths(page) == [768, 768]
        assert page.get_attribute("button[data-width=tablet]", "aria-pressed") == "true"
        assert page.get_attribute("button[data-width=phone]", "aria-pressed") == "false"

        # The reason is asked before the vote: a reflex click records nothing.
        page.click("button[value=B]")
        page.wait_for_function("document.getElementById('message').textContent.startsWith('Why?')")
        assert page.evaluate("document.activeElement.id") == "reason"
        assert served.votes() == []

        # With a reason and a score, the vote lands, with the reveal on the page.
        page.fill("#reason", "B is clearer")
        page.locator("details#rubric-box summary").click()
        page.select_option("select[name='B:works']", "4")
        page.click("button[value=B]")
        page.wait_for_function("window.__sandboxArena.result !== null")
        b_name = REVEAL[served.comparison.b_assistant]
        assert f"You preferred B ({b_name})" in page.text_content("#message")
        assert "chosen" in (page.get_attribute("button[value=B]", "class") or "")
        assert page.is_disabled("button[value=A]")

        # A second vote from the page (a stale tab, a double click) is refused: the vote lands once.
        status = page.evaluate(
            """token => fetch('/__sandbox/vote', {method: 'POST', body: JSON.stringify({winner: 'A'}),
                 headers: {'Content-Type': 'application/json', 'X-Sandbox-Token': token}}).then(r => r.status)""",
            served.page.token,
        )
        assert status == 409
    finally:
        context.close()
    [vote] = served.votes()
    assert vote["comparison"] == served.comparison.id and vote["winner"] == "B"
    assert vote["reason"] == "B is clearer" and vote["winner_assistant"] == served.comparison.b_assistant
    ratings = [e for e in ledger.read(served.ws.project(served.comparison.project).ledger_path).events
               if e["kind"] == ledger.RATING]
    assert [(e["side"], e["scores"]) for e in ratings] == [("B", {"works": 4})]


def test_a_vote_without_the_token_or_from_another_origin_is_refused(browser: Any, served: Served) -> None:
    url, token = served.page.url, served.page.token
    origin = url.rstrip("/")
    assert post_vote(url, token=None, origin=origin) == 403
    assert post_vote(url, token="not-the-token", origin=origin) == 403
    assert post_vote(url, token=token, origin="http://evil.example") == 403
    assert post_vote(url, token=token, origin=None) == 403  # a browser always says where it comes from
    assert post_vote(url, token=token, origin=origin, host="evil.example") == 403  # DNS rebinding

    # A real page of another origin (prototype A's own server) trying both ways a browser allows.
    page = browser.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(served.frames["A"])
        outcome = page.evaluate(
            """([url, token]) => Promise.all([
                 fetch(url, {method: 'POST', mode: 'no-cors', body: '{"winner": "A"}',
                             headers: {'Content-Type': 'text/plain'}}).then(() => 'sent', () => 'failed'),
                 fetch(url, {method: 'POST', body: '{"winner": "A"}',
                             headers: {'Content-Type': 'application/json', 'X-Sandbox-Token': token}})
                   .then(r => 'answered ' + r.status, () => 'blocked'),
               ])""",
            [url.rstrip("/") + VOTE_PATH, token],
        )
        assert outcome[1] == "blocked"  # the preflight is refused, so the request is never sent
    finally:
        page.close()
    assert served.votes() == []
    assert served.page.result is None
