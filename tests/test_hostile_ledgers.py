"""Issue 12, class 6: one bad ledger line (from a teammate, through a union merge) breaks no reader.

Every line is either an event that passed its kind's schema (docs/EVENTS.md) or a counted problem
with its line number and reason; `list`, `log` and a project's overview read on.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from sandbox.core import events, ledger
from sandbox.workspace import Workspace


def line(**fields: object) -> str:
    return json.dumps({"id": uuid.uuid4().hex, "at": "2026-01-01T00:00:00.000Z", "schema": 1, **fields})


BAD_LINES: list[tuple[str | bytes, str]] = [
    ("[" * 100_000, "nested more than 32 levels deep"),
    ('{"id": "a", "kind": "run", "result": ' + '{"a": ' * 40 + "1" + "}" * 41, "nested more than 32 levels deep"),
    (line(kind="rating", variant="claude-code", scores="bad"), "'scores' must map each criterion"),
    (line(kind="rating", variant="claude-code", scores={"works": 9}), "'scores' must map each criterion"),
    (json.dumps({"id": uuid.uuid4().hex, "kind": "created", "at": 12345}), "'at' must be a time"),
    (line(kind="created", at="yesterday"), "'at' must be a time"),
    (line(kind=None), "has no 'kind'"),
    (line(kind="session_ended", variant="claude-code", files_added=5), "'files_added' must be a list of texts"),
    (line(kind="vote", comparison=[], winner="A"), "'comparison' must be text"),
    (line(kind="vote", comparison="c", winner="C"), "'winner' must be one of A, B, tie, both-bad"),
    (line(kind="run", tokens={"input": "many"}), "'tokens' has 'input' that must be a whole number"),
    (line(kind="run", seconds=float("nan")), "damaged line"),  # NaN is no JSON number
    ('{"id": 7, "kind": "rating"}', "has no usable 'id'"),
    ('{"id": "x", "kind": "rating", "note": "\\ud800"}', "not valid Unicode"),
    ('{"id": "x", "kind": "change", "lines_added": ' + "9" * 5000 + "}", "damaged line"),
    ("[1, 2]", "not an event"),
    ('{"id": "torn", "kind": "cha', "damaged line"),
    (b'{"id": "u", "kind": "edit", "file": "\xff\xfe"}', "damaged line"),  # not UTF-8
]


def as_bytes(bad: str | bytes) -> bytes:
    return bad if isinstance(bad, bytes) else bad.encode("utf-8")


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES, ids=[f"{i}-{r[1][:24]}" for i, r in enumerate(BAD_LINES)])
def test_each_bad_line_is_a_counted_problem_with_its_line_number(
    tmp_path: Path, bad: str | bytes, reason: str
) -> None:
    path = tmp_path / "ledger.jsonl"
    first = ledger.append(path, "created", project="p", title="T")
    with path.open("ab") as handle:
        handle.write(as_bytes(bad) + b"\n")
    last = ledger.append(path, "rating", project="p", scores={"works": 4})
    read = ledger.read(path)
    assert [e["id"] for e in read.events] == [first["id"], last["id"]]
    assert len(read.problems) == 1, read.problems
    problem = read.problems[0]
    assert problem.line == 2 and reason in problem.reason and "\n" not in str(problem)
    assert str(problem).endswith(f":2: {problem.reason}")


def test_list_log_and_overview_read_on_past_every_bad_line(cli, ws: Workspace) -> None:
    slug = ws.new_project("Merged", "mini").slug
    project = ws.project(slug)
    with project.ledger_path.open("ab") as handle:
        for bad, _ in BAD_LINES:
            handle.write(as_bytes(bad) + b"\n")
    kept = project.append(ledger.RATING, variant="claude-code", scores={"works": 5}, note="after the merge")
    overview = ws.overview(slug)
    assert overview.events == 2 and len(overview.problems) == len(BAD_LINES)
    assert [v.ratings for v in overview.variants] == [1, 0]
    [summary] = ws.list_projects()
    assert summary.error is None and summary.ratings == 1 and summary.average_rating == 5.0
    listed = cli("list")
    assert listed.code == 0 and "Merged" in listed.out
    log = cli("log", slug, "--no-git")
    assert log.code == 0 and "Traceback" not in log.err
    assert len([x for x in log.err.splitlines() if "ledger.jsonl:" in x]) == len(BAD_LINES)
    assert any(kept["id"] in json.dumps(row) for row in json.loads(cli("log", slug, "--no-git", "--json").out))


def test_unknown_kinds_are_kept_and_counted_newer_schemas_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    path.write_text("\n".join([
        line(kind="created", title="T"),
        line(kind="celebration", confetti=True),  # a kind from a newer sandbox, same schema
        json.dumps({"id": uuid.uuid4().hex, "kind": "rating", "schema": 2, "scores": "a new shape"}),
    ]) + "\n")
    read = ledger.read(path)
    assert [e["kind"] for e in read.events] == ["created", "celebration"]
    assert (read.unknown_kinds, read.newer, read.problems) == (1, 1, [])


def test_the_schema_names_every_kind_the_ledger_module_knows() -> None:
    """docs/EVENTS.md, ledger's kind constants and the validator say the same kinds."""
    assert set(ledger.EVENT_KINDS) == set(events.KINDS)
    text = (Path(__file__).resolve().parents[1] / "docs" / "EVENTS.md").read_text()
    for kind in events.KINDS:
        assert f"`{kind}`" in text, kind


def test_events_the_sandbox_writes_pass_its_own_validator(ws: Workspace) -> None:
    slug = ws.new_project("Own", "mini").slug
    ws.render(slug)
    project = ws.project(slug)
    project.append(ledger.RATING, variant="copilot", scores={"works": 3}, minutes=2.5, note="fine")
    raw = project.ledger_path.read_bytes().splitlines()
    assert all(events.problem(json.loads(x)) is None for x in raw) and len(raw) == 3
