"""Helpers for the live-preview tests: a tiny workspace, an SSE client, raw HTTP, waiting.

Why our own template: the machinery is tested against a page whose text and styles we control, so
a change to a shipped template's look cannot break these tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sandbox.workspace import Workspace

LIVE_TEMPLATE_YAML = """\
title: Live
description: A tiny page for live-preview tests
category: product
entry: index.html
questions:
  - name: headline
    type: str
    default: Hello
    help: The big line at the top
  - name: brand_color
    type: color
    default: "#1a73e8"
"""

LIVE_INDEX = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ project.title }}</title>
<link rel="stylesheet" href="style.css"></head>
<body><h1 id="headline">{{ vars.headline }}</h1>
<form><input id="name" name="name"></form>
<div style="height: 3000px">tall</div></body></html>
"""

LIVE_CSS = "h1 { color: rgb(0, 0, 255); }\n"


def make_live_workspace(
    root: Path, *, assistants: tuple[str, ...] = ("claude-code", "copilot")
) -> tuple[Workspace, str]:
    """A workspace at ``root`` with the ``live`` template and one project made from it."""
    template = root / "templates" / "live"
    (template / "files").mkdir(parents=True)
    (template / "template.yaml").write_text(LIVE_TEMPLATE_YAML)
    (template / "files" / "index.html.j2").write_text(LIVE_INDEX)
    (template / "files" / "style.css").write_text(LIVE_CSS)
    ws = Workspace(root)
    created = ws.new_project("Live test", "live", assistants=list(assistants), answers={"headline": "Hello"})
    return ws, created.slug


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.01) -> Any:
    """Poll ``predicate`` until it is truthy; fail the test with a clear message on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_get(
    port: int,
    target: str,
    *,
    host: str | None = "default",
    headers: dict[str, str] | None = None,
    method: str = "GET",
    timeout: float = 10.0,
) -> Response:
    """Send one request exactly as written (no client-side normalisation of the path)."""
    lines = [f"{method} {target} HTTP/1.1"]
    if host == "default":
        host = f"127.0.0.1:{port}"
    if host is not None:
        lines.append(f"Host: {host}")
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    lines.append("Connection: close")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = {}
    for line in header_lines:
        key, _, value = line.partition(":")
        parsed[key.strip().lower()] = value.strip()
    return Response(int(status_line.split()[1]), parsed, body)


class SSEClient:
    """A minimal Server-Sent Events reader on its own thread; events land in ``self.events``."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        origin: str | None = None,
        host: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        self.port = parts.port or 80
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        target = "/__sandbox/events" + (f"?token={token}" if token is not None else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {host or parts.netloc}", "Accept: text/event-stream"]
        if origin:
            lines.append(f"Origin: {origin}")
        for key, value in (extra or {}).items():
            lines.append(f"{key}: {value}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.file = self.sock.makefile("rb")
        status_line = self.file.readline().decode()
        self.status = int(status_line.split()[1])
        while self.file.readline() not in (b"\r\n", b"\n", b""):
            pass
        self.events: queue.Queue[tuple[str, Any, float]] = queue.Queue()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._thread.start()

    def _read(self) -> None:
        name, data = "message", []
        try:
            for raw in self.file:
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if data:
                        self.events.put((name, json.loads("\n".join(data)), time.perf_counter()))
                    name, data = "message", []
                elif line.startswith(":"):
                    self.connected.set()
                elif line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
        except (OSError, ValueError):
            pass
        self.events.put(("closed", None, time.perf_counter()))

    def next(self, timeout: float = 10.0) -> tuple[str, Any]:
        name, data, _ = self.events.get(timeout=timeout)
        return name, data

    def next_timed(self, timeout: float = 10.0) -> tuple[str, Any, float]:
        return self.events.get(timeout=timeout)

    def drain(self) -> list[tuple[str, Any]]:
        out = []
        while True:
            try:
                name, data, _ = self.events.get_nowait()
            except queue.Empty:
                return out
            out.append((name, data))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def write_in_place(path: Path, text: str) -> None:
    """How many simple editors save: truncate and write the same file."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_via_rename(path: Path, text: str, temp_name: str | None = None) -> None:
    """VS Code / JetBrains / sed -i style: write a temporary file beside it, then rename over it."""
    temp = path.with_name(temp_name or f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def write_vim_style(path: Path, text: str) -> None:
    """Vim with 'backupcopy=no': rename the original to a backup, write a new file, drop the backup."""
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    os.unlink(backup)


def raw_exchange(port: int, request: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``request`` bytes as they are and return everything received until the server closes
    the connection or stays quiet for ``timeout`` seconds (a kept-alive connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                return data
            if not chunk:
                return data
            data += chunk
