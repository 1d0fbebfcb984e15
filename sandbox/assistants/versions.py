"""Which version of an assistant's CLI is installed, so no report silently mixes versions.

Read without starting the CLI where possible: npm installs both Claude Code and the Copilot CLI as
a package whose ``package.json`` sits above the executable the PATH entry links to, and reading it
costs microseconds where ``copilot --version`` costs seconds of Node start-up (which a run's wall
time would carry). Otherwise ``<cli> --version`` is asked once, and the answer is cached for as
long as the executable file stays the same. A CLI's own output (Claude's ``init`` line) wins
over both when it names its version.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from pathlib import Path

VERSION_RE = re.compile(r"\b(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)\b")
VERSION_TIMEOUT = 30.0
# Programs known to answer --version and do nothing else; any other command is never started just to ask
# (a user's wrapper script might take the flag for work to do).
KNOWN_CLIS = frozenset({"claude", "copilot", "codex", "cursor-agent", "aider", "gemini"})
_cache: dict[tuple[str, int, int], str | None] = {}
_lock = threading.Lock()


def package_version(executable: str | Path) -> str | None:
    """The version in the npm ``package.json`` that owns ``executable`` (followed through links)."""
    try:
        real = Path(executable).resolve()
    except OSError:
        return None
    for folder in list(real.parents)[:6]:
        manifest = folder / "package.json"
        if not manifest.is_file():
            continue
        try:
            data = json.loads(manifest.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        version = data.get("version") if isinstance(data, dict) else None
        bins = data.get("bin") if isinstance(data, dict) else None
        if isinstance(version, str) and (bins or data.get("name")):
            return version
        return None
    return None


def asked_version(executable: str | Path, timeout: float = VERSION_TIMEOUT) -> str | None:
    """The first version number ``<executable> --version`` prints, or None."""
    try:
        proc = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = VERSION_RE.search(proc.stdout + "\n" + proc.stderr)
    return match.group(1) if match else None


def cli_version(executable: str | Path, *, ask: bool | None = None) -> str | None:
    """The CLI's version: from its npm package, else (``ask``; default: a known CLI) from ``--version``.

    Cached per executable file (path, modification time, size).
    """
    if ask is None:
        ask = Path(executable).name in KNOWN_CLIS
    try:
        stat = Path(executable).resolve().stat()
    except OSError:
        return None
    key = (str(Path(executable).resolve()), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _cache:
            return _cache[key]
    version = package_version(executable) or (asked_version(executable) if ask else None)
    with _lock:
        _cache[key] = version
    return version
