"""Snapshots of a folder and what changed since one: the counts a session's end reports."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from sandbox.assistants import snapshot
from sandbox.assistants.content_store import ContentStore
from sandbox.core.fs import sha256_bytes
from sandbox.core.ignore import IgnoreRules
from tests.support.listing import record_listings

RULES = IgnoreRules()


def _age(root: Path, seconds: float = 3600) -> None:
    old = time.time_ns() - int(seconds * 1e9)
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))


@pytest.mark.parametrize("data, lines", [(b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"\n\n", 2)])
def test_lines_count_as_an_editor_shows_them(data: bytes, lines: int) -> None:
    assert snapshot.count_lines(data) == lines


def test_line_delta_reads_like_git_numstat(monkeypatch: pytest.MonkeyPatch) -> None:
    old = b"one\ntwo\nthree\n"
    assert snapshot.line_delta(old, b"one\n2\nthree\nfour\n") == (2, 1)  # one line changed, one added
    assert snapshot.line_delta(None, old) == (3, 0)
    assert snapshot.line_delta(old, None) == (0, 3)
    assert snapshot.line_delta(old, old) == (0, 0)
    monkeypatch.setattr(snapshot, "EXACT_DIFF_LIMIT", 1)  # a huge file: counted by line multiplicity
    assert snapshot.line_delta(old, old + b"four\nfive\n") == (2, 0)
    assert snapshot.line_delta(old, b"three\n") == (0, 2)


def test_a_pack_gives_back_what_it_kept_and_nothing_when_damaged(tmp_path: Path) -> None:
    contents = {"index.html": b"<h1>hi</h1>\n", "css/a.css": b"", "notes.md": "caf\u00e9\n".encode()}
    pack = tmp_path / "v.pack"
    snapshot.write_pack(pack, contents)
    assert snapshot.read_pack(pack) == contents
    pack.write_bytes(b"not zlib at all")
    assert snapshot.read_pack(pack) == {}
    assert snapshot.read_pack(tmp_path / "missing.pack") == {}


def test_a_snapshot_hashes_text_binary_and_big_files_and_leaves_noise_out(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "index.html").write_text("<h1>a</h1>\n<p>b</p>\n")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\0\0data")
    (tmp_path / "video.mp4").write_bytes(b"x" * 64)
    (tmp_path / "index.html.swp").write_bytes(b"swap")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "dep.js").write_text("x\n")
    monkeypatch.setattr(snapshot, "MAX_TEXT_BYTES", 32)  # video.mp4 is now "big"
    kept: dict[str, bytes] = {}
    files = snapshot.take_snapshot(tmp_path, RULES, keep=kept)
    assert set(files) == {"index.html", "logo.png", "video.mp4"}
    assert (files["index.html"].lines, files["index.html"].text) == (2, True)
    assert (files["logo.png"].lines, files["logo.png"].text) == (0, False)
    assert files["video.mp4"].sha == sha256_bytes(b"x" * 64) and not files["video.mp4"].text
    assert set(kept) == {"index.html"}, "only text files go into the pack"
    assert snapshot.decode_files(snapshot.encode_files(files)) == files


def test_unchanged_files_are_not_read_again_but_racy_ones_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like git's index: size and mtime vouch for an old file; one touched within a second is re-read."""
    (tmp_path / "old.txt").write_text("old\n")
    _age(tmp_path)
    (tmp_path / "fresh.txt").write_text("fresh\n")
    first = snapshot.take_snapshot(tmp_path, RULES)
    assert first["old.txt"].mtime_ns > 0 and first["fresh.txt"].mtime_ns == -1
    reads: list[Path] = []
    original = snapshot._read

    def read(path: str) -> bytes | None:
        reads.append(Path(path))
        return original(path)

    monkeypatch.setattr(snapshot, "_read", read)
    again = snapshot.take_snapshot(tmp_path, RULES, previous=first)
    assert reads == [tmp_path / "fresh.txt"] and again["old.txt"] is first["old.txt"]


def test_compare_counts_files_and_lines_and_leaves_the_sandboxs_render_out(tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text("one\ntwo\nthree\n")
    (tmp_path / "gone.txt").write_text("a\nb\n")
    (tmp_path / "rendered.html").write_text("v1\n")
    kept: dict[str, bytes] = {}
    before = snapshot.take_snapshot(tmp_path, RULES, keep=kept)
    (tmp_path / "page.txt").write_text("one\n2\nthree\nfour\n")
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "new.js").write_text("a\nb")
    (tmp_path / "rendered.html").write_text("v2 from the template\n")
    now = snapshot.take_snapshot(tmp_path, RULES, previous=before)
    rendered = {"rendered.html": sha256_bytes(b"v2 from the template\n")}
    diff = snapshot.compare(tmp_path, before, now, rendered=rendered, pack=lambda: kept)
    assert (diff.added, diff.changed, diff.deleted) == (["new.js"], ["page.txt"], ["gone.txt"])
    assert (diff.lines_added, diff.lines_removed) == (2 + 2, 1 + 2)
    assert diff.files == ["gone.txt", "new.js", "page.txt"]
    estimated = snapshot.compare(tmp_path, before, now, rendered=rendered, pack=dict)  # the pack was lost
    assert (estimated.lines_added, estimated.lines_removed) == (2 + 1, 0 + 2), "estimated from line counts"


def test_compare_reads_the_pack_only_when_a_text_file_changed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    before = snapshot.take_snapshot(tmp_path, RULES)
    (tmp_path / "b.txt").write_text("b\n")
    calls: list[int] = []

    def pack() -> dict[str, bytes]:
        calls.append(1)
        return {}

    diff = snapshot.compare(tmp_path, before, snapshot.take_snapshot(tmp_path, RULES), rendered={}, pack=pack)
    assert diff.added == ["b.txt"] and calls == []


# --- the stat cache between sessions (like git's index) ---------------------------------------------
def _store(tmp_path: Path) -> ContentStore:
    return ContentStore(tmp_path / "state" / "v.index", pinned=tmp_path / "state" / "v.pack")


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original = snapshot._read

    def read(path: str) -> bytes | None:
        reads.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(snapshot, "_read", read)
    return reads


def test_a_start_reads_only_what_changed_since_the_cache_was_written(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "v"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(f"{name}\n")
    _age(root)
    snapshot.take_snapshot(root, RULES, store=_store(tmp_path))  # a first session: everything is read
    (root / "b.txt").write_text("b, edited\n")
    os.replace(root / "c.txt", root / "c.old")
    (root / "c.txt").write_text("c.txt\n")  # same size and content, but another file (another inode)
    old = time.time_ns() - int(7200 * 1e9)
    os.utime(root / "c.txt", ns=(old, old))
    os.utime(root / "c.old", ns=(old, old))
    reads = _counting_reads(monkeypatch)
    files = snapshot.take_snapshot(root, RULES, store=_store(tmp_path))
    assert sorted(reads) == ["b.txt", "c.old", "c.txt"], "a.txt was vouched for by its stat"
    assert files["b.txt"].sha == sha256_bytes(b"b, edited\n")


def test_a_cache_entry_written_in_the_same_tick_as_the_file_vouches_for_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The racy-git rule: a file changed again right after the cache was written, within the
    timestamp's resolution, keeps its size and mtime; so such an entry is never trusted."""
    root = tmp_path / "v"
    root.mkdir()
    (root / "page.txt").write_text("one\n")
    store = _store(tmp_path)
    snapshot.take_snapshot(root, RULES, store=store)
    stamp = (root / "page.txt").stat().st_mtime_ns
    (root / "page.txt").write_text("two\n")  # same size
    os.utime(root / "page.txt", ns=(stamp, stamp))  # and the same mtime: only its content differs
    reads = _counting_reads(monkeypatch)
    files = snapshot.take_snapshot(root, RULES, store=_store(tmp_path))
    assert reads == ["page.txt"] and files["page.txt"].sha == sha256_bytes(b"two\n")


def test_coarse_timestamps_widen_the_racy_window(tmp_path: Path) -> None:
    """On HFS+ or FAT every mtime is a whole (or even) second: a second of margin is not enough."""
    def stats(mtime_ns: int) -> list[os.stat_result]:
        return [SimpleNamespace(st_mtime_ns=mtime_ns)] * 3  # type: ignore[list-item]

    assert snapshot.racy_window(stats(1_700_000_000_123_456_789)) == snapshot.RACY_NS
    assert snapshot.racy_window(stats(1_700_000_001_000_000_000)) == 2 * snapshot.RACY_NS
    assert snapshot.racy_window(stats(1_700_000_000_000_000_000)) == 4 * snapshot.RACY_NS
    root = tmp_path / "v"
    root.mkdir()
    (root / "a.txt").write_text("a\n")
    whole_second = (time.time_ns() // 1_000_000_000 - 1) * 1_000_000_000  # 1-2 s ago, a whole second
    os.utime(root / "a.txt", ns=(whole_second + 1, whole_second + 1))
    assert snapshot.take_snapshot(root, RULES)["a.txt"].mtime_ns > 0, "fine timestamps: a second is enough"
    os.utime(root / "a.txt", ns=(whole_second, whole_second))
    assert snapshot.take_snapshot(root, RULES)["a.txt"].mtime_ns == -1, "coarse: racy, read again next time"


def test_the_cache_is_judged_by_the_file_systems_clock(tmp_path: Path) -> None:
    """A network share's clock may run behind ours: entries are compared with the cache file's own
    mtime, so a file stamped just before the cache was written is not trusted."""
    root = tmp_path / "v"
    root.mkdir()
    (root / "a.txt").write_text("a\n")
    _age(root)
    store = _store(tmp_path)
    snapshot.take_snapshot(root, RULES, store=store)
    assert set(_store(tmp_path).trusted()) == {"a.txt"}
    stamp = (root / "a.txt").stat().st_mtime_ns
    os.utime(store.index_path, ns=(stamp + 10, stamp + 10))  # the cache "written" right after the file
    assert _store(tmp_path).trusted() == {}


def test_a_stored_pack_gives_back_the_texts_and_survives_clean_ups(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "v"
    root.mkdir()
    (root / "page.txt").write_text("one\ntwo\n")
    (root / "logo.png").write_bytes(b"\x89PNG\0")
    store = _store(tmp_path)
    files = snapshot.take_snapshot(root, RULES, store=store)
    pack = tmp_path / "state" / "v.pack"
    snapshot.write_stored_pack(pack, files, store)
    assert dict(snapshot.read_pack(pack)) == {"page.txt": b"one\ntwo\n"}
    monkeypatch.setattr("sandbox.assistants.content_store.GC_SLACK_BYTES", 0)
    for n in range(5):  # many versions later, with clean-ups in between
        (root / "page.txt").write_text(f"version {n}\n")
        snapshot.take_snapshot(root, RULES, store=_store(tmp_path))
    assert snapshot.read_pack(pack)["page.txt"] == b"one\ntwo\n", "the open session's texts are kept"
    assert len(list((tmp_path / "state").glob("*.blobs"))) == 1
    blobs = next((tmp_path / "state").glob("*.blobs"))
    blobs.write_bytes(b"\0" * blobs.stat().st_size)  # damaged: no text rather than a wrong one
    assert "page.txt" not in snapshot.read_pack(pack)


def test_the_old_self_contained_pack_still_reads(tmp_path: Path) -> None:
    """A session opened before the stat cache existed ends with its old pack."""
    pack = tmp_path / "v.pack"
    snapshot.write_pack(pack, {"a.txt": b"a\n"})
    assert snapshot.read_pack(pack) == {"a.txt": b"a\n"} and snapshot.pack_hashes(pack) == set()


def test_a_snapshot_lists_again_only_the_folders_that_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stat cache keeps each folder's listing too: an unchanged folder is not read again, its
    files' stats are still taken (an edit in place is seen), a changed folder is listed."""
    root = tmp_path / "v"
    for rel in ("index.html", "src/app.js", "src/parts/card.js", "styles/site.css"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"{rel}\n")
    _age(root)
    for folder in (root, root / "src", root / "src" / "parts", root / "styles"):
        old = time.time_ns() - int(3600 * 1e9)
        os.utime(folder, ns=(old, old))
    first = snapshot.take_snapshot(root, RULES, store=_store(tmp_path))
    (root / "src" / "app.js").write_text("edited in place, longer than before\n")
    (root / "styles" / "print.css").write_text("added\n")
    listed = record_listings(monkeypatch, root)
    second = snapshot.take_snapshot(root, RULES, previous=first, store=_store(tmp_path))
    assert listed == ["styles"]
    assert set(second) == set(first) | {"styles/print.css"}
    assert second["src/app.js"].sha == sha256_bytes(b"edited in place, longer than before\n")
    diff = snapshot.compare(root, first, second, rendered={}, pack=dict)
    assert (diff.added, diff.changed, diff.deleted) == (["styles/print.css"], ["src/app.js"], [])
