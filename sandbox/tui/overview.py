"""What the Overview tab shows, computed from core APIs only (spec, ledger, render manifest, sessions).

Runs in a worker: it reads the ledger and the manifest, which can take a moment on a big project.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from sandbox.core import ledger
from sandbox.core.errors import SandboxError


def optional(module: str) -> Any | None:
    """``sandbox.<module>`` if it exists (features land at different times), else None."""
    try:
        return importlib.import_module(f"sandbox.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"sandbox.{module}":
            return None
        raise


@dataclass
class VariantRow:
    variant: str
    assistant: str
    status: str
    files: str
    last_activity: str | None
    session_open: bool = False


@dataclass
class Overview:
    slug: str
    spec: Any | None
    spec_error: str | None
    variants: list[VariantRow] = field(default_factory=list)
    events: int = 0
    problems: list[str] = field(default_factory=list)


def assistant_name(workspace: Any, variant: str) -> str:
    try:
        known = workspace.registry.get(variant)
    except SandboxError:
        known = None
    return known.name if known is not None else variant


def build_overview(workspace: Any, slug: str, preview_urls: dict[str, str] | None = None) -> Overview:
    from sandbox.make.scaffold import read_manifest

    project = workspace.project(slug)
    try:
        spec = project.load_spec()
        spec_error = None
    except SandboxError as exc:
        spec, spec_error = None, str(exc)
    read = ledger.read(project.ledger_path)
    manifest = {}
    try:
        manifest = read_manifest(project.path).get("variants", {})
    except Exception:  # noqa: BLE001 - a damaged manifest only hides the file counts
        manifest = {}
    sessions = optional("sessions")
    open_by_variant: dict[str, dict[str, Any]] = {}
    if sessions is not None:
        try:
            open_by_variant = sessions.open_sessions(project)
        except SandboxError:
            open_by_variant = {}
    urls = preview_urls or {}
    rows = []
    for variant in project.variant_ids():
        events = [e for e in read.events if e.get("variant") == variant]
        changed: set[str] = set()
        scores: list[float] = []
        for e in events:
            kind = e.get("kind")
            if kind == ledger.CHANGE:
                changed.update(str(f) for f in e.get("files") or [])
            elif kind == ledger.SESSION_ENDED:
                for key in ("files_added", "files_changed"):
                    changed.update(str(f) for f in e.get(key) or [])
            elif kind == ledger.RATING:
                scores.extend(
                    float(v) for v in (e.get("scores") or {}).values()
                    if isinstance(v, (int, float)) and not isinstance(v, bool)
                )
        rendered = len((manifest.get(variant) or {}).get("files") or {})
        files = f"{rendered}" + (f" ({len(changed)} changed)" if changed else "")
        session = open_by_variant.get(variant)
        parts = []
        if session is not None:
            parts.append("assistant working on its own" if session.get("mode") == "run" else "session open")
        if variant in urls:
            parts.append("preview on")
        if scores:
            parts.append(f"rated {sum(scores) / len(scores):.1f}/5")
        rows.append(
            VariantRow(
                variant=variant,
                assistant=assistant_name(workspace, variant),
                status=", ".join(parts) or "ready",
                files=files,
                last_activity=max(
                    (str(e.get("at", "")) for e in read.events if e.get("variant") in (variant, None)), default=None
                ),
                session_open=session is not None,
            )
        )
    return Overview(slug, spec, spec_error, rows, len(read.events), read.problems)
