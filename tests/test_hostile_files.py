"""Issue 12, files: values Python cannot hold, special files, limits `new` skipped, full and read-only disks.

Classes 5 (YAML values Python cannot represent), 7 (special files, patterns that backtrack), 8
(`new` accepting what `check` refuses), 9 (full disk, read-only folder) and the text part of 10
(undecodable bytes in a title). Each ends as one plain line, exit 2, within seconds, or, in
`list`, as the broken project's own error beside the others.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.cli.main import main
from sandbox.core import ledger
from sandbox.core.errors import AnswerError, LedgerError, SpecError, TemplateError
from sandbox.core.settings import load_settings
from sandbox.make.catalog import load_template, validate_answer
from sandbox.make.spec import MAX_TEXT, load_spec
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error, write_mini_template
from tests.support.disk import fill, remount_read_only, tiny_disk

UNUSABLE = [
    ("success: 2024-13-45", "'2024-13-45' looks like a date but is not a real one (month must be in 1..12)"),
    ("success: 2023-02-30", "'2023-02-30' looks like a date but is not a real one (day is out of range"),
    ("success: " + "9" * 5000, "this number is longer than 4,300 characters"),
    ("success: 0x" + "f" * 4000, "this number has more than 4,300 digits"),
    # explicit tags make PyYAML's constructors fail in other ways (AttributeError, KeyError): found by
    # tests/test_hostile_properties.py
    ("success: !!timestamp soon", "'soon' is not a valid !!timestamp value; remove the '!!timestamp'"),
    ("success: !!bool maybe", "'maybe' is not a valid !!bool value"),
    ("success: !!int many", "'many' is not a valid !!int value"),
]
UNUSABLE_IDS = ["month-13", "feb-30", "5000-digits", "hex-4000", "tag-timestamp", "tag-bool", "tag-int"]


def one_question_template(ws: Workspace, name: str, question: str) -> Path:
    """The mini template's files with a template.yaml of one question (``question``, YAML lines); the
    question list starts at line 6, so its lines are 6, 7, 8..."""
    root = write_mini_template(ws.root, name)
    (root / "template.yaml").write_text(
        f"title: {name}\ndescription: d\ncategory: c\nentry: index.html\nquestions:\n{question}"
    )
    return root


def projects(ws: Workspace, *titles: str) -> list[str]:
    return [ws.new_project(title, "mini").slug for title in titles]


# --- class 5: values YAML parses but Python cannot hold --------------------------------------
@pytest.mark.parametrize(("line", "message"), UNUSABLE, ids=UNUSABLE_IDS)
def test_an_unusable_value_in_project_yaml_is_located_and_hides_nothing(
    cli, ws: Workspace, line: str, message: str
) -> None:
    good, bad = projects(ws, "Good idea", "Bad idea")
    spec = ws.project(bad).spec_path
    spec.write_text(spec.read_text().replace("success: ''", line))
    row = spec.read_text().splitlines().index(line) + 1
    listed = cli("list", "--json")
    assert listed.code == 0, listed.err
    rows = {r["slug"]: r for r in json.loads(listed.out)}
    assert rows[good]["error"] is None and rows[good]["title"] == "Good idea"
    assert message in rows[bad]["error"] and f"project.yaml:{row}:10:" in rows[bad]["error"]
    plain = cli("list")
    assert good in plain.out and message in plain.out
    checked = cli("check")
    assert checked.code == 2 and f"ok     {good}" in checked.out and message in checked.err
    assert_one_line_error(cli("render", bad), f"project.yaml:{row}:10:", message)
    assert [s.error is None for s in ws.list_projects()] == [False, True]  # what Home shows, by slug order


@pytest.mark.parametrize(("line", "message"), UNUSABLE, ids=UNUSABLE_IDS)
def test_an_unusable_value_in_template_yaml_is_located(ws: Workspace, line: str, message: str) -> None:
    value = line.split(": ", 1)[1]
    root = one_question_template(ws, "odd", f"  - name: when\n    type: str\n    default: {value}\n")
    with pytest.raises(TemplateError) as info:
        load_template(root)
    assert message in str(info.value) and "template.yaml:8:14:" in str(info.value)


# --- class 7: special files are refused, never waited on or read without end -------------------
def special(kind: str, path: Path) -> None:
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_project_yaml_is_refused_quickly(cli, ws: Workspace, kind: str) -> None:
    _good, bad = projects(ws, "Good", "Bad")
    special(kind, ws.project(bad).spec_path)
    listed = json.loads(cli("list", "--json", timeout=30).out)
    assert [r["error"] is None for r in listed] == [False, True]
    assert "is not a regular file" in next(r["error"] for r in listed if r["slug"] == bad)
    assert_one_line_error(cli("check", bad, timeout=30), "project.yaml", "is not a regular file")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_special_template_and_settings_files_are_refused_quickly(ws: Workspace, kind: str) -> None:
    special(kind, ws.root / "templates" / "mini" / "template.yaml")
    with pytest.raises(TemplateError, match=r"is not a regular file|is a link that leads outside the template"):
        load_template(ws.root / "templates" / "mini")
    special(kind, ws.root / "sandbox.yaml")
    with pytest.raises(SpecError, match="is not a regular file"):
        load_settings(ws.root)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_special_ledger_is_one_line_and_hides_no_project(cli, ws: Workspace, kind: str) -> None:
    good, bad = projects(ws, "Good", "Bad")
    special(kind, ws.project(bad).ledger_path)
    with pytest.raises(LedgerError, match="is not a regular file"):
        ledger.read(ws.project(bad).ledger_path)
    listed = {r["slug"]: r for r in json.loads(cli("list", "--json", timeout=30).out)}
    assert listed[good]["error"] is None and "ledger.jsonl" in listed[bad]["error"]
    assert listed[bad]["title"] == "Bad", "the spec still names the project"
    assert_one_line_error(cli("log", bad, timeout=30), "ledger.jsonl", "is not a regular file")


@pytest.mark.timeout(60)
def test_a_backtracking_pattern_cannot_hang(ws: Workspace) -> None:
    """`pattern: '(a+)+$'` with a long default runs for hours with Python's re; RE2 answers at once."""
    root = write_mini_template(ws.root, "patterned")
    long = "a" * 5000 + "!"
    (root / "template.yaml").write_text(
        "title: P\ndescription: d\ncategory: c\nentry: index.html\nquestions:\n"
        f"  - {{name: code, type: str, default: '{'a' * 5000}', pattern: '(a+)+$'}}\n"
    )
    loaded = load_template(root)
    question = loaded.questions[0]
    with pytest.raises(AnswerError, match="does not have the expected form"):
        validate_answer(question, long)
    assert validate_answer(question, "aaaa") == "aaaa"


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [
        ("(?<=a)b", "cannot be checked in bounded time"),
        ("(a)\\\\1", "cannot be checked in bounded time"),
        ("a" * 1001, "longer than 1,000 characters"),
        ("(", "not a valid regular expression"),
    ],
)
def test_patterns_that_cannot_be_bounded_are_refused_at_load(ws: Workspace, pattern: str, fragment: str) -> None:
    root = one_question_template(
        ws, "patterned", f"  - name: code\n    type: str\n    default: b\n    pattern: \"{pattern}\"\n"
    )
    with pytest.raises(TemplateError) as info:
        load_template(root)
    assert fragment in str(info.value) and "template.yaml:9:" in str(info.value)


def test_an_answer_over_the_bound_is_refused(ws: Workspace) -> None:
    question = ws.template("mini").question("headline")
    assert question is not None
    with pytest.raises(AnswerError, match="longer than 10,000 characters"):
        validate_answer(question, "x" * 10_001)


# --- class 8: `new` applies exactly the limits `check` applies -------------------------------
@pytest.mark.parametrize(
    "option", [["--idea", "i" * 120_000], ["--audience", "a" * 10_001], ["--success", "s" * 10_001],
               ["--category", "c" * 10_001]],
    ids=["idea-120KB", "audience", "success", "category"],
)
def test_new_refuses_what_check_would_refuse(cli, ws: Workspace, option: list[str]) -> None:
    field = option[0].removeprefix("--")
    assert_one_line_error(cli("new", "Too long", "-t", "mini", *option), f"'{field}' is longer than 10,000")
    assert not ws.projects_dir.exists() or list(ws.projects_dir.iterdir()) == []


def test_a_120KB_title_is_refused_and_the_limit_is_the_same_as_checks(ws: Workspace) -> None:
    with pytest.raises(Exception, match="'title' is longer than 10,000 characters"):
        ws.new_project("t" * 120_000, "mini")
    created = ws.new_project("t" * MAX_TEXT, "mini")  # the longest title check accepts, new accepts too
    [result] = ws.check(created.slug)
    assert result.ok and load_spec(ws.project(created.slug).spec_path).title == "t" * MAX_TEXT


def test_undecodable_bytes_in_a_title_are_one_line(ws: Workspace) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; writing them was a UnicodeEncodeError."""
    proc = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"sandbox", b"new", b"Caf\xe9 \xff", b"-t", b"mini"],
        cwd=ws.root, capture_output=True, timeout=60,
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "'title' contains bytes that are not UTF-8 text" in err
    assert not ws.projects_dir.exists() or list(ws.projects_dir.iterdir()) == []


# --- class 9: full disks and read-only folders -------------------------------------------------
def run_cli(root: Path, *args: str) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "sandbox", *args], cwd=root, capture_output=True, text=True,
                          timeout=60)
    return proc.returncode, proc.stderr


def test_new_on_a_full_disk_is_one_plain_line_and_writes_nothing(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", size_kb=256) as disk:
        write_mini_template(disk)
        filler = fill(disk)
        code, err = run_cli(disk, "new", "Full", "-t", "mini")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "the disk is full; nothing was written" in err and "internal error" not in err
        assert not (disk / "projects" / "full").exists()
        assert [p.name for p in (disk / "projects").iterdir() if p.name.startswith(".creating-")] == []
        filler.unlink()
        assert run_cli(disk, "new", "Full", "-t", "mini")[0] == 0, "with room again it works"


def test_a_render_on_a_full_disk_says_so_and_the_next_one_completes_it(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", size_kb=1024) as disk:
        write_mini_template(disk)
        (disk / "templates" / "mini" / "files" / "big.txt.j2").write_text("{{ project.idea }}" + "x" * 60_000)
        assert run_cli(disk, "new", "Spacey", "-t", "mini", "--idea", "one")[0] == 0
        spec = disk / "projects" / "spacey" / "project.yaml"
        spec.write_text(spec.read_text().replace("idea: one", "idea: two"))
        filler = fill(disk)
        code, err = run_cli(disk, "render", "spacey")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "the disk is full; the render stopped part-way" in err
        filler.unlink()
        spec.write_text(spec.read_text().replace("idea: two", "idea: three"))
        code, err = run_cli(disk, "render", "spacey", "--json")
        assert code == 0, err
        assert not list((disk / "projects" / "spacey").rglob("*.tmp"))
        ws = Workspace(disk)
        rendered = [e for e in ws.project("spacey").events() if e["kind"] == "rendered"]
        assert rendered[-1]["conflicts"] == [], "what the stopped render wrote is no edit"


def test_a_ledger_append_on_a_full_disk_lands_whole_or_not_at_all(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", size_kb=64) as disk:
        path = disk / "ledger.jsonl"
        first = ledger.append(path, "created", project="p")
        with path.open("ab") as handle:  # end the file 100 bytes before a page boundary
            handle.write(b" " * (4096 - path.stat().st_size % 4096 - 101) + b"\n")
        before = path.read_bytes()
        fill(disk)
        with pytest.raises(LedgerError) as info:
            ledger.append(path, "rating", project="p", note="n" * 5000)  # more than the page has room for
        assert "the disk is full; the event was not recorded" in str(info.value)
        assert path.read_bytes() == before, "no half line is left behind"
        assert [e["id"] for e in ledger.read(path).events] == [first["id"]]


def test_a_read_only_disk_is_one_plain_line(tmp_path: Path) -> None:
    with tiny_disk(tmp_path / "disk", size_kb=256) as disk:
        write_mini_template(disk)
        remount_read_only(disk)
        code, err = run_cli(disk, "new", "Frozen", "-t", "mini")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "the disk is read-only; nothing was written" in err


def test_a_folder_this_user_may_not_write_is_one_plain_line(ws: Workspace, monkeypatch, capsys) -> None:
    """Root ignores permission bits, so the refusal the kernel gives a user is made here."""
    real_mkdir = Path.mkdir

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        if self.name.startswith(".creating-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", refuse)
    monkeypatch.chdir(ws.root)
    assert main(["new", "Locked", "-t", "mini"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "permission denied (check who may write" in err
    assert "nothing was written" in err


async def test_home_lists_a_broken_project_beside_the_others_and_opening_it_shows_where(ws: Workspace) -> None:
    """The TUI's Home reads the same list: the broken idea is marked, the good one is untouched, and
    opening the broken one shows the located error (what `list` prints) instead of failing."""
    from textual.widgets import DataTable, Static

    from tests.support.tui import SIZE, add_project, open_project, running, wait_for

    add_project(ws, "Good idea", at="2026-01-01T09:00:00.000Z")
    bad = add_project(ws, "Bad idea", at="2026-01-02T09:00:00.000Z")  # the newer one: first on Home
    spec = ws.project(bad.slug).spec_path
    spec.write_text(spec.read_text().replace("success: ''", "success: 2024-13-45"))
    async with running(ws, SIZE) as (pilot, app):
        table = app.screen.query_one("#projects", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="both projects listed")
        titles = [str(table.get_row_at(row)[0]) for row in range(2)]
        assert titles == ["Bad idea (has a problem)", "Good idea"]
        await open_project(pilot, app)
        shown = str(app.screen.query_one("#overview-idea", Static).render())
        assert "project.yaml has a problem" in shown and "looks like a date but is not a real one" in shown
        assert "project.yaml:" in shown  # located, as in `sandbox list`
