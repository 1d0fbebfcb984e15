"""Rendering is sandboxed and contained: hostile templates get one line, never a traceback or a write outside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.core.errors import RenderError
from sandbox.make.catalog import load_template, validate_answers
from sandbox.make.render import render_template, template_context
from sandbox.workspace import Workspace


def context(template, **project: str):
    base = {"title": "T", "slug": "t", "idea": "", "audience": "", "success": "", "category": ""}
    base.update(project)
    return template_context(template, base, validate_answers(template, {}))


def make_template(tmp_path: Path, files: dict[str, str | bytes], questions: str = "") -> Path:
    root = tmp_path / "hostile"
    (root / "files").mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(
        "title: Hostile\ndescription: d\ncategory: c\nentry: index.html\n" + questions
    )
    for rel, content in files.items():
        target = root / "files" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return root


def test_mini_renders_with_escaping_and_copies_bytes(ws: Workspace) -> None:
    template = ws.template("mini")
    out = render_template(template, context(template, title="<script>x</script>", idea="{{ 7*7 }}"))
    html = out["index.html"].decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert "{{ 7*7 }}" in html and "49" not in html, "user text is data, never template code"
    assert out["assets/logo.bin"] == bytes(range(256))
    assert out["config.js"] == b'window.HEADLINE = "Hello";\n', "no HTML escaping outside HTML files"
    assert "style.css" in out and "index.html.j2" not in out


def test_templated_path_segments(tmp_path: Path) -> None:
    root = make_template(
        tmp_path,
        {"index.html": "home", "{{ vars.folder }}/page.html.j2": "<p>{{ project.title }}</p>"},
        "questions:\n  - {name: folder, type: str, default: pages}\n",
    )
    template = load_template(root)
    assert render_template(template, context(template)) == {"index.html": b"home", "pages/page.html": b"<p>T</p>"}


@pytest.mark.parametrize(
    ("files", "questions"),
    [
        ({"{{ vars.folder }}/x.txt": "x"}, "questions:\n  - {name: folder, type: str, default: '..'}\n"),
        ({"{{ vars.folder }}x.txt": "x"}, "questions:\n  - {name: folder, type: str, default: '/tmp/'}\n"),
        ({"{{ vars.folder }}/x.txt": "x"}, "questions:\n  - {name: folder, type: str, default: 'a/../..'}\n"),
        ({"{{ vars.folder }}": "x"}, "questions:\n  - {name: folder, type: str, default: ''}\n"),
        ({"{{ vars.folder }}.txt": "x"}, "questions:\n  - {name: folder, type: str, default: 'C:\\\\evil'}\n"),
    ],
)
def test_path_escapes_are_refused(tmp_path: Path, files: dict[str, str], questions: str) -> None:
    template = load_template(make_template(tmp_path, files, questions))
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    message = str(info.value)
    assert "template 'hostile'" in message and "only write inside" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ project.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_sandbox_escapes_are_one_line_naming_the_file(tmp_path: Path, source: str) -> None:
    template = load_template(make_template(tmp_path, {"index.html.j2": source}))
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    message = str(info.value)
    assert "files/index.html.j2" in message
    assert "\n" not in message
    assert "forbids" in message or "not defined" in message or "unsafe" in message


def test_syntax_error_and_undefined_names_have_a_line(tmp_path: Path) -> None:
    template = load_template(make_template(tmp_path, {"index.html.j2": "ok\n{% if %}"}))
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    assert info.value.line == 2 and "syntax error" in str(info.value)
    template = load_template(make_template(tmp_path, {"index.html.j2": "{{ assistant.name }}"}))
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    assert "not defined" in str(info.value) and "assistant" in str(info.value)


def test_includes_cannot_read_outside_the_template(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    template = load_template(make_template(tmp_path, {"index.html.j2": "{% include '../../secret.txt' %}"}))
    with pytest.raises(RenderError):
        render_template(template, context(template))


def test_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    root = make_template(tmp_path, {"index.html": "hi"})
    (root / "files" / "leak.txt").symlink_to(secret)
    template = load_template(root)
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    assert "leads outside the template" in str(info.value)


def test_symlinked_folder_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("x")
    root = make_template(tmp_path, {"index.html": "hi"})
    (root / "files" / "linked").symlink_to(outside)
    template = load_template(root)
    with pytest.raises(RenderError):
        render_template(template, context(template))


def test_edited_template_is_picked_up(ws: Workspace) -> None:
    template = ws.template("mini")
    first = render_template(template, context(template))["index.html"]
    source = template.files_dir / "index.html.j2"
    source.write_text("<p>changed {{ project.title }}</p>")
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    assert render_template(template, context(template))["index.html"] == b"<p>changed T</p>" != first


def test_a_template_whose_entry_file_is_missing_is_refused(tmp_path: Path) -> None:
    template = load_template(make_template(tmp_path, {"home.html": "hi"}))
    with pytest.raises(RenderError) as info:
        render_template(template, context(template))
    assert "entry file 'index.html'" in str(info.value) and "template.yaml" in str(info.value)
