"""``sandbox report --from``: many teams' workspaces, exports and archives in one organisation report,
every event counted once, every input named, and nobody named or singled out."""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from pathlib import Path

from sandbox.compare import report
from sandbox.compare.export import ExportOptions, export
from sandbox.compare.report import build
from sandbox.compare.report.sources import workspace_source
from sandbox.core import ledger
from sandbox.workspace import Workspace
from tests.compare.conftest import Cli
from tests.compare.report.generated import RATERS, write_workspace
from tests.conftest import assert_one_line_error, write_mini_template


def _team(root: Path, seed: int, projects: int = 3, events: int = 90) -> Path:
    root.mkdir(parents=True)
    write_mini_template(root)
    write_workspace(root, projects=projects, events=events, seed=seed)
    return root


def _events(*roots: Path) -> int:
    """Distinct valid events in the teams' ledgers, as ``ledger.read`` (the validator) counts them."""
    ids: set[str] = set()
    for root in roots:
        for path in (root / "projects").glob("*/ledger.jsonl"):
            ids.update(event["id"] for event in ledger.read(path).events)
    return len(ids)


def test_a_folder_of_teams_workspaces_exports_and_archives_is_one_report(ws: Workspace, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    teams = [_team(tmp_path / f"team-{i}", seed=40 + i) for i in range(4)]
    shutil.copytree(teams[0], inbox / "team-0")  # a workspace as it is
    export([workspace_source(teams[1])], inbox / "team-1-export", ExportOptions())  # an export
    with zipfile.ZipFile(inbox / "team-2.zip", "w") as z:  # a zipped workspace
        for file in teams[2].rglob("*"):
            z.write(file, Path("team-2") / file.relative_to(teams[2]))
    export([workspace_source(teams[3])], tmp_path / "team-3-export", ExportOptions(fmt="jsonl"))
    with tarfile.open(inbox / "team-3.tar.gz", "w:gz") as t:  # a tarball of an export
        t.add(tmp_path / "team-3-export", arcname="team-3-export")
    built = build.build_report(ws, sources=[str(inbox)], include_workspace=False, keep_events=False,
                               replicates=20, group_replicates=20)
    assert built.data["totals"]["events"] == _events(*teams)
    sources = built.data["inputs"]["sources"]
    assert [s["kind"] for s in sources] == ["workspace", "export", "workspace", "export"]
    assert sources[2]["path"].endswith("team-2.zip") and len(sources[2]["archive_sha256"]) == 64
    assert sources[1]["files"]["votes"] == json.loads((inbox / "team-1-export" / "export.json").read_text())[
        "tables"]["votes"]["sha256"]
    # a glob over the same teams, given twice: the same events, counted once
    again = build.build_report(ws, sources=[str(tmp_path / "team-*"), str(tmp_path / "team-*")],
                               include_workspace=False, keep_events=False, replicates=20, group_replicates=20)
    assert again.data["totals"]["events"] == built.data["totals"]["events"]
    assert again.data["inputs"]["events_digest"] == built.data["inputs"]["events_digest"]


def test_small_groups_are_suppressed_and_no_rater_is_named(ws: Workspace, tmp_path: Path) -> None:
    # enough events that each category has five raters whose votes or ratings count as evidence
    big = _team(tmp_path / "big", seed=50, projects=8, events=400)
    small = tmp_path / "small"
    small.mkdir()
    write_mini_template(small)
    slug = Workspace(small).new_project("Tiny", "mini", category="legal", assistants=["claude-code", "copilot"]).slug
    for rater in ("ana", "ben"):  # two people: their category must not be shown on its own
        Workspace(small).project(slug).append("vote", comparison="c", a="claude-code", b="copilot",
                                              a_assistant="claude-code", b_assistant="copilot", winner="A", by=rater)
    built = build.build_report(ws, sources=[str(big), str(small)], include_workspace=False,
                               replicates=20, group_replicates=20)
    categories = [g["group"] for g in built.data["by_category"]]
    assert "legal" not in categories and categories  # the big team's categories (9 raters) stay
    assert built.data["privacy"]["suppressed"]["by_category"] >= 1
    assert "fewer than 5 raters" in built.data["privacy"]["note"]
    assert built.data["totals"]["kinds"]["vote"] >= 2  # their votes still count in the totals
    for fmt in report.FORMATS:
        text = report.render(built, fmt)
        assert not [name for name in (*RATERS, "ana", "ben") if name in text], fmt
    team = build.build_report(Workspace(small), replicates=20, group_replicates=20)
    assert "legal" in [g["group"] for g in team.data["by_category"]]  # a team's own report shows it all


def test_bad_sources_are_one_line(ws: Workspace, cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"not a zip")
    assert_one_line_error(cli("report", "--from", str(tmp_path / "broken.zip")), "cannot unpack")
    assert_one_line_error(cli("report", "--from", str(tmp_path / "nothing-*")), "nothing matches")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(cli("report", "--from", str(tmp_path / "empty")), "is not a workspace")
