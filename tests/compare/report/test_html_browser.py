"""The HTML report in real headless Chromium: it renders offline, without JavaScript, with charts.

In CI (``CI`` set) a missing Chromium fails the test instead of skipping it.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest

from sandbox.compare import report
from sandbox.compare.report.svg import PALETTE
from sandbox.workspace import Workspace
from tests.support.browser import chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit PNG (what Chromium writes), stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [b"".join(r[i : i + 3] for i in range(0, len(r), channels)) for r in rows]


@pytest.fixture
def html_report(ws: Workspace, tmp_path: Path) -> Path:
    trio = ["claude-code", "copilot", "codex"]
    slugs = [ws.new_project(f"Idea {i}", "mini", assistants=trio).slug for i in range(2)]
    outcomes = [("claude-code", "copilot", "A")] * 6 + [("copilot", "codex", "B")] * 3
    outcomes += [("codex", "claude-code", "B")] * 4
    outcomes += [("copilot", "claude-code", "A")] * 2 + [("codex", "copilot", "tie")] * 2
    for i, (a, b, winner) in enumerate(outcomes):
        ws.project(slugs[i % 2]).append(
            "vote", comparison=str(i), a=a, b=b, a_assistant=a, b_assistant=b, winner=winner,
            a_worked=True, b_worked=True,
        )
    for score, variant in ((4, "claude-code"), (5, "claude-code"), (3, "copilot"), (2, "codex"), (4, "copilot")):
        scores = {"works": score, "looks-right": 4}
        ws.project(slugs[0]).append("rating", variant=variant, assistant=variant, scores=scores)
    target = tmp_path / "report.html"
    report.write(report.build_report(ws), "html", target)
    return target


def test_html_report_renders_offline_without_javascript(html_report: Path, tmp_path: Path) -> None:
    with chromium() as launched:
        browser = cast("Browser", launched)  # tests.support.browser hands it over untyped
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html_report.as_uri())
        assert [url for url in requests if not url.startswith("file://")] == []  # nothing from the network
        assert page.title() == "Assistant comparison report"
        assert page.locator("h1").inner_text() == "Assistant comparison report"
        assert page.locator("ul.headlines li").count() >= 1  # plain words first, on screen
        charts = page.locator("svg.chart")
        assert charts.count() >= 3
        assert not charts.first.is_visible()  # the statistics start folded away ...
        page.locator("details.statistics > summary").click()  # ... and open with a click, without JavaScript
        box = charts.first.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
        assert page.locator("svg.chart rect").count() >= 3
        assert page.locator("svg.chart .whisker").count() >= 3
        assert "Bradley-Terry" in page.locator("body").inner_text()
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=False)
        chart_shot = charts.first.screenshot()
    width, height, rows = decode_png(shot.read_bytes())
    assert (width, height) == (1200, 900)
    pixels = [row[i : i + 3] for row in rows[::4] for i in range(0, len(row), 12)]
    background = max(set(pixels), key=pixels.count)
    share = sum(1 for p in pixels if p != background) / len(pixels)
    assert share > 0.02, f"the page looks blank ({share:.1%} of pixels differ from the background)"
    assert len(set(pixels)) > 20
    _, _, chart_rows = decode_png(chart_shot)
    colors = {row[i : i + 3] for row in chart_rows for i in range(0, len(row), 3)}
    bar = bytes.fromhex(PALETTE[0][1:])
    near = [c for c in colors if sum(abs(a - b) for a, b in zip(c, bar, strict=True)) < 30]
    assert near, "no bar of the first colour in the chart"
