"""One template question as a proper input, validated as you type with the template's own words."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.widgets import Input, Label, Select, Static, Switch, TextArea

from sandbox.core.errors import AnswerError
from sandbox.make.catalog import COLOR_RE, Question, validate_answer
from sandbox.tui.format import esc


class QuestionField(Vertical):
    """Label, help, the input that fits the question's type, and the validation message under it."""

    DEFAULT_CLASSES = "question"

    def __init__(self, question: Question, value: Any = None) -> None:
        super().__init__(id=f"q-{question.name}")
        self.question = question
        self.initial = question.default if value is None else value
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        q = self.question
        yield Label(esc(q.display_name), classes="field-label")
        if q.help:
            yield Static(esc(q.help), classes="field-help")
        value = self.initial
        wid = f"answer-{q.name}"
        if q.type == "bool":
            with Horizontal(classes="switch-row"):
                yield Switch(value=bool(value), id=wid)
                yield Static("yes" if value else "no", classes="switch-label")
        elif q.type == "choice":
            options = [(c, c) for c in q.choices]
            yield Select(options, value=value if value in q.choices else q.choices[0], allow_blank=False, id=wid)
        elif q.type == "color":
            with Horizontal(classes="color-row"):
                yield Input(str(value or ""), placeholder="#1a73e8", id=wid, classes="color-input")
                yield Static("", classes="swatch")
        elif q.type == "int":
            yield Input("" if value is None else str(value), type="integer", id=wid, placeholder=q.placeholder)
        elif q.type == "list":
            # a remembered answer is the text as typed; a default is a list
            text = value if isinstance(value, str) else "\n".join(str(i) for i in (value or []))
            yield TextArea(text, id=wid, classes="list-input", soft_wrap=True, placeholder=q.placeholder)
            yield Static("One item per line.", classes="field-help")
        elif q.type == "text":
            yield TextArea(str(value or ""), id=wid, classes="text-input", soft_wrap=True, placeholder=q.placeholder)
        else:  # the placeholder is an example shown while empty, never an answer (issue 14)
            yield Input(str(value or ""), id=wid, placeholder=q.placeholder)
        yield Static("", classes="field-error hidden")

    def on_mount(self) -> None:
        self._paint_swatch()

    @property
    def raw_value(self) -> Any:
        """What the input holds now; before the input is mounted (or after it is removed, when the
        user flicks through templates quickly) that is the value the field was created with."""
        try:
            widget = self.query_one(f"#answer-{self.question.name}")
        except NoMatches:
            return self.initial
        if isinstance(widget, Switch):
            return widget.value
        if isinstance(widget, Select):
            return widget.value if isinstance(widget.value, str) else ""
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Input):
            return widget.value
        return None

    def validate(self) -> Any:
        """Return the converted answer, showing the template's message under the input on error."""
        message = self.query_one(".field-error", Static)
        try:
            value = validate_answer(self.question, self.raw_value)
        except AnswerError as exc:
            self.error = exc.message
            message.update(esc(exc.message))
            message.remove_class("hidden")
            self.add_class("invalid")
            return None
        self.error = None
        message.update("")
        message.add_class("hidden")
        self.remove_class("invalid")
        return value

    def show_error(self, text: str) -> None:
        self.error = text
        message = self.query_one(".field-error", Static)
        message.update(esc(text))
        message.remove_class("hidden")
        self.add_class("invalid")

    def _paint_swatch(self) -> None:
        if self.question.type != "color":
            return
        swatch = self.query_one(".swatch", Static)
        text = str(self.raw_value).strip()
        if COLOR_RE.match(text):
            swatch.styles.background = text
            swatch.update("")
        else:
            swatch.styles.background = None
            swatch.update("?")

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | TextArea.Changed | Select.Changed) -> None:
        event.stop()
        self._paint_swatch()
        self.validate()

    @on(Switch.Changed)
    def _switched(self, event: Switch.Changed) -> None:
        event.stop()
        self.query_one(".switch-label", Static).update("yes" if event.value else "no")
        self.validate()
