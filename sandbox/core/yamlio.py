"""Read user-owned YAML safely and remember where every value came from.

Why not plain ``yaml.safe_load``: error messages must name the line and column of the offending
value, so we keep the node tree beside the data. Why the limits: a spec is typed by a person, so a
file over 1 MiB, nesting deeper than 32 levels or an alias bomb is refused before it costs memory,
and only regular files are read (a pipe or a link to a device is refused, never waited on).
Only the safe loader is ever used, so YAML tags cannot build Python objects.

YAML also parses values that Python cannot hold: ``2024-13-45`` and ``2023-02-30`` look like dates,
a 5,000-digit number like an integer. Each becomes one error at its line and column (with the hint
to quote it), never an internal error in every command that reads the file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core.errors import SandboxError
from sandbox.core.fs import read_regular

MAX_YAML_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 100_000
# Python refuses to turn integers of more than 4,300 digits into text (and YAML's 1:20:30 form is
# slow to build when long), so longer numbers are refused where they are written.
MAX_NUMBER_CHARS = 4300
MAX_INT_BITS = int(MAX_NUMBER_CHARS * 3.32)  # bits of the largest number with that many digits
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass
class LoadedYaml:
    """The parsed data plus the node tree, so callers can point at a value's line and column."""

    data: Any
    node: Any  # yaml.Node | None
    path: Path

    def where(self, *keys: str | int) -> tuple[int | None, int | None]:
        """1-based (line, column) of the value at ``keys`` (falls back to the nearest parent)."""
        node = self.node
        best = (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (None, None)
        for key in keys:
            child = _child(node, key)
            if child is None:
                break
            node = child
            best = (node.start_mark.line + 1, node.start_mark.column + 1)
        return best

    def where_key(self, *keys: str) -> tuple[int | None, int | None]:
        """1-based (line, column) of the *key* itself (for 'unknown key' messages)."""
        node = self.node
        for key in keys[:-1]:
            node = _child(node, key)
            if node is None:
                return self.where(*keys)
        import yaml

        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if getattr(key_node, "value", None) == keys[-1]:
                    return key_node.start_mark.line + 1, key_node.start_mark.column + 1
        return self.where(*keys)


def _child(node: Any, key: str | int) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == key:
                return value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
        return node.value[key]
    return None


def _check_shape(node: Any, path: Path, error_type: type[SandboxError]) -> None:
    """Refuse deep nesting and alias bombs by walking the node graph with a budget."""
    import yaml

    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise error_type(
                f"has more than {MAX_NODES:,} values (or aliases that expand to that many); "
                "keep it small and write values out instead of using '*' aliases",
                path=path,
            )
        if depth > MAX_DEPTH:
            mark = current.start_mark
            raise error_type(
                f"is nested more than {MAX_DEPTH} levels deep; flatten it",
                path=path,
                line=mark.line + 1,
                column=mark.column + 1,
            )
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        mark = key_node.start_mark
                        raise error_type(
                            f"'{key_node.value}' appears twice here; keep one (the other would be ignored)",
                            path=path, line=mark.line + 1, column=mark.column + 1,
                        )
                    seen.add(key_node.value)
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)


class _Unusable(Exception):  # an internal signal: never leaves this module
    """A value YAML accepted but Python cannot hold, with the node's place in the file."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


@functools.cache
def _loader_class() -> Any:
    """The safe loader (libyaml's when present: ~10x faster) that turns values Python cannot build
    into a located error instead of a ValueError from deep inside the constructor."""
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LocatedSafeLoader(base):  # type: ignore[misc]  # the base class is chosen at run time
        def construct_object(self, node: Any, deep: bool = False) -> Any:
            if node.tag in _NUMBER_TAGS and len(str(node.value)) > MAX_NUMBER_CHARS:
                raise _Unusable(
                    f"this number is longer than {MAX_NUMBER_CHARS:,} characters; put quotes around it if it is text",
                    node.start_mark,
                )
            try:
                value = super().construct_object(node, deep)
            except (_Unusable, yaml.YAMLError, RecursionError):
                raise  # located already, or the caller's to word
            except Exception as exc:  # noqa: BLE001 - PyYAML's constructors fail in many ways on odd values
                # ('!!timestamp x' is an AttributeError, '!!bool x' a KeyError, '2023-02-30' a ValueError)
                raise _Unusable(_unbuildable(node, exc), node.start_mark) from None
            if type(value) is int and value.bit_length() > MAX_INT_BITS:  # 0x... forms of a huge number
                raise _Unusable(
                    f"this number has more than {MAX_NUMBER_CHARS:,} digits; put quotes around it if it is text",
                    node.start_mark,
                )
            return value

    return LocatedSafeLoader


def _unbuildable(node: Any, exc: Exception) -> str:
    """Why a value YAML accepted cannot be used, in words that say how to fix it."""
    detail = str(exc).split(";")[0].split(":")[0].strip()
    value = str(node.value)[:40]
    tag = str(node.tag).rsplit(":", 1)[-1]
    odd = f"'{value}' is not a valid !!{tag} value; remove the '!!{tag}' or put quotes around the value"
    if not isinstance(exc, (ValueError, OverflowError)):  # PyYAML's own failure: its text means nothing here
        return odd
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"'{value}' looks like a date but is not a real one ({detail}); put quotes around it if it is text"
    if node.tag in _NUMBER_TAGS and not isinstance(exc, OverflowError) and "limit" not in str(exc):
        return odd  # '!!int x': not a number at all
    if node.tag in _NUMBER_TAGS:
        return f"'{value}' is a number too large to use ({detail}); put quotes around it if it is text"
    return f"this value cannot be read ({detail}); write it as plain text in quotes"


def _position(text: str, index: int) -> tuple[int | None, int | None]:
    """1-based line and column of character ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def load_yaml_text(text: str, path: Path, error_type: type[SandboxError]) -> LoadedYaml:
    """Parse ``text`` (already read from ``path``) with the safe loader; errors carry line/column."""
    import yaml

    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise error_type(
            f"is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB; a spec should be a short text file",
            path=path,
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: text that came from undecodable bytes
        line, column = _position(text, exc.start)
        raise error_type(
            "contains a character that is not valid text (undecodable bytes); retype it",
            path=path, line=line, column=column,
        ) from None
    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_shape(node, path, error_type)
            data = loader.construct_document(node) if node is not None else None
        except _Unusable as exc:
            raise error_type(
                exc.message, path=path, line=exc.mark.line + 1, column=exc.mark.column + 1
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "is not valid YAML"
            hint = _hint_for(problem)
            raise error_type(
                f"invalid YAML: {problem}{hint}",
                path=path,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        except yaml.reader.ReaderError as exc:
            found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
            line, column = _position(text, found) if found >= 0 else (None, None)
            raise error_type(
                f"contains a character YAML does not allow (#x{exc.character:04x}); remove it"
                if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}",
                path=path, line=line, column=column,
            ) from None
        except yaml.YAMLError as exc:
            raise error_type(f"invalid YAML: {exc}", path=path) from None
        except RecursionError:
            raise error_type("is nested too deeply; flatten it", path=path) from None
    finally:
        loader.dispose()
    return LoadedYaml(data=data, node=node, path=path)


def _hint_for(problem: str) -> str:
    if "could not determine a constructor" in problem:
        return " (tags like !!python are not allowed; write plain values)"
    if "mapping values are not allowed" in problem:
        return " (a ':' inside a value needs quotes around the whole value)"
    if "found character '\\t'" in problem:
        return " (use spaces, not tabs, to indent)"
    return ""


def load_yaml_file(path: Path, error_type: type[SandboxError]) -> LoadedYaml:
    """Read and parse ``path``: a regular file of at most 1 MiB, checked before it is read."""
    raw = read_regular(path, MAX_YAML_BYTES, error_type)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        raise error_type(
            f"is not UTF-8 text (byte {exc.start}); save it as UTF-8", path=path,
            line=before.count(b"\n") + 1, column=len(before) - (before.rfind(b"\n") + 1) + 1,
        ) from None
    return load_yaml_text(text, path, error_type)
