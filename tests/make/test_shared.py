"""Shared template assets: kept once in ``templates/_shared/``, copied into every variant that asks.

A template says what it takes (``shared: [base.css]`` in template.yaml). A workspace template looks
in its workspace's ``templates/_shared/`` first, then in the built-in one; the copies on disk are
ordinary rendered files, so the manifest hashes them and a re-render keeps a person's edits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.core.errors import RenderError, TemplateError
from sandbox.make.catalog import Template, TemplateCatalog, builtin_templates_dir, load_template
from sandbox.make.render import render_template, template_context
from sandbox.make.shared import SHARED_DIR
from sandbox.workspace import Workspace
from tests.conftest import assert_one_line_error

BUILTIN_SHARED = builtin_templates_dir() / SHARED_DIR
HEAD = "title: Shared\ndescription: d\ncategory: c\nentry: index.html\n"


def shared_template(ws_root: Path, shared_yaml: str, name: str = "uses-shared") -> Path:
    """A workspace template whose page links the shared files; ``shared_yaml`` is its 'shared' key."""
    root = ws_root / "templates" / name
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text(HEAD + shared_yaml)
    (root / "files" / "index.html.j2").write_text(
        '<!doctype html><title>{{ project.title }}</title><link rel="stylesheet" href="base.css">\n'
    )
    return root


def workspace_shared(ws_root: Path, files: dict[str, str]) -> Path:
    folder = ws_root / "templates" / SHARED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


PROJECT = {"title": "T", "slug": "t", "idea": "", "audience": "", "success": "", "category": ""}


def render(template: Template | Path) -> dict[str, bytes]:
    """Render with the default answers; a path is loaded first, as a workspace template."""
    if isinstance(template, Path):
        template = load_template(template, "workspace")
    return render_template(template, template_context(template, PROJECT, template.defaults()))


def test_a_workspace_template_takes_its_workspace_shared_files_then_the_built_in_ones(ws: Workspace) -> None:
    workspace_shared(ws.root, {"brand.css": "h1 { color: teal; }\n"})
    out = render(shared_template(ws.root, "shared: [base.css, brand.css]\n"))
    assert out["base.css"] == (BUILTIN_SHARED / "base.css").read_bytes(), "the built-in copy, byte for byte"
    assert out["brand.css"] == b"h1 { color: teal; }\n"
    assert set(out) == {"index.html", "base.css", "brand.css"}


def test_a_workspace_shared_file_replaces_the_built_in_one_for_its_own_templates_only(ws: Workspace) -> None:
    workspace_shared(ws.root, {"base.css": "/* our house style */\n"})
    shared_template(ws.root, "shared: [base.css]\n")
    assert render(ws.template("uses-shared"))["base.css"] == b"/* our house style */\n"
    builtin = render(ws.template("landing-page"))
    assert builtin["base.css"] == (BUILTIN_SHARED / "base.css").read_bytes(), "a built-in template ignores ours"


def test_the_shared_folder_is_never_listed_as_a_template(ws: Workspace) -> None:
    folder = workspace_shared(ws.root, {"base.css": "x"})
    (folder / "template.yaml").write_text(HEAD)
    (folder / "files").mkdir()
    assert SHARED_DIR not in ws.catalog.names()
    assert SHARED_DIR not in TemplateCatalog().names()
    assert BUILTIN_SHARED.is_dir(), "the built-in templates keep their shared assets in _shared/"
    with pytest.raises(TemplateError) as info:
        ws.template(SHARED_DIR)
    assert f"unknown template '{SHARED_DIR}'" in str(info.value)


@pytest.mark.parametrize(
    ("shared_yaml", "fragment", "line", "column"),
    [
        ("shared:\n  - base.css\n  - storage.jss\n", "shared file 'storage.jss' is not in", 7, 5),
        ("shared: [base.css, nope.js]\n", "shared file 'nope.js' is not in", 5, 20),
        ("shared: base.css\n", "'shared' must be a list", 5, 9),
        ("shared: [../secret.txt]\n", "'shared' item 1 must be a file name inside _shared/", 5, 10),
        ("shared: [/etc/passwd]\n", "'shared' item 1 must be a file name inside _shared/", 5, 10),
        ("shared: [base.css, base.css]\n", "'base.css' is listed twice", 5, 20),
        ("shared: [{file: base.css}]\n", "'shared' item 1 must be a file name", 5, 10),
    ],
)
def test_a_bad_shared_entry_is_refused_naming_template_yaml_line_and_column(
    ws: Workspace, shared_yaml: str, fragment: str, line: int, column: int
) -> None:
    root = shared_template(ws.root, shared_yaml)
    with pytest.raises(TemplateError) as info:
        load_template(root)
    message = str(info.value)
    assert fragment in message
    assert (info.value.line, info.value.column) == (line, column)
    assert f"template.yaml:{line}:{column}:" in message and "\n" not in message


def test_a_missing_shared_file_is_one_line_from_the_cli_and_writes_nothing(cli, ws: Workspace) -> None:
    shared_template(ws.root, "shared:\n  - storage.jss\n")
    result = cli("new", "Idea", "-t", "uses-shared")
    assert_one_line_error(result, "template.yaml:6:5:", "shared file 'storage.jss' is not in")
    assert not (ws.projects_dir / "idea").exists()


def test_a_shared_folder_or_a_name_the_template_has_itself_is_refused(ws: Workspace) -> None:
    (workspace_shared(ws.root, {}) / "css").mkdir()
    with pytest.raises(TemplateError) as info:
        load_template(shared_template(ws.root, "shared: [css]\n"))
    assert "is not a file" in str(info.value) and info.value.line == 5
    own = shared_template(ws.root, "shared: [base.css]\n", name="has-its-own")
    (own / "files" / "base.css").write_text("mine")
    with pytest.raises(TemplateError) as info:
        load_template(own)
    assert "from _shared/ and from this template's files/ too" in str(info.value) and info.value.line == 5


def test_a_shared_link_leading_out_of_the_shared_folder_is_refused(ws: Workspace, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    folder = workspace_shared(ws.root, {})
    (folder / "leak.css").symlink_to(secret)
    with pytest.raises(TemplateError) as info:
        load_template(shared_template(ws.root, "shared: [leak.css]\n"))
    assert "is a link that leads outside it" in str(info.value) and info.value.line == 5


def test_a_link_inside_the_shared_folder_is_followed(ws: Workspace) -> None:
    folder = workspace_shared(ws.root, {"theme-v2.css": "body { margin: 0; }\n"})
    (folder / "theme.css").symlink_to("theme-v2.css")
    out = render(shared_template(ws.root, "shared: [theme.css]\n"))
    assert out["theme.css"] == b"body { margin: 0; }\n"


def test_a_shared_file_deleted_after_loading_is_refused_at_render_with_its_line(ws: Workspace) -> None:
    folder = workspace_shared(ws.root, {"brand.css": "x"})
    shared_template(ws.root, "shared:\n  - brand.css\n")
    template = ws.template("uses-shared")  # the catalog keeps this parsed template
    (folder / "brand.css").unlink()
    with pytest.raises(RenderError) as info:
        render(template)
    assert "template.yaml:6:5:" in str(info.value) and "'brand.css' is not in" in str(info.value)


def test_a_shared_j2_file_is_rendered_like_the_template_s_own(ws: Workspace) -> None:
    workspace_shared(ws.root, {"theme.css.j2": ":root { --brand: {{ vars.brand_color }}; }\n"})
    root = shared_template(ws.root, "shared: [theme.css.j2]\nquestions:\n"
                           "  - {name: brand_color, type: color, default: '#123456'}\n")
    out = render(root)
    assert out["theme.css"] == b":root { --brand: #123456; }\n" and "theme.css.j2" not in out


def test_a_shared_j2_file_that_escapes_the_sandbox_is_one_line_naming_it(ws: Workspace) -> None:
    workspace_shared(ws.root, {"evil.js.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}"})
    with pytest.raises(RenderError) as info:
        render(shared_template(ws.root, "shared: [evil.js.j2]\n"))
    assert "_shared/evil.js.j2" in str(info.value) and "\n" not in str(info.value)


def test_re_render_updates_an_untouched_shared_file_and_keeps_an_edited_one(ws: Workspace) -> None:
    folder = workspace_shared(ws.root, {"brand.css": "h1 { color: teal; }\n"})
    shared_template(ws.root, "shared: [base.css, brand.css]\n")
    ws.new_project("Shared look", "uses-shared")
    project = ws.project("shared-look")
    manifest = json.loads((project.state_dir / "manifest.json").read_text())
    for variant in ("claude-code", "copilot"):
        assert {"base.css", "brand.css"} <= set(manifest["variants"][variant]["files"]), "the manifest hashes them"
    edited = project.variant_dir("claude-code") / "brand.css"
    untouched = project.variant_dir("copilot") / "brand.css"
    edited.write_text("h1 { color: hotpink; }  /* an assistant's change */\n")

    (folder / "brand.css").write_text("h1 { color: navy; }\n")  # the shared source changes
    result = ws.render("shared-look")

    assert "copilot/brand.css" in result.written
    assert untouched.read_text() == "h1 { color: navy; }\n"
    assert result.conflicts == ["claude-code/brand.css"]
    assert "hotpink" in edited.read_text(), "an edited shared file is never overwritten"
    assert edited.with_name("brand.css.sandbox-new").read_text() == "h1 { color: navy; }\n"
    assert (project.variant_dir("copilot") / "base.css").read_bytes() == (BUILTIN_SHARED / "base.css").read_bytes()
