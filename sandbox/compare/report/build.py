"""Building a report: the sources' events counted by the engine, the rubric and names, then summarised.

``build_report(workspace)`` is the team's report over its own ledgers; ``sources`` adds other
workspaces, exports or the shared database, which makes it an organisation report: breakdowns
with fewer raters than ``min_group`` are suppressed (``privacy``) and no one is named.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sandbox.compare.report import privacy
from sandbox.compare.report.model import Report
from sandbox.compare.report.summary import report_data
from sandbox.compare.rubric import WORKS_CRITERION, rubric
from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
    from sandbox.compare.report.engine import EngineResult
    from sandbox.compare.report.sources import Source
    from sandbox.workspace import Workspace

BT_REPLICATES = 400  # bootstrap replicates for the whole workspace's Bradley-Terry intervals
BT_GROUP_REPLICATES = 200  # and for each category and template: there are many, each is smaller
BT_SEED = 20240601  # seeded: the same ledgers give the same report


def build_report(
    workspace: Workspace,
    *,
    category: str | None = None,
    replicates: int = BT_REPLICATES,
    group_replicates: int = BT_GROUP_REPLICATES,
    seed: int = BT_SEED,
    keep_events: bool = True,
    sources: Sequence[str | Source] = (),
    include_workspace: bool = True,
    min_group: int | None = None,
) -> Report:
    """Count every event of ``workspace`` (and of ``sources``) once and summarise (optionally one category).

    ``sources`` are ``--from`` texts (paths, globs, ``postgresql://`` addresses) or resolved sources.
    ``min_group`` (default ``privacy.MIN_GROUP`` when there are other sources, else off) is the
    fewest raters a category or template needs to be shown on its own.
    """
    from sandbox.compare.report import engine, headlines, parts
    from sandbox.compare.report.sources import resolve, workspace_source

    parts.register()

    resolved: list[Source] = [workspace_source(workspace.root)] if include_workspace else []
    for source in sources:
        resolved += resolve([source]) if isinstance(source, str) else [source]
    organisation = bool(sources) or not include_workspace
    if min_group is None:
        min_group = privacy.MIN_GROUP if organisation else 0
    collecting = gc.isenabled()
    gc.disable()  # the summary allocates many small objects and no cycles
    try:
        result = engine.count_events(
            resolved, category=category, keep_events=keep_events, works_criterion=WORKS_CRITERION
        )
        counts = result.counts
        suppressed = privacy.suppress(counts, min_group)
        criteria = _criteria(workspace, counts.criteria_seen)
        data = report_data(
            counts, criteria, _names(workspace), category=category, replicates=replicates,
            group_replicates=group_replicates, seed=seed,
        )
        data["headlines"] = headlines.headlines(data)
        if min_group:
            data["privacy"] = privacy.statement(min_group, suppressed)
        data["inputs"] = _inputs(result, seed, replicates, group_replicates)
        return Report(
            data=data, events=result.events, projects=counts.projects, event_projects=result.event_projects,
            organisation=organisation,
        )
    finally:
        if collecting:
            gc.enable()


def _inputs(result: EngineResult, seed: int, replicates: int, group_replicates: int) -> dict[str, object]:
    """What the numbers were computed from, so two people can tell they ran the same report."""
    from sandbox.compare.report.schema import SCHEMA_VERSION

    return {
        "sources": result.sources,
        "events": result.counts.event_count,
        # order-free fingerprint of the counted events' ids: equal sets of events, equal digests,
        # whether they were read from ledgers, an export or the database
        "events_digest": result.events_digest,
        "bootstrap": {"seed": seed, "replicates": replicates, "group_replicates": group_replicates},
        "engine": f"duckdb {result.duckdb_version}",
        "tables_schema": SCHEMA_VERSION,
    }


def _criteria(workspace: Workspace, seen: Sequence[str]) -> list[dict[str, str]]:
    """The rubric's criteria, then any criterion found in old ratings that the rubric no longer has."""
    current = rubric(workspace)  # a broken rubric in sandbox.yaml is an error with its line, not a silent default
    result = [c.to_dict() for c in current]
    known = {c.id for c in current}
    result += [{"id": cid, "label": cid, "hint": "(not in the current rubric)"} for cid in seen if cid not in known]
    return result


def _names(workspace: Workspace) -> dict[str, str]:
    """Display names by assistant id; ids alone when the registry cannot be read."""
    try:
        return {aid: a.name for aid, a in workspace.registry.items()}
    except SandboxError:
        return {}
