"""Headless runs: an assistant working on its brief by itself, supervised until it ends, times out or is stopped.

Why process groups: an assistant CLI starts helpers (node, shells, language servers). On timeout
the whole group is killed (SIGTERM, then SIGKILL after a grace period), so nothing keeps running or
keeps our pipes open; what the assistant already wrote stays and is recorded.

Each headless run is wrapped in a run-mode open state (``sandbox.assistants.sessions``): the variant is
snapshotted before, diffed after, change batches and edit hooks during the run are attributed to
it, and a run whose sandbox process died is closed later as interrupted. What to start (commands,
placeholders, environment, the brief-fairness check) is ``sandbox.assistants.launch``; what the
output says, ``sandbox.assistants.formats`` (``formats.run_event`` builds the closing fields).

The ``run`` ledger event: variant, assistant, session, run_id, command (list, prompt shown as
``{prompt}``), exit_code (int; negative: killed by that signal; absent when the run was interrupted
before it was known), seconds (wall time, float), timed_out (bool), interrupted (bool, only when
true), log (path of
``.sandbox/runs/<run_id>.log`` relative to the project), files_added/changed/deleted,
lines_added, lines_removed, and the fields every assistant shares (docs/EVENTS.md): ok, failure,
reason, cli, cli_version, models, api_seconds, turns, tokens, cost, tools, brief_sha256,
brief_override, telemetry, attribution/hook_silent, and ``result`` (the raw summary).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sandbox.assistants import confine, formats, sessions
from sandbox.assistants.formats.run_event import closing_fields
from sandbox.assistants.launch import (
    assistant_for,
    check_fairness,
    default_prompt,
    headless_argv,
    plan_run,
    resolve_project,
    run_env,
    run_files_dir,
)
from sandbox.core.errors import AssistantError, SandboxError
from sandbox.core.ledger import Event

if TYPE_CHECKING:
    from sandbox.workspace import Project, Workspace

RUNS_DIR = "runs"
DEFAULT_TIMEOUT = 900.0
KILL_GRACE = 3.0
POLL_SECONDS = 0.2  # how often a supervisor looks at the timeout, a cancel and a stop request
MAX_KEPT_OUTPUT = 4 << 20  # stdout's last bytes kept in memory to parse the result; the log has all
MAX_KEPT_ERRORS = 64 << 10  # stderr's last bytes: where a CLI says it is not signed in
# An output line is read in pieces of at most this many bytes: one 50 MB line never sits in memory whole
MAX_LINE_PIECE = 1 << 20
MAX_ECHOED = 2000  # characters of one output line shown live; the log keeps all of it

OutputCallback = Callable[[str, str], None]  # (variant, line)


def _kill_group(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


_running: set[int] = set()  # process groups of assistants being supervised right now
_running_lock = threading.Lock()  # held while an assistant starts, so none starts unseen
_exiting = False  # set at exit: from then on no assistant starts


@atexit.register
def _stop_running_at_exit() -> None:
    """No assistant outlives the sandbox.

    Runs are supervised by daemon threads (a TUI worker, ``run_many``); when the program exits
    those are frozen mid-run, and an assistant in its own process group would run on with no
    timeout. Its open state stays and is closed later as an interrupted run. A thread that was
    about to start an assistant finds ``_exiting`` set and starts none.
    """
    global _exiting
    with _running_lock:
        _exiting = True
        groups = list(_running)
    for group in groups:
        _kill_group(group, signal.SIGKILL)


def _start(
    argv: list[str], root: Path, env: Mapping[str, str], *, stdin_pipe: bool, cancel: threading.Event | None
) -> subprocess.Popen[bytes] | None:
    """Start the assistant in its own process group, or None when a stop or the program's exit came first."""
    with _running_lock:
        if _exiting or (cancel is not None and cancel.is_set()):
            return None
        proc = subprocess.Popen(
            argv,
            cwd=root,
            env=env,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, killed as a whole
        )
        _running.add(proc.pid)
    return proc


@dataclass
class _Output:
    stdout: bytearray
    lock: threading.Lock
    stderr: bytearray | None = None


def _pump(
    stream: IO[bytes], log: IO[bytes], out: _Output, keep: bool, variant: str, on_output: OutputCallback | None
) -> None:
    kept, limit = (out.stdout, MAX_KEPT_OUTPUT) if keep else (out.stderr, MAX_KEPT_ERRORS)
    continued = False  # the piece read last did not end its line
    for raw in iter(lambda: stream.readline(MAX_LINE_PIECE), b""):
        with out.lock:
            try:
                log.write(raw)
                log.flush()
            except ValueError:  # the run is over (log closed) but a helper that escaped its group writes on
                break
            except OSError:  # a full disk loses log lines, never the run: keep draining the pipe
                pass
            if kept is not None:  # the tail: a stream-json result comes last, after megabytes of progress
                kept.extend(raw)
                if len(kept) > limit:
                    del kept[: len(kept) - limit]
        if on_output is not None and not continued:  # a long line is echoed once, cut
            with contextlib.suppress(Exception):  # a display callback must not break the run
                on_output(variant, _echoed(raw))
        continued = not raw.endswith(b"\n")
    stream.close()


def _echoed(raw: bytes) -> str:
    """One output line as the live echo shows it: text, at most ``MAX_ECHOED`` characters."""
    line = raw[: MAX_ECHOED * 4].decode("utf-8", "replace").rstrip("\n")
    return line if len(line) <= MAX_ECHOED and raw.endswith(b"\n") else line[:MAX_ECHOED] + " …"


def _feed(stdin: IO[bytes], data: bytes) -> None:
    """Write the prompt to the assistant's stdin and close it (it may exit, or be killed, first)."""
    try:
        stdin.write(data)
        stdin.close()
    except (OSError, ValueError):
        pass


def _run_id(variant: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{variant}-{os.urandom(2).hex()}"


def _note(log: IO[bytes], text: str) -> None:
    with contextlib.suppress(OSError):  # the run is still recorded in the ledger
        log.write(f"\n# {text}\n".encode())


def _stop_group(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM to the assistant's group, SIGKILL after the grace period; its exit code."""
    _kill_group(proc.pid, signal.SIGTERM)
    try:
        return proc.wait(timeout=KILL_GRACE)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid, signal.SIGKILL)
        return proc.wait()


def _exit_watch(proc: subprocess.Popen[bytes]) -> int | None:
    """A descriptor that becomes readable the moment the assistant exits (Linux's pidfd), or None.

    Why: ``Popen.wait(timeout=...)`` polls, sleeping up to 50 ms between looks, and every run's
    end would wait that long to be noticed; a pidfd wakes the supervisor at once.
    """
    opener = getattr(os, "pidfd_open", None)
    if opener is None or proc.returncode is not None:
        return None
    try:
        fd: int = opener(proc.pid)
    except OSError:  # an old kernel, or a process already reaped
        return None
    return fd


def _wait(proc: subprocess.Popen[bytes], deadline: float, cancel: threading.Event | None) -> tuple[int, bool, bool]:
    """(exit code, timed out, interrupted): wait for the assistant, stopping it at the deadline or on cancel."""
    watch = _exit_watch(proc)
    try:
        while True:
            timeout = max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))
            if watch is not None:
                if select.select([watch], [], [], timeout)[0]:
                    return proc.wait(), False, False
            else:
                try:
                    return proc.wait(timeout=timeout), False, False
                except subprocess.TimeoutExpired:
                    pass
            if cancel is not None and cancel.is_set():
                return _stop_group(proc), False, True
            if time.monotonic() >= deadline:
                return _stop_group(proc), True, False
    finally:
        if watch is not None:
            os.close(watch)


def run_headless(
    workspace: Workspace,
    project: Project | str,
    variant: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_output: OutputCallback | None = None,
    prompt: str | None = None,
    by: str | None = None,
    cancel: threading.Event | None = None,
    allow_instructions: bool = False,
    telemetry: bool | None = None,
) -> Event:
    """Run ``variant``'s assistant headless in its folder and append the ``run`` event (returned).

    Problems found before starting (unknown variant, missing program, a session already open, an
    instruction file above the variant without ``allow_instructions``) raise a SandboxError;
    anything after is recorded in the event (exit code, timeout, interruption, the reason).
    Setting ``cancel`` stops the assistant (its whole process group) and records an interrupted
    run; set before the assistant started, it starts none (and records that run as interrupted).
    """
    project = resolve_project(workspace, project)
    root = sessions.check_variant(project, variant)
    assistant = assistant_for(workspace, variant)
    task = prompt.strip() if prompt and prompt.strip() else default_prompt(assistant, project)
    run_id = _run_id(variant)
    plan = plan_run(workspace, project, variant, task, run_id, allow_instructions=allow_instructions,
                    telemetry=telemetry)
    argv, prompt_on_stdin, shown = plan.argv, plan.prompt_on_stdin, plan.shown
    log_path = project.state_dir / RUNS_DIR / f"{run_id}.log"
    fields: dict[str, Any] = {"run_id": run_id, "command": shown, "log": log_path.relative_to(project.path).as_posix(),
                              **{k: v for k, v in plan.fields.items() if v is not None}}
    mode = confine.mode_for(workspace)
    start = sessions.begin(project, variant, assistant=assistant.id, mode=sessions.MODE_RUN, by=by, extra=fields,
                           confinement=mode)
    outputs = (run_files_dir(project, run_id),) if plan.usage_file or plan.telemetry_file else ()
    jail = confine.jail_for(workspace, project, variant, assistant.id, start["session"], mode, outputs=outputs)
    env = jail.environment(run_env(workspace, project, variant, start["session"], plan))
    on_output = formats.echo_filter(assistant.result_format, on_output, root)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log_path.open("ab") as log:
        log.write(f"# sandbox run {run_id}: {' '.join(shown)} (in {root})\n".encode())
        log.write(f"# {mode.notice() or 'confined by ' + str(mode.mechanism)}\n".encode())
        log.flush()
        try:
            proc = _start(jail.command(argv), root, env, stdin_pipe=prompt_on_stdin, cancel=cancel)
        except OSError as exc:
            sessions.finish_run(project, variant, {**fields, "exit_code": None, "seconds": 0.0, "timed_out": False,
                                                   "ok": False, "failure": "crashed",
                                                   "reason": f"cannot start '{argv[0]}': {exc.strerror or exc}",
                                                   "error": exc.strerror or str(exc), "by": by},
                                hook_capable=assistant.edit_hook)
            raise AssistantError(f"{assistant.name}: cannot start '{argv[0]}': {exc.strerror or exc}") from None
        if proc is None:
            _note(log, "stopped before it started")
            return sessions.finish_run(project, variant, {**fields, "exit_code": None, "seconds": 0.0,
                                                          "timed_out": False, "interrupted": True, "ok": False,
                                                          "failure": "interrupted", "reason": "interrupted",
                                                          "by": by}, hook_capable=assistant.edit_hook)
        outcome = _supervise(proc, log, task if prompt_on_stdin else None, started, started + max(0.0, timeout),
                             cancel, variant, on_output)
        outcome.exit_code = jail.exit_code(outcome.exit_code)
        return sessions.finish_run(project, variant, {
            **fields,
            "exit_code": outcome.exit_code,
            "seconds": outcome.seconds,
            "timed_out": outcome.timed_out,
            "interrupted": True if outcome.interrupted else None,
            **closing_fields(plan, run_id=run_id, stdout=outcome.stdout, stderr=outcome.stderr,
                             exit_code=outcome.exit_code, timed_out=outcome.timed_out,
                             interrupted=outcome.interrupted, timeout=timeout, variant_root=root),
            "by": by,
        }, hook_capable=assistant.edit_hook)


@dataclass
class _Outcome:
    exit_code: int | None = None
    timed_out: bool = False
    interrupted: bool = False
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""


def _supervise(
    proc: subprocess.Popen[bytes],
    log: IO[bytes],
    stdin_text: str | None,
    started: float,
    deadline: float,
    cancel: threading.Event | None,
    variant: str,
    on_output: OutputCallback | None,
) -> _Outcome:
    """Drain the assistant's output into the log until it ends or is stopped; what happened.

    ``started`` is when the run began (``time.monotonic()``), for its seconds. An exception here
    (the program is going down) kills the group first and is raised on.
    """
    outcome = _Outcome()
    out = _Output(bytearray(), threading.Lock(), bytearray())
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, log, out, True, variant, on_output), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, log, out, False, variant, on_output), daemon=True),
    ]
    for pump in pumps:
        pump.start()
    try:
        if stdin_text is not None and proc.stdin is not None:  # fed by a thread: an assistant that never
            # reads a prompt bigger than the pipe would otherwise block us before the timeout starts
            threading.Thread(target=_feed, args=(proc.stdin, stdin_text.encode("utf-8")), daemon=True).start()
        outcome.exit_code, outcome.timed_out, outcome.interrupted = _wait(proc, deadline, cancel)
    except BaseException:
        outcome.interrupted = True
        _kill_group(proc.pid, signal.SIGKILL)
        outcome.exit_code = proc.wait()
        raise
    finally:
        outcome.seconds = round(time.monotonic() - started, 3)
        _kill_group(proc.pid, signal.SIGKILL)  # leftovers of the group must not hold our pipes
        with _running_lock:
            _running.discard(proc.pid)
        for pump in pumps:
            pump.join(timeout=5)
        with out.lock:
            outcome.stdout = out.stdout.decode("utf-8", "replace")
            outcome.stderr = (out.stderr or b"").decode("utf-8", "replace")
            what = "timed out and was stopped" if outcome.timed_out else (
                "interrupted" if outcome.interrupted else "exited")
            _note(log, f"{what}: exit code {outcome.exit_code} after {outcome.seconds:.1f} s")
    return outcome


def run_many(
    workspace: Workspace,
    project: Project | str,
    variants: list[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_output: OutputCallback | None = None,
    prompt: str | None = None,
    by: str | None = None,
    stop_requested: Callable[[], bool] | None = None,
    allow_instructions: bool = False,
    telemetry: bool | None = None,
) -> list[Event | SandboxError]:
    """Run several variants' assistants in parallel, one thread each; results in ``variants`` order.

    Every command is checked before any starts, so a missing program stops the batch up front.
    ``stop_requested`` is asked every ``POLL_SECONDS``: once it says yes, every assistant is stopped
    and its run recorded as interrupted, and the results come back as usual. Called in the main
    thread, prefer it to a KeyboardInterrupt (``sandbox.assistants.signals`` says why); one still
    stops every run before it is raised on.
    """
    project = resolve_project(workspace, project)
    for variant in variants:
        sessions.check_variant(project, variant)
        headless_argv(workspace, project, variant, "")
        check_fairness(project, variant, assistant_for(workspace, variant), allow=allow_instructions)
    confine.mode_for(workspace)  # 'confinement: required' without a mechanism stops the batch up front
    sessions.close_stale_runs(project)
    results: list[Event | SandboxError | None] = [None] * len(variants)
    cancel = threading.Event()
    # Completion is signalled by events, not Thread.join: on some CPython versions (3.11 included) a
    # join cut short by Ctrl-C marks the thread finished, and we would exit with assistants running.
    finished = [threading.Event() for _ in variants]

    def work(index: int, variant: str) -> None:
        try:
            results[index] = run_headless(workspace, project, variant, timeout=timeout, on_output=on_output,
                                          prompt=prompt, by=by, cancel=cancel,
                                          allow_instructions=allow_instructions, telemetry=telemetry)
        except SandboxError as exc:
            results[index] = exc
        except Exception as exc:  # noqa: BLE001 - one run's failure must not hide the others' results
            results[index] = SandboxError(f"the run of '{variant}' failed: {type(exc).__name__}: {exc}")
        finally:
            finished[index].set()

    def stopping() -> bool:
        return stop_requested is not None and stop_requested()

    threads = [threading.Thread(target=work, args=(i, v), daemon=True) for i, v in enumerate(variants)]

    def started() -> list[threading.Event]:
        return [done for thread, done in zip(threads, finished, strict=True) if thread.ident is not None]

    try:
        for thread in threads:  # inside the try: an interrupt between two starts stops the first too
            if stopping():
                break
            thread.start()
        pending = started()
        while pending and not stopping():
            pending[0].wait(timeout=POLL_SECONDS)
            pending = [done for done in pending if not done.is_set()]
        if pending:
            _cancel_and_wait(cancel, pending)
    except BaseException:  # Ctrl-C: stop every assistant and record the interrupted runs first
        _cancel_and_wait(cancel, started())
        raise
    return [
        r if r is not None else SandboxError(
            "the run did not finish" if thread.ident is not None else f"the run of '{v}' was stopped before it started"
        )
        for r, v, thread in zip(results, variants, threads, strict=True)
    ]


def _cancel_and_wait(cancel: threading.Event, finished: list[threading.Event]) -> None:
    """Tell every run to stop, then give them the grace period and some to record their runs."""
    cancel.set()
    deadline = time.monotonic() + KILL_GRACE + 10
    for done in finished:
        done.wait(timeout=max(0.0, deadline - time.monotonic()))
