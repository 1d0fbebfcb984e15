"""Which files are nobody's work: one ignore policy for the watcher, the session snapshot and change batches.

Why one policy: the watcher decides what reloads a preview and which change batches reach the
ledger, the session snapshot decides what a session's diff counts. When each kept its own list they
drifted apart (the watcher ignored ``*.bak`` and ``.idea/`` that a session still counted), so the
same edit could be "nobody's" live and "the assistant's" at the end of the session.

The patterns read like a ``.gitignore`` (``pathspec``'s gitignore semantics): ``*.log`` anywhere,
``/build`` at the root only, ``build/`` folders only, ``**`` across folders, ``!keep.log`` to take a
name back. As in git, nothing inside an ignored folder can be taken back: the walk never goes into
it, so answering otherwise for single paths would make the watcher and the snapshot disagree.

Paths are posix and relative to the folder the rules are for (the watched root, or the project
folder for the live loop and a session: ``variants/<id>/...``), without a leading '/'.

Anchored patterns from ``sandbox.yaml`` (``/dist``, ``assets/raw``: a '/' at the start or in the
middle) mean a place in a prototype, so for a project (``project_rules``) they are relative to each
variant's folder: ``/dist`` is ``variants/<any id>/dist``, whether the live loop watches the whole
project or a session walks one variant. That is what a designer who writes ``/dist`` means; a
pattern relative to the project folder would never match anything a prototype holds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec, Pattern

    from sandbox.core.settings import Settings

# One list, in .gitignore syntax. Comments say why each group is nobody's work.
DEFAULT_PATTERNS: tuple[str, ...] = (
    # Version control, dependencies, caches and the sandbox's own state: never a prototype's
    # content, and they can hold tens of thousands of files (so nothing ever walks into them).
    ".git", ".hg", ".svn", "node_modules", ".sandbox", "__pycache__", ".venv", ".idea",
    # Editor swap, backup and temporary files (Vim, Emacs, JetBrains, Kate, GNOME, merge tools).
    "*.swp", "*.swo", "*.swx", "*.swpx", "*~", ".#*", r"\#*#", "4913", "*.tmp", "*.temp", "*.bak",
    "*___jb_tmp___", "*___jb_old___", ".*.kate-swp", ".goutputstream-*", "*.orig",
    # Downloads in progress, operating-system litter, compiled Python.
    "*.crdownload", "*.part", ".DS_Store", "Thumbs.db", "*.pyc",
    # The sandbox's own files: a re-render's version beside a file it could not overwrite, and the
    # staging folder of a project being created.
    "*.sandbox-new", ".creating-*",
)

# pathspec compiles a pattern without '/' to "^(?:.+/)?NAME(?:(?P<ps_d>/)|$)": the NAMEs share one
# regular expression for a path's last segment. Any other shape is matched whole, so a pathspec
# that compiles differently is still answered right (only slower).
_ANY_FOLDER = "^(?:.+/)?"
_NAME_END = "(?:(?P<ps_d>/)|$)"
_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")
_DIR_CACHE_LIMIT = 4096
VARIANTS_GLOB = "variants/*"  # where a project's prototypes are: sandbox.yaml's anchors start there


class IgnoreRules:
    """The default patterns plus ``patterns`` (later ones win, so ``!name`` can take a name back).

    ``ignored(path)`` is the answer for one path (the watcher's question); ``walk(root)`` lists the
    files that are not ignored without entering ignored folders (the snapshot's question). Both
    give the same answer for every file: a test holds them to it.
    """

    def __init__(
        self, patterns: Iterable[str] = (), *, defaults: bool = True, within: str = "", own: Iterable[str] = ()
    ) -> None:
        """``within``: a folder glob (``variants/*``) that anchored ``patterns`` are relative to, instead
        of the rules' own folder. ``own``: patterns anchored at the rules' own folder whatever
        ``within`` says (the live loop's ``/ledger.jsonl``), placed before ``patterns``."""
        self.patterns = tuple(str(p) for p in patterns)
        self.within = within.strip("/")
        placed = [anchor_within(p, self.within) for p in self.patterns]
        lines = [*(DEFAULT_PATTERNS if defaults else ()), *own, *placed]
        self.fingerprint = "\n".join(lines)  # what a kept folder listing (``Listings``) depends on
        self._dirs: dict[str, bool] = {}  # folder -> ignored, including its parents' answers
        plain = [_plain_name(line) for line in lines]
        if all(name is not None for name in plain):
            # Only names (the defaults, and most sandbox.yaml lists): any of them matching is the
            # answer, with no negation to weigh, so pathspec is not even imported (its import and
            # compile are 35-45 ms of every `sandbox run` and session hook).
            self._spec: GitIgnoreSpec | None = None
            self._names, self._paths = _either([name for name in plain if name is not None]), None
            return
        import pathspec

        self._spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._names, self._paths = _prefilters(self._spec.patterns)

    def matches(self, relative: str, *, is_dir: bool = False, name: str | None = None) -> bool:
        """Whether the patterns ignore ``relative`` itself (``ignored`` also asks its parent folders).
        ``name``: its last segment, when the caller knows it already (a walk does)."""
        path = relative + "/" if is_dir else relative
        # Most paths match no pattern at all: two regular expressions say so (one for the name alone,
        # one for patterns with a '/'), and only a path that some pattern may match is weighed
        # pattern by pattern (which one wins, negations included) by pathspec itself.
        if name is None:
            name = relative.rpartition("/")[2]
        if not ((self._names is not None and self._names.fullmatch(name))
                or (self._paths is not None and self._paths.match(path))):
            return False
        return self._spec is None or bool(self._spec.match_file(path))

    def ignored(self, relative: str, *, is_dir: bool = False) -> bool:
        """True when ``relative`` is ignored or lies inside an ignored folder. The root ('') is."""
        if not relative:
            return True
        parent, _, _ = relative.rpartition("/")
        if parent and self._dir_ignored(parent):
            return True
        return self.matches(relative, is_dir=is_dir)

    def _dir_ignored(self, folder: str) -> bool:
        known = self._dirs.get(folder)
        if known is None:
            parent, _, _ = folder.rpartition("/")
            known = (bool(parent) and self._dir_ignored(parent)) or self.matches(folder, is_dir=True)
            if len(self._dirs) >= _DIR_CACHE_LIMIT:
                self._dirs.clear()
            self._dirs[folder] = known
        return known

    def walk(
        self, root: Path, *, base: str = "", listings: Listings | None = None
    ) -> dict[str, os.stat_result]:
        """Every regular file under ``root`` that is not ignored: posix path relative to ``root`` -> stat.

        ``base`` is where ``root`` sits relative to the rules' folder ("variants/copilot" for a
        variant under project rules); it is matched, not returned. Ignored folders are never
        entered. ``os.scandir`` gives most stats without extra system calls; symlinks are not
        followed (a link to elsewhere is not work inside the folder).

        ``listings``: the folders' contents from an earlier walk under the same rules (git's
        untracked cache): a folder whose own stat is unchanged has the same entries, so it is not
        listed again, only its files' stats are taken. ``listings.fresh`` gets this walk's.
        """
        prefix = f"{base.strip('/')}/" if base.strip("/") else ""
        if prefix and self._dir_ignored(prefix[:-1]):
            return {}
        found: dict[str, os.stat_result] = {}
        stack: list[tuple[str, str]] = [(str(root), "")]
        if listings is not None:
            listings.start(self.fingerprint + "\0" + prefix)
        while stack:
            directory, relative = stack.pop()
            if listings is not None:
                try:
                    folder = os.lstat(directory)
                except OSError:
                    continue
                if listings.reuse(directory, relative, folder, found, stack):
                    continue
            files: list[str] = []
            folders: list[str] = []
            try:
                entries = os.scandir(directory)
            except (FileNotFoundError, NotADirectoryError, PermissionError):
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    rel = relative + name
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if not self.matches(prefix + rel, is_dir=True, name=name):
                                stack.append((entry.path, rel + "/"))
                                folders.append(name)
                        elif entry.is_file(follow_symlinks=False) and not self.matches(prefix + rel, name=name):
                            found[rel] = entry.stat(follow_symlinks=False)
                            files.append(name)
                    except OSError:
                        continue
            if listings is not None:
                listings.fresh[relative] = [folder.st_mtime_ns, folder.st_ino, files, folders]
        return found


class Listings:
    """Folder listings kept between walks: folder (posix, relative, '' for the root, else ending in
    '/') -> [mtime_ns, inode, file names, folder names] of what the rules did not ignore.

    Why it is safe: adding, removing or renaming an entry changes its folder's mtime (and a folder
    replaced is another inode), so a folder whose mtime and inode are unchanged holds the same
    names; a file's own changes are seen in its stat, which is still taken. As for files, a folder
    changed within ``window`` of the moment the listings were kept (``trusted_before``) vouches for
    nothing, since a second change in the same timestamp tick keeps its mtime. The listings hold
    for one set of rules only (their ``fingerprint``): a new ignore list lists everything again.
    """

    def __init__(self, kept: object, key: object, trusted_before: int) -> None:
        self._kept: dict[str, object] = kept if isinstance(kept, dict) else {}
        self._key = key
        self._usable: dict[str, object] = {}
        self.trusted_before = trusted_before
        self.key = ""
        self.fresh: dict[str, object] = {}

    def start(self, key: str) -> None:
        """A walk under rules ``key`` begins: listings kept under other rules are not used."""
        self.key = key
        self._usable = self._kept if self._key == key else {}
        self.fresh = {}

    def reuse(
        self, directory: str, relative: str, folder: os.stat_result,
        found: dict[str, os.stat_result], stack: list[tuple[str, str]],
    ) -> bool:
        """Walk ``directory`` from its kept listing when its stat vouches for it: its files' stats into
        ``found``, its folders onto ``stack``. False when it must be listed."""
        kept = self._usable.get(relative)
        if not (isinstance(kept, list) and len(kept) == 4 and kept[0] == folder.st_mtime_ns
                and kept[1] == folder.st_ino and folder.st_mtime_ns < self.trusted_before
                and isinstance(kept[2], list) and isinstance(kept[3], list)
                and all(_one_name(name) for name in (*kept[2], *kept[3]))):
            return False  # not vouched for, or a damaged index (a name like "../x" would leave the folder)
        try:
            stats = [(name, os.lstat(f"{directory}/{name}")) for name in kept[2]]
        except OSError:  # changed while we look: list this folder after all
            return False
        if not all(S_ISREG(st.st_mode) for _, st in stats):
            return False
        for name, st in stats:
            found[relative + name] = st
        stack.extend((f"{directory}/{name}", f"{relative}{name}/") for name in kept[3])
        self.fresh[relative] = kept
        return True

    def changed(self) -> bool:
        """Whether this walk's listings differ from the kept ones (so they are worth writing)."""
        return self._key != self.key or self.fresh != self._kept


def _one_name(name: object) -> bool:
    """A name a listing can hold: one entry of its own folder, as ``scandir`` gives it."""
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\0" not in name


def project_rules(patterns: Iterable[str] = (), *, own: Iterable[str] = ()) -> IgnoreRules:
    """The rules for a project folder: ``sandbox.yaml``'s anchored patterns apply inside each variant."""
    return IgnoreRules(patterns, within=VARIANTS_GLOB, own=own)


def anchor_within(pattern: str, within: str) -> str:
    """``pattern`` with its anchor moved into ``within`` (``/dist`` -> ``/variants/*/dist``).

    As in .gitignore, a pattern is anchored when it starts with '/' or has a '/' before its last
    character; ``**/name`` and plain names match at any depth and stay as they are."""
    if not within:
        return pattern
    negate = "!" if pattern.startswith("!") else ""
    body = pattern[len(negate):]
    if body.startswith("/"):
        return f"{negate}/{within}{body}"
    if "/" in body.rstrip("/") and not body.startswith("**/"):
        return f"{negate}/{within}/{body}"
    return pattern


def _prefilters(patterns: Iterable[Pattern]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """(names, paths): a path that neither matches cannot be matched by any of ``patterns`` itself.

    ``names`` is for a path's last segment, from the patterns without '/' (most of them);
    ``paths`` is for the whole path, from the others. Only a shortcut: a path either matches is
    still weighed by pathspec.
    """
    from pathspec import RegexPattern

    names: list[str] = []
    paths: list[str] = []
    for pattern in patterns:
        if pattern.include is None or not isinstance(pattern, RegexPattern) or pattern.regex is None:
            continue
        text = str(pattern.regex.pattern)
        if text.startswith(_ANY_FOLDER) and text.endswith(_NAME_END):
            names.append(text[len(_ANY_FOLDER) : -len(_NAME_END)])
        else:
            paths.append(_NAMED_GROUP.sub("(?:", text))  # one name may be used once per expression
    return _either(names), _either(paths)


def _plain_name(pattern: str) -> str | None:
    """The regular expression for a path's last segment that ``pattern`` means, when it is a plain
    name (no '/', no negation, no '[...]' or '**'; '*', '?' and '\\' escapes allowed), else None.

    Such a pattern matches a file or folder of that name at any depth, exactly as pathspec compiles
    it (``^(?:.+/)?NAME(?:/|$)``); a test holds the two to the same answers. Anything else, and
    anything gitignore reads specially (comments, blank lines, trailing spaces), is left to pathspec.
    """
    if not pattern or pattern[0] in "#!" or "/" in pattern or "[" in pattern or "**" in pattern:
        return None
    if pattern != pattern.strip() or pattern.endswith("\\"):
        return None
    parts: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _either(alternatives: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{text})" for text in alternatives)) if alternatives else None


def check_pattern(text: str) -> str | None:
    """Why ``text`` cannot work as an ignore pattern, in words, or None when it can."""
    import pathspec

    if not text.strip("/"):
        return "an 'ignore' pattern is empty"
    if text.startswith("#"):
        return f"'ignore' pattern {text!r} starts with '#', which makes it a comment; write '\\#' for a '#'"
    try:
        [pattern] = pathspec.GitIgnoreSpec.from_lines([text]).patterns
    except (ValueError, re.error) as exc:
        return f"'ignore' pattern {text!r} is not a valid pattern ({exc})"
    if pattern.include is None:
        return f"'ignore' pattern {text!r} can never match anything (an unclosed '['?)"
    return None


def settings_patterns(settings: Settings) -> list[str]:
    """sandbox.yaml's ``ignore:`` list, refused at its line when an entry cannot mean anything.

    A silently useless pattern is worse than an error: the designer would wait for reloads that
    never stop (or never come). Numbers are accepted as names; ``!name`` takes a name back.
    """
    patterns = []
    for index, raw in enumerate(settings.section("ignore", list, [])):
        if isinstance(raw, (dict, list)) or raw is None or isinstance(raw, bool):
            raise settings.error("each 'ignore' entry must be a pattern like '*.log' or 'build/'", "ignore", index)
        text = str(raw).strip()
        problem = check_pattern(text)
        if problem is not None:
            raise settings.error(problem, "ignore", index)
        patterns.append(text)
    return patterns
