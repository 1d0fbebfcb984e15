"""The six shipped templates: they render, their HTML is sound, they stay offline and escape the idea.

Static checks run everywhere; the last tests open the rendered pages in headless Chromium and use
them the way a designer would (sign up, answer the survey, chat, add a record).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from markupsafe import escape

from sandbox.make.catalog import builtin_templates_dir, load_template
from sandbox.make.render import render_template
from sandbox.make.shared import SHARED_DIR
from tests.templates.expense_answers import EXPENSE_ANSWERS

NAMES = ["landing-page", "clickable-mockup", "form-survey", "dashboard", "chat-assistant", "crud-app"]
CATEGORIES = {"marketing", "product", "research", "data", "support", "operations"}
QUESTION_TYPES = {"str", "text", "int", "bool", "choice", "color", "list"}

EVIL_TITLE = '<script>alert(1)</script> & "quotes"'
IDEA = "Managers approve team expenses from their phone, in under 10 seconds."

PROJECTS = {
    "full": {
        "title": EVIL_TITLE,
        "slug": "script-alert-1-script-quotes",
        "idea": IDEA,
        "audience": "Team leads at small companies",
        "success": "A claim approved in under 10 seconds",
        "category": "product",
    },
    "minimal": {"title": EVIL_TITLE, "slug": "x", "idea": "", "audience": "", "success": "", "category": ""},
}

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_REF = ("#", "http:", "https:", "mailto:", "data:", "javascript:", "tel:", "blob:")


def templates_root() -> Path:
    root = builtin_templates_dir
    return Path(root() if callable(root) else root)


def load(name: str) -> Any:
    return load_template(templates_root() / name)


def context(template: Any, project: dict[str, str], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    answers = {q.name: q.default for q in template.questions}
    answers.update(overrides or {})
    return {
        "project": dict(project),
        "vars": answers,
        "template": {"name": template.name, "title": template.title, "entry": template.entry},
    }


def render(name: str, project: str = "full", overrides: dict[str, Any] | None = None) -> tuple[Any, dict[str, bytes]]:
    template = load(name)
    return template, render_template(template, context(template, PROJECTS[project], overrides))


class PageParser(HTMLParser):
    """Collects what the checks need and records tags that do not close in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: dict[str, int] = {}
        self.refs: list[str] = []
        self.ids: list[str] = []
        self.lang = ""
        self.title = ""
        self._in_title = False
        self.scripts: dict[str, str] = {}
        self._script_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "html":
            self.lang = a.get("lang") or ""
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append(a[key] or "")
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "title":
            self._in_title = True
        if tag == "script":
            self._script_id = a.get("id") or ""
            self.scripts.setdefault(self._script_id, "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <path/> inside inline SVG and the like: opened and closed at once.
        if tag in VOID:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if tag == "title":
            self._in_title = False
        if tag == "script":
            self._script_id = None
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._script_id is not None:
            self.scripts[self._script_id] += data


def parse(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


def strip_comments(path: str, text: str) -> str:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    if path.endswith((".js", ".css", ".html", ".htm")):
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    if path.endswith((".js", ".html", ".htm")):
        text = re.sub(r"(?<![:\w\\])//[^\n]*", "", text)
    return text


# ---------------------------------------------------------------------------------------------
# template.yaml


@pytest.mark.parametrize("name", NAMES)
def test_template_yaml_follows_the_format(name: str) -> None:
    raw = yaml.safe_load((templates_root() / name / "template.yaml").read_text(encoding="utf-8"))
    assert set(raw) <= {"title", "description", "category", "entry", "provides", "shared", "questions"}
    assert "base.css" in raw["shared"], f"{name}: every built-in template takes the shared look from _shared/"
    assert raw["title"].strip() and len(raw["description"]) <= 90
    assert raw["category"] in CATEGORIES
    assert raw["entry"] == "index.html"
    assert 2 <= len(raw["provides"]) <= 5 and all(isinstance(p, str) and p.strip() for p in raw["provides"])
    names = [q["name"] for q in raw["questions"]]
    assert len(names) == len(set(names))
    for q in raw["questions"]:
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", q["name"]), q
        assert q["type"] in QUESTION_TYPES, q
        assert "default" in q and q.get("help", "").strip(), f"{name}.{q['name']} needs a default and a help text"
        default = q["default"]
        if q["type"] == "list":
            assert isinstance(default, list) and all(isinstance(i, str) and i.strip() for i in default)
        elif q["type"] == "color":
            assert re.fullmatch(r"#[0-9a-f]{6}", default), q
        elif q["type"] == "bool":
            assert isinstance(default, bool)
        elif q["type"] == "int":
            assert isinstance(default, int) and not isinstance(default, bool)
            assert q.get("min", default) <= default <= q.get("max", default)
        elif q["type"] == "choice":
            assert default in q["choices"]
        else:
            assert isinstance(default, str)
    # The core loads it too (and validates every default against its question).
    template = load(name)
    assert template.entry == "index.html"
    assert {q.name for q in template.questions} == set(names)
    assert "brand_color" in names


# ---------------------------------------------------------------------------------------------
# rendering


@pytest.mark.parametrize("project", sorted(PROJECTS))
@pytest.mark.parametrize("name", NAMES)
def test_renders_sound_offline_escaped_html(name: str, project: str) -> None:
    template, files = render(name, project)
    assert template.entry in files, f"{name}: entry {template.entry} was not rendered"

    for path, data in files.items():
        text = data.decode("utf-8")
        assert "<script>alert(1)" not in text, f"{name}/{path}: the project title was not escaped"
        live = strip_comments(path, text)
        assert not re.search(r"https?://", live), f"{name}/{path}: web address outside a comment (must work offline)"
        assert not re.search(r"(?:src|href)\s*=\s*[\"']?//", text), f"{name}/{path}: protocol-relative address"
        assert not re.search(r"url\(\s*[\"']?(?!data:|#)", live), f"{name}/{path}: CSS url() must not load files"
        assert "@import" not in live, f"{name}/{path}: no @import (keep every page self-contained)"
        assert "{{" not in text and "{%" not in text, f"{name}/{path}: unrendered Jinja"

    for path, data in files.items():
        if not path.endswith((".html", ".htm")):
            continue
        page = parse(data.decode("utf-8"))
        assert page.problems == [], f"{name}/{path}: tags do not balance: {page.problems[:5]}"
        assert page.stack == [], f"{name}/{path}: tags left open: {page.stack}"
        assert page.lang, f"{name}/{path}: <html> needs a lang attribute"
        assert page.tags.get("title") == 1, f"{name}/{path}: needs one <title>"
        assert page.tags.get("main") == 1, f"{name}/{path}: needs one <main>"
        assert len(page.ids) == len(set(page.ids)), f"{name}/{path}: duplicate ids"
        for ref in page.refs:
            if not ref or ref.startswith(SKIP_REF):
                continue
            target = ref.split("#", 1)[0].split("?", 1)[0]
            if not target:
                continue
            resolved = PurePosixPath(path).parent / target
            assert resolved.as_posix().lstrip("./") in files or str(resolved) in files, (
                f"{name}/{path}: {ref} points to a file that is not part of the prototype"
            )
        for script_id, body in page.scripts.items():
            if script_id == "sandbox-config":
                config = json.loads(body)
                assert config["slug"] == PROJECTS[project]["slug"]

    entry = files[template.entry].decode("utf-8")
    page = parse(entry)
    assert EVIL_TITLE in page.title, f"{name}: the project title must be in <title>"
    assert str(escape(EVIL_TITLE)) in entry, f"{name}: the project title must be shown on the page, escaped"
    assert entry.count(str(escape(EVIL_TITLE))) >= 2, f"{name}: the title belongs in <title> and in the page header"
    if project == "full":
        assert IDEA in entry, f"{name}: the idea should be shown on the page"
    else:
        assert "About this prototype" not in entry, f"{name}: empty idea/audience/success should hide the About block"


@pytest.mark.parametrize("name", NAMES)
def test_static_files_are_copied_and_javascript_parses(name: str, tmp_path: Path) -> None:
    template, files = render(name)
    sources = {p.relative_to(template.files_dir).as_posix() for p in template.files_dir.rglob("*") if p.is_file()}
    for source in sources:
        if not source.endswith(".j2"):
            assert files[source] == (template.files_dir / source).read_bytes(), f"{name}/{source} must be copied as is"
    expected = {source.removesuffix(".j2") for source in sources} | {asset.name for asset in template.shared}
    assert set(files) == expected, f"{name}: a variant holds its files and its shared assets, nothing else"
    entry = files[template.entry].decode("utf-8")
    assert 'type="module"' not in entry, f"{name}: ES modules do not load from file://; use <script defer>"
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; JavaScript syntax not checked")
    for path, data in files.items():
        if path.endswith(".js"):
            script = tmp_path / name / path
            script.parent.mkdir(parents=True, exist_ok=True)
            script.write_bytes(data)
            result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{name}/{path}: {result.stderr}"


@pytest.mark.parametrize("name", NAMES)
def test_a_variant_carries_each_shared_asset_byte_for_byte(name: str) -> None:
    """The source keeps one copy in _shared/; every variant gets its own, so it still opens from disk."""
    template, files = render(name)
    shared = templates_root() / SHARED_DIR
    for asset in template.shared:
        assert files[asset.name] == (shared / asset.name).read_bytes(), f"{name}/{asset.name} differs from _shared/"
    page = parse(files[template.entry].decode("utf-8"))
    for asset in template.shared:
        assert asset.name in page.refs, f"{name}: {template.entry} takes {asset.name} but never links it"


def test_shared_assets_live_once_in_the_source() -> None:
    """No template keeps its own copy of a shared file (copies drift), and no shared file is unused."""
    shared = {p.name for p in (templates_root() / SHARED_DIR).iterdir() if p.is_file()}
    assert {"base.css", "storage.js"} <= shared
    used: set[str] = set()
    for name in NAMES:
        template = load(name)
        used.update(asset.name for asset in template.shared)
        own = {p.name.removesuffix(".j2") for p in template.files_dir.rglob("*") if p.is_file()}
        assert not own & shared, f"{name}/files/ holds a copy of {sorted(own & shared)}; take it from _shared/"
    assert used == shared, f"nothing takes {sorted(shared - used)} from _shared/"


def hostile_answers(template: Any) -> dict[str, Any]:
    """Awkward but valid answers: markup, Jinja-looking text, no separators, one-item lists."""
    answers: dict[str, Any] = {}
    for q in template.questions:
        if q.type in ("str", "text") and q.name != "brand_color":
            text = "<b>bold</b> {{ 7*7 }} 'quote' & \"double\""
            answers[q.name] = text[: q.max] if q.max else text
        elif q.type == "list":
            answers[q.name] = ["<i>x</i> {{ 7*7 }}"] + (["a | b | c | d -> e ; f: g"] if (q.max or 9) > 1 else [])
        elif q.type == "color":
            answers[q.name] = "#ffff00"
        elif q.type == "int":
            answers[q.name] = q.min if q.min is not None else 0
    return answers


@pytest.mark.parametrize("name", NAMES)
def test_awkward_answers_render_safely(name: str) -> None:
    template, files = render(name, "minimal", hostile_answers(template=load(name)))
    entry = files[template.entry].decode("utf-8")
    assert "<b>bold</b>" not in entry and "<i>x</i>" not in entry, f"{name}: answers must be escaped"
    assert ">49<" not in entry, f"{name}: answers must never be run as template code"
    page = parse(entry)
    assert page.problems == [] and page.stack == []
    # Yellow is light: text on it must be dark to stay readable.
    assert "--on-brand:#111318" in entry


@pytest.mark.parametrize(
    ("color", "on_brand"),
    [("#4f46e5", "#ffffff"), ("#000000", "#ffffff"), ("#ffffff", "#111318"), ("#f59e0b", "#111318")],
)
def test_brand_colour_keeps_text_readable(color: str, on_brand: str) -> None:
    _, files = render("landing-page", overrides={"brand_color": color})
    entry = files["index.html"].decode("utf-8")
    hexcode = "(#[0-9a-f]{6})"
    style = re.search(
        f"--brand:{hexcode};--on-brand:{hexcode};--brand-ink:{hexcode};--brand-ink-dark:{hexcode}", entry
    )
    assert style, "the brand colour block is missing"
    assert style.group(1) == color and style.group(2) == on_brand

    def luminance(hexcode: str) -> float:
        channels = [int(hexcode[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    def contrast(a: str, b: str) -> float:
        la, lb = sorted((luminance(a), luminance(b)), reverse=True)
        return (la + 0.05) / (lb + 0.05)

    readable = contrast(style.group(1), style.group(2)) >= 4.5
    assert readable or (on_brand == "#111318" and contrast(style.group(1), on_brand) >= 4.5)
    assert contrast(style.group(3), "#f0f2f5") >= 4.5, "brand text on light surfaces"
    assert contrast(style.group(4), "#1f232c") >= 4.5, "brand text on dark surfaces"


def test_dashboard_embeds_the_same_data_as_data_csv() -> None:
    _, files = render("dashboard")
    page = parse(files["index.html"].decode("utf-8"))
    embedded = page.scripts["data-fallback"].strip()
    assert embedded == files["data.csv"].decode("utf-8").strip(), "keep index.html.j2's fallback in sync with data.csv"
    assert "Edit data.csv to change the charts" in files["index.html"].decode("utf-8")


def test_mockup_has_one_screen_per_line_and_a_screen_map() -> None:
    screens = ["Inbox: the list of expenses", "Settings: notification preferences", "Done"]
    _, files = render("clickable-mockup", overrides={"screens": screens})
    page = parse(files["index.html"].decode("utf-8"))
    assert {"screen-1", "screen-2", "screen-3", "map"} <= set(page.ids)
    assert "screen-4" not in page.ids
    assert "#screen-2" in page.refs and "#map" in page.refs


# ---------------------------------------------------------------------------------------------
# in the browser: each template does its job from disk


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.support.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("shipped")
    entries: dict[str, Path] = {}
    for name in NAMES:
        # The scripted checks below use an expense tool's answers (the old defaults); the derived
        # defaults are checked in test_content.py and test_quality_in_browser.py.
        template, files = render(name, overrides=EXPENSE_ANSWERS.get(name))
        for path, data in files.items():
            target = out / name / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        entries[name] = out / name / template.entry
    return entries


def open_page(browser: Any, entry: Path, width: int = 1280) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(entry.as_uri())
    page.wait_for_load_state("load")
    return page, errors


@pytest.mark.browser
def test_landing_page_signs_people_up(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["landing-page"])
    page.fill("#signup-email", "not an email")
    page.click("#signup-form button[type=submit]")
    assert page.get_attribute("#signup-email", "aria-invalid") == "true"
    assert "email address" in page.inner_text("#signup-email-error")
    page.fill("#signup-email", "ana@example.com")
    page.click("#signup-form button[type=submit]")
    assert "on the list" in page.inner_text("#signup-status")
    assert page.get_attribute("#signup-email", "aria-invalid") is None
    page.reload()
    assert "1 person has already signed up" in page.inner_text("[data-signup-count]")
    assert errors == []
    page.close()


@pytest.mark.browser
def test_mockup_navigates_with_hash_and_back_button(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["clickable-mockup"])
    assert page.is_visible("#screen-1") and not page.is_visible("#screen-2")
    page.click("#screen-1 .pager a[rel=next]")
    page.wait_for_selector("#screen-2.is-active")
    assert page.url.endswith("#screen-2") and page.is_visible("#screen-2") and not page.is_visible("#screen-1")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#screen-3.is-active")
    page.go_back()
    page.wait_for_selector("#screen-2.is-active")
    page.click("[data-map-link]")
    page.wait_for_selector("#map.is-active")
    assert page.is_visible("#map") and page.locator("#map .map-card").count() == 6
    page.click("#map .map-card >> nth=4")
    page.wait_for_selector("#screen-5.is-active")
    assert errors == []
    page.close()


@pytest.mark.browser
def test_survey_validates_saves_and_exports_csv(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["form-survey"])
    page.click("#survey-form button[type=submit]")
    assert page.is_visible("#error-summary")
    assert page.get_attribute("#q2", "aria-invalid") == "true"
    assert "q2-error" in (page.get_attribute("#q2", "aria-describedby") or "")
    page.fill("#q1", 'Ana "AJ" Jones, PM')
    page.fill("#q2", "ana@example.com")
    page.check("#q3-2", force=True)
    page.check("#q5-4", force=True)
    page.fill("#q8", "Fewer clicks\nand a mobile app")
    page.click("#survey-form button[type=submit]")
    assert page.is_visible("#thanks")
    page.click("a[href='#responses']")
    page.wait_for_selector("#responses-root tbody tr")
    assert page.locator("#responses-root tbody tr").count() == 1
    with page.expect_download() as info:
        page.click("#download-csv")
    csv_text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert csv_text.startswith("Sent at,Your name,Work email,")
    assert '"Ana ""AJ"" Jones, PM",ana@example.com,Product manager' in csv_text
    assert '"Fewer clicks\nand a mobile app"' in csv_text
    assert errors == []
    page.close()


@pytest.mark.browser
def test_dashboard_draws_kpis_and_charts_from_disk(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["dashboard"])
    page.wait_for_selector("#charts svg")
    assert page.locator("#kpis .kpi").count() == 3
    assert page.locator("#charts .chart-card").count() == 3
    assert page.locator("#charts .bar").count() == 12
    assert "built-in copy" in page.inner_text("#data-source")
    page.select_option("#range", "3")
    assert page.locator("#charts .bar").count() == 3
    assert errors == []
    page.close()


@pytest.mark.browser
def test_chat_replies_by_keyword_and_remembers(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["chat-assistant"])
    assert page.get_attribute("#messages", "aria-live") == "polite"
    page.fill("#message", "How much does it cost?")
    page.press("#message", "Enter")
    page.wait_for_selector(".msg-bot >> nth=1", timeout=10000)
    assert "9 EUR" in page.inner_text(".msg-bot >> nth=1")
    page.fill("#message", "something unrelated")
    page.press("#message", "Enter")
    page.wait_for_selector(".msg-bot >> nth=2", timeout=10000)
    assert "did not catch that" in page.inner_text(".msg-bot >> nth=2")
    page.reload()
    assert page.locator(".msg").count() == 5
    assert errors == []
    page.close()


@pytest.mark.browser
def test_crud_app_creates_edits_deletes_and_resets(browser: Any, rendered: dict[str, Path]) -> None:
    page, errors = open_page(browser, rendered["crud-app"])
    rows = page.locator(".records tbody tr")
    assert rows.count() == 6
    page.fill("#search", "berlin")
    assert rows.count() == 1
    page.fill("#search", "")
    page.click("a[href='#/new']")
    page.wait_for_selector("form.edit-form")
    page.click("form.edit-form button[type=submit]")
    assert page.get_attribute("#field-f0", "aria-invalid") == "true"
    page.fill("#field-f0", "Taxi to airport")
    page.fill("#field-f1", "42.5")
    page.select_option("#field-f4", "Open")
    page.click("form.edit-form button[type=submit]")
    page.wait_for_selector("h1#view-title:has-text('Taxi to airport')")
    assert "42.50" in page.inner_text(".detail")
    page.click(".detail .btn-danger")
    page.click("#confirm-ok")
    page.wait_for_selector(".records")
    assert page.url.endswith("#/")
    assert rows.count() == 6 and "Taxi" not in page.inner_text(".records")
    page.click("#reset-data")
    page.click("#confirm-ok")
    assert rows.count() == 6
    assert errors == []
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_fits_a_phone_and_keeps_focus_visible(browser: Any, rendered: dict[str, Path], name: str) -> None:
    page, errors = open_page(browser, rendered[name], width=360)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} scrolls sideways on a small phone ({overflow}px)"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert errors == []
    page.close()
