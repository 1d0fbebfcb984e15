"""The template catalog: find templates, read ``template.yaml``, validate answers to its questions.

A template is untrusted input (it may come from a colleague's workspace), so ``template.yaml`` is
read with the same safe, size-limited loader as specs (a regular file inside the template, never a
link out of it), ``files/`` must be a real folder, and every problem names the file and line.
Answers are checked here with messages written for people who are not engineers.

A question's ``pattern`` is matched with RE2, whose time grows linearly with the answer: with
Python's backtracking engine ``(a+)+$`` against a long answer runs for hours. Patterns RE2 cannot
run (look-arounds, back-references) are refused when the template loads, and answers are bounded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from sandbox.core.errors import AnswerError, TemplateError
from sandbox.core.yamlio import LoadedYaml, load_yaml_file
from sandbox.make.shared import SHARED_DIR, SharedAsset, find_shared, shared_folders

QUESTION_TYPES = ("str", "text", "int", "bool", "choice", "color", "list")
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
WHOLE_NUMBER_RE = re.compile(r"\s*[-+]?\d+\s*")
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# ``vars.items`` in Jinja2 would find dict.items before the answer, so such names are refused.
RESERVED_NAMES = frozenset(name for name in dir(dict) if not name.startswith("_"))
TRUE_WORDS = {"true", "yes", "y", "on", "1"}
FALSE_WORDS = {"false", "no", "n", "off", "0"}
TEMPLATE_KEYS = {"title", "description", "category", "entry", "provides", "shared", "questions"}
QUESTION_KEYS = {"name", "type", "default", "help", "placeholder", "choices", "pattern", "min", "max", "label"}
MAX_ANSWER_CHARS = 10_000  # the same bound project.yaml puts on its texts
MAX_PATTERN_CHARS = 1_000
MAX_PLACEHOLDER_CHARS = 300  # shown greyed inside an empty field: an example, not a paragraph


@dataclass(frozen=True)
class Question:
    """One variable a template asks for, with the rules its answer must follow."""

    name: str
    type: str
    default: Any
    help: str = ""
    placeholder: str = ""  # an example shown in the empty field; never a value (issue 14)
    label: str = ""
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    min: int | None = None
    max: int | None = None

    @property
    def display_name(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Template:
    """A template folder: ``template.yaml`` plus the ``files/`` it renders."""

    name: str
    title: str
    description: str
    category: str
    entry: str
    root: Path
    questions: tuple[Question, ...] = ()
    provides: tuple[str, ...] = ()
    source: str = "built-in"
    shared: tuple[SharedAsset, ...] = ()
    shared_folders: tuple[Path, ...] = ()  # where ``shared`` names are looked up, first match wins

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    @property
    def yaml_path(self) -> Path:
        return self.root / "template.yaml"

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {q.name: q.default for q in self.questions}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "category": self.category,
            "entry": self.entry,
            "source": self.source,
            "provides": list(self.provides),
            "shared": [asset.name for asset in self.shared],
            "questions": [
                {
                    "name": q.name,
                    "type": q.type,
                    "default": q.default,
                    "help": q.help,
                    "placeholder": q.placeholder,
                    "choices": list(q.choices),
                    "pattern": q.pattern,
                    "min": q.min,
                    "max": q.max,
                }
                for q in self.questions
            ],
        }


def builtin_templates_dir() -> Path:
    """The built-in templates: ``sandbox/templates`` inside an installed wheel (hatch force-includes
    the repository's top-level ``templates/`` there), else ``templates/`` beside the package in a
    clone or an editable install, so the folder is used in place."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "templates"
    return installed if installed.is_dir() else package.parent / "templates"


class _Fail(Protocol):
    """Makes the TemplateError for a problem at ``keys`` inside template.yaml (line and column)."""

    def __call__(self, message: str, /, *keys: str | int) -> TemplateError: ...


def _is_inside(relative: str) -> bool:
    """A path that stays inside the folder it is relative to (no '/', '\\' or '..' tricks)."""
    return bool(relative) and not relative.startswith("/") and "\\" not in relative and ".." not in relative.split("/")


def load_template(root: Path, source: str = "built-in") -> Template:
    """Read ``root/template.yaml``; every problem is a TemplateError naming file, line and column."""
    path = root / "template.yaml"
    _check_inside(root, path)
    loaded = load_yaml_file(path, TemplateError)
    data = loaded.data

    def fail(message: str, /, *keys: str | int) -> TemplateError:
        line, column = loaded.where(*keys)
        return TemplateError(message, path=path, line=line, column=column)

    if not isinstance(data, dict):
        raise fail("template.yaml must be a mapping with title, description, category, entry and questions")
    for key in data:
        if key not in TEMPLATE_KEYS:
            line, column = loaded.where_key(str(key))
            raise TemplateError(
                f"unknown key '{key}' (known: {', '.join(sorted(TEMPLATE_KEYS))})",
                path=path, line=line, column=column,
            )
    texts: dict[str, str] = {}
    for key in ("title", "description", "category", "entry"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(f"'{key}' must be a non-empty text", key)
        texts[key] = value.strip()
    entry = texts["entry"]
    if not _is_inside(entry):
        raise fail("'entry' must be a path inside the prototype, like index.html", "entry")
    provides = data.get("provides") or []
    if not isinstance(provides, list) or not all(isinstance(p, str) for p in provides):
        raise fail("'provides' must be a list of short texts", "provides")
    shared = _parse_shared(data.get("shared"), loaded, fail)
    raw_questions = data.get("questions") or []
    if not isinstance(raw_questions, list):
        raise fail("'questions' must be a list", "questions")
    questions: list[Question] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_questions):
        question = _parse_question(raw, _at_question(fail, index))
        if question.name in seen:
            raise fail(f"question '{question.name}' is defined twice", "questions", index)
        seen.add(question.name)
        questions.append(question)
    files = root / "files"
    if files.is_symlink():
        raise TemplateError("files/ is a link; it must be a real folder inside the template", path=files)
    if not files.is_dir():
        raise TemplateError("template has no 'files/' folder next to template.yaml", path=path)
    folders = shared_folders(root, builtin_templates_dir())
    for asset in shared:
        _check_shared(root, asset, folders)
    return Template(
        name=root.name,
        title=texts["title"],
        description=texts["description"],
        category=texts["category"],
        entry=entry,
        root=root,
        questions=tuple(questions),
        provides=tuple(p.strip() for p in provides),
        source=source,
        shared=shared,
        shared_folders=folders,
    )


def _check_inside(root: Path, path: Path) -> None:
    """``template.yaml`` may be a link only to a file inside the template (a link to /dev/zero or to a
    secret elsewhere is refused before anything is read)."""
    if not path.is_symlink():
        return
    real_root = root.resolve()
    if real_root not in path.resolve().parents:
        raise TemplateError("is a link that leads outside the template; refused", path=path)


def _at_question(fail: _Fail, index: int) -> _Fail:
    def fail_in_question(message: str, /, *keys: str | int) -> TemplateError:
        return fail(message, "questions", index, *keys)

    return fail_in_question


def _parse_shared(raw: object, loaded: LoadedYaml, fail: _Fail) -> tuple[SharedAsset, ...]:
    """``shared: [base.css, storage.js]``: file names inside ``_shared/``, each with its location."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise fail(f"'shared' must be a list of file names from templates/{SHARED_DIR}/, like [base.css]", "shared")
    assets: list[SharedAsset] = []
    for index, name in enumerate(raw):
        if not isinstance(name, str) or not _is_inside(name.strip()):
            raise fail(f"'shared' item {index + 1} must be a file name inside {SHARED_DIR}/, like base.css",
                       "shared", index)
        if any(asset.name == name.strip() for asset in assets):
            raise fail(f"shared file '{name.strip()}' is listed twice", "shared", index)
        line, column = loaded.where("shared", index)
        assets.append(SharedAsset(name=name.strip(), line=line, column=column))
    return tuple(assets)


def _check_shared(root: Path, asset: SharedAsset, folders: tuple[Path, ...]) -> None:
    """Refuse, at load, a shared file that cannot be found or that the template also has itself."""
    path = root / "template.yaml"
    find_shared(asset, folders, path)
    target = asset.name.removesuffix(".j2")
    if (root / "files" / target).exists() or (root / "files" / f"{target}.j2").exists():
        raise TemplateError(
            f"'{target}' comes from {SHARED_DIR}/ and from this template's files/ too; keep one of them",
            path=path, line=asset.line, column=asset.column,
        )


def _parse_question(raw: object, fail: _Fail) -> Question:
    if not isinstance(raw, dict):
        raise fail("each question must be a mapping with name, type and default")
    for key in raw:
        if key not in QUESTION_KEYS:
            raise fail(f"unknown question key '{key}' (known: {', '.join(sorted(QUESTION_KEYS))})", key)
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise fail("question 'name' must be lowercase letters, digits and _ (like brand_color)", "name")
    if name in RESERVED_NAMES:
        raise fail(f"question name '{name}' clashes with a built-in of 'vars' (vars.{name}); pick another", "name")
    qtype = raw.get("type", "str")
    if qtype not in QUESTION_TYPES:
        raise fail(f"question '{name}': type must be one of {', '.join(QUESTION_TYPES)}", "type")
    choices = raw.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, (str, int, float)) for c in choices):
        raise fail(f"question '{name}': 'choices' must be a list of texts", "choices")
    if qtype == "choice" and not choices:
        raise fail(f"question '{name}': a choice question needs 'choices'", "name")
    pattern = raw.get("pattern")
    if pattern is not None:
        problem = pattern_problem(str(pattern))
        if problem is not None:
            raise fail(f"question '{name}': 'pattern' {problem}", "pattern")
    placeholder = _placeholder(raw.get("placeholder"), name, qtype, fail)
    bounds: dict[str, int | None] = {}
    for key in ("min", "max"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise fail(f"question '{name}': '{key}' must be a whole number", key)
        bounds[key] = value
    question = Question(
        name=name,
        type=qtype,
        default=None,
        help=str(raw.get("help") or "").strip(),
        placeholder=placeholder,
        label=str(raw.get("label") or "").strip(),
        choices=tuple(str(c) for c in choices),
        pattern=str(pattern) if pattern is not None else None,
        min=bounds["min"],
        max=bounds["max"],
    )
    if "default" not in raw:
        raise fail(f"question '{name}' needs a 'default'", "name")
    try:
        default = validate_answer(question, raw["default"])
    except AnswerError as exc:
        raise fail(f"question '{name}': the default is not valid: {exc.message}", "default") from None
    return replace(question, default=default)


def _placeholder(value: object, name: str, qtype: str, fail: _Fail) -> str:
    """A question's ``placeholder``: a text of at most ``MAX_PLACEHOLDER_CHARS`` characters, on one
    line unless the answer itself spans lines (``list``, ``text``). It is an example the empty field
    shows, so a domain example ("Walk date | date") never becomes another project's value."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(f"question '{name}': 'placeholder' must be a text", "placeholder")
    text = value.strip()
    if len(text) > MAX_PLACEHOLDER_CHARS:
        raise fail(f"question '{name}': 'placeholder' must be at most {MAX_PLACEHOLDER_CHARS} characters "
                   f"(it has {len(text)})", "placeholder")
    if "\n" in text and qtype not in ("list", "text"):
        raise fail(f"question '{name}': 'placeholder' must fit on one line", "placeholder")
    return text


@functools.lru_cache(maxsize=256)
def _compiled_pattern(pattern: str) -> Any:
    """The pattern compiled by RE2 (linear time; imported on first use, a question with a pattern)."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own complaint to the terminal
    return re2.compile(pattern, options)


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used to check answers, or None."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"is longer than {MAX_PATTERN_CHARS:,} characters"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    try:
        _compiled_pattern(pattern)
    except Exception:  # noqa: BLE001 - re2.error, or a pattern over RE2's memory budget
        return ("uses a feature that cannot be checked in bounded time (look-arounds, back-references); "
                "write it without them")
    return None


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a group of settings"
    if value is None:
        return "nothing"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def validate_answer(question: Question, value: Any) -> Any:
    """Return the answer converted to the question's type, or raise AnswerError in plain words.

    Strings are accepted for every type, because answers also come from the command line and from
    text inputs in the TUI ("12", "yes").
    """
    convert = _CONVERTERS.get(question.type)
    if convert is None:  # unreachable: types are checked on load
        raise AnswerError(question.name, f"{question.display_name} has an unknown type '{question.type}'")
    return convert(question, value)


def _as_text(question: Question, value: Any) -> str:
    if isinstance(value, (bool, list, dict)) or value is None:
        raise AnswerError(question.name, f"{question.display_name} must be a text (got {_describe(value)})")
    return str(value)


def _text_answer(question: Question, value: Any) -> str:
    """``str`` (one line, stripped) and ``text`` (kept as typed), with length and pattern rules."""
    label = question.display_name
    text = _as_text(question, value)
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(question.name, f"{label} is longer than {MAX_ANSWER_CHARS:,} characters; shorten it")
    if question.type == "str":
        if "\n" in text.strip():
            raise AnswerError(question.name, f"{label} must fit on one line")
        text = text.strip()
    if question.min is not None and len(text) < question.min:
        if question.min == 1:
            raise AnswerError(question.name, f"{label} must not be empty")
        raise AnswerError(question.name, f"{label} must be at least {question.min} characters long")
    if question.max is not None and len(text) > question.max:
        raise AnswerError(question.name, f"{label} must be at most {question.max} characters long (it has {len(text)})")
    if question.pattern and not _pattern_matches(question, text):
        hint = f" ({question.help})" if question.help else ""
        raise AnswerError(question.name, f"{label} does not have the expected form{hint}")
    return text


def _pattern_matches(question: Question, text: str) -> bool:
    problem = pattern_problem(question.pattern or "")
    if problem is not None:
        raise AnswerError(question.name, f"{question.display_name} cannot be checked: its pattern {problem}")
    return _compiled_pattern(question.pattern).fullmatch(text) is not None


def _color_answer(question: Question, value: Any) -> str:
    text = _as_text(question, value).strip()
    if not COLOR_RE.match(text):
        raise AnswerError(
            question.name, f"{question.display_name} must be a colour written like #1a73e8 (got {_describe(value)})"
        )
    return text.lower()


def _choice_answer(question: Question, value: Any) -> str:
    text = _as_text(question, value).strip()
    if text not in question.choices:
        raise AnswerError(
            question.name,
            f"{question.display_name} must be one of: {', '.join(question.choices)} (got {_describe(value)})",
        )
    return text


def _int_answer(question: Question, value: Any) -> int:
    label = question.display_name
    whole = (
        (isinstance(value, int) and not isinstance(value, bool))
        or (isinstance(value, float) and value.is_integer())
        or (isinstance(value, str) and WHOLE_NUMBER_RE.fullmatch(value) is not None)
    )
    if not whole:
        raise AnswerError(question.name, f"{label} must be a whole number like 12 (got {_describe(value)})")
    number = int(value)
    if question.min is not None and number < question.min:
        raise AnswerError(question.name, f"{label} must be {question.min} or more (got {number})")
    if question.max is not None and number > question.max:
        raise AnswerError(question.name, f"{label} must be {question.max} or less (got {number})")
    return number


def _bool_answer(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise AnswerError(question.name, f"{question.display_name} must be yes or no (got {_describe(value)})")


def _list_answer(question: Question, value: Any) -> list[str]:
    """A list of lines: from a YAML list, or from a text with one item per line (CLI, TUI)."""
    label = question.display_name
    if isinstance(value, str):
        items = [line.strip() for line in value.splitlines() if line.strip()]
    elif isinstance(value, (list, tuple)):
        items = []
        for index, item in enumerate(value, start=1):
            if isinstance(item, (list, dict)) or item is None:
                raise AnswerError(
                    question.name, f"{label}: item {index} must be a line of text (got {_describe(item)})"
                )
            text = str(item).strip()
            if not text:
                raise AnswerError(question.name, f"{label}: item {index} is empty")
            items.append(text)
    else:
        raise AnswerError(question.name, f"{label} must be a list (got {_describe(value)})")
    if question.min is not None and len(items) < question.min:
        raise AnswerError(question.name, f"{label} needs at least {question.min} item(s) (has {len(items)})")
    if question.max is not None and len(items) > question.max:
        raise AnswerError(question.name, f"{label} allows at most {question.max} item(s) (has {len(items)})")
    return items


_CONVERTERS: dict[str, Callable[[Question, Any], Any]] = {
    "str": _text_answer,
    "text": _text_answer,
    "color": _color_answer,
    "choice": _choice_answer,
    "int": _int_answer,
    "bool": _bool_answer,
    "list": _list_answer,
}


def validate_answers(template: Template, answers: dict[str, Any]) -> dict[str, Any]:
    """Complete ``answers`` with defaults and validate each; unknown names are an error too."""
    result: dict[str, Any] = {}
    for name in answers:
        if template.question(str(name)) is None:
            known = ", ".join(q.name for q in template.questions) or "none"
            raise AnswerError(
                str(name), f"'{name}' is not a question of template '{template.name}' (it asks: {known})"
            )
    for question in template.questions:
        value = answers.get(question.name, question.default)
        result[question.name] = validate_answer(question, value)
    return result


@dataclass
class TemplateCatalog:
    """Templates by name: the built-in ones, overridden by a workspace's ``templates/`` folder."""

    workspace_dir: Path | None = None

    def _roots(self) -> list[tuple[Path, str]]:
        builtin = builtin_templates_dir()
        roots = [(builtin, "built-in")]
        if self.workspace_dir is not None:
            own = self.workspace_dir / "templates"
            # a clone of this repository is a workspace whose templates/ *is* the built-in folder
            if not (own.is_dir() and builtin.is_dir() and own.samefile(builtin)):
                roots.append((own, "workspace"))
        return roots

    def names(self) -> list[str]:
        names: set[str] = set()
        for root, _ in self._roots():
            if root.is_dir():
                # _shared/ holds assets templates take, never a template (NAME_OK refuses it in get too)
                names.update(
                    p.name for p in root.iterdir() if p.name != SHARED_DIR and (p / "template.yaml").is_file()
                )
        return sorted(names)

    def get(self, name: str) -> Template:
        """The template called ``name``; unknown names list the ones that exist."""
        for root, source in reversed(self._roots()):  # workspace first: it wins on a clash
            candidate = root / name
            if not NAME_OK.match(name):
                break
            try:
                stat = (candidate / "template.yaml").stat()
            except (FileNotFoundError, NotADirectoryError):
                continue
            # Specs are re-checked on every save: reuse the parsed template until its file changes.
            key = (str(candidate), stat.st_mtime_ns, stat.st_size)
            cached = _loaded.get(key)
            if cached is None:
                cached = load_template(candidate, source)
                _loaded[key] = cached
            return cached
        known = ", ".join(self.names()) or "none"
        raise TemplateError(f"unknown template '{name}'; available templates: {known}")

    def all(self) -> list[Template]:
        return [self.get(name) for name in self.names()]


NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_loaded: dict[tuple[str, int, int], Template] = {}
