"""Workspace settings from the optional ``sandbox.yaml`` at the workspace root.

Why a separate module: several parts read it (assistants, the watcher's ignore patterns, the
rating rubric), and each must report problems at the right line of the same file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.core.errors import SpecError
from sandbox.core.yamlio import LoadedYaml, load_yaml_file

SETTINGS_FILE = "sandbox.yaml"
KNOWN_SECTIONS = (
    "assistants", "ignore", "rubric", "debounce_ms", "default_assistants", "telemetry", "render_budget", "confinement",
)


@dataclass
class Settings:
    """The parsed file (empty when there is none) and where each value sits in it."""

    data: dict[str, Any] = field(default_factory=dict)
    source: LoadedYaml | None = None
    path: Path | None = None

    def error(self, message: str, *keys: str | int) -> SpecError:
        line, column = self.source.where(*keys) if self.source else (None, None)
        return SpecError(message, path=self.path, line=line, column=column)

    def section(self, name: str, kind: type, default: Any) -> Any:
        value = self.data.get(name, default)
        if value is None:
            return default
        if not isinstance(value, kind):
            what = "a mapping" if kind is dict else "a list" if kind is list else kind.__name__
            raise self.error(f"'{name}' must be {what}", name)
        return value


def load_settings(workspace: Path) -> Settings:
    path = workspace / SETTINGS_FILE
    if not os.path.lexists(path):  # lexists: a pipe or a link to a device is refused (by the loader)
        return Settings(path=path)
    loaded = load_yaml_file(path, SpecError)
    data = loaded.data if loaded.data is not None else {}
    settings = Settings(data=data if isinstance(data, dict) else {}, source=loaded, path=path)
    if not isinstance(data, dict):
        raise settings.error("sandbox.yaml must be a mapping (for example 'assistants:' ...)")
    for key in data:
        if key not in KNOWN_SECTIONS:
            line, column = loaded.where_key(str(key))
            raise SpecError(
                f"unknown setting '{key}' (known: {', '.join(KNOWN_SECTIONS)})", path=path, line=line, column=column
            )
    return settings
