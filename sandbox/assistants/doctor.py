"""``sandbox doctor``: is this machine ready, in words a non-engineer or the IT team can act on.

Per assistant: whether its CLI is found (else the install line), its version, whether it is
signed in (asked without spending tokens: ``claude auth status``; for Copilot its offline provider,
a token variable or its saved login), and whether its edit hooks can reach ``sandbox``. Then the
machine: a browser for the previews, the file-watch limit, free disk. ``ready`` is true when
everything *needed* is: the workspace's default assistants found and signed in, hooks reaching
``sandbox``, enough disk. The browser and the watch limit only warn (previews still have a URL;
the watcher falls back to polling). The TUI's Home shows the same report (``Workspace.doctor``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.assistants import versions
from sandbox.assistants.launch import sandbox_bin

if TYPE_CHECKING:
    from sandbox.assistants.registry import Assistant
    from sandbox.workspace import Workspace

STATUS_TIMEOUT = 30.0
MIN_FREE_BYTES = 500 << 20
MIN_WATCHES = 8192
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "firefox", "microsoft-edge",
            "xdg-open", "open")
ALWAYS_SHOWN = ("claude-code", "copilot")  # the two CLIs the product compares, shown even when not needed
TOKEN_VARIABLES = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")


@dataclass
class AssistantCheck:
    """One assistant's readiness."""

    id: str
    name: str
    needed: bool
    program: str | None = None
    path: str | None = None  # where its CLI is, None: not found
    install: str = ""
    version: str | None = None
    signed_in: bool | None = None  # None: cannot be told without spending tokens
    sign_in: str = ""  # how, or what to do
    hooks: bool | None = None  # None: the assistant has no edit hook
    hooks_detail: str = ""

    @property
    def ready(self) -> bool:
        return self.problem is None

    @property
    def problem(self) -> str | None:
        """What stops this assistant, in a few words (None: nothing)."""
        if self.path is None:
            return "not installed"
        if self.signed_in is False:
            return self.sign_in
        if self.hooks is False:
            return self.hooks_detail
        return None

    def line(self) -> str:
        if self.path is None:
            return f"missing: {self.install or 'install it'}"
        parts = [f"{self.program} {self.version or '(version unknown)'}"]
        parts.append(self.sign_in)
        if self.hooks is not None:
            parts.append(self.hooks_detail)
        return ("ready: " if self.ready else "not ready: ") + ", ".join(p for p in parts if p)


@dataclass
class MachineCheck:
    """One property of the machine."""

    name: str
    ok: bool
    needed: bool
    detail: str


@dataclass
class DoctorReport:
    assistants: list[AssistantCheck] = field(default_factory=list)
    machine: list[MachineCheck] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(a.ready for a in self.assistants if a.needed) and all(m.ok for m in self.machine if m.needed)

    @property
    def missing(self) -> list[str]:
        """One short phrase per needed thing that is not ready (for a banner on Home)."""
        found = [f"{a.name} {a.problem}" for a in self.assistants if a.needed and a.problem]
        return found + [f"{m.name}: {m.detail}" for m in self.machine if m.needed and not m.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "assistants": [{**asdict(a), "ready": a.ready, "problem": a.problem} for a in self.assistants],
            "machine": [asdict(m) for m in self.machine],
        }

    def lines(self) -> list[str]:
        width = max([len(a.name) for a in self.assistants] + [len(m.name) for m in self.machine] + [8]) + 2
        out = [f"{a.name:<{width}}{a.line()}" for a in self.assistants]
        out += [f"{m.name:<{width}}{'' if m.ok else 'warning: ' if not m.needed else 'not ready: '}{m.detail}"
                for m in self.machine]
        out.append("")
        out.append("Ready." if self.ready else "Not ready: " + "; ".join(self.missing))
        return out


def diagnose(workspace: Workspace, *, env: Mapping[str, str] | None = None) -> DoctorReport:
    """The report for ``workspace`` (its default assistants are the needed ones)."""
    environ = dict(os.environ if env is None else env)
    registry = workspace.registry
    needed = set(workspace.default_assistants())
    wanted = [*workspace.default_assistants(), *ALWAYS_SHOWN]
    chosen = [registry[i] for i in dict.fromkeys(wanted) if i in registry and (registry[i].command or
                                                                               registry[i].headless)]
    checks = [AssistantCheck(id=a.id, name=a.name, needed=a.id in needed, install=a.install_hint) for a in chosen]
    threads = [threading.Thread(target=_check_assistant, args=(check, a, environ), daemon=True)
               for check, a in zip(checks, chosen, strict=True)]
    for thread in threads:
        thread.start()
    machine = [_browser(environ), _watches(), _disk(Path(workspace.root))]
    for thread in threads:
        thread.join(STATUS_TIMEOUT * 2)
    return DoctorReport(assistants=checks, machine=machine)


def _check_assistant(check: AssistantCheck, assistant: Assistant, env: dict[str, str]) -> None:
    argv = assistant.headless or assistant.command
    if not argv:
        check.install = check.install or f"set assistants.{assistant.id}.command in sandbox.yaml"
        return
    check.program = Path(argv[0]).name
    check.path = shutil.which(argv[0], path=env.get("PATH"))
    if check.path is None:
        return
    check.version = versions.cli_version(check.path)
    if assistant.id == "claude-code" or check.program == "claude":
        check.signed_in, check.sign_in = claude_signed_in(check.path, env)
    elif assistant.id == "copilot" or check.program == "copilot":
        check.signed_in, check.sign_in = copilot_signed_in(env)
    else:
        check.sign_in = "sign-in not checked"
    if assistant.edit_hook:
        check.hooks, check.hooks_detail = hooks_reach_sandbox(env)


def claude_signed_in(path: str, env: dict[str, str]) -> tuple[bool | None, str]:
    """``claude auth status`` (no model call): its JSON says whether and how it is signed in."""
    try:
        proc = subprocess.run([path, "auth", "status"], capture_output=True, text=True, timeout=STATUS_TIMEOUT,
                              env=env, stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None, "sign-in could not be checked"
    try:
        status = json.loads(proc.stdout)
    except (ValueError, RecursionError):  # deep nesting: not JSON we read
        return None, "sign-in could not be checked"
    if not isinstance(status, dict):
        return None, "sign-in could not be checked"
    if status.get("loggedIn"):
        how = str(status.get("apiKeySource") or str(status.get("authMethod") or "").replace("_", " "))
        return True, f"signed in ({how})" if how else "signed in"
    return False, "not signed in: run `claude` once and sign in"


def copilot_signed_in(env: dict[str, str]) -> tuple[bool | None, str]:
    """Copilot's offline provider, a token variable, or its saved login (no request is made)."""
    if env.get("COPILOT_OFFLINE", "").lower() == "true" and env.get("COPILOT_PROVIDER_BASE_URL"):
        return True, f"uses the local model provider at {env['COPILOT_PROVIDER_BASE_URL']}"
    if env.get("COPILOT_PROVIDER_BASE_URL"):
        return True, f"uses its own model provider at {env['COPILOT_PROVIDER_BASE_URL']}"
    variable = next((name for name in TOKEN_VARIABLES if env.get(name)), None)
    if variable:
        return True, f"signed in (a token in {variable})"
    home = Path(env.get("COPILOT_HOME") or Path(env.get("HOME") or Path.home()) / ".copilot")
    try:
        config = json.loads((home / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        config = None
    if isinstance(config, dict) and (config.get("logged_in_users") or config.get("last_logged_in_user")):
        return True, "signed in"
    return False, "not signed in: run `copilot` once and sign in"


def hooks_reach_sandbox(env: dict[str, str]) -> tuple[bool, str]:
    """Whether the hook command (``$SANDBOX_BIN``, else ``sandbox`` on PATH) can start ``sandbox``."""
    executable = sandbox_bin() or shutil.which("sandbox", path=env.get("PATH"))
    if executable is None:
        return False, "hooks cannot reach sandbox: start it as `sandbox` (its installed command)"
    try:
        proc = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=STATUS_TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False, f"hooks cannot start {executable}"
    if proc.returncode != 0:
        return False, f"hooks cannot start {executable}"
    return True, "hooks reach sandbox"


def _browser(env: dict[str, str]) -> MachineCheck:
    names = [name for name in (env.get("BROWSER"), *BROWSERS) if name]
    found = next((name for name in names if shutil.which(name, path=env.get("PATH"))), None)
    if found:
        return MachineCheck("Browser", True, False, f"found: {found}")
    return MachineCheck("Browser", False, False, "none found: previews still print their address to open by hand")


def _watches() -> MachineCheck:
    limit_file = Path("/proc/sys/fs/inotify/max_user_watches")
    try:
        limit = int(limit_file.read_text().strip())
    except (OSError, ValueError):
        return MachineCheck("File watching", True, False, "no inotify limit on this system")
    if limit < MIN_WATCHES:
        return MachineCheck("File watching", False, False,
                            f"only {limit} watches: raise with 'sudo sysctl fs.inotify.max_user_watches=524288'")
    return MachineCheck("File watching", True, False, f"{limit} watches allowed")


def _disk(root: Path) -> MachineCheck:
    try:
        free = shutil.disk_usage(root if root.exists() else root.parent).free
    except OSError:
        return MachineCheck("Disk", False, True, f"cannot read free space of {root}")
    shown = f"{free / (1 << 30):.1f} GB free"
    if free < MIN_FREE_BYTES:
        return MachineCheck("Disk", False, True, f"{shown}: free some space (at least 0.5 GB)")
    return MachineCheck("Disk", True, True, shown)
