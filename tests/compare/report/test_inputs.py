"""Every report states its inputs, so two people can tell they computed the same numbers."""

from __future__ import annotations

from sandbox.compare.report import build
from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.compare.report.generated import write_workspace
from tests.compare.test_team_merge import git


def test_a_report_names_the_commit_the_seed_and_the_events(ws: Workspace) -> None:
    write_workspace(ws.root, projects=4, events=120, seed=12)
    git(ws.root, "init", "-q")
    git(ws.root, "add", "-A")
    git(ws.root, "commit", "-q", "-m", "ledgers")
    head = git(ws.root, "rev-parse", "HEAD").strip()
    first = build.build_report(ws, replicates=30, group_replicates=30, keep_events=False).data["inputs"]
    (source,) = first["sources"]
    assert (source["kind"], source["commit"], source["changed_since_commit"]) == ("workspace", head, False)
    assert first["bootstrap"] == {"seed": build.BT_SEED, "replicates": 30, "group_replicates": 30}
    assert first["engine"].startswith("duckdb ") and first["tables_schema"] == 1
    assert len(first["events_digest"]) == 32
    again = build.build_report(ws, replicates=30, group_replicates=30, keep_events=False).data["inputs"]
    assert again == first
    ledger.append(ws.root / "projects" / "idea-001" / ledger.LEDGER_FILE, "vote", comparison="c", a="codex",
                  b="copilot", a_assistant="codex", b_assistant="copilot", winner="A")
    after = build.build_report(ws, replicates=30, group_replicates=30, keep_events=False).data["inputs"]
    assert after["sources"][0]["changed_since_commit"] is True  # the commit alone no longer pins the numbers
    assert after["events"] == first["events"] + 1 and after["events_digest"] != first["events_digest"]


def test_markdown_and_html_state_the_inputs_and_the_privacy_rule(ws: Workspace, tmp_path: object) -> None:
    from pathlib import Path

    from sandbox.compare import report
    from sandbox.compare.export import ExportOptions, export
    from sandbox.compare.report.sources import workspace_source

    write_workspace(ws.root, projects=4, events=120, seed=13)
    out = Path(str(tmp_path)) / "export"
    manifest = export([workspace_source(ws.root)], out, ExportOptions())
    built = build.build_report(ws, sources=[str(out)], include_workspace=False, replicates=20, group_replicates=20)
    for fmt in ("md", "html"):
        text = report.render(built, fmt)
        assert "Inputs" in text and f"export {out}" in text, fmt
        assert manifest["tables"]["votes"]["sha256"][:12] in text and f"bootstrap seed {build.BT_SEED}" in text
        assert "No rater is named in this report." in text
