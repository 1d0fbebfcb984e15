"""The watcher sees every way an editor saves, ignores noise, batches bursts, and survives limits."""

from __future__ import annotations

import errno
import os
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.live.watch import ChangeBatch, Watcher
from tests.support.preview import write_in_place, write_via_rename, write_vim_style

WAIT = 10.0  # generous: the machine is shared; a correct watcher answers in ~50 ms


class Collector:
    """Collects the final batches (one per burst: what sessions record); ``notices`` gets the
    leading notices too, in the order they were delivered."""

    def __init__(self, root: Path, **kwargs: object) -> None:
        self.root = root
        self.batches: queue.Queue[ChangeBatch] = queue.Queue()
        self.notices: queue.Queue[ChangeBatch] = queue.Queue()
        self.watcher = Watcher(root, self._put, **kwargs)  # type: ignore[arg-type]

    def _put(self, batch: ChangeBatch) -> None:
        self.notices.put(batch)
        if batch.final:
            self.batches.put(batch)

    def names(self, paths: frozenset[Path]) -> set[str]:
        return {p.relative_to(self.root).as_posix() for p in paths}

    def next(self, timeout: float = WAIT) -> set[str]:
        batch = self.batches.get(timeout=timeout)
        assert batch.started <= batch.ended
        return self.names(batch.paths)

    def until(self, wanted: str, timeout: float = WAIT) -> set[str]:
        """Every path seen up to and including the batch that holds ``wanted``."""
        seen: set[str] = set()
        while wanted not in seen:
            seen |= self.next(timeout)
        return seen

    def sentinel(self, name: str = "sentinel.txt") -> set[str]:
        """Write a file after the action under test; events are ordered, so anything the action
        caused arrives no later than the sentinel's batch: no fixed sleep needed."""
        (self.root / name).write_text("x")
        return self.until(name)


def lost_and_warning(watcher: Watcher) -> tuple[bool, str | None]:
    """Read afresh each time (the watcher's thread changes them; a plain read would be narrowed)."""
    return watcher.lost, watcher.warning


def polling_now(watcher: Watcher) -> bool:
    """Whether the watcher polls now (it switches on its own thread)."""
    return watcher.polling


@pytest.fixture
def watch(site: Path) -> Iterator[Collector]:
    collector = Collector(site, debounce_ms=30)
    collector.watcher.start()
    yield collector
    collector.watcher.stop()


def test_in_place_write(watch: Collector, site: Path) -> None:
    write_in_place(site / "index.html", "<h1>two</h1>")
    assert watch.next() == {"index.html"}


def test_temp_file_then_rename(watch: Collector, site: Path) -> None:
    write_via_rename(site / "index.html", "<h1>two</h1>")
    assert watch.next() == {"index.html"}


def test_temp_with_unpredictable_name_is_dropped(watch: Collector, site: Path) -> None:
    """sed -i writes 'sedAbC123' and renames it: only the real file is reported."""
    write_via_rename(site / "index.html", "<h1>two</h1>", temp_name="sedAbC123")
    assert watch.next() == {"index.html"}


def test_vim_backup_and_rename(watch: Collector, site: Path) -> None:
    write_vim_style(site / "index.html", "<h1>two</h1>")
    assert watch.next() == {"index.html"}


def test_jetbrains_safe_write(watch: Collector, site: Path) -> None:
    target = site / "index.html"
    tmp = site / "index.html___jb_tmp___"
    old = site / "index.html___jb_old___"
    tmp.write_text("<h1>two</h1>")
    os.rename(target, old)
    os.rename(tmp, target)
    os.unlink(old)
    assert watch.next() == {"index.html"}


def test_move_onto_a_watched_file(watch: Collector, site: Path) -> None:
    (site / "draft.html").write_text("<h1>draft</h1>")
    assert watch.until("draft.html") == {"draft.html"}
    os.replace(site / "draft.html", site / "index.html")
    assert watch.next() == {"draft.html", "index.html"}


def test_delete(watch: Collector, site: Path) -> None:
    (site / "style.css").unlink()
    assert watch.next() == {"style.css"}


def test_new_folder_with_files(watch: Collector, site: Path) -> None:
    (site / "pages" / "deep").mkdir(parents=True)
    (site / "pages" / "deep" / "about.html").write_text("about")
    seen = watch.until("pages/deep/about.html")
    assert "pages" in seen


def test_file_in_a_new_folder_written_later(watch: Collector, site: Path) -> None:
    (site / "later").mkdir()
    assert "later" in watch.until("later")
    (site / "later" / "a.css").write_text("a{}")
    assert watch.until("later/a.css") == {"later/a.css"}


def test_burst_is_one_batch(site: Path) -> None:
    collector = Collector(site, debounce_ms=300)
    with collector.watcher:
        for i in range(20):
            (site / f"f{i}.html").write_text(str(i))
        assert collector.next() == {f"f{i}.html" for i in range(20)}
        with pytest.raises(queue.Empty):
            collector.batches.get(timeout=0.6)


def test_never_ending_stream_still_reports(site: Path) -> None:
    """max_wait caps a batch so a long stream (a package install) is reported while it runs."""
    import time

    collector = Collector(site, debounce_ms=400, max_wait_ms=300)
    with collector.watcher:
        give_up = time.monotonic() + WAIT
        i = 0
        while collector.batches.empty() and time.monotonic() < give_up:
            (site / f"s{i}.txt").write_text("x")  # every 20 ms: the 400 ms quiet period never comes
            i += 1
            time.sleep(0.02)
        assert not collector.batches.empty(), "no batch while files kept coming"
        assert len(collector.next()) < i + 1


@pytest.mark.parametrize(
    "relative",
    [
        ".git/objects/ab/cdef",
        "node_modules/pkg/index.js",
        ".sandbox/manifest.json",
        "__pycache__/x.cpython-311.pyc",
        ".index.html.swp",
        "index.html~",
        ".#index.html",
        "#index.html#",
        "4913",
        ".style.css.a1b2.tmp",
        "sub/node_modules/x/y.js",
        ".idea/workspace.xml",
        "index.html.bak",
        "index.html___jb_tmp___",
        "index.html.sandbox-new",
    ],
)
def test_ignored_paths(watch: Collector, site: Path, relative: str) -> None:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("noise")
    assert watch.sentinel() - {"sub"} == {"sentinel.txt"}  # a new plain folder 'sub' is a real change


def test_patterns_from_settings(site: Path) -> None:
    collector = Collector(site, debounce_ms=30, ignore=["*.log", "build/", "/drafts/*.html", "secret"])
    with collector.watcher:
        for relative in ("debug.log", "a/b/c.log", "build/out.js", "drafts/x.html", "secret/key", "x/secret"):
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("noise")
        (site / "other").mkdir()
        (site / "other" / "drafts.html").write_text("kept")
        seen = collector.sentinel()
        assert seen <= {"sentinel.txt", "a", "a/b", "x", "other", "other/drafts.html", "drafts"}
        assert "other/drafts.html" in seen or collector.until("other/drafts.html")
        assert not any(p.endswith(".log") or p.startswith("build/") or "secret" in p for p in seen)


def test_a_negation_takes_a_name_back(site: Path) -> None:
    """sandbox.yaml's ``ignore:`` reads like .gitignore, ``!name`` included."""
    collector = Collector(site, debounce_ms=30, ignore=["*.log", "!keep.log", "!*.bak"])
    with collector.watcher:
        for name in ("debug.log", "keep.log", "page.bak", "page.swp"):
            (site / name).write_text("x")
        assert collector.sentinel() == {"keep.log", "page.bak", "sentinel.txt"}


def test_node_modules_storm_is_silent(watch: Collector, site: Path) -> None:
    """Silent, and the watcher never enters it: the watch list stays as it was (the benchmarks
    time the CPU of a 20,000-file storm)."""
    before = watch.watcher.watched_folders()
    for i in range(40):
        folder = site / "node_modules" / f"pkg{i}"
        folder.mkdir(parents=True)
        for j in range(50):
            (folder / f"f{j}.js").write_text("x")
    assert watch.sentinel() == {"sentinel.txt"}
    assert watch.watcher.watched_folders() == before


def test_falls_back_to_polling_at_the_watch_limit(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _refuse_inotify_watches(monkeypatch, set())
    collector = Collector(site, debounce_ms=30, poll_interval=0.1)
    with collector.watcher:
        assert collector.watcher.polling
        assert collector.watcher.warning and "max_user_watches" in collector.watcher.warning
        write_in_place(site / "index.html", "<h1>polled</h1>")
        assert "index.html" in collector.until("index.html")


def test_falls_back_to_polling_at_the_instance_limit(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inotify_simple = pytest.importorskip("inotify_simple")

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EMFILE, "too many inotify instances")

    monkeypatch.setattr(inotify_simple.INotify, "__init__", refuse)
    collector = Collector(site, debounce_ms=30, poll_interval=0.1)
    with collector.watcher:
        assert collector.watcher.polling
        assert collector.watcher.warning and "max_user_instances" in collector.watcher.warning


def test_other_os_errors_are_not_hidden(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inotify_simple = pytest.importorskip("inotify_simple")

    def broken(self: object, path: object, mask: int) -> int:
        raise OSError(errno.EACCES, "permission denied")

    monkeypatch.setattr(inotify_simple.INotify, "add_watch", broken)
    with pytest.raises(OSError):
        Watcher(site, lambda batch: None).start()


def test_stop_is_idempotent_and_final(site: Path) -> None:
    collector = Collector(site, debounce_ms=30)
    collector.watcher.start()
    collector.watcher.stop()
    collector.watcher.stop()
    (site / "index.html").write_text("after")
    with pytest.raises(queue.Empty):
        collector.batches.get(timeout=0.3)


def test_a_failing_consumer_does_not_kill_the_watcher(site: Path) -> None:
    calls: queue.Queue[ChangeBatch] = queue.Queue()

    def flaky(batch: ChangeBatch) -> None:
        calls.put(batch)
        if calls.qsize() == 1:
            raise RuntimeError("boom")

    with Watcher(site, flaky, debounce_ms=30):
        (site / "a.html").write_text("1")
        while not calls.get(timeout=WAIT).final:  # the failed call was a.html's leading notice
            pass
        (site / "b.html").write_text("2")
        batch = calls.get(timeout=WAIT)
        while not batch.final:
            batch = calls.get(timeout=WAIT)
        assert {p.name for p in batch.paths} == {"b.html"}


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    from sandbox.core.errors import SandboxError

    with pytest.raises(SandboxError, match="not a folder"):
        Watcher(tmp_path / "nope", lambda batch: None).start()


# --- the watched folder itself goes away ---------------------------------------------------------
class StatusCollector(Collector):
    """A Collector that also records the watcher's status messages (folder lost / back)."""

    def __init__(self, root: Path, **kwargs: object) -> None:
        self.status: queue.Queue[str] = queue.Queue()
        super().__init__(root, on_status=self.status.put, health_seconds=0.1, **kwargs)

    def next_status(self, timeout: float = WAIT) -> str:
        return self.status.get(timeout=timeout)


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_folder_renamed_away_and_back(site: Path, polling: bool) -> None:
    """Renaming the project folder in the Finder: a clear message, no crash, and it resumes."""
    collector = StatusCollector(site, debounce_ms=30, force_polling=polling, poll_interval=0.1)
    with collector.watcher:
        os.rename(site, site.with_name("elsewhere"))
        message = collector.next_status()
        assert "moved or deleted" in message and str(site) in message
        assert lost_and_warning(collector.watcher) == (True, message)
        os.rename(site.with_name("elsewhere"), site)
        assert "watching it again" in collector.next_status()
        assert lost_and_warning(collector.watcher) == (False, None)
        while not collector.batches.empty():  # whatever the renames themselves produced
            collector.batches.get_nowait()
        write_in_place(site / "index.html", "<h1>after</h1>")
        assert "index.html" in collector.until("index.html")


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_folder_deleted_and_made_again(site: Path, polling: bool) -> None:
    """Deleted (or replaced by a git checkout): reported once, and a new folder there is watched."""
    import shutil

    collector = StatusCollector(site, debounce_ms=200, force_polling=polling, poll_interval=0.1)
    with collector.watcher:
        shutil.rmtree(site)
        assert "moved or deleted" in collector.next_status()
        assert collector.batches.empty(), "the folder's removal is one message, not a batch of deletions"
        with pytest.raises(queue.Empty):
            collector.status.get(timeout=0.5)  # said once, not every check
        site.mkdir()
        assert "watching it again" in collector.next_status()
        (site / "new.html").write_text("new")
        assert "new.html" in collector.until("new.html")


def test_a_replaced_folder_is_noticed_even_when_nothing_else_happens(site: Path) -> None:
    """Swapped for another folder at the same path between two checks: still reported and resumed."""
    collector = StatusCollector(site, debounce_ms=30)
    with collector.watcher:
        os.rename(site, site.with_name("old"))
        site.mkdir()
        assert "moved or deleted" in collector.next_status()
        assert "watching it again" in collector.next_status()
        (site / "fresh.css").write_text("a{}")
        assert "fresh.css" in collector.until("fresh.css")


def test_an_anchored_folder_pattern_silences_its_contents(site: Path) -> None:
    collector = Collector(site, debounce_ms=30, ignore=["/build", "assets/raw"])
    with collector.watcher:
        (site / "build").mkdir()
        assert collector.sentinel("s1.txt") == {"s1.txt"}
        for relative in ("build/app.js", "build/css/app.css", "assets/raw/big.psd"):
            (site / relative).parent.mkdir(parents=True, exist_ok=True)
            (site / relative).write_text("generated")
        seen = collector.sentinel("s2.txt")
        assert seen <= {"s2.txt", "assets"}, seen


def test_a_file_deleted_recreated_and_deleted_again_is_reported(site: Path) -> None:
    """Within one burst: the file existed before, so its final deletion is a change, not a temp file."""
    collector = Collector(site, debounce_ms=400)
    with collector.watcher:
        target = site / "style.css"
        target.unlink()
        target.write_text("h1{color:red}")
        target.unlink()
        assert "style.css" in collector.until("style.css")


def _refuse_inotify_watches(monkeypatch: pytest.MonkeyPatch, allowed: set[str]) -> None:
    """Make the kernel answer ENOSPC (watch limit reached) for every folder not in ``allowed``."""
    inotify_simple = pytest.importorskip("inotify_simple")
    original = inotify_simple.INotify.add_watch

    def add_watch(self: object, path: str, mask: int) -> int:
        if os.fspath(path) in allowed:
            return int(original(self, path, mask))
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(inotify_simple.INotify, "add_watch", add_watch)


def test_sub_folders_past_the_watch_limit_at_start_mean_polling(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Half-watching (the root but not a sub-folder) would lose edits there without a word: poll."""
    (site / "css" / "deep").mkdir(parents=True)
    _refuse_inotify_watches(monkeypatch, {str(site.resolve())})
    collector = Collector(site, debounce_ms=30, poll_interval=0.1)
    with collector.watcher:
        assert collector.watcher.polling
        assert collector.watcher.warning and "max_user_watches" in collector.watcher.warning
        (site / "css" / "deep" / "x.css").write_text("x{}")
        assert "css/deep/x.css" in collector.until("css/deep/x.css")


def test_a_new_folder_past_the_watch_limit_switches_to_polling(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collector = StatusCollector(site, debounce_ms=30, poll_interval=0.1)
    with collector.watcher:
        assert not polling_now(collector.watcher)
        _refuse_inotify_watches(monkeypatch, set())
        (site / "later").mkdir()
        assert "max_user_watches" in collector.next_status()
        assert polling_now(collector.watcher)
        (site / "later" / "a.html").write_text("seen")
        assert "later/a.html" in collector.until("later/a.html")


def test_polling_never_walks_into_ignored_folders(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The polling fallback re-lists the tree every interval: node_modules and .git cost nothing."""
    for folder in ("node_modules/pkg/lib", ".git/objects/ab", "css"):
        (site / folder).mkdir(parents=True)
        (site / folder / "f.txt").write_text("x")
    listed: list[str] = []
    real_scandir = os.scandir

    def recording_scandir(path: object = None) -> object:
        listed.append(os.fspath(path))  # type: ignore[call-overload]  # a str path, as the watcher passes
        return real_scandir(path)  # type: ignore[call-overload]  # the same

    monkeypatch.setattr(os, "scandir", recording_scandir)
    collector = Collector(site, debounce_ms=30, force_polling=True, poll_interval=0.1)
    with collector.watcher:
        (site / "css" / "a.css").write_text("a{}")
        assert "css/a.css" in collector.until("css/a.css")
    assert any(path.endswith("css") for path in listed)
    assert not [path for path in listed if "node_modules" in path or ".git" in path]
