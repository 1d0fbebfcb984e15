"""Issue 12, class 4: a re-render killed at any moment leaves no false conflicts and no temporary files.

A real process renders and is killed (SIGKILL, no clean-up code runs) at several moments: before
and after a file's rename, at the manifest, around a new variant's rename. Then the spec changes
again and the next render runs: only the file a person really edited is a conflict, on this render
and the one after it, and nothing temporary survives.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sandbox.core.fs import sha256_file
from sandbox.make.journal import JOURNAL_FILE
from sandbox.make.scaffold import read_manifest
from sandbox.workspace import Workspace

FILES = 60
EDITED = "page-07.html"

KILLER = textwrap.dedent(
    """
    import os, pathlib, signal, sys
    moment, number, root, slug = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    calls = {"replace": 0, "rename": 0}

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def wrap(name, original):
        def call(self, target):
            calls[name] += 1
            target_name = pathlib.Path(target).name
            hit = calls[name] == number or (number == 0 and target_name == "manifest.json")
            if hit and moment == f"before-{name}":
                die()
            result = original(self, target)
            if hit and moment == f"after-{name}":
                die()
            return result
        return call

    pathlib.Path.replace = wrap("replace", pathlib.Path.replace)
    pathlib.Path.rename = wrap("rename", pathlib.Path.rename)
    from sandbox.workspace import Workspace
    Workspace(pathlib.Path(root)).render(slug)
    sys.exit(3)  # the kill never came
    """
)


def many_files_template(ws: Workspace) -> None:
    root = ws.root / "templates" / "many"
    (root / "files").mkdir(parents=True)
    (root / "template.yaml").write_text("title: Many\ndescription: d\ncategory: c\nentry: index.html\n")
    (root / "files" / "index.html.j2").write_text("<h1>{{ project.idea }}</h1>\n")
    for i in range(FILES):
        (root / "files" / f"page-{i:02}.html.j2").write_text(f"<p>{i}: {{{{ project.idea }}}}</p>\n")


def set_spec(ws: Workspace, slug: str, idea: str, assistants: list[str]) -> None:
    spec = ws.project(slug).spec_path
    lines = spec.read_text().splitlines()
    out: list[str] = []
    skipping = False
    for line in lines:
        if skipping and line.startswith("  - "):
            continue
        skipping = False
        if line.startswith("idea:"):
            line = f"idea: {idea}"
        if line.startswith("assistants:"):
            out.append(line)
            out.extend(f"  - {a}" for a in assistants)
            skipping = True
            continue
        out.append(line)
    spec.write_text("\n".join(out) + "\n")


def leftovers(project: Path) -> list[str]:
    found = [p for p in project.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".creating-")]
    found += [p for p in [project / ".sandbox" / JOURNAL_FILE] if p.exists()]
    return sorted(str(p.relative_to(project)) for p in found)


def killed_render(ws: Workspace) -> str:
    """A project whose re-render was killed with the 25th file's temporary file written and not yet
    renamed (24 files landed): its slug. The kill's leftovers are checked to be there."""
    many_files_template(ws)
    slug = ws.new_project("Killed", "many", idea="one", assistants=["claude-code", "copilot"]).slug
    set_spec(ws, slug, "two", ["claude-code", "copilot"])
    killed = subprocess.run([sys.executable, "-c", KILLER, "before-replace", "25", str(ws.root), slug], timeout=120)
    assert killed.returncode == -signal.SIGKILL
    left = leftovers(ws.project(slug).path)
    assert any(name.endswith(".tmp") for name in left) and f".sandbox/{JOURNAL_FILE}" in left, left
    return slug


@pytest.mark.parametrize(
    ("moment", "number", "add_variant"),
    [
        ("before-replace", 1, False),  # the first file's temporary file is written, not yet renamed
        ("before-replace", 25, False),
        ("after-replace", 25, False),  # 25 files landed, the manifest knows none of them
        ("before-replace", 0, False),  # every file landed; killed as the manifest is written
        ("after-replace", 0, False),  # the manifest landed; the journal is still there
        ("before-rename", 1, True),  # a new variant is built but not yet in place
        ("after-rename", 1, True),  # a new variant is in place, the manifest does not know it
    ],
)
def test_a_killed_render_leaves_only_real_edits_as_conflicts(
    ws: Workspace, moment: str, number: int, add_variant: bool
) -> None:
    many_files_template(ws)
    slug = ws.new_project("Killed", "many", idea="one", assistants=["claude-code", "copilot"]).slug
    project = ws.project(slug)
    edited = project.variant_dir("claude-code") / EDITED
    edited.write_text("<p>my own words</p>\n")
    assistants = ["claude-code", "copilot", "codex"] if add_variant else ["claude-code", "copilot"]
    set_spec(ws, slug, "two", assistants)
    killed = subprocess.run([sys.executable, "-c", KILLER, moment, str(number), str(ws.root), slug], timeout=120)
    assert killed.returncode == -signal.SIGKILL, "the render was killed where the test meant"

    for idea in ("three", "four"):  # the render after the kill, and the one after it
        set_spec(ws, slug, idea, assistants)
        result = Workspace(ws.root).render(slug)
        assert result.conflicts == [f"claude-code/{EDITED}"], (idea, result.conflicts[:5])
        assert leftovers(project.path) == []
        for variant in assistants:
            root = project.variant_dir(variant)
            for i in range(FILES):
                if variant == "claude-code" and i == 7:
                    continue
                assert (root / f"page-{i:02}.html").read_text() == f"<p>{i}: {idea}</p>\n"
        manifest = read_manifest(project.path)["variants"]
        for variant in assistants:
            for relative, digest in manifest[variant]["files"].items():
                if variant == "claude-code" and relative == EDITED:
                    continue
                assert sha256_file(project.variant_dir(variant) / relative) == digest, (variant, relative)
    assert edited.read_text() == "<p>my own words</p>\n", "the real edit is never overwritten"


def test_renders_of_one_project_take_turns(ws: Workspace) -> None:
    """A render waits while another holds the project's lock, so a replay never runs beside a live render."""
    import fcntl
    import os
    import threading
    import time

    slug = ws.new_project("Turns", "mini").slug
    fd = os.open(ws.project(slug).state_dir / "render.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    finished: list[float] = []
    worker = threading.Thread(target=lambda: (Workspace(ws.root).render(slug), finished.append(time.monotonic())))
    worker.start()
    time.sleep(1.0)  # time for the render to get as far as it can
    released = time.monotonic()
    os.close(fd)
    worker.join(60)
    assert finished and finished[0] > released, "the render finished while another held the lock"


def test_opening_the_previews_completes_a_killed_render(ws: Workspace) -> None:
    """`sandbox preview` and the TUI's project screen open the project through ``live_project``: a
    browser or an assistant started there must never meet a killed render's temporary files."""
    slug = killed_render(ws)
    project = ws.project(slug)

    Workspace(ws.root).live_project(slug)  # opened, not started: nothing rendered yet
    assert leftovers(project.path) == []
    landed = [f"page-{i:02}.html" for i in range(FILES) if
              (project.variant_dir("claude-code") / f"page-{i:02}.html").read_text() == f"<p>{i}: two</p>\n"]
    manifest = read_manifest(project.path)["variants"]["claude-code"]["files"]
    assert landed and all(sha256_file(project.variant_dir("claude-code") / name) == manifest[name] for name in landed)
