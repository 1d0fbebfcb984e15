"""Read user-owned YAML safely and remember where every value came from.

Why not plain ``yaml.safe_load``: error messages must name the line and column of the offending
value, so we keep the node tree beside the data. Why the limits: a spec is typed by a person, so a
file over 1 MiB, nesting deeper than 32 levels or an alias bomb is refused before it costs memory.
Only the safe loader is ever used, so YAML tags cannot build Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.core.errors import SandboxError

MAX_YAML_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 100_000


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


def load_yaml_text(text: str, path: Path, error_type: type[SandboxError]) -> LoadedYaml:
    """Parse ``text`` (already read from ``path``) with the safe loader; errors carry line/column."""
    import yaml

    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise error_type(
            f"is larger than {MAX_YAML_BYTES // 1024 // 1024} MiB; a spec should be a short text file",
            path=path,
        )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present: ~10x faster
    try:
        try:
            node = loader.get_single_node()
            if node is not None:
                _check_shape(node, path, error_type)
            data = loader.construct_document(node) if node is not None else None
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
    """Read and parse ``path``, refusing oversized files before reading them whole."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise error_type("file not found", path=path) from None
    if size > MAX_YAML_BYTES:
        raise error_type(
            f"is {size / 1024 / 1024:.1f} MiB; files over {MAX_YAML_BYTES // 1024 // 1024} MiB are refused",
            path=path,
        )
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error_type(f"is not UTF-8 text (byte {exc.start})", path=path) from None
    except OSError as exc:
        raise error_type(f"cannot be read: {exc.strerror}", path=path) from None
    return load_yaml_text(text, path, error_type)
