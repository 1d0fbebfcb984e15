"""Confinement: an assistant may write its own variant and nothing else, and nothing it starts outlives it.

Writable inside: the variant folder, the run's scratch folder (``.sandbox/scratch/<session>/``: the
hook spool, usage and telemetry files, a private temporary folder) and the assistant's own
configuration and cache folders under HOME (``HOME_FOLDERS``, it must sign in and keep its state),
plus any folder ``sandbox.yaml`` adds (``confinement: {writable: [...]}``). Everything else, the
rest of the workspace (sibling variants, ``project.yaml``, ledgers, ``.sandbox/``) included, is
read-only. The network stays open: the assistants talk to their services.

Why bubblewrap (the Debian package ``bubblewrap``, Flatpak's sandbox) on Linux:

- it does both jobs in one well-kept program: mount namespaces for the file system *and* a PID
  namespace for lifetime (``--unshare-pid``: when the assistant's main process exits, the
  namespace's init exits and the kernel kills every process left in it, double-forked ``setsid``
  daemons included; ``--die-with-parent``: a ``kill -9`` of the sandbox takes the whole namespace
  with it);
- Landlock would need hand-written system calls from Python (no binding in the standard library),
  does nothing for process lifetime, and is missing on older kernels;
- Anthropic's ``@anthropic-ai/sandbox-runtime`` is bubblewrap on Linux underneath, plus a Node
  runtime and a network proxy we do not want (the network stays open); it would add Node to the
  sandbox's own requirements for no gain in what is enforced.

``--cap-drop ALL`` matters when the sandbox runs as root (containers, CI): root keeps its
capabilities inside bubblewrap and could otherwise remount ``/`` writable.

Signals: bubblewrap's outer process dies of a SIGTERM or SIGINT and then kills the namespace at
once, with no grace period for the assistant. So the outer process is started with those
signals ignored (``env --ignore-signal``) and the assistant gets the defaults back
(``env --default-signal``): a headless stop is SIGTERM to the assistant, a grace period, then
SIGKILL, as without confinement; in an interactive session Ctrl-C belongs to the assistant.

macOS (Seatbelt, ``sandbox-exec``; designed here, not testable on this machine): the same
interface builds a profile that allows everything but writes, and writes only below the same
folders (``seatbelt_profile``; paths passed with ``-D`` parameters, so no quoting problems).
``sandbox-exec`` replaces itself with the assistant, so signals need no care. Seatbelt has no PID
namespace: lifetime there is the process group, plus ``sweep``, which kills every process still
carrying the run's ``SANDBOX_SESSION`` in its environment when the run ends and when the next
command closes a run whose sandbox died.

Without any mechanism (or with ``confinement: off``), runs still happen: ``Mode.notice`` says so in
plain words once, events carry ``contained: false``, and ``sandbox.assistants.violations`` looks
for changes outside the variant after the fact.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.core.errors import AssistantError

if TYPE_CHECKING:
    from sandbox.core.settings import Settings
    from sandbox.workspace import Project, Workspace

BUBBLEWRAP = "bubblewrap"
SEATBELT = "seatbelt"
SETTING = "confinement"
MODES = ("auto", "required", "off")
SCRATCH_DIR = "scratch"
SPOOL_FILE = "spool.jsonl"
SANDBOX_EXEC = "/usr/bin/sandbox-exec"

# Folders under HOME that each assistant writes to sign in and keep its state. Only the running
# assistant's own are writable; a missing folder is created so that a first sign-in works.
# ``.cache/copilot``: the Copilot CLI unpacks its own program there on first start (pkg/<platform>/
# <version>); read-only it cannot start at all, and hidden (HOME under /tmp) it unpacks again on
# every run, a second of CPU each time. The XDG variables move these folders, as they move the CLIs'.
HOME_FOLDERS: dict[str, tuple[str, ...]] = {
    "claude-code": (".claude", ".config/claude", ".cache/claude", ".local/state/claude"),
    "copilot": (".copilot", ".config/github-copilot", ".cache/github-copilot", ".local/state/github-copilot",
                ".cache/copilot"),
    "codex": (".codex",),
    "cursor": (".cursor", ".config/cursor"),
}
# The folder (one of its HOME_FOLDERS) where an assistant's Node keeps its compile cache across runs.
# Node keeps it in $TMPDIR/node-compile-cache unless NODE_COMPILE_CACHE says where; the confinement's
# /tmp is new and empty for every run, and without the cache the Copilot CLI compiles its JavaScript
# again each time (half a second of CPU per run, measured with strace). Per assistant, in a folder it
# may already write (where its program is unpacked), so one assistant's cache never reaches another.
COMPILE_CACHE_HOMES: dict[str, str] = {"claude-code": ".cache/claude", "copilot": ".cache/copilot"}
COMPILE_CACHE = "node-compile-cache"
# Single files under HOME an assistant rewrites (bound only when they exist: HOME itself stays read-only).
HOME_FILES: dict[str, tuple[str, ...]] = {"claude-code": (".claude.json",)}

# Signals the assistant must receive itself (see the module docstring): the stop signal of a
# headless run, and the terminal's own keys in an interactive session.
_HEADLESS_SIGNALS = "TERM,INT,QUIT"
_INTERACTIVE_SIGNALS = "INT,QUIT"

# Unix sockets of host services an assistant could ask to act for it outside the confinement
# (a Docker daemon runs anything as root). Hidden when they exist; the user's session bus lives
# in XDG_RUNTIME_DIR, which is replaced by an empty folder.
_HOST_SOCKETS = ("/run/docker.sock", "/var/run/docker.sock", "/run/podman/podman.sock")


@dataclass(frozen=True)
class Mode:
    """How assistants run in this workspace: the mechanism, or why there is none."""

    mechanism: str | None  # BUBBLEWRAP, SEATBELT, or None: not contained
    reason: str | None = None  # plain words: why not contained
    writable: tuple[Path, ...] = ()  # extra writable folders from sandbox.yaml
    signals: bool = True  # bubblewrap: ``env`` can hand the stop signals to the assistant
    program: str = "bwrap"  # the mechanism's program, found on PATH when probed

    @property
    def contained(self) -> bool:
        return self.mechanism is not None

    def fields(self) -> dict[str, Any]:
        """The ledger fields every start and closing event carries (docs/EVENTS.md)."""
        return {"contained": self.contained, "confinement": self.mechanism}

    def notice(self) -> str | None:
        """The one plain-words warning shown when a run or session starts without confinement."""
        if self.contained:
            return None
        return (
            f"assistants are not confined on this computer ({self.reason}): they can write outside their "
            "own folder; the sandbox checks the project afterwards and records what changed outside it"
        )


@dataclass(frozen=True)
class _Settings:
    mode: str = "auto"
    writable: tuple[Path, ...] = ()


def _read_settings(settings: Settings, root: Path) -> _Settings:
    """``confinement: auto|required|off`` or ``confinement: {mode: ..., writable: [folders]}``."""
    value = settings.data.get(SETTING)
    if value is None:
        return _Settings()
    if isinstance(value, (str, bool)):  # YAML reads a bare `confinement: off` as false
        value = {"mode": value}
    if not isinstance(value, dict):
        raise settings.error("'confinement' must be auto, required, off, or a mapping with mode and writable", SETTING)
    unknown = sorted(set(value) - {"mode", "writable"})
    if unknown:
        raise settings.error(f"unknown key '{unknown[0]}' in 'confinement' (known: mode, writable)", SETTING,
                             unknown[0])
    mode = value.get("mode", "auto")
    if mode is False:  # YAML reads a bare `off` as false
        mode = "off"
    if mode not in MODES:
        raise settings.error(f"'confinement' mode must be one of {', '.join(MODES)}, not {mode!r}", SETTING,
                             *(["mode"] if "mode" in value else []))
    folders = value.get("writable") or []
    if not isinstance(folders, list) or not all(isinstance(f, str) and f.strip() for f in folders):
        raise settings.error("'confinement.writable' must be a list of folders", SETTING, "writable")
    writable = tuple(_absolute(root, f) for f in folders)
    return _Settings(str(mode), writable)


def _absolute(root: Path, folder: str) -> Path:
    path = Path(folder).expanduser()
    return Path(os.path.realpath(path if path.is_absolute() else root / path))


def mode_for(workspace: Workspace) -> Mode:
    """The confinement this workspace's assistants get; ``confinement: required`` refuses to go without."""
    root = Path(workspace.root).resolve()
    chosen = _read_settings(workspace.settings, root)
    if chosen.mode == "off":
        return Mode(None, "confinement is switched off in sandbox.yaml", chosen.writable)
    found = available()
    if found.mechanism is None and chosen.mode == "required":
        raise AssistantError(f"assistants must be confined (sandbox.yaml: confinement: required), but {found.reason}")
    return Mode(found.mechanism, found.reason, chosen.writable, found.signals, found.program)


@functools.cache
def available() -> Mode:
    """The mechanism this computer offers (or why none), probed once per process by running it."""
    if sys.platform == "darwin":
        if Path(SANDBOX_EXEC).is_file():
            return Mode(SEATBELT, program=SANDBOX_EXEC)
        return Mode(None, f"{SANDBOX_EXEC} is missing")
    if not sys.platform.startswith("linux"):
        return Mode(None, f"no confinement mechanism is known for {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Mode(None, "bubblewrap is not installed; on Debian or Ubuntu: sudo apt install bubblewrap")
    true = shutil.which("true") or "/bin/true"
    try:
        probe = subprocess.run([bwrap, *_bwrap_base(), "--", true], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Mode(None, f"bubblewrap does not start ({exc})")
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return Mode(None, f"bubblewrap cannot confine here ({detail[0] if detail else f'exit {probe.returncode}'})")
    env = shutil.which("env")
    signals = env is not None and subprocess.run(
        [env, "--ignore-signal=TERM", "--default-signal=TERM", true], capture_output=True, check=False
    ).returncode == 0
    return Mode(BUBBLEWRAP, signals=signals, program=bwrap)


def _bwrap_base() -> list[str]:
    """The part of every bubblewrap command that makes the namespaces and the read-only base."""
    return [
        "--die-with-parent", "--unshare-pid", "--cap-drop", "ALL",
        "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
    ]


def _programs_under_tmp(paths: Sequence[str]) -> list[str]:
    """The folders right under /tmp that hold the programs a confined command needs.

    The confinement gives the assistant a private, empty /tmp; an assistant, its interpreter or the
    sandbox (which its hooks call) installed under /tmp - a checkout in /tmp, a CI runner's work
    folder - would vanish with it and the command would not be found. Their top folder under /tmp is
    shown again, read-only.
    """
    roots: list[str] = []
    for path in paths:
        if not path.startswith("/tmp/") or not os.path.lexists(path):
            continue
        root = "/tmp/" + path[len("/tmp/"):].split("/", 1)[0]
        if root not in roots:
            roots.append(root)
    return roots


def scratch_dir(project: Project, session: str) -> Path:
    """The run's or session's scratch folder: outside the variant, writable by the assistant."""
    return Path(project.state_dir) / SCRATCH_DIR / session


# Where the XDG base-directory variables move a folder named under HOME (the CLIs follow them).
_XDG_HOMES = ((".cache/", "XDG_CACHE_HOME"), (".config/", "XDG_CONFIG_HOME"), (".local/state/", "XDG_STATE_HOME"),
              (".local/share/", "XDG_DATA_HOME"))


def _home_path(base: Path, name: str, env: Mapping[str, str]) -> Path:
    """``name`` under HOME, or under the XDG folder its variable names (an absolute path, as the spec says)."""
    for prefix, variable in _XDG_HOMES:
        moved = env.get(variable, "")
        if name.startswith(prefix) and Path(moved).is_absolute():
            return Path(moved) / name[len(prefix):]
    return base / name


def home_folders(assistant: str, home: Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """The assistant's own folders under HOME (missing folders are created; missing files skipped)."""
    base = home if home is not None else Path.home()
    variables = os.environ if env is None else env
    found: list[Path] = []
    for name in HOME_FOLDERS.get(assistant, ()):
        path = _home_path(base, name, variables)
        with contextlib.suppress(OSError):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.is_dir():
            found.append(path)
    found += [base / name for name in HOME_FILES.get(assistant, ()) if (base / name).is_file()]
    return found


@dataclass(frozen=True)
class Jail:
    """What one assistant process may write, and the command that holds it to that."""

    mode: Mode
    variant: Path
    scratch: Path
    workspace: Path
    home: tuple[Path, ...] = ()
    interactive: bool = False
    extra: tuple[Path, ...] = field(default=())
    # Folders outside the variant the CLI is asked to write its own records in (Copilot's usage and
    # telemetry files, in .sandbox/runs/<run>.files/): writable, the folders around them read-only.
    outputs: tuple[Path, ...] = field(default=())
    # Where Node keeps its compile cache across runs (inside one of ``home``), or None
    compile_cache: Path | None = None

    @property
    def spool(self) -> Path:
        return self.scratch / SPOOL_FILE

    def writable(self) -> list[Path]:
        """Every folder the assistant may write, most specific last (the variant and its scratch)."""
        return [*self.home, *self.extra, self.variant, self.scratch, *self.outputs]

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` wrapped in the confinement (unchanged when there is none)."""
        if self.mode.mechanism == BUBBLEWRAP:
            return bwrap_command(self, argv)
        if self.mode.mechanism == SEATBELT:
            return seatbelt_command(self, argv)
        return list(argv)

    def environment(self, env: Mapping[str, str]) -> dict[str, str]:
        """The assistant's environment plus where its hooks spool and where its temporary files go."""
        out = {**env, "SANDBOX_SPOOL": str(self.spool), "SANDBOX_SCRATCH": str(self.scratch)}
        if self.mode.mechanism == BUBBLEWRAP:
            out["TMPDIR"] = "/tmp"
        elif self.mode.mechanism == SEATBELT:
            out["TMPDIR"] = str(self.scratch / "tmp")
        if self.compile_cache is not None and self.mode.contained and not env.get("NODE_COMPILE_CACHE"):
            out["NODE_COMPILE_CACHE"] = str(self.compile_cache)
        return out

    def exit_code(self, code: int | None) -> int | None:
        """The assistant's exit code as Popen reports it: bubblewrap says 128+N for "killed by signal N"."""
        if code is not None and self.mode.mechanism == BUBBLEWRAP and 128 < code < 128 + 65:
            return -(code - 128)
        return code


def jail_for(
    workspace: Workspace, project: Project, variant: str, assistant: str, session: str, mode: Mode,
    *, interactive: bool = False, outputs: Sequence[Path] = (),
) -> Jail:
    """The confinement of one run or session; creates its scratch folder (and the assistant's HOME folders).

    ``outputs`` are folders the assistant's CLI is told to write its records in, outside the variant;
    they are created here, because a folder can be made writable only once it exists.
    """
    scratch = scratch_dir(project, session)
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    for output in outputs:
        output.mkdir(parents=True, exist_ok=True)
    real = os.path.realpath  # the mechanisms see through links; the paths they are given must too
    home = tuple(Path(real(p)) for p in home_folders(assistant)) if mode.contained else ()
    return Jail(
        mode=mode,
        variant=Path(real(project.variant_dir(variant))),
        scratch=Path(real(scratch)),
        workspace=Path(real(workspace.root)),
        home=home,
        interactive=interactive,
        extra=mode.writable,
        outputs=tuple(Path(real(p)) for p in outputs),
        compile_cache=_compile_cache(assistant, home),
    )


def _compile_cache(assistant: str, home: Sequence[Path]) -> Path | None:
    """The assistant's own compile-cache folder, when its cache folder is one it may write."""
    name = COMPILE_CACHE_HOMES.get(assistant)
    if name is None:
        return None
    folder = Path(os.path.realpath(_home_path(Path.home(), name, os.environ)))
    return folder / COMPILE_CACHE if folder in home else None


def bwrap_command(jail: Jail, argv: Sequence[str]) -> list[str]:
    """The bubblewrap command: read-only everything, the jail's folders writable, a PID namespace.

    Mount order matters: later mounts win. HOME folders and extra folders first, then the
    workspace read-only again (an extra folder may contain it), then the variant and the scratch
    folder writable.
    """
    keys = _HEADLESS_SIGNALS if not jail.interactive else _INTERACTIVE_SIGNALS
    outer = ["env", f"--ignore-signal={keys}"] if jail.mode.signals else []
    inner = ["env", f"--default-signal={keys}"] if jail.mode.signals else []
    mounts: list[str] = []
    for root in _programs_under_tmp([*argv, sys.executable, sys.argv[0] if sys.argv else ""]):
        mounts += ["--ro-bind", root, root]  # read-only, like the rest: the private /tmp would hide them
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        mounts += ["--tmpfs", runtime]  # the session bus and friends: services acting outside
    for sock in _HOST_SOCKETS:
        if Path(sock).exists():
            mounts += ["--ro-bind", "/dev/null", sock]
    for path in (*jail.home, *jail.extra):
        mounts += ["--bind-try", str(path), str(path)]
    mounts += ["--ro-bind", str(jail.workspace), str(jail.workspace)]
    mounts += ["--bind", str(jail.variant), str(jail.variant), "--bind", str(jail.scratch), str(jail.scratch)]
    for output in jail.outputs:
        mounts += ["--bind", str(output), str(output)]
    return [*outer, jail.mode.program, *_bwrap_base(), *mounts, "--chdir", str(jail.variant), "--", *inner, *argv]


def seatbelt_profile(jail: Jail) -> tuple[str, dict[str, str]]:
    """(Seatbelt profile, its ``-D`` parameters): everything allowed but writes outside the jail's folders."""
    params = {f"W{i}": str(path) for i, path in enumerate(jail.writable())}
    allowed = " ".join(f'(subpath (param "{name}"))' for name in params)
    profile = (
        "(version 1)\n"
        "(allow default)\n"
        "(deny file-write*)\n"
        f"(allow file-write* {allowed}\n"
        '  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper")\n'
        '  (regex #"^/dev/tty") (regex #"^/dev/fd/"))\n'
    )
    return profile, params


def seatbelt_command(jail: Jail, argv: Sequence[str]) -> list[str]:
    profile, params = seatbelt_profile(jail)
    defines = [part for name, value in params.items() for part in ("-D", f"{name}={value}")]
    return [SANDBOX_EXEC, *defines, "-p", profile, *argv]


# --- lifetime where there is no PID namespace ----------------------------------------------------


def _ancestors() -> set[int]:
    """Our own process and its parents: never swept (a sandbox started from inside a session)."""
    found, pid = {os.getpid()}, os.getppid()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            break
    return found


def marked_processes(session: str) -> list[int]:
    """Processes whose environment says they belong to run or session ``session``."""
    marker = f"SANDBOX_SESSION={session}".encode()
    keep = _ancestors()
    found: list[int] = []
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit() or int(entry.name) in keep:
                continue
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if marker in environ.split(b"\0"):
                found.append(int(entry.name))
        return found
    if sys.platform == "darwin":  # ``ps e`` appends each (own) process's environment to its command
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(["ps", "-axeww", "-o", "pid=,command="], capture_output=True, text=True,
                                 timeout=10, check=False).stdout
            for line in out.splitlines():
                pid, _, rest = line.strip().partition(" ")
                if pid.isdigit() and int(pid) not in keep and f" {marker.decode()}" in f" {rest} ":
                    found.append(int(pid))
    return found


def sweep(session: str) -> int:
    """Kill every process still carrying ``session``'s marker; how many there were.

    Without a PID namespace, a daemon that left the assistant's process group is only found by
    the environment it inherited (one that clears its environment escapes: confinement is the
    real answer, and the run says ``contained: false``).
    """
    pids = marked_processes(session)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)
