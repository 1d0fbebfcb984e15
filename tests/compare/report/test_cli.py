"""``sandbox report``: formats, output files, the category filter, errors in one line, light imports."""

from __future__ import annotations

import json
from pathlib import Path

from sandbox.workspace import Workspace
from tests.compare.conftest import Cli
from tests.conftest import assert_one_line_error


def test_cli_report(filled: Workspace, cli: Cli, tmp_path: Path) -> None:
    out = cli("report", "--format", "json")
    assert out.code == 0, out.err
    assert json.loads(out.out)["totals"]["projects"] == 2
    assert json.loads(cli("report", "--json").out)["votes_needed"] == 194
    md = cli("report")
    assert md.out.startswith("# Assistant comparison report")
    target = tmp_path / "r.html"
    written = cli("report", "--format", "html", "--output", str(target), "--category", "finance")
    assert written.code == 0 and "Wrote the html report" in written.err
    assert "<svg" in target.read_text()
    rows = cli("report", "--format", "csv").out.splitlines()
    assert rows[0].startswith("id,at,kind,project")
    assert_one_line_error(cli("report", "--format", "pdf"), "invalid choice")
    assert_one_line_error(cli("report", "--category", "travel"), "no project has the category 'travel'")


def test_report_imports_nothing_heavy(filled: Workspace) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from sandbox.cli import main; main(['--workspace', sys.argv[1], 'report', '--format', 'json']);"
        "sys.stderr.write(repr([m for m in ('textual', 'jinja2', 'watchdog', 'numpy') if m in sys.modules]))"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(filled.root)], capture_output=True, text=True, check=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr


def test_cli_output_extension_chooses_the_format_and_a_folder_is_refused(
    filled: Workspace, cli: Cli, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    assert cli("report", "--output", str(page)).code == 0
    assert page.read_text().startswith("<!doctype html>")  # was Markdown in a .html file
    sheet = tmp_path / "report.CSV"
    assert cli("report", "-o", str(sheet)).code == 0 and sheet.read_bytes().startswith(b"\xef\xbb\xbfid,")
    data = tmp_path / "r.json"
    assert cli("report", "-o", str(data)).code == 0 and json.loads(data.read_text())["schema"] == 1
    explicit = tmp_path / "notes.html"
    assert cli("report", "-f", "md", "-o", str(explicit)).code == 0  # an explicit --format wins
    assert explicit.read_text().startswith("# Assistant comparison report")
    assert_one_line_error(cli("report", "-o", str(tmp_path)), "is a folder; give a file name")


def test_a_broken_rubric_is_reported_not_replaced(ws: Workspace, cli: Cli) -> None:
    (ws.root / "sandbox.yaml").write_text("rubric:\n  - {id: looks, colour: red}\n")
    from tests.conftest import assert_one_line_error

    assert_one_line_error(cli("report"), "sandbox.yaml:2:", "unknown field 'colour'")
