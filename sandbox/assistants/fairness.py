"""Brief fairness: both assistants read the instructions the sandbox wrote, and nothing else.

Claude Code also reads ``CLAUDE.md`` (and ``CLAUDE.local.md``, ``.claude/CLAUDE.md``) in every
folder above the one it starts in; the Copilot CLI reads ``AGENTS.md``, ``CLAUDE.md``,
``.github/copilot-instructions.md`` and ``.github/instructions/*.instructions.md`` at the git root.
In a workspace shared through git, one side can get instructions the other never sees, and the
comparison is no longer of the assistants. So before a run or a session the folders above the
variant, up to the filesystem root, are searched for any of these; one found is refused in one
line naming it, unless the user passes an explicit override, which the run or session event then
records (``brief_override``). Each variant's brief hash (``brief_sha256``) is recorded too, so a
report can tell which briefs were compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.assistants import hooks
from sandbox.core.errors import AssistantError
from sandbox.core.fs import sha256_file

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant

# Files either assistant reads from a folder above its own (any of them breaks the parity).
ANCESTOR_FILES = ("CLAUDE.md", "CLAUDE.local.md", ".claude/CLAUDE.md", "AGENTS.md",
                  ".github/copilot-instructions.md")
INSTRUCTIONS_GLOB = ".github/instructions/*.instructions.md"
OVERRIDE_FLAG = "--allow-instructions"


def instruction_files_above(variant_root: Path) -> list[Path]:
    """Instruction files in the folders above the variant (the git root among them), nearest first."""
    start = Path(variant_root).resolve()
    found: list[Path] = []
    for folder in start.parents:
        found.extend(folder / name for name in ANCESTOR_FILES if (folder / name).is_file())
        if (folder / ".github" / "instructions").is_dir():
            found.extend(sorted(folder.glob(INSTRUCTIONS_GLOB)))
    return found


def check(variant_root: Path, assistant: Assistant, *, allow: bool = False) -> list[str]:
    """The instruction files to record as overridden ([] when there are none); refuses without ``allow``.

    Also refuses hook files in ``.github/hooks/`` that the sandbox did not write: a headless
    Copilot run trusts the folder, and such a hook would run with that trust.
    """
    found = [str(p) for p in instruction_files_above(variant_root)]
    if assistant.edit_hook and assistant.hook_style == hooks.STYLE_COPILOT:
        found.extend(str(Path(variant_root) / rel) for rel in hooks.foreign_copilot_hooks(Path(variant_root)))
    if found and not allow:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise AssistantError(
            f"{found[0]}{more} would also be read by {assistant.name} but not by the other assistants, so the "
            f"comparison would not be fair; move it away, or pass {OVERRIDE_FLAG} to go ahead and record it"
        )
    return found


def brief_sha256(variant_root: Path, assistant: Assistant) -> str | None:
    """The hash of the variant's brief (None when the assistant has none, or it is missing)."""
    if not assistant.instructions:
        return None
    path = Path(variant_root) / assistant.instructions
    try:
        return sha256_file(path)
    except OSError:
        return None
