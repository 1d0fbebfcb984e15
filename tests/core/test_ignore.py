"""One ignore policy (gitignore semantics through pathspec) for the watcher, the snapshot and change batches."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pathspec
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sandbox.core.errors import SpecError
from sandbox.core.ignore import DEFAULT_PATTERNS, IgnoreRules, check_pattern, settings_patterns
from sandbox.core.settings import load_settings
from tests.support.listing import record_listings


def _tree(root: Path, files: list[str]) -> None:
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


segment = st.text(alphabet="abcXYZ019._-~#", min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(segment, min_size=1, max_size=4))
def test_ignore_rules_are_consistent(segments: list[str]) -> None:
    """A path inside an ignored folder is ignored whatever follows; plain names are never ignored."""
    rules = IgnoreRules()
    relative = "/".join(segments)
    if any(s in ("node_modules", ".git", ".sandbox") for s in segments[:-1]):
        assert rules.ignored(relative)
    assert rules.ignored("node_modules/" + relative)
    assert rules.ignored(".git/" + relative)
    plain = "/".join(s.strip(".~#") or "x" for s in segments).replace("..", "x")
    if all(seg and not seg.endswith((".tmp", ".swp", ".bak", ".orig", ".part", ".temp", ".pyc", ".swo", ".swx"))
           and seg not in ("4913", "node_modules", ".git", "__pycache__", ".venv", ".idea", ".hg", ".svn")
           and not seg.startswith(".") for seg in plain.split("/")):
        assert not rules.ignored(plain)


@pytest.mark.parametrize(
    "pattern, ignored, kept",
    [
        ("/build", ["build", "build/out.js", "build/a/b.css"], ["x/build/out.js", "builder/a.js"]),
        ("assets/raw", ["assets/raw/x.psd", "assets/raw/deep/y.png"], ["assets/rawer/x.psd", "raw/x.psd"]),
        ("/drafts/*.html", ["drafts/a.html"], ["drafts/sub/a.html", "other/drafts.html"]),
        ("**/generated", ["generated/a.js", "src/generated/a.js", "a/b/generated/c/d.js"], ["src/generated.js"]),
        ("docs/**/*.pdf", ["docs/a.pdf", "docs/a/b/c.pdf"], ["docs/a.md", "x/docs/a.pdf"]),
        ("shots/[ab]?/*", ["shots/a1/x.png", "shots/bz/y.png"], ["shots/c1/x.png", "shots/a12/x.png"]),
    ],
)
def test_path_patterns_follow_gitignore(pattern: str, ignored: list[str], kept: list[str]) -> None:
    """sandbox.yaml's ``ignore:`` reads like .gitignore: a matched folder hides all inside it."""
    rules = IgnoreRules([pattern])
    for relative in ignored:
        assert rules.ignored(relative), (pattern, relative)
    for relative in kept:
        assert not rules.ignored(relative), (pattern, relative)


@pytest.mark.parametrize("relative", [
    ".git/HEAD", ".git", "node_modules/pkg/index.js", "a/node_modules/x.js", ".sandbox/manifest.json", ".idea/x.xml",
    "__pycache__/m.pyc", ".venv/bin/python", "index.html.swp", "index.html~", ".#index.html", "#index.html#", "4913",
    ".style.css.a1b2.tmp", "page.bak", "index.html___jb_tmp___", "index.html___jb_old___", "big.zip.crdownload",
    ".DS_Store", "Thumbs.db", "style.css.sandbox-new", ".creating-abc/index.html", "a.orig",
])
def test_the_default_list_is_what_nobody_wrote(relative: str) -> None:
    """One list: editor leftovers, dependencies, the sandbox's own files (the watcher and sessions used to differ)."""
    assert IgnoreRules().ignored(relative)


@pytest.mark.parametrize("relative", ["index.html", "css/style.css", "notes.md", "build/app.js", "src/a.log",
                                      ".github/copilot-instructions.md", ".claude/settings.json", "CLAUDE.md"])
def test_a_prototypes_own_files_are_never_ignored_by_default(relative: str) -> None:
    assert not IgnoreRules().ignored(relative)


def test_negation_takes_a_name_back() -> None:
    rules = IgnoreRules(["*.log", "!keep.log"])
    assert rules.ignored("debug.log") and rules.ignored("a/b/c.log")
    assert not rules.ignored("keep.log") and not rules.ignored("deep/keep.log")
    backups = IgnoreRules(["!*.bak"])  # a default can be taken back too
    assert not backups.ignored("page.bak") and backups.ignored("page.swp")
    assert IgnoreRules(["!keep.log", "*.log"]).ignored("keep.log"), "the last pattern that matches wins"


def test_nothing_inside_an_ignored_folder_can_be_taken_back(tmp_path: Path) -> None:
    """As in git: the walk never enters an ignored folder, so a single path must not say otherwise."""
    rules = IgnoreRules(["build/", "!build/keep.txt", "!node_modules/pkg/index.js"])
    assert rules.ignored("build/keep.txt") and rules.ignored("node_modules/pkg/index.js")
    _tree(tmp_path, ["build/keep.txt", "node_modules/pkg/index.js", "index.html"])
    assert set(rules.walk(tmp_path)) == {"index.html"}


def test_folder_patterns_match_folders_only() -> None:
    rules = IgnoreRules(["build/", "cache"], defaults=False)
    assert rules.ignored("build", is_dir=True) and rules.ignored("build/out.js") and rules.ignored("x/build/a.css")
    assert not rules.ignored("build"), "a file named build is not a folder"
    assert rules.ignored("cache") and rules.ignored("cache", is_dir=True) and rules.ignored("a/cache/b")


def test_anchored_patterns_hold_at_the_root_only() -> None:
    rules = IgnoreRules(["/dist", "variants/*/tmp/"], defaults=False)
    assert rules.ignored("dist/app.js") and not rules.ignored("src/dist/app.js")
    assert rules.ignored("variants/copilot/tmp/x") and not rules.ignored("variants/copilot/src/tmp/x")
    assert not rules.ignored("other/variants/copilot/tmp/x")


PATTERNS = ["*.log", "!keep.log", "build/", "/dist", "assets/raw", "!*.bak", "docs/**/*.pdf", "\\#literal"]
FILES = [
    "index.html", "css/site.css", "debug.log", "sub/keep.log", "keep.log", "build/out.js", "src/build/x.js",
    "dist/app.js", "src/dist/app.js", "assets/raw/a.psd", "assets/rawer/a.psd", "page.bak", "page.swp",
    "docs/a/b.pdf", "docs/a.md", "node_modules/p/i.js", ".git/HEAD", ".idea/ws.xml", "x.sandbox-new",
    "deep/er/still/here.txt", "deep/er/.#lock", "#literal",
]
KEPT = {"index.html", "css/site.css", "sub/keep.log", "keep.log", "src/dist/app.js", "assets/rawer/a.psd", "page.bak",
        "docs/a.md", "deep/er/still/here.txt"}
ANCHORED = {"dist/app.js", "assets/raw/a.psd", "docs/a/b.pdf"}  # anchored at the rules' folder, not at ``base``


@pytest.mark.parametrize("base, kept", [("", KEPT), ("variants/copilot", KEPT | ANCHORED)])
def test_the_walk_and_single_paths_give_the_same_answer(tmp_path: Path, base: str, kept: set[str]) -> None:
    """The snapshot walks, the watcher asks path by path: the same files are noise for both."""
    rules = IgnoreRules(PATTERNS)
    _tree(tmp_path, FILES)
    prefix = f"{base}/" if base else ""
    assert {f for f in FILES if not rules.ignored(prefix + f)} == kept
    assert set(rules.walk(tmp_path, base=base)) == kept


def test_the_walk_never_enters_an_ignored_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """node_modules can hold 20,000 files: pruning it is what keeps a snapshot fast."""
    _tree(tmp_path, ["node_modules/a/b/c.js", ".git/objects/ab/cd", "build/x.js", "src/app.js"])
    listed = record_listings(monkeypatch, tmp_path)
    assert set(IgnoreRules(["build/"]).walk(tmp_path)) == {"src/app.js"}
    assert sorted(listed) == [".", "src"]


def test_a_base_inside_an_ignored_folder_has_no_files(tmp_path: Path) -> None:
    _tree(tmp_path, ["a.txt"])
    assert IgnoreRules().walk(tmp_path, base="node_modules/pkg") == {}


path_segment = st.sampled_from(["a", "b", "build", "keep.log", "x.log", "node_modules", ".git", "dist", "c.bak", "doc",
                                "x.swp"])
pattern_text = st.sampled_from(["*.log", "!keep.log", "build/", "/dist", "a/b", "!*.bak", "**/doc", "!a", "b/", "a/**",
                                "a", "!b/", "!node_modules", "!*.swp", "doc/*", "!/a"])


@settings(max_examples=500, deadline=None)
@given(st.lists(pattern_text, max_size=6), st.lists(path_segment, min_size=1, max_size=4), st.booleans())
def test_the_shortcut_never_changes_an_answer(patterns: list[str], segments: list[str], is_dir: bool) -> None:
    """Most paths are answered by two combined expressions; the answer is always git's, through pathspec:
    ignored when a parent folder is, else when the path itself is."""
    rules = IgnoreRules(patterns)
    spec = pathspec.GitIgnoreSpec.from_lines([*DEFAULT_PATTERNS, *patterns])
    relative = "/".join(segments)
    parents = ["/".join(segments[:n]) + "/" for n in range(1, len(segments))]
    expected = any(spec.match_file(p) for p in parents) or spec.match_file(relative + ("/" if is_dir else ""))
    assert rules.ignored(relative, is_dir=is_dir) == expected


def _settings(tmp_path: Path, text: str):
    (tmp_path / "sandbox.yaml").write_text(text)
    return load_settings(tmp_path)


def test_sandbox_yaml_patterns_are_read_with_negation(tmp_path: Path) -> None:
    settings_ = _settings(tmp_path, "ignore:\n  - '*.log'\n  - '!keep.log'\n  - 4913\n  - build/\n")
    assert settings_patterns(settings_) == ["*.log", "!keep.log", "4913", "build/"]


@pytest.mark.parametrize("entry, message", [
    ("''", "pattern is empty"),
    ("'/'", "pattern is empty"),
    ("'#draft'", "makes it a comment"),
    ("'img['", "can never match anything"),
    ("'!'", "is not a valid pattern"),
    ("'[z-a]'", "is not a valid pattern"),
    ("{a: 1}", "must be a pattern"),
    ("true", "must be a pattern"),
])
def test_a_pattern_that_cannot_work_is_refused_at_its_line(tmp_path: Path, entry: str, message: str) -> None:
    settings_ = _settings(tmp_path, f"ignore:\n  - '*.log'\n  - {entry}\n")
    with pytest.raises(SpecError) as caught:
        settings_patterns(settings_)
    text = str(caught.value)
    assert re.search(r"sandbox\.yaml:3:\d+: ", text) and message in text and "\n" not in text, text


def test_a_projects_anchored_patterns_hold_inside_each_variant(tmp_path: Path) -> None:
    """sandbox.yaml's ``/dist`` is each prototype's dist folder; plain names still match anywhere."""
    from sandbox.core.ignore import project_rules

    rules = project_rules(["/dist", "assets/raw", "*.log", "!/keep.log", "**/tmp"], own=["/ledger.jsonl"])
    assert rules.ignored("variants/copilot/dist/app.js") and rules.ignored("variants/a/assets/raw/x.psd")
    assert not rules.ignored("dist/app.js") and not rules.ignored("variants/a/src/dist/app.js")
    assert not rules.ignored("variants/a/keep.log") and rules.ignored("variants/a/sub/keep.log")
    assert rules.ignored("variants/a/x/tmp/y") and rules.ignored("ledger.jsonl")
    assert not rules.ignored("variants/a/ledger.jsonl")
    _tree(tmp_path, ["dist/app.js", "src/dist/app.js", "assets/raw/x.psd", "keep.log", "a.log", "page.html"])
    assert set(rules.walk(tmp_path, base="variants/copilot")) == {"src/dist/app.js", "keep.log", "page.html"}


name_pattern = st.text(alphabet="ab.*?\\#~-", min_size=1, max_size=6)
name_segment = st.text(alphabet="ab.#~-*?\\", min_size=1, max_size=6)


@settings(max_examples=500, deadline=None)
@given(st.lists(name_pattern, min_size=1, max_size=3), st.lists(name_segment, min_size=1, max_size=3), st.booleans())
def test_plain_names_are_answered_as_pathspec_answers_them(patterns: list[str], segments: list[str],
                                                           is_dir: bool) -> None:
    """Rules made only of names are answered without pathspec; the answers are still pathspec's."""
    assume(all(check_pattern(p) is None for p in patterns))  # sandbox.yaml refuses the others at their line
    assume(not {".", ".."} & set(segments))  # no file is named so
    rules = IgnoreRules(patterns, defaults=False)
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    relative = "/".join(segments)
    parents = ["/".join(segments[:n]) + "/" for n in range(1, len(segments))]
    expected = any(spec.match_file(p) for p in parents) or spec.match_file(relative + ("/" if is_dir else ""))
    assert rules.ignored(relative, is_dir=is_dir) == expected


def test_the_default_rules_do_not_load_pathspec(tmp_path: Path) -> None:
    """A snapshot under the default rules (every `sandbox run` and session hook) skips pathspec's import."""
    _tree(tmp_path, ["index.html", "node_modules/x.js", "a.bak"])
    code = ("import sys; from pathlib import Path; from sandbox.core.ignore import IgnoreRules; "
            f"files = IgnoreRules(['*.log']).walk(Path({str(tmp_path)!r})); "
            "print(sorted(files), 'pathspec' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['index.html'] False"


# --- folder listings kept between walks (git's untracked cache) -----------------------------------------
def _age(root: Path, seconds: float = 3600) -> None:
    """Every folder's mtime an hour back, as between two sessions."""
    old = time.time() - seconds
    for folder, _, _ in os.walk(root):
        os.utime(folder, (old, old))


_TREE_OPS = st.lists(st.tuples(st.sampled_from(["add", "remove", "rename", "mkdir", "rmdir", "ignored", "edit"]),
                               st.integers(0, 1000)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(ops=_TREE_OPS, rules=st.sampled_from([(), ("*.log",), ("/dist", "!keep.log")]))
def test_a_walk_from_kept_listings_finds_what_a_full_walk_finds(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]], rules: tuple[str, ...]
) -> None:
    from sandbox.core.ignore import Listings

    root = tmp_path_factory.mktemp("tree")
    for rel in ("a.txt", "src/app.js", "src/parts/b.js", "dist/out.js", "notes/x.log", "node_modules/m/i.js"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel)
    _age(root)
    ignore = IgnoreRules(rules)
    first = Listings(None, None, time.time_ns())
    assert ignore.walk(root, listings=first) == ignore.walk(root)
    for op, n in ops:  # what a person or an assistant does between two walks
        folders = sorted(p for p in root.rglob("*") if p.is_dir() and "node_modules" not in p.parts) or [root]
        files = sorted(p for p in root.rglob("*") if p.is_file())
        here = folders[n % len(folders)]
        if op == "add":
            (here / f"new{n}.js").write_text("new")
        elif op == "remove" and files:
            files[n % len(files)].unlink()
        elif op == "rename" and files:
            files[n % len(files)].rename(here / f"moved{n}.js")
        elif op == "mkdir":
            (here / f"dir{n}").mkdir(exist_ok=True)
            (here / f"dir{n}" / "in.js").write_text("in")
        elif op == "rmdir" and here != root:
            subprocess.run(["rm", "-rf", str(here)], check=True)
        elif op == "ignored":
            (here / f"swap{n}.swp").write_text("noise")
        elif op == "edit" and files:
            files[n % len(files)].write_text("edited")
    kept = Listings(first.fresh, first.key, time.time_ns())
    assert ignore.walk(root, listings=kept) == ignore.walk(root)
    # and under other rules nothing kept is used: every folder is listed again
    other = IgnoreRules((*rules, "*.js"))
    assert other.walk(root, listings=Listings(first.fresh, first.key, time.time_ns())) == other.walk(root)


def test_unchanged_folders_are_not_listed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sandbox.core.ignore import Listings

    for i in range(30):
        (tmp_path / f"d{i % 5}" / f"f{i}.txt").parent.mkdir(exist_ok=True)
        (tmp_path / f"d{i % 5}" / f"f{i}.txt").write_text(str(i))
    _age(tmp_path)
    rules = IgnoreRules()
    first = Listings(None, None, time.time_ns())
    expected = rules.walk(tmp_path, listings=first)
    (tmp_path / "d3" / "f3.txt").write_text("changed, same folder")  # a file's change: its folder's mtime stays
    (tmp_path / "d4" / "new.txt").write_text("added")  # its folder changes
    listed = record_listings(monkeypatch, tmp_path)
    found = rules.walk(tmp_path, listings=Listings(first.fresh, first.key, time.time_ns()))
    assert listed == ["d4"]
    assert set(found) == set(expected) | {"d4/new.txt"}
    assert found["d3/f3.txt"].st_size == len("changed, same folder")


def test_a_folder_changed_at_the_moment_its_listing_was_kept_is_listed_again(tmp_path: Path) -> None:
    """The racy case: a second change in the same timestamp tick would keep the folder's mtime."""
    from sandbox.core.ignore import Listings

    (tmp_path / "a.txt").write_text("a")
    rules = IgnoreRules()
    first = Listings(None, None, 0)
    rules.walk(tmp_path, listings=first)
    mtime = os.stat(tmp_path).st_mtime_ns
    (tmp_path / "b.txt").write_text("b")
    os.utime(tmp_path, ns=(mtime, mtime))  # the folder's mtime as it was: the same tick
    assert set(rules.walk(tmp_path, listings=Listings(first.fresh, first.key, mtime))) == {"a.txt", "b.txt"}
    # trusted (kept well after the change), it would have missed b.txt: which is why the window exists
    assert set(rules.walk(tmp_path, listings=Listings(first.fresh, first.key, mtime + 1))) == {"a.txt"}


def test_a_damaged_listing_never_names_a_file_outside_its_folder(tmp_path: Path) -> None:
    """The listings come from an index file on disk: a name with a '/' or '..' in it is not a name
    ``scandir`` could give, and the folder is listed again instead."""
    from sandbox.core.ignore import Listings

    root = tmp_path / "variant"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.js").write_text("app")
    (tmp_path / "secret.txt").write_text("outside the variant")
    _age(root)
    rules = IgnoreRules()
    first = Listings(None, None, time.time_ns())
    rules.walk(root, listings=first)
    for bad in ("../secret.txt", "../../variant/src/app.js", "..", ""):
        damaged = {folder: list(kept) for folder, kept in first.fresh.items()}  # type: ignore[call-overload]
        damaged[""][2] = [*damaged[""][2], bad]
        assert set(rules.walk(root, listings=Listings(damaged, first.key, time.time_ns()))) == {"src/app.js"}
