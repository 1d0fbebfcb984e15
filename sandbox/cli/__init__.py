"""The ``sandbox`` command: a thin argparse shell over ``workspace``.

Why argparse and lazy imports: ``sandbox --help`` must answer instantly, so nothing heavier than
argparse is imported until a subcommand runs. Every user error is one line on stderr and exit 2;
every listing has ``--json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

EXIT_USER_ERROR = 2

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        COMMANDS[name] = handler
        return handler

    return register


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sandbox",
        description="Turn an idea into working prototypes, one per AI assistant, and compare them. "
        "Without a command, opens the app.",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        type=Path,
        default=None,
        help="workspace folder holding projects/ (default: $SANDBOX_WORKSPACE or the current folder)",
    )
    from sandbox import __version__

    parser.add_argument("--version", action="version", version=f"sandbox {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, listing: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        if listing:
            p.add_argument("--json", action="store_true", help="print JSON for other tools")
        return p

    add("templates", "list the templates and their questions", listing=True)

    new = add("new", "create a project from an idea: one prototype per assistant", listing=True)
    new.add_argument("title", help="a short name for the idea, like 'Expense approvals'")
    new.add_argument("--template", "-t", required=True, help="template name ('sandbox templates' lists them)")
    new.add_argument("--idea", default="", help="the idea in a few sentences")
    new.add_argument("--audience", default="", help="who it is for")
    new.add_argument("--success", default="", help="what success looks like")
    new.add_argument("--category", default="", help="a word to group ideas in reports (default: the template's)")
    new.add_argument(
        "--assistant", "-a", action="append", dest="assistants", metavar="ID",
        help="an assistant to compare (repeat; default: claude-code and copilot)",
    )
    new.add_argument(
        "--var", action="append", default=[], metavar="KEY=VALUE",
        help="answer a template question (repeat; for a list question, repeat the key once per item)",
    )
    new.add_argument("--slug", default=None, help="folder name under projects/ (default: from the title)")

    add("list", "list the projects in the workspace", listing=True)
    check = add("check", "validate project.yaml of one project or all", listing=True)
    check.add_argument("slug", nargs="?", help="the project to check (default: all)")
    render = add("render", "re-render a project after editing project.yaml (edited files are kept)", listing=True)
    render.add_argument("slug")

    for extension in _extensions():
        extension(sub, add)
    return parser


def _extensions() -> list[Callable[..., None]]:
    """Subcommands contributed by other modules (preview, sessions, feedback) register here."""
    found: list[Callable[..., None]] = []
    import importlib

    for module_name in ("sandbox.cli.preview", "sandbox.cli.sessions", "sandbox.cli.feedback"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.append(module.register)
    return found


def workspace_from(args: argparse.Namespace) -> Any:
    from sandbox.workspace import Workspace, default_workspace

    root = args.workspace if args.workspace is not None else default_workspace()
    if not root.is_dir():
        from sandbox.core.errors import SandboxError

        raise SandboxError(f"the workspace folder {root} does not exist")
    return Workspace(root)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def parse_vars(pairs: list[str], template: Any) -> dict[str, Any]:
    """``KEY=VALUE`` pairs; repeating the key of a list question adds one item per occurrence."""
    from sandbox.core.errors import SandboxError

    answers: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise SandboxError(f"--var {pair!r} must look like KEY=VALUE (for example brand_color=#1a73e8)")
        question = template.question(key)
        if question is not None and question.type == "list":
            answers.setdefault(key, []).append(value)
        else:
            answers[key] = value
    return answers


@command("templates")
def cmd_templates(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    templates = ws.templates()
    if args.json:
        print_json([t.to_dict() for t in templates])
        return 0
    width = max((len(t.name) for t in templates), default=10)
    for t in templates:
        where = "" if t.source == "built-in" else f"  [{t.source}]"
        print(f"{t.name:<{width}}  {t.description}{where}")
        for q in t.questions:
            default = q.default if not isinstance(q.default, list) else f"{len(q.default)} items"
            print(f"{'':<{width}}    --var {q.name}=...  ({q.type}, default: {default})")
    if not templates:
        print("No templates found.")
    return 0


@command("new")
def cmd_new(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    template = ws.template(args.template)
    created = ws.new_project(
        args.title,
        args.template,
        idea=args.idea,
        audience=args.audience,
        success=args.success,
        category=args.category,
        assistants=args.assistants,
        answers=parse_vars(args.var, template),
        slug=args.slug,
        by=_user(),
    )
    if args.json:
        print_json(created.to_dict())
        return 0
    from sandbox.core.errors import display_path

    print(f"Created {display_path(created.path)} from '{template.name}' in {created.seconds * 1000:.0f} ms:")
    for variant in created.variants:
        entry = created.path / "variants" / variant / template.entry
        print(f"  {variant:<12} {entry.resolve().as_uri()}")
    print(f"Next: edit {display_path(created.path / 'project.yaml')}, or run 'sandbox preview {created.slug}'.")
    return 0


@command("list")
def cmd_list(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    summaries = ws.list_projects()
    if args.json:
        print_json([s.to_dict() for s in summaries])
        return 0
    if not summaries:
        print("No projects yet. Create one: sandbox new \"My idea\" --template landing-page")
        return 0
    for s in summaries:
        rating = f"{s.average_rating:.1f}/5" if s.average_rating is not None else "-"
        status = f"  ! {s.error}" if s.error else ""
        print(f"{s.slug:<28} {s.template:<17} {','.join(s.assistants):<22} {rating:>6}  {s.title}{status}")
    return 0


@command("check")
def cmd_check(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    results = ws.check(args.slug)
    if args.json:
        print_json([r.to_dict() for r in results])
    else:
        for r in results:
            if r.ok:
                print(f"ok     {r.slug}")
            else:  # errors go to stderr, one line each, like every other user error
                print(f"sandbox: {r.error}", file=sys.stderr)
        if not results:
            print("No projects to check.")
    return 0 if all(r.ok for r in results) else EXIT_USER_ERROR


@command("render")
def cmd_render(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    result = ws.render(args.slug, by=_user())
    if args.json:
        print_json(result.to_dict())
        return 0
    print(
        f"Rendered {args.slug} in {result.seconds * 1000:.0f} ms: {len(result.written)} written, "
        f"{result.unchanged} unchanged, {len(result.conflicts)} conflicts"
    )
    for path in result.conflicts:
        print(f"  kept your edit of {path}; the new version is beside it as {path}.sandbox-new")
    return 0


def _user() -> str | None:
    return os.environ.get("SANDBOX_USER") or os.environ.get("USER") or None


def open_tui(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    from sandbox.tui.app import run

    return run(ws)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from sandbox.core.errors import SandboxError

    try:
        if args.command is None:
            return open_tui(args)
        return COMMANDS[args.command](args)
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("sandbox: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - never a traceback for users, unless asked
        if os.environ.get("SANDBOX_DEBUG"):
            raise
        print(f"sandbox: internal error: {type(exc).__name__}: {exc} (set SANDBOX_DEBUG=1 for details)", file=sys.stderr)
        return 1
