"""The side-by-side page: prototypes A and B next to each other in one browser tab, and the vote.

Why a page of its own: a designer compares by looking, and two browser windows side by side are
fiddly; one tab with two frames, one width switch (desktop, tablet, phone) applied to both, and the
vote, the reason and the rubric under them, is the whole comparison in one place.

It is a ``PreviewServer`` over the page's own files (``arena/`` in this package), so it has every
protection of the preview: 127.0.0.1 only, the Host check, no dot-files, ``nosniff``, and the
random token, here required on the one request that changes something: ``POST /__sandbox/vote``
must carry the token in ``X-Sandbox-Token``, come from the page's own origin (``Origin``,
``Sec-Fetch-Site``) as JSON. The page reads the token from the script tag the server injects (other
origins cannot read our HTML), so a web page elsewhere cannot vote.

The page knows no side's name: ``/__sandbox/arena.json`` gives the frames' addresses (neutral blind
previews), the rubric, whether "Who do you think made A?" is asked and, once voted, the reveal. The
two names for that question (in a random order, which says nothing) come from ``/__sandbox/guess.json``,
which the page asks for only once the rater has chosen and given the reason, so no name is in the
page while the rater is still looking. What a vote does is the caller's: ``on_vote``
gets the posted JSON (``winner``, ``reason``, ``scores``, and ``guess``: the id the rater thinks made
A, ``unsure``, or absent when skipped) on the server's thread and returns what
the page shows, or raises a ``SandboxError`` whose message the page shows. ``announce`` tells open
pages that a vote arrived from elsewhere (the app), over the preview's event channel.

This module comes before ``compare`` in the flow, so it records nothing itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.core.errors import SandboxError
from sandbox.live.preview import PREFIX, PreviewServer, _event, _Handler

STATE_PATH = PREFIX + "arena.json"
GUESS_PATH = PREFIX + "guess.json"
VOTE_PATH = PREFIX + "vote"
TOKEN_HEADER = "X-Sandbox-Token"
MAX_VOTE_BYTES = 64 * 1024
PAGE_DIR = Path(__file__).with_name("arena")

VoteHandler = Callable[[dict[str, Any]], Mapping[str, Any]]


class _ArenaHandler(_Handler):
    """The preview's handler, plus the page's state (GET) and the vote (POST)."""

    @property
    def page(self) -> ArenaPage:
        page = self.server.preview
        assert isinstance(page, ArenaPage)  # only ArenaPage uses this handler
        return page

    def _json(self, status: HTTPStatus, data: Mapping[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=True).encode("ascii")
        self._send(status, body, "application/json; charset=utf-8")

    def _respond(self, *, head: bool) -> None:
        path = urlsplit(self.path).path
        if path in (STATE_PATH, GUESS_PATH) and self.page.host_allowed(self.headers.get("Host")):
            data = self.page.state() if path == STATE_PATH else {"guess": self.page.guess or []}
            body = json.dumps(data, ensure_ascii=True).encode("ascii")
            self._send(HTTPStatus.OK, body, "application/json; charset=utf-8", head=head)
            return
        super()._respond(head=head)

    def do_POST(self) -> None:
        page = self.page
        if not page.host_allowed(self.headers.get("Host")):
            self._plain(HTTPStatus.FORBIDDEN, "forbidden host")
            return
        if urlsplit(self.path).path != VOTE_PATH:
            self._refuse_method()
            return
        origin = self.headers.get("Origin")
        token = self.headers.get(TOKEN_HEADER) or ""
        if origin is None or not page.events_allowed(token, origin, self.headers.get("Sec-Fetch-Site")):
            self._plain(HTTPStatus.FORBIDDEN, "forbidden")
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
            self._plain(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON")
            return
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if not 0 < length <= MAX_VOTE_BYTES or self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            self._plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > MAX_VOTE_BYTES else HTTPStatus.BAD_REQUEST,
                        "bad request")
            return
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            payload = None
        if not isinstance(payload, dict):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "the vote must be a JSON object"})
            return
        try:
            result = page.vote(payload)
        except SandboxError as exc:
            self._json(HTTPStatus.CONFLICT, {"error": exc.message})
            return
        self._json(HTTPStatus.OK, result)

    def _unread_body(self) -> bool:
        """A vote's body is read in full; any other request with a body closes its connection."""
        return self.command != "POST" and super()._unread_body()


class ArenaPage(PreviewServer):
    """``ArenaPage(frames, criteria, on_vote, title=)``: serve the side-by-side page on 127.0.0.1.

    ``frames``: ``{"A": url, "B": url}`` (blind previews); ``criteria``: ``[{id, label, hint}]``.
    ``url`` is the page to open. Thread-safe: ``announce`` and the vote may come from any thread.
    """

    handler_class = _ArenaHandler

    def __init__(
        self, frames: Mapping[str, str], criteria: list[Mapping[str, str]], on_vote: VoteHandler, *,
        title: str = "", port: int = 0, guess: Sequence[Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__(PAGE_DIR, port=port)
        self.frames = dict(frames)
        self.criteria = [dict(c) for c in criteria]
        self.title = title
        # The blinding check asked after the vote, before the reveal: "Who do you think made A?"
        # ``[{id, label}]`` in a random order (the order says nothing); None: not asked.
        self.guess = [dict(c) for c in guess] if guess else None
        self.on_vote = on_vote
        self._state_lock = threading.Lock()
        self.result: dict[str, Any] | None = None  # once voted: what the page shows (the reveal)

    def state(self) -> dict[str, Any]:
        """What the page shows: the frames, the rubric, and the result once there is one."""
        with self._state_lock:
            result = dict(self.result) if self.result is not None else None
        return {"title": self.title, "frames": self.frames, "criteria": self.criteria, "result": result,
                "ask_guess": bool(self.guess)}

    def vote(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A vote posted by the page: handed to ``on_vote`` once; later posts get the first result."""
        with self._state_lock:
            if self.result is not None:
                raise SandboxError("this comparison already has a vote")
        result = dict(self.on_vote(payload))
        self.announce(result)
        return result

    def announce(self, result: Mapping[str, Any]) -> int:
        """Show ``result`` (the reveal) on every open page, e.g. after a vote made in the app."""
        with self._state_lock:
            self.result = dict(result)
        return self._hub.broadcast(_event("voted", dict(result)))
