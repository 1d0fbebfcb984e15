"""The report accepts exactly the ledger lines ``ledger.read`` accepts (issue 12), hostile ones included.

Why generated lines: the validator checks every field of every kind (``sandbox.core.events``); the
report checks in SQL what it surely can and asks the validator about the rest (``acceptance``). A
hand-picked handful of bad lines would leave most fields untried, so every field of every kind is
given every wrong JSON shape, beside lines without ids, NaN, deep nesting and newer schemas.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sandbox.compare import report
from sandbox.compare.report import acceptance
from sandbox.core import events, ledger
from sandbox.workspace import Workspace

# Wrong (and some right) values for any field, as JSON text: every JSON type, numbers the two parsers
# write differently, times just outside and just inside the rule, scores out of range.
HOSTILE_VALUES = (
    '"x"', '""', "7", "-0", "2.5", "1e3", "1.0", "-1", "true", "false", "null", "[]", '["x"]', "[1]", '["x", 2]',
    "{}", '{"a": "b"}', "123456789012345678901234567890", "1e400", "0.1e1",
    '"2025-13-45T00:00:00Z"', '"2023-02-30T00:00:00Z"', '"2025-03-01T09:30:00"', '"2025-03-01T24:00:00Z"',
    '"2025-03-01T09:30:00.000+05:30"', '"2025-03-01 09:30:00Z"', '"2025-03-01T09:30:00.1Z"', '"2025-03-01"',
    '"A"', '"tie"', '"a"', '{"works": 5}', '{"works": 6}', '{"works": "5"}', '{"works": 5.0}', '{"works": true}',
    '{"input": 5, "amount": 1.5, "unit": "usd"}', '{"input": "5"}', '{"denied_paths": [1]}',
    '[{"path": "a", "what": "write"}]', '[{"path": 1}]', '[[]]',
)


def valid_value(check: events.Check) -> Any:
    """A value ``check`` accepts (to build one valid event of each kind)."""
    plain: dict[events.Check, Any] = {
        events._text: "t", events._whole: 3, events._number: 2.5, events._flag: True,
        events._time: "2025-03-01T09:30:00.000Z", events._texts: ["a"], events._mapping: {"k": 1},
        events._scores: {"works": 4},
    }
    if check in plain:
        return plain[check]
    made_by = check.__qualname__.split(".")[0]
    if made_by == "_one_of":
        allowed = acceptance.check_parameter(check, "allowed")
        assert isinstance(allowed, tuple)
        return allowed[0]
    if made_by == "_record":
        fields = acceptance.check_parameter(check, "fields")
        assert isinstance(fields, dict)
        return {key: valid_value(inner) for key, inner in fields.items()}
    assert made_by == "_list_of"
    return [valid_value(acceptance.check_parameter(check, "inner"))]  # type: ignore[arg-type]  # a Check


def hostile_lines() -> list[str]:
    lines: list[str] = []
    serial = 0

    def line(event: dict[str, Any], **raw: str) -> str:
        nonlocal serial
        serial += 1
        event = {"id": f"h{serial}", **event}
        text = json.dumps(event)
        for key, value in raw.items():  # a field's JSON text exactly as given (1e3, NaN, ...)
            text = text[:-1] + f', "{key}": {value}}}'
        return text

    for kind, fields in events.KINDS.items():
        base = {"at": "2025-03-01T09:30:00.000Z", "kind": kind, "schema": 1, "project": "p",
                **{name: valid_value(check) for name, check in fields.items()}}
        lines.append(line(base))  # the valid event of this kind
        for name in (*events.COMMON, *fields):
            if name in ("id", "kind"):
                continue
            rest = {k: v for k, v in base.items() if k != name}
            lines.extend(line(rest, **{name: value}) for value in HOSTILE_VALUES)
    vote = {"at": "2025-03-01T09:30:00.000Z", "kind": "vote", "schema": 1, "a": "x", "b": "y", "winner": "A"}
    lines += [
        json.dumps({k: v for k, v in vote.items()}),  # no id
        json.dumps({"id": "", **vote}), json.dumps({"id": 7, **vote}), json.dumps({"id": "i" * 129, **vote}),
        json.dumps({"id": "é" * 128, **vote}), json.dumps({"id": "é" * 129, **vote}),
        json.dumps({"id": "k1", **{**vote, "kind": ""}}), json.dumps({"id": "k2", **{**vote, "kind": 5}}),
        '{"id": "n1", "kind": "vote", "minutes": NaN}', '{"id": "n2", "kind": "rating", "minutes": Infinity}',
        '{"id": "n3", "kind": "rating", "note": "NaN and Infinity as words"}',
        '{"id": "d1", "kind": "run", "result": ' + "[" * 40 + "]" * 40 + "}",
        '{"id": "d2", "kind": "run", "result": ' + '{"a": ' * 20 + "1" + "}" * 20 + "}",
        '{"id": "d3", "kind": "x", "junk": "' + "[" * 50 + '"}',
        json.dumps({"id": "s1", **vote, "schema": 2}), json.dumps({**vote, "schema": 2}),
        json.dumps({"id": "s2", **vote, "schema": 2.0}), json.dumps({"id": "s3", **vote, "schema": "2"}),
        json.dumps({"id": "s4", **vote, "schema": 1.0}), json.dumps({"id": "s5", **vote, "schema": 2, "winner": 9}),
        json.dumps({"id": "s6", **vote, "schema": 10**30}),
        '{"id": "u1", "kind": "edit", "file": "\\ud800"}', '{"id": "u2", "kind": "edit", "file": "\\ud83d\\ude00"}',
        '{"id": "c1", "kind": "edit", "file": "a\tb"}', '{"id": "t1", "kind": "vo', "[1, 2]", '"text"', "  ",
        json.dumps({"id": "h1", **vote}),  # a repeated id
        json.dumps({"id": "other", "kind": "a-newer-kind", "at": "2025-03-01T09:30:00.000Z", "anything": [1]}),
        json.dumps({"id": "other2", "kind": "a-newer-kind", "at": 5}),
    ]
    return lines


def test_the_report_and_the_ledger_reader_accept_the_same_events(ws: Workspace) -> None:
    slug = ws.new_project("Hostile", "mini", category="c", assistants=["claude-code", "copilot"]).slug
    path = ws.project(slug).ledger_path
    lines = hostile_lines()
    with path.open("a", encoding="utf-8", errors="surrogatepass") as ledger_file:
        ledger_file.write("\n".join(lines) + "\n")
    expected = ledger.read(path)
    assert len(expected.problems) > 1000 and len(expected.events) > 100 and expected.newer >= 2  # all kinds tried
    totals = report.build_report(ws, replicates=2, group_replicates=2, keep_events=False).data["totals"]
    got = {k: totals[k] for k in ("events", "damaged_lines", "duplicates_skipped", "newer_schema_skipped")}
    assert got == {"events": len(expected.events), "damaged_lines": len(expected.problems),
                   "duplicates_skipped": expected.duplicates, "newer_schema_skipped": expected.newer}
    assert totals["kinds"] == dict(sorted(Counter(e["kind"] for e in expected.events).items()))


def test_every_check_of_the_validator_has_its_sql() -> None:
    """A new kind of check in ``events`` must be taught to the report, not silently passed."""
    for fields in (events.COMMON, *events.KINDS.values()):
        for check in fields.values():
            assert acceptance.value_sql(check, "t")
