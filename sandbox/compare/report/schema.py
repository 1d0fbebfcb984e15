"""The tidy tables: one per event kind, plus rating scores, projects and variants (docs/EXPORT.md).

Why one definition: ``sandbox export`` writes these tables, ``sandbox sync`` keeps the same tables in
PostgreSQL, and the report engine reads ledgers into the same columns. An analyst who knows one
knows all three, and a report from an export or from the database is the report from the ledgers.

Each column says where it comes from in an event (a JSON path) and how its value is read (``how``):

- ``text``: a JSON string; ``num``: a finite JSON number; ``int``: a JSON number with no fraction;
  ``bool``: JSON true or false; ``texts``: the strings of a JSON list; ``json``: any JSON value,
  kept as its JSON text.

A value of another JSON type counts as absent (NULL), the rule every reader applies (docs/EVENTS.md:
"readers never crash on a wrong type"). ``private`` columns are free text (notes, reasons) that an
export keeps out unless asked.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1  # of the tables; bumped when a column changes meaning or type (docs/EXPORT.md)

SQL_TYPES = {
    "text": "VARCHAR",
    "num": "DOUBLE",
    "int": "BIGINT",
    "bool": "BOOLEAN",
    "texts": "VARCHAR[]",
    "json": "VARCHAR",
    "object": "VARCHAR",  # a JSON object, kept as its JSON text (the ledger scan's rating scores)
}


@dataclass(frozen=True)
class Column:
    """One column: its name, how its value is read, and its JSON path in the event."""

    name: str
    how: str
    path: str = ""  # "$.name" when empty
    private: bool = False

    @property
    def json_path(self) -> str:
        return self.path or f"$.{self.name}"

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.how]


@dataclass(frozen=True)
class Table:
    """One tidy table: the event kind it holds (None for derived tables) and its own columns."""

    name: str
    kind: str | None
    columns: tuple[Column, ...]


def _cols(spec: str, how: str, *, private: bool = False) -> tuple[Column, ...]:
    return tuple(Column(name, how, private=private) for name in spec.split())


# Every event table starts with these. ``project`` is the folder the event was read from (the report
# counts by folder: an event's own "project" field goes stale when a folder is renamed);
# ``project_key`` tells apart two projects of one name from two workspaces (docs/EXPORT.md).
# ``seq`` is the event's place in the export (folders by name, then ledger lines).
COMMON = (
    Column("id", "text"),
    Column("at", "text"),
    Column("kind", "text"),
    Column("schema", "int"),
    Column("variant", "text"),
    Column("assistant", "text"),
    Column("by", "text"),
)
PLACE = ("seq", "project", "project_key")  # added by the reader, not read from the event

_CLOSING = (
    _cols("session mode started_at", "text")
    + _cols("seconds", "num")
    + _cols("files_added files_changed files_deleted", "texts")
    + _cols("lines_added lines_removed", "int")
    + _cols("contained", "bool")
    + _cols("confinement attribution", "text")
    + _cols("hook_silent", "bool")
    + _cols("brief_sha256", "text")
    + _cols("brief_override", "texts")
    + _cols("violations", "json")
)

EVENT_TABLES = (
    Table("created", "created", _cols("title template category", "text") + _cols("assistants", "texts")
          + _cols("files", "int") + _cols("template_sha256", "text")),
    Table("rendered", "rendered", _cols("files conflicts removed new_variants", "texts") + _cols("seconds", "num")),
    Table("sessions_started", "session_started", _cols("session mode", "text") + _cols("files lines", "int")
          + _cols("contained", "bool") + _cols("confinement brief_sha256", "text")),
    Table("sessions_ended", "session_ended", _CLOSING + _cols("score", "int") + _cols("note", "text", private=True)),
    Table("runs", "run", _CLOSING + _cols("run_id", "text") + _cols("command", "texts") + _cols("log", "text")
          + _cols("exit_code", "int") + _cols("timed_out interrupted ok", "bool") + _cols("failure reason", "text")
          + _cols("cli cli_version", "text") + _cols("models", "texts") + _cols("api_seconds", "num")
          + _cols("turns", "int")
          + tuple(Column(f"tokens_{part}", "int", f"$.tokens.{part}") for part in
                  ("input", "output", "cache_read", "cache_write"))
          + (Column("cost_amount", "num", "$.cost.amount"), Column("cost_unit", "text", "$.cost.unit"),
             Column("tools_accepted", "int", "$.tools.accepted"), Column("tools_denied", "int", "$.tools.denied"))
          + _cols("telemetry", "bool")
          + (Column("result_total_cost_usd", "num", "$.result.total_cost_usd"),
             Column("result_duration_ms", "num", "$.result.duration_ms"))),
    Table("changes", "change", _cols("session mode", "text") + _cols("files", "texts")
          + _cols("lines_added lines_removed", "int")),
    Table("edits", "edit", _cols("session mode file tool source", "text")),
    Table("ratings", "rating", _cols("minutes", "num") + _cols("note", "text", private=True)
          + _cols("comparison side", "text")),
    Table("compares", "compare", _cols("comparison a b a_assistant b_assistant a_tree b_tree a_brief b_brief origin",
                                        "text")),
    Table("votes", "vote", _cols("comparison a b a_assistant b_assistant winner winner_assistant", "text")
          + _cols("reason", "text", private=True)
          + _cols("a_tree b_tree a_brief b_brief template_sha256 a_cli_version b_cli_version", "text")
          + _cols("a_worked b_worked", "bool") + _cols("guess_a", "text") + _cols("guess_correct", "bool")
          + _cols("via", "text")),
    Table("other_events", None, ()),  # kinds this version does not know: kept, counted, common columns only
)

# The derived tables (no event kind of their own). Their columns, in order, with SQL types.
RATING_SCORES = (("id", "VARCHAR"), ("project_key", "VARCHAR"), ("criterion", "VARCHAR"), ("position", "BIGINT"),
                 ("score", "DOUBLE"))
PROJECTS = (("project_key", "VARCHAR"), ("project", "VARCHAR"), ("title", "VARCHAR"), ("category", "VARCHAR"),
            ("template", "VARCHAR"), ("created_at", "VARCHAR"), ("assistants", "VARCHAR[]"), ("events", "BIGINT"))
VARIANTS = (("project_key", "VARCHAR"), ("project", "VARCHAR"), ("variant", "VARCHAR"), ("assistant", "VARCHAR"),
            ("listed", "BOOLEAN"), ("events", "BIGINT"))
PLACE_TYPES = (("seq", "BIGINT"), ("project", "VARCHAR"), ("project_key", "VARCHAR"))

KNOWN_KINDS = tuple(t.kind for t in EVENT_TABLES if t.kind)
TABLE_NAMES = (*(t.name for t in EVENT_TABLES), "rating_scores", "projects", "variants")


def event_table(name: str) -> Table:
    for table in EVENT_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)


def table_columns(table: Table) -> list[tuple[str, str]]:
    """(name, SQL type) of every column of an event table, in order: place, common, its own."""
    return [*PLACE_TYPES, *((c.name, c.sql_type) for c in COMMON + table.columns)]


def derived_columns(name: str) -> tuple[tuple[str, str], ...]:
    return {"rating_scores": RATING_SCORES, "projects": PROJECTS, "variants": VARIANTS}[name]


def all_columns(name: str) -> list[tuple[str, str]]:
    """(name, SQL type) of every column of any table, by table name."""
    if name in ("rating_scores", "projects", "variants"):
        return list(derived_columns(name))
    return table_columns(event_table(name))
