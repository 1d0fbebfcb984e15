"""The brief: the file each assistant reads (CLAUDE.md, .github/copilot-instructions.md, AGENTS.md).

It is made from the spec and the template like the prototype itself, so it lives with the other
things ``make`` produces; only the file name and the assistant's name differ between variants, which
keeps the two assistants' instructions comparable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant


def render_brief(assistant: Assistant, spec_project: dict[str, str], template: Any, answers: dict[str, Any]) -> str:
    """The brief placed in the file the assistant reads: the idea, what exists, the ground rules.

    Rendered from ``brief.md.j2`` beside this module in the sandbox (user text is data, never template code).
    """
    env = _brief_environment()
    return env.get_template("brief.md.j2").render(
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
        questions=[
            {"name": q.name, "help": q.help, "value": answers.get(q.name)} for q in getattr(template, "questions", ())
        ],
    )


_brief_env: Any = None


def _brief_environment() -> Any:
    global _brief_env
    if _brief_env is None:
        from jinja2 import FileSystemLoader

        from sandbox.make.render import sandboxed_environment

        _brief_env = sandboxed_environment(FileSystemLoader(str(Path(__file__).parent)), autoescape=False)
    return _brief_env
