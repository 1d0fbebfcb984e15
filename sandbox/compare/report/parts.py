"""The report's parts beyond the core tables, registered with the engine and the summary in one place.

Why one place: the engine reads the columns every registered aggregate names, and the summary
turns each aggregate's rows into the section key of the same name (``aggregates`` explains the
pattern). Registering here, once, keeps ``engine`` and ``summary`` unaware of which parts exist,
and lets the equality tests against the old fold know which keys are new (``SECTION_KEYS``,
``REPORT_KEYS``): the old fold never computed them.
"""

from __future__ import annotations

from sandbox.compare.report import aggregates, evidence, runs, summary

# Keys each section (the whole report, each category, each template) gains; and the report itself.
SECTION_KEYS = (*evidence.SECTIONS, *runs.SECTIONS)
REPORT_KEYS = ("headlines",)


def register() -> None:
    """Add the evidence, violations, runs and cost-per-win parts (once; later calls change nothing)."""
    known = {a.name for a in aggregates.EXTRA}
    for aggregate in (*evidence.AGGREGATES, *runs.AGGREGATES):
        if aggregate.name not in known:
            aggregates.EXTRA.append(aggregate)
    for key, part in {**evidence.SECTIONS, **runs.SECTIONS}.items():
        summary.EXTRA_SECTIONS.setdefault(key, part)
