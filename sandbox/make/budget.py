"""Run untrusted work (rendering a template) in a child process that cannot outgrow its budget.

Why a process: Jinja2's sandbox stops a template from reaching Python internals, not from asking
for ``10**(10**10)``, ``"{:>999999999}".format(1)`` or a billion loop turns. Each of those is one
long call in C that no check inside the same process can interrupt. A forked child is cheap (the
parent's imported modules come along), and from outside it the budget holds whatever the template
does: the parent kills it at the wall-time limit, the kernel refuses its memory beyond the limit
(``RLIMIT_AS``), its CPU time is capped (a backstop should the parent die), it may not write any
file (``RLIMIT_FSIZE`` 0), and the parent stops reading, and kills it, once its output passes the
size limit. The child speaks in frames over a pipe, never in pickles: the parent must not run
anything a child sends.

Where ``os.fork`` does not exist (Windows), the work runs in this process and only the output
size is enforced; ``ISOLATED`` tells callers and tests which it is.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import selectors
import signal
import struct
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.core.settings import Settings

ISOLATED = hasattr(os, "fork")
if ISOLATED:
    import resource  # imported here, not in the child: a forked child should import nothing
_FRAME = struct.Struct(">II")  # header length, payload length
MAX_HEADER = 1 << 16
EXIT_MEMORY = 3  # the child ran out of memory and could not even say so

# Python 3.12+ warns that fork() in a threaded process may deadlock the child. The child here only
# runs Jinja2 on objects it creates itself, and a stuck child is killed at the time limit anyway.
warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks.*", category=DeprecationWarning)


@dataclass(frozen=True)
class Budget:
    """What one render may use: wall time, memory beyond what the process already had, output."""

    seconds: float = 10.0
    memory_mb: int = 512
    output_mb: int = 50

    @property
    def output_bytes(self) -> int:
        return self.output_mb * 1024 * 1024


# sandbox.yaml's ``render_budget`` keys, each with the largest value it may take.
BUDGET_KEYS = {"seconds": 3600, "memory_mb": 64 * 1024, "output_mb": 10 * 1024}


def budget_from_settings(settings: Settings) -> Budget:
    """The workspace's budget: ``render_budget: {seconds: 10, memory_mb: 512, output_mb: 50}``.

    A workspace with large templates raises it; every key is optional (the defaults above).
    """
    raw = settings.section("render_budget", dict, {})
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in BUDGET_KEYS:
            raise settings.error(
                f"unknown key '{key}' in render_budget (known: {', '.join(BUDGET_KEYS)})", "render_budget", str(key)
            )
        number = value if type(value) in (int, float) else None
        if number is None or not 0 < number <= BUDGET_KEYS[key] or (key != "seconds" and type(value) is not int):
            kind = "a number of seconds" if key == "seconds" else "a whole number of megabytes"
            raise settings.error(
                f"render_budget.{key} must be {kind} above 0 and at most {BUDGET_KEYS[key]:,}", "render_budget", key
            )
        values[key] = float(number) if key == "seconds" else int(number)
    return Budget(**values)


class BudgetExceeded(Exception):  # an outcome the caller words for the user, not a bug
    """The child went over ``what`` ("time", "memory", "output") or died (``what`` "crash")."""

    def __init__(self, what: str, detail: str = "") -> None:
        super().__init__(f"{what} {detail}".strip())
        self.what = what
        self.detail = detail


class Channel:
    """The child's side of the pipe: ``send(kind, header, payload)`` writes one frame."""

    def __init__(self, fd: int | None, sink: Callable[[str, dict[str, Any], bytes], None] | None = None) -> None:
        self._fd = fd
        self._sink = sink

    def send(self, kind: str, header: dict[str, Any] | None = None, payload: bytes = b"") -> None:
        if self._sink is not None:  # in-process fallback: hand the frame straight over
            self._sink(kind, dict(header or {}), payload)
            return
        assert self._fd is not None
        head = json.dumps({"kind": kind, **(header or {})}, ensure_ascii=True).encode("ascii")
        data = _FRAME.pack(len(head), len(payload)) + head + payload
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]


Receiver = Callable[[str, dict[str, Any], bytes], None]
"""Called in the parent for each frame; raise to stop the child (it is killed) and pass the error on."""


def run(work: Callable[[Channel], None], budget: Budget, receive: Receiver) -> None:
    """Run ``work(channel)`` in a child within ``budget``; every frame it sends goes to ``receive``.

    Returns when ``work`` returned. Raises ``BudgetExceeded`` when a limit was reached or the child
    died, and whatever ``receive`` raised. ``work`` reports its own failures as frames.
    """
    if not ISOLATED:  # pragma: no cover - Windows: no fork, no rlimits
        _run_here(work, budget, receive)
        return
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(work, budget, read_fd, write_fd)
    os.close(write_fd)
    try:
        _parent(pid, read_fd, budget, receive)
    finally:
        os.close(read_fd)
        _reap(pid)


def _run_here(work: Callable[[Channel], None], budget: Budget, receive: Receiver) -> None:
    total = 0

    def sink(kind: str, header: dict[str, Any], payload: bytes) -> None:
        nonlocal total
        total += len(payload)
        if total > budget.output_bytes:
            raise BudgetExceeded("output")
        receive(kind, header, payload)

    work(Channel(None, sink))


def _child(work: Callable[[Channel], None], budget: Budget, read_fd: int, write_fd: int) -> None:
    """Limit this process, run ``work``, exit without running the parent's exit handlers."""
    code = 0
    try:
        # Keep only the pipe and the standard streams: another render's pipe inherited here would
        # hide that render's end from its parent until this child exits.
        os.close(read_fd)
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, max(write_fd + 2, resource.getrlimit(resource.RLIMIT_NOFILE)[0]))
        _limit_self(budget)
        work(Channel(write_fd))
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException:  # noqa: BLE001 - whatever happens, the child must exit here and now
        code = 1
    os._exit(code)


def _limit_self(budget: Budget) -> None:
    """The kernel's limits for this child (each best effort: not every system has every limit)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which kills us
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused file write fails instead of killing
    cpu = math.ceil(budget.seconds) + 2  # the parent kills us first; this holds if it died
    limits = [
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, 0),
        (resource.RLIMIT_CORE, 0),
    ]
    mapped = _address_space()
    if mapped is not None:
        limits.append((resource.RLIMIT_AS, mapped + budget.memory_mb * 1024 * 1024))
    for limit, value in limits:
        with contextlib.suppress(ValueError, OSError):
            _, hard = resource.getrlimit(limit)
            resource.setrlimit(limit, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def _address_space() -> int | None:
    """Bytes of address space this process maps now (Linux), so the memory limit is on top of it."""
    try:
        with open("/proc/self/statm", "rb") as handle:  # noqa: PTH123 - one read of a kernel file
            pages = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _parent(pid: int, fd: int, budget: Budget, receive: Receiver) -> None:
    """Read frames until the child is done, enforcing the time and output limits."""
    deadline = time.monotonic() + budget.seconds
    buffer = bytearray()
    total = 0
    done = False
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while not done:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill(pid)
                raise BudgetExceeded("time")
            if not selector.select(left):
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _died(pid)
            buffer += chunk
            while len(buffer) >= _FRAME.size:
                head_size, payload_size = _FRAME.unpack_from(buffer)
                if head_size > MAX_HEADER or total + payload_size > budget.output_bytes:
                    _kill(pid)
                    raise BudgetExceeded("output" if head_size <= MAX_HEADER else "crash", "a malformed frame")
                end = _FRAME.size + head_size + payload_size
                if len(buffer) < end:
                    break
                header = json.loads(bytes(buffer[_FRAME.size: _FRAME.size + head_size]))
                payload = bytes(buffer[_FRAME.size + head_size: end])
                del buffer[:end]
                total += payload_size
                kind = str(header.pop("kind", ""))
                if kind == "done":
                    done = True
                    break
                try:
                    receive(kind, header, payload)
                except BaseException:
                    _kill(pid)
                    raise


def _died(pid: int) -> BudgetExceeded:
    """The pipe closed before "done": find out how the child ended."""
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_MEMORY:
        return BudgetExceeded("memory")
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == signal.SIGXCPU:
            return BudgetExceeded("time")
        if number in (signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            return BudgetExceeded("memory", f"(stopped by signal {number})")
        return BudgetExceeded("crash", f"(stopped by signal {number})")
    return BudgetExceeded("crash", f"(exit code {os.WEXITSTATUS(status)})")


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(pid: int) -> None:
    """Collect the child (killing it first if it is still there) so no zombie stays behind."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return
    if done == 0:
        _kill(pid)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
