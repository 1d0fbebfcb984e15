"""Open sessions and runs on disk: ``.sandbox/sessions/<variant>.*`` and the lock that guards them.

Why on disk: a session outlives the process that started it (a crash, a closed laptop, a reboot),
so everything needed to end it later lives beside the project:

- ``<variant>.json``: the open state, ``{"schema", "event", "files", "ignore"}``: the start event
  (plus the pid, host and process identity that hold it), the snapshot (see
  ``snapshot.encode_files``) and the ignore patterns it was taken with;
- ``<variant>.pack``: the hashes of the snapshot's text files (``snapshot.write_stored_pack``);
- ``<variant>.index`` and ``<variant>.*.blobs``: the variant's stat cache and the text of its
  files, kept between sessions so a start reads only what changed (``content_store``);
- ``<variant>.seen.json``: each file's last version seen in a change batch;
- ``<variant>.lock``: taken (flock) around every start, end and change batch of the variant, by
  every process, so two of them never interleave.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import SessionError
from sandbox.core.fs import atomic_write

if TYPE_CHECKING:
    from sandbox.assistants.content_store import ContentStore
    from sandbox.workspace import Project

SESSIONS_DIR = "sessions"
STATE_SCHEMA = 1
DAMAGED = "the open-session file is damaged; delete it to forget that session"


def sessions_dir(project: Project) -> Path:
    """Where open sessions live: program state beside the project, so they survive a crash."""
    return Path(project.state_dir) / SESSIONS_DIR


def state_path(project: Project, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.json"


def pack_path(project: Project, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.pack"


def index_path(project: Project, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.index"


def content_store(project: Project, variant: str) -> ContentStore:
    """The variant's stat cache and kept texts; the open session's pack is never cleaned away."""
    from sandbox.assistants.content_store import ContentStore

    return ContentStore(index_path(project, variant), pinned=pack_path(project, variant))


def seen_path(project: Project, variant: str) -> Path:
    return sessions_dir(project) / f"{variant}.seen.json"


def plain_name(variant: str) -> bool:
    """A folder name of its own (no path tricks), so state files stay inside ``.sandbox/sessions``."""
    return bool(variant) and "/" not in variant and "\\" not in variant and not variant.startswith(".")


@contextlib.contextmanager
def variant_lock(project: Project, variant: str) -> Iterator[None]:
    """Serialise start, end and change batches of one variant across processes (flock)."""
    directory = sessions_dir(project)
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / f"{variant}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: best effort
            pass
        yield
    finally:
        os.close(fd)


def load_state(project: Project, variant: str) -> dict[str, Any] | None:
    """The open state of ``variant``, None when none is open; a damaged file is a one-line error."""
    path = state_path(project, variant)
    try:
        state = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise SessionError(DAMAGED, path=path) from None
    if not isinstance(state, dict) or not isinstance(state.get("event"), dict):
        raise SessionError(DAMAGED, path=path)
    return state


def save_state(project: Project, variant: str, state: dict[str, Any]) -> None:
    """Write the open state atomically (a reader sees the old file or the new one)."""
    atomic_write(state_path(project, variant), json.dumps(state, separators=(",", ":")).encode("utf-8"))


def remove_state(project: Project, variant: str) -> None:
    """Forget the open state, its pack and its seen versions (the lock file and the stat cache stay)."""
    for path in (state_path(project, variant), pack_path(project, variant), seen_path(project, variant)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def load_seen(project: Project, variant: str) -> dict[str, Any]:
    """Each file's last version seen in a change batch ({} when none, or when the file is damaged)."""
    try:
        seen = json.loads(seen_path(project, variant).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return seen if isinstance(seen, dict) else {}


def save_seen(project: Project, variant: str, seen: dict[str, Any]) -> None:
    atomic_write(seen_path(project, variant), json.dumps(seen).encode("utf-8"), fsync=False)


def open_variants(project: Project) -> list[str]:
    """Variants with an open-state file, sorted (whether it loads is for the caller to find out)."""
    directory = sessions_dir(project)
    if not directory.is_dir():
        return []
    names = sorted(entry.name for entry in os.scandir(directory))
    return [name[: -len(".json")] for name in names if name.endswith(".json") and not name.endswith(".seen.json")]
