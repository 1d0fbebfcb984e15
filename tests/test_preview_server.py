"""The preview server against real requests: files, injection, traversal, Host/Origin, SSE."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sandbox.errors import SandboxError
from sandbox.preview import PreviewServer, inject_script, safe_relative
from tests.preview_helpers import SSEClient, raw_get, wait_for

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
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_traversal_and_dot_files_are_404(shared: PreviewServer, target: str) -> None:
    response = get(shared, target)
    assert response.status == 404, (target, response.status)
    assert b"SECRET" not in response.body and b"API_KEY" not in response.body and b"[core]" not in response.body


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:{port}", "127.0.0.1", "localhost", "127.0.0.1:1", "localhost:{other}",
     "127.0.0.2:{port}", "0.0.0.0:{port}", "[::1]", "127.0.0.1:{port}.evil.example", "", None],
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
    client = sse(server, origin=origin.format(port=server.port) if origin else None,
                 extra={"Sec-Fetch-Site": "same-origin"})
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
    wait_for(lambda: server.client_count == 0 or server.notify_reload() == 0 and server.client_count == 0)


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
    third = sse(server)
    try:
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
@given(st.lists(st.sampled_from([*"./\\%2e5cfF0aA:~", "..", "%2e", "%2E", "%2f", "%5c", "%00", "pages", "dir-out",
                                  "link-out.txt", "gitlink"]), max_size=12).map("".join))
def test_safe_relative_never_escapes(tree: Path, text: str) -> None:
    server = PreviewServer(tree)
    try:
        segments = safe_relative("/" + text)
    except UnicodeDecodeError:
        return
    if segments is None:
        return
    assert all(s and s not in (".", "..") and "\\" not in s and "/" not in s and not s.startswith(".") for s in segments)
    target = server.resolve(segments)
    if target is not None:
        assert target == tree.resolve() or tree.resolve() in target.parents
