"""Which processes a test's assistants left behind, found by the workspace they were started for.

Why not by pid: a confined assistant runs in a PID namespace of its own, so the pid it writes to a
file is not its pid on the machine. Every process the sandbox starts for an assistant carries
``SANDBOX_WORKSPACE=<workspace>`` in its environment, and so does everything that process starts
(daemons included) unless it clears its environment: no test stand-in does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def workspace_processes(root: Path) -> list[int]:
    """Live (not zombie) processes started for assistants of the workspace at ``root``."""
    marker = f"SANDBOX_WORKSPACE={Path(root).resolve()}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X") and marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def all_gone(root: Path, within: float = 10.0) -> bool:
    """Whether every assistant process of the workspace is gone, waiting up to ``within`` seconds."""
    deadline = time.monotonic() + within
    while workspace_processes(root):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def kill_leftovers(root: Path) -> None:
    """A failing test must not leave a hanging stand-in assistant behind (it sleeps for ever)."""
    for pid in workspace_processes(root):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
