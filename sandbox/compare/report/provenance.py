"""The report's inputs and privacy rule in words, for the formats people read (Markdown, HTML).

Why: the JSON carries ``inputs`` and ``privacy`` for tools; a person comparing two printed reports
needs the same facts in the report itself: what was read (commit, export hashes, database and
schema version), how many events, the bootstrap seed, and what was left out to protect raters.
"""

from __future__ import annotations

from typing import Any


def _source(source: dict[str, Any]) -> str:
    kind, path = source.get("kind", "?"), source.get("path") or source.get("database") or ""
    if source.get("archive_sha256"):
        return f"{kind} {path} (archive sha256 {source['archive_sha256'][:12]})"
    if kind == "workspace":
        commit = source.get("commit")
        state = "no git commit" if not commit else f"commit {commit[:12]}"
        if source.get("changed_since_commit"):
            state += ", with ledger changes since"
        return f"workspace {path} ({state})"
    if kind == "export":
        files = source.get("files") or {}
        digests = ", ".join(f"{name} {digest[:12]}" for name, digest in files.items() if digest)
        return f"export {path} (schema {source.get('schema_version')}; sha256: {digests})"
    if kind == "postgresql":
        return (f"database {path} (PostgreSQL {source.get('server_version')}, schema {source.get('schema_version')}, "
                f"{source.get('events')} events, read {source.get('read_at')})")
    return f"{kind} {path}"


def input_lines(data: dict[str, Any]) -> list[str]:
    """One line per fact: each source, then the events, the seed and the privacy rule."""
    inputs = data.get("inputs")
    if not inputs:
        return []
    lines = [f"Read: {_source(s)}" for s in inputs.get("sources", [])]
    boot = inputs.get("bootstrap", {})
    lines.append(
        f"{inputs.get('events')} events (digest {inputs.get('events_digest')}), bootstrap seed {boot.get('seed')} "
        f"with {boot.get('replicates')} replicates ({boot.get('group_replicates')} per group), "
        f"{inputs.get('engine')}, tables schema {inputs.get('tables_schema')}."
    )
    privacy = data.get("privacy")
    if privacy:
        lines.append(f"Privacy: {privacy['note']} No rater is named in this report.")
    return lines
