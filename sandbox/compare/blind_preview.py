"""Showing one side of a blind comparison without giving away whose it is.

Variant folders are named after assistants (``variants/claude-code``), so a blind comparison never
shows a variant id or a path that contains it: ``blind_location`` gives a path through
``.sandbox/compare/<id>/A`` (a link to the variant) instead, and ``serve_blind`` serves each side
on its own port with the assistants' brief files hidden.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.compare.blind import Comparison
    from sandbox.live.preview import PreviewServer
    from sandbox.workspace import Workspace

COMPARE_DIR = "compare"
SIDES = ("A", "B")


def entry_file(workspace: Workspace, slug: str) -> str:
    """The file a browser opens in a variant (the template's ``entry``, ``index.html`` if unknown)."""
    project = workspace.project(slug)
    try:
        spec = project.load_spec()
        return str(workspace.template(spec.template).entry or "index.html")
    except SandboxError:
        return "index.html"


def blind_location(workspace: Workspace, comparison: Comparison, side: str) -> Path:
    """A folder that shows variant ``side`` without its name in the path.

    ``projects/<slug>/.sandbox/compare/<comparison>/<A|B>`` is a symbolic link to the variant, so
    a ``file://`` URL or a served root reveals nothing. Where links cannot be made (some Windows
    setups) the real folder is returned and the caller should warn that its path names it.
    """
    project = workspace.project(comparison.project)
    target = project.variant_dir(comparison.variant(side))
    link = project.state_dir / COMPARE_DIR / comparison.id / side
    try:
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            ignore = link.parent.parent / ".gitignore"
            if not ignore.exists():  # the links are per machine: keep them out of a shared repo
                ignore.write_text("*\n", "utf-8")
            # relative, so the link survives moving the workspace
            link.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
        return link
    except OSError:
        return target


def blind_file_url(workspace: Workspace, comparison: Comparison, side: str) -> str:
    """``file://`` URL of the entry file of variant ``side`` through its blind link."""
    folder = blind_location(workspace, comparison, side)
    entry = entry_file(workspace, comparison.project)
    return Path(os.path.abspath(folder / entry)).as_uri()  # noqa: PTH100 - resolve() follows the link to the named folder


def serve_blind(workspace: Workspace, comparison: Comparison) -> tuple[dict[str, str], list[PreviewServer]]:
    """Serve both sides on local ports; returns ``{side: url}`` and the servers to stop later.

    Names are not in the URLs, and every assistant's brief file (``/CLAUDE.md``, ``/AGENTS.md``,
    ...) answers 404, since it says whose prototype this is.
    """
    from sandbox.live.preview import PreviewServer

    entry = entry_file(workspace, comparison.project)
    project = workspace.project(comparison.project)
    briefs = {str(a.instructions) for a in workspace.registry.values() if a.instructions}
    urls: dict[str, str] = {}
    servers: list[PreviewServer] = []
    try:
        for side in SIDES:
            server = PreviewServer(project.variant_dir(comparison.variant(side)), hidden=briefs).start()
            servers.append(server)
            urls[side] = server.url.rstrip("/") + "/" + entry
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return urls, servers
