"""Keep a blind comparison blind: what an assistant prints must not name it.

A headless assistant's output names itself all the time (model ids, "Claude", "Copilot", its
program's name, its web address). The Build view shows that output live while the names are meant
to stay hidden, so every line shown there passes through a ``Redactor``: each name, id and program
of the workspace's assistants, and the vendors' and models' words, become ``███``.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.workspace import Workspace

MASK = "███"
# Words that give an assistant away even when the registry does not list them.
VENDOR_WORDS = ("claude", "anthropic", "copilot", "github", "openai", "codex", "gpt", "cursor", "gemini",
                "sonnet", "opus", "haiku", "aider")


class Redactor:
    """``Redactor(workspace)(text)``: ``text`` with every word that names an assistant masked."""

    def __init__(self, workspace: Workspace) -> None:
        words: set[str] = set(VENDOR_WORDS)
        try:
            assistants = list(workspace.registry.values())
        except Exception:  # noqa: BLE001 - a broken sandbox.yaml: mask the built-in words at least
            assistants = []
        for assistant in assistants:
            words.update({assistant.id, assistant.name, assistant.co_author})
            for argv in (assistant.command, assistant.headless):
                if argv:
                    words.add(PurePath(argv[0]).name)
        usable = sorted((w for w in words if w and len(w) >= 3), key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in usable), re.IGNORECASE) if usable else None

    def __call__(self, text: str) -> str:
        return self._pattern.sub(MASK, text) if self._pattern is not None else text
