"""`sandbox share`: a prototype as one file that opens from an email attachment, or as a zip.

What a product manager relies on: the single HTML file carries every style, script and data file
(it works alone in an empty folder, opened from ``file://``, with no request off the page); the
reviewer panel with the idea, audience and success goal is not in a shared copy unless asked;
a zip carries the prototype's files but not the assistants' briefs; bad input is one line, exit 2.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.core.errors import SandboxError
from sandbox.make import share
from sandbox.make.content import REVIEW_END, REVIEW_START
from sandbox.workspace import Workspace
from tests.conftest import CliResult, assert_one_line_error
from tests.support.browser import chromium
from tests.templates.test_shipped_templates import NAMES

IDEA = "Busy owners book a trusted dog walker nearby in two taps"


@pytest.fixture(scope="module")
def shared_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """One project per built-in template, rendered for both default assistants."""
    ws = Workspace(tmp_path_factory.mktemp("share-ws"))
    for name in NAMES:
        ws.new_project(f"Pawly {name}", name, idea=IDEA, audience="Dog owners", success="A walk booked in a minute")
    return ws


def variant(ws: Workspace, name: str, assistant: str = "claude-code") -> Path:
    return ws.project(f"pawly-{name}").variant_dir(assistant)


def local_references(html: str) -> list[str]:
    """Stylesheets, scripts and pictures the page would still load from beside it.

    (A ``<script data-src>`` names the file its inlined text came from, for the live preview.)
    """
    refs = re.findall(r"""<(?:link|script|img|source)\b[^>]*\s(?:href|src)\s*=\s*["']([^"']+)""", html, re.I)
    return [r for r in refs if not r.startswith(("data:", "http:", "https:", "#"))]


@pytest.mark.parametrize("name", NAMES)
def test_one_file_carries_everything_and_leaves_the_brief_out(shared_ws: Workspace, name: str) -> None:
    folder = variant(shared_ws, name)
    html = share.bundle_html(folder)
    assert local_references(html) == []
    for css in folder.glob("*.css"):
        first_rule = next(line for line in css.read_text(encoding="utf-8").splitlines() if "{" in line)
        assert first_rule in html, f"{css.name} is not inlined"
    for script in folder.glob("*.js"):
        if script.name != "review.js":
            assert script.read_text(encoding="utf-8").strip().splitlines()[-1] in html, f"{script.name} is not inlined"
    assert REVIEW_START not in html and 'id="sandbox-about"' not in html and "review.js" not in html
    kept = share.bundle_html(folder, keep_review=True)
    assert 'id="sandbox-about"' in kept and "Dog owners" in kept and "A walk booked in a minute" in kept


def test_the_data_file_travels_with_its_current_text(shared_ws: Workspace) -> None:
    """The dashboard's data.csv as the PM last edited it, not as it was rendered."""
    folder = variant(shared_ws, "dashboard")
    data = folder / "data.csv"
    original = data.read_text(encoding="utf-8")
    header = original.splitlines()[0]
    try:
        data.write_text(f"{header}\n2031-01,{','.join(['777'] * (header.count(',')))}\n", encoding="utf-8")
        html = share.bundle_html(folder)
    finally:
        data.write_text(original, encoding="utf-8")
    assert "2031-01," + ",".join(["777"] * header.count(",")) in html


def test_deferred_scripts_run_after_the_page_in_their_order(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<html><head><script src="a.js" defer></script><script src="b.js"></script>'
        '<script src="c.js" defer></script></head><body><p>x</p></body></html>',
        encoding="utf-8",
    )
    for name in "abc":
        (tmp_path / f"{name}.js").write_text(f"var {name} = 1;", encoding="utf-8")
    html = share.bundle_html(tmp_path)
    order = [html.index(marker) for marker in ("var b", "<p>x</p>", "var a", "var c", "</body>")]
    assert order == sorted(order)


def test_nothing_outside_the_variant_is_inlined(tmp_path: Path) -> None:
    """A page that points outside its folder (../, an absolute path) keeps the reference, never the file."""
    secret = tmp_path / "secret.js"
    secret.write_text("var token = 'do not send';", encoding="utf-8")
    folder = tmp_path / "variant"
    folder.mkdir()
    (folder / "index.html").write_text(
        f'<html><body><script src="../secret.js"></script><script src="{secret}"></script></body></html>',
        encoding="utf-8",
    )
    html = share.bundle_html(folder)
    assert "do not send" not in html and 'src="../secret.js"' in html


def test_a_missing_page_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="render the project first"):
        share.bundle_html(tmp_path)
    with pytest.raises(SandboxError, match="render the project first"):
        share.zip_variant(tmp_path / "nowhere")


def test_the_zip_has_the_prototype_but_not_the_briefs(shared_ws: Workspace) -> None:
    folder = variant(shared_ws, "landing-page")
    (folder / "index.html.sandbox-new").write_text("conflict copy", encoding="utf-8")
    try:
        data = share.zip_variant(folder, leave_out=["CLAUDE.md"], name="pawly")
        kept = share.zip_variant(folder, keep_review=True, leave_out=["CLAUDE.md"], name="pawly")
    finally:
        (folder / "index.html.sandbox-new").unlink()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        page = archive.read("pawly/index.html").decode("utf-8")
    assert {"pawly/index.html", "pawly/app.js", "pawly/app.css", "pawly/base.css"} <= names
    assert not any(n.endswith(("CLAUDE.md", ".sandbox-new")) or "/." in n for n in names), names
    assert REVIEW_START not in page and REVIEW_END not in page
    with zipfile.ZipFile(io.BytesIO(kept)) as archive:
        assert "pawly/CLAUDE.md" in archive.namelist()
        assert 'id="sandbox-about"' in archive.read("pawly/index.html").decode("utf-8")


# ---------------------------------------------------------------------------------------------
# the command


@pytest.fixture
def shared_cli(cli: Any, ws: Workspace) -> Any:
    ws.new_project("Pawly walks", "landing-page", idea=IDEA, audience="Dog owners", success="Booked in a minute")
    return cli


def test_share_writes_the_file_and_the_zip(shared_cli: Any, ws: Workspace) -> None:
    result: CliResult = shared_cli("share", "pawly-walks", "--variant", "copilot")
    assert result.code == 0, result.err
    page = (ws.root / "pawly-walks-copilot.html").read_text(encoding="utf-8")
    assert "Pawly walks" in page and local_references(page) == [] and "Dog owners" not in page
    result = shared_cli("share", "pawly-walks", "--zip", "-o", "out/pawly.zip", "--json")
    assert result.code == 0, result.err
    assert '"variant": "claude-code"' in result.out and '"format": "zip"' in result.out
    with zipfile.ZipFile(ws.root / "out" / "pawly.zip") as archive:
        names = archive.namelist()
    assert "pawly-walks-claude-code/index.html" in names
    assert not any(n.endswith("CLAUDE.md") or "/.claude/" in n for n in names), names
    result = shared_cli("share", "pawly-walks", "--with-about", "-o", "about.html")
    assert result.code == 0 and "Dog owners" in (ws.root / "about.html").read_text(encoding="utf-8")


def test_share_refuses_unknown_projects_and_variants(shared_cli: Any, ws: Workspace) -> None:
    assert_one_line_error(shared_cli("share", "no-such-project"), "no-such-project")
    assert_one_line_error(shared_cli("share", "pawly-walks", "--variant", "cursor"), "cursor", "claude-code, copilot")
    assert not list(ws.root.glob("*.html"))


# ---------------------------------------------------------------------------------------------
# from an email attachment: the file alone, opened from disk


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_the_shared_file_works_alone_from_disk(
    browser: Any, shared_ws: Workspace, tmp_path: Path, name: str
) -> None:
    attachment = tmp_path / "Downloads" / f"pawly-{name}.html"
    attachment.parent.mkdir()
    attachment.write_text(share.bundle_html(variant(shared_ws, name)), encoding="utf-8")
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: requests.append(req.url))
    try:
        page.goto(attachment.as_uri())
        page.wait_for_load_state("load")
        assert page.locator("main").first.is_visible()
        assert f"Pawly {name}" in page.title()
        assert page.locator("#sandbox-about").count() == 0
        if name == "dashboard":
            page.wait_for_selector("#charts svg")
            assert page.locator("#charts .bar").count() > 0
        if name == "landing-page":
            page.fill("#signup-email", "ana@example.com")
            page.click("#signup-form button[type=submit]")
            page.wait_for_selector("#signup-status:has-text('on the list')")
        assert errors == [], f"{name}: {errors}"
        assert [u for u in requests if u != attachment.as_uri()] == [], f"{name} asked for {requests}"
    finally:
        page.close()
    shutil.rmtree(attachment.parent)
