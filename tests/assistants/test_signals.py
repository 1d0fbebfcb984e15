"""A stop signal at any moment stops every run and lets ``sandbox run`` exit; an ignored signal stays ignored."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from sandbox.assistants.signals import StopRequest, handling_signals, stop_on_signals
from sandbox.workspace import Workspace
from tests.support.fake_assistant import configure, fake

# Run in a child process so a hang is a failed test, not a stuck suite. The runs themselves are
# stand-ins that work until they are cancelled (hundreds of real assistants would take minutes);
# everything else is the real run_many and the real signal handling of ``sandbox run``.
STORM = textwrap.dedent("""
    import os, random, signal, sys, threading, time
    from pathlib import Path
    from sandbox.assistants import runs
    from sandbox.assistants.signals import stop_on_signals
    from sandbox.core.errors import SandboxError
    from sandbox.workspace import Workspace

    def until_cancelled(workspace, project, variant, *, cancel, **_):
        while not cancel.wait(0.001):
            pass
        return {"kind": "run", "variant": variant, "interrupted": True}

    runs.run_headless = until_cancelled
    runs.POLL_SECONDS = 0  # the waiting loop spins through threading's code: the signal can land anywhere in it
    ws = Workspace(Path(sys.argv[1]))
    rounds, progress = int(sys.argv[2]), [0]

    def watchdog():
        last, since = -1, time.monotonic()
        while True:
            time.sleep(0.5)
            if progress[0] != last:
                last, since = progress[0], time.monotonic()
            elif time.monotonic() - since > 30:
                print(f"round {last} did not end within 30 s of its signal", flush=True)
                os._exit(3)

    threading.Thread(target=watchdog, daemon=True).start()
    me = os.getpid()
    for n in range(rounds):
        with stop_on_signals() as stop:
            threading.Timer(random.uniform(0, 0.01), os.kill, (me, signal.SIGHUP)).start()
            results = runs.run_many(ws, "expense-approvals", ["claude-code", "copilot"], stop_requested=stop.requested)
            while not stop.requested():  # the runs stop only on the signal: it has come, or comes now
                time.sleep(0.001)
        assert stop.signal == signal.SIGHUP
        for r in results:
            assert (isinstance(r, dict) and r["interrupted"]) or "stopped before it started" in str(r), r
        progress[0] = n + 1
    print(f"{rounds} rounds stopped cleanly", flush=True)
""")


def test_a_stop_signal_landing_anywhere_in_the_waiting_loop_never_hangs(ws: Workspace) -> None:
    """The SIGHUP flake: a KeyboardInterrupt raised by the handler could land inside threading's own
    code and leave an Event's lock taken, so ``sandbox run`` waited for ever. Now the handler only
    takes note; whatever moment the signal comes, every round ends."""
    ws.new_project("Expense approvals", "mini", idea="Approve on the go")
    configure(ws.root, {"copilot": {"headless": fake("--hang")}, "claude-code": {"headless": fake("--hang")}})
    proc = subprocess.run([sys.executable, "-c", STORM, str(ws.root), "300"], capture_output=True, text=True,
                          timeout=240)
    assert proc.returncode == 0 and "300 rounds stopped cleanly" in proc.stdout, proc.stdout + proc.stderr


def test_the_stop_handler_takes_note_of_the_first_signal_only() -> None:
    request = StopRequest()
    assert not request.requested()
    request(signal.SIGHUP, None)
    request(signal.SIGINT, None)
    assert request.requested() and request.signal == signal.SIGHUP


def test_signals_are_handled_inside_and_restored_after() -> None:
    before = signal.getsignal(signal.SIGUSR1)
    with stop_on_signals((signal.SIGUSR1,)) as stop:
        signal.raise_signal(signal.SIGUSR1)
        assert stop.requested()
    assert signal.getsignal(signal.SIGUSR1) is before


def test_a_signal_ignored_on_purpose_stays_ignored() -> None:
    """``nohup sandbox run`` ignores SIGHUP: the sandbox must not take it back."""
    previous = signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    try:
        with handling_signals({signal.SIGUSR2: lambda *_: None}):
            assert signal.getsignal(signal.SIGUSR2) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGUSR2) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGUSR2, previous)
