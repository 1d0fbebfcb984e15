"""``sandbox export``: tidy tables that give back the report of the ledgers, with raters hidden on request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.compare.export import ExportOptions, export
from sandbox.compare.report import build
from sandbox.compare.report.sources import workspace_source
from sandbox.workspace import Workspace
from tests.compare.conftest import Cli
from tests.compare.report.generated import RATERS, write_workspace
from tests.conftest import assert_one_line_error

REPLICATES = 40


def report_of(ws: Workspace, sources: list[str] | None = None) -> dict[str, Any]:
    data = build.build_report(
        ws, replicates=REPLICATES, group_replicates=REPLICATES, keep_events=False, sources=sources or [],
        include_workspace=sources is None, min_group=0,
    ).data
    inputs = data.pop("inputs")
    data.pop("privacy", None)
    return {**data, "digest": inputs["events_digest"]}


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_the_report_from_an_export_is_the_report_from_the_ledgers(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    write_workspace(ws.root, projects=16, events=900, seed=5)
    out = tmp_path / "export"
    manifest = export([workspace_source(ws.root)], out, ExportOptions(fmt=fmt))
    expected = report_of(ws)
    assert manifest["events"] == expected["totals"]["events"]
    assert manifest["tables"]["votes"]["rows"] == expected["totals"]["kinds"]["vote"]
    got = report_of(ws, [str(out)])
    # damage and repeats are the ledgers' story: the export holds each event once, intact
    assert (got["totals"].pop("damaged_lines"), got["totals"].pop("duplicates_skipped")) == (0, 0)
    expected["totals"].pop("damaged_lines"), expected["totals"].pop("duplicates_skipped")
    assert got == expected


def _every_value(out: Path) -> str:
    import duckdb

    texts = []
    for file in sorted(out.iterdir()):
        if file.suffix == ".parquet":
            rows = duckdb.execute(f"SELECT * FROM read_parquet('{file}')").fetchall()
            texts.append(json.dumps(rows, default=str))
        else:
            texts.append(file.read_text(encoding="utf-8"))
    return "\n".join(texts)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_pseudonymised_exports_name_no_rater_and_never_hold_the_salt(ws: Workspace, tmp_path: Path, fmt: str) -> None:
    write_workspace(ws.root, projects=6, events=300, seed=6)
    salt = "organisation-secret-7f3a"
    out = tmp_path / "export"
    export([workspace_source(ws.root)], out, ExportOptions(fmt=fmt, salt=salt))
    everything = _every_value(out)
    assert not [r for r in RATERS if r in everything]
    assert salt not in everything
    assert "private words" not in everything and "because" not in everything  # notes and reasons out
    assert json.loads((out / "export.json").read_text())["pseudonymised"] is True
    assert report_of(ws, [str(out)])["assistants"] == report_of(ws)["assistants"]
    # one salt, one pseudonym per rater in every export (teams' exports merge); another salt, others
    exports = {}
    for name, key in (("one", salt), ("two", salt), ("other", "another")):
        export([workspace_source(ws.root)], tmp_path / name, ExportOptions(fmt="jsonl", salt=key))
        exports[name] = {json.loads(line)["by"] for line in (tmp_path / name / "votes.jsonl").read_text().splitlines()}
    assert exports["one"] == exports["two"] and not exports["one"] & exports["other"]
    assert len(exports["one"]) == len({e["by"] for e in _votes(ws)})


def test_notes_are_kept_only_when_asked(ws: Workspace, tmp_path: Path) -> None:
    write_workspace(ws.root, projects=3, events=120, seed=8)
    export([workspace_source(ws.root)], tmp_path / "x", ExportOptions(fmt="jsonl", with_notes=True))
    assert "private words" in (tmp_path / "x" / "ratings.jsonl").read_text()
    assert "because" in (tmp_path / "x" / "votes.jsonl").read_text()


def test_cli_export(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    write_workspace(ws.root, projects=3, events=120, seed=8)
    done = cli("export", str(tmp_path / "e"))
    assert done.code == 0, done.err
    assert "Exported" in done.err and (tmp_path / "e" / "votes.parquet").is_file()
    assert_one_line_error(cli("export", str(tmp_path / "p"), "--pseudonymise"), "SANDBOX_EXPORT_SALT")
    salted = cli("export", str(tmp_path / "p"), "--pseudonymise", env={"SANDBOX_EXPORT_SALT": "s3cret"})
    assert salted.code == 0, salted.err
    (tmp_path / "file.txt").write_text("x")
    assert_one_line_error(cli("export", str(tmp_path / "file.txt")), "is not an earlier export")
    report = cli("report", "--json", "--no-workspace", "--from", str(tmp_path / "p"), "--from", str(tmp_path / "e"))
    assert report.code == 0, report.err
    data = json.loads(report.out)
    # the two exports of one workspace are the same events: counted once
    assert data["totals"]["events"] == json.loads((tmp_path / "e" / "export.json").read_text())["events"]
    assert [s["kind"] for s in data["inputs"]["sources"]] == ["export", "export"]
    assert data["privacy"]["min_group"] == 5


def _votes(ws: Workspace) -> list[dict[str, Any]]:
    return [json.loads(line) for f in sorted((ws.root / "projects").glob("*/ledger.jsonl"))
            for line in f.read_text().splitlines() if '"kind":"vote"' in line and '"by"' in line]
