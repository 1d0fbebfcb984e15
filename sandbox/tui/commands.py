"""Every action of the app in the command palette (ctrl+p), in plain words."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from sandbox.tui.roles import Command, OffersCommands

if TYPE_CHECKING:
    from sandbox.tui.app import SandboxApp


class SandboxCommands(Provider):
    """New idea, open / compare any project, report, help, quit, plus the current screen's actions."""

    def _commands(self) -> Iterator[Command]:
        from sandbox.tui.app import SandboxApp  # here: the app module imports this one

        app = self.app
        assert isinstance(app, SandboxApp)
        yield from _app_commands(app)
        if isinstance(self.screen, OffersCommands):
            yield from self.screen.palette_commands()
        for summary in app.summaries[:500]:
            title = summary.title or summary.slug
            yield (f"Open {title}", partial(app.action_open_project, summary.slug), f"Project {summary.slug}")
            yield (
                f"Compare prototypes of {title}",
                partial(app.action_compare, summary.slug),
                "Blind side-by-side comparison of the variants",
            )

    async def discover(self) -> Hits:
        for index, (name, callback, help_text) in enumerate(self._commands()):
            if index >= 12:
                break
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _app_commands(app: SandboxApp) -> Iterator[Command]:
    yield ("New idea", app.action_new_idea, "Describe an idea and create its prototypes")
    yield ("Report", app.action_report, "Compare the assistants across every project")
    yield ("Help", app.action_help, "What everything means, in plain words")
    yield ("Quit", app.action_quit, "Close the app (asks first if something is unsaved)")
