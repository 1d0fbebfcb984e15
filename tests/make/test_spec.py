"""project.yaml loading: every mistake a person can make gets file, line, column and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.core.errors import SpecError
from sandbox.make.spec import ProjectSpec, dump_spec, load_spec, parse_spec

GOOD = """\
title: Expense approvals
slug: expense-approvals
template: mini
category: finance
idea: Approve expenses from a phone
assistants:
  - claude-code
  - copilot
vars:
  headline: Approve faster
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "projects" / "foo" / "project.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        load_spec(write(tmp_path, text))
    return info.value


def test_good_spec_loads(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.title == "Expense approvals"
    assert spec.assistants == ["claude-code", "copilot"]
    assert spec.vars == {"headline": "Approve faster"}
    assert spec.where("vars", "headline") == (10, 13)


def test_assistants_as_string_names_line_and_column(tmp_path: Path) -> None:
    text = "title: X\ntemplate: mini\n\n\n\n\nassistants: claude-code\n"
    err = error_of(tmp_path, text)
    assert (err.line, err.column) == (7, 13)
    assert str(err).endswith("project.yaml:7:13: 'assistants' must be a list of assistant ids (got a string)")


def test_broken_yaml_points_at_the_problem(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\nidea: [unclosed\n")
    assert err.line is not None and err.line >= 3
    assert "invalid YAML" in str(err)
    assert "\n" not in str(err)


def test_colon_in_value_gets_a_hint(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\nidea: note: this breaks\n")
    assert (err.line, err.column) == (3, 11)
    assert "needs quotes" in str(err)


def test_unknown_field_suggests_the_close_one(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\nasistants: [copilot]\n")
    assert (err.line, err.column) == (3, 1)
    assert "did you mean 'assistants'" in str(err)


def test_missing_title(tmp_path: Path) -> None:
    err = error_of(tmp_path, "template: mini\n")
    assert "'title' is missing" in str(err)


def test_empty_and_non_mapping(tmp_path: Path) -> None:
    assert "is empty" in str(error_of(tmp_path, ""))
    assert "must be a mapping" in str(error_of(tmp_path, "- a\n- b\n"))


def test_python_tags_are_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: !!python/object/apply:os.system ['echo hi']\ntemplate: mini\n")
    assert "not allowed" in str(err) or "constructor" in str(err)
    assert err.line == 1


def test_files_over_one_mebibyte_are_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\nidea: " + "a" * (1024 * 1024) + "\n")
    assert "MiB" in str(err)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\nvars:\n  x: " + "[" * 100 + "]" * 100 + "\n")
    assert "nested" in str(err)


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    text = "title: X\ntemplate: mini\nvars:\n" + "\n".join("  " + line for line in lines) + "\n"
    err = error_of(tmp_path, text)
    assert "aliases" in str(err)


def test_bad_slug_and_list_items(tmp_path: Path) -> None:
    assert "'slug' must be" in str(error_of(tmp_path, "title: X\ntemplate: mini\nslug: Not OK\n"))
    err = error_of(tmp_path, "title: X\ntemplate: mini\nassistants:\n  - copilot\n  - {a: 1}\n")
    assert (err.line, err.column) == (5, 5)
    assert "item 2" in str(err)


def test_parse_spec_checks_an_unsaved_buffer(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec("title: [\n", tmp_path / "project.yaml")
    assert info.value.line is not None


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85\u2028\u2029\ufeff"),
    max_size=60,
).map(str.strip)


@settings(max_examples=150, deadline=None)
@given(
    title=texts.filter(bool),
    idea=st.one_of(texts, st.lists(texts.filter(bool), min_size=1, max_size=3).map("\n".join)),
    audience=texts,
    headline=texts,
    screens=st.lists(texts.filter(bool), max_size=4),
    size=st.integers(-10, 10),
)
def test_dumped_spec_reads_back_identically(
    tmp_path_factory: pytest.TempPathFactory,
    title: str,
    idea: str,
    audience: str,
    headline: str,
    screens: list[str],
    size: int,
) -> None:
    """Whatever a person types (quotes, colons, '#', unicode, several lines) survives the round trip."""
    spec = ProjectSpec(
        title=title,
        slug="round-trip",
        template="mini",
        idea=idea.strip(),
        audience=audience,
        category="",
        assistants=["claude-code", "copilot"],
        vars={"headline": headline, "screens": screens, "size": size, "dark": True},
    )
    path = tmp_path_factory.mktemp("rt") / "project.yaml"
    path.write_text(dump_spec(spec))
    back = load_spec(path)
    assert back.to_dict() == spec.to_dict()


def test_duplicate_keys_are_reported(tmp_path: Path) -> None:
    err = error_of(tmp_path, "title: X\ntemplate: mini\ntitle: Y\n")
    assert (err.line, err.column) == (3, 1) and "appears twice" in str(err)
