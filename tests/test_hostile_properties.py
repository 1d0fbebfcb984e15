"""Issue 12, property-based: whatever bytes arrive as a workspace file, the sandbox answers in its own words.

``project.yaml``, ``template.yaml`` and ``sandbox.yaml`` are edited by hand, by assistants and by
strangers; ledger lines arrive through union merges. For each, hypothesis throws arbitrary bytes,
YAML-looking token soup, and near-valid files with one line swapped for garbage at the code that
reads them the way the commands do (``check``, ``list``, the overview, ``log``). The only thing
allowed to escape is a ``SandboxError`` whose message is one line (what the CLI prints, exit 2);
anything else, a traceback in the user's terminal, fails the test. Each example must also finish
within ``DOES_NOT_HANG`` (hypothesis' deadline): generous on purpose, it is there to catch a hang
(a pipe read, a backtracking regex, an exponential walk), not to measure speed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sandbox.assistants.history import describe_event
from sandbox.core import events as schema
from sandbox.core import ledger
from sandbox.core.errors import SandboxError
from sandbox.make.catalog import load_template, validate_answers
from sandbox.workspace import Workspace
from tests.conftest import MINI_TEMPLATE_YAML, write_mini_template

DOES_NOT_HANG = timedelta(seconds=10)
EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=DOES_NOT_HANG,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzzed(test: Callable[..., None]) -> Callable[..., None]:
    """FUZZ's settings, and room for all examples under the suite's per-test timeout."""
    return pytest.mark.timeout(900)(FUZZ(test))

# Pieces YAML gives a meaning to, and values YAML parses but Python cannot hold (issue 12, class 5).
YAML_TOKENS = [
    "\n", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ", ", "'", '"', "# ", "|\n", ">-\n", "---\n", "...\n",
    "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "&a ", "*a", "<<: *a", "~", "null", "yes", "off", "true",
    "2024-13-45", "2023-02-30", "2024-01-01 10:00:00", "9" * 5000, "1" * 4400 + ".5", "1e400", "-.inf", ".NaN",
    "0b101", "0x_1F", "0o17", "1_000", "190:20:30", "12:30:45",
    "!!python/object/apply:os.system ['id']", "!!python/name:os.system", "!!set ", "!!omap ", "!!pairs ",
    "!!binary ", "!!timestamp ", "!!int ", "!!float ", "!!str ", "!<tag:yaml.org,2002:int> ", "!x ",
    "title", "slug", "template", "mini", "idea", "audience", "success", "category", "assistants", "claude-code",
    "vars", "headline", "screens", "size", "layout", "dark", "brand_color", "#zzz", "questions", "name", "type",
    "default", "pattern", "(a+)+$", "choices", "min", "max", "entry", "index.html", "files", "provides",
    "render_budget", "seconds", "memory_mb", "output_mb", "default_assistants", "CON", "nul", "../..",
    "\t", "\x00", "\x7f", "\ufeff", "\x85", "\u2028", "\U0001f600", "é", "a" * 300,
]
# printable text between the tokens: control characters are covered by the raw bytes, and here they
# would stop nearly every example at the reader's first check
printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8)
yaml_soup = st.lists(st.one_of(st.sampled_from(YAML_TOKENS), printable), max_size=40).map("".join)
# values for `key: <value>`: what a hand edit or an assistant might leave after a key
yaml_values = st.one_of(
    st.sampled_from(YAML_TOKENS).filter(lambda token: "\n" not in token),
    st.lists(st.sampled_from(YAML_TOKENS), min_size=1, max_size=3).map(lambda parts: "[" + ", ".join(parts) + "]"),
    st.integers().map(str), st.floats().map(str), printable,
)


def near(valid: str) -> st.SearchStrategy[bytes]:
    """``valid`` with one line replaced by (or followed by) token soup, or one value swapped: reaches the
    checks past parsing (types, ranges, answers), where the crashes of issue 12 were."""
    lines = valid.splitlines()

    def mutate(at: int, replace: bool, soup: str) -> bytes:
        kept = [*lines[:at], soup, *lines[at + 1 if replace else at:]]
        return "\n".join(kept).encode("utf-8", "surrogatepass")

    def revalue(at: int, value: str) -> bytes:
        key, colon, _ = lines[at].partition(":")
        changed = [*lines[:at], f"{key}{colon or ':'} {value}", *lines[at + 1:]]
        return "\n".join(changed).encode("utf-8", "surrogatepass")

    return st.one_of(
        st.builds(mutate, st.integers(0, len(lines)), st.booleans(), yaml_soup),
        st.builds(revalue, st.integers(0, len(lines) - 1), yaml_values),
    )


def hostile_yaml(valid: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=600),
        yaml_soup.map(lambda text: text.encode("utf-8", "surrogatepass")),
        near(valid),
    )


def answers_in_own_words(call: Callable[[], Any]) -> Any:
    """Run ``call``; a ``SandboxError`` is fine if it is one line, anything else fails the test."""
    try:
        return call()
    except SandboxError as exc:
        assert "\n" not in str(exc) and str(exc).strip(), repr(str(exc))
        return None


def one_line(message: object) -> None:
    if message is not None:
        assert "\n" not in str(message), repr(str(message))


# --- project.yaml -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, str, str]:
    """A workspace with two projects made the normal way; the examples overwrite the first's spec."""
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    root.mkdir()
    write_mini_template(root)
    ws = Workspace(root)
    victim = ws.new_project("Victim", "mini").slug
    ws.new_project("Bystander", "mini")  # must stay listed without an error whatever happens to the victim
    return ws, victim, (ws.projects_dir / victim / "project.yaml").read_text()


VALID_SPEC = (
    "title: Victim\ntemplate: mini\nidea: |\n  An idea\naudience: people\nsuccess: it works\n"
    "assistants: [claude-code, copilot]\nvars:\n  headline: Hi\n  screens: [Home]\n  size: 3\n  dark: false\n"
)


@fuzzed
@given(data=hostile_yaml(VALID_SPEC))
@example(data=b"success: 2024-13-45\n")
@example(data=b"title: x\nsize: " + b"9" * 5000 + b"\n")
@example(data=b"a: &a [" + b",".join([b"*a"] * 9) + b"]\nb: &b [" + b",".join([b"*a"] * 9) + b"]\n")
@example(data=b"[" * 100_000)
@example(data=b"title: \xff\xfe\n")
def test_any_project_yaml_is_answered_in_one_line(made: tuple[Workspace, str, str], data: bytes) -> None:
    ws, victim, _ = made
    (ws.projects_dir / victim / "project.yaml").write_bytes(data)
    for result in ws.check(victim):
        one_line(result.error)
    listed = answers_in_own_words(ws.list_projects)
    assert listed is not None, "list must answer even when one project is broken"
    assert len(listed) == 2 and all(item.error is None for item in listed if item.slug != victim)
    for item in listed:
        one_line(item.error)
    overview = answers_in_own_words(lambda: ws.overview(victim))
    if overview is not None:
        one_line(overview.spec_error)


# --- template.yaml ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-template") / "ws"
    shutil.copytree(write_mini_template(root), root / "templates" / "fuzzed")
    return root / "templates" / "fuzzed"


@fuzzed
@given(data=hostile_yaml(MINI_TEMPLATE_YAML))
@example(data=MINI_TEMPLATE_YAML.replace("default: Hello", "default: 2023-02-30").encode())
@example(data=MINI_TEMPLATE_YAML.replace("max: 9", "max: " + "9" * 5000).encode())
@example(data=MINI_TEMPLATE_YAML.replace("default: Hello", "default: " + "a" * 5000 + "!\n    pattern: '(a+)+$'")
         .encode())
def test_any_template_yaml_is_answered_in_one_line(template_root: Path, data: bytes) -> None:
    (template_root / "template.yaml").write_bytes(data)
    loaded = answers_in_own_words(lambda: load_template(template_root))
    if loaded is not None:  # a template that loads must also take its own defaults (what `new` does)
        answers_in_own_words(lambda: validate_answers(loaded, {}))


# --- sandbox.yaml -------------------------------------------------------------------------------
VALID_SETTINGS = (
    "default_assistants: [claude-code]\nrender_budget:\n  seconds: 5\n  memory_mb: 256\n  output_mb: 10\n"
)


@fuzzed
@given(data=hostile_yaml(VALID_SETTINGS))
@example(data=b"render_budget: {seconds: .nan}\n")
@example(data=b"render_budget: {output_mb: " + b"9" * 5000 + b"}\n")
def test_any_sandbox_yaml_is_answered_in_one_line(made: tuple[Workspace, str, str], data: bytes) -> None:
    """What every command reads first: the settings, the budget, the assistants, the templates."""
    ws, victim, spec = made
    (ws.projects_dir / victim / "project.yaml").write_text(spec)
    (ws.root / "sandbox.yaml").write_bytes(data)
    try:
        fresh = Workspace(ws.root)
        answers_in_own_words(lambda: fresh.settings)
        answers_in_own_words(fresh.render_budget)
        answers_in_own_words(fresh.default_assistants)
        answers_in_own_words(lambda: fresh.registry)
        answers_in_own_words(fresh.templates)
        for result in fresh.check():
            one_line(result.error)
    finally:
        (ws.root / "sandbox.yaml").unlink()


# --- ledger lines -------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _base_event(kind: str) -> dict[str, Any]:
    return {"id": "e" * 32, "at": "2025-03-01T09:30:00.000Z", "kind": kind, "schema": 1, "project": "victim"}


@st.composite
def damaged_events(draw: st.DrawFn) -> bytes:
    """An event of a real kind with one of its fields (common or the kind's own) set to any JSON value."""
    kind = draw(st.sampled_from(sorted(schema.KINDS)))
    event = _base_event(kind)
    event["id"] = draw(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32))
    field = draw(st.sampled_from(sorted({*schema.COMMON, *schema.KINDS[kind]})))
    event[field] = draw(json_values)
    return json.dumps(event).encode()


ledger_lines = st.one_of(
    st.binary(max_size=300).map(lambda raw: raw.replace(b"\n", b" ")),
    json_values.map(lambda value: json.dumps(value).encode()),
    damaged_events(),
    st.sampled_from([b"[" * 100_000, b"{\"a\":" * 50_000, b'{"id": "x", "kind": "rating", "at": NaN}',
                     b'{"id": "\\ud800", "kind": "rating"}', b'{"id": "y", "kind": "created", "schema": 99}']),
)


@fuzzed
@given(lines=st.lists(ledger_lines, min_size=1, max_size=6))
def test_any_ledger_line_is_an_event_or_a_counted_problem(made: tuple[Workspace, str, str],
                                                           lines: list[bytes]) -> None:
    """What `list`, `log` and the overview read; each line counted once, every reader gets on with it."""
    ws, victim, spec = made
    (ws.projects_dir / victim / "project.yaml").write_text(spec)
    path = ws.projects_dir / victim / "ledger.jsonl"
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\n".join(lines) + b"\n")
        read = ledger.read(path)
        counted = len(read.events) + len(read.problems) + read.duplicates + read.newer
        assert counted == len([line for line in (original + b"\n".join(lines)).split(b"\n") if line.strip()])
        assert all(problem.line > original.count(b"\n") for problem in read.problems)
        for problem in read.problems:
            one_line(problem)
        for event in read.events:  # the validated events are safe for every reader to use as they are
            assert schema.problem(event) is None
            describe_event(event)  # what `log` shows for it
        summary = ws.summary(victim)
        assert summary.error is None, summary.error
        ws.overview(victim)
    finally:
        path.write_bytes(original)

