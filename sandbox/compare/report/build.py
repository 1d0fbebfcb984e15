"""Building a report from a workspace: its ledgers folded, its rubric and names, then summarised."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from sandbox.compare.report.fold import fold_workspace
from sandbox.compare.report.model import Report
from sandbox.compare.report.summary import report_data
from sandbox.compare.rubric import rubric
from sandbox.core.errors import SandboxError

if TYPE_CHECKING:
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
) -> Report:
    """Read every ledger of ``workspace`` once and summarise it (optionally one category only).

    The cyclic garbage collector is paused meanwhile: parsing allocates hundreds of thousands of
    small dicts and no cycles, and each automatic collection would rescan all of them.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        fold = fold_workspace(workspace.projects_dir, category=category, keep_events=keep_events)
        criteria = _criteria(workspace, fold.criteria_seen)
        data = report_data(
            fold, criteria, _names(workspace), category=category, replicates=replicates,
            group_replicates=group_replicates, seed=seed,
        )
        return Report(data=data, events=fold.events, projects=fold.projects, event_projects=fold.event_projects)
    finally:
        if collecting:
            gc.enable()


def _criteria(workspace: Workspace, seen: dict[str, None]) -> list[dict[str, str]]:
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
