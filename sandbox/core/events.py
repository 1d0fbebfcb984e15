"""The ledger's event schema (docs/EVENTS.md) as checks, so no reader ever meets a wrong type.

Why a validator in front of every reader: ledgers arrive through git union merges from teammates,
from older and newer sandboxes and from hand edits. A reader that trusts ``event["scores"]`` to be
a mapping crashes on ``"scores": "bad"``; checking each field where it is used would scatter the
same guard over every module. Here each kind's fields have one check; ``problem(event)`` says in
one line why an event cannot be used, or returns None. Fields are optional ("absent means
unknown", ``null`` is absent); fields this sandbox does not know are kept, so a newer writer's
additions pass through. docs/EVENTS.md is the same table in words: change both together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1
MAX_ID_CHARS = 128

# A check returns None when the value is acceptable, else what it must be ("must be text").
Check = Callable[[object], str | None]


def _text(value: object) -> str | None:
    return None if type(value) is str else "must be text"


def _whole(value: object) -> str | None:
    return None if type(value) is int else "must be a whole number"


def _number(value: object) -> str | None:
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return None
    return "must be a number"


def _flag(value: object) -> str | None:
    return None if type(value) is bool else "must be true or false"


def _time(value: object) -> str | None:
    """UTC ISO 8601 (``2025-03-01T09:30:00.000Z``): readers sort, subtract and show these."""
    if type(value) is not str or len(value) > 64:
        return "must be a time like 2025-03-01T09:30:00.000Z"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return "must be a time like 2025-03-01T09:30:00.000Z"
    return None if parsed.tzinfo is not None else "must be a time with its zone, like 2025-03-01T09:30:00.000Z"


def _texts(value: object) -> str | None:
    if type(value) is list and all(type(item) is str for item in value):
        return None
    return "must be a list of texts"


def _mapping(value: object) -> str | None:
    return None if type(value) is dict else "must be a mapping"


def _one_of(*allowed: str) -> Check:
    words = ", ".join(allowed)

    def check(value: object) -> str | None:
        return None if type(value) is str and value in allowed else f"must be one of {words}"

    return check


def _score(value: object) -> str | None:
    return None if type(value) is int and 1 <= value <= 5 else "must be a whole number from 1 to 5"


def _scores(value: object) -> str | None:
    if type(value) is dict and all(type(k) is str and _score(v) is None for k, v in value.items()):
        return None
    return "must map each criterion to a whole number from 1 to 5"


def _record(fields: Mapping[str, Check]) -> Check:
    """A nested object: known keys checked (null is absent), other keys kept."""

    def check(value: object) -> str | None:
        if type(value) is not dict:
            return "must be a mapping"
        found = first_problem(value, fields)
        return None if found is None else f"has '{found[0]}' that {found[1]}"

    return check


def first_problem(value: Mapping[str, object], fields: Mapping[str, Check]) -> tuple[str, str] | None:
    """The first of ``fields`` that ``value`` holds with a wrong type: (key, what it must be); null is absent."""
    for key, check in fields.items():
        item = value.get(key)
        if item is not None:
            found = check(item)
            if found is not None:
                return key, found
    return None


def _list_of(inner: Check) -> Check:
    def check(value: object) -> str | None:
        if type(value) is not list:
            return "must be a list"
        for index, item in enumerate(value, start=1):
            problem = inner(item)
            if problem is not None:
                return f"has item {index} that {problem}"
        return None

    return check


COMMON: dict[str, Check] = {
    "id": _text,
    "at": _time,
    "kind": _text,
    "schema": _whole,
    "project": _text,
    "variant": _text,
    "assistant": _text,
    "by": _text,
}

_CLOSING: dict[str, Check] = {
    "session": _text,
    "mode": _text,
    "started_at": _time,
    "seconds": _number,
    "files_added": _texts,
    "files_changed": _texts,
    "files_deleted": _texts,
    "lines_added": _whole,
    "lines_removed": _whole,
    "contained": _flag,
    "confinement": _text,
    "violations": _list_of(_record({"path": _text, "what": _text, "detail": _text})),
    "attribution": _text,
    "hook_silent": _flag,
    "brief_sha256": _text,
    "brief_override": _texts,
    "spool_rejected": _whole,
}

_SIDES: dict[str, Check] = {
    "comparison": _text,
    "a": _text,
    "b": _text,
    "a_assistant": _text,
    "b_assistant": _text,
    "a_tree": _text,
    "b_tree": _text,
    "a_brief": _text,
    "b_brief": _text,
}

KINDS: dict[str, dict[str, Check]] = {
    "created": {
        "title": _text, "template": _text, "category": _text, "assistants": _texts, "files": _whole,
        "template_sha256": _text,
    },
    "rendered": {
        "files": _texts, "conflicts": _texts, "removed": _texts, "new_variants": _texts, "seconds": _number,
    },
    "session_started": {
        "session": _text, "mode": _text, "files": _whole, "lines": _whole, "contained": _flag,
        "confinement": _text, "brief_sha256": _text,
    },
    "session_ended": {**_CLOSING, "score": _whole, "note": _text},
    "run": {
        **_CLOSING,
        "run_id": _text, "command": _texts, "log": _text, "exit_code": _whole, "timed_out": _flag,
        "interrupted": _flag, "ok": _flag, "failure": _text, "reason": _text, "cli": _text,
        "cli_version": _text, "models": _texts, "api_seconds": _number, "turns": _whole,
        "tokens": _record({"input": _whole, "output": _whole, "cache_read": _whole, "cache_write": _whole}),
        "cost": _record({"amount": _number, "unit": _text}),
        "tools": _record({"accepted": _whole, "denied": _whole, "denied_paths": _texts}),
        "telemetry": _flag,
        "result": _mapping,
    },
    "change": {"session": _text, "mode": _text, "files": _texts, "lines_added": _whole, "lines_removed": _whole},
    "edit": {"session": _text, "mode": _text, "file": _text, "tool": _text, "source": _text},
    "rating": {
        "scores": _scores, "minutes": _number, "note": _text, "comparison": _text, "side": _one_of("A", "B"),
    },
    "compare": {**_SIDES, "origin": _text, "names_shown": _flag},
    "vote": {
        **_SIDES,
        "winner": _one_of("A", "B", "tie", "both-bad"),
        "winner_assistant": _text, "reason": _text, "template_sha256": _text,
        "a_cli_version": _text, "b_cli_version": _text, "a_worked": _flag, "b_worked": _flag,
        "guess": _one_of("A", "B", "unsure"), "guess_a": _text, "guess_correct": _flag, "via": _text,
    },
}


def problem(event: dict[str, Any]) -> str | None:
    """Why ``event`` (a parsed JSON object) cannot be used, in one line; None when it can.

    An event of a kind this sandbox does not know passes with its common fields checked (readers
    keep and count it); an event of a newer schema is the caller's to skip (see ``is_newer``).
    """
    event_id = event.get("id")
    if type(event_id) is not str or not event_id or len(event_id) > MAX_ID_CHARS:
        return f"has no usable 'id' (text of 1 to {MAX_ID_CHARS} characters)"
    kind = event.get("kind")
    if type(kind) is not str or not kind:
        return "has no 'kind' (text such as 'rating')"
    for fields in (COMMON, KINDS.get(kind, {})):
        found = first_problem(event, fields)
        if found is not None:
            return f"'{found[0]}' {found[1]}"
    return None


def is_newer(event: dict[str, Any]) -> bool:
    """True for an event written by a newer sandbox (a higher major schema): readers skip it."""
    schema = event.get("schema")
    return type(schema) is int and schema > SCHEMA_VERSION


def is_known(kind: str) -> bool:
    return kind in KINDS
