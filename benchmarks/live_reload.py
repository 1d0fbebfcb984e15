"""Live-reload latency and storm cost: Prototype Sandbox against python-livereload, same folder.

Measures, in one run:
1. write -> event at a client: from ``write()`` returning to the reload message arriving at a
   client (ours: an SSE client; python-livereload: a websocket client speaking its protocol);
   median and p95 over many saves (>= 200 for ours).
2. write -> DOM: from ``write()`` returning to headless Chromium's page showing the change (HTML
   edit: full reload; CSS edit: in-place swap).
3. storms: 20,000 files created in ``node_modules/`` (must cause no reload) and 2,000 files in a
   watched folder (at most 2 reloads, the last file among those told), with the CPU time the
   watching process spent (the files are made by another process).

Ends with the targets of issue 16, each marked met or not.

python-livereload drops a reload within 3 s of the previous one and polls every 800 ms without
pyinotify, so its saves are spaced 3.5 s apart (fewer samples; its numbers are still medians).

Run:  /work/venv/bin/python benchmarks/live_reload.py [--saves 200] [--dom-saves 30] [--lr-saves 15]
Not run by CI; takes about 2-3 minutes. Needs /usr/bin/chromium and the ``livereload`` package.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import queue
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import contextlib

from sandbox.live.loop import LiveProject
from sandbox.workspace import Workspace
from tests.support.browser import CHROMIUM_ARGS  # the same headless Chromium the tests drive

CHROMIUM = "/usr/bin/chromium"

# Saves are this far apart (10 per second): each is then the first change of its own burst. Saves
# closer together than the debounce window are merged into the burst's final notice, by design.
SAVE_SPACING = 0.1

TEMPLATE_YAML = """\
title: Bench
description: A page for the live-reload benchmark
category: product
entry: index.html
questions:
  - name: headline
    type: str
    default: Hello
"""


def page_html(text: str) -> str:
    # The inline script stamps the moment the new page's body is parsed (wall clock, ms).
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>bench</title>"
        "<link rel='stylesheet' href='style.css'></head><body>"
        f"<h1 id='headline'>{text}</h1>"
        "<script>window.__shown = performance.timeOrigin + performance.now();</script>"
        "</body></html>"
    )


def css(n: int) -> str:
    return f"h1 {{ color: rgb({n % 256}, 0, 0); }}\n"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"{statistics.median(values):7.1f} / {percentile(values, 0.95):7.1f} ms  (n={len(values)})"


# --- clients ---------------------------------------------------------------------------------------
class SSEReader:
    """Reads our event stream; every event is stamped with perf_counter() on arrival."""

    def __init__(self, port: int, token: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(f"GET /__sandbox/events?token={token} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        assert b" 200 " in self.file.readline()
        self.events: queue.Queue[tuple[str, dict[str, Any], float]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        name = "message"
        try:
            for raw in self.file:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    self.events.put((name, json.loads(line[5:]), time.perf_counter()))
                    name = "message"
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class WSReader:
    """A tiny websocket client for python-livereload's protocol (hello + info, then reloads)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
        )
        self.file = self.sock.makefile("rb")
        assert b" 101 " in self.file.readline()
        while self.file.readline() not in (b"\r\n", b""):
            pass
        self.messages: queue.Queue[tuple[dict[str, Any], float]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.send({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})
        self.send({"command": "info", "url": f"http://127.0.0.1:{port}/", "plugins": {}})

    def send(self, obj: dict[str, Any]) -> None:
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        else:
            header += bytes([0x80 | 126]) + len(data).to_bytes(2, "big")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self) -> None:
        try:
            while True:
                head = self.file.read(2)
                if len(head) < 2:
                    return
                length = head[1] & 0x7F
                if length == 126:
                    length = int.from_bytes(self.file.read(2), "big")
                elif length == 127:
                    length = int.from_bytes(self.file.read(8), "big")
                payload = self.file.read(length)
                stamp = time.perf_counter()
                if head[0] & 0x0F == 1:
                    self.messages.put((json.loads(payload), stamp))
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


def drain(q: queue.Queue[Any]) -> None:
    while True:
        try:
            q.get_nowait()
        except queue.Empty:
            return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def make_files(folder: Path, count: int, per_dir: int = 100) -> None:
    """Create ``count`` small files below ``folder`` from a separate process (its CPU is not ours)."""
    script = textwrap.dedent(f"""
        import os
        root = {str(folder)!r}
        for d in range(({count} + {per_dir} - 1) // {per_dir}):
            sub = os.path.join(root, f"d{{d}}")
            os.makedirs(sub, exist_ok=True)
            for i in range({per_dir}):
                n = d * {per_dir} + i
                if n >= {count}:
                    break
                with open(os.path.join(sub, f"f{{i}}.js"), "w") as f:
                    f.write("x")
    """)
    subprocess.run([sys.executable, "-c", script], check=True)


# --- ours ------------------------------------------------------------------------------------------
def setup_workspace(base: Path) -> tuple[Workspace, str, Path]:
    root = base / "ws"
    template = root / "templates" / "bench"
    (template / "files").mkdir(parents=True)
    (template / "template.yaml").write_text(TEMPLATE_YAML)
    (template / "files" / "index.html").write_text(page_html("start"))
    (template / "files" / "style.css").write_text(css(0))
    ws = Workspace(root)
    created = ws.new_project("Bench", "bench", assistants=["claude-code"])
    return ws, created.slug, ws.project(created.slug).variant_dir("claude-code")


def ours_sse(ws: Workspace, slug: str, variant: Path, saves: int, debounce_ms: int) -> list[float]:
    live = LiveProject(ws, slug, debounce_ms=debounce_ms, record_changes=lambda *a: None).start()
    try:
        live.start_preview("claude-code")
        server = live.server("claude-code")
        assert server is not None
        reader = SSEReader(server.port, server.token)
        deadline = time.monotonic() + 10
        while server.client_count < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        latencies = []
        index = variant / "index.html"
        for n in range(saves):
            time.sleep(SAVE_SPACING)  # a new burst each time: saves 10 per second, as the test does
            with open(index, "w") as handle:
                handle.write(page_html(f"sse {n}"))
            written = time.perf_counter()
            name, _, arrived = reader.events.get(timeout=10)
            assert name == "reload", name
            latencies.append((arrived - written) * 1000)
        reader.close()
        return latencies
    finally:
        live.stop()


def dom_latencies(
    page: Any, folder: Path, saves: int, tag: str, spacing: float = 0.0, before_each: Callable[[], None] | None = None
) -> tuple[list[float], list[float]]:
    """(HTML save -> new page shown, CSS save -> new colour computed), both in ms."""
    html, styles = [], []
    index, sheet = folder / "index.html", folder / "style.css"
    for n in range(1, saves + 1):
        if before_each:
            before_each()
        text = f"{tag} {n} {time.monotonic_ns()}"
        with open(index, "w") as handle:
            handle.write(page_html(text))
        written_wall = time.time() * 1000
        page.wait_for_function(
            f"document.getElementById('headline') && "
            f"document.getElementById('headline').textContent === {json.dumps(text)}",
            polling="raf",
            timeout=15_000,
        )
        html.append(page.evaluate("window.__shown") - written_wall)
        page.wait_for_load_state("load")
        time.sleep(spacing)
        red = (n * 7) % 200 + 20
        with open(sheet, "w") as handle:
            handle.write(css(red))
        written = time.perf_counter()
        page.wait_for_function(
            f"getComputedStyle(document.getElementById('headline')).color === 'rgb({red}, 0, 0)'",
            polling="raf",
            timeout=15_000,
        )
        styles.append((time.perf_counter() - written) * 1000)
        time.sleep(spacing)
    return html, styles


def ours_dom(ws: Workspace, slug: str, variant: Path, browser: Any, saves: int) -> tuple[list[float], list[float]]:
    live = LiveProject(ws, slug, record_changes=lambda *a: None).start()
    try:
        url = live.start_preview("claude-code")
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("window.__sandboxLiveReload && window.__sandboxLiveReload.state === 'open'")

        def connected() -> None:
            page.wait_for_function(
                "window.__sandboxLiveReload && window.__sandboxLiveReload.state === 'open'", timeout=15_000
            )

        result = dom_latencies(page, variant, saves, "ours", spacing=SAVE_SPACING, before_each=connected)
        page.close()
        return result
    finally:
        live.stop()


def ours_storms(ws: Workspace, slug: str, variant: Path) -> dict[str, Any]:
    live = LiveProject(ws, slug, record_changes=lambda *a: None).start()
    out: dict[str, Any] = {}
    try:
        live.start_preview("claude-code")
        server = live.server("claude-code")
        assert server is not None
        reader = SSEReader(server.port, server.token)
        while server.client_count < 1:
            time.sleep(0.005)
        for label, folder, count in (
            ("node_modules", variant / "node_modules", 20_000),
            ("watched", variant / "assets", 2_000),
        ):
            cpu0, wall0 = time.process_time(), time.perf_counter()
            make_files(folder, count)
            made = time.perf_counter()
            sentinel = variant / f"sentinel-{label}.txt"
            time.sleep(0.5)  # let the storm's events drain before the sentinel marks "after"
            sentinel.write_text("x")
            reloads = 0
            last = f"/{folder.relative_to(variant).as_posix()}/d{(count - 1) // 100}/f{(count - 1) % 100}.js"
            told_last = False  # the final state shown: the storm's last file was part of a notice
            while True:
                name, data, _ = reader.events.get(timeout=60)
                if f"/{sentinel.name}" in data.get("paths", []):
                    break
                reloads += name in ("reload", "css")
                told_last = told_last or last in data.get("paths", [])
            out[label] = {
                "files": count,
                "reloads": reloads,
                "final_shown": told_last,
                "cpu": time.process_time() - cpu0,
                "create_s": made - wall0,
                "wall": time.perf_counter() - wall0,
            }
        reader.close()
        return out
    finally:
        live.stop()


# --- python-livereload -----------------------------------------------------------------------------
def start_livereload(folder: Path, port: int) -> subprocess.Popen[bytes]:
    code = textwrap.dedent(f"""
        import logging
        logging.disable(logging.CRITICAL)
        from livereload import Server
        server = Server()
        server.watch({str(folder)!r})
        server.serve(port={port}, host="127.0.0.1", root={str(folder)!r}, open_url_delay=None)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("python-livereload did not start")


def livereload_connect(folder: Path) -> tuple[subprocess.Popen[bytes], int, WSReader]:
    """Start python-livereload on ``folder`` and wait until it would report a save.

    Once its tasks start it sends one reload by itself (about 3 s later), and any save within 3 s
    of a reload is dropped, so wait for that reload and then 3.3 s more."""
    port = free_port()
    proc = start_livereload(folder, port)
    client = WSReader(port)
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        try:
            message, _ = client.messages.get(timeout=0.2)
        except queue.Empty:
            continue
        if message.get("command") == "reload":
            break
    time.sleep(3.3)
    return proc, port, client


def livereload_run(folder: Path, browser: Any | None, saves: int, storm_cap: float = 12.0) -> dict[str, Any]:
    out: dict[str, Any] = {"ws": [], "html": [], "css": [], "missed": 0}
    proc, port, ws_client = livereload_connect(folder)
    try:
        page = None
        if browser is not None:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/index.html")
            page.wait_for_function("document.getElementById('headline') !== null")
        index, sheet = folder / "index.html", folder / "style.css"
        for n in range(1, saves + 1):
            drain(ws_client.messages)
            text = f"lr {n} {time.monotonic_ns()}"
            with open(index, "w") as handle:
                handle.write(page_html(text))
            written, written_wall = time.perf_counter(), time.time() * 1000
            try:
                while True:
                    message, arrived = ws_client.messages.get(timeout=6)
                    if message.get("command") == "reload":
                        out["ws"].append((arrived - written) * 1000)
                        break
            except queue.Empty:
                out["missed"] += 1
            print(f"  python-livereload save {n}/{saves}", flush=True)
            if page is not None:
                try:
                    page.wait_for_function(
                        f"document.getElementById('headline') && "
                        f"document.getElementById('headline').textContent === {json.dumps(text)}",
                        polling="raf",
                        timeout=8_000,
                    )
                    out["html"].append(page.evaluate("window.__shown") - written_wall)
                except Exception:  # noqa: BLE001 - a dropped save is a result, not a crash
                    pass
            time.sleep(3.3)
            if page is not None and n <= max(1, saves // 3):
                drain(ws_client.messages)
                red = (n * 7) % 200 + 20
                with open(sheet, "w") as handle:
                    handle.write(css(red))
                started = time.perf_counter()
                try:
                    page.wait_for_function(
                        f"getComputedStyle(document.getElementById('headline')).color === 'rgb({red}, 0, 0)'",
                        polling="raf",
                        timeout=8_000,
                    )
                    out["css"].append((time.perf_counter() - started) * 1000)
                except Exception:  # noqa: BLE001
                    pass
                time.sleep(3.3)
        if page is not None:
            page.close()
    finally:
        ws_client.close()
        proc.terminate()
        proc.wait(timeout=10)
    for label, sub, count in (("node_modules", "node_modules", 20_000), ("watched", "assets", 2_000)):
        print(f"  python-livereload storm: {count:,} files in {sub}/", flush=True)
        out[label] = livereload_storm(folder, sub, count, storm_cap)
    return out


def livereload_storm(folder: Path, sub: str, count: int, cap: float) -> dict[str, Any]:
    """Reloads and CPU of a fresh python-livereload while ``count`` files appear (at most ``cap`` s)."""
    proc, _, client = livereload_connect(folder)
    try:
        drain(client.messages)
        cpu0 = cpu_seconds(proc.pid)
        started = time.monotonic()
        make_files(folder / sub, count)
        made = time.monotonic()
        reloads, last = 0, made
        quiet_until = made + 5.0  # longer than its 3 s throttle plus an 800 ms poll
        while time.monotonic() < min(quiet_until, made + cap):
            try:
                message, _ = client.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            if message.get("command") == "reload":
                reloads, last = reloads + 1, time.monotonic()
                quiet_until = last + 5.0
        still = time.monotonic() < quiet_until
        return {
            "files": count,
            "reloads": reloads,
            "still_reloading": still,
            "cpu": cpu_seconds(proc.pid) - cpu0,
            "window": time.monotonic() - made,
            "create_s": made - started,
        }
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder / sub, ignore_errors=True)


# --- main ------------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=200, help="saves for write -> SSE (ours)")
    parser.add_argument("--dom-saves", type=int, default=30, help="saves for write -> DOM (ours)")
    parser.add_argument("--lr-saves", type=int, default=12, help="saves against python-livereload (3.5 s apart)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-livereload", action="store_true")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    started = time.perf_counter()
    try:
        ws, slug, variant = setup_workspace(base)
        print(f"folder: {variant}", flush=True)
        sse50 = ours_sse(ws, slug, variant, args.saves, 50)
        print(f"ours write->SSE (debounce 50 ms): {summary(sse50)}", flush=True)
        sse20 = ours_sse(ws, slug, variant, args.saves, 20)
        print(f"ours write->SSE (debounce 20 ms): {summary(sse20)}", flush=True)

        playwright = browser = None
        if not args.no_browser and Path(CHROMIUM).exists():
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        dom_html: list[float] = []
        dom_css: list[float] = []
        if browser is not None:
            dom_html, dom_css = ours_dom(ws, slug, variant, browser, args.dom_saves)
            print(f"ours write->DOM html {summary(dom_html)}; css {summary(dom_css)}", flush=True)
        storms = ours_storms(ws, slug, variant)
        print(f"ours storms: {storms}", flush=True)
        shutil.rmtree(variant / "node_modules", ignore_errors=True)
        shutil.rmtree(variant / "assets", ignore_errors=True)
        for extra in variant.glob("sentinel-*"):
            extra.unlink()

        lr: dict[str, Any] = {}
        if not args.no_livereload:
            lr = livereload_run(variant, browser, args.lr_saves)
            print(
                f"python-livereload: ws {summary(lr['ws'])}; html {summary(lr['html'])}; css {summary(lr['css'])}; "
                f"missed {lr['missed']}",
                flush=True,
            )
        if browser is not None:
            browser.close()
            playwright.stop()  # type: ignore[union-attr]

        print()
        print_table(sse50, sse20, dom_html, dom_css, storms, lr)
        print(f"\ntotal benchmark time: {time.perf_counter() - started:.0f} s")
        print_targets(sse50, dom_html, dom_css, storms, lr)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def print_targets(
    sse50: list[float], dom_html: list[float], dom_css: list[float], storms: dict[str, Any], lr: dict[str, Any]
) -> None:
    """Each target of issue 16, met or not, from the figures of this run."""

    def line(what: str, met: bool, figure: str) -> None:
        print(f"target {what}: {'met' if met else 'NOT met'} ({figure})")

    sse = statistics.median(sse50)
    line("write -> SSE client <= 10 ms (median)", sse <= 10, f"{sse:.1f} ms")
    if dom_css:
        line("write -> DOM, CSS edit <= 25 ms (median)", statistics.median(dom_css) <= 25,
             f"{statistics.median(dom_css):.1f} ms")
    if dom_html:
        line("write -> DOM, HTML edit <= 45 ms (median)", statistics.median(dom_html) <= 45,
             f"{statistics.median(dom_html):.1f} ms")
    if lr.get("ws"):
        ratio = statistics.median(lr["ws"]) / sse
        line(">= 20x python-livereload, client event at the median", ratio >= 20, f"{ratio:.1f}x")
    modules, watched = storms.get("node_modules", {}), storms.get("watched", {})
    if modules:
        line(f"{modules['files']:,} files in node_modules/: CPU <= 0.3 s, no reload",
             modules["cpu"] <= 0.3 and modules["reloads"] == 0, f"{modules['cpu']:.2f} s, {modules['reloads']} reloads")
    if watched:
        line(f"{watched['files']:,} files in a watched folder: <= 2 reloads, final state shown",
             watched["reloads"] <= 2 and watched["final_shown"],
             f"{watched['reloads']} reloads, final state {'shown' if watched['final_shown'] else 'NOT shown'}")


def print_table(
    sse50: list[float],
    sse20: list[float],
    dom_html: list[float],
    dom_css: list[float],
    storms: dict[str, Any],
    lr: dict[str, Any],
) -> None:
    def ratio(ours: list[float], theirs: list[float] | None) -> str:
        if not ours or not theirs:
            return ""
        return f"{statistics.median(theirs) / statistics.median(ours):.1f}x"

    rows = [
        ("write -> client event (median / p95)", summary(sse50), summary(lr.get("ws", [])), ratio(sse50, lr.get("ws"))),
        ("  same, ours with debounce_ms: 20", summary(sse20), "", ratio(sse20, lr.get("ws"))),
        (
            "write -> DOM, HTML edit (reload)",
            summary(dom_html),
            summary(lr.get("html", [])),
            ratio(dom_html, lr.get("html")),
        ),
        (
            "write -> DOM, CSS edit (in place)",
            summary(dom_css),
            summary(lr.get("css", [])),
            ratio(dom_css, lr.get("css")),
        ),
    ]
    for label in ("node_modules", "watched"):
        ours = storms.get(label, {})
        theirs = lr.get(label, {})
        name = f"storm: {ours.get('files', 0):,} files in {'node_modules/' if label == 'node_modules' else 'assets/'}"
        their_reloads = str(theirs.get("reloads", ""))
        if theirs.get("still_reloading"):
            their_reloads += f" in {theirs['window']:.0f} s, still reloading"
        rows.append((name + ": reloads", str(ours.get("reloads", "")), their_reloads, ""))
        rows.append((name + ": CPU s", f"{ours.get('cpu', 0):.2f}", f"{theirs['cpu']:.2f}" if theirs else "", ""))
    if lr:
        rows.append(("saves python-livereload never reported", "0", str(lr.get("missed", 0)), ""))
    widths = [
        max(len(r[i]) for r in [*rows, ("measurement", "sandbox", "python-livereload", "ratio")]) for i in range(4)
    ]
    header = ("measurement", "sandbox", "python-livereload", "ratio")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + " |")


if __name__ == "__main__":
    raise SystemExit(main())
