"""Where a report's events come from: workspaces, project folders, exports and the shared database.

``sandbox report --from PATH`` takes another workspace, one project folder, a folder written by
``sandbox export``, a folder of any of these, an archive of any of these (``.zip``, ``.tar``,
``.tar.gz``, ``.tgz``: what a team mails in), a glob, or a ``postgresql://`` address. Each becomes a
``Source`` that knows how to describe itself for the report's "inputs" (a workspace's git commit,
an export's file hashes, the database and its schema version), so two people who run the same
report can tell they read the same things.
"""

from __future__ import annotations

import glob
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.compare.report.model import ReportError
from sandbox.core import ledger

EXPORT_MANIFEST = "export.json"
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass
class LedgerSource:
    """Project folders with ledgers: a workspace (``projects/*/ledger.jsonl``) or a single project."""

    root: Path
    files: list[tuple[str, Path]]  # (project folder name, ledger), folders by name
    kind: str = "workspace"
    archive: dict[str, str] | None = None  # {"path", "sha256"} when unpacked from an archive
    _git: subprocess.Popen[str] | None = field(default=None, repr=False)

    def start_describing(self) -> None:
        """Ask git for the commit now, in the background: the answer is read after the events."""
        if self.kind != "workspace" or self._git is not None or self.archive is not None:
            return
        script = "git rev-parse HEAD && git status --porcelain --untracked-files=all -- projects | head -n 1"
        try:
            self._git = subprocess.Popen(
                ["sh", "-c", script], cwd=self.root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            )
        except OSError:
            self._git = None

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"kind": self.kind, "path": str(self.root), "ledgers": len(self.files)}
        if self.archive is not None:  # the unpacked folder is gone after the report: name the archive
            described.update(path=self.archive["path"], archive_sha256=self.archive["sha256"])
        elif self.kind == "workspace":
            self.start_describing()
            commit, changed = None, None
            if self._git is not None:
                out, _ = self._git.communicate()
                lines = out.split("\n")
                if self._git.returncode == 0 and lines and len(lines[0]) >= 40:
                    commit, changed = lines[0], bool("".join(lines[1:]).strip())
            # "changed": ledgers differ from the commit (new events since), so the commit alone
            # (a status line starts with a space when the change is not staged: the whole line counts)
            # does not pin the numbers down
            described.update(commit=commit, changed_since_commit=changed)
        return described


@dataclass
class ExportSource:
    """A folder written by ``sandbox export``: its manifest names the tables and their hashes."""

    root: Path
    manifest: dict[str, Any]
    kind: str = "export"
    archive: dict[str, str] | None = None

    def start_describing(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": str(self.root) if self.archive is None else self.archive["path"],
            **({"archive_sha256": self.archive["sha256"]} if self.archive else {}),
            "schema_version": self.manifest.get("schema_version"),
            "format": self.manifest.get("format"),
            "pseudonymised": self.manifest.get("pseudonymised"),
            "files": {name: info.get("sha256") for name, info in sorted(self.manifest.get("tables", {}).items())},
        }


@dataclass
class PostgresSource:
    """The organisation's shared database (``sandbox sync`` fills it)."""

    url: str
    kind: str = "postgresql"
    described: dict[str, Any] = field(default_factory=dict)

    def start_describing(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.described}


Source = LedgerSource | ExportSource | PostgresSource


def workspace_source(root: Path) -> LedgerSource:
    return LedgerSource(root=root, files=ledger_files(root / "projects"))


def ledger_files(projects_dir: Path) -> list[tuple[str, Path]]:
    """``(folder name, ledger path)`` of every project folder that has a readable ledger, by name."""
    found = []
    try:
        entries = sorted(os.scandir(projects_dir), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise ReportError(f"cannot read the projects folder {projects_dir}: {exc.strerror or exc}") from None
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        path = Path(entry.path) / ledger.LEDGER_FILE
        # a regular file we may read; anything else (a FIFO, a link to a device) is not a ledger
        if path.is_file() and os.access(path, os.R_OK):
            found.append((entry.name, path))
    return found


def resolve(specs: list[str]) -> list[Source]:
    """Every ``--from`` given, in order: each a path, a glob or a database address."""
    sources: list[Source] = []
    for spec in specs:
        if spec.startswith(POSTGRES_SCHEMES):
            sources.append(PostgresSource(spec))
            continue
        if glob.has_magic(spec):
            matches = sorted(glob.glob(os.path.expanduser(spec)))  # noqa: PTH207, PTH111 - a pattern may be absolute
            if not matches:
                raise ReportError(f"--from {spec}: nothing matches this pattern")
            for match in matches:
                sources += _path_sources(Path(match), spec, nested=True)
            continue
        sources += _path_sources(Path(spec).expanduser(), spec, nested=True)
    return sources


def _path_sources(path: Path, spec: str, *, nested: bool) -> list[Source]:
    """A workspace, an export, a project folder, an archive, or (one level down) a folder of those."""
    if not path.exists():
        raise ReportError(f"--from {spec}: {path} does not exist")
    if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
        return _archive_sources(path, spec)
    if path.is_file() and path.name == EXPORT_MANIFEST:
        path = path.parent
    if not path.is_dir():
        raise ReportError(f"--from {spec}: {path} is not a folder (give a workspace, a project or an export folder)")
    if (path / EXPORT_MANIFEST).is_file():
        return [ExportSource(path, read_manifest(path))]
    if (path / "projects").is_dir():
        return [workspace_source(path)]
    if (path / ledger.LEDGER_FILE).is_file():
        return [LedgerSource(root=path, files=[(path.name, path / ledger.LEDGER_FILE)], kind="project")]
    if nested:
        inner: list[Source] = []
        children = (p for p in path.iterdir() if not p.name.startswith("."))
        for child in sorted(p for p in children if p.is_dir() or p.name.lower().endswith(ARCHIVE_SUFFIXES)):
            try:
                inner += _path_sources(child, spec, nested=False)
            except ReportError:
                continue
        if inner:
            return inner
    raise ReportError(
        f"--from {spec}: {path} is not a workspace (no projects/ folder), a project (no {ledger.LEDGER_FILE}) "
        f"or an export (no {EXPORT_MANIFEST})"
    )


def read_manifest(folder: Path) -> dict[str, Any]:
    """An export's manifest, checked enough that reading its tables cannot go wrong silently."""
    import json

    from sandbox.compare.report.schema import SCHEMA_VERSION

    path = folder / EXPORT_MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: not a readable export manifest ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("tables"), dict):
        raise ReportError(f"{path}: not an export manifest (no 'tables')")
    version = data.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ReportError(
            f"{path}: export schema version {version!r}; this sandbox reads up to {SCHEMA_VERSION} (update the sandbox)"
        )
    if data.get("format") not in ("parquet", "jsonl"):
        raise ReportError(f"{path}: unknown export format {data.get('format')!r} (parquet or jsonl)")
    return data


# Unpacked archives live until the process ends (the report reads them after ``resolve`` returns).
_UNPACKED: list[tempfile.TemporaryDirectory[str]] = []


def _archive_sources(path: Path, spec: str) -> list[Source]:
    """The sources inside an archive, unpacked into a temporary folder (safely: no path leaves it)."""
    import hashlib
    import tarfile
    import zipfile

    scratch = tempfile.TemporaryDirectory(prefix="sandbox-from-")
    _UNPACKED.append(scratch)
    target = Path(scratch.name)
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():  # zipfile strips "..", but refuse rather than guess
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise ReportError(f"--from {spec}: {path} holds a path outside itself ({name})")
                archive.extractall(target)
        else:
            with tarfile.open(path) as archive:
                archive.extractall(target, filter="data")
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise ReportError(f"--from {spec}: cannot unpack {path}: {exc}") from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    inner = [p for p in target.iterdir() if not p.name.startswith(".")]
    root = inner[0] if len(inner) == 1 and inner[0].is_dir() else target  # one top folder: it is the source
    found = _path_sources(root, spec, nested=True)
    for source in found:
        if isinstance(source, LedgerSource | ExportSource):
            label = str(path) if len(found) == 1 else f"{path}:{source.root.relative_to(target)}"
            source.archive = {"path": label, "sha256": digest}
    return found
