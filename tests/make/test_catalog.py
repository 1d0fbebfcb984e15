"""The template catalog and answer validation, with messages a non-engineer understands."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.core.errors import AnswerError, TemplateError
from sandbox.make.catalog import TemplateCatalog, load_template, validate_answer, validate_answers
from sandbox.workspace import Workspace

HEAD = "title: T\ndescription: d\ncategory: c\nentry: i.html\n"
SHIPPED = {"landing-page", "clickable-mockup", "form-survey", "dashboard", "chat-assistant", "crud-app"}


def test_builtin_catalog_has_the_six_templates() -> None:
    names = set(TemplateCatalog().names())
    assert names >= SHIPPED
    for template in TemplateCatalog().all():
        assert template.title and template.description and template.entry
        assert template.provides, f"{template.name} must say what it provides (used in briefs)"


def test_workspace_template_wins_on_a_name_clash(ws: Workspace) -> None:
    clash = ws.root / "templates" / "landing-page"
    (clash / "files").mkdir(parents=True)
    (clash / "template.yaml").write_text("title: Ours\ndescription: d\ncategory: c\nentry: index.html\n")
    template = ws.template("landing-page")
    assert template.title == "Ours" and template.source == "workspace"
    assert "mini" in ws.catalog.names()


def test_unknown_template_lists_available(ws: Workspace) -> None:
    with pytest.raises(TemplateError) as info:
        ws.template("nope")
    assert "unknown template 'nope'" in str(info.value)
    assert "landing-page" in str(info.value) and "mini" in str(info.value)


def test_template_names_cannot_walk_out_of_the_catalog(ws: Workspace) -> None:
    with pytest.raises(TemplateError):
        ws.template("../ws/templates/mini")


@pytest.mark.parametrize(
    ("yaml_text", "fragment", "line"),
    [
        ("title: T\ndescription: d\ncategory: c\nentry: /etc/passwd\n", "'entry' must be a path inside", 4),
        ("title: T\ndescription: d\ncategory: c\nentry: i.html\nquestions:\n  - name: Bad Name\n", "lowercase", 6),
        (f"{HEAD}questions:\n  - {{name: x, type: nope, default: 1}}\n", "type must be", 6),
        (f"{HEAD}questions:\n  - {{name: x, type: int, default: abc}}\n", "default is not valid", 6),
        (f"{HEAD}questions:\n  - {{name: items, type: list, default: []}}\n", "clashes", 6),
        ("title: T\ndescription: d\ncategory: c\nentry: i.html\nbogus: 1\n", "unknown key 'bogus'", 5),
        ("title: !!python/name:os.system\n", "not allowed", 1),
    ],
)
def test_bad_template_yaml_is_one_line_with_location(tmp_path: Path, yaml_text: str, fragment: str, line: int) -> None:
    root = tmp_path / "bad"
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text(yaml_text)
    with pytest.raises(TemplateError) as info:
        load_template(root)
    assert fragment in str(info.value)
    assert info.value.line == line
    assert "template.yaml" in str(info.value)


def q(ws: Workspace, name: str):
    question = ws.template("mini").question(name)
    assert question is not None
    return question


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("size", "7", 7),
        ("size", 4, 4),
        ("dark", "yes", True),
        ("dark", "off", False),
        ("brand_color", "#ABC", "#abc"),
        ("layout", "narrow", "narrow"),
        ("screens", "Home\n\nInbox\n", ["Home", "Inbox"]),
        ("screens", ["A", 2], ["A", "2"]),
        ("headline", "  Hi  ", "Hi"),
    ],
)
def test_answers_are_converted(ws: Workspace, name: str, value: object, expected: object) -> None:
    assert validate_answer(q(ws, name), value) == expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("size", "many", "whole number"),
        ("size", 10, "9 or less"),
        ("size", 0, "1 or more"),
        ("dark", "maybe", "yes or no"),
        ("brand_color", "blue", "colour written like #1a73e8"),
        ("layout", "round", "one of: wide, narrow"),
        ("screens", [], "at least 1"),
        ("screens", [["nested"]], "item 1"),
        ("headline", "two\nlines", "one line"),
        ("headline", ["a"], "must be a text"),
    ],
)
def test_bad_answers_are_explained(ws: Workspace, name: str, value: object, fragment: str) -> None:
    with pytest.raises(AnswerError) as info:
        validate_answer(q(ws, name), value)
    assert fragment in str(info.value)
    assert info.value.question == name


def test_validate_answers_fills_defaults_and_refuses_unknown(ws: Workspace) -> None:
    template = ws.template("mini")
    answers = validate_answers(template, {"size": "5"})
    assert answers["size"] == 5 and answers["headline"] == "Hello" and answers["screens"] == ["Home", "Settings"]
    with pytest.raises(AnswerError) as info:
        validate_answers(template, {"colour": "#fff"})
    assert "not a question" in str(info.value) and "brand_color" in str(info.value)


def test_pattern_and_length(tmp_path: Path) -> None:
    root = tmp_path / "pat"
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text(
        "title: T\ndescription: d\ncategory: c\nentry: i.html\nquestions:\n"
        "  - {name: code, type: str, default: AB12, pattern: '[A-Z]{2}[0-9]{2}', help: 'two letters, two digits'}\n"
        "  - {name: blurb, type: text, default: ok, max: 5}\n"
    )
    template = load_template(root)
    with pytest.raises(AnswerError) as info:
        validate_answer(template.questions[0], "abc")
    assert "two letters, two digits" in str(info.value)
    with pytest.raises(AnswerError) as info:
        validate_answer(template.questions[1], "too long")
    assert "at most 5 characters" in str(info.value)


def test_the_template_yaml_example_in_the_readme_loads(tmp_path: Path) -> None:
    """The README's template.yaml reference is a real template (its shared files are the built-in ones)."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("`template.yaml` in brief", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    root = tmp_path / "example"
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text(example)
    template = load_template(root, "workspace")
    assert [asset.name for asset in template.shared] == ["base.css", "storage.js"]
    assert template.question("brand_color") is not None and template.entry == "index.html"
