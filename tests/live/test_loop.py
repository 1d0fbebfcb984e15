"""The live loop: variant edits reload tabs, spec edits re-render once, errors show and clear."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.core import ledger
from sandbox.core.errors import SandboxError
from sandbox.live.loop import LiveEvent, LiveProject
from tests.support.preview import SSEClient, make_live_workspace, raw_get, wait_for, write_via_rename

WAIT = 15.0


class Harness:
    """A LiveProject with an event queue, a fake session recorder and helpers to wait on both."""

    def __init__(self, root: Path, **kwargs: Any) -> None:
        self.ws, self.slug = make_live_workspace(root)
        self.project = self.ws.project(self.slug)
        self.events: queue.Queue[LiveEvent] = queue.Queue()
        self.recorded: list[tuple[str, list[Path]]] = []
        self.live = LiveProject(
            self.ws, self.slug, on_event=self.events.put, debounce_ms=30, record_changes=self.record, **kwargs
        )
        self.clients: list[SSEClient] = []

    def record(self, project: Any, variant: str, paths: list[Path]) -> None:
        assert project.slug == self.slug
        self.recorded.append((variant, list(paths)))

    def variant(self, name: str = "claude-code") -> Path:
        return self.project.variant_dir(name)

    def client(self, variant: str = "claude-code") -> SSEClient:
        server = self.live.server(variant)
        client = SSEClient(server.url, server.token)
        assert client.status == 200
        self.clients.append(client)
        wait_for(lambda: server.client_count >= 1)
        return client

    def wait(self, kind: str, where: Callable[[LiveEvent], bool] = lambda e: True, timeout: float = WAIT) -> LiveEvent:
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {kind} event within {timeout} s; saw {seen}") from None
            seen.append((event.kind, event.paths))
            if event.kind == kind and where(event):
                return event

    def settle(self) -> list[LiveEvent]:
        """Write a file outside the variants and return every event up to its batch.

        The watcher delivers batches in order, one at a time, so once the marker's batch is seen
        every batch our earlier actions caused has been handled."""
        marker = self.project.path / f"marker-{time.monotonic_ns()}.txt"
        marker.write_text("x")
        events = []
        while True:
            event = self.events.get(timeout=WAIT)
            if event.kind == "batch" and marker.name in event.paths:
                return events
            events.append(event)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.live.stop()


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path / "ws")
    harness.live.start()
    harness.live.start_preview("claude-code")
    yield harness
    harness.close()


def set_headline(h: Harness, text: str) -> None:
    spec = h.project.spec_path
    write_via_rename(spec, spec.read_text().replace(_current_headline(spec), f"headline: {text}"))


def _current_headline(spec: Path) -> str:
    return next(line.strip() for line in spec.read_text().splitlines() if line.strip().startswith("headline:"))


def test_preview_url_serves_the_variant(h: Harness) -> None:
    url = h.live.urls["claude-code"]
    assert url == h.live.start_preview("claude-code")  # idempotent
    port = int(url.rsplit(":", 1)[1].strip("/"))
    body = raw_get(port, "/").body
    assert b'<h1 id="headline">Hello</h1>' in body and b"data-sandbox-token" in body


def test_html_edit_reloads_and_is_recorded(h: Harness) -> None:
    client = h.client()
    index = h.variant() / "index.html"
    index.write_text(index.read_text().replace("Hello", "Edited"))
    assert client.next(WAIT) == ("reload", {"paths": ["/index.html"]})
    event = h.wait("reload")
    assert event.variant == "claude-code" and event.paths == ("variants/claude-code/index.html",)
    assert event.clients == 1 and 0 <= event.seconds < 5
    # The tabs hear the leading notice; the session hears the whole burst once it is over.
    assert h.wait("batch").paths == ("variants/claude-code/index.html",)
    assert h.recorded == [("claude-code", [index])]
    assert client.drain() == []  # nothing changed after the notice: no second reload


def test_css_edit_swaps_styles(h: Harness) -> None:
    client = h.client()
    (h.variant() / "style.css").write_text("h1 { color: red; }")
    assert client.next(WAIT) == ("css", {"paths": ["/style.css"]})
    assert h.wait("css").clients == 1


def test_deleting_a_stylesheet_reloads(h: Harness) -> None:
    client = h.client()
    (h.variant() / "style.css").unlink()
    assert client.next(WAIT)[0] == "reload"


def test_edit_in_another_variant_goes_to_that_variant_only(h: Harness) -> None:
    client = h.client()
    other = h.variant("copilot") / "index.html"
    other.write_text("<p>copilot</p>")
    batch = h.wait("batch", lambda e: e.variant == "copilot")
    assert batch.paths == ("variants/copilot/index.html",)
    h.settle()
    assert h.recorded == [("copilot", [other])]
    assert client.drain() == []  # the claude-code tab was not told


def test_spec_change_renders_once_and_reloads_once(h: Harness) -> None:
    client = h.client()
    set_headline(h, "Brand new")
    rendered = h.wait("rendered")
    assert "variants/claude-code/index.html" in rendered.paths
    name, data = client.next(WAIT)
    assert name == "reload" and "/index.html" in data["paths"]  # (the brief may change too)
    assert h.wait("reload").clients == 1
    assert "Brand new" in (h.variant() / "index.html").read_text()
    assert "Brand new" in (h.variant("copilot") / "index.html").read_text()
    later = h.settle()
    # the watcher's report of our own writes is neither a second reload nor an assistant's change
    assert [e for e in later if e.kind in ("reload", "css", "batch")] == []
    assert client.drain() == []
    assert h.recorded == []
    events = [e for e in h.project.events() if e["kind"] == ledger.RENDERED]
    assert len(events) == 1
    assert "claude-code/index.html" in events[0]["files"] and events[0]["conflicts"] == []


def test_an_edit_after_a_render_is_still_seen(h: Harness) -> None:
    client = h.client()
    set_headline(h, "Rendered")
    assert client.next(WAIT)[0] == "reload"
    index = h.variant() / "index.html"
    index.write_text(index.read_text() + "<p>assistant</p>")
    assert client.next(WAIT)[0] == "reload"
    wait_for(lambda: h.recorded == [("claude-code", [index])], timeout=WAIT)


def test_spec_error_shows_and_clears(h: Harness) -> None:
    client = h.client()
    spec = h.project.spec_path
    good = spec.read_text()
    before = (h.variant() / "index.html").read_text()
    lines = good.splitlines()
    bad_line = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[bad_line] = "title: [unclosed"
    spec.write_text("\n".join(lines) + "\n")
    event = h.wait("spec_error")
    assert event.error is not None and event.error["line"] is not None
    assert event.clients == 1
    name, data = client.next(WAIT)
    assert name == "sandbox-error" and data["line"] == event.error["line"]
    assert (h.variant() / "index.html").read_text() == before  # last good prototype kept
    assert not [e for e in h.project.events() if e["kind"] == ledger.RENDERED]

    # a tab opened while broken sees the error too
    late = h.client()
    assert late.next(WAIT)[0] == "sandbox-error"

    spec.write_text(good.replace("headline: Hello", "headline: Fixed"))
    fixed = h.wait("spec_fixed")
    assert fixed.clients == 2
    assert client.next(WAIT) == ("sandbox-clear", {})
    assert client.next(WAIT)[0] == "reload"
    assert "Fixed" in (h.variant() / "index.html").read_text()
    assert h.live.error is None


def test_invalid_value_points_at_its_line(h: Harness) -> None:
    spec = h.project.spec_path
    text = spec.read_text()
    spec.write_text(
        text.replace('brand_color: "#1a73e8"', 'brand_color: "blue-ish"').replace(
            "brand_color: '#1a73e8'", "brand_color: 'blue-ish'"
        )
    )
    event = h.wait("spec_error")
    expected = next(i for i, line in enumerate(spec.read_text().splitlines(), 1) if "blue-ish" in line)
    assert event.error["line"] == expected
    assert "project.yaml" in event.message


def test_spec_change_never_clobbers_an_edit(h: Harness) -> None:
    index = h.variant() / "index.html"
    index.write_text(index.read_text().replace("Hello", "Hand edited"))
    h.wait("batch", lambda e: e.variant == "claude-code")
    h.recorded.clear()
    set_headline(h, "From spec")
    conflict = h.wait("conflict")
    assert conflict.variant == "claude-code" and conflict.paths == ("variants/claude-code/index.html",)
    assert "Hand edited" in index.read_text()
    assert "From spec" in index.with_name("index.html.sandbox-new").read_text()
    assert "From spec" in (h.variant("copilot") / "index.html").read_text()
    h.settle()
    assert h.recorded == []  # neither the .sandbox-new file nor the copilot render is anyone's edit
    event = [e for e in h.project.events() if e["kind"] == ledger.RENDERED][-1]
    assert event["conflicts"] == ["claude-code/index.html"]


def test_saving_the_spec_unchanged_does_nothing(h: Harness) -> None:
    spec = h.project.spec_path
    write_via_rename(spec, spec.read_text())
    assert h.settle() == []
    assert not [e for e in h.project.events() if e["kind"] == ledger.RENDERED]


def test_ledger_appends_never_start_a_batch(h: Harness) -> None:
    for _ in range(3):
        h.project.append("note", text="x")
    later = h.settle()
    assert later == []


def test_start_with_a_broken_spec(tmp_path: Path) -> None:
    harness = Harness(tmp_path / "ws")
    try:
        spec = harness.project.spec_path
        spec.write_text(spec.read_text() + "bogus_field: 1\n")
        harness.live.start()
        event = harness.wait("spec_error")
        assert "bogus_field" in event.message and event.error["line"] == len(spec.read_text().splitlines())
        harness.live.start_preview("claude-code")
        assert harness.client().next(WAIT)[0] == "sandbox-error"
    finally:
        harness.close()


def test_unknown_variant_is_a_user_error(h: Harness) -> None:
    with pytest.raises(SandboxError, match=r"no variant 'nope'.*claude-code, copilot"):
        h.live.start_preview("nope")


def test_stop_preview_and_stop(h: Harness) -> None:
    url = h.live.urls["claude-code"]
    port = int(url.rsplit(":", 1)[1].strip("/"))
    h.live.stop_preview("claude-code")
    assert h.live.urls == {}
    with pytest.raises(OSError):
        raw_get(port, "/", timeout=2)
    h.live.stop()
    h.live.stop()


def test_debounce_and_ignore_come_from_sandbox_yaml(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    harness = Harness(root)
    harness.live.stop()
    (root / "sandbox.yaml").write_text("debounce_ms: 120\nignore:\n  - '*.draft'\n")
    harness.ws.reload()
    live = LiveProject(harness.ws, harness.slug, on_event=harness.events.put, record_changes=harness.record)
    assert live.debounce_ms == 120 and "*.draft" in live.ignore
    harness.live = live
    try:
        live.start()
        (harness.variant() / "x.draft").write_text("ignored")
        assert harness.settle() == []
    finally:
        harness.close()
    (root / "sandbox.yaml").write_text("debounce_ms: -5\n")
    harness.ws.reload()
    with pytest.raises(SandboxError, match=r"sandbox.yaml:1:\d+: 'debounce_ms' must be between"):
        harness.ws.live_project(harness.slug)


def test_real_sessions_module_records_changes(tmp_path: Path) -> None:
    from sandbox.assistants import sessions

    ws, slug = make_live_workspace(tmp_path / "ws")
    project = ws.project(slug)
    events: queue.Queue[LiveEvent] = queue.Queue()
    live = ws.live_project(slug, on_event=events.put, debounce_ms=30).start()
    try:
        sessions.start_session(project, "claude-code")
        target = project.variant_dir("claude-code") / "style.css"
        target.write_text("h1 { color: green; }\n/* more */\n")
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if any(e["kind"] == ledger.CHANGE for e in project.events()):
                break
            time.sleep(0.05)
        changes = [e for e in project.events() if e["kind"] == ledger.CHANGE]
        assert len(changes) == 1 and changes[0]["variant"] == "claude-code"
        (project.variant_dir("copilot") / "style.css").write_text("x")  # no open session there
        marker = project.path / "marker.txt"
        marker.write_text("x")
        while True:
            event = events.get(timeout=WAIT)
            if event.kind == "batch" and "marker.txt" in event.paths:
                break
        assert len([e for e in project.events() if e["kind"] == ledger.CHANGE]) == 1
    finally:
        live.stop()


# --- the command line ------------------------------------------------------------------------
def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "--workspace", str(root), *args], capture_output=True, text=True, timeout=60
    )


def test_cli_preview_errors_are_one_line(tmp_path: Path) -> None:
    ws, slug = make_live_workspace(tmp_path / "ws")
    result = run_cli(ws.root, "preview", slug, "--variant", "nope", "--no-browser")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no variant 'nope'" in result.stderr
    result = run_cli(ws.root, "preview", "missing", "--no-browser")
    assert result.returncode == 2 and "no project 'missing'" in result.stderr
    result = run_cli(ws.root, "preview", slug, "--port", "70000", "--no-browser")
    assert result.returncode == 2 and "--port 70000" in result.stderr


def test_cli_preview_serves_reports_and_stops_cleanly(tmp_path: Path) -> None:
    ws, slug = make_live_workspace(tmp_path / "ws")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--workspace", str(ws.root), "preview", slug, "--all", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        urls = {}
        for _ in range(2):
            variant, url = proc.stdout.readline().split()
            urls[variant] = url
        assert set(urls) == {"claude-code", "copilot"}
        assert "Ctrl+C" in proc.stdout.readline()
        port = int(urls["copilot"].rsplit(":", 1)[1].strip("/"))
        assert b"Hello" in raw_get(port, "/").body
        (ws.project(slug).variant_dir("copilot") / "style.css").write_text("h1{}")
        line = proc.stdout.readline()
        assert "copilot" in line and "style.css" in line and "swapped stylesheets" in line and "ms" in line
        assert "0 browsers told" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "Stopped." in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_lines_say_what_was_done() -> None:
    from sandbox.cli.preview import format_event

    at = time.time()
    line = format_event(
        LiveEvent("css", at, "copilot", ("variants/copilot/a.css",), "a.css changed: swapped stylesheets", 0.0512, 2)
    )
    assert line is not None and line.endswith(
        "copilot      a.css changed: swapped stylesheets (51 ms, 2 browsers told)"
    )
    error = LiveEvent("spec_error", at, None, ("project.yaml",), "projects/x/project.yaml:4:7: bad", 0.01, 1)
    assert "project.yaml error: projects/x/project.yaml:4:7: bad (10 ms, 1 browser told)" in (format_event(error) or "")
    assert format_event(LiveEvent("batch", at, "copilot", ("variants/copilot/a.css",))) is None


def test_a_spec_edited_while_nothing_watched_is_rendered_when_watching_starts(tmp_path: Path) -> None:
    ws, slug = make_live_workspace(tmp_path / "ws")
    project = ws.project(slug)
    spec = project.spec_path
    spec.write_text(spec.read_text().replace(_current_headline(spec), "headline: Edited offline"))
    events: queue.Queue[LiveEvent] = queue.Queue()
    with LiveProject(ws, slug, on_event=events.put, debounce_ms=30, record_changes=lambda *a: None) as live:
        assert live.error is None
        page = (project.variant_dir("claude-code") / "index.html").read_text()
        assert "Edited offline" in page
        kinds = [events.get_nowait().kind for _ in range(events.qsize())]
        assert "rendered" in kinds
    # Starting again with nothing changed renders nothing more.
    before = len([e for e in project.events() if e["kind"] == ledger.RENDERED])
    with LiveProject(ws, slug, on_event=events.put, debounce_ms=30, record_changes=lambda *a: None):
        pass
    assert len([e for e in project.events() if e["kind"] == ledger.RENDERED]) == before == 1


def test_project_folder_moved_away_and_back(h: Harness) -> None:
    """Renaming the project folder mid-session: a clear event, no crash; back again, tabs reload."""
    client = h.client()
    away = h.project.path.with_name(h.project.path.name + "-moved")
    os.rename(h.project.path, away)
    lost = h.wait("watch_lost")
    assert "moved or deleted" in lost.message and h.live.warning == lost.message
    os.rename(away, h.project.path)
    assert "watching it again" in h.wait("watch_resumed").message
    assert h.wait("reload", lambda e: e.variant == "claude-code").clients == 1
    assert client.next(timeout=WAIT)[0] == "reload"
    (h.variant() / "index.html").write_text("<html><head></head><body>after</body></html>")
    h.wait("reload", lambda e: "variants/claude-code/index.html" in e.paths)
    assert h.live.warning is None


def test_cli_line_for_a_lost_folder() -> None:
    from sandbox.cli.preview import format_event

    line = format_event(LiveEvent("watch_lost", time.time(), message="the folder /x was moved or deleted"))
    assert line is not None and line.endswith("project      warning: the folder /x was moved or deleted")
    back = format_event(LiveEvent("watch_resumed", time.time(), message="the folder /x is back"))
    assert back is not None and back.endswith("project      the folder /x is back") and "ms" not in back


def test_cli_preview_all_past_the_last_port_is_one_line(tmp_path: Path) -> None:
    """--all --port 65535 needs 65536 for the second variant: a user error, not an OverflowError."""
    ws, slug = make_live_workspace(tmp_path / "ws")
    result = run_cli(ws.root, "preview", slug, "--all", "--port", "65535", "--no-browser")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "--all needs 2 ports from 65535" in result.stderr
    assert "internal error" not in result.stderr and "http://" not in result.stdout


@pytest.mark.parametrize(
    "entry, message",
    [("'#draft'", "makes it a comment"), ("''", "pattern is empty"), ("{a: 1}", "must be a pattern")],
)
def test_an_ignore_entry_that_cannot_work_is_refused_at_its_line(tmp_path: Path, entry: str, message: str) -> None:
    """A comment or an empty pattern would silently do nothing: say so, pointing at the line."""
    root = tmp_path / "ws"
    ws, slug = make_live_workspace(root)
    (root / "sandbox.yaml").write_text(f"ignore:\n  - '*.log'\n  - {entry}\n")
    ws.reload()
    with pytest.raises(SandboxError, match=rf"sandbox.yaml:3:\d+: .*{re.escape(message)}"):
        ws.live_project(slug)
    (root / "sandbox.yaml").write_text("ignore:\n  - '*.log'\n  - '!keep.log'\n  - 4913\n  - build/\n")
    ws.reload()
    assert ws.live_project(slug).ignore == ["*.log", "!keep.log", "4913", "build/"], "a negation takes a name back"
