"""Launching assistants: interactively in a variant folder, or headless on the brief with a timeout.

Why process groups: an assistant CLI starts helpers (node, shells, language servers). On timeout
the whole group is killed (SIGTERM, then SIGKILL after a grace period), so nothing keeps running or
keeps our pipes open; what the assistant already wrote stays and is recorded.

Each headless run is wrapped in a run-mode open state (``sandbox.assistants.sessions``): the variant is
snapshotted before, diffed after, change batches and edit hooks during the run are attributed to
it, and a run whose sandbox process died is closed later as interrupted.

The ``run`` ledger event: variant, assistant, session, run_id, command (list, prompt shown as
``{prompt}``), exit_code (int; negative: killed by that signal; absent when the run was interrupted
before it was known), seconds (wall time, float), timed_out (bool), interrupted (bool, only when
true), log (path of
``.sandbox/runs/<run_id>.log`` relative to the project), files_added/changed/deleted,
lines_added, lines_removed, and ``result`` when the assistant's own JSON says more: duration_ms,
duration_api_ms, num_turns, total_cost_usd, usage, session_id, is_error, subtype (only the keys
present).

Placeholders in a headless command: ``{prompt}`` (the task), ``{brief}`` (the instruction file),
``{variant}``, ``{project}``. Without ``{prompt}`` the task is written to the assistant's stdin.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.assistants import sessions
from sandbox.core.errors import AssistantError, SandboxError

RUNS_DIR = "runs"
DEFAULT_TIMEOUT = 900.0
KILL_GRACE = 3.0
MAX_KEPT_OUTPUT = 4 << 20  # stdout's last bytes kept in memory to parse the result; the log has all
RESULT_KEYS = ("duration_ms", "duration_api_ms", "num_turns", "total_cost_usd", "usage", "session_id",
               "is_error", "subtype")

OutputCallback = Callable[[str, str], None]  # (variant, line)


def _project(workspace: Any, project: Any) -> Any:
    return workspace.project(project) if isinstance(project, str) else project


def assistant_for(workspace: Any, variant: str) -> Any:
    """The registry entry a variant belongs to (variants are named after their assistant)."""
    registry = workspace.registry
    if variant not in registry:
        known = ", ".join(sorted(registry))
        raise AssistantError(
            f"variant '{variant}' is not a known assistant, so there is no command to run (known: {known}; "
            f"add it under 'assistants:' in sandbox.yaml)"
        )
    return registry[variant]


def _resolve_executable(workspace: Any, assistant: Any, argv: list[str], field_name: str) -> list[str]:
    """``argv`` with its program found on PATH (or relative to the workspace), else a one-line error."""
    program = argv[0]
    if os.sep in program or (os.altsep and os.altsep in program):
        path = Path(program).expanduser()
        if not path.is_absolute():
            path = Path(workspace.root).resolve() / path
        found = str(path) if path.is_file() and os.access(path, os.X_OK) else None
    else:
        found = shutil.which(program)
    if found is None:
        hint = assistant.install_hint or f"install '{program}'"
        raise AssistantError(
            f"{assistant.name}: '{program}' was not found; {hint}, or set the command in sandbox.yaml "
            f"(assistants.{assistant.id}.{field_name})"
        )
    return [found, *argv[1:]]


def launch_argv(workspace: Any, project: Any, variant: str) -> list[str]:
    """The interactive command for ``variant``'s assistant, its program resolved."""
    project = _project(workspace, project)
    sessions.check_variant(project, variant)
    assistant = assistant_for(workspace, variant)
    if not assistant.command:
        raise AssistantError(
            f"{assistant.name} has no interactive command; set one in sandbox.yaml (assistants.{assistant.id}.command)"
        )
    return _resolve_executable(workspace, assistant, list(assistant.command), "command")


def assistant_env(workspace: Any, project: Any, variant: str, session_id: str) -> dict[str, str]:
    """The environment an assistant runs in: ours plus where it is, so its hooks and helpers
    (``sandbox log-edit``) find the workspace, project, variant and session without guessing."""
    return {
        **os.environ,
        "SANDBOX_WORKSPACE": str(Path(workspace.root).resolve()),
        "SANDBOX_PROJECT": project.slug,
        "SANDBOX_VARIANT": variant,
        "SANDBOX_SESSION": session_id,
    }


def default_prompt(assistant: Any, project: Any) -> str:
    """The task given to a headless run: read the brief and build what it describes."""
    brief = assistant.instructions
    try:
        title = project.load_spec().title
    except SandboxError:
        title = project.slug
    if brief:
        return (
            f"Read {brief} in this folder: it is the brief for the prototype '{title}'. Build what it describes, "
            f"following its ground rules, by editing the files in this folder. Stop when a person can open it "
            f"in a browser and try the idea."
        )
    return f"Improve the prototype '{title}' in this folder so a person can open it in a browser and try the idea."


def headless_argv(workspace: Any, project: Any, variant: str, prompt: str) -> tuple[list[str], bool]:
    """(argv with placeholders filled and program resolved, whether the prompt goes to stdin)."""
    assistant = assistant_for(workspace, variant)
    if not assistant.headless:
        raise AssistantError(
            f"{assistant.name} has no headless command; set one in sandbox.yaml (assistants.{assistant.id}.headless)"
        )
    values = {"prompt": prompt, **_placeholders(assistant, project, variant)}
    uses_prompt = any("{prompt}" in part for part in assistant.headless)
    argv = _fill(assistant.headless, values)
    return _resolve_executable(workspace, assistant, argv, "headless"), not uses_prompt


_PLACEHOLDER_RE = re.compile(r"\{(prompt|brief|variant|project)\}")


def _placeholders(assistant: Any, project: Any, variant: str) -> dict[str, str]:
    """Values of the headless command's placeholders, but the prompt."""
    return {"brief": assistant.instructions or "", "variant": variant, "project": project.slug}


def _fill(parts: list[str], values: dict[str, str]) -> list[str]:
    """Placeholders replaced in one pass, so that text in the prompt (say "{project}") stays as typed;
    a placeholder without a value stays as it is (the ledger shows ``{prompt}``, not the long task)."""
    return [_PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), part) for part in parts]


def parse_result(output: str, result_format: str = "claude-json") -> dict[str, Any]:
    """What the assistant's own JSON says: Claude Code's ``--output-format json`` (or stream-json).

    The whole output as one JSON object, else the last line that is a JSON object with a result
    shape. Only known keys are kept; ``cost_usd`` (older Claude Code) is read as total_cost_usd.
    Anything unparsable gives {}.
    """
    if result_format not in ("claude-json", "json"):
        return {}
    candidates: list[Any] = []
    text = output.strip()
    if text:
        try:
            candidates.append(json.loads(text))
        except ValueError:
            for line in reversed(text.splitlines()):
                line = line.strip()
                if line.startswith("{") and line.endswith("}"):
                    try:
                        candidates.append(json.loads(line))
                    except ValueError:
                        continue
                    if isinstance(candidates[-1], dict) and (
                        candidates[-1].get("type") == "result" or any(k in candidates[-1] for k in RESULT_KEYS)
                    ):
                        break
    for data in candidates:
        if isinstance(data, list):  # stream-json collected into an array
            data = next((d for d in reversed(data) if isinstance(d, dict) and d.get("type") == "result"), None)
        if not isinstance(data, dict):
            continue
        result = {key: data[key] for key in RESULT_KEYS if key in data}
        if "total_cost_usd" not in result and isinstance(data.get("cost_usd"), (int, float)):
            result["total_cost_usd"] = data["cost_usd"]
        if result:
            return result
    return {}


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


_running: set[int] = set()  # process groups of assistants being supervised right now
_running_lock = threading.Lock()


@atexit.register
def _stop_running_at_exit() -> None:
    """No assistant outlives the sandbox.

    Runs are supervised by daemon threads (a TUI worker, ``run_many``); when the program exits
    those are frozen mid-run, and an assistant in its own process group would run on with no
    timeout. Its open state stays and is closed later as an interrupted run.
    """
    with _running_lock:
        groups = list(_running)
    for group in groups:
        _kill_group(group, signal.SIGKILL)


@dataclass
class _Output:
    stdout: bytearray
    lock: threading.Lock


def _pump(stream: Any, log: Any, out: _Output, keep: bool, variant: str, on_output: OutputCallback | None) -> None:
    for raw in iter(stream.readline, b""):
        with out.lock:
            try:
                log.write(raw)
                log.flush()
            except ValueError:  # the run is over (log closed) but a helper that escaped its group writes on
                break
            except OSError:  # a full disk loses log lines, never the run: keep draining the pipe
                pass
            if keep:  # the tail: a stream-json result comes last, after megabytes of progress
                out.stdout.extend(raw)
                if len(out.stdout) > MAX_KEPT_OUTPUT:
                    del out.stdout[: len(out.stdout) - MAX_KEPT_OUTPUT]
        if on_output is not None:
            try:
                on_output(variant, raw.decode("utf-8", "replace").rstrip("\n"))
            except Exception:  # noqa: BLE001 - a display callback must not break the run
                pass
    stream.close()


def _feed(stdin: Any, data: bytes) -> None:
    """Write the prompt to the assistant's stdin and close it (it may exit, or be killed, first)."""
    try:
        stdin.write(data)
        stdin.close()
    except (OSError, ValueError):
        pass


def _run_id(variant: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{variant}-{os.urandom(2).hex()}"


def run_headless(
    workspace: Any,
    project: Any,
    variant: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_output: OutputCallback | None = None,
    prompt: str | None = None,
    by: str | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Run ``variant``'s assistant headless in its folder and append the ``run`` event (returned).

    Problems found before starting (unknown variant, missing program, a session already open) raise
    a SandboxError; anything after is recorded in the event (exit code, timeout, interruption).
    Setting ``cancel`` stops the assistant (its whole process group) and records an interrupted run.
    """
    project = _project(workspace, project)
    root = sessions.check_variant(project, variant)
    assistant = assistant_for(workspace, variant)
    task = prompt.strip() if prompt and prompt.strip() else default_prompt(assistant, project)
    argv, prompt_on_stdin = headless_argv(workspace, project, variant, task)
    shown = _fill(assistant.headless, _placeholders(assistant, project, variant))  # for the ledger and log
    run_id = _run_id(variant)
    log_path = project.state_dir / RUNS_DIR / f"{run_id}.log"
    log_rel = log_path.relative_to(project.path).as_posix()
    start = sessions.begin(
        project, variant, assistant=assistant.id, mode=sessions.MODE_RUN, by=by,
        extra={"run_id": run_id, "command": shown, "log": log_rel},
    )
    env = assistant_env(workspace, project, variant, start["session"])
    log_path.parent.mkdir(parents=True, exist_ok=True)
    out = _Output(bytearray(), threading.Lock())
    started = time.monotonic()
    timed_out = interrupted = False
    exit_code: int | None = None
    with open(log_path, "ab") as log:
        log.write(f"# sandbox run {run_id}: {' '.join(shown)} (in {root})\n".encode())
        log.flush()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=root,
                env=env,
                stdin=subprocess.PIPE if prompt_on_stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, killed as a whole
            )
        except OSError as exc:
            sessions.finish_run(project, variant, {"run_id": run_id, "command": shown, "log": log_rel,
                                                   "exit_code": None, "seconds": 0.0, "timed_out": False,
                                                   "error": exc.strerror or str(exc), "by": by})
            raise AssistantError(f"{assistant.name}: cannot start '{argv[0]}': {exc.strerror or exc}") from None
        with _running_lock:
            _running.add(proc.pid)
        pumps = [
            threading.Thread(target=_pump, args=(proc.stdout, log, out, True, variant, on_output), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, log, out, False, variant, on_output), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        try:
            if prompt_on_stdin and proc.stdin is not None:  # fed by a thread: an assistant that never
                # reads a prompt bigger than the pipe would otherwise block us before the timeout starts
                threading.Thread(target=_feed, args=(proc.stdin, task.encode("utf-8")), daemon=True).start()
            deadline = started + max(0.0, timeout)
            while True:
                try:
                    exit_code = proc.wait(timeout=max(0.0, min(0.2, deadline - time.monotonic())))
                    break
                except subprocess.TimeoutExpired:
                    pass
                if cancel is not None and cancel.is_set():
                    interrupted = True
                elif time.monotonic() >= deadline:
                    timed_out = True
                else:
                    continue
                _kill_group(proc.pid, signal.SIGTERM)
                try:
                    exit_code = proc.wait(timeout=KILL_GRACE)
                except subprocess.TimeoutExpired:
                    _kill_group(proc.pid, signal.SIGKILL)
                    exit_code = proc.wait()
                break
        except BaseException:
            interrupted = True
            _kill_group(proc.pid, signal.SIGKILL)
            exit_code = proc.wait()
            raise
        finally:
            seconds = round(time.monotonic() - started, 3)
            _kill_group(proc.pid, signal.SIGKILL)  # leftovers of the group must not hold our pipes
            with _running_lock:
                _running.discard(proc.pid)
            for pump in pumps:
                pump.join(timeout=5)
            with out.lock:
                stdout_text = out.stdout.decode("utf-8", "replace")
                note = "timed out and was stopped" if timed_out else "interrupted" if interrupted else "exited"
                try:
                    log.write(f"\n# {note}: exit code {exit_code} after {seconds:.1f} s\n".encode())
                except OSError:  # the run is still recorded in the ledger below
                    pass
            fields: dict[str, Any] = {
                "run_id": run_id,
                "command": shown,
                "log": log_rel,
                "exit_code": exit_code,
                "seconds": seconds,
                "timed_out": timed_out,
                "interrupted": True if interrupted else None,
                "result": parse_result(stdout_text, assistant.result_format) or None,
                "by": by,
            }
            event = sessions.finish_run(project, variant, fields)
    return event


def run_many(
    workspace: Any,
    project: Any,
    variants: list[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_output: OutputCallback | None = None,
    prompt: str | None = None,
    by: str | None = None,
) -> list[dict[str, Any] | SandboxError]:
    """Run several variants' assistants in parallel, one thread each; results in ``variants`` order.

    Every command is checked before any starts, so a missing program stops the batch up front.
    """
    project = _project(workspace, project)
    for variant in variants:
        sessions.check_variant(project, variant)
        headless_argv(workspace, project, variant, "")
    results: list[dict[str, Any] | SandboxError | None] = [None] * len(variants)
    cancel = threading.Event()
    # Completion is signalled by events, not Thread.join: on some CPython versions (3.11 included) a
    # join cut short by Ctrl-C marks the thread finished, and we would exit with assistants running.
    finished = [threading.Event() for _ in variants]

    def work(index: int, variant: str) -> None:
        try:
            results[index] = run_headless(workspace, project, variant, timeout=timeout, on_output=on_output,
                                          prompt=prompt, by=by, cancel=cancel)
        except SandboxError as exc:
            results[index] = exc
        except Exception as exc:  # noqa: BLE001 - one run's failure must not hide the others' results
            results[index] = SandboxError(f"the run of '{variant}' failed: {type(exc).__name__}: {exc}")
        finally:
            finished[index].set()

    threads = [threading.Thread(target=work, args=(i, v), daemon=True) for i, v in enumerate(variants)]
    try:
        for thread in threads:  # inside the try: an interrupt between two starts stops the first too
            thread.start()
        for done in finished:
            while not done.wait(timeout=0.2):
                pass
    except BaseException:  # Ctrl-C: stop every assistant and record the interrupted runs first
        cancel.set()
        deadline = time.monotonic() + KILL_GRACE + 10
        for thread, done in zip(threads, finished):
            if thread.ident is not None:
                done.wait(timeout=max(0.0, deadline - time.monotonic()))
        raise
    return [r if r is not None else SandboxError("the run did not finish") for r in results]
