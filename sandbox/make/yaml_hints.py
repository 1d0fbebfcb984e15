"""YAML mistakes in plain words, pointing at the line where the problem starts.

Why: the YAML parser names what it expected where it gave up, which is rarely where the person went
wrong. An unclosed quote on line 9 is reported at the end of the file ("found unexpected end of
stream", line 30); a list item indented one space too little reads "did not find expected '-'
indicator". People who do not write YAML need the line to look at and what to do there.

``explain(text)`` parses the text again with PyYAML's pure-Python safe loader (whose errors carry
both where a construct *started* and where parsing failed) and turns the first problem into a
``YamlHint``: a sentence and the 1-based line (and column) where the problem starts.
``plain_error(error, text)`` applies that to a ``SandboxError`` raised for invalid YAML
(``sandbox.core.yamlio``), keeping its type and file, so the CLI and the TUI say the same thing.
This module is pure: it reads a file only when ``plain_error`` is given no text.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TypeVar

from sandbox.core.errors import SandboxError

INVALID_YAML_PREFIX = "invalid YAML"
MAX_TEXT_BYTES = 1024 * 1024  # the same limit as the loader's: a bigger file was refused before parsing

E = TypeVar("E", bound=SandboxError)


@dataclass(frozen=True)
class YamlHint:
    """What is wrong, for a person, and where it starts (1-based)."""

    message: str
    line: int
    column: int | None = None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _tab_hint(lines: list[str]) -> YamlHint | None:
    for number, line in enumerate(lines, start=1):
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            return YamlHint(
                "this line is indented with a tab; YAML needs spaces: replace the tab with spaces",
                number, lead.index("\t") + 1,
            )
    return None


def _parent_key(lines: list[str], index: int) -> str | None:
    """The key of the section the line at ``index`` (0-based) should belong to, if one is clear:
    for a line indented too deep, the section of the line above it; for one not deep enough, the
    nearest section it could close back to."""
    before = _yaml_lines(lines, index - 1)
    if not before:
        return None
    own = _indent(lines[index])
    if own > _indent(lines[before[-1]]):
        own = _indent(lines[before[-1]])
    for i in reversed(before):
        if _indent(lines[i]) < own:
            match = re.match(r"^(?:- )?([A-Za-z0-9_-]+):", lines[i].strip())
            return match.group(1) if match else None
    return None


def _indentation_hint(lines: list[str], index: int) -> YamlHint:
    """The line at ``index`` (0-based) does not line up with the lines around it."""
    parent = _parent_key(lines, index)
    where = f"the other entries under '{parent}'" if parent else "the lines of the same list or section"
    return YamlHint(
        f"this line is indented differently from the lines above it: line it up with {where} "
        "(the same number of spaces before each entry)",
        index + 1, _indent(lines[index]) + 1 if index < len(lines) else None,
    )


BLOCK_SCALAR = re.compile(r"(?:^|[:\s-])[|>][+-]?\d?\s*(?:#.*)?$")


def _yaml_lines(lines: list[str], until: int) -> list[int]:
    """Indexes (0-based, up to ``until``) of the lines that hold YAML structure: no blank lines, no
    comments, and no lines inside a block scalar (the text after ``idea: |``)."""
    out: list[int] = []
    scalar_indent: int | None = None
    for i in range(min(until + 1, len(lines))):
        line = lines[i]
        if not line.strip():
            continue
        if scalar_indent is not None:
            if _indent(line) > scalar_indent:
                continue
            scalar_indent = None
        if line.lstrip().startswith("#"):
            continue
        out.append(i)
        if BLOCK_SCALAR.search(line.rstrip()):
            scalar_indent = _indent(line)
    return out


def _may_nest(parent: str, own: int) -> bool:
    """Whether a line indented ``own`` spaces may sit under the line ``parent``: anything deeper
    under ``key:`` or ``-``; under ``- key: value``, only the column where ``key`` starts."""
    text = parent.strip()
    if text.endswith((":", "-")) or BLOCK_SCALAR.search(text):
        return True
    if text.startswith("- "):
        return own == _indent(parent) + len(text) - len(text[1:].lstrip())
    return False


def _misaligned_line(lines: list[str], index: int) -> int | None:
    """The first line up to ``index`` (0-based) whose indentation fits no open section, if any.

    A line may go deeper only under a line that opens something (``key:``, ``-``, ``- key: value``
    whose siblings line up with ``key``); going back out, it must land on a level already open.
    """
    levels = [0]
    previous: str | None = None
    for i in _yaml_lines(lines, index):
        own, line = _indent(lines[i]), lines[i]
        if own > levels[-1]:
            if previous is None or not _may_nest(previous, own):
                return i
            levels.append(own)
        else:
            while len(levels) > 1 and own < levels[-1]:
                levels.pop()
            if own != levels[-1]:
                return i
        previous = line
    return None


def explain(text: str) -> YamlHint | None:
    """The first YAML problem in ``text`` in plain words, or None when it parses."""
    import yaml

    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        return _explain_marked(text, exc)
    except yaml.YAMLError:
        return None
    except RecursionError:
        return None
    return None


def _explain_marked(text: str, exc: object) -> YamlHint:
    import yaml

    assert isinstance(exc, yaml.MarkedYAMLError)
    lines = text.split("\n")
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark is not None else 0
    start = exc.context_mark
    tab = _tab_hint(lines)
    if "'\\t'" in problem and tab is not None:
        return tab
    if "quoted scalar" in context and start is not None:
        quote = lines[start.line][start.column] if start.column < len(lines[start.line]) else '"'
        return YamlHint(
            f"the {quote} that opens the value on this line is never closed: add a matching {quote} at the end "
            "of the value (or remove the opening one)",
            start.line + 1, start.column + 1,
        )
    if "flow sequence" in context or "flow mapping" in context:
        bracket, closing = ("[", "]") if "sequence" in context else ("{", "}")
        if start is not None:
            return YamlHint(
                f"the '{bracket}' on this line is never closed: add '{closing}' at the end of the list",
                start.line + 1, start.column + 1,
            )
    misaligned = _misaligned_line(lines, line)
    if misaligned is not None and misaligned <= line:
        return _indentation_hint(lines, misaligned)
    if "mapping values are not allowed" in problem:
        return YamlHint(
            "this value holds ': ' (a colon and a space), which YAML reads as a new key: put the whole value in "
            "quotes, like  title: \"Time: 10 minutes\"",
            line + 1, None,
        )
    if tab is not None:
        return tab
    if "expected <block end>" in problem or "did not find expected" in problem or "expected key" in problem:
        return _indentation_hint(lines, min(line, max(len(lines) - 1, 0)))
    words = problem or context or "this is not valid YAML"
    return YamlHint(f"this line is not valid YAML ({words}); compare it with the lines around it", line + 1,
                    mark.column + 1 if mark is not None else None)


def plain_error(error: E, text: str | None = None) -> E:
    """``error`` reworded by ``explain`` when it is about invalid YAML; otherwise ``error`` itself.

    ``text`` is the YAML that failed (an editor buffer); without it the error's file is read.
    """
    if not error.message.startswith(INVALID_YAML_PREFIX):
        return error
    if text is None:
        if error.path is None:
            return error
        try:
            with error.path.open("rb") as handle:
                text = handle.read(MAX_TEXT_BYTES + 1).decode("utf-8", "replace")
        except OSError:
            return error
    if len(text) > MAX_TEXT_BYTES:
        return error
    hint = explain(text)
    if hint is None:
        return error
    plain = copy.copy(error)
    plain.message = hint.message
    plain.args = (hint.message,)
    plain.line, plain.column = hint.line, hint.column
    return plain
