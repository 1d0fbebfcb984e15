"""``sandbox share SLUG``: one prototype as a single HTML file (or ``--zip``) to send to people.

The file opens from an email attachment with nothing else: styles, scripts and data are inlined
(``sandbox.make.share``). The reviewer panel with the idea, audience and success goal, and in a zip
the assistants' briefs, stay out unless ``--with-about``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.cli.common import add_command, print_json, workspace_from

if TYPE_CHECKING:
    from sandbox.workspace import Project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``share`` subcommand to the ``sandbox`` parser."""
    p = add_command(
        sub, "share", "write one prototype as a single HTML file (or a zip) that opens anywhere, offline",
        cmd_share, listing=True,
    )
    p.add_argument("slug", help="the project to share ('sandbox list' shows them)")
    p.add_argument("--variant", "-v", metavar="ID", help="the variant (assistant id) to share (default: the first)")
    p.add_argument("--zip", action="store_true", help="write the whole variant folder as a .zip instead")
    p.add_argument("--output", "-o", type=Path, default=None, metavar="FILE",
                   help="where to write it (default: SLUG-VARIANT.html or .zip in the current folder)")
    p.add_argument("--with-about", action="store_true",
                   help="keep the reviewer panel (idea, audience, success goal) and, in a zip, the assistants' briefs")


def pick_variant(project: Project, wanted: str | None) -> str:
    """``wanted``, or the project's first assistant that has a variant; a clear error otherwise."""
    from sandbox.core.errors import SandboxError

    available = project.variant_ids()
    if not available:
        raise SandboxError(f"project '{project.slug}' has no variants yet; run 'sandbox render {project.slug}'")
    if wanted:
        if wanted not in available:
            raise SandboxError(f"project '{project.slug}' has no variant '{wanted}' (variants: {', '.join(available)})")
        return wanted
    try:
        ordered = [a for a in project.load_spec().assistants if a in available]
    except SandboxError:
        ordered = []
    return (ordered or available)[0]


def cmd_share(args: argparse.Namespace) -> int:
    from sandbox.core.fs import atomic_write
    from sandbox.make import share

    ws = workspace_from(args)
    project = ws.project(args.slug)
    variant = pick_variant(project, args.variant)
    folder = project.variant_dir(variant)
    entry = ws.template(project.load_spec().template).entry
    suffix = ".zip" if args.zip else ".html"
    output: Path = args.output or Path(f"{project.slug}-{variant}{suffix}")
    if args.zip:
        briefs = {str(a.instructions) for a in ws.registry.values() if a.instructions}
        data = share.zip_variant(
            folder, keep_review=args.with_about, leave_out=briefs, name=f"{project.slug}-{variant}"
        )
    else:
        data = share.bundle_html(folder, entry, keep_review=args.with_about).encode("utf-8")
    atomic_write(output, data)
    if args.json:
        print_json({"slug": project.slug, "variant": variant, "path": str(output), "bytes": len(data),
                    "format": "zip" if args.zip else "html", "with_about": bool(args.with_about)})
    else:
        print(f"Wrote {output} ({len(data) // 1024 + 1} KiB): {project.slug} / {variant}"
              f"{', with the reviewer panel' if args.with_about else ''}", file=sys.stderr)
    return 0
