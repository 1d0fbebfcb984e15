"""A spec's title read without YAML is the title YAML reads, or no answer at all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.make.title import plain_title
from sandbox.workspace import Workspace


def _yaml_title(text: str) -> object:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "<invalid>"
    return data.get("title") if isinstance(data, dict) else "<not a mapping>"


title_text = st.text(alphabet="aZé1 .,:#'\"-!?&*()/+[]{}|>%@`~\t", min_size=0, max_size=14)
after = st.sampled_from(["", "\n", "\nslug: x\n", "\n  more words\n", "\n\nslug: x\n", "\n# note\n", "\ntitle: Other\n",
                         " # a comment\nslug: x\n"])
before = st.sampled_from(["", "# Your idea\n", "slug: x\n", "---\n", "idea: 'a\ntitle: hidden'\n", "%YAML 1.1\n---\n"])


@settings(max_examples=2000, deadline=None)
@given(before, title_text, after)
def test_a_plain_title_is_what_yaml_reads(head: str, value: str, tail: str) -> None:
    text = f"{head}title: {value}{tail}"
    quick = plain_title(text)
    if quick is not None:
        assert quick == _yaml_title(text)


@pytest.mark.parametrize("title", ["Overhead", "Café menu", "Bob's shop", "A #1 idea", "Plan v2.0 (draft)",
                                   "Yes", "Off", "Null", "42", "Q: what?", "'quoted'", "[list]", "-dash", "&anchor"])
def test_a_sandbox_written_spec_gives_its_title_either_way(tmp_path: Path, title: str) -> None:
    """Whatever the title, a headless run's prompt names the one the spec holds."""
    from sandbox.assistants import launch

    ws = Workspace(tmp_path)
    ws.new_project(title, "landing-page", slug="p", idea="x", assistants=["claude-code"])
    project = ws.project("p")
    quick = plain_title(project.spec_path.read_text(encoding="utf-8"))
    assert quick in (None, project.load_spec().title)
    prompt = launch.default_prompt(ws.registry["claude-code"], project)
    assert f"'{project.load_spec().title}'" in prompt


def test_the_run_prompt_of_a_plain_title_skips_the_yaml_parser(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.new_project("Team lunch planner", "landing-page", slug="p", idea="x", assistants=["claude-code"])
    code = ("import sys; from pathlib import Path; from sandbox.workspace import Workspace; "
            "from sandbox.assistants import launch; "
            f"ws = Workspace(Path({str(tmp_path)!r})); "
            "print(launch.default_prompt(ws.registry['claude-code'], ws.project('p')), 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'Team lunch planner'" in out
    assert out.strip().endswith("False")
