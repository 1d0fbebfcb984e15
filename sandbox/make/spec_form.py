"""Change a few values of ``project.yaml`` from a form, leaving every other byte of the file as it is.

Why not load, change and dump: ``project.yaml`` belongs to the person (DESIGN: the program never
rewrites it), so its comments, order, quoting and blank lines must survive an edit made from the
app's form. PyYAML's node tree knows where each value starts and ends in the text; ``update_spec_text``
replaces exactly those spans (from the end of the file backwards, so earlier offsets stay valid) and
adds a missing key next to its siblings. The result is then checked like any other buffer
(``spec_edit.save_spec_text``).

Keys are paths: ``("title",)``, ``("vars", "headline")``. Values are what the form holds: text, a
number, true/false, or a list of texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sandbox.core.errors import SpecError
from sandbox.core.yamlio import load_yaml_text

Key = tuple[str, ...]


def update_spec_text(text: str, path: Path, changes: Mapping[Key, Any]) -> str:
    """``text`` with the values at ``changes``' keys replaced (or added); raises SpecError when the
    text is not valid YAML or its top level is not a mapping (fix it in the YAML editor first)."""
    import yaml

    loaded = load_yaml_text(text, path, SpecError)
    root = loaded.node
    if root is None:
        text, root = "", None
    elif not isinstance(root, yaml.MappingNode):
        raise SpecError("project.yaml must be a mapping of keys (title:, idea:, ...)", path=path, line=1, column=1)
    edits: list[tuple[int, int, str]] = []
    appended: list[str] = []
    for key, value in changes.items():
        edit = _edit_for(text, root, key, value)
        if isinstance(edit, str):
            appended.append(edit)
        else:
            edits.append(edit)
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + replacement + text[end:]
    if appended:
        if text and not text.endswith("\n"):
            text += "\n"
        text += "".join(appended)
    return text


def _child(node: Any, name: str) -> tuple[Any, Any] | None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == name:
                return key_node, value_node
    return None


def _edit_for(text: str, root: Any, key: Key, value: Any) -> tuple[int, int, str] | str:
    """A span to replace ``(start, end, new text)``, or a text to append at the end of the file."""
    import yaml

    parent, parent_key, found = root, None, None
    for depth, name in enumerate(key):
        found = _child(parent, name) if parent is not None else None
        if found is None:
            return _insert(text, parent, parent_key, key[depth:], value)
        parent_key, parent = found
    assert found is not None  # the loop ran at least once and did not return
    key_node, node = found
    indent = key_node.start_mark.column
    if isinstance(node, yaml.SequenceNode) and node.flow_style is False and node.value:
        end = _end(node)
        return node.start_mark.index, end, _block_list(value, node.start_mark.column)
    end = _end(node)
    block_scalar = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    rendered = _render(value, indent, inline_after_key=True)
    if block_scalar and not rendered.endswith("\n"):
        rendered += "\n"  # the span of a block scalar holds its last line break
    elif not block_scalar and rendered.endswith("\n"):
        rendered = rendered[:-1]  # the line break after an inline value is outside its span
    return node.start_mark.index, end, rendered


def _end(node: Any) -> int:
    """Where a node's own text ends: a block list's span also covers the comments after it."""
    import yaml

    if isinstance(node, yaml.SequenceNode) and node.flow_style is False and node.value:
        return _end(node.value[-1])
    if isinstance(node, yaml.MappingNode) and node.flow_style is False and node.value:
        return _end(node.value[-1][1])
    return int(node.end_mark.index)


def _insert(text: str, parent: Any, parent_key: Any, rest: Key, value: Any) -> tuple[int, int, str] | str:
    """Add ``rest`` (a key, or a section and a key) under ``parent`` (None: the file's top level)."""
    import yaml

    if parent_key is None:  # top level: at the end of the file
        return _entry(rest, value, 0)
    indent = parent_key.start_mark.column + 2
    if isinstance(parent, yaml.MappingNode) and parent.flow_style is False and parent.value:
        first = parent.value[0][0]  # before the section's first key, at its indentation
        return first.start_mark.index, first.start_mark.index, _entry(rest, value, first.start_mark.column)[
            first.start_mark.column:] + " " * first.start_mark.column
    # An empty section (``vars: {}``, ``vars:``): it becomes a block of its own.
    body = _entry(rest, value, indent)
    if isinstance(parent, yaml.ScalarNode) and parent.value == "":
        return parent_key.end_mark.index + 1, parent_key.end_mark.index + 1, "\n" + body.rstrip("\n")
    return parent.start_mark.index, _end(parent), "\n" + body.rstrip("\n")


def _entry(rest: Key, value: Any, indent: int) -> str:
    """``key: value`` lines (a nested key gets its section line first), indented, ending in a newline."""
    pad = " " * indent
    if len(rest) > 1:
        return f"{pad}{_scalar(rest[0])}:\n" + _entry(rest[1:], value, indent + 2)
    rendered = _render(value, indent, inline_after_key=True)
    return f"{pad}{_scalar(rest[0])}: {rendered}" + ("" if rendered.endswith("\n") else "\n")


def _render(value: Any, indent: int, *, inline_after_key: bool) -> str:
    """A value as it follows ``key: `` at ``indent``: a scalar, a block literal, or a list."""
    if isinstance(value, str) and "\n" in value.strip("\n") and _literal_ok(value):
        lines = value.strip("\n").split("\n")
        pad = " " * (indent + 2)
        return "|\n" + "\n".join(pad + line if line else "" for line in lines) + "\n"
    if isinstance(value, Sequence) and not isinstance(value, str):
        if not value:
            return "[]"
        return "\n" + " " * (indent + 2) + _block_list(value, indent + 2)
    return _scalar(value)


def _literal_ok(value: str) -> bool:
    """A block literal keeps the text exactly, unless a line starts with a space or ends with one."""
    lines = value.strip("\n").split("\n")
    return not lines[0].startswith((" ", "\t")) and not any(line != line.rstrip() for line in lines)


def _block_list(value: Any, column: int) -> str:
    """``- a`` lines for a list whose first dash sits at ``column`` (the first line is not indented)."""
    items = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    if not items:
        return "[]"
    pad = " " * column
    return ("\n" + pad).join(f"- {_scalar(item)}" for item in items)


def _scalar(value: Any) -> str:
    """One value on one line, quoted only when YAML needs it (as PyYAML would write it)."""
    import yaml

    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=1 << 30, default_flow_style=True)
    # '{k: VALUE}\n' -> 'VALUE'
    return str(dumped.strip())[len("{k: "):-1]
