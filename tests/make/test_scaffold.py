"""Creating projects atomically and re-rendering without ever clobbering someone's edit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sandbox.core import ledger
from sandbox.core.errors import ProjectError, SpecError
from sandbox.core.fs import sha256_file
from sandbox.make.scaffold import slugify, unique_slug
from sandbox.workspace import Workspace


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Expense approvals", "expense-approvals"),
        ("  Café  déjà vu!! ", "cafe-deja-vu"),
        ("Q3 -- OKR / Review", "q3-okr-review"),
        ("###", ""),
        ("a" * 100, "a" * 60),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_title_without_latin_letters_still_gets_a_stable_name() -> None:
    slug = slugify("报销审批")
    assert re.fullmatch(r"idea-[0-9a-f]{6}", slug) and slug == slugify(" 报销审批 ")
    assert slugify("报销审批") != slugify("日本語")


def test_unique_slug(tmp_path: Path) -> None:
    (tmp_path / "idea").mkdir()
    (tmp_path / "idea-2").mkdir()
    assert unique_slug(tmp_path, "idea") == "idea-3"


def test_create_writes_a_whole_project(ws: Workspace) -> None:
    created = ws.new_project("Expense approvals", "mini", idea="Approve on the go", answers={"size": "4"})
    project = ws.project("expense-approvals")
    assert created.path == project.path
    assert sorted(project.variant_ids()) == ["claude-code", "copilot"]
    claude = project.variant_dir("claude-code")
    copilot = project.variant_dir("copilot")
    assert (claude / "index.html").is_file() and (copilot / "index.html").is_file()
    assert "Approve on the go" in (claude / "CLAUDE.md").read_text()
    assert "GitHub Copilot" in (copilot / ".github" / "copilot-instructions.md").read_text()
    assert not (claude / ".github").exists() and not (copilot / "CLAUDE.md").exists()
    assert (claude / "index.html").read_bytes() == (copilot / "index.html").read_bytes(), "variants start equal"
    manifest = json.loads((project.state_dir / "manifest.json").read_text())
    for variant, state in manifest["variants"].items():
        for rel, digest in state["files"].items():
            assert sha256_file(project.variant_dir(variant) / rel) == digest
    assert "merge=union" in (ws.projects_dir / ".gitattributes").read_text()
    events = project.events()
    assert [e["kind"] for e in events] == ["created"]
    assert events[0]["assistants"] == ["claude-code", "copilot"] and events[0]["template"] == "mini"
    spec = project.load_spec()
    assert spec.vars["size"] == 4 and spec.idea == "Approve on the go"
    assert ws.check("expense-approvals")[0].ok


def test_same_title_twice_gets_a_new_slug_and_explicit_slug_clash_is_refused(ws: Workspace) -> None:
    ws.new_project("Idea", "mini")
    assert ws.new_project("Idea", "mini").slug == "idea-2"
    with pytest.raises(ProjectError) as info:
        ws.new_project("Other", "mini", slug="idea")
    assert "already exists" in str(info.value)


def test_symbol_only_title_is_refused(ws: Workspace) -> None:
    with pytest.raises(ProjectError) as info:
        ws.new_project("!!! ???", "mini")
    assert "no letters or digits" in str(info.value)
    assert not ws.projects_dir.exists() or not any(ws.projects_dir.iterdir())


def test_assistant_registry_and_briefs(ws: Workspace) -> None:
    (ws.root / "sandbox.yaml").write_text(
        "assistants:\n  aider:\n    name: Aider\n    instructions: CONVENTIONS.md\n  codex: {name: Codex CLI}\n"
    )
    ws.reload()
    created = ws.new_project("Multi", "mini", assistants=["aider", "codex", "cursor", "human"])
    root = created.path / "variants"
    assert "You are Aider" in (root / "aider" / "CONVENTIONS.md").read_text()
    assert "You are Codex CLI" in (root / "codex" / "AGENTS.md").read_text()
    assert "You are Cursor" in (root / "cursor" / "AGENTS.md").read_text()
    assert {p.name for p in (root / "human").iterdir()} == {"index.html", "style.css", "assets", "config.js"}
    with pytest.raises(Exception) as info:
        ws.new_project("Bad", "mini", assistants=["gpt-9"])
    assert "unknown assistant 'gpt-9'" in str(info.value) and "claude-code" in str(info.value)


def test_bad_answer_writes_nothing(ws: Workspace) -> None:
    with pytest.raises(SpecError) as info:
        ws.new_project("Colour", "mini", answers={"brand_color": "red"})
    assert "colour written like" in str(info.value)
    assert not (ws.projects_dir / "colour").exists()


def edit_spec(ws: Workspace, slug: str, old: str, new: str) -> None:
    path = ws.project(slug).spec_path
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_render_again_updates_untouched_files_and_keeps_edits(ws: Workspace) -> None:
    ws.new_project("Keep edits", "mini")
    project = ws.project("keep-edits")
    claude = project.variant_dir("claude-code") / "index.html"
    copilot = project.variant_dir("copilot") / "index.html"
    claude.write_text(claude.read_text().replace("<h1>", "<h1 class='mine'>"))  # an assistant's edit
    edit_spec(ws, "keep-edits", "headline: Hello", "headline: Welcome back")

    result = ws.render("keep-edits")
    assert "copilot/index.html" in result.written
    assert "Welcome back" in copilot.read_text()
    assert result.conflicts == ["claude-code/index.html"]
    assert "class='mine'" in claude.read_text() and "Welcome back" not in claude.read_text()
    beside = claude.with_name("index.html.sandbox-new")
    assert "Welcome back" in beside.read_text()
    assert "Welcome back" in (project.variant_dir("claude-code") / "config.js").read_text()
    rendered = [e for e in project.events() if e["kind"] == ledger.RENDERED]
    assert rendered and rendered[-1]["conflicts"] == ["claude-code/index.html"]

    # Rendering again changes nothing and still refuses to overwrite the edit.
    again = ws.render("keep-edits")
    assert again.written == [] and again.conflicts == ["claude-code/index.html"]

    # The person takes the new version: the conflict is resolved and the leftover removed.
    claude.write_bytes(beside.read_bytes())
    resolved = ws.render("keep-edits")
    assert resolved.conflicts == [] and not beside.exists()
    edit_spec(ws, "keep-edits", "headline: Welcome back", "headline: Third")
    assert "claude-code/index.html" in ws.render("keep-edits").written


def test_edits_to_files_the_change_does_not_touch_are_not_conflicts(ws: Workspace) -> None:
    ws.new_project("Quiet", "mini")
    project = ws.project("quiet")
    css = project.variant_dir("claude-code") / "style.css"
    css.write_text(css.read_text() + "h1 { font-size: 3rem; }\n")
    edit_spec(ws, "quiet", "headline: Hello", "headline: Changed")
    result = ws.render("quiet")
    assert result.conflicts == [] and "h1 { font-size: 3rem; }" in css.read_text()
    assert not css.with_name("style.css.sandbox-new").exists()
    assert "claude-code/index.html" in result.written


def test_render_again_respects_deletions_and_adds_new_variants(ws: Workspace) -> None:
    ws.new_project("Grow", "mini")
    project = ws.project("grow")
    (project.variant_dir("copilot") / "style.css").unlink()
    edit_spec(ws, "grow", "  - copilot\n", "  - copilot\n  - codex\n")
    result = ws.render("grow")
    assert result.new_variants == ["codex"]
    assert (project.variant_dir("codex") / "AGENTS.md").is_file()
    assert not (project.variant_dir("copilot") / "style.css").exists(), "a deleted file stays deleted"


def test_render_with_a_broken_spec_changes_nothing(ws: Workspace) -> None:
    ws.new_project("Broken", "mini")
    project = ws.project("broken")
    before = {p: p.read_bytes() for p in project.variants_dir.rglob("*") if p.is_file()}
    edit_spec(ws, "broken", "headline: Hello", "headline: [oops")
    with pytest.raises(SpecError) as info:
        ws.render("broken")
    assert info.value.line is not None
    assert {p: p.read_bytes() for p in project.variants_dir.rglob("*") if p.is_file()} == before


def test_changing_the_slug_in_the_spec_is_refused_with_its_line(ws: Workspace) -> None:
    ws.new_project("Stay put", "mini")
    edit_spec(ws, "stay-put", "slug: stay-put", "slug: moved")
    with pytest.raises(SpecError) as info:
        ws.render("stay-put")
    assert info.value.line == 4 and "'slug' must stay 'stay-put'" in str(info.value)
    assert not ws.check("stay-put")[0].ok
