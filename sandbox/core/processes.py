"""Process helpers shared by the core (stdlib only): is a process that holds something still there?"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (one we may not signal counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_identity(pid: int) -> str | None:
    """Boot id and start time of process ``pid`` (Linux ``/proc``), or None where unknown.

    Why: pids are reused, soon after a reboot especially; a run whose sandbox died must not look
    alive because an unrelated process now has its pid (nobody could end it then).
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        start = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]  # field 22: starttime
    except (OSError, IndexError):
        return None
    return f"{boot}:{start}"


def process_alive(pid: int, host: str | None, identity: str | None = None) -> bool:
    """Whether the process ``pid`` of ``host`` (with ``identity``, when known) is still there.

    Another machine's process cannot be checked from here: it is assumed alive.
    """
    if host and host != socket.gethostname():
        return True
    if not pid_alive(pid):
        return False
    current = process_identity(pid) if identity else None
    return current is None or current == identity
