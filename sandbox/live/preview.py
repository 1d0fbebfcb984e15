"""A local preview server for one variant, with live reload over Server-Sent Events.

Why the standard library: a designer's laptop has no build tools, the server only ever serves a
handful of static files to a handful of browser tabs, and every dependency is one more thing that
can break offline. ``ThreadingHTTPServer`` gives one thread per connection, which is what
long-lived SSE streams need; each stream waits on its own queue, so telling 50 tabs costs 50 queue
puts.

Security, because a dev server on a laptop is reachable by every web page the user visits:
- binds 127.0.0.1 (or ::1) only, never a public interface;
- every request must carry ``Host: localhost|127.0.0.1|[::1]:<our port>`` (DNS rebinding: a hostile
  name resolving to 127.0.0.1 gets 403), and exactly one (two Host headers get 400, as HTTP/1.1 asks:
  a proxy and we could each read a different one);
- the event channel also needs a random per-server token (only in the HTML we serve, which other
  origins cannot read) and, when the browser sends one, our own ``Origin``
  (CVE-2018-14732, CVE-2025-24010);
- paths are decoded once, then refused (404) when they hold ``..``, ``.``, a backslash, a NUL, an
  empty segment (``//etc``) or any dot-file/dot-folder segment; what remains is resolved with
  symlinks followed and must still lie inside the variant and contain no dot segment;
- folders are never listed: ``index.html`` is served for a folder, or 404; only regular files
  are read (a named pipe would hang the connection);
- ``hidden`` files (the briefs in a blind comparison) are refused under any name that opens them:
  another case (macOS, Windows), a hard link, a symlink;
- every response carries ``nosniff`` and ``no-store`` (but the live-reload script under its
  versioned URL, which holds no secret and is cached so a reload does not wait for it); every
  refusal, the stdlib parser's included, is a short plain text that echoes nothing of the
  request; a request whose body we did not read closes its connection, so that body is never
  parsed as a second request.

The live-reload client (``livereload.js`` in this package) is injected into HTML responses only,
as a ``defer`` script (the page is parsed and shown without waiting for it); the files on disk
stay untouched.
"""

from __future__ import annotations

import contextlib
import functools
import hmac
import json
import logging
import mimetypes
import queue
import re
import secrets
import select
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from sandbox.core.errors import SandboxError

log = logging.getLogger(__name__)

PREFIX = "/__sandbox/"
EVENTS_PATH = PREFIX + "events"
SCRIPT_PATH = PREFIX + "livereload.js"
ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
KEEPALIVE_SECONDS = 15.0
HANGUP_CHECK_SECONDS = 0.5
RETRY_MS = 500
SCRIPT_CACHE = "public, max-age=31536000, immutable"  # the live-reload script, under its versioned URL
HTML_TYPES = ("text/html", "application/xhtml+xml")
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_CLOSE = object()  # sentinel that ends an event stream
# The types a page needs to work, fixed here rather than taken from the system's table: with
# ``nosniff`` a browser refuses a script or stylesheet served under the wrong type, and Windows'
# registry (read by ``mimetypes``) is known to map ``.js`` to ``text/plain``.
WEB_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".xhtml": "application/xhtml+xml", ".css": "text/css",
    ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript", ".json": "application/json",
    ".map": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
}


def content_type(name: str) -> str:
    """The Content-Type for a file name: our fixed web types first, then the system's table."""
    suffix = Path(name).suffix.lower()
    return WEB_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@functools.cache
def client_script() -> bytes:
    """The browser side of live reload, shipped as package data (read once per process)."""
    return (Path(__file__).with_name("livereload.js")).read_bytes()


@functools.cache
def client_script_version() -> str:
    """A short hash of the script: its URL changes with it, so browsers may keep it cached for good."""
    import hashlib

    return hashlib.sha256(client_script()).hexdigest()[:12]


def inject_script(html: bytes, tag: bytes) -> bytes:
    """Insert ``tag`` before ``</head>`` (else ``</body>``, else at the end), leaving the rest intact."""
    match = _HEAD_END.search(html) or _BODY_END.search(html)
    if match is None:
        return html + tag
    return html[: match.start()] + tag + html[match.start():]


def safe_relative(url_path: str) -> list[str] | None:
    """The segments of a request path that may be looked up on disk, or None when it must be refused.

    Decodes percent-escapes exactly once (so ``%2e%2e`` is ``..`` and refused, and ``%252e`` stays a
    literal, harmless name). Refuses backslashes, NULs, empty segments, ``.``/``..`` and dot-names.
    """
    if not url_path.startswith("/"):
        return None
    decoded = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\\" in decoded or "\x00" in decoded:
        return None
    segments = decoded[1:].split("/")
    if segments and segments[-1] == "":
        segments.pop()  # a trailing '/' asks for the folder's index
    for segment in segments:
        if not segment or segment.startswith("."):
            return None
    return segments


class _Client:
    """One connected event stream: a queue the notifier fills and the stream's thread drains."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue[bytes | object] = queue.SimpleQueue()


class _Hub:
    """Fan-out of events to every connected stream, plus the current error for late joiners."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: set[_Client] = set()
        self.error: dict[str, Any] | None = None
        self.closed = False
        self.version = 0  # counts reload/css events: a page knows which one it was served after

    def add(self, since: int | None = None) -> _Client:
        """Register a stream; ``since`` is the change number the tab's page was served at."""
        client = _Client()
        with self._lock:
            self._clients.add(client)
            if since is not None and since < self.version:
                # The page was served before a change the tab never heard of (it was reloading
                # when the event went out): reload it now rather than show a stale page.
                client.queue.put(_event("reload", {"paths": []}, self.version))
            if self.error is not None:  # a tab opened or reloaded while the spec is broken
                client.queue.put(_event("sandbox-error", self.error))
            if self.closed:
                client.queue.put(_CLOSE)
        return client

    def remove(self, client: _Client) -> None:
        with self._lock:
            self._clients.discard(client)

    def count(self) -> int:
        with self._lock:
            return len(self._clients)

    def change(self, name: str, data: Any) -> int:
        """Send a numbered change event (reload or css) to every stream."""
        with self._lock:
            self.version += 1
            message = _event(name, data, self.version)
            for client in self._clients:
                client.queue.put(message)
            return len(self._clients)

    def broadcast(self, message: bytes | object) -> int:
        with self._lock:
            for client in self._clients:
                client.queue.put(message)
            return len(self._clients)

    def set_error(self, error: dict[str, Any] | None, message: bytes) -> int:
        with self._lock:
            self.error = error
            for client in self._clients:
                client.queue.put(message)
            return len(self._clients)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            for client in self._clients:
                client.queue.put(_CLOSE)


def _event(name: str, data: Any, number: int | None = None) -> bytes:
    """One SSE message; ``number`` becomes its id, which the browser echoes as Last-Event-ID."""
    payload = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    head = f"id: {number}\n" if number is not None else ""
    return f"{head}event: {name}\ndata: {payload}\n\n".encode("ascii")


def _peer_closed(conn: socket.socket) -> bool:
    """True when the other end hung up (readable with nothing to read). Never blocks."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and conn.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # Ten tabs reloading at once open dozens of connections in the same millisecond; with the
    # default backlog of 5 the kernel drops the rest and each waits a 1 s SYN retry.
    request_queue_size = 128
    preview: PreviewServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that goes away mid-response (reload, closed tab) is normal: no traceback in the
        designer's terminal. Anything else is a bug and is logged with its traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address, exc)
            return
        log.error("preview request from %s failed", client_address, exc_info=exc)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """One request. Everything refused is answered with a short text body and no details."""

    protocol_version = "HTTP/1.1"
    server_version = "sandbox-preview"
    sys_version = ""
    disable_nagle_algorithm = True  # an event is a few bytes: send it now, not after 40 ms
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.preview._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.preview._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Refusals made by the stdlib's parser (400, 414, 431, 501, 505) look like ours.

        The default page is HTML without ``nosniff`` and echoes the request's method into the
        status line and the body; ours is a fixed short text and closes the connection, since what
        is left of a malformed request cannot be trusted to frame the next one."""
        try:
            status = HTTPStatus(code)
        except ValueError:
            status = HTTPStatus.BAD_REQUEST
        self.close_connection = True
        self._plain(status, status.phrase.lower(), head=self.command == "HEAD", extra={"Connection": "close"})

    # --- dispatch -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _refuse_method(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD", extra={"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _respond(self, *, head: bool) -> None:
        preview = self.server.preview
        if len(self.headers.get_all("Host") or []) > 1:  # RFC 9112 3.2: more than one Host is a 400
            self._plain(HTTPStatus.BAD_REQUEST, "bad request: more than one Host header", head=head,
                        extra={"Connection": "close"})
            return
        if not preview.host_allowed(self.headers.get("Host")):
            self._plain(HTTPStatus.FORBIDDEN, "forbidden host", head=head)
            return
        parts = urlsplit(self.path)
        if parts.scheme or parts.netloc or not self.path.startswith("/"):
            self._plain(HTTPStatus.NOT_FOUND, "not found", head=head)
            return
        if parts.path == EVENTS_PATH:
            self._events(parts.query, head=head)
        elif parts.path == SCRIPT_PATH:
            # The script holds no secret (the token is in the page's tag): a reload need not fetch
            # it again, as long as its URL names this very version.
            versioned = parse_qs(parts.query).get("v") == [client_script_version()]
            self._send(HTTPStatus.OK, client_script(), "text/javascript; charset=utf-8", head=head,
                       cache=SCRIPT_CACHE if versioned else "no-store")
        else:
            self._static(parts.path, head=head, query=parts.query)

    # --- responses ----------------------------------------------------------------------------
    def _plain(self, status: HTTPStatus, text: str, *, head: bool = False, extra: dict[str, str] | None = None) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8", head=head, extra=extra)

    def _unread_body(self) -> bool:
        """True when the request came with a body we never read (a form POST, a GET with data).

        Its bytes are still in the connection: kept alive, they would be parsed as the next request
        (a smuggled request, or a browser's next request answered with garbage)."""
        headers = getattr(self, "headers", None)
        if headers is None:
            return False
        length = (headers.get("Content-Length") or "0").strip()
        return headers.get("Transfer-Encoding") is not None or length != "0"

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        ctype: str,
        *,
        head: bool = False,
        extra: dict[str, str] | None = None,
        cache: str = "no-store",
    ) -> None:
        extra = dict(extra or {})
        if self._unread_body():
            self.close_connection = True
            extra["Connection"] = "close"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _static(self, url_path: str, *, head: bool, query: str = "") -> None:
        preview = self.server.preview
        try:
            segments = safe_relative(url_path)
        except UnicodeDecodeError:
            segments = None
        version = preview._hub.version  # read before the file: a later change is then detectable
        target = preview.resolve(segments) if segments is not None else None
        if target is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found", head=head)
            return
        if target.is_dir():
            if not url_path.endswith("/"):  # so relative links inside the folder's page resolve
                # The query stays: a prototype may read ?step=2 on its folder's page.
                location = quote(unquote(url_path)) + "/" + (f"?{quote(query, safe='=&+%;,/:@')}" if query else "")
                self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", head=True, extra={"Location": location})
                return
            target = preview.resolve([*(segments or []), "index.html"])
        if target is None or not target.is_file():
            # Only regular files: reading a FIFO (or a device a symlink points at) would block
            # this connection's thread forever.
            self._plain(HTTPStatus.NOT_FOUND, "not found", head=head)
            return
        try:
            body = target.read_bytes()
        except OSError:
            self._plain(HTTPStatus.NOT_FOUND, "not found", head=head)
            return
        ctype = content_type(target.name)
        if ctype in HTML_TYPES:
            body = inject_script(body, preview.script_tag(version))
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self._send(HTTPStatus.OK, body, ctype, head=head)

    def _events(self, query: str, *, head: bool) -> None:
        preview = self.server.preview
        token = (parse_qs(query).get("token") or [""])[0]
        if not preview.events_allowed(token, self.headers.get("Origin"), self.headers.get("Sec-Fetch-Site")):
            self._plain(HTTPStatus.FORBIDDEN, "forbidden", head=head)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        client = preview._hub.add(_since(self.headers.get("Last-Event-ID"), query))
        try:
            self.wfile.write(f"retry: {RETRY_MS}\n: connected\n\n".encode())
            quiet_since = time.monotonic()
            while True:
                try:
                    message = client.queue.get(timeout=HANGUP_CHECK_SECONDS)
                except queue.Empty:
                    if _peer_closed(self.connection):
                        break  # the tab was closed: stop counting it now, not at the next event
                    if time.monotonic() - quiet_since < KEEPALIVE_SECONDS:
                        continue
                    message = b": keep-alive\n\n"
                if not isinstance(message, bytes):  # the _CLOSE sentinel
                    break
                self.wfile.write(message)
                quiet_since = time.monotonic()
        except (OSError, ValueError):
            pass  # the tab went away; that is normal
        finally:
            preview._hub.remove(client)


def _since(last_event_id: str | None, query: str) -> int | None:
    """The change number a tab has seen: Last-Event-ID on a reconnect, else the page's own."""
    for raw in (last_event_id, *parse_qs(query).get("since", [])[:1]):
        if raw is not None and raw.strip().isdigit():
            return int(raw.strip())
    return None


class PreviewServer:
    """Serve one folder at ``url`` and push live-reload events to every open tab.

    ``notify_reload``/``notify_css`` return how many tabs were told. Thread-safe: call them from
    any thread (the watcher's, typically).
    """

    handler_class: type[BaseHTTPRequestHandler] = _Handler  # a page with requests of its own extends it

    def __init__(
        self, root: Path, port: int = 0, host: str = "127.0.0.1", *, hidden: Iterable[str] = (),
        hide: Callable[[str], bool] | None = None,
    ) -> None:
        """``hidden``: relative paths answered with 404, e.g. the assistants' briefs in a blind
        comparison, where ``/CLAUDE.md`` would give away whose prototype this is. ``hide``: a rule
        on the relative posix path (resolved) for names at any depth (``docs/AGENTS.md``)."""
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SandboxError(f"the preview only listens on this computer (127.0.0.1), not on {host!r}")
        if not 0 <= int(port) <= 65535:
            # bind() would raise OverflowError, which is no message for a person.
            raise SandboxError(f"port {port} is not a port number (1-65535, or 0 for any free port)")
        self.root = Path(root).resolve()
        self.host = "127.0.0.1" if host == "localhost" else host
        self.requested_port = int(port)
        self.token = secrets.token_urlsafe(24)
        self._hub = _Hub()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self._allowed_hosts: frozenset[str] = frozenset()
        self._allowed_origins: frozenset[str] = frozenset()
        self.hidden = frozenset(hidden)
        self._hide = hide
        # Compared case-blind: on macOS and Windows ``/claude.md`` opens ``CLAUDE.md``.
        self._hidden_folded = frozenset(h.strip("/").casefold() for h in self.hidden)

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> PreviewServer:
        if self._httpd is not None:
            return self
        if not self.root.is_dir():
            raise SandboxError(f"nothing to preview: {self.root} is not a folder")
        server_class = _Server6 if self.host == "::1" else _Server
        try:
            httpd = server_class((self.host, self.requested_port), self.handler_class)
        except OSError as exc:
            if self.requested_port:
                raise SandboxError(
                    f"port {self.requested_port} is not available ({exc.strerror}); "
                    "choose another with --port or leave it out to pick a free one"
                ) from None
            raise SandboxError(f"cannot start the preview server: {exc.strerror}") from None
        httpd.preview = self
        self._httpd = httpd
        port = self.port
        self._allowed_hosts = frozenset(f"{h}:{port}" for h in ALLOWED_HOSTS) | (
            frozenset(ALLOWED_HOSTS) if port == 80 else frozenset()
        )
        self._allowed_origins = frozenset(f"http://{h}" for h in self._allowed_hosts)
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"sandbox-preview-{port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every stream and connection, stop serving, free the port. Idempotent."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._hub.close()
        httpd.shutdown()
        httpd.server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:  # idle keep-alive connections would otherwise linger for `timeout`
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def script_tag(self, version: int | None = None) -> bytes:
        """The tag injected into HTML: our script, the token, and the change number served."""
        number = self._hub.version if version is None else version
        return (
            f'<script src="{SCRIPT_PATH}?v={client_script_version()}" defer data-sandbox-token="{self.token}" '
            f'data-sandbox-version="{number}">'
            "</script>"
        ).encode("ascii")

    # --- facts ----------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            return self.requested_port
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = "[::1]" if self.host == "::1" else self.host
        return f"http://{host}:{self.port}/"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def client_count(self) -> int:
        """How many tabs are listening for events right now."""
        return self._hub.count()

    @property
    def error(self) -> dict[str, Any] | None:
        """The error shown in the overlay, or None."""
        return self._hub.error

    # --- checks ---------------------------------------------------------------------------------
    def host_allowed(self, host: str | None) -> bool:
        return host is not None and host.strip().lower() in self._allowed_hosts

    def events_allowed(self, token: str, origin: str | None, fetch_site: str | None) -> bool:
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            return False
        if origin is not None and origin.strip().lower() not in self._allowed_origins:
            return False
        return fetch_site is None or fetch_site in ("same-origin", "none")

    def resolve(self, segments: list[str]) -> Path | None:
        """The real file or folder for safe ``segments``, or None if it is missing or lies outside."""
        try:
            target = self.root.joinpath(*segments).resolve(strict=True)
            relative = target.relative_to(self.root)
        except (OSError, ValueError, RuntimeError):
            return None
        if any(part.startswith(".") for part in relative.parts):
            return None  # a symlink inside the variant that points at a dot-folder
        if (self.hidden or self._hide is not None) and self._is_hidden(relative, target):
            return None
        return target

    def _is_hidden(self, relative: Path, target: Path) -> bool:
        """True when ``target`` is one of the ``hidden`` files, by name (any case) or by identity.

        Identity (device and inode) also catches the names a file system treats as the same file:
        another case on macOS, a trailing dot or short name on Windows, a hard link."""
        if relative.as_posix().casefold() in self._hidden_folded:
            return True
        if self._hide is not None and self._hide(relative.as_posix()):
            return True
        try:
            found = target.stat()
        except OSError:
            return True
        for name in self.hidden:
            try:
                info = (self.root / name).stat()
            except OSError:
                continue
            if (info.st_dev, info.st_ino) == (found.st_dev, found.st_ino):
                return True
        return False

    # --- events ---------------------------------------------------------------------------------
    def url_paths(self, paths: Iterable[Path | str]) -> list[str]:
        """URL paths (``/css/app.css``) of changed files, for the browser to match its stylesheets."""
        out = []
        for raw in paths:
            path = Path(raw)
            if path.is_absolute():
                try:
                    path = path.relative_to(self.root)
                except ValueError:
                    try:
                        path = path.resolve().relative_to(self.root)
                    except (ValueError, OSError):
                        continue
            out.append("/" + quote(path.as_posix()))
        return sorted(set(out))

    def notify_reload(self, paths: Iterable[Path | str] = ()) -> int:
        """Tell every tab to reload; returns how many were told."""
        return self._hub.change("reload", {"paths": self.url_paths(paths)})

    def notify_css(self, paths: Iterable[Path | str] = ()) -> int:
        """Tell every tab to swap these stylesheets in place (no reload); returns how many were told."""
        return self._hub.change("css", {"paths": self.url_paths(paths)})

    def show_error(self, error: dict[str, Any]) -> int:
        """Show ``error`` (``SandboxError.to_dict()``) in an overlay on every tab until cleared."""
        clean = {k: error.get(k) for k in ("message", "path", "line", "column", "text")}
        return self._hub.set_error(clean, _event("sandbox-error", clean))

    def clear_error(self) -> int:
        """Remove the overlay (the spec is valid again)."""
        if self._hub.error is None:
            return 0
        return self._hub.set_error(None, _event("sandbox-clear", {}))
