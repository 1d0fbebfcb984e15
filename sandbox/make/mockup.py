"""The clickable mockup's screens: ``"Name: what this screen is for"`` lines -> content per screen.

Why real content: grey bars on every screen made every idea look the same. A screen's kind is
picked from its words (a form, a list, a detail, a dashboard, a welcome or a done screen) and
filled from its description and the idea: a form gets the fields its description names ("with
name, email and password"), a detail screen the buttons it names ("with Approve and Reject
buttons"), a list items about the idea's subject. Numbers and names come from a hash of the title,
so a render is reproducible and two ideas do not show the same figures.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sandbox.make import words as w

KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("done", ("done", "success", "confirm", "thank", "complete", "receipt", "finish", "sent")),
    ("welcome", ("welcome", "onboard", "landing", "intro", "splash", "start", "get started")),
    ("form", ("sign", "login", "log in", "register", "form", "setting", "edit", "create", "add ", "new ",
              "checkout", "payment", "request", "account", "preference", "compose", "upload", "book")),
    ("dashboard", ("dashboard", "home", "overview", "report", "analytic", "stats", "insight", "summary",
                   "metric", "chart")),
    ("list", ("list", "inbox", "feed", "search", "result", "history", "order", "message", "queue", "catalog",
              "browse", "all ", "library", "archive")),
    ("detail", ("detail", "view", "item", "product", "article", "profile", "page", "review", "info")),
)
LIST_WORDS = {"inbox", "feed", "list", "results", "search", "history", "queue", "catalog", "library", "archive",
              "browse"}
STATUSES = ("New", "In progress", "Done")
TIMES = ("Today, 09:41", "Today, 08:15", "Yesterday", "Mon", "Last week")


def _kind(name: str, desc: str) -> str:
    for text in (name.lower() + " ", desc.lower() + " "):
        for kind, keys in KINDS:
            if any(key in text for key in keys):
                return kind
    return "cards"


def _numbers(seed_text: str) -> list[int]:
    return list(hashlib.sha256(seed_text.encode("utf-8")).digest())


def _named_list(desc: str) -> list[str]:
    """"... with name, work email and password" -> ["Name", "Work email", "Password"]."""
    match = re.search(r"\bwith\s+(?:an?\s+|the\s+|your\s+)?(.+?)(?:[.;]|$)", desc, re.IGNORECASE)
    if not match:
        return []
    text = re.sub(r"\s+(?:buttons?|fields?)\b.*$", "", match.group(1), flags=re.IGNORECASE)
    parts = re.split(r",\s*|\s+and\s+|\s+or\s+", text)
    return [w.upper_first(p.strip()) for p in parts if p.strip() and len(p.split()) <= 4][:5]


def _actions(desc: str) -> list[str]:
    """The buttons a description names: "with Approve and Reject buttons", "a button to get started"."""
    match = re.search(r"\bbuttons?\s+to\s+([\w' -]+)", desc, re.IGNORECASE)
    if match:
        return [w.upper_first(" ".join(match.group(1).split()[:3]))]
    match = re.search(r"\bwith\s+(.+?)\s+buttons?\b", desc, re.IGNORECASE)
    if not match:
        match = re.search(r"([A-Z][\w'-]*(?:\s+[a-z][\w'-]*)?)\s+buttons?\b", desc)
    if not match:
        return []
    names = [re.sub(r"^(?:an?|the|two|three)\s+", "", p.strip(), flags=re.IGNORECASE)
             for p in re.split(r",\s*|\s+and\s+|\s+or\s+", match.group(1))]
    return [w.upper_first(p) for p in names if p and len(p.split()) <= 3][:3]


def _field_type(label: str) -> str:
    lower = label.lower()
    if "mail" in lower:
        return "email"
    if "password" in lower:
        return "password"
    if "phone" in lower or "mobile" in lower:
        return "tel"
    if "date" in lower or lower in {"when", "day"}:
        return "date"
    return "text"


def _form_fields(name: str, desc: str, topic: w.Topic) -> list[dict[str, str]]:
    labels = _named_list(desc)
    lower = name.lower()
    if not labels:
        if re.search(r"log ?in|sign ?in", lower):
            labels = ["Email", "Password"]
        elif re.search(r"sign ?up|register|account", lower):
            labels = ["Name", "Email", "Password"]
        else:
            labels = [f"{topic.one} name", "Notes"]
    return [{"label": label, "type": _field_type(label)} for label in labels]


def _item_noun(name: str, topic: w.Topic) -> w.Topic:
    """A list screen called "Walkers" lists walkers; one called "Inbox" lists the idea's subject."""
    clean = [x for x in w.words(name) if x.lower() not in w.GENERIC_TITLE_WORDS]
    if len(clean) == 1 and clean[0].lower() not in LIST_WORDS and clean[0].lower().endswith("s"):
        return w.Topic(w.upper_first(w.singular(clean[0])), w.upper_first(clean[0]))
    return topic


def parse_screens(lines: list[str], project: dict[str, Any], product: str) -> list[dict[str, Any]]:
    """Every screen with its kind and content; at least one screen, numbered from 1."""
    topic = w.topic(project.get("title", ""), project.get("idea", ""), project.get("audience", ""))
    seed = _numbers(f"{project.get('title', '')}|{product}")
    screens: list[dict[str, Any]] = []
    for raw in lines:
        if not str(raw).strip():
            continue
        name, _, desc = str(raw).partition(":")
        name, desc = name.strip(), desc.strip()
        if not name:
            name = f"Screen {len(screens) + 1}"
        screens.append({"name": name, "desc": desc, "kind": _kind(name, desc)})
    if not screens:
        screens = [{"name": "First screen", "desc": "Add your screens in the screens list, one per line.",
                    "kind": "cards"}]
    login = next((i for i, s in enumerate(screens, 1) if re.search(r"log ?in|sign ?in", s["name"], re.I)), None)
    for number, screen in enumerate(screens, 1):
        _fill(screen, number, topic, seed, product, project, login)
    return screens


def _fill(
    screen: dict[str, Any], number: int, topic: w.Topic, seed: list[int], product: str, project: dict[str, Any],
    login: int | None,
) -> None:
    name, desc, kind = screen["name"], screen["desc"], screen["kind"]
    screen["number"] = number
    people = w.PEOPLE
    offset = seed[number] % len(people)
    if kind == "form":
        screen["fields"] = _form_fields(name, desc, topic)
        screen["actions"] = _actions(desc) or (["Create account"] if re.search(r"sign ?up|register", name, re.I)
                                               else ["Sign in"] if login == number else ["Save"])
    elif kind == "list":
        noun = _item_noun(name, topic)
        screen["noun"] = noun.many_lower
        screen["items"] = [
            {
                "title": f"{noun.one} for {people[(offset + i) % len(people)].split()[0]}",
                "meta": TIMES[i % len(TIMES)],
                "status": STATUSES[(seed[10 + i] + i) % len(STATUSES)],
            }
            for i in range(5)
        ]
    elif kind == "detail":
        person = people[offset]
        screen["title"] = f"{topic.one} for {person.split()[0]}"
        screen["facts"] = [("Status", STATUSES[seed[5] % 2]), ("Owner", person), ("Updated", TIMES[seed[6] % 3])]
        screen["text"] = w.sentence(project.get("idea")) or f"Everything about this {topic.one_lower} in one place."
        screen["actions"] = _actions(desc) or ["Continue"]
    elif kind == "dashboard":
        screen["tiles"] = [
            {"label": f"Open {topic.many_lower}", "value": str(8 + seed[1] % 40)},
            {"label": "Done this week", "value": str(20 + seed[2] % 90)},
            {"label": "On time", "value": f"{70 + seed[3] % 29}%"},
        ]
        screen["bars"] = [30 + seed[20 + i] % 66 for i in range(7)]
        screen["rows"] = [f"{topic.one} for {people[(offset + i) % len(people)].split()[0]}" for i in range(2)]
        screen["actions"] = _actions(desc) or ["View all"]
    elif kind == "welcome":
        screen["headline"] = product
        screen["text"] = w.sentence(project.get("idea")) or w.sentence(desc)
        screen["actions"] = _actions(desc) or ["Get started"]
        screen["login"] = login
    elif kind == "done":
        screen["text"] = w.sentence(desc) or w.sentence(project.get("success")) or "All done."
        screen["actions"] = _actions(desc) or ["Back to start"]
    else:
        screen["cards"] = [f"{topic.one} {i + 1}" for i in range(4)]
        screen["actions"] = _actions(desc) or ["Continue"]
