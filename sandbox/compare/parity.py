"""Whether two variants are worth comparing: tree hashes, brief hashes, and who did work on each.

Why: a blind vote between two untouched copies of the template measures nothing, yet it was
counted ("GitHub Copilot won 1 of 1"). Two facts decide what a pair means:

- the *tree hash* (docs/EVENTS.md "Tree hash"): sha256 over the sorted lines
  ``"<posix path>\\0<sha256 of content>\\n"`` of every file the ignore policy keeps, identity files
  left out. Equal tree hashes mean "identical apart from the briefs": nothing to compare;
- whether a side *carries assistant work*: the ledger holds a run or session with changes, or an
  edit, on that variant attributed to its assistant. A vote where only one side does is kept, but
  a later report shows it apart from the evidence.

Identity files say whose prototype it is (each assistant's brief, its hooks and settings), so the
tree hash leaves them out (a pair that differs only there is identical), they have a hash of their
own (the *brief hash*, recorded on compare and vote), and blind previews answer 404 for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sandbox.core import ledger
from sandbox.core.fs import sha256_bytes, sha256_file

if TYPE_CHECKING:
    from sandbox.core.ignore import IgnoreRules
    from sandbox.workspace import Project, Workspace

# At any depth: a file of one of these names, a folder of one of these names, a path ending so.
IDENTITY_NAMES = ("CLAUDE.md", "AGENTS.md")
IDENTITY_FOLDERS = (".claude",)
IDENTITY_TAILS = (".github/hooks", ".github/copilot-instructions.md")
_NAMES = frozenset(n.casefold() for n in IDENTITY_NAMES)
_FOLDERS = frozenset(n.casefold() for n in IDENTITY_FOLDERS)
_TAILS = tuple(tuple(t.casefold().split("/")) for t in IDENTITY_TAILS)

_WORK_KINDS = (ledger.RUN, ledger.SESSION_ENDED)
_CHANGE_FIELDS = ("files_added", "files_changed", "files_deleted")


def is_identity(rel: str, briefs: Iterable[str] = ()) -> bool:
    """Whether the variant-relative path ``rel`` names its assistant (case folded: macOS, Windows).

    ``briefs``: the registry's instruction files (a configured assistant may read another file).
    """
    parts = tuple(p.casefold() for p in PurePosixPath(rel).parts)
    if not parts:
        return False
    if parts[-1] in _NAMES or any(p in _FOLDERS for p in parts[:-1]):
        return True
    for tail in _TAILS:  # ".github/hooks" is a folder (any file below), the other a file
        for i in range(len(parts) - len(tail) + 1):
            if parts[i:i + len(tail)] == tail:
                return True
    folded = "/".join(parts)
    return any(folded == b.strip("/").casefold() for b in briefs)


def registry_briefs(workspace: Workspace) -> list[str]:
    """Every instruction file the workspace's registry knows (relative to a variant)."""
    return sorted({str(a.instructions) for a in workspace.registry.values() if a.instructions})


def _digest(lines: Iterable[tuple[str, str]]) -> str:
    return sha256_bytes("".join(f"{path}\0{digest}\n" for path, digest in sorted(lines)).encode("utf-8"))


def _files(root: Path, rules: IgnoreRules, base: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for rel in rules.walk(root, base=base):
        digest = sha256_file(root / rel)
        if digest is not None:
            found[rel] = digest
    return found


@dataclass(frozen=True)
class Hashes:
    """A variant's tree hash (identity files left out) and brief hash (identity files only)."""

    tree: str
    brief: str


def variant_hashes(workspace: Workspace, project: Project, variant: str) -> Hashes:
    """The tree and brief hashes of ``variant`` now, under the workspace's ignore policy."""
    from sandbox.assistants.sessions import variant_base, workspace_patterns
    from sandbox.core.ignore import IgnoreRules

    rules = IgnoreRules(workspace_patterns(project))
    files = _files(Path(project.variant_dir(variant)), rules, variant_base(project, variant))
    briefs = registry_briefs(workspace)
    identity = {rel for rel in files if is_identity(rel, briefs)}
    return Hashes(
        tree=_digest((rel, d) for rel, d in files.items() if rel not in identity),
        brief=_digest((rel, d) for rel, d in files.items() if rel in identity),
    )


def tree_sha256(workspace: Workspace, project: Project, variant: str) -> str:
    """docs/EVENTS.md's tree hash of ``variant``: equal for two variants identical apart from the briefs."""
    return variant_hashes(workspace, project, variant).tree


def template_sha256(workspace: Workspace, name: str | None) -> str | None:
    """The hash of a template's source tree (its folder, same line format); None when it is not found."""
    if not name:
        return None
    from sandbox.core.errors import SandboxError
    from sandbox.core.ignore import IgnoreRules

    try:
        root = Path(workspace.template(name).root)
    except SandboxError:
        return None
    return _digest(_files(root, IgnoreRules(), "").items()) if root.is_dir() else None


def carries_work(events: Iterable[Mapping[str, Any]], variant: str, assistant: str) -> bool:
    """Whether ``variant`` holds work by ``assistant``: a run or session that changed files, or an edit."""
    for event in events:
        if event.get("variant") != variant or event.get("assistant") != assistant:
            continue
        kind = event.get("kind")
        if kind == ledger.EDIT:
            return True
        if kind in _WORK_KINDS and any(event.get(f) for f in _CHANGE_FIELDS):
            return True
    return False


def cli_version(events: Iterable[Mapping[str, Any]], variant: str, assistant: str) -> str | None:
    """The CLI version of the latest run on ``variant`` by ``assistant`` that said it (issue 10's field)."""
    found: str | None = None
    for event in events:
        if event.get("kind") == ledger.RUN and event.get("variant") == variant and event.get("assistant") == assistant:
            version = event.get("cli_version")
            if isinstance(version, str) and version:
                found = version
    return found


@dataclass(frozen=True)
class Side:
    """One side of a pair as it stands now: what the vote records about it."""

    variant: str
    assistant: str
    hashes: Hashes
    worked: bool
    cli_version: str | None


def side(workspace: Workspace, project: Project, variant: str, assistant: str,
         events: Sequence[Mapping[str, Any]]) -> Side:
    """``variant`` as it stands now, judged against the ledger's ``events``."""
    return Side(variant, assistant, variant_hashes(workspace, project, variant),
                carries_work(events, variant, assistant), cli_version(events, variant, assistant))
