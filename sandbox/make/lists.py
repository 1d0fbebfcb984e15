"""Parse the list answers of the built-in templates into the shapes their pages need.

Why here and not in each page's JavaScript: the page's first paint must already have its final
layout (no layout shift), so the survey's questions, the records' table, the mockup's screens and
the dashboard's cards are rendered into the HTML; one parser in Python feeds both the markup and
the JSON the scripts read, so the two can never disagree. Every parser accepts anything (a person
typed it): an unknown type is text, a missing part has a default, nothing raises.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.make import words as w

FIELD_TYPES = {
    "text": "text", "string": "text", "short": "text", "name": "text",
    "email": "email", "mail": "email", "e-mail": "email",
    "number": "number", "num": "number", "integer": "number", "int": "number", "amount": "number",
    "money": "number", "price": "number",
    "date": "date", "day": "date",
    "textarea": "textarea", "long": "textarea", "paragraph": "textarea", "multiline": "textarea",
    "comment": "textarea", "comments": "textarea", "notes": "textarea",
    "choice": "choice", "choices": "choice", "select": "choice", "radio": "choice", "options": "choice",
    "dropdown": "choice", "option": "choice", "status": "choice",
    "rating": "rating", "stars": "rating", "scale": "rating", "score": "rating",
    "tel": "tel", "phone": "tel",
    "bool": "bool", "boolean": "bool", "checkbox": "bool", "yes/no": "bool", "yesno": "bool", "toggle": "bool",
    "check": "bool",
}
REQUIRED_WORDS = {"required", "req", "mandatory", "yes", "*"}
OPTIONAL_WORDS = {"optional", "no", ""}
SPEC_RE = re.compile(r"^([a-zA-Z/-]+?)\s*(?:\((.*)\))?\s*$")


def parse_fields(lines: list[str], supported: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """``"Label | type | required | hint"`` lines -> field dicts with unique labels and ids.

    ``supported``: the types the page can show; any other parsed type falls back to text (a
    rating in the records app) or to a yes/no choice (a checkbox in the survey).
    """
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(line for line in lines if str(line).strip()):
        parts = [part.strip() for part in str(raw).split("|")]
        label = parts[0] or f"Question {index + 1}"
        match = SPEC_RE.match(parts[1] if len(parts) > 1 and parts[1] else "text")
        kind = FIELD_TYPES.get(match.group(1).lower(), "text") if match else "text"
        inner = (match.group(2) or "") if match else ""
        options = [o.strip() for o in inner.split("/" if "/" in inner else ",") if o.strip()] if inner else []
        if supported and kind not in supported:
            kind, options = ("choice", options or ["Yes", "No"]) if kind == "bool" else ("text", [])
        required, hints = False, []
        for part in parts[2:]:
            if part.lower() in REQUIRED_WORDS:
                required = True
            elif part.lower() not in OPTIONAL_WORDS:
                hints.append(part)
        if kind == "choice" and not options:
            options = ["Yes", "No"]
        base, n = label, 1
        while label.lower() in seen:  # answers are stored by label: two fields must not share one
            n += 1
            label = f"{base} ({n})"
        seen.add(label.lower())
        field: dict[str, Any] = {
            "id": f"q{index + 1}", "key": f"f{index}", "label": label, "type": kind, "options": options,
            "required": required and kind != "bool", "hint": " ".join(hints),
        }
        if kind == "rating":
            field["low"] = options[0] if options else "Poor"
            field["high"] = options[1] if len(options) > 1 else "Excellent"
        fields.append(field)
    return fields


def plain_number(raw: object) -> float | None:
    """A number as written in project.yaml: ``1234.5``, ``1,234.50``, ``1.234,50`` or ``24,000``.

    A single comma followed by exactly three digits groups thousands (``24,000`` is twenty-four
    thousand, as a list shows it); any other single comma is a decimal comma (``3,5``).
    """
    text = re.sub(r"[\s\u00a0'$€£]", "", str(raw or ""))
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", text):
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def parse_records(lines: list[str], fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sample records (``"a; b; c"`` in field order) -> ``{"id", "values": {label: value}}``."""
    records = []
    for index, line in enumerate(line for line in lines if str(line).strip()):
        cells = str(line).split(";")
        values: dict[str, Any] = {}
        for k, field in enumerate(fields):
            raw = cells[k].strip() if k < len(cells) else ""
            values[field["label"]] = _record_value(field, raw)
        records.append({"id": f"s{index + 1}", "values": values})
    return records


def _record_value(field: dict[str, Any], raw: str) -> Any:
    if field["type"] == "number":
        number = plain_number(raw)
        if number is None:
            return ""
        return int(number) if number.is_integer() else number
    if field["type"] == "bool":
        return raw.lower() in {"yes", "y", "true", "1", "x", "on"}
    if field["type"] == "choice":
        return next((o for o in field["options"] if o.lower() == raw.lower()), raw)
    return raw


def number_column(records: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """A number field's total over the records, and whether any value has decimals (then all show two)."""
    numbers = [r["values"].get(label) for r in records]
    numbers = [n for n in numbers if isinstance(n, (int, float)) and not isinstance(n, bool)]
    return {"total": round(sum(numbers), 2), "decimals": any(not float(n).is_integer() for n in numbers)}


def tones_of(fields: list[dict[str, Any]]) -> dict[str, str]:
    """Each choice option's badge colour, for the page's script (markup and script share one list)."""
    return {o.lower(): tone(o) for f in fields if f["type"] == "choice" for o in f["options"]}


def format_number(value: object, decimals: bool) -> str:
    """A number as an English-locale list shows it (the page reformats it in the reader's locale)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ""
    return f"{value:,.2f}" if decimals or not float(value).is_integer() else f"{value:,.0f}"


TONES = {
    "success": ["approved", "done", "complete", "completed", "active", "paid", "yes", "accepted", "resolved",
                "closed won", "live", "published", "low"],
    "danger": ["rejected", "declined", "cancelled", "canceled", "overdue", "failed", "blocked", "no", "lost",
               "closed lost", "high"],
    "warning": ["open", "pending", "new", "draft", "waiting", "in progress", "review", "in review", "todo", "to do",
                "submitted", "medium"],
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tone(value: object) -> str:
    """The colour of a status badge: success, danger, warning or neutral (the page uses the same words)."""
    text = str(value).strip().lower()
    return next((name for name, words in TONES.items() if text in words), "neutral")


def display_date(value: object) -> str:
    """``2025-03-07`` -> ``7 Mar 2025``, as the records list shows a date; anything else unchanged."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", str(value))
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{int(match.group(3))} {MONTHS[int(match.group(2)) - 1]} {match.group(1)}"
    return str(value)


# --- the chat assistant's rules -----------------------------------------------------------------

SMALL_TALK = frozenset([
    "hello", "hi", "hey", "hiya", "howdy", "morning", "thanks", "thank", "thank*", "thanks*", "cheers", "great",
    "bye", "goodbye", "ok", "okay", "thank you", "good morning", "good afternoon", "see you",
])


def parse_rules(lines: list[str]) -> list[dict[str, Any]]:
    """``"keyword, key*, two words -> reply"`` lines -> ``{"keywords", "reply", "topic", "small_talk"}``.

    ``->`` separates keywords from the reply (``=>`` and, when neither is there, the first ``:``
    work too). A keyword ending in ``*`` matches any ending ("refund*": refunds, refunded); the
    page also accepts the usual endings (-s, -es, -ed, -ing) of keywords of four letters or more.
    The rule's topic (used by the derived fallback) is its first keyword.
    """
    rules = []
    for line in lines:
        text = str(line)
        at, size = text.find("->"), 2
        if at < 0:
            at = text.find("=>")
        if at < 0:
            at, size = text.find(":"), 1
        if at < 0:
            continue
        reply = text[at + size:].strip()
        keywords = [" ".join(k.lower().split()) for k in re.split(r"[,/|]", text[:at])]
        keywords = [k for k in keywords if k.rstrip("*")]
        if reply and keywords:
            rules.append({
                "keywords": keywords,
                "reply": reply,
                "topic": keywords[0].rstrip("*"),
                "small_talk": all(k in SMALL_TALK for k in keywords),
            })
    return rules


def fallback_for(rules: list[dict[str, Any]]) -> str:
    """The reply for a question no rule matches, naming only the topics the rules really cover."""
    topics = list(dict.fromkeys(rule["topic"] for rule in rules if not rule["small_talk"]))
    if not topics:
        return "Sorry, I did not catch that. Could you say it in other words?"
    return f"Sorry, I did not catch that. You can ask me about {w.join_words(topics[:6], 'or')}."


def greeting_for(rules: list[dict[str, Any]], bot: str, product: str) -> str:
    """The first message, naming what the assistant can really answer."""
    topics = list(dict.fromkeys(rule["topic"] for rule in rules if not rule["small_talk"]))[:4]
    offer = f" Ask me about {w.join_words(topics, 'or')}." if topics else " What would you like to know?"
    return f"Hi! I am {bot}, here to help with {product}.{offer}"


# --- the dashboard's metrics ----------------------------------------------------------------------

CHART_WORDS = {"line": "line", "area": "line", "bar": "bar", "bars": "bar", "column": "bar"}


def parse_metrics(lines: list[str]) -> list[dict[str, Any]]:
    """``"column | Label | unit | line or bar | lower is better"`` lines -> metric dicts."""
    metrics = []
    used: set[str] = set()
    for index, raw in enumerate(line for line in lines if str(line).strip()):
        parts = [part.strip() for part in str(raw).split("|")]
        column = re.sub(r"[^\w-]+", "_", parts[0].lower()).strip("_") or f"metric_{index + 1}"
        while column in used:
            column += "_2"
        used.add(column)
        metric: dict[str, Any] = {
            "column": column, "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
            "unit": "", "chart": "", "lowerIsBetter": False,
        }
        for part in parts[2:]:
            lower = part.lower()
            if not part:
                continue
            if lower in CHART_WORDS:
                metric["chart"] = CHART_WORDS[lower]
            elif re.search(r"lower|down|less|decrease", lower):
                metric["lowerIsBetter"] = True
            elif not re.search(r"higher|up|more", lower):
                metric["unit"] = part
        if not metric["chart"]:
            metric["chart"] = "line" if index % 2 == 0 else "bar"
        metrics.append(metric)
    return metrics
