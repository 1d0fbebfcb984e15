"""Per-project summaries kept between runs, so Home lists 1,000 projects without reading 1,000 ledgers.

Why a cache: a project's line on Home (title, template, category, assistants, last activity,
ratings) takes its spec (a YAML parse) and its whole ledger (a JSON parse per event); for 1,000
projects that is most of a second, paid at every launch, although between two launches almost
no project changed. So each summary is kept with the *key* of what it was computed from, and
reused while the key is the same. Only projects whose key changed are computed again
(incrementally: one project's new events cost that project only).

The key of a project is the stat of its inputs: ``project.yaml`` and ``ledger.jsonl`` (size,
mtime, ctime and inode) and the ``variants/`` folder (mtime, ctime, inode: a variant added,
removed or renamed changes them). Why that is enough:

- an append changes the ledger's size, and any write changes its mtime and ctime;
- a git merge (``merge=union``) or checkout writes a new file: another inode, and a ctime that no
  tool can set back (``touch`` and ``rsync -t`` restore mtimes, never ctimes);
- a change within the timestamp's resolution of the moment we read (the racy case) could keep
  every number: so a summary computed from inputs touched within ``RACY_SECONDS`` is not kept,
  and is computed again next time.

The cache is one JSON file (one read at start), written atomically, in a folder git ignores (its
keys hold this machine's inodes and ctimes, meaningless in another clone); two processes writing it at
once lose nothing but the loser's fresh entries (they are computed again). It records the folder
it was made for and the summary's fields, so a moved workspace or a newer program never reads
entries it would misunderstand.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sandbox.core.fs import atomic_write

CACHE_SCHEMA = 2
RACY_SECONDS = 2.0  # inputs touched more recently than this are not vouched for by their stat
INPUTS = ("project.yaml", "ledger.jsonl")
VARIANTS = "variants"
GITIGNORE = "# the project list's summary cache: this machine's state, rebuilt when missing\n*\n"

Key = list[int]


def project_key(folder: str) -> Key | None:
    """The key of the project at ``folder``, or None when it has no ``project.yaml`` (not a project).

    Strings, not Paths, and plain ``os.stat``: this runs three times per project at every launch."""
    key: Key = []
    for index, name in enumerate(INPUTS):
        try:
            st = os.stat(f"{folder}/{name}")  # noqa: PTH116 - a str path on purpose, see above
        except OSError:
            if index == 0:
                return None
            key += [-1, -1, -1, -1]
            continue
        key += [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    try:
        st = os.stat(f"{folder}/{VARIANTS}")  # noqa: PTH116 - a str path on purpose, see above
        key += [st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    except OSError:
        key += [-1, -1, -1]
    return key


def _newest(key: Key) -> int:
    """The latest mtime or ctime (ns) in ``key``."""
    return max(key[1], key[2], key[5], key[6], key[8], key[9])


class SummaryCache:
    """Summaries (plain dicts) by project slug, each valid for one key.

    ``context`` names what the entries depend on besides the key (the projects folder, the
    summary's field names): entries made under another context are dropped on load.
    """

    def __init__(self, path: Path, context: Iterable[str]) -> None:
        self.path = path
        self.context = list(context)
        self._entries: dict[str, list[Any]] | None = None
        self._dirty = False
        self._used: set[str] = set()

    def _load(self) -> dict[str, list[Any]]:
        if self._entries is None:
            entries: dict[str, list[Any]] = {}
            with contextlib.suppress(OSError, ValueError):
                data = json.loads(self.path.read_bytes())
                if (isinstance(data, dict) and data.get("schema") == CACHE_SCHEMA
                        and data.get("context") == self.context and isinstance(data.get("projects"), dict)):
                    entries = data["projects"]
            self._entries = entries
        return self._entries

    def get(self, slug: str, key: Key) -> list[Any] | None:
        """The summary kept for ``slug`` if it was computed from inputs with this very ``key``.

        A summary is a row of values (their names are in the context): half the size of a JSON
        object per project, and the cache's one parse is most of a warm listing."""
        self._used.add(slug)
        entry = self._load().get(slug)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], list):
            return entry[1]
        return None

    def put(self, slug: str, key: Key, summary: list[Any]) -> None:
        """Keep ``summary`` for ``key``, unless the inputs are too fresh for their stat to vouch for them.

        ``key`` must be taken *before* the inputs were read: a change after that changes the key."""
        self._used.add(slug)
        entries = self._load()
        if _newest(key) > time.time_ns() - int(RACY_SECONDS * 1e9):
            if entries.pop(slug, None) is not None:
                self._dirty = True
            return
        entries[slug] = [key, summary]
        self._dirty = True

    def forget(self, slug: str) -> None:
        """Keep nothing for ``slug`` (a summary not worth keeping), but do not count it as deleted."""
        self._used.add(slug)
        if self._load().pop(slug, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the cache if anything changed, leaving out projects that were not asked about
        (deleted or renamed since). Never raises: a cache that cannot be written is only slower."""
        entries = self._load()
        gone = [slug for slug in entries if slug not in self._used]
        for slug in gone:
            del entries[slug]
        if not (self._dirty or gone):
            return
        data = {"schema": CACHE_SCHEMA, "context": self.context, "projects": entries}
        with contextlib.suppress(OSError):
            atomic_write(self.path, json.dumps(data, separators=(",", ":")).encode("utf-8"), fsync=False)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():  # inodes and ctimes are this machine's: never committed or merged
                atomic_write(ignore, GITIGNORE.encode("utf-8"), fsync=False)
        self._dirty = False
