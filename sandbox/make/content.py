"""Content derived from the idea, and the Jinja2 filters the built-in templates use.

Why: a template's questions used to default to one domain's examples (expenses, revenue, "9 EUR
per person"), so a dog-walking idea opened on an expense tool. Those questions now default to
empty, and when they are left empty the template asks ``derived`` for content made only from the
project's own title, idea, audience and success goal, plus neutral words. The person can always
write their own in project.yaml; derived text is a starting point, never another domain's.

The filters (``FILTERS``) are registered in the sandboxed environment of ``sandbox.make.render``;
each is a pure function of its arguments, so a render stays reproducible.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from sandbox.make import brand, lists, mockup, sample_data
from sandbox.make import words as w

# ``sandbox share`` cuts what stands between these two comments out of a shared copy.
REVIEW_START = "<!-- sandbox:review -->"
REVIEW_END = "<!-- /sandbox:review -->"


def _project_texts(project: dict[str, Any]) -> tuple[str, str, str, str]:
    def text(key: str) -> str:
        return str(project.get(key) or "").strip()

    return text("title"), text("idea"), text("audience"), text("success")


def landing_page(project: dict[str, Any], product: str) -> dict[str, Any]:
    _, _, audience, success = _project_texts(project)
    points = [
        f"Made for {w.lower_first(audience)}: Shaped around the way they do things today, so it fits in from day one."
        if audience else "Simple from the first minute: Open it and start. Nothing to install, nothing to learn.",
        f"{w.upper_first(success.rstrip('.'))}: The result {product} is built around, and how we will know it works."
        if success else "Everything in one place: What you need sits on one screen, with nothing in the way.",
        f"Always one clear next step: {product} shows what to do next, so nothing is left half done.",
    ]
    return {"value_points": points}


def clickable_mockup(project: dict[str, Any], product: str) -> dict[str, Any]:
    title, _, audience, success = _project_texts(project)
    topic = w.topic(title, project.get("idea"), audience)
    who = w.lower_first(audience) if audience else "people"
    screens = [
        f"Welcome: What {product} does for {who}, with a Get started button",
        "Sign up: Create an account with name, email and password",
        f"Home: What needs attention today, with key numbers about {topic.many_lower}",
        f"{topic.many}: The list of {topic.many_lower}, newest first",
        f"{topic.one} details: Everything about one {topic.one_lower}, with Confirm and Change buttons",
        f"Done: {w.sentence(success) or 'Confirmation that everything was saved.'}",
    ]
    return {"screens": screens}


def form_survey(project: dict[str, Any], product: str) -> dict[str, Any]:
    _, _, audience, _ = _project_texts(project)
    who = (f"Which describes you best? | choice({w.clean_choice(w.upper_first(audience))}/Something else) | required"
           if audience else
           "Which describes you best? | choice(I would use it myself/I would choose it for others/Just curious)")
    fields = [
        "Your name | text",
        "Email | email | required | So we can tell you what happens next.",
        who,
        f"How useful would {w.clean_choice(product)} be to you? | rating(Not useful/Very useful) | required",
        "How often would you use it? | choice(Every day/Every week/Every month/Rarely)",
        "What would make it most useful to you? | textarea | optional | A sentence or two is plenty.",
    ]
    intro = f"Thanks for helping shape {product}. It takes about two minutes, and there are no wrong answers."
    return {"fields": fields, "intro": intro}


def dashboard(project: dict[str, Any], product: str) -> dict[str, Any]:
    title, idea, audience, success = _project_texts(project)
    topic = w.topic(title, idea, audience)
    goal = _goal_metric(success)
    metrics = [f"{_column(topic.many)} | {topic.many} | line", "active_people | Active people | bar", goal]
    return {"metrics": metrics, "subtitle": f"How {product} is doing, month by month."}


def _column(text: str) -> str:
    return "_".join(w.content_words(text)) or "items"


def _goal_metric(success: str) -> str:
    """A number in the success goal becomes the metric that tracks it ("under 10 seconds": time)."""
    time = re.search(r"\b(\d+(?:[.,]\d+)?|an?|one)?\s*(second|minute|hour|day)s?\b", success, re.IGNORECASE)
    if time:
        amount = time.group(1) or "1"
        number = float(amount.replace(",", ".")) if amount[0].isdigit() else 1.0
        unit = time.group(2).lower()
        smaller = {"minute": "second", "hour": "minute", "day": "hour"}
        if number <= 2 and unit in smaller:  # "under a minute" is tracked in seconds
            unit = smaller[unit]
        return f"median_time | Median time | {unit}s | line | lower is better"
    if "%" in success or "percent" in success.lower():
        return "goal_rate | Goal reached | % | line"
    return "satisfaction | Satisfaction | % | line"


def chat_assistant(project: dict[str, Any], product: str) -> dict[str, Any]:
    _, idea, audience, success = _project_texts(project)
    replies = [
        f"what it is, what, about, explain, idea, does -> {product}: {w.sentence(idea)}"
        if idea
        else f"what it is, what, about, explain -> {product} is an early prototype; ask the team what it will do.",
    ]
    if audience:
        replies.append(f"who it is for, who, audience, made for -> {product} is made for {w.lower_first(audience)}.")
    if success:
        replies.append(f"the goal, goal*, why, benefit*, result* -> The goal: {w.lower_first(w.sentence(success))}")
    replies += [
        f"getting started, start*, begin*, try, sign* up, join -> This is a prototype of {product}. "
        "Leave your email with the team and they will tell you when you can try it.",
        f"talking to a person, human, person, someone, agent, talk -> I will pass this on to a person on the "
        f"{product} team. They usually reply within one working day.",
        f"hello, hi, hey -> Hello! What would you like to know about {product}?",
        "thank*, cheers, great -> You are welcome! Anything else?",
    ]
    suggestions = [f"What is {product}?"]
    if audience:
        suggestions.append("Who is it for?")
    suggestions += ["How do I get started?", "Talk to a person"]
    return {"replies": replies, "suggestions": suggestions}


def crud_app(project: dict[str, Any], product: str) -> dict[str, Any]:
    title, idea, audience, _ = _project_texts(project)
    topic = w.topic(title, idea, audience)
    fields = [
        "Title | text | required",
        "Owner | text",
        "Due | date",
        "Status | choice(New/In progress/Done)",
        "Priority | choice(Low/Medium/High)",
        "Notes | textarea",
    ]
    notes = ("Waiting for a reply", "", "Ready to go", "Needs a second look", "", "Started this week")
    records = []
    for i in range(6):
        person = w.PEOPLE[i]
        records.append(
            f"{topic.one} for {w.PEOPLE[(i + 3) % len(w.PEOPLE)].split()[0]}; {person}; 2025-03-{3 + i * 4:02d}; "
            f"{('New', 'In progress', 'Done')[i % 3]}; {('High', 'Medium', 'Low')[(i * 2) % 3]}; {notes[i]}"
        )
    return {"item_name": topic.one, "items_name": topic.many, "fields": fields, "records": records}


DERIVERS: dict[str, Callable[..., dict[str, Any]]] = {
    "landing-page": landing_page,
    "clickable-mockup": clickable_mockup,
    "form-survey": form_survey,
    "dashboard": dashboard,
    "chat-assistant": chat_assistant,
    "crud-app": crud_app,
}


def derived(project: dict[str, Any], kind: str, product: str, *extra: Any) -> dict[str, Any]:
    """Content for the questions of template ``kind`` that were left empty (``{}`` for others)."""
    derive = DERIVERS.get(kind)
    return derive(dict(project), product, *extra) if derive else {}


def dashboard_csv(metrics: list[dict[str, Any]], project: dict[str, Any]) -> str:
    return sample_data.dashboard_csv(metrics, str(project.get("title") or ""))


def screens(lines: list[str], project: dict[str, Any], product: str) -> list[dict[str, Any]]:
    return mockup.parse_screens(list(lines), dict(project), product)


def review_panel(project: dict[str, Any]) -> Markup:
    """The reviewer panel: the idea, audience and success goal behind a small About button.

    Hidden by default (a popover: no layout shift, no script needed to open it), between markers
    that ``sandbox share`` removes, so the people a prototype is shown to never see the brief.
    Empty when the project has none of the three texts.
    """
    rows = [
        (label, str(project.get(key) or "").strip())
        for key, label in (("idea", "The idea"), ("audience", "Who it is for"), ("success", "What success looks like"))
    ]
    rows = [(label, text) for label, text in rows if text]
    if not rows:
        return Markup("")
    items = "".join(f"<div><dt>{escape(label)}</dt><dd>{escape(text)}</dd></div>" for label, text in rows)
    return Markup(
        f"{REVIEW_START}\n"
        '<button class="about-button" type="button" popovertarget="sandbox-about" '
        'title="About this prototype (key: ?)">About</button>\n'
        '<div class="about-panel" id="sandbox-about" popover role="dialog" aria-labelledby="sandbox-about-title">'
        '<div class="about-head"><h2 id="sandbox-about-title">About this prototype</h2>'
        '<button class="btn btn-sm" type="button" popovertarget="sandbox-about" popovertargetaction="hide" '
        "data-about-close>Close</button></div>"
        '<p class="hint">For the people reviewing this prototype. Press <kbd>?</kbd> to open or close it.</p>'
        f"<dl>{items}</dl></div>\n"
        '<script src="review.js" defer></script>\n'
        f"{REVIEW_END}"
    )


FILTERS: dict[str, Callable[..., Any]] = {
    "review_panel": review_panel,
    "derived": derived,
    "brand_style": brand.brand_style,
    "initials": brand.initials,
    "lower_first": w.lower_first,
    "plural": w.plural,
    "hero_art": brand.hero_art,
    "form_fields": lists.parse_fields,
    "sample_records": lists.parse_records,
    "list_number": lists.format_number,
    "tone": lists.tone,
    "tones_of": lists.tones_of,
    "number_column": lists.number_column,
    "list_date": lists.display_date,
    "chat_rules": lists.parse_rules,
    "chat_fallback": lists.fallback_for,
    "chat_greeting": lists.greeting_for,
    "metrics": lists.parse_metrics,
    "dashboard_csv": dashboard_csv,
    "screens": screens,
}
