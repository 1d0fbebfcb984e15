"""The ``sandbox`` command line: a thin shell over ``sandbox.workspace``, one module per command group."""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    """The command line, in process (tests and ``python -c`` call this; the ``sandbox`` command calls ``entry``)."""
    from sandbox.cli.main import main as run

    return run(argv)


def entry() -> NoReturn:
    """The ``sandbox`` command (and ``python -m sandbox``): ``main``, then the quickest clean exit.

    Why not a plain return: tearing the interpreter down (freeing every module and object, which
    the operating system takes back anyway) costs about 36 ms per command here, and it is paid by
    every ``sandbox run`` and by every edit hook an assistant calls in its turn. What an exit must
    do still happens, in the interpreter's own order: threads that are not daemons are waited for,
    the exit functions run (no assistant outlives the sandbox, temporary folders are removed) and
    the standard streams are flushed. An error the command did not catch takes
    the usual way out, traceback and all.
    """
    try:
        code = main()
    except SystemExit as exc:  # argparse: --help, a usage error
        code = _exit_code(exc.code)
    threading._shutdown()  # type: ignore[attr-defined]  # as the interpreter's own exit: threads first,
    atexit._run_exitfuncs()  # then the exit functions
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # `sandbox log | head`: the reader left, which is no error
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):
            pass
    os._exit(code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
