"""What the template tests measure in a real page: axe-core violations, layout shift, console errors.

Why third-party tools: "accessible" and "does not jump" are claims a designer cannot check; axe-core
(the engine behind most accessibility checkers, installed from npm by `.ci/run`) and the browser's
own layout-shift entries make them numbers. axe is injected into the page under test, so it sees
exactly what a visitor's browser renders, in light and dark mode.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

AXE_VERSION = "4.11.0"  # keep in step with .ci/run
WEB_TOOLS = Path(os.environ.get("SANDBOX_WEB_TOOLS", Path.home() / ".cache" / "sandbox-ci" / "web"))
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")

# Counts every layout shift not caused by the visitor (hadRecentInput), from the very first paint.
CLS_SCRIPT = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    if (entry.hadRecentInput) return;
    window.__cls += entry.value;
    window.__shifts.push({value: entry.value, nodes: (entry.sources || []).map(function (s) {
      var n = s.node;
      if (!n || n.nodeType !== 1) return String(n && n.nodeName);
      return n.id ? '#' + n.id : n.tagName.toLowerCase() + '.' + n.className;
    })});
  });
}).observe({type: 'layout-shift', buffered: true});
"""


# axe's experimental rules that the issue names (a link whose name differs from its text): off by default.
EXTRA_RULES = {"label-content-name-mismatch": {"enabled": True}}


def axe_source() -> str:
    """axe.min.js from the npm install `.ci/run` makes; a failure in CI when it is missing."""
    package = WEB_TOOLS / "node_modules" / "axe-core"
    path = package / "axe.min.js"
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is required in CI (.ci/run installs it into {WEB_TOOLS})")
        pytest.skip(f"axe-core is not installed in {WEB_TOOLS} (run .ci/run once)")
    installed = json.loads((package / "package.json").read_text(encoding="utf-8")).get("version")
    if installed != AXE_VERSION:
        pytest.fail(f"axe-core {installed} in {WEB_TOOLS}, the tests are pinned to {AXE_VERSION} (.ci/run installs it)")
    return path.read_text(encoding="utf-8")


@dataclass
class Watched:
    """A page with everything it reported: script errors, console errors and requests."""

    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def axe(self, axe_js: str, region: str | None = None) -> list[str]:
        """axe-core's violations on the page as it is now, one line each (rule, impact, where).

        ``region``: a CSS selector to check only the part a state changed (the whole page is
        checked once when it has loaded), which keeps a run of many states quick.
        """
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(content=axe_js)
        result = self.page.evaluate(
            "async ([region, rules]) => { const r = await axe.run(region || document,"
            " {resultTypes: ['violations'], preload: false, rules});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n =>"
            " n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join(''))})); }",
            [region, EXTRA_RULES],
        )
        return [f"{v['id']} ({v['impact']}): {json.dumps(v['nodes'])}" for v in result]

    def settle(self) -> None:
        """Wait until the page has loaded and painted twice more (what a shift would follow)."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def cls(self) -> tuple[float, list[Any]]:
        self.settle()
        return float(self.page.evaluate("window.__cls")), self.page.evaluate("window.__shifts")

    def offsite(self) -> list[str]:
        """Requests that left the page's own files (anything but file:, data:, blob: and about:)."""
        return [u for u in self.requests if not u.startswith(("file://", "data:", "blob:", "about:"))]


@contextmanager
def watched_page(context: Any, url: str | None = None) -> Iterator[Watched]:
    page = context.new_page()
    watched = Watched(page)
    page.on("pageerror", lambda exc: watched.errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: watched.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("request", lambda req: watched.requests.append(req.url))
    page.on("dialog", lambda dialog: watched.errors.append(f"unexpected native dialog: {dialog.message}"))
    try:
        if url is not None:
            page.goto(url)
            watched.settle()
        yield watched
    finally:
        page.close()


def render_into(folder: Path, name: str, project: dict[str, str], answers: dict[str, Any] | None = None) -> Path:
    """Render built-in template ``name`` into ``folder`` (its defaults, then ``answers``); its entry file."""
    from sandbox.make.catalog import builtin_templates_dir, load_template
    from sandbox.make.render import render_template, template_context

    template = load_template(builtin_templates_dir() / name)
    files = render_template(template, template_context(template, project, {**template.defaults(), **(answers or {})}))
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder / template.entry


def new_context(browser: Any, viewport: str, scheme: str, **extra: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme, accept_downloads=True, **extra)
    context.add_init_script(CLS_SCRIPT)
    return context
