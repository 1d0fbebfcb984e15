"""What people enter reaches the product manager, and the bugs the issue named stay fixed.

In real headless Chromium, each template that collects input (sign-ups, survey answers, records,
chat transcripts) exports a CSV file and a fresh browser imports it back to the same state; the
records app reads numbers the way it displays them in English and in German; the dashboard opens
on the metrics that were asked, from disk with its notice alone and over HTTP redrawn from an
edited data.csv; the chat picks the best rule, honours its documented wildcard and falls back to
the topics it really knows.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium
from tests.templates.expense_answers import EXPENSE_ANSWERS
from tests.templates.quality import Watched, render_into, watched_page
from tests.templates.test_content import IDEAS

pytestmark = pytest.mark.browser
PROJECT = IDEAS["dog walking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (its own localStorage) per test, as on another person's laptop."""
    made = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield made
    made.close()


def export(w: Watched, button: str, folder: Path) -> Path:
    with w.page.expect_download() as info:
        w.page.click(button)
    target = folder / str(info.value.suggested_filename)
    info.value.save_as(target)
    return target


def import_file(w: Watched, button: str, path: Path) -> None:
    with w.page.expect_file_chooser() as chooser:
        w.page.click(button)
    chooser.value.set_files(str(path))


def fresh(w: Watched) -> None:
    """Forget everything this browser stored, as if the CSV were opened on another machine."""
    w.page.evaluate("() => localStorage.clear()")
    w.page.reload()
    w.settle()


def text_of(w: Watched, selector: str) -> str:
    return str(w.page.inner_text(selector))


def wait_text(w: Watched, selector: str, words: str) -> None:
    w.page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return !!e && e.innerText.includes(t); }",
        arg=[selector, words],
    )


# ---------------------------------------------------------------------------------------------
# export and import back


def test_sign_ups_go_out_as_csv_and_come_back(context: Any, tmp_path: Path) -> None:
    entry = render_into(tmp_path / "site", "landing-page", PROJECT)
    with watched_page(context, entry.as_uri()) as w:
        for email in ("ana@example.com", "bo@example.org"):
            w.page.fill("#signup-email", email)
            w.page.click("#signup-form button[type=submit]")
            wait_text(w, "#signup-status", "on the list")
        exported = export(w, "#export-signups", tmp_path)
        text = exported.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0] == "Email,Signed up at"
        assert "ana@example.com," in text and "bo@example.org," in text
        fresh(w)
        assert w.page.is_disabled("#export-signups"), "nothing to export in a fresh browser"
        import_file(w, "#import-signups", exported)
        wait_text(w, "#signup-status", "Imported 2 sign-ups")
        w.page.reload()
        wait_text(w, "[data-signup-count]", "2 people")
        import_file(w, "#import-signups", exported)
        wait_text(w, "#signup-status", "Imported 0 sign-ups")
        assert w.errors == []


def test_survey_answers_go_out_as_csv_and_come_back(context: Any, tmp_path: Path) -> None:
    entry = render_into(tmp_path / "site", "form-survey", PROJECT, EXPENSE_ANSWERS["form-survey"])
    with watched_page(context, entry.as_uri()) as w:
        w.page.fill("#q1", "Ana, PM")
        w.page.fill("#q2", "ana@example.com")
        w.page.check("#q3-2", force=True)
        w.page.check("#q5-4", force=True)
        w.page.click("#survey-form button[type=submit]")
        w.page.wait_for_selector("#thanks:not([hidden])")
        w.page.click("a[href='#responses']")
        w.page.wait_for_selector("#responses-root tbody tr")
        exported = export(w, "#download-csv", tmp_path)
        assert '"Ana, PM",ana@example.com' in exported.read_text(encoding="utf-8-sig")
        fresh(w)
        w.page.evaluate("() => { location.hash = '#responses'; }")
        w.page.wait_for_selector("#import-csv")
        assert w.page.locator("#responses-root tbody tr").count() == 0
        import_file(w, "#import-csv", exported)
        wait_text(w, "#import-status", "Imported 1 response")
        assert w.page.locator("#responses-root tbody tr").count() == 1
        assert "ana@example.com" in text_of(w, "#responses-root")
        import_file(w, "#import-csv", exported)
        wait_text(w, "#import-status", "Imported 0 responses")
        assert w.page.locator("#responses-root tbody tr").count() == 1
        assert w.errors == []


def test_records_go_out_as_csv_and_come_back(context: Any, tmp_path: Path) -> None:
    entry = render_into(tmp_path / "site", "crud-app", PROJECT, EXPENSE_ANSWERS["crud-app"])
    with watched_page(context, entry.as_uri()) as w:
        rows = w.page.locator(".records tbody tr")
        assert rows.count() == 6
        add_record(w, "Dog food", "1,250.5")
        w.page.click("a[href='#/']")
        w.page.wait_for_selector(".records")
        w.page.click(".records tbody a.row-link:has-text('Train to client workshop')")
        w.page.wait_for_selector(".detail")
        w.page.click(".detail a[href$='/edit']")
        w.page.fill("#field-f0", "Train to the kennel")
        w.page.click("form.edit-form button[type=submit]")
        w.page.wait_for_selector("h1#view-title:has-text('Train to the kennel')")
        w.page.click("a[href='#/']")
        w.page.wait_for_selector(".records")
        exported = export(w, "#export-csv", tmp_path)
        text = exported.read_text(encoding="utf-8-sig")
        assert text.startswith("ID,Title,Amount,Date,Category,Status,Notes")
        assert ",Dog food,1250.5," in text
        fresh(w)  # the sample records are back in a fresh browser: the import updates them, adds Dog food
        assert rows.count() == 6
        import_file(w, "#import-csv", exported)
        w.page.wait_for_selector(".records tbody tr >> text=Dog food")
        assert rows.count() == 7, "the six sample records are updated in place, the new one added"
        listed = text_of(w, ".records")
        assert "Train to the kennel" in listed and "Train to client workshop" not in listed
        w.page.click(".records tbody a.row-link:has-text('Dog food')")
        w.page.wait_for_selector(".detail")
        assert "1,250.50" in text_of(w, ".detail")
        assert w.errors == []


# ---------------------------------------------------------------------------------------------
# numbers as the page writes them


def add_record(w: Watched, title: str, amount: str) -> None:
    w.page.evaluate("() => { location.hash = '#/new'; }")
    w.page.wait_for_selector("form.edit-form")
    w.page.fill("#field-f0", title)
    w.page.fill("#field-f1", amount)
    w.page.click("form.edit-form button[type=submit]")
    w.page.wait_for_selector(f"h1#view-title:has-text('{title}')")


def list_total(w: Watched) -> str:
    w.page.evaluate("() => { location.hash = '#/'; }")
    w.page.wait_for_selector(".records")
    return text_of(w, "#view").split("total:")[1].split()[0]


@pytest.mark.parametrize(
    ("locale", "typed", "shown"),
    [("en-US", "24,000", "24,000.00"), ("de-DE", "24.000", "24.000,00"), ("de-DE", "3,5", "3,50")],
)
def test_a_number_reads_as_the_page_writes_it(
    browser: Any, tmp_path: Path, locale: str, typed: str, shown: str
) -> None:
    """What the list shows can be typed back, and saving a record unchanged never changes the total."""
    entry = render_into(tmp_path, "crud-app", PROJECT, EXPENSE_ANSWERS["crud-app"])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    try:
        with watched_page(context, entry.as_uri()) as w:
            before = list_total(w)
            add_record(w, "Walk fees", typed)
            assert shown in text_of(w, ".detail")
            with_it = list_total(w)
            assert with_it != before
            w.page.click(".records tbody a.row-link:has-text('Walk fees')")
            w.page.wait_for_selector(".detail")
            w.page.click(".detail a[href$='/edit']")
            w.page.wait_for_selector("form.edit-form")
            w.page.click("form.edit-form button[type=submit]")
            w.page.wait_for_selector("h1#view-title:has-text('Walk fees')")
            assert shown in text_of(w, ".detail"), "saving unchanged kept the amount"
            assert list_total(w) == with_it
            assert w.errors == []
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# the dashboard opens on the metrics asked


METRICS = {
    "metrics": [
        "walks | Walks booked | bar",
        "rating | Average rating | line",
        "wait | Minutes to book | minutes | line | lower is better",
    ]
}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The dashboard rendered with custom metrics and served over HTTP, as the preview serves it."""
    entry = render_into(tmp_path / "site", "dashboard", PROJECT, METRICS)
    handler: Callable[..., Any] = functools.partial(QuietHandler, directory=str(entry.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield entry, f"http://127.0.0.1:{server.server_address[1]}/{entry.name}"
    finally:
        server.shutdown()
        thread.join()


def test_data_csv_has_the_metrics_asked_and_from_disk_only_the_notice_shows(
    context: Any, served: tuple[Path, str]
) -> None:
    entry, _ = served
    header = (entry.parent / "data.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[1:] == ["walks", "rating", "wait"]
    with watched_page(context, entry.as_uri()) as w:
        w.page.wait_for_selector("#charts svg")
        labels = [s.strip() for s in w.page.locator("#kpis .kpi-label").all_inner_texts()]
        assert labels == ["Walks booked", "Average rating", "Minutes to book"]
        assert w.page.is_visible("#file-notice")
        assert "Could not find" not in text_of(w, "main")
        assert w.errors == []


def test_editing_data_csv_changes_the_chart(context: Any, served: tuple[Path, str]) -> None:
    entry, url = served
    with watched_page(context, url) as w:
        w.page.wait_for_selector("#charts svg")
        assert not w.page.is_visible("#file-notice")
        before = text_of(w, "#kpis")
        bars = w.page.locator("#charts .bar").count()
        header = (entry.parent / "data.csv").read_text(encoding="utf-8").splitlines()[0]
        (entry.parent / "data.csv").write_text(f"{header}\n2031-01,10,4.1,30\n2031-02,4321,4.8,12\n", encoding="utf-8")
        w.page.reload()
        w.page.wait_for_selector("#charts svg")
        wait_text(w, "#kpis", "4,321")
        assert text_of(w, "#kpis") != before
        assert w.page.locator("#charts .bar").count() == 2 != bars
        assert "Could not find" not in text_of(w, "main")
        assert w.errors == []


# ---------------------------------------------------------------------------------------------
# the chat answers with its best rule


def ask(w: Watched, question: str) -> str:
    count = w.page.locator(".msg-bot").count()
    w.page.fill("#message", question)
    w.page.press("#message", "Enter")
    w.page.wait_for_selector(f".msg-bot >> nth={count}", timeout=15000)
    w.page.wait_for_function("() => !document.querySelector('.typing:not([hidden])')")
    return str(w.page.locator(".msg-bot").nth(count).inner_text())


def test_chat_picks_the_best_rule_and_keeps_the_transcript(context: Any, tmp_path: Path) -> None:
    answers = {
        **EXPENSE_ANSWERS["chat-assistant"],
        "replies": [
            "invoice, bill -> Invoices are under Settings, then Invoices.",
            "refund*, last month, invoice -> Refunds for last month's invoice are made within five days.",
            "walk*, dog -> A walker can come within the hour.",
        ],
        "fallback": "",
    }
    entry = render_into(tmp_path / "site", "chat-assistant", PROJECT, answers)
    with watched_page(context, entry.as_uri()) as w:
        assert "Refunds" in ask(w, "Can I get a refund on last month's invoice?"), "the rule matching most words wins"
        assert "Invoices are under" in ask(w, "Where is my invoice?")
        assert "Refunds" in ask(w, "Was it refunded?"), "refund* matches refunded"
        assert "walker" in ask(w, "My dogs need walking")
        fallback = ask(w, "What is the weather like?")
        assert "invoice" in fallback.lower() and "walk" in fallback.lower(), f"it names the topics it knows: {fallback}"
        assert "pricing" not in fallback.lower() and "account" not in fallback.lower()
        messages = w.page.locator(".msg").count()
        exported = export(w, "#export-chat", tmp_path)
        text = exported.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0] == "Time,From,Message" and "You,Was it refunded?" in text
        fresh(w)
        assert w.page.locator(".msg").count() == 1
        import_file(w, "#import-chat", exported)
        w.page.wait_for_function(f"() => document.querySelectorAll('.msg').length === {messages}")
        assert "Was it refunded?" in text_of(w, "#messages")
        assert w.errors == []
