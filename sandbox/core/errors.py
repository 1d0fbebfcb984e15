"""One exception family for everything a user can get wrong.

Every error the user can cause is a ``SandboxError`` carrying a message written for a person who does
not read tracebacks, plus the file, line and column where it applies. The CLI prints ``str(error)``
on one line and exits 2; the TUI shows the same text in place.
"""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str | os.PathLike[str]) -> str:
    """Return ``path`` relative to the current directory when it is below it, so messages stay short."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


class SandboxError(Exception):
    """A problem the user can fix; ``str()`` gives the one-line message with its location."""

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        """``file:line:column`` (as much of it as is known), or an empty string."""
        if self.path is None:
            return ""
        parts = [display_path(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = " ".join(self.message.split())  # always one line, whatever the message held
        return f"{where}: {text}" if where else text

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly form for ``--json`` output and the browser overlay."""
        return {
            "message": self.message,
            "path": display_path(self.path) if self.path else None,
            "line": self.line,
            "column": self.column,
            "text": str(self),
        }


class SpecError(SandboxError):
    """project.yaml (or another YAML file the user owns) is malformed or invalid."""


class TemplateError(SandboxError):
    """A template is missing, malformed, or misbehaves while rendering."""


class AnswerError(SandboxError):
    """An answer to a template question is not acceptable; ``question`` names which."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(message)
        self.question = question


class RenderError(TemplateError):
    """Rendering a template failed: syntax, unknown variable, sandbox escape, path escape."""


class ProjectError(SandboxError):
    """A project cannot be created, found or changed as asked."""


class AssistantError(SandboxError):
    """An unknown assistant id, or an assistant's command cannot be run."""


class SessionError(SandboxError):
    """A session or run cannot be started or ended as asked (already open, none open, a damaged state file)."""


class LedgerError(SandboxError):
    """The ledger cannot be written."""


class DiskError(SandboxError):
    """The disk refused: it is full, read-only, or this user may not write there (not a bug to report)."""
