"""YAML mistakes in plain words at the line where the problem starts (``sandbox.make.yaml_hints``).

The cases are the slips the issue names: a list item indented one space off ("did not find expected
'-' indicator" from the parser), a tab, an unclosed quote early in a file (the parser reports it at
the end), an unclosed bracket, and a value holding ": ".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sandbox.core.errors import SandboxError
from sandbox.make.yaml_hints import explain, plain_error
from sandbox.workspace import Workspace
from tests.conftest import CliResult

GOOD = """\
title: Expense approvals
template: static-html
idea: |
  Approve expenses from your phone.
  Two taps: look, approve.
assistants:
  - claude-code
  - copilot
vars:
  headline: Approve in two taps
  color: blue
audience: Managers on the go
success: Half of the approvals happen on a phone
category: product
"""


def broken(line: int, new: str) -> str:
    lines = GOOD.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def test_valid_yaml_has_no_hint() -> None:
    assert explain(GOOD) is None


def test_a_list_item_indented_one_space_off_points_at_that_line_and_its_section() -> None:
    hint = explain(broken(8, " - copilot"))
    assert hint is not None and hint.line == 8
    assert "indented differently" in hint.message and "'assistants'" in hint.message
    assert "expected" not in hint.message  # none of the parser's jargon


def test_a_key_indented_too_little_points_at_that_line() -> None:
    hint = explain(broken(11, " color: blue"))
    assert hint is not None and hint.line == 11 and "'vars'" in hint.message


def test_a_tab_is_named_with_its_line_and_column() -> None:
    hint = explain(broken(10, "\theadline: Approve in two taps"))
    assert hint is not None and (hint.line, hint.column) == (10, 1)
    assert "tab" in hint.message and "spaces" in hint.message


def test_an_unclosed_quote_is_reported_where_it_opens_not_at_the_end() -> None:
    text = broken(2, 'template: "static-html')
    hint = explain(text)
    assert hint is not None and (hint.line, hint.column) == (2, 11)
    assert "never closed" in hint.message and '"' in hint.message
    assert len(text.splitlines()) > 10  # the parser itself gives up far below


def test_an_unclosed_bracket_is_reported_where_it_opens() -> None:
    hint = explain(broken(6, "assistants: [claude-code, copilot"))
    assert hint is not None and hint.line == 6 and "'['" in hint.message and "']'" in hint.message


def test_a_colon_in_a_value_asks_for_quotes() -> None:
    hint = explain(broken(12, "audience: Managers: on the go"))
    assert hint is not None and hint.line == 12 and "quotes" in hint.message


def test_plain_error_rewords_an_invalid_yaml_error_and_keeps_its_file(tmp_path: Path) -> None:
    from sandbox.core import yamlio

    path = tmp_path / "project.yaml"
    path.write_text(broken(8, " - copilot"))
    with pytest.raises(SandboxError) as info:
        yamlio.load_yaml_file(path, SandboxError)
    plain = plain_error(info.value)
    assert plain.path == path and plain.line == 8 and type(plain) is type(info.value)
    assert "indented differently" in plain.message and str(plain).startswith(f"{path}:8:")


def test_plain_error_leaves_other_errors_alone() -> None:
    error = SandboxError("unknown template 'nope'")
    assert plain_error(error, "title: x\n") is error


def test_the_cli_says_a_yaml_slip_in_plain_words_at_its_line(ws: Workspace, cli: Callable[..., CliResult]) -> None:
    ws.new_project("Expense approvals", "mini")
    spec = ws.project("expense-approvals").spec_path
    lines = spec.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[at] = 'title: "Expense approvals'  # an unclosed quote near the top
    spec.write_text("\n".join(lines) + "\n")
    result = cli("check", "expense-approvals")
    assert result.code == 2 and "Traceback" not in result.err
    [line] = result.err.strip().splitlines()  # one line
    assert f"project.yaml:{at + 1}:8:" in line and "never closed" in line
