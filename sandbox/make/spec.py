"""``project.yaml``: the user-owned description of one idea.

The file is written once by ``scaffold.create`` (with comments that explain each field) and then
belongs to the user: the program never rewrites it, so comments and order survive. Loading turns it
into a ``ProjectSpec`` and every problem into a ``SpecError`` that names file, line and column and
says what to do, e.g. ``projects/foo/project.yaml:7:3: 'assistants' must be a list of assistant ids``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sandbox.core.errors import SpecError
from sandbox.core.yamlio import LoadedYaml, load_yaml_file, load_yaml_text
from sandbox.make.paths import RESERVED_NAMES

SPEC_FILE = "project.yaml"
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
ASSISTANT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
TEXT_FIELDS = ("title", "idea", "audience", "success", "category", "template", "slug")
KNOWN_KEYS = (*TEXT_FIELDS, "assistants", "vars")
MAX_TEXT = 10_000


@dataclass
class ProjectSpec:
    """What the user asked for. ``vars`` are the raw answers; templates.validate_answers checks them."""

    title: str
    slug: str
    template: str
    idea: str = ""
    audience: str = ""
    success: str = ""
    category: str = ""
    assistants: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    source: LoadedYaml | None = field(default=None, repr=False, compare=False)

    def where(self, *keys: str | int) -> tuple[int | None, int | None]:
        """Line and column of a value in the file, for errors found after loading."""
        if self.source is None:
            return (None, None)
        return self.source.where(*keys)

    def error(self, message: str, *keys: str | int) -> SpecError:
        line, column = self.where(*keys)
        return SpecError(message, path=self.path, line=line, column=column)

    def project_context(self) -> dict[str, str]:
        """The ``project`` object templates and briefs see: plain strings, always data."""
        return {
            "title": self.title,
            "slug": self.slug,
            "idea": self.idea,
            "audience": self.audience,
            "success": self.success,
            "category": self.category,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.project_context(),
            "template": self.template,
            "assistants": list(self.assistants),
            "vars": dict(self.vars),
        }


def load_spec(path: Path) -> ProjectSpec:
    """Read and check ``path``; raises SpecError with file, line and column."""
    return spec_from_yaml(load_yaml_file(path, SpecError))


def parse_spec(text: str, path: Path) -> ProjectSpec:
    """Check a spec that is not on disk yet (the TUI editor's buffer, before saving)."""
    return spec_from_yaml(load_yaml_text(text, path, SpecError))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return type(value).__name__


class _Fail(Protocol):
    """Makes the SpecError for a problem at ``keys`` inside the file (line and column)."""

    def __call__(self, message: str, /, *keys: str | int) -> SpecError: ...


def spec_from_yaml(loaded: LoadedYaml) -> ProjectSpec:
    data = loaded.data
    path = loaded.path

    def fail(message: str, /, *keys: str | int) -> SpecError:
        line, column = loaded.where(*keys)
        return SpecError(message, path=path, line=line, column=column)

    if data is None:
        raise SpecError("is empty; it needs at least 'title' and 'template'", path=path, line=1, column=1)
    if not isinstance(data, dict):
        raise fail(f"must be a mapping of fields like 'title: My idea' (got {_kind(data)})")
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known fields: {', '.join(KNOWN_KEYS)}"
            line, column = loaded.where_key(str(key))
            raise SpecError(f"unknown field '{key}'{hint}", path=path, line=line, column=column)
    texts = _texts(data, fail)
    return ProjectSpec(
        title=texts["title"],
        slug=texts["slug"] or (path.parent.name if path.name == SPEC_FILE else ""),
        template=texts["template"],
        idea=texts["idea"],
        audience=texts["audience"],
        success=texts["success"],
        category=texts["category"],
        assistants=_assistants(data.get("assistants"), fail),
        vars=_vars(data.get("vars"), loaded, fail),
        path=path,
        source=loaded,
    )


def _texts(data: dict[Any, Any], fail: _Fail) -> dict[str, str]:
    """The text fields, stripped; title and template are required, the slug has a form."""
    texts: dict[str, str] = {}
    for key in TEXT_FIELDS:
        value = data.get(key)
        if value is None:
            texts[key] = ""
            continue
        if isinstance(value, (bool, list, dict)):
            raise fail(f"'{key}' must be text (got {_kind(value)}); put quotes around it", key)
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise fail(f"'{key}' is longer than {MAX_TEXT:,} characters; shorten it", key)
        texts[key] = text
    for key in ("title", "template"):
        if not texts[key]:
            raise fail(f"'{key}' is missing; add a line like '{key}: ...'", key)
    problem = slug_problem(texts["slug"]) if texts["slug"] else None
    if problem:
        raise fail(f"'slug' {problem}", "slug")
    return texts


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a project folder (on every system a clone may land on), or None."""
    if not SLUG_RE.match(slug):
        return "must be lowercase letters, digits and '-' (like expense-approvals)"
    if slug in RESERVED_NAMES:
        return f"'{slug}' is a name Windows reserves for a device; pick another (like {slug}-idea)"
    return None


def _assistants(raw: object, fail: _Fail) -> list[str]:
    """Assistant ids, each once; whether they exist is checked against the registry later."""
    assistants: list[str] = []
    if raw is None:
        return assistants
    if not isinstance(raw, list):
        raise fail(f"'assistants' must be a list of assistant ids (got {_kind(raw)})", "assistants")
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not ASSISTANT_ID_RE.match(item) or item in RESERVED_NAMES:
            raise fail(
                f"'assistants' item {index + 1} must be an assistant id like claude-code (got {_kind(item)})",
                "assistants", index,
            )
        if item in assistants:
            raise fail(f"assistant '{item}' is listed twice", "assistants", index)
        assistants.append(item)
    return assistants


def _vars(raw: object, loaded: LoadedYaml, fail: _Fail) -> dict[str, Any]:
    """The answers by name; each answer is checked against its question by validate_answers later."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        example = "brand_color: \"#1a73e8\""
        raise fail(f"'vars' must be a mapping of answers like '{example}' (got {_kind(raw)})", "vars")
    for key in raw:
        if not isinstance(key, str):
            line, column = loaded.where_key("vars", key)
            raise SpecError(f"'vars' keys must be names (got {_kind(key)})", path=loaded.path, line=line, column=column)
    return dict(raw)


def dump_spec(spec: ProjectSpec) -> str:
    """The first ``project.yaml`` text: every field with a comment a newcomer understands.

    Values go through ``yaml.safe_dump`` one by one so any user text (quotes, colons, '#',
    newlines) is quoted correctly, while the comments stay hand-written.
    """
    import yaml

    def scalar(value: Any) -> str:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
        text = text.rstrip("\n")
        if text.endswith("\n..."):
            text = text[: -len("\n...")]
        return text.removesuffix("...").rstrip()

    def block(key: str, value: str) -> str:
        if "\n" in value:
            # A literal block keeps a multi-line idea readable; the text was stripped, so its first
            # line never starts with a space (which would need an indentation indicator).
            lines = value.rstrip("\n").split("\n")
            return f"{key}: |\n" + "\n".join(f"  {line}" if line else "" for line in lines)
        return f"{key}: {scalar(value)}"

    lines = [
        "# Your idea. Edit freely: the prototype re-renders when you save.",
        "# Files you or an assistant changed are never overwritten (see *.sandbox-new).",
        block("title", spec.title),
        block("slug", spec.slug) + "          # folder name; do not change after creation",
        block("template", spec.template),
        block("category", spec.category or ""),
        "",
        "# What the prototype is for, in plain words (assistants read this in their brief).",
        block("idea", spec.idea),
        block("audience", spec.audience),
        block("success", spec.success),
        "",
        "# One variant per assistant, each in variants/<id>/.",
        "assistants:",
        *[f"  - {scalar(a)}" for a in spec.assistants],
        "",
        "# Answers to the template's questions ('sandbox templates' lists them).",
    ]
    if spec.vars:
        lines.append("vars:")
        for key, value in spec.vars.items():
            if isinstance(value, list) and value:
                lines.append(f"  {key}:")
                lines.extend(f"    - {scalar(item)}" for item in value)
            elif isinstance(value, str) and "\n" in value:
                inner = block(key, value).replace("\n", "\n  ")
                lines.append(f"  {inner}")
            else:
                lines.append(f"  {key}: {scalar(value)}")
    else:
        lines.append("vars: {}")
    return "\n".join(lines) + "\n"
