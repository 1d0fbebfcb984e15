"""Lighthouse scores of every built-in template, served by the preview server, on a phone.

Why Lighthouse: "fast, accessible, well made" is what a designer is shown first; Google's own
audit (npm ``lighthouse`` 12.x, driving the system Chromium) makes it three numbers anyone can
re-run. Each template is created for an idea none of its examples were written for (a dog-walking
service), rendered, served by ``sandbox preview``'s server (live-reload script included, as a
designer sees it), and audited with Lighthouse's default mobile settings (emulated mid-range
phone, simulated slow 4G). The table has the mobile performance, accessibility and best-practices
scores and the layout shift (CLS) Lighthouse measured; the run fails if a score is under
``--min`` (95 by default).

Setup (once; outside the project tree, next to the axe-core the tests use):
    npm install --prefix ~/.cache/sandbox-ci/web lighthouse@12.8.2
Run:  .venv/bin/python benchmarks/lighthouse.py [--min 95] [--template NAME ...]
Not run by CI; about 20-40 s per template on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _timing import table

TEMPLATES = ["landing-page", "clickable-mockup", "form-survey", "dashboard", "chat-assistant", "crud-app"]
CATEGORIES = ("performance", "accessibility", "best-practices")
WEB_TOOLS = Path(os.environ.get("SANDBOX_WEB_TOOLS", Path.home() / ".cache" / "sandbox-ci" / "web"))
IDEA = {
    "idea": "Busy owners book a trusted dog walker nearby in two taps",
    "audience": "Dog owners in the city",
    "success": "A walk booked in under a minute",
}


def lighthouse_cli() -> Path:
    cli = WEB_TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        raise SystemExit(f"lighthouse is not in {WEB_TOOLS}: npm install --prefix {WEB_TOOLS} lighthouse@12.8.2")
    return cli


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    return found


def audit(cli: Path, url: str, browser: str, out: Path) -> dict[str, Any]:
    """Lighthouse's report for ``url`` (mobile, the defaults), as parsed JSON."""
    argv = [
        "node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={browser}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0 or not out.is_file():
        raise SystemExit(f"lighthouse failed on {url} ({proc.returncode}):\n{proc.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """The audits that cost ``category`` points, for the lines under the table."""
    audits = report["audits"]
    refs = report["categories"][category]["auditRefs"]
    return [
        f"{ref['id']} ({audits[ref['id']]['score']})"
        for ref in refs
        if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 0.9
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--min", type=int, default=95, help="lowest acceptable score (default 95)")
    parser.add_argument("--template", action="append", choices=TEMPLATES, help="only these templates")
    args = parser.parse_args(argv)

    from sandbox.live.preview import PreviewServer
    from sandbox.workspace import Workspace

    cli, browser = lighthouse_cli(), chromium()
    rows: list[list[object]] = []
    notes: list[str] = []
    worst = 100
    version = "?"
    with tempfile.TemporaryDirectory(prefix="sandbox-lighthouse-") as tmp:
        ws = Workspace(Path(tmp) / "ws")
        for name in args.template or TEMPLATES:
            created = ws.new_project(
                f"Pawly {name}", name, assistants=["claude-code"],
                idea=IDEA["idea"], audience=IDEA["audience"], success=IDEA["success"],
            )
            folder = ws.project(created.slug).variant_dir("claude-code")
            with PreviewServer(folder, hidden=["CLAUDE.md"]) as server:
                report = audit(cli, f"http://127.0.0.1:{server.port}/index.html", browser, Path(tmp) / f"{name}.json")
            scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
            cls = report["audits"]["cumulative-layout-shift"]["numericValue"]
            lcp = report["audits"]["largest-contentful-paint"]["numericValue"] / 1000
            rows.append([name, *scores.values(), f"{cls:.3f}", f"{lcp:.1f} s"])
            worst = min(worst, *scores.values())
            for category, score in scores.items():
                if score < 100:
                    why = ", ".join(failing_audits(report, category)) or "no single audit"
                    notes.append(f"  {name} {category}: {why}")
            version = report.get("lighthouseVersion", "?")
    print(f"Lighthouse {version}, mobile (default throttling), pages served by the preview server")
    print(table(["template", "performance", "accessibility", "best-practices", "CLS", "LCP"], rows))
    if notes:
        print("Below 100 because of:\n" + "\n".join(notes))
    if worst < args.min:
        print(f"FAIL: a score is {worst}, under {args.min}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
