"""Compiled templates are kept between runs, never reused for an edited source, never read from a shared folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.core.errors import RenderError
from sandbox.make import render
from sandbox.make.catalog import load_template, validate_answers
from sandbox.make.render import bytecode_cache, render_template, template_context


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv(render.CACHE_ENV, str(home))
    monkeypatch.setattr(render, "_bytecode", {})
    return home


def _template(tmp_path: Path, source: str) -> Path:
    root = tmp_path / "tpl"
    (root / "files").mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text("title: T\ndescription: d\ncategory: c\nentry: index.html\n")
    (root / "files" / "index.html.j2").write_text(source)
    return root


def _render(root: Path) -> dict[str, bytes]:
    """A render as a new process does it: no compiled template kept in memory."""
    render._bytecode.clear()
    template = load_template(root)
    project = {"title": "T", "slug": "t", "idea": "", "audience": "", "success": "", "category": ""}
    return render_template(template, template_context(template, project, validate_answers(template, {})))


def _compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The compiled code the render's child sends back: Jinja2 hands code over only when it compiled."""
    seen: list[str] = []
    original = render._keep_bytecode

    def keep(key: object, code: bytes) -> None:
        seen.append(str(key))
        original(key, code)

    monkeypatch.setattr(render, "_keep_bytecode", keep)
    return seen


def test_a_second_run_loads_the_compiled_template_and_an_edit_compiles_again(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _template(tmp_path, "<h1>{{ project.title }} one</h1>\n")
    assert _render(root)["index.html"] == b"<h1>T one</h1>\n"
    assert list(cache_home.glob("sandbox/*/*.cache"))
    compiles = _compiles(monkeypatch)
    assert _render(root)["index.html"] == b"<h1>T one</h1>\n"
    assert compiles == []
    (root / "files" / "index.html.j2").write_text("<h1>{{ project.title }} two</h1>\n")
    assert _render(root)["index.html"] == b"<h1>T two</h1>\n"
    assert len(compiles) == 1


def test_the_sandbox_still_holds_for_a_template_loaded_from_the_cache(cache_home: Path, tmp_path: Path) -> None:
    root = _template(tmp_path, "{{ ''.__class__.__mro__ }}")
    for _ in range(2):  # compiled, then loaded: the checks happen when it runs, both times
        with pytest.raises(RenderError, match="forbids"):
            _render(root)


def test_a_folder_others_may_write_is_not_used(cache_home: Path) -> None:
    assert bytecode_cache("files") is not None
    (cache_home / "sandbox").chmod(0o777)
    assert bytecode_cache("files") is None


def test_no_cache_folder_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv(render.CACHE_ENV, str(blocked))  # nothing can be made under a file
    monkeypatch.setattr(render, "_bytecode", {})
    assert bytecode_cache("files") is None
    assert _render(_template(tmp_path, "<p>{{ project.slug }}</p>"))["index.html"] == b"<p>t</p>"
