"""The HTML report: one self-contained page, every name escaped."""

from __future__ import annotations

from sandbox.compare import report
from sandbox.workspace import Workspace
from tests.compare.report.conftest import add, vote


def test_html_is_self_contained_and_escaped(ws: Workspace) -> None:
    slug = ws.new_project("X", "mini", category="<script>alert(1)</script>", assistants=["claude-code", "copilot"]).slug
    vote(ws, slug, "claude-code", "copilot", "A")
    add(ws, slug, "rating", variant="copilot", assistant="copilot", scores={"works": 4})
    html = report.render(report.build_report(ws), "html")
    assert "<svg" in html and "<script" not in html.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert html.count('class="whisker"') >= 2
