"""A variant as something to send: one self-contained HTML file, or a zip of the whole folder.

Why one file: a product manager shares a prototype by email or chat, and the person who opens the
attachment has no server, no folder and no network. ``bundle_html`` inlines every local stylesheet,
script, picture and data file the page uses (``<script data-src="data.csv">`` gets the file's current
text), so the page works opened from ``file://`` with no request off the page. Scripts that were
``defer`` move to the end of ``<body>`` in their order, which is when a deferred script would run.

What a shared copy leaves out unless asked (``keep_review``): the reviewer panel (the idea, audience
and success goal, between the ``sandbox:review`` markers) and, in a zip, the assistants' briefs and
every dot-file, which describe the idea for the assistants, not for the people it is shown to.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import os
import re
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from sandbox.core.errors import SandboxError
from sandbox.make.content import REVIEW_END, REVIEW_START

TAG_ATTR_RE = re.compile(r"""([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
LINK_RE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
SCRIPT_SRC_RE = re.compile(r"<script\b([^>]*\bsrc\s*=[^>]*)>\s*</script\s*>", re.IGNORECASE)
SCRIPT_DATA_RE = re.compile(r"<script\b([^>]*\bdata-src\s*=[^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
IMG_RE = re.compile(r"<(img|source)\b[^>]*>", re.IGNORECASE)
CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
REVIEW_RE = re.compile(re.escape(REVIEW_START) + r".*?" + re.escape(REVIEW_END) + r"\n?", re.DOTALL)
REMOTE = ("http:", "https:", "//", "data:", "blob:", "mailto:", "tel:", "javascript:", "#")
CONFLICT_SUFFIX = ".sandbox-new"


def _attrs(text: str) -> dict[str, str]:
    found = {}
    for name, value in TAG_ATTR_RE.findall(text):
        found[name.lower()] = value[1:-1] if value[:1] in "\"'" else value
    return found


def _local(folder: Path, ref: str, page: Path) -> Path | None:
    """The file a relative reference names, if it is inside ``folder`` (never outside it)."""
    if not ref or ref.startswith(REMOTE):
        return None
    relative = ref.split("#", 1)[0].split("?", 1)[0]
    target = (page.parent / relative).resolve()
    root = folder.resolve()
    if (target != root and root not in target.parents) or not target.is_file():
        return None
    return target


def _data_uri(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def strip_review(html: str) -> str:
    """The page without its reviewer panel (and the panel's button and script)."""
    return REVIEW_RE.sub("", html)


def _inline_css(css: str, folder: Path, sheet: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        target = _local(folder, match.group(2).strip(), sheet)
        return f'url("{_data_uri(target)}")' if target else match.group(0)

    return CSS_URL_RE.sub(replace, css).replace("</style", "<\\/style")


def bundle_html(folder: Path, entry: str = "index.html", *, keep_review: bool = False) -> str:
    """``entry`` of ``folder`` with everything local it uses inlined; raises SandboxError if missing."""
    page = folder / entry
    if not page.is_file():
        raise SandboxError(f"{page} does not exist; render the project first ('sandbox render')", path=page)
    html = page.read_text(encoding="utf-8", errors="replace")
    if not keep_review:
        html = strip_review(html)

    def link(match: re.Match[str]) -> str:
        attrs = _attrs(match.group(0)[5:-1])
        target = _local(folder, attrs.get("href", ""), page)
        rel = attrs.get("rel", "").lower().split()
        if target is None:
            return match.group(0)
        if "stylesheet" in rel:
            css = _inline_css(target.read_text(encoding="utf-8", errors="replace"), folder, target)
            return f"<style>\n{css}\n</style>"
        if "icon" in rel:
            return match.group(0).replace(attrs["href"], _data_uri(target))
        return match.group(0)

    deferred: list[str] = []

    def script_text(attrs: dict[str, str], key: str) -> str | None:
        """The text of the local file ``attrs[key]`` names, safe inside <script>; None if not local."""
        target = _local(folder, attrs.get(key, ""), page)
        if target is None:
            return None
        return target.read_text(encoding="utf-8", errors="replace").replace("</script", "<\\/script")

    def script(match: re.Match[str]) -> str:
        attrs = _attrs(match.group(1))
        code = script_text(attrs, "src")
        if code is None:
            return match.group(0)
        inline = f"<script>\n{code}\n</script>"
        if "defer" in attrs or "async" in attrs:
            deferred.append(inline)
            return ""
        return inline

    def data(match: re.Match[str]) -> str:
        text = script_text(_attrs(match.group(1)), "data-src")
        return match.group(0) if text is None else f"<script{match.group(1)}>\n{text}</script>"

    def image(match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = _attrs(tag)
        target = _local(folder, attrs.get("src", ""), page)
        return tag.replace(attrs["src"], _data_uri(target)) if target else tag

    html = SCRIPT_DATA_RE.sub(data, html)
    html = LINK_RE.sub(link, html)
    html = SCRIPT_SRC_RE.sub(script, html)
    html = IMG_RE.sub(image, html)
    if deferred:
        at = html.lower().rfind("</body>")
        joined = "\n".join(deferred) + "\n"
        html = html[:at] + joined + html[at:] if at >= 0 else html + joined
    return html


def shared_files(folder: Path, leave_out: Iterable[str] = ()) -> list[str]:
    """The variant's files a zip carries: no dot-files or dot-folders, no conflict copies, no briefs."""
    skip = {PurePosixPath(name).as_posix() for name in leave_out}
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "node_modules")
        for filename in sorted(filenames):
            path = Path(dirpath) / filename
            relative = path.relative_to(folder).as_posix()
            if filename.startswith(".") or filename.endswith(CONFLICT_SUFFIX) or relative in skip or path.is_symlink():
                continue
            found.append(relative)
    return found


def zip_variant(
    folder: Path, *, keep_review: bool = False, leave_out: Iterable[str] = (), name: str = "prototype"
) -> bytes:
    """The variant as a zip (under a folder called ``name``); HTML pages lose the reviewer panel."""
    if not folder.is_dir():
        raise SandboxError(f"{folder} does not exist; render the project first ('sandbox render')", path=folder)
    buffer = io.BytesIO()
    keep: Callable[[str], str] = (lambda text: text) if keep_review else strip_review
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in shared_files(folder, () if keep_review else leave_out):
            data = (folder / relative).read_bytes()
            if relative.endswith((".html", ".htm")):
                data = keep(data.decode("utf-8", errors="replace")).encode("utf-8")
            archive.writestr(f"{name}/{relative}", data)
    return buffer.getvalue()
