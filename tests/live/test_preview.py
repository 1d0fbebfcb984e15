"""The preview server against real requests: files, injection, traversal, Host/Origin, SSE."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.core.errors import SandboxError
from sandbox.live.preview import PreviewServer, inject_script, safe_relative
from tests.support.preview import SSEClient, raw_exchange, raw_get, wait_for

INDEX = b"<!doctype html><html><head><title>t</title></head><body><h1>Hi</h1></body></html>"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """One server for the many read-only request tests (starting one per case costs time)."""
    srv = PreviewServer(make_tree(tmp_path_factory.mktemp("shared"))).start()
    yield srv
    srv.stop()


def make_tree(tmp_path: Path) -> Path:
    """A variant folder plus secrets next to it that must never be served."""
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.html").write_text("outside")
    root = tmp_path / "variant"
    root.mkdir()
    (root / "index.html").write_bytes(INDEX)
    (root / "style.css").write_text("h1{color:red}")
    (root / "app.js").write_text("console.log(1)")
    (root / "plain.html").write_bytes(b"no head or body")
    (root / "pages").mkdir()
    (root / "pages" / "index.html").write_bytes(b"<html><body>pages</body></html>")
    (root / "empty").mkdir()
    (root / "empty" / "a.txt").write_text("a")
    (root / ".env").write_text("API_KEY=1")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]")
    (root / ".sandbox").mkdir()
    (root / ".sandbox" / "manifest.json").write_text("{}")
    (root / "sub").mkdir()
    (root / "sub" / ".hidden").write_text("h")
    (root / "my file.txt").write_text("spaces ok")
    os.symlink(tmp_path / "secret.txt", root / "link-out.txt")
    os.symlink(tmp_path / "outside", root / "dir-out")
    os.symlink(root / "style.css", root / "link-in.css")
    os.symlink(root / ".git", root / "gitlink")
    return root


@pytest.fixture
def server(tree: Path) -> Iterator[PreviewServer]:
    srv = PreviewServer(tree).start()
    yield srv
    srv.stop()


def get(server: PreviewServer, target: str, **kw: object):  # type: ignore[no-untyped-def]
    return raw_get(server.port, target, **kw)  # type: ignore[arg-type]


# --- files -------------------------------------------------------------------------------------
def test_binds_loopback_on_a_free_port(server: PreviewServer) -> None:
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert server.port > 0
    assert server._httpd is not None and server._httpd.server_address[0] == "127.0.0.1"


def test_index_is_served_with_the_script_injected_and_disk_untouched(server: PreviewServer, tree: Path) -> None:
    response = get(server, "/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    body = response.body
    assert f'data-sandbox-token="{server.token}"'.encode() in body
    assert body.index(b"/__sandbox/livereload.js") < body.index(b"</head>")
    assert body.replace(server.script_tag(), b"") == INDEX
    assert (tree / "index.html").read_bytes() == INDEX
    assert get(server, "/index.html").body == body
    assert response.headers["cache-control"] == "no-store"


def test_script_goes_at_the_end_without_head_or_body(server: PreviewServer) -> None:
    assert get(server, "/plain.html").body == b"no head or body" + server.script_tag()
    assert inject_script(b"<body>x</BODY >", b"<s>") == b"<body>x<s></BODY >"


def test_other_files_are_served_unchanged(server: PreviewServer) -> None:
    css = get(server, "/style.css")
    assert css.status == 200 and css.body == b"h1{color:red}"
    assert css.headers["content-type"].startswith("text/css")
    assert get(server, "/app.js").body == b"console.log(1)"
    assert get(server, "/my%20file.txt").body == b"spaces ok"
    assert get(server, "/link-in.css").body == b"h1{color:red}"  # a symlink that stays inside is fine


def test_the_client_script_is_served(server: PreviewServer) -> None:
    response = get(server, "/__sandbox/livereload.js")
    assert response.status == 200 and b"EventSource" in response.body
    assert server.token.encode() not in response.body  # the token lives only in our HTML


def test_folder_serves_its_index_but_is_never_listed(server: PreviewServer) -> None:
    assert get(server, "/pages/").body.startswith(b"<html><body>pages")
    redirect = get(server, "/pages")
    assert redirect.status == 301 and redirect.headers["location"] == "/pages/"
    assert get(server, "/empty/").status == 404
    assert b"a.txt" not in get(server, "/empty/").body


def test_head_and_methods(server: PreviewServer) -> None:
    head = get(server, "/style.css", method="HEAD")
    assert head.status == 200 and head.body == b"" and head.headers["content-length"] == "13"
    assert get(server, "/style.css", method="POST").status == 405
    assert get(server, "/style.css", method="PUT").status == 405


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/pages/..%2f..%2fsecret.txt",
    "/pages/%2e%2e/%2e%2e/secret.txt",
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/pages\\..\\..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/.%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "//etc/passwd",
    "/%2fetc/passwd",
    "/%2Fetc%2Fpasswd",
    "/etc/passwd",
    "/./index.html",
    "/pages/./index.html",
    "/index.html%00.css",
    "/link-out.txt",
    "/dir-out/x.html",
    "/dir-out/",
    "/.env",
    "/.git/config",
    "/%2egit/config",
    "/.git/",
    "/.sandbox/manifest.json",
    "/sub/.hidden",
    "/gitlink/config",
    "/%ff%fe",
    "http://127.0.0.1/../secret.txt",
    "*",
    # more odd forms, all refused the same way
    "http://evil.example/secret.txt",
    "/..%2f..%2fetc/passwd",
    "/%2e%2e%5c",
    "/%2e%2e%5csecret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%u002e%u002e/secret.txt",
    "/%25%32%65%25%32%65/secret.txt",
    "/pages/%2e%2e/..%252f/secret.txt",
    "/.%00./secret.txt",
    "/%00",
    "/index.html%00",
    "/" + "%2e%2e/" * 200 + "etc/passwd",
    "/" + "a/" * 3000 + "index.html",
    "/.ENV",
    "/.Git/config",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_and_dot_files_are_404(shared: PreviewServer, target: str) -> None:
    response = get(shared, target)
    assert response.status == 404, (target, response.status)
    assert b"SECRET" not in response.body and b"API_KEY" not in response.body and b"[core]" not in response.body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",
        "localhost",
        "127.0.0.1:1",
        "localhost:{other}",
        "127.0.0.2:{port}",
        "0.0.0.0:{port}",
        "[::1]",
        "127.0.0.1:{port}.evil.example",
        "",
        None,
        "localhost.evil.com:{port}",
        "localhost.:{port}",
        "127.0.0.1.:{port}",
        "[::ffff:127.0.0.1]:{port}",
        "[0:0:0:0:0:0:0:1]:{port}",
        "::1:{port}",
        "127.0.0.1:{port}@evil.example",
        "evil.example@127.0.0.1:{port}",
        "2130706433:{port}",
        "0x7f.0.0.1:{port}",
        "127.1:{port}",
    ],
)
def test_foreign_host_is_403(shared: PreviewServer, host: str | None) -> None:
    value = None if host is None else host.format(port=shared.port, other=shared.port + 1)
    response = get(shared, "/", host=value)
    assert response.status == 403
    assert shared.token.encode() not in response.body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}"])
def test_loopback_hosts_with_our_port_are_allowed(shared: PreviewServer, host: str) -> None:
    assert get(shared, "/", host=host.format(port=shared.port)).status == 200


def test_host_check_covers_the_event_channel_and_the_script(server: PreviewServer) -> None:
    assert get(server, f"/__sandbox/events?token={server.token}", host="evil.example").status == 403
    assert get(server, "/__sandbox/livereload.js", host="evil.example").status == 403


def test_port_in_use_is_a_user_error(server: PreviewServer, tree: Path) -> None:
    with pytest.raises(SandboxError, match=f"port {server.port} is not available"):
        PreviewServer(tree, port=server.port).start()


def test_only_loopback_hosts(tree: Path) -> None:
    with pytest.raises(SandboxError, match="only listens on this computer"):
        PreviewServer(tree, host="0.0.0.0")


# --- the event channel -------------------------------------------------------------------------
def sse(server: PreviewServer, **kw: object) -> SSEClient:
    return SSEClient(server.url, kw.pop("token", server.token), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"token": None},
        {"token": ""},
        {"token": "wrong"},
        {"origin": "http://evil.example"},
        {"origin": "http://localhost:{other}"},
        {"origin": "https://127.0.0.1:{port}"},
        {"origin": "null"},
        {"extra": {"Sec-Fetch-Site": "cross-site"}},
        {"extra": {"Sec-Fetch-Site": "same-site"}},
    ],
)
def test_event_channel_needs_token_and_our_origin(shared: PreviewServer, kwargs: dict) -> None:
    kwargs = dict(kwargs)
    if "origin" in kwargs:
        kwargs["origin"] = kwargs["origin"].format(port=shared.port, other=shared.port + 1)
    client = sse(shared, **kwargs)
    try:
        assert client.status == 403
    finally:
        client.close()
    assert shared.client_count == 0


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:{port}", "http://localhost:{port}"])
def test_event_channel_accepts_our_pages(server: PreviewServer, origin: str | None) -> None:
    client = sse(
        server, origin=origin.format(port=server.port) if origin else None, extra={"Sec-Fetch-Site": "same-origin"}
    )
    try:
        assert client.status == 200
        wait_for(lambda: server.client_count == 1)
    finally:
        client.close()


def test_events_reach_every_client(server: PreviewServer, tree: Path) -> None:
    clients = [sse(server) for _ in range(12)]
    try:
        wait_for(lambda: server.client_count == 12)
        assert server.notify_reload([tree / "index.html"]) == 12
        assert server.notify_css([tree / "style.css", "sub/b.css"]) == 12
        for client in clients:
            assert client.next() == ("reload", {"paths": ["/index.html"]})
            assert client.next() == ("css", {"paths": ["/style.css", "/sub/b.css"]})
    finally:
        for client in clients:
            client.close()
    wait_for(lambda: server.client_count == 0 or (server.notify_reload() == 0 and server.client_count == 0))


def test_error_overlay_is_sent_to_late_joiners_until_cleared(server: PreviewServer) -> None:
    first = sse(server)
    try:
        wait_for(lambda: server.client_count == 1)
        error = {"message": "bad", "path": "project.yaml", "line": 7, "column": 3, "text": "x", "secret": "no"}
        assert server.show_error(error) == 1
        name, data = first.next()
        assert name == "sandbox-error" and data["line"] == 7 and "secret" not in data
        late = sse(server)
        try:
            assert late.next() == (name, data)
            assert server.clear_error() == 2
            assert first.next() == ("sandbox-clear", {})
            assert late.next() == ("sandbox-clear", {})
            assert server.error is None and server.clear_error() == 0
        finally:
            late.close()
    finally:
        first.close()
    wait_for(lambda: server.client_count == 0)
    third = sse(server)
    try:
        wait_for(lambda: server.client_count == 1)  # registered before the change, or it would miss it
        server.notify_reload()
        assert third.next()[0] == "reload"  # no stale error replayed
    finally:
        third.close()


def test_a_client_going_away_does_not_hurt_the_others(server: PreviewServer) -> None:
    leaving, staying = sse(server), sse(server)
    wait_for(lambda: server.client_count == 2)
    leaving.close()
    wait_for(lambda: server.client_count == 1)  # noticed without having to write to it
    server.notify_reload()
    assert staying.next()[0] == "reload"
    assert get(server, "/style.css").status == 200
    staying.close()


def test_a_tab_that_missed_a_change_while_loading_is_reloaded(server: PreviewServer) -> None:
    """The page was served at change 0; a reload went out before its stream connected."""
    page = get(server, "/index.html").body
    assert b'data-sandbox-version="0"' in page
    server.notify_reload(["index.html"])
    late = SSEClient(server.url, server.token + "&since=0")
    up_to_date = SSEClient(server.url, server.token + "&since=1")
    reconnect = SSEClient(server.url, server.token + "&since=0", extra={"Last-Event-ID": "1"})
    try:
        assert late.next() == ("reload", {"paths": []})
        wait_for(lambda: server.client_count == 3)
        server.notify_css(["style.css"])
        assert late.next()[0] == "css"
        assert up_to_date.next()[0] == "css"  # nothing replayed before it
        assert reconnect.next()[0] == "css"
        assert b'data-sandbox-version="2"' in get(server, "/index.html").body
    finally:
        for client in (late, up_to_date, reconnect):
            client.close()


def test_stop_ends_streams_and_frees_the_port(tree: Path) -> None:
    srv = PreviewServer(tree).start()
    port = srv.port
    clients = [sse(srv) for _ in range(3)]
    wait_for(lambda: srv.client_count == 3)
    idle = socket.create_connection(("127.0.0.1", port))  # a keep-alive connection doing nothing
    done = threading.Event()
    threading.Thread(target=lambda: (srv.stop(), done.set()), daemon=True).start()
    assert done.wait(5), "stop() must not hang on open streams"
    for client in clients:
        name = client.next()[0]
        assert name == "closed"
        client.close()
    idle.close()
    srv.stop()  # idempotent
    again = PreviewServer(tree, port=port).start()  # the port is free again
    again.stop()


# --- pure path checks (property-based) -----------------------------------------------------------
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                *"./\\%2e5cfF0aA:~",
                "..",
                "%2e",
                "%2E",
                "%2f",
                "%5c",
                "%00",
                "pages",
                "dir-out",
                "link-out.txt",
                "gitlink",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_safe_relative_never_escapes(tree: Path, text: str) -> None:
    server = PreviewServer(tree)
    try:
        segments = safe_relative("/" + text)
    except UnicodeDecodeError:
        return
    if segments is None:
        return
    assert all(
        s and s not in (".", "..") and "\\" not in s and "/" not in s and not s.startswith(".") for s in segments
    )
    target = server.resolve(segments)
    if target is not None:
        assert target == tree.resolve() or tree.resolve() in target.parents


# --- hardening: odd requests, odd files, many and rude clients ------------------------------------
def _head_of(raw: bytes) -> str:
    return raw.partition(b"\r\n\r\n")[0].decode("latin-1")


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"<script>alert(1)</script> / HTTP/1.1\r\nHost: {host}\r\n\r\n", 501),
        (b"FOO / HTTP/1.1\r\nHost: {host}\r\n\r\n", 501),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: {host}\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: {host}\r\n" + b"X: y\r\n" * 120 + b"\r\n", 431),
    ],
    ids=["markup-method", "unknown-method", "overlong-uri", "overlong-header", "too-many-headers"],
)
def test_parser_refusals_are_short_plain_text_that_echo_nothing(
    shared: PreviewServer, request_bytes: bytes, status: int
) -> None:
    """The stdlib's own error page is HTML without nosniff and echoes the method back."""
    raw = raw_exchange(shared.port, request_bytes.replace(b"{host}", f"127.0.0.1:{shared.port}".encode()))
    head = _head_of(raw)
    assert head.startswith(f"HTTP/1.1 {status} "), head
    lowered = head.lower()
    assert "content-type: text/plain" in lowered
    assert "x-content-type-options: nosniff" in lowered
    assert "cache-control: no-store" in lowered
    assert "connection: close" in lowered
    assert b"<script>" not in raw and b"FOO" not in raw and b"<!DOCTYPE" not in raw


@pytest.mark.parametrize(
    "hosts",
    [("{ours}", "evil.example"), ("{ours}", "{ours}"), ("evil.example", "{ours}")],
    ids=["ours-first", "ours-twice", "ours-second"],
)
def test_two_host_headers_are_a_400_whatever_their_order(shared: PreviewServer, hosts: tuple[str, str]) -> None:
    """HTTP/1.1 (RFC 9112 3.2) asks for 400: a proxy in front and we could each read a different Host."""
    ours = f"127.0.0.1:{shared.port}"
    lines = "".join(f"Host: {h.format(ours=ours)}\r\n" for h in hosts)
    raw = raw_exchange(shared.port, f"GET /index.html HTTP/1.1\r\n{lines}\r\n".encode())
    head = _head_of(raw)
    assert head.startswith("HTTP/1.1 400 "), head
    assert "connection: close" in head.lower() and b"evil" not in raw


def test_a_refused_body_is_never_read_as_a_second_request(shared: PreviewServer) -> None:
    """A form POST's body must not be parsed as the next request on a kept-alive connection."""
    host = f"127.0.0.1:{shared.port}"
    smuggled = f"GET /index.html HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    request = (f"POST /index.html HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(smuggled)}\r\n\r\n").encode()
    raw = raw_exchange(shared.port, request + smuggled, timeout=3)
    assert raw.startswith(b"HTTP/1.1 405 ")
    assert raw.count(b"HTTP/1.1 ") == 1, raw
    assert b"<h1>Hi</h1>" not in raw
    assert "connection: close" in _head_of(raw).lower()


def test_a_get_without_a_body_keeps_the_connection(shared: PreviewServer) -> None:
    """Keep-alive still works for ordinary requests: two GETs on one connection, two answers."""
    host = f"127.0.0.1:{shared.port}"
    one = f"GET /style.css HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    last = f"GET /style.css HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    raw = raw_exchange(shared.port, one + last, timeout=5)
    assert raw.count(b"HTTP/1.1 200 ") == 2


def test_a_fifo_is_404_not_a_hung_connection(server: PreviewServer, tree: Path) -> None:
    """Reading a named pipe blocks until someone writes to it: only regular files are served."""
    os.mkfifo(tree / "pipe.html")
    os.mkfifo(tree / "pipes")  # and a folder's index that is not a regular file
    (tree / "withpipe").mkdir()
    os.mkfifo(tree / "withpipe" / "index.html")
    assert get(server, "/pipe.html", timeout=5).status == 404
    assert get(server, "/withpipe/", timeout=5).status == 404
    assert get(server, "/index.html").status == 200


def test_hidden_files_stay_hidden_under_other_names(tree: Path) -> None:
    """A blind comparison hides CLAUDE.md: not as claude.md (macOS/Windows), a hard link or a symlink."""
    (tree / "CLAUDE.md").write_text("made by claude")
    (tree / "claude.md").write_text("made by claude")  # what macOS would open for /claude.md
    os.link(tree / "CLAUDE.md", tree / "notes.md")
    os.symlink(tree / "CLAUDE.md", tree / "readme.md")
    (tree / "docs").mkdir()
    (tree / "docs" / "AGENTS.md").write_text("agents")
    with PreviewServer(tree, hidden={"CLAUDE.md", "docs/AGENTS.md"}) as srv:
        for target in (
            "/CLAUDE.md",
            "/claude.md",
            "/Claude.MD",
            "/notes.md",
            "/readme.md",
            "/docs/AGENTS.md",
            "/docs/agents.md",
            "/DOCS/AGENTS.md",
        ):
            response = get(srv, target)
            assert response.status == 404, target
            assert b"claude" not in response.body
        assert get(srv, "/index.html").status == 200
        assert get(srv, "/style.css").status == 200


def test_web_types_do_not_depend_on_the_systems_table(server: PreviewServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' registry can map .js to text/plain; with nosniff the browser would refuse the script."""
    import mimetypes

    monkeypatch.setattr(mimetypes, "guess_type", lambda *a, **k: ("text/plain", None))
    js = get(server, "/app.js")
    assert js.headers["content-type"] == "text/javascript; charset=utf-8"
    assert js.headers["x-content-type-options"] == "nosniff"
    assert get(server, "/style.css").headers["content-type"] == "text/css; charset=utf-8"
    page = get(server, "/index.html")
    assert page.headers["content-type"] == "text/html; charset=utf-8" and server.token.encode() in page.body


def test_a_client_leaving_mid_response_leaves_no_traceback(
    server: PreviewServer, tree: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A reload while a big image loads resets the connection: normal, not worth a traceback."""
    import logging
    import struct

    caplog.set_level(logging.DEBUG, logger="sandbox.live.preview")
    (tree / "big.bin").write_bytes(b"x" * (32 * 1024 * 1024))
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
    assert sock.recv(1024).startswith(b"HTTP/1.1 200")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    sock.close()
    wait_for(lambda: any("went away" in r.getMessage() for r in caplog.records), timeout=15)
    assert "Traceback" not in capfd.readouterr().err
    assert get(server, "/style.css").status == 200


def test_many_clients_connecting_at_once_are_all_served(server: PreviewServer) -> None:
    """Ten tabs reloading open dozens of connections at once; the listen backlog must hold them."""
    assert server._httpd is not None and server._httpd.request_queue_size >= 64
    results: list[int] = []
    lock = threading.Lock()

    def fetch() -> None:
        status = get(server, "/style.css", timeout=30).status
        with lock:
            results.append(status)

    threads = [threading.Thread(target=fetch) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [200] * 100


def test_idle_and_half_sent_connections_do_not_block_others(server: PreviewServer) -> None:
    """Slowloris: connections that send half a request and wait never hold up a real browser."""
    idle = []
    try:
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
            idle.append(sock)
        idle.extend(socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50))
        assert get(server, "/index.html", timeout=10).status == 200
        client = sse(server)
        try:
            wait_for(lambda: server.client_count == 1)
            assert server.notify_reload() == 1
            assert client.next()[0] == "reload"
        finally:
            client.close()
    finally:
        for sock in idle:
            sock.close()


def test_head_of_the_event_channel_opens_no_stream(server: PreviewServer) -> None:
    response = get(server, f"/__sandbox/events?token={server.token}", method="HEAD")
    assert response.status == 200 and response.body == b""
    assert response.headers["content-type"].startswith("text/event-stream")
    assert server.client_count == 0


def test_a_port_out_of_range_is_a_user_error(tree: Path) -> None:
    for port in (70000, -1):
        with pytest.raises(SandboxError, match=f"port {port} is not a port number"):
            PreviewServer(tree, port=port)


def test_the_folder_redirect_keeps_the_query(server: PreviewServer) -> None:
    """A prototype may read ``?step=2``: adding the folder's '/' must not drop it."""
    redirect = get(server, "/pages?step=2&name=a%20b")
    assert redirect.status == 301 and redirect.headers["location"] == "/pages/?step=2&name=a%20b"
    assert get(server, "/pages").headers["location"] == "/pages/"
    assert "\r" not in get(server, "/pages?x=%0d%0aSet-Cookie:%20a=b").headers["location"]


def test_every_response_says_nosniff_and_no_store(server: PreviewServer) -> None:
    """Edits show up at once (nothing cached) and no response is ever sniffed into another type."""
    host = f"127.0.0.1:{server.port}"
    requests = [
        f"GET /index.html HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        f"GET /style.css HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        f"GET /__sandbox/livereload.js HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        f"GET /pages HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        f"GET /missing HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        f"DELETE / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        f"GET /__sandbox/events?token={server.token} HTTP/1.1\r\nHost: {host}\r\n\r\n",
    ]
    for request in requests:
        head = _head_of(raw_exchange(server.port, request.encode(), timeout=1)).lower()
        assert "x-content-type-options: nosniff" in head, request
        assert "cache-control: no-store" in head, request
