"""Help in plain language, for people who do not write code."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Markdown

HELP = """\
# How the sandbox works

**An idea** is something you want to try, described in a few sentences: who it is for and what
success looks like. Press **n** on the home screen to describe one.

**A template** is the starting shape of the prototype: a landing page, a form, a dashboard, a
clickable mock-up... Each template asks a few questions (a headline, a colour, a list of items).
You can change every answer later.

**A prototype** is a small website made from your idea. The sandbox makes one copy for every
**AI assistant** you want to compare (for example Claude Code and GitHub Copilot). Each copy is
called a **variant**. They start identical, so the comparison is fair.

## On a project
- **Overview**: your idea and the variants, with what happened to each.
- **Spec**: the idea as a text file (`project.yaml`). Change a word and press **ctrl+s** to save;
  the prototypes update. If something is wrong, the line with the problem is shown under the
  editor: press **F8** to jump there. A broken file never breaks the prototype: it keeps its last
  good version until you fix it.
- **Preview**: start a live preview and open it in your browser. It reloads by itself whenever a
  file changes.
- **Assistant**: start a **session** with a variant's assistant. Everything that changes in that
  variant during the session is credited to that assistant. You can open the assistant in this
  terminal (the sandbox steps aside and comes back when you leave the assistant), or let it work
  on its own on the brief while you watch. When you end the session you can rate the result.

## Comparing
**c** compares the variants of the selected project side by side without showing which assistant
made which (a blind vote). **r** shows the report across all projects: which assistant did best,
and how sure we can be.

## Nothing gets lost
- Files you or an assistant changed are never overwritten: a new version goes beside them.
- If `project.yaml` changes while you are editing it, you choose which version to keep, and the
  other one is saved beside it.
- Everything that happens is written down in the project's history (`ledger.jsonl`).

## Keys
| key | what it does |
| --- | --- |
| n | new idea |
| enter | open the selected project |
| / | filter the list |
| c | compare (blind vote) |
| r | report |
| 1 2 3 4 | on a project: Overview, Spec, Preview, Assistant |
| ctrl+page down / up | on a project: next / previous tab, even while typing |
| ctrl+s | save the spec; create the idea in the form |
| F8 | jump to the problem in the spec |
| ctrl+p | search every action by name |
| ? or F1 | this help |
| escape | go back |
| q (ctrl+q while typing) | quit |
"""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            with VerticalScroll(id="help-scroll"):
                yield Markdown(HELP, id="help-text")
            yield Button("Close", id="help-close", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def on_button_pressed(self) -> None:
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
