"""The report's slowest statistics, remembered between reports: the same inputs, the same numbers.

Why: the Bradley-Terry bootstrap (hundreds of refits per slice, pure Python) and the Student-t
quantiles (a bisection over the incomplete beta function) are a quarter of a warm report of
200,000 events, and both are pure functions of a few numbers: the vote counts of a slice with the
seed and the number of replicates; the degrees of freedom. Between two reports most slices' votes
are unchanged, so their results are read back instead of recomputed (a new vote in one project
recomputes the slices it belongs to: the whole report, its category, its template).

Each entry is keyed by everything its result depends on, including the text of ``stats`` itself,
so a change to the statistics' code never reads a result the old code computed. Floats are kept as
JSON writes them (the shortest text that reads back as the same float), so a remembered result is
bit for bit the computed one. The file sits beside the ledger cache (``ledger_cache.cache_folder``)
and is off with it; it is written atomically, and a file that cannot be read is treated as empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox.compare import stats
from sandbox.compare.report import ledger_cache
from sandbox.core.fs import atomic_write

MEMO_FILE = "report-stats.json"
MAX_ENTRIES = 4096  # the oldest are dropped beyond this: a few hundred slices per organisation
_FORMAT = 1


class StatsMemo:
    """Results by key, loaded once, written once at the end of a report if anything was added."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, Any] | None = None
        self._added = False
        self._code = ""
        self._t_known = 0

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            if self.path is not None:
                with contextlib.suppress(OSError, ValueError):
                    data = json.loads(self.path.read_bytes())
                    if not isinstance(data, dict):
                        data = {}
                    entries = data.get("entries")
                    if data.get("format") == _FORMAT and isinstance(entries, dict):
                        self._entries = entries
            with contextlib.suppress(OSError):
                self._code = hashlib.sha256(Path(stats.__file__).read_bytes()).hexdigest()
        return self._entries

    def _key(self, *parts: object) -> str | None:
        self._load()
        if not self._code:  # without the code's text a result cannot be tied to the code
            return None
        text = json.dumps([self._code, *parts], separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def bootstrap(
        self, items: Sequence[str], outcome_counts: Mapping[tuple[str, str, float], int], *,
        replicates: int, seed: int, prior: float,
    ) -> stats.BTBootstrap[str]:
        """``stats.bootstrap_bradley_terry`` of these arguments, remembered."""
        key = self._key("bt", list(items), [[a, b, s, n] for (a, b, s), n in outcome_counts.items()],
                        replicates, seed, prior)
        entries = self._load()
        found = entries.get(key) if key else None
        if isinstance(found, list) and len(found) == 4:
            strengths, low, high, done = found
            return stats.BTBootstrap(dict(strengths), dict(low), dict(high), int(done), seed)
        fit = stats.bootstrap_bradley_terry(items, outcome_counts, replicates=replicates, seed=seed, prior=prior)
        if key:
            entries[key] = [list(fit.strengths.items()), list(fit.low.items()), list(fit.high.items()),
                            fit.replicates]
            self._added = True
        return fit

    def t_quantiles(self) -> None:
        """The t quantiles remembered from earlier reports into ``stats``' own cache."""
        key = self._key("t")
        found = self._load().get(key) if key else None
        if isinstance(found, list):
            for df, confidence, value in found:
                stats._T_CACHE.setdefault((int(df), float(confidence)), float(value))
        self._t_known = len(stats._T_CACHE)

    def save(self) -> None:
        """Write the memo if this report added to it. Never raises: without it a report is only slower."""
        key = self._key("t")
        entries = self._load()
        if key and len(stats._T_CACHE) > self._t_known:
            entries[key] = [[df, c, v] for (df, c), v in sorted(stats._T_CACHE.items())]
            self._added = True
        if not self._added or self.path is None:
            return
        while len(entries) > MAX_ENTRIES:  # dicts keep insertion order: the first are the oldest
            del entries[next(iter(entries))]
        with contextlib.suppress(OSError):
            data = json.dumps({"format": _FORMAT, "entries": entries}, separators=(",", ":"))
            atomic_write(self.path, data.encode("utf-8"), fsync=False)
        self._added = False


def memo() -> StatsMemo:
    """The memo in the cache folder, or one that keeps nothing when the cache is off."""
    folder = ledger_cache.cache_folder()
    return StatsMemo(None if folder is None else folder / MEMO_FILE)
