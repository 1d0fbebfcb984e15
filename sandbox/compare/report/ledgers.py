"""Ledger lines into typed columns, in SQL: the acceptance rules every reader of a ledger applies.

Why SQL: DuckDB parses JSON lines in C++ on every core, which a Python loop over ``json.loads``
cannot match (docs/EXPORT.md has the figures). Each line is parsed once, into the JSON text of each
field it has (``json_transform`` to ``JSON``); a field's type is then read off the first character
of its text, which costs far less than a second parse.

The rules (those of the pure-Python reader the report had before, plus rule 6):

1. Lines are split on ``\\n`` (a ``\\r`` before it is ignored); a blank line is skipped silently.
2. A line that is not one JSON value (a torn write, text after the value) is a damaged line.
3. A value that is not an object, or an object whose ``id`` or ``kind`` is not a string, is a
   damaged line.
4. Every other line is an event. Events are de-duplicated by ``id``: the first one counts (sources
   in the order given, project folders by name, lines in file order); the others are counted as
   repeats.
5. A field of the wrong JSON type counts as absent (see ``schema``), never as an error.
6. An event whose ``schema`` is a whole number above this sandbox's (``core.ledger.SCHEMA_VERSION``)
   was written by a newer sandbox: it is skipped and counted (``newer_schema_skipped``), before
   de-duplication (docs/EVENTS.md).
7. Every other line must pass the ledger validator (``sandbox.core.events``, per kind), exactly
   as ``ledger.read`` judges it: ``acceptance`` checks in SQL what it surely can and hands the
   rest to ``ledger.parse_line``. A line it refuses is a damaged line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sandbox.compare.report import acceptance
from sandbox.compare.report.schema import Column


@dataclass(frozen=True)
class Field:
    """A column of the scan: its name in the scan table, the event column it reads, and the kinds
    of event it is read for (None: every kind). Reading a column only where it is used is most of
    the scan's speed: three lines in four are change batches, which need no more than id and kind."""

    name: str
    column: Column
    kinds: tuple[str, ...] | None = None


def _structure(fields: list[Field]) -> dict[str, object]:
    """The ``json_transform`` structure: every top-level field read or validated, as JSON text.

    Flat, so that a nested object's own text is there for the validator; a nested field (a run's
    ``tokens.input``) is read from its parent's text, which only those few events have.
    """
    names = dict.fromkeys(f.column.json_path[2:].split(".")[0] for f in fields)
    names.update(dict.fromkeys(acceptance.field_names()))
    return dict.fromkeys(names, "JSON")


def _text_of(name: str) -> str:
    return f'CAST(e."{name}" AS VARCHAR)'


def _convert(field: Field) -> str:
    """SQL for one column: the value when its JSON text has the right type, else NULL."""
    column = field.column
    top, *rest = column.json_path[2:].split(".")
    j = f'e."{top}"'
    if rest:
        j = f"json_extract({j}, '$." + ".".join(f'"{p}"' for p in rest) + "')"
    text = f"CAST({j} AS VARCHAR)"  # the JSON text itself (a cast from JSON would read the value)
    how = column.how
    if how == "text":
        sql = f"CASE WHEN starts_with({text}, '\"') THEN {j} ->> '$' END"
    elif how == "num":
        # a JSON string, true or a list does not cast; NaN and Infinity (Python's json accepts them)
        # do, and are dropped
        sql = f"CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END"
    elif how == "int":
        number = f"TRY_CAST({text} AS DOUBLE)"
        sql = f"CASE WHEN {number} = trunc({number}) THEN TRY_CAST({number} AS BIGINT) END"
    elif how == "bool":
        sql = f"CASE {text} WHEN 'true' THEN true WHEN 'false' THEN false END"
    elif how == "texts":
        sql = (f"CASE WHEN starts_with({text}, '[') THEN [x[1] FOR x IN list_zip(json_extract_string({j}, '$[*]'), "
               f"json_type({j}, '$[*]')) IF x[2] = 'VARCHAR'] END")
    elif how == "object":
        sql = f"CASE WHEN starts_with({text}, '{{') THEN {text} END"
    else:  # json: any value, as its JSON text
        sql = text
    if field.kinds is not None:
        kinds = ", ".join("'" + k.replace("'", "''") + "'" for k in field.kinds)
        sql = f"CASE WHEN k IN ({kinds}) THEN {sql} END"
    return f'{sql} AS "{field.name}"'


LINES_TABLE = "ledger_lines"


def lines_sql() -> str:
    """The ledgers' lines as DuckDB reads them (``$files``), into ``LINES_TABLE``: file index and text.

    Why a table of its own, before any field is read: read straight into the parse, a scan of many
    files that keeps its order runs at a third of the speed (13 s instead of 3 s for 200,000 lines in
    2,000 files, DuckDB 2.0); a table's rows keep that order (each file's lines together and in
    order), and the parse over the table runs on every core.
    """
    return (f"CREATE TEMP TABLE {LINES_TABLE} AS SELECT file_index, json "
            "FROM read_ndjson_objects($files, ignore_errors = true)")


def scan_sql(fields: list[Field], *, keep_raw: bool) -> str:
    """SELECT over ``LINES_TABLE``: file index, line (its place), validity, then one column per field.

    ``fields`` must start with ``id`` and ``kind`` (text): rule 3 reads them. Damaged lines come out
    with ``valid`` false (and NULL values), so they can be counted; blank lines do not come out.
    """
    if [f.name for f in fields[:2]] != ["id", "kind"]:
        raise ValueError("a ledger scan starts with id and kind")
    structure = json.dumps(_structure(fields)).replace("'", "''")
    columns = ",\n  ".join(_convert(f) for f in fields[2:])
    # ``valid`` is the SQL's verdict where it is sure; ``check_line`` holds the lines it is not
    # sure of, for ``acceptance.settle_unsure`` to judge with the validator itself
    return (
        f"SELECT file_index AS file, line, sure AS valid, sure AND {acceptance.newer_sql(_text_of)} AS newer,\n"
        "  CASE WHEN json IS NOT NULL AND NOT sure THEN json END AS check_line, id, k AS kind,\n"
        f"  {columns}{', json AS raw' if keep_raw else ''}\n"
        f"FROM (SELECT *, coalesce({acceptance.sure_sql(_text_of)}, false) AS sure\n"
        "FROM (SELECT file_index, line, json, e,\n"
        "        CASE WHEN starts_with(CAST(e.\"id\" AS VARCHAR), '\"') THEN e.\"id\" ->> '$' END AS id,\n"
        "        CASE WHEN starts_with(CAST(e.\"kind\" AS VARCHAR), '\"') THEN e.\"kind\" ->> '$' END AS k\n"
        f"      FROM (SELECT file_index, rowid AS line, json, json_transform(json, '{structure}') AS e\n"
        f"            FROM {LINES_TABLE})))"
    )
