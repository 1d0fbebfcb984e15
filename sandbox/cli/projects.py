"""``sandbox templates``, ``new``, ``list``, ``check`` and ``render``: from an idea to a project on disk."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from sandbox.cli.common import (
    EXIT_USER_ERROR,
    add_command,
    print_json,
    user,
    workspace_from,
)

if TYPE_CHECKING:
    from sandbox.make.catalog import Template


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(sub, "templates", "list the templates and their questions", cmd_templates, listing=True)

    new = add_command(sub, "new", "create a project from an idea: one prototype per assistant", cmd_new, listing=True)
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

    add_command(sub, "list", "list the projects in the workspace", cmd_list, listing=True)
    check = add_command(sub, "check", "validate project.yaml of one project or all", cmd_check, listing=True)
    check.add_argument("slug", nargs="?", help="the project to check (default: all)")
    render = add_command(
        sub, "render", "re-render a project after editing project.yaml (edited files are kept)", cmd_render,
        listing=True,
    )
    render.add_argument("slug")


def parse_vars(pairs: list[str], template: Template) -> dict[str, Any]:
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
        by=user(),
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
                from sandbox.make.yaml_hints import plain_error

                print(f"sandbox: {plain_error(r.error) if r.error is not None else 'invalid'}", file=sys.stderr)
        if not results:
            print("No projects to check.")
    return 0 if all(r.ok for r in results) else EXIT_USER_ERROR


def cmd_render(args: argparse.Namespace) -> int:
    ws = workspace_from(args)
    result = ws.render(args.slug, by=user())
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
