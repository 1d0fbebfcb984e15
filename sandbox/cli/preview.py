"""``sandbox preview SLUG``: serve a project's variants and reload the browser on every save.

Prints the URL of each preview, opens the browser unless ``--no-browser``, then one line per thing
done (time, files, action, duration, browsers told) until Ctrl+C, which shuts everything down
cleanly. Only the LiveProject machinery is imported when the command runs, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from sandbox.cli.common import add_command, user, workspace_from

if TYPE_CHECKING:
    from sandbox.live.loop import LiveEvent, LiveProject

SignalHandler = Callable[[int, FrameType | None], object]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``preview`` subcommand to the ``sandbox`` parser."""
    p = add_command(
        sub, "preview", "serve a project's prototypes and reload the browser whenever a file is saved", cmd_preview
    )
    p.add_argument("slug", help="the project to preview ('sandbox list' shows them)")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--variant", "-v", metavar="ID", help="the variant (assistant id) to preview (default: the first)"
    )
    which.add_argument("--all", action="store_true", help="preview every variant, one port each")
    p.add_argument("--port", type=int, default=0, metavar="N",
                   help="port for the (first) preview; --all uses N, N+1, ... (default: any free port)")
    p.add_argument("--no-browser", action="store_true", help="print the URLs but do not open a browser")


def _pick_variants(live: LiveProject, args: argparse.Namespace) -> list[str]:
    from sandbox.core.errors import SandboxError

    available = live.project.variant_ids()
    if not available:
        raise SandboxError(f"project '{args.slug}' has no variants yet; run 'sandbox render {args.slug}'")
    if args.all:
        return available
    if args.variant:
        if args.variant not in available:
            raise SandboxError(
                f"project '{args.slug}' has no variant '{args.variant}' (variants: {', '.join(available)})"
            )
        return [args.variant]
    try:
        ordered = [a for a in live.project.load_spec().assistants if a in available]
    except SandboxError:
        ordered = []
    return [(ordered or available)[0]]


def format_event(event: LiveEvent) -> str | None:
    """One line per thing done: time, who, files and action, how long, how many browsers told.

    A variant's ``batch`` is left out: the ``reload``/``css`` line that follows says the same and
    more; batches of variants nobody previews stay quiet."""
    if event.kind == "batch" and event.variant is not None:
        return None
    stamp = time.strftime("%H:%M:%S", time.localtime(event.at))
    if event.kind in ("watch_lost", "watch_resumed"):  # about the folder: no file, no timing
        return f"{stamp}  {'project':<12} {'warning: ' if event.kind == 'watch_lost' else ''}{event.message}"
    who = event.variant or "project.yaml" if event.kind != "batch" else "project"
    told = ""
    if event.clients is not None:
        told = f", {event.clients} browser{'' if event.clients == 1 else 's'} told"
    took = "" if event.kind == "conflict" else f" ({event.seconds * 1000:.0f} ms{told})"
    text = f"error: {event.message}" if event.kind == "spec_error" else event.message
    return f"{stamp}  {who:<12} {text}{took}"


def cmd_preview(args: argparse.Namespace) -> int:
    from sandbox.core.errors import SandboxError

    ws = workspace_from(args)
    if not 0 <= args.port <= 65535:
        raise SandboxError(f"--port {args.port} is not a port number (1-65535, or 0 for any free port)")

    def show(event: LiveEvent) -> None:
        line = format_event(event)
        if line:
            print(line, flush=True)

    live = ws.live_project(args.slug, on_event=show, by=user())
    stop = threading.Event()
    previous = _on_signals(lambda *_: stop.set())
    try:
        variants = _pick_variants(live, args)
        if args.port and args.port + len(variants) - 1 > 65535:
            raise SandboxError(
                f"--all needs {len(variants)} ports from {args.port}, past the last one (65535); "
                "choose a lower --port or leave it out"
            )
        live.start()
        if live.warning:
            print(f"note: {live.warning}", file=sys.stderr, flush=True)
        urls = []
        for index, variant in enumerate(variants):
            port = args.port + index if args.port else 0
            url = live.start_preview(variant, port=port)
            urls.append(url)
            print(f"{variant:<12} {url}", flush=True)
        print("Watching for changes; press Ctrl+C to stop.", flush=True)
        if not args.no_browser:
            _open_browser(urls)
        while not stop.wait(0.5):
            pass
    finally:
        live.stop()
        _restore_signals(previous)
    print("Stopped.", flush=True)
    return 0


def _on_signals(handler: SignalHandler) -> dict[int, signal._HANDLER]:
    """Ctrl+C and a plain kill both end the preview cleanly (exit 0), never with a traceback."""
    previous: dict[int, signal._HANDLER] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError):  # not the main thread (embedded use): leave signals alone
            previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signals(previous: dict[int, signal._HANDLER]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _open_browser(urls: list[str]) -> None:
    import webbrowser

    for url in urls:
        with contextlib.suppress(Exception):  # no browser is fine: the URL is printed
            webbrowser.open(url, new=2)
