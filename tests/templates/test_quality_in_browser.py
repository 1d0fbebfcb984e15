"""Every built-in template in real headless Chromium: accessible, steady, quiet, offline, at any width.

For each template, at 1280 and 390 px wide, in light and dark mode, the page is opened from disk
the way a designer double-clicks index.html, then put in its key states (form errors, dialogs,
detail views, the reviewer panel). In every state axe-core reports no violation; from the first
paint to the end the layout shifts less than 0.1 (CLS); nothing reaches the console's error
stream; no request leaves the page's own files; nothing scrolls sideways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium
from tests.templates.quality import SCHEMES, VIEWPORTS, Watched, axe_source, new_context, render_into, watched_page
from tests.templates.test_content import IDEAS
from tests.templates.test_shipped_templates import NAMES

pytestmark = pytest.mark.browser
CLS_LIMIT = 0.1


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each template rendered with its derived defaults for an idea none of them was written for."""
    out = tmp_path_factory.mktemp("quality")
    return {name: render_into(out / name, name, IDEAS["dog walking"]) for name in NAMES}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def axe_js() -> str:
    return axe_source()


@pytest.fixture(scope="module")
def contexts(browser: Any) -> Iterator[dict[tuple[str, str], Any]]:
    made: dict[tuple[str, str], Any] = {}

    class Lazy(dict[tuple[str, str], Any]):
        def __missing__(self, key: tuple[str, str]) -> Any:
            made[key] = self[key] = new_context(browser, *key)
            return made[key]

    yield Lazy()
    for context in made.values():
        context.close()


def about_panel(w: Watched) -> None:
    w.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    w.page.keyboard.press("?")
    w.page.wait_for_selector("#sandbox-about:popover-open")


def submit_empty(selector: str) -> Callable[[Watched], None]:
    def state(w: Watched) -> None:
        w.page.click(selector)
        w.page.wait_for_selector("[aria-invalid=true]")

    return state


def go(hash_: str, ready: str) -> Callable[[Watched], None]:
    def state(w: Watched) -> None:
        w.page.evaluate("h => { location.hash = h; }", hash_)
        w.page.wait_for_selector(ready)

    return state


def survey_thanks(w: Watched) -> None:
    w.page.fill("#q2", "ana@example.com")
    w.page.check("#q3-1", force=True)
    w.page.check("#q4-5", force=True)
    w.page.click("#survey-form button[type=submit]")
    w.page.wait_for_selector("#thanks:not([hidden])")


def chart_focus(w: Watched) -> None:
    w.page.focus("#charts .chart-box")
    w.page.keyboard.press("ArrowLeft")
    w.page.wait_for_selector(".chart-tip:not([hidden])")


def table_open(w: Watched) -> None:
    w.page.click("#table-title")
    w.page.wait_for_selector("#table table")


def chat_answer(w: Watched) -> None:
    w.page.fill("#message", "Who is it for?")
    w.page.press("#message", "Enter")
    w.page.wait_for_selector(".msg-bot >> nth=1", timeout=15000)


def crud_dialog(w: Watched) -> None:
    go("#/", ".records")(w)
    w.page.click(".records tbody a.row-link >> nth=0")
    w.page.wait_for_selector(".detail")
    w.page.click(".detail .btn-danger")
    w.page.wait_for_selector("#confirm-dialog[open]")


def restart_dialog(w: Watched) -> None:
    w.page.click("#restart")
    w.page.wait_for_selector("#confirm-dialog[open]")


def crud_errors(w: Watched) -> None:
    go("#/new", "form.edit-form")(w)
    submit_empty("form.edit-form button[type=submit]")(w)


# Per template: its key states, each with how to get there and the part of the page it changes
# (axe checks the whole page once loaded, then each state's part).
ABOUT = ("about panel", about_panel, "#sandbox-about")
STATES: dict[str, list[tuple[str, Callable[[Watched], None], str]]] = {
    "landing-page": [("email error", submit_empty("#signup-form button[type=submit]"), "#signup"), ABOUT],
    "clickable-mockup": [
        *((f"screen {n}", go(f"#screen-{n}", f"#screen-{n}.is-active"), f"#screen-{n}") for n in range(2, 7)),
        ("screen map", go("#map", "#map.is-active"), "#map"),
        ABOUT,
    ],
    "form-survey": [
        ("errors", submit_empty("#survey-form button[type=submit]"), "#survey"),
        ("thanks", survey_thanks, "#survey"),
        ("responses", go("#responses", "#responses-root table"), "#responses"),
        ABOUT,
    ],
    "dashboard": [("chart focused", chart_focus, "#charts"), ("data table", table_open, ".table-card"), ABOUT],
    "chat-assistant": [
        ("answered", chat_answer, ".chat"),
        ("restart dialog", restart_dialog, "#confirm-dialog"),
        ABOUT,
    ],
    "crud-app": [
        ("new record errors", crud_errors, "#view"),
        ("detail and delete dialog", crud_dialog, "#confirm-dialog"),
        ABOUT,
    ],
}


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("name", NAMES)
def test_accessible_steady_and_quiet_in_every_state(
    contexts: dict[tuple[str, str], Any], site: dict[str, Path], axe_js: str, name: str, viewport: str, scheme: str
) -> None:
    with watched_page(contexts[viewport, scheme], site[name].as_uri()) as w:
        w.page.evaluate("() => localStorage.clear()")
        w.page.reload()
        cls, shifts = w.cls()
        assert cls < CLS_LIMIT, f"{name}: layout shift {cls:.3f} after the first paint: {shifts}"
        problems = {"loaded": w.axe(axe_js)}
        for state, enter, region in STATES[name]:
            if state == "about panel":
                w.page.keyboard.press("Escape")
            enter(w)
            problems[state] = w.axe(axe_js, region)
        overflow = w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        final_cls, _ = w.cls()
        assert {k: v for k, v in problems.items() if v} == {}, f"{name} ({viewport}, {scheme}): axe-core found"
        assert final_cls < CLS_LIMIT, f"{name}: the layout shifted by itself while it was used ({final_cls:.3f})"
        assert w.errors == [], f"{name}: {w.errors}"
        assert w.offsite() == [], f"{name} asked the network for {w.offsite()}"
        assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {viewport}"


STICKING_OUT = """() => { const limit = document.documentElement.clientWidth + 1; const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit && getComputedStyle(el).visibility !== 'hidden'
        && !el.closest('.thumb, .table-scroll, .visually-hidden, [hidden], .screen-tabs ol'))
      out.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right));
  } return out.slice(0, 5); }"""


@pytest.mark.parametrize("name", NAMES)
def test_nothing_overflows_on_small_phones(browser: Any, site: dict[str, Path], name: str) -> None:
    """From 320 to 390 px wide no element sticks out (scrolling tables and tab strips excepted)."""
    context = browser.new_context(viewport={"width": 390, "height": 740})
    try:
        with watched_page(context, site[name].as_uri()) as w:
            for width in (390, 360, 320):
                w.page.set_viewport_size({"width": width, "height": 740})
                w.settle()
                wide = w.page.evaluate(STICKING_OUT)
                assert wide == [], f"{name} at {width}px: these stick out of the screen: {wide}"
            assert w.errors == []
    finally:
        context.close()


def test_the_mockup_phone_frame_starts_near_the_top(browser: Any, site: dict[str, Path], tmp_path: Path) -> None:
    """On a phone the mock screen comes right after the screen's name, not below the notes."""
    entry = render_into(tmp_path, "clickable-mockup", IDEAS["dog walking"], {"device": "phone"})
    context = browser.new_context(viewport=VIEWPORTS["phone"])
    try:
        with watched_page(context, entry.as_uri()) as w:
            top = w.page.evaluate("document.querySelector('#screen-1 .phone').getBoundingClientRect().top")
            heading = w.page.evaluate("document.querySelector('#screen-1 h1').getBoundingClientRect().bottom")
            assert heading < top < heading + 40, f"the phone starts {top}px down, the heading ends at {heading}px"
            assert w.errors == []
    finally:
        context.close()


# What a click could change on a mock screen: where the page is, what the screen says, which chip is on.
MOCK_STATE = """(n) => { const s = document.querySelector('#screen-' + n + ' .frame');
  return [location.hash, s.innerText, [...s.querySelectorAll('[aria-pressed], [aria-invalid], [hidden]')]
    .map(e => e.getAttribute('aria-pressed') + e.getAttribute('aria-invalid') + e.hidden).join()].join('|'); }"""

# Elements that look tappable (a pointer cursor) but are not links, buttons or form controls.
FAKE_TAPPABLE = """() => [...document.querySelectorAll('.frame *')].filter(e =>
  getComputedStyle(e).cursor === 'pointer' && !e.closest('a, button, input, select, textarea, label, summary'))
  .map(e => e.tagName.toLowerCase() + '.' + e.className).slice(0, 5)"""


def test_everything_on_a_mock_screen_that_looks_tappable_does_something(browser: Any, site: dict[str, Path]) -> None:
    """Each link and button of every mock screen changes the screen, the page or a control's state."""
    context = browser.new_context(viewport=VIEWPORTS["desktop"])
    try:
        with watched_page(context, site["clickable-mockup"].as_uri()) as w:
            screens = w.page.locator("[data-screen]").count()
            dead: list[str] = []
            clicked = 0
            for n in range(1, screens + 1):
                controls = f"#screen-{n} .frame a, #screen-{n} .frame button"
                for i in range(w.page.locator(controls).count()):
                    w.page.evaluate("n => { location.hash = '#screen-' + n; }", n)
                    w.page.wait_for_selector(f"#screen-{n}.is-active")
                    control = w.page.locator(controls).nth(i)
                    if not control.is_visible() or control.get_attribute("aria-pressed") == "true":
                        continue  # (pressing the filter chip that is on keeps it on)
                    before = w.page.evaluate(MOCK_STATE, n)
                    label = control.inner_text().strip() or str(control.get_attribute("aria-label"))
                    control.click()
                    w.settle()
                    clicked += 1
                    if w.page.evaluate(MOCK_STATE, n) == before:
                        dead.append(f"screen {n}: {label!r}")
            assert clicked >= screens, "every screen has something to tap"
            assert dead == [], f"these look tappable and do nothing: {dead}"
            assert w.page.evaluate(FAKE_TAPPABLE) == []
            assert w.errors == []
    finally:
        context.close()


@pytest.mark.parametrize("name", NAMES)
def test_the_reviewer_panel_is_hidden_until_asked_for(
    contexts: dict[tuple[str, str], Any], site: dict[str, Path], name: str
) -> None:
    """The brief is for reviewers: out of sight on load, shown by About or ?, closed by Close or Escape."""
    goal = IDEAS["dog walking"]["success"]
    with watched_page(contexts["phone", "light"], site[name].as_uri()) as w:
        panel = w.page.locator("#sandbox-about")
        assert not panel.is_visible() and "About this prototype" not in w.page.inner_text("body")
        w.page.click(".about-button")
        w.page.wait_for_selector("#sandbox-about:popover-open")
        assert goal in panel.inner_text() and IDEAS["dog walking"]["audience"] in panel.inner_text()
        assert w.page.evaluate("document.activeElement.hasAttribute('data-about-close')"), "focus moves into the panel"
        w.page.click("[data-about-close]")
        w.page.wait_for_selector("#sandbox-about:not(:popover-open)", state="attached")
        assert not panel.is_visible()
        w.page.evaluate("() => document.activeElement && document.activeElement.blur()")
        w.page.keyboard.press("?")
        w.page.wait_for_selector("#sandbox-about:popover-open")
        w.page.keyboard.press("Escape")
        w.page.wait_for_selector("#sandbox-about:not(:popover-open)", state="attached")
        assert w.errors == []
