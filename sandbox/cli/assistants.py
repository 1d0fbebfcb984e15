"""``sandbox session start|end|list``, ``open``, ``run`` and ``log-edit``: the assistants at work.

Thin on purpose: the work is in ``sandbox.assistants.sessions``, ``sandbox.assistants.runs`` and
``sandbox.assistants.hooks``, so the TUI can call the same functions.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from sandbox.cli.common import add_command, print_json, user, workspace_from
from sandbox.core.errors import SandboxError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    session = add_command(
        sub, "session", "start or end a span in which one assistant works on one variant", cmd_session
    )
    actions = session.add_subparsers(dest="session_action", metavar="ACTION", parser_class=type(session))
    actions.required = True
    start = actions.add_parser("start", help="snapshot a variant and start attributing its changes")
    start.add_argument("slug")
    start.add_argument("--variant", "-v", required=True, metavar="ID", help="the variant (assistant id)")
    start.add_argument("--assistant", "-a", metavar="ID", help="who works on it (default: the variant's assistant)")
    _add_allow_instructions(start)
    start.add_argument("--json", action="store_true", help="print JSON for other tools")
    end = actions.add_parser("end", help="end the open session and record what changed")
    end.add_argument("slug")
    end.add_argument("--variant", "-v", required=True, metavar="ID")
    end.add_argument("--score", type=int, metavar="1-5", help="a quick rating of the result")
    end.add_argument("--note", help="a short note about the session")
    end.add_argument("--json", action="store_true", help="print JSON for other tools")
    listing = actions.add_parser("list", help="list open sessions (they survive crashes and reboots)")
    listing.add_argument("slug", nargs="?", help="one project (default: all)")
    listing.add_argument("--json", action="store_true", help="print JSON for other tools")

    open_ = add_command(
        sub, "open", "open a variant in its assistant (the terminal is handed over), inside a session", cmd_open
    )
    open_.add_argument("slug")
    open_.add_argument("--variant", "-v", required=True, metavar="ID")
    open_.add_argument("--score", type=int, metavar="1-5", help="rating recorded when the session ends")
    open_.add_argument("--note", help="note recorded when the session ends")
    _add_allow_instructions(open_)

    run = add_command(
        sub, "run", "run assistants headless on their brief, in parallel, and record what they did", cmd_run,
        listing=True,
    )
    run.add_argument("slug")
    target = run.add_mutually_exclusive_group(required=True)
    target.add_argument("--variant", "-v", action="append", metavar="ID", help="a variant to run (repeatable)")
    target.add_argument("--all", action="store_true", help="every variant of the project, in parallel")
    run.add_argument("--timeout", type=float, default=None, metavar="S",
                     help="stop an assistant after S seconds (default: 900)")
    run.add_argument("--prompt", help="the task (default: read the brief and build what it describes)")
    run.add_argument("--quiet", "-q", action="store_true", help="do not echo the assistants' output")
    _add_allow_instructions(run)
    run.add_argument("--telemetry", action="store_true", default=None,
                     help="capture the CLIs' own telemetry (tokens, cost, tool decisions; never content) "
                          "into the run event (default: sandbox.yaml's 'telemetry')")

    log_edit = add_command(
        sub, "log-edit", "record one file edit made by an assistant (called by its edit hook)", cmd_log_edit
    )
    log_edit.add_argument("slug", nargs="?", help="project (default: found from the file's folder)")
    log_edit.add_argument("--variant", "-v", metavar="ID")
    log_edit.add_argument("--file", metavar="PATH", help="the edited file")
    log_edit.add_argument("--tool", help="the assistant's tool that edited it (Write, Edit, ...)")
    log_edit.add_argument("--assistant", metavar="ID", help="only record inside a session of this assistant")
    log_edit.add_argument("--hook", action="store_true",
                          help="read an assistant hook's JSON (Claude Code or Copilot) from stdin; never fails "
                               "the assistant")
    log_edit.add_argument("--json", action="store_true",
                          help="print the recorded event as JSON (null when nothing was recorded)")



def _add_allow_instructions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-instructions", action="store_true",
                        help="go ahead although an instruction file above the variant (CLAUDE.md, AGENTS.md, ...) "
                             "would reach one assistant only; the files are recorded in the event")


def _print_event(args: argparse.Namespace, event: dict[str, Any]) -> None:
    from sandbox.assistants.history import describe_event

    if getattr(args, "json", False):
        print_json(event)
    else:
        print(describe_event(event))


def cmd_session(args: argparse.Namespace) -> int:
    from sandbox.assistants import sessions

    ws = workspace_from(args)
    if args.session_action == "list":
        slugs = [args.slug] if args.slug else ws.project_slugs()
        rows: list[dict[str, Any]] = []
        damaged: list[SandboxError] = []
        for slug in slugs:
            project = ws.project(slug)
            rows.extend(
                {"project": slug, **event, "stale": sessions.run_is_stale(event)}
                for event in sessions.open_sessions(project, damaged=damaged).values()
            )
        for problem in damaged:  # never "No open sessions." while one is stuck in a damaged file
            print(f"sandbox: {problem}", file=sys.stderr)
        if args.json:
            print_json(rows)
        elif not rows and not damaged:
            print("No open sessions.")
        else:
            for row in rows:
                what = "headless run" if row.get("mode") == sessions.MODE_RUN else "session"
                stale = " (its process is gone: end it with 'sandbox session end')" if row["stale"] else ""
                print(f"{row['project']:<24} {row['variant']:<14} {row.get('assistant', ''):<14} "
                      f"{what} since {row.get('at')}{stale}")
        return 0
    project = ws.project(args.slug)
    if args.session_action == "start":
        _check_assistant(ws, args.assistant)
        brief = _fair_start(ws, project, args.variant, args.assistant, args.allow_instructions)
        event = sessions.start_session(project, args.variant, assistant=args.assistant, by=user(), extra=brief)
        if not args.json:  # what happens now and how to finish, for someone new to sessions
            print(f"Changes in variants/{args.variant} now count as {event['assistant']}'s work. When done: "
                  f"sandbox session end {project.slug} --variant {args.variant}", file=sys.stderr)
    else:
        event = sessions.end_session(project, args.variant, score=args.score, note=args.note, by=user())
    _print_event(args, event)
    return 0


def _fair_start(ws: Any, project: Any, variant: str, assistant_id: str | None, allow: bool) -> dict[str, Any]:
    """The brief fields of a session; refuses one-sided instructions above the variant (one line)."""
    from sandbox.assistants import launch, sessions

    sessions.check_variant(project, variant)
    registry = ws.registry
    assistant = registry.get(assistant_id or variant)
    if assistant is None:
        return {}
    return launch.check_fairness(project, variant, assistant, allow=allow)


def _check_assistant(ws: Any, assistant: str | None) -> None:
    if assistant is not None:
        from sandbox.assistants.registry import resolve_assistants

        resolve_assistants(ws.registry, [assistant])


def cmd_open(args: argparse.Namespace) -> int:
    from sandbox.assistants import interactive, launch, sessions
    from sandbox.assistants.history import describe_event
    from sandbox.assistants.signals import handling_signals

    ws = workspace_from(args)
    project = ws.project(args.slug)
    if args.score is not None and not 1 <= args.score <= 5:
        raise SandboxError(f"--score must be a whole number from 1 to 5, not {args.score}")
    brief = _fair_start(ws, project, args.variant, None, args.allow_instructions)
    opened = interactive.begin(ws, project, args.variant, by=user(), extra=brief)
    if opened.notice:
        print(f"sandbox: {opened.notice}", file=sys.stderr)
    print(f"sandbox: {describe_event(opened.start)}; handing the terminal to {' '.join(opened.shown)}",
          file=sys.stderr)
    hint = launch.open_hint(ws, args.variant)
    if hint:
        print(f"sandbox: {hint}", file=sys.stderr)
    argv, env = opened.argv, opened.env
    # Ctrl-C belongs to the assistant while it runs; we must survive it to end the session. A
    # Python handler (not SIG_IGN, which exec would pass on) leaves the assistant's Ctrl-C intact.
    # SIGTERM or SIGHUP sent to us alone (a closed window, a process manager) is passed on to the
    # assistant, so it stops instead of running on unsupervised, and the session is still ended.
    proc: subprocess.Popen[bytes] | None = None

    def forward(signum: int, _frame: Any) -> None:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signum)

    code: int | None = None
    with handling_signals({signal.SIGINT: lambda *_: None, signal.SIGTERM: forward, signal.SIGHUP: forward}):
        try:
            try:
                proc = subprocess.Popen(argv, cwd=opened.cwd, env=env)
            except OSError as exc:
                raise SandboxError(f"cannot start '{argv[0]}': {exc.strerror or exc}") from None
            code = proc.wait()
        finally:
            end = sessions.end_session(project, args.variant, score=args.score, note=args.note, by=user())
            print(f"sandbox: {describe_event(end)}", file=sys.stderr)
    return 0 if code == 0 else 1


def cmd_run(args: argparse.Namespace) -> int:
    from sandbox.assistants import runs
    from sandbox.assistants.history import describe_event
    from sandbox.assistants.signals import stop_on_signals

    ws = workspace_from(args)
    project = ws.project(args.slug)
    variants = project.variant_ids() if args.all else list(dict.fromkeys(args.variant))
    if args.all:  # every variant whose assistant can run headless; a person's variant is skipped
        runnable = [v for v in variants if v in ws.registry and ws.registry[v].headless]
        for skipped in sorted(set(variants) - set(runnable)):
            print(f"sandbox: skipping '{skipped}': no headless command (assistants.{skipped}.headless in sandbox.yaml)",
                  file=sys.stderr)
        if not runnable:
            raise SandboxError(f"no variant of '{project.slug}' has an assistant that can run headless")
        variants = runnable
    if args.timeout is not None and not args.timeout > 0:  # also refuses nan, which would time out at once
        raise SandboxError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    timeout = args.timeout if args.timeout is not None else runs.DEFAULT_TIMEOUT
    width = max((len(v) for v in variants), default=8)

    def echo(variant: str, line: str) -> None:
        print(f"{variant:<{width}} | {line}", file=sys.stderr, flush=True)

    on_output = None if (args.quiet or args.json) else echo
    from sandbox.assistants import confine

    notice = confine.mode_for(ws).notice()
    if notice:
        print(f"sandbox: {notice}", file=sys.stderr)
    # Ctrl-C, a closed terminal or a SIGTERM reaches only us (the assistants have process groups of
    # their own): stop them and record their runs, then exit as interrupted. The handler only
    # takes note; sandbox.assistants.signals says why it must not raise.
    with stop_on_signals() as stop:
        results = runs.run_many(ws, project, variants, timeout=timeout, on_output=on_output, prompt=args.prompt,
                                by=user(), stop_requested=stop.requested,
                                allow_instructions=args.allow_instructions, telemetry=args.telemetry)
    if stop.requested():
        raise KeyboardInterrupt  # here, outside any wait: main() says 'interrupted' and exits 130
    events = [r for r in results if isinstance(r, dict)]
    errors = [r for r in results if not isinstance(r, dict)]
    if args.json:
        print_json(events)
    else:
        from sandbox.core.errors import display_path

        for event in events:
            print(describe_event(event))
            if event.get("log"):
                print(f"  log: {display_path(project.path / event['log'])}")
    for error in errors:
        print(f"sandbox: {error}", file=sys.stderr)
    if errors:
        return 2
    return 0 if all(e.get("ok", e.get("exit_code") == 0 and not e.get("timed_out")) for e in events) else 1


def cmd_log_edit(args: argparse.Namespace) -> int:
    if not args.hook:
        return _log_edit(args)
    try:  # called by an assistant's hook: never fail its turn, whatever happens here
        _log_edit(args)
    except Exception as exc:  # noqa: BLE001
        print(f"sandbox log-edit: {exc}", file=sys.stderr)
    return 0


def _log_edit(args: argparse.Namespace) -> int:
    from sandbox.assistants import hooks, sessions
    from sandbox.assistants.history import describe_event
    from sandbox.workspace import Project

    tool, files, cwd = args.tool, [args.file] if args.file else [], None
    if args.hook:
        from sandbox.assistants.hooks import MAX_HOOK_INPUT, parse_hook_payload

        call = parse_hook_payload(sys.stdin.read(MAX_HOOK_INPUT))
        if not call.succeeded:
            return 0  # a refused or failed tool call, or a tool that edits nothing: no edit happened
        tool = tool or call.tool
        files = files or call.files
        cwd = call.cwd
    if not files:
        if args.hook:
            return 0
        raise SandboxError("say which file was edited with --file PATH")
    base = Path(cwd) if cwd else Path.cwd()
    path = Path(files[0]) if Path(files[0]).is_absolute() else base / files[0]
    if args.slug:
        ws = workspace_from(args)
        project = ws.project(args.slug)
        found = hooks.find_variant(path)
        variant = args.variant or (found.variant if found else None)
        if not variant:
            raise SandboxError("say which variant with --variant ID")
        if not Path(files[0]).is_absolute() and not args.hook:
            path = Path(os.path.normpath(project.variant_dir(variant).absolute() / files[0]))  # relative to the variant
    else:
        where = hooks.find_variant(path)
        if where is None:
            if args.hook:
                return 0  # an edit outside any variant is nobody's work here
            raise SandboxError(f"{files[0]} is not inside a variant folder (projects/<slug>/variants/<id>/)")
        project = Project(slug=where.slug, path=where.workspace / "projects" / where.slug)
        variant = args.variant or where.variant
    if not args.hook:
        sessions.check_variant(project, variant)
    elif os.environ.get("SANDBOX_SPOOL"):  # inside a run or session the sandbox started: it writes the ledger
        from sandbox.assistants import spool

        spool.write(Path(os.environ["SANDBOX_SPOOL"]), session=os.environ.get("SANDBOX_SESSION"),
                    assistant=args.assistant, file=str(path), tool=tool)
        return 0
    event = sessions.record_edit(project, variant, path, tool, assistant=args.assistant)
    if args.json and not args.hook:
        print_json(event)
    elif not args.hook:
        if event is not None:
            print(describe_event(event))
        else:
            who = f" of {args.assistant}" if args.assistant else ""
            print(f"not recorded: no open session{who} on variant '{variant}', or the file is outside it")
    return 0
