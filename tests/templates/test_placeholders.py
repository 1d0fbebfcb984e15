"""Issue 14: questions whose defaults were domain examples show them as placeholders, not values.

A question's ``placeholder:`` is an example the empty field shows greyed (the TUI's Input and
TextArea); it is never an answer, so one domain's example ("Walk date | date") cannot end up in
another project. It is text with limits, and ``sandbox templates --json`` lists it.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from sandbox.core.errors import TemplateError
from sandbox.make.catalog import MAX_PLACEHOLDER_CHARS, Question, builtin_templates_dir, load_template
from sandbox.workspace import Workspace

# the questions whose help carried an "e.g." example before issue 14
EXAMPLES = {
    "chat-assistant": ["replies"], "clickable-mockup": ["screens"], "crud-app": ["item_name", "items_name", "fields"],
    "dashboard": ["metrics"], "form-survey": ["fields"], "landing-page": ["value_points", "cta_label"],
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_shipped_examples_are_placeholders_not_values(name: str) -> None:
    template = load_template(builtin_templates_dir() / name)
    questions = {q.name: q for q in template.questions}
    for qname in EXAMPLES[name]:
        question = questions[qname]
        assert question.placeholder, f"{name}.{qname} shows its example as a placeholder"
        assert "e.g." not in question.help, "the example moved out of the help text"
        default = question.default if isinstance(question.default, list) else [question.default]
        assert not any(str(d) and str(d) in question.placeholder for d in default), "a placeholder is not the default"
    assert not any("e.g." in q.help for q in template.questions)


def _template(tmp_path: Path, question: str) -> Path:
    root = tmp_path / "t"
    (root / "files").mkdir(parents=True)
    (root / "files" / "index.html").write_text("<p>x</p>\n")
    (root / "template.yaml").write_text(textwrap.dedent("""\
        title: T
        description: d
        category: c
        entry: index.html
        questions:
        """) + textwrap.indent(textwrap.dedent(question), "  "))
    return root


def test_a_placeholder_is_read_and_stripped(tmp_path: Path) -> None:
    root = _template(tmp_path, """\
        - name: fields
          type: list
          default: []
          placeholder: "  Walk date | date\\nNotes | textarea  "
        """)
    [question] = load_template(root).questions
    assert question.placeholder == "Walk date | date\nNotes | textarea" and question.default == []


@pytest.mark.parametrize(("value", "words"), [
    ("[1, 2]", "'placeholder' must be a text"),
    ("x" * (MAX_PLACEHOLDER_CHARS + 1), f"at most {MAX_PLACEHOLDER_CHARS} characters"),
    ('"one\\ntwo"', "'placeholder' must fit on one line"),
])
def test_a_bad_placeholder_is_one_line_naming_the_place(tmp_path: Path, value: str, words: str) -> None:
    root = _template(tmp_path, f"""\
        - name: item
          type: str
          default: ""
          placeholder: {value}
        """)
    with pytest.raises(TemplateError) as caught:
        load_template(root)
    message = str(caught.value)
    assert words in message and "template.yaml:9" in message and "\n" not in message, message


def test_templates_json_lists_the_placeholder(cli, ws: Workspace) -> None:
    result = cli("templates", "--json")
    assert result.code == 0, result.err
    crud = next(t for t in json.loads(result.out) if t["name"] == "crud-app")
    item = next(q for q in crud["questions"] if q["name"] == "item_name")
    assert item["placeholder"] == "Booking" and item["default"] == ""
    mini = next(t for t in json.loads(result.out) if t["name"] == "mini")
    assert all(q["placeholder"] == "" for q in mini["questions"]), "none given: an empty text"


class _Form(App[None]):
    def __init__(self, *questions: Question) -> None:
        super().__init__()
        self.questions = questions

    def compose(self) -> ComposeResult:
        from sandbox.tui.widgets.question import QuestionField

        for question in self.questions:
            yield QuestionField(question)


async def test_the_form_shows_the_placeholder_in_the_empty_field() -> None:
    single = Question("item_name", "str", "", placeholder="Booking")
    many = Question("fields", "list", [], placeholder="Walk date | date | required")
    app = _Form(single, many)
    async with app.run_test() as pilot:
        await pilot.pause()
        field = app.query_one(Input)
        area = app.query_one(TextArea)
        assert (field.value, field.placeholder) == ("", "Booking"), "an example, not a value"
        assert (area.text, area.placeholder) == ("", "Walk date | date | required")
