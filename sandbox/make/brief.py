"""The brief: the file each assistant reads (CLAUDE.md, .github/copilot-instructions.md, AGENTS.md).

It is made from the spec and the template like the prototype itself, so it lives with the other
things ``make`` produces; only the file name and the assistant's name differ between variants, which
keeps the two assistants' instructions comparable.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

    from sandbox.assistants.registry import Assistant
    from sandbox.make.catalog import Template


def render_brief(
    assistant: Assistant, spec_project: dict[str, str], template: Template, answers: dict[str, Any]
) -> str:
    """The brief placed in the file the assistant reads: the idea, what exists, the ground rules.

    Rendered from ``brief.md.j2`` beside this module in the sandbox (user text is data, never template code).
    """
    return _brief_environment().get_template("brief.md.j2").render(
        project=spec_project,
        assistant={"id": assistant.id, "name": assistant.name},
        template={
            "name": template.name,
            "title": template.title,
            "description": template.description,
            "entry": template.entry,
            "provides": list(template.provides),
        },
        vars=answers,
        questions=[{"name": q.name, "help": q.help, "value": answers.get(q.name)} for q in template.questions],
    )


@functools.cache
def _brief_environment() -> SandboxedEnvironment:
    """Built on first use (Jinja2 is a heavy import) and kept: the brief's source never changes."""
    from jinja2 import FileSystemLoader

    from sandbox.make.render import bytecode_cache, sandboxed_environment

    env = sandboxed_environment(FileSystemLoader(str(Path(__file__).parent)), autoescape=False)
    env.bytecode_cache = bytecode_cache("brief")  # compiled once per Jinja2 version, not at every `new`
    return env
