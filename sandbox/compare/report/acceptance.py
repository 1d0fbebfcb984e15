"""Which ledger lines the report accepts: exactly those ``sandbox.core.ledger.read`` accepts (issue 12).

Why not DuckDB's own idea of a valid line: the validator (``sandbox.core.events.problem`` behind
``ledger.parse_line``) checks every field of every kind; a report that counted what ``sandbox log``
refuses (``"scores": "bad"``, ``"schema": 2.0``, ``NaN``) would disagree with every other reader.
And why not the validator on every line: parsing every line again in Python costs more than the
whole DuckDB report (issue 15's budget is 0.4 s for 200,000 events).

So the scan computes, per line, ``sure``: a check in SQL, built from the validator's own tables
(``events.COMMON``, ``events.KINDS``), that is strictly *stricter* than the validator: every line it
passes, the validator passes too. The lines the sandbox writes pass it. Every other line (a wrong
type, a number written ``1e3``, a deep or odd line, ``NaN``) goes to ``ledger.parse_line`` itself,
whose verdict decides. A line DuckDB cannot parse at all (torn, invalid UTF-8, a raw control
character) is one the validator refuses as well.

Known gap: a line that repeats a key (``{"winner": "A", "winner": "bad"}``) is read by DuckDB with
the first value and by Python's ``json`` with the last; such a line passes ``sure`` on its first
values. The sandbox never writes one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sandbox.core import events, ledger

if TYPE_CHECKING:
    import duckdb

SHORT_ID_BYTES = events.MAX_ID_CHARS  # as many bytes as characters allowed: surely short enough
NEWEST = events.SCHEMA_VERSION

# A JSON time as the sandbox writes it: 2025-03-01T09:30:00.000Z (or with an offset, or 6 digits).
_TIME = (r'"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{3}|\.[0-9]{6})?'
         r'(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"')


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _simple(check: events.Check) -> Callable[[str], str] | None:
    """SQL (over ``t``, a value's JSON text, never NULL here) that passes only values ``check`` passes."""
    table: dict[events.Check, Callable[[str], str]] = {
        events._text: lambda t: f"starts_with({t}, '\"')",
        events._whole: lambda t: f"regexp_full_match({t}, '-?[0-9]{{1,18}}')",
        events._number: lambda t: (
            f"(regexp_full_match({t}, '-?[0-9]{{1,18}}') OR (regexp_full_match({t}, "
            f"'-?[0-9]{{1,18}}\\.[0-9]{{1,17}}') AND isfinite(TRY_CAST({t} AS DOUBLE))))"),
        events._flag: lambda t: f"{t} IN ('true', 'false')",
        events._time: lambda t: (
            f"(regexp_full_match({t}, {_quote(_TIME)}) AND TRY_CAST(substr({t}, 2, 10) AS DATE) IS NOT NULL)"),
        events._texts: lambda t: (
            f"(starts_with({t}, '[') AND "
            f"len(list_filter(json_type({t}::JSON, '$[*]'), lambda x: x <> 'VARCHAR')) = 0)"),
        events._mapping: lambda t: f"starts_with({t}, '{{')",
        events._scores: lambda t: (
            f"(starts_with({t}, '{{') AND len(list_filter(json_type({t}::JSON, '$.*'), "
            f"lambda x: x NOT IN ('UBIGINT', 'BIGINT'))) = 0 AND "
            f"len(list_filter(json_extract_string({t}::JSON, '$.*'), "
            f"lambda x: x NOT IN ('1', '2', '3', '4', '5'))) = 0)"),
    }
    return table.get(check)


def check_parameter(check: events.Check, name: str) -> object:
    """A parameter of one of the validator's made checks (``_one_of``'s ``allowed``, ``_record``'s ``fields``)."""
    code = check.__code__
    cells = check.__closure__ or ()
    return dict(zip(code.co_freevars, (c.cell_contents for c in cells), strict=True))[name]


def value_sql(check: events.Check, t: str) -> str:
    """SQL true only for a present value (JSON text ``t``) that ``check`` surely accepts.

    The closures of ``events`` (one of, a record, a list of) are read for their parameters; a check
    this module does not know raises, so a new kind of check cannot slip past the report unseen
    (``tests/compare/report/test_acceptance.py`` builds the SQL for every kind).
    """
    simple = _simple(check)
    if simple is not None:
        return simple(t)
    made_by = check.__qualname__.split(".")[0]
    if made_by == "_one_of":
        allowed = check_parameter(check, "allowed")
        assert isinstance(allowed, tuple)
        return f"{t} IN ({', '.join(_quote(chr(34) + a + chr(34)) for a in allowed)})"
    if made_by == "_record":
        fields = check_parameter(check, "fields")
        assert isinstance(fields, dict)
        inner = [f"{t} IS NOT NULL"] + [
            _field_sql(f"CAST(json_extract({t}::JSON, {_quote('$.' + chr(34) + k + chr(34))}) AS VARCHAR)", c)
            for k, c in fields.items()]
        return f"(starts_with({t}, '{{') AND {' AND '.join(inner)})"
    if made_by == "_list_of":
        return f"{t} = '[]'"  # a non-empty list (violations) is rare: the validator judges it
    raise ValueError(f"the report has no SQL for the ledger check {check.__qualname__}")


def _field_sql(t: str, check: events.Check) -> str:
    """Absent (or null) passes; a present value must pass ``check``."""
    return f"({t} IS NULL OR {t} = 'null' OR {value_sql(check, t)})"


def field_names() -> list[str]:
    """Every top-level field the validator checks, for the scan's structure."""
    names = dict.fromkeys(events.COMMON)
    for fields in events.KINDS.values():
        names.update(dict.fromkeys(fields))
    return list(names)


def sure_sql(text_of: Callable[[str], str], kind: str = "k") -> str:
    """SQL true only for a parsed line the validator surely accepts as an event of this schema.

    ``text_of(name)`` is the SQL for a top-level field's JSON text (NULL when absent). The raw line
    is ``json``; the event's ``id`` and ``kind`` (decoded) are ``id`` and ``k``.
    """
    common = " AND ".join(_field_sql(text_of(n), c) for n, c in events.COMMON.items())
    per_kind = "\n    ".join(
        f"WHEN {_quote(name)} THEN {' AND '.join(_field_sql(text_of(n), c) for n, c in _own(fields).items())}"
        for name, fields in events.KINDS.items() if _own(fields))
    return (
        f"(id IS NOT NULL AND id <> '' AND strlen(id) <= {SHORT_ID_BYTES} AND {kind} IS NOT NULL AND {kind} <> ''"
        f" AND strlen(json) <= {ledger.MAX_LINE_BYTES}"
        " AND NOT contains(json, 'NaN') AND NOT contains(json, 'Infinity')"
        " AND NOT contains(json, '\\ud') AND NOT contains(json, '\\uD')"
        f" AND strlen(json) - strlen(replace(replace(json, '[', ''), '{{', '')) <= {ledger.MAX_DEPTH}"
        f" AND {common} AND CASE {kind}\n    {per_kind}\n    ELSE true END)"
    )


def _own(fields: Mapping[str, events.Check]) -> dict[str, events.Check]:
    return {n: c for n, c in fields.items() if n not in events.COMMON}


def newer_sql(text_of: Callable[[str], str]) -> str:
    """SQL true for a line the validator reads as a newer sandbox's (``events.is_newer``), when sure."""
    t = text_of("schema")
    return f"coalesce(regexp_full_match({t}, '[0-9]{{1,18}}') AND TRY_CAST({t} AS BIGINT) > {NEWEST}, false)"


def settle_unsure(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Judge the lines of ``table`` the SQL was not sure of with ``ledger.parse_line``; how many there were."""
    rows = con.execute(f"SELECT rowid, check_line FROM {table} WHERE check_line IS NOT NULL").fetchall()
    if not rows:
        return 0
    ids, valid, newer = [], [], []
    for rid, line in rows:
        ids.append(rid)
        try:
            event = ledger.parse_line(line.encode("utf-8", "surrogatepass"))
        except ValueError:
            valid.append(False)
            newer.append(False)
            continue
        valid.append(True)
        newer.append(events.is_newer(event))
    con.execute(
        "CREATE TEMP TABLE verdicts AS SELECT unnest($ids) AS rid, unnest($valid) AS valid, unnest($newer) AS newer",
        {"ids": ids, "valid": valid, "newer": newer})
    con.execute(f"UPDATE {table} SET valid = v.valid, newer = v.newer FROM verdicts v WHERE {table}.rowid = v.rid")
    con.execute("DROP TABLE verdicts")
    return len(rows)
